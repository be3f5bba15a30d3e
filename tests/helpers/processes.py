"""Starting and stopping real servers for tests: 127.0.0.1 only, own process group, stopped by PID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.helpers import ROOT

FRAMEWORK = str(Path(sys.executable).with_name("functions-framework"))

pause = time.sleep  # between polls of a server coming up (a test may make it fail)


def functions_framework(
    target: str, port: int, source: str | Path = ROOT / "main.py", executable: str = FRAMEWORK
) -> list[str]:
    """The command that serves one entry point of main.py on 127.0.0.1:port."""
    return [executable, "--target", target, "--source", str(source), "--host", "127.0.0.1", "--port", str(port)]


def start_group(command: Sequence[str], **kwargs) -> subprocess.Popen:
    """Start `command` in a process group of its own (a wrapper script and the server under it)."""
    kwargs.setdefault("stdout", subprocess.DEVNULL)
    kwargs.setdefault("stderr", subprocess.DEVNULL)
    return subprocess.Popen(list(command), start_new_session=True, **kwargs)


def wait_for_http(process: subprocess.Popen, url: str, timeout: float, what: str) -> None:
    """Until `url` answers 2xx; stops the group and raises if the process ends or time runs out."""
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                if requests.get(url, timeout=1).ok:
                    return
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start at {url}")
            pause(0.2)
    except BaseException:  # whatever stops the wait (a faked clock, an interrupt) stops the server too
        stop_group(process)
        raise


def stop_group(process: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM to the whole group, SIGKILL if it lingers (a wrapper's child would hold the port)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(grace)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(grace)


@contextmanager
def server(
    command: Sequence[str], ready_url: str, env: dict | None = None, timeout: float = 60, cwd=None
) -> Iterator[subprocess.Popen]:
    process = start_group(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited: {process.stdout.read().decode(errors='replace')}")
            try:
                requests.get(ready_url, timeout=1)
                break
            except requests.ConnectionError as error:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{command[0]} did not answer at {ready_url}") from error
                time.sleep(0.1)
        yield process
    finally:
        stop_group(process, grace=10)
