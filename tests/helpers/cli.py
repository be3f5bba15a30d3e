"""Running the `careloop` command in a test: in-process through `main(argv)`, or as the installed
console script in a process of its own. Both see only the CARELOOP_* settings the test gives."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from functions.entrypoints.cli.main import main

CARELOOP = str(Path(sys.executable).with_name("careloop"))
# The follow-up job on the test's khach-hang.xlsx, as of 09:00 on the test day.
FOLLOWUP = tuple("run followup --sheet khach-hang.xlsx --store s.sqlite --outbox outbox --now 2026-11-23T09:00".split())


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


def careloop(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> Result:
    out, err = io.StringIO(), io.StringIO()
    with _environment(env), contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return Result(code, out.getvalue(), err.getvalue())


def careloop_process(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CARELOOP_")}
    return subprocess.run(
        [CARELOOP, *args], cwd=cwd, env={**clean, **(env or {})}, capture_output=True, text=True, timeout=120
    )


def careloop_at_once(*args: str, cwd: Path, env: Mapping[str, str] | None = None,
                     times: int = 2) -> list[subprocess.CompletedProcess[str]]:  # fmt: skip
    """The same command in `times` processes started together (two scheduled runs overlapping)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(times) as pool:
        return list(pool.map(lambda _: careloop_process(*args, cwd=cwd, env=env), range(times)))


@contextlib.contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[None]:
    saved = dict(os.environ)
    for name in [k for k in os.environ if k.startswith("CARELOOP_")]:
        del os.environ[name]
    os.environ.update(env or {})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
