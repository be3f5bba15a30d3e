"""A big day through the send queue (issue 37: the volume the test suite no longer carries): 10,000
birthdays due, 1,000 sent by the follow-up run and 9,000 queued to Pub/Sub (its emulator) in batches
of 100, taken by a real functions-framework `send_batch` process that is killed after 3,000 more and
a second one that finishes; every message reaches the SMTP server once. Prints the time it took.

    .venv/bin/python bench/fanout.py   (starts the Pub/Sub emulator, SMTP and the processes on 127.0.0.1)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.test_fanout_pubsub import fan_out_and_kill  # noqa: E402
from tests.helpers import free_port  # noqa: E402
from tests.helpers.pubsub_emulator import INSTALL_HINT, PubSubEmulator, installed  # noqa: E402


class Environment:
    """What the test's monkeypatch does here: sets a variable for this process."""

    def setenv(self, name: str, value: str) -> None:
        os.environ[name] = value


def main() -> None:
    if not installed():
        sys.exit(INSTALL_HINT)
    emulator = PubSubEmulator(free_port())
    try:
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            fan_out_and_kill(Path(folder), emulator, Environment(), str(Path(folder) / "s.sqlite"), 10_000, 1_000,
                             100, 3_000)  # fmt: skip
            print(f"10,000 due, 9,000 through the queue with a sender killed: each sent once, "
                  f"{time.perf_counter() - start:.1f} s")  # fmt: skip
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
