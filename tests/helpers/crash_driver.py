"""Runs the follow-up job like `careloop run followup`, but SIGKILLs itself at a chosen point,
injected through the ports (the job has no test hooks): CRASH_AT=advance:N (after the Nth store round
trip of the send path: the message it reserved is not sent yet) | send:N (after the Nth message went
out, before it is confirmed) | write | create_case:N; CRASH_JOB=escalate runs the escalation job instead.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script by the crash tests

from functions import bootstrap  # noqa: E402
from functions.escalate.job import run_escalate  # noqa: E402
from functions.followup.job import run_followup  # noqa: E402
from functions.settings import load_settings  # noqa: E402


class Crasher:
    """Wraps a port; after `count` calls of `method` the process dies on the spot."""

    def __init__(self, inner, method: str, count: int):
        self._inner, self._method, self._left = inner, method, count

    def __getattr__(self, name):
        attribute = getattr(self._inner, name)
        if name != self._method:
            return attribute

        def call(*args, **kwargs):
            if self._left <= 0:  # count 0: die before the call
                os.kill(os.getpid(), signal.SIGKILL)
            result = attribute(*args, **kwargs)
            self._left -= 1
            if self._left <= 0:
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        return call


def main() -> None:
    point, _, count = os.environ["CRASH_AT"].partition(":")
    settings = load_settings()
    escalate = os.environ.get("CRASH_JOB") == "escalate"
    deps = bootstrap.escalate_deps(settings) if escalate else bootstrap.followup_deps(settings)
    if point == "advance":
        deps.records.ledger = Crasher(deps.records.ledger, "advance", int(count))
    elif point == "send":
        deps.channels = {name: Crasher(channel, "deliver", int(count)) for name, channel in deps.channels.items()}
    elif point == "write":  # dies as the write-back begins, after every send
        deps.sheet = Crasher(deps.sheet, "write", 0)
    elif point == "create_case":  # dies right after a case is created, before anything else
        deps.records.cases = Crasher(deps.records.cases, "create_case", int(count))
    now = bootstrap.local_now(settings, os.environ["CRASH_NOW"])
    (run_escalate if escalate else run_followup)(deps, now)


if __name__ == "__main__":
    main()
