"""A test stops what it starts, by its own PID, even when waiting for it to come up fails for a reason of
its own (a clock the test faked, an interrupt): nothing is left running after the suite."""

from __future__ import annotations

import os

import pytest

from tests.helpers import dovecot as dovecot_helper
from tests.helpers import processes
from tests.helpers.dovecot import Dovecot


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie has ended: only its parent has not reaped it yet
        return stat.read().split(") ")[1][0] != "Z"


def test_a_dovecot_whose_wait_fails_is_stopped(monkeypatch):
    started = []
    real_start = dovecot_helper.start_group

    def start(command, **kwargs):
        started.append(real_start(command, **kwargs))
        return started[-1]

    def broken_sleep(seconds):
        raise OSError(22, "Invalid argument")  # what time.sleep raised under a faked monotonic clock

    def refused(*args, **kwargs):
        raise OSError("not yet")

    monkeypatch.setattr(dovecot_helper, "start_group", start)
    monkeypatch.setattr(dovecot_helper, "pause", broken_sleep)
    monkeypatch.setattr(dovecot_helper.socket, "create_connection", refused)
    server = Dovecot()
    with pytest.raises(OSError):
        server.__enter__()
    (process,) = started
    process.wait(15)
    assert not running(process.pid) and not server.root.exists()


def test_a_server_whose_wait_fails_is_stopped(monkeypatch):
    process = processes.start_group(["sleep", "600"])

    def broken_sleep(seconds):
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(processes, "pause", broken_sleep)
    with pytest.raises(OSError):
        processes.wait_for_http(process, "http://127.0.0.1:9/", 5, "sleep")
    assert process.poll() is not None
