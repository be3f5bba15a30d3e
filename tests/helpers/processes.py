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


def functions_framework(
    target: str, port: int, source: str | Path = ROOT / "main.py", executable: str = FRAMEWORK
) -> list[str]:
    """The command that serves one entry point of main.py on 127.0.0.1:port."""
    return [executable, "--target", target, "--source", str(source), "--host", "127.0.0.1", "--port", str(port)]


@contextmanager
def server(
    command: Sequence[str], ready_url: str, env: dict | None = None, timeout: float = 60, cwd=None
) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(
        list(command), env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
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
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
