"""Issue 34: the escalation run is an ordered list of named steps, each reading what those before it
found; the order is a rule (erasure before anything reads the store, one write at the end)."""

from __future__ import annotations

from functions.escalate.job import STEPS


def test_the_escalation_run_is_its_named_steps_in_order():
    names = [step.name for step in STEPS]
    assert len(set(names)) == len(names) and all(callable(step.act) for step in STEPS)
    order = ["read the sheet", "erase on request", "read the store", "listen", "plan", "store the cases", "notify"]
    assert [names.index(name) for name in order] == sorted(names.index(name) for name in order)
    assert names[-2:] == ["write back", "save the report"]  # nothing written to the sheet before it
