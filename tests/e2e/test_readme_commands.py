"""Every command the README shows runs as written, on a fresh copy's demo (issue 21: after
`make demo`, half of them failed — no such workbook, an empty store in the repo root, the wrong
port, a secret too short, the demo's settings gone).

The commands are read from README.md itself, so the README cannot drift from what works: every
line of its ```sh blocks but the developer's own `make` targets (the test suite, lint, the lock),
and every code span that starts with `.venv/bin/` (optionally after NAME=value settings). A line
ending in `&` starts a server: the test waits for its port before the next line, as a person
would, and stops the server's whole process group afterwards. A `functions-framework` command is
served, a page the demo linked to is opened on it, and it is stopped.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import requests

from tests.helpers import ROOT
from tests.helpers.processes import start_group

README = ROOT / "README.md"
NOT_RUN_HERE = ("make test", "make check", "make lock", "make bench", "make bundle")  # the developer's tooling
SERVED_PAGE = {"survey": "/s/", "unsubscribe": "/unsubscribe/"}  # a link of each kind the demo sent


def readme_commands() -> list[tuple[str, str]]:
    """(id, command or script) in the order the README shows them."""
    text = README.read_text(encoding="utf-8")
    found: list[tuple[int, str, str]] = []
    for block in re.finditer(r"```sh\n(.*?)```", text, re.S):
        lines = [line for line in block[1].replace("\\\n", " ").splitlines()
                 if line.strip() and not line.strip().startswith(NOT_RUN_HERE)]  # fmt: skip
        if lines:
            found.append((block.start(), f"block@{text.count(chr(10), 0, block.start()) + 1}", "\n".join(lines)))
    outside = re.sub(r"```.*?```", lambda m: " " * len(m[0]), text, flags=re.S)
    # a span holding a program of .venv/bin and its arguments, maybe after NAME=value settings
    for span in re.finditer(r"`((?:[A-Z_]+=[^`\s]+ )*\.venv/bin/[^`\s]+ [^`]+)`", outside):
        found.append((span.start(), f"line@{text.count(chr(10), 0, span.start()) + 1}", span[1]))
    return [(name, command) for _, name, command in sorted(found)]


COMMANDS = readme_commands()


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """The project as a fresh clone has it (the tracked files, as they are now), sharing this
    checkout's .venv, with `make demo` run in it as the README's first command says."""
    if not (ROOT / ".venv" / "bin" / "careloop").exists():
        pytest.skip("no .venv: run `make demo` or `make test` first (they make it)")
    folder = tmp_path_factory.mktemp("fresh") / "careloop"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)  # times kept: make finds the venv up to date
    (folder / ".venv").symlink_to(ROOT / ".venv")
    demo = run("make demo", folder)
    assert demo.returncode == 0, demo.stdout[-3000:]
    return folder


def environment() -> dict[str, str]:
    """As a new user's shell: none of this machine's careloop or emulator settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("CARELOOP_", "FIRESTORE_EMULATOR", "PUBSUB_"))}


def run(script: str, folder: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """The script in bash, in a process group of its own; whatever it left running is stopped."""
    log = folder.parent / "output.log"  # a file, not a pipe: a server left running holds a pipe open
    with open(log, "w") as output:
        process = start_group(["bash", "-c", "set -eo pipefail\n" + with_waits(script)], cwd=folder,
                              env=environment(), stdout=output, stderr=subprocess.STDOUT)  # fmt: skip
        try:
            process.wait(timeout=timeout)
        finally:
            end_group(process)  # the servers the script started with `&`
    return subprocess.CompletedProcess(script, process.returncode, log.read_text(errors="replace"))


def end_group(process: subprocess.Popen, grace: float = 10) -> None:
    """SIGTERM to every process left in the group, SIGKILL to what lingers (a JVM under a wrapper)."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            return
        for _ in range(int(grace * 10)):
            process.poll()  # the group's leader is ours to reap
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


def with_waits(script: str) -> str:
    """After each server started with `&`, wait for its port, as a person waits for it to start."""
    lines = []
    for line in script.splitlines():
        lines.append(line)
        port = re.search(r"--port[= ](\d+)", line)
        if re.search(r"&\s*(#.*)?$", line) and port:
            lines.append(f"for _ in $(seq 450); do (: </dev/tcp/127.0.0.1/{port[1]}) 2>/dev/null && break; "
                         "sleep 0.2; done")  # fmt: skip
    return "\n".join(lines)


def needs(script: str) -> None:
    """Skip, naming the tool, when the command needs one this machine lacks."""
    from tests.helpers.firestore_emulator import INSTALL_HINT, emulator_binary, missing

    if "cloud_firestore_emulator" in script and (emulator_binary() is None or shutil.which("java") is None):
        missing(INSTALL_HINT)
    if "openssl" in script and shutil.which("openssl") is None:
        missing("openssl not found: `apt-get install -y openssl`")


def serve_and_open(command: str, folder: Path) -> None:
    """A functions-framework command: served as written, a page the demo linked to answers."""
    target = re.search(r"--target (\w+)", command)[1]
    port = re.search(r"--port (\d+)", command)[1]
    emails = [message_from_bytes(eml.read_bytes(), policy=policy.default).get_body(("plain",)).get_content()
              for eml in (folder / "demo" / "outbox").glob("*.eml")]  # fmt: skip
    linked = rf"http://127\.0\.0\.1:{port}({SERVED_PAGE[target]}[^\s\"<>]+)"
    path = next(m[1] for text in emails for m in re.finditer(linked, text))
    process = start_group(["bash", "-c", command], cwd=folder, env=environment())
    try:
        for _ in range(300):
            try:
                answer = requests.get(f"http://127.0.0.1:{port}{path}", timeout=2)
                break
            except requests.ConnectionError:
                assert process.poll() is None, f"{command} exited"
                time.sleep(0.2)
        else:
            raise AssertionError(f"{command} did not answer on port {port}")
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    finally:
        end_group(process)


@pytest.mark.slow
@pytest.mark.parametrize("command", [c for _, c in COMMANDS], ids=[name for name, _ in COMMANDS])
def test_the_readme_command_runs_as_written(clone, command):
    needs(command)
    if "functions-framework" in command:
        serve_and_open(command, clone)
        return
    result = run(command, clone)
    assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}"
    assert "Traceback" not in result.stdout
    assert not list(clone.glob("*.xlsx.lock")) and not (clone / "careloop.sqlite").exists()


def test_the_readme_shows_every_command_the_table_lists():
    commands = [c for _, c in COMMANDS]
    for job in ("run followup", "run escalate", "run digest", "preview", "check", "setup-sheet", "retry", "demo"):
        assert any(f".venv/bin/careloop {job}" in c for c in commands), job
    assert any("--target survey" in c for c in commands) and any("--target unsubscribe" in c for c in commands)
