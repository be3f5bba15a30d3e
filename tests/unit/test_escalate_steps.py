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


def test_a_step_that_reads_what_it_does_not_name_fails():
    """The guard tests/conftest.py installs: during a step, an undeclared dependency cannot be read."""
    import pytest

    from functions.escalate.job import CURRENT_STEP, Step, uses
    from tests.helpers.memory_store import MemoryStore
    from tests.helpers.support import escalation_book, escalation_deps

    deps = escalation_deps(escalation_book([]), MemoryStore())
    token = CURRENT_STEP.set(Step("plan", lambda run: None, uses("calendar", records="cases")))
    try:
        assert deps.calendar is not None and deps.records.cases is not None  # named: fine
        with pytest.raises(AssertionError, match="reads records.ledger"):
            _ = deps.records.ledger
        with pytest.raises(AssertionError, match="reads sheet"):
            _ = deps.sheet
    finally:
        CURRENT_STEP.reset(token)
    assert deps.sheet is not None  # outside a run's step: anything
