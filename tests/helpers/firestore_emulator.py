"""The official Firestore emulator for tests: started once per session on a free 127.0.0.1 port
in its own process group, wiped between tests, and stopped with its whole group at the end."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import requests

from tests.helpers.processes import start_group, stop_group, wait_for_http

PROJECT = "demo-careloop"
KNOWN_PLACES = ["/usr/lib/google-cloud-sdk", "/usr/share/google-cloud-sdk", "/opt/google-cloud-sdk"]
INSTALL_HINT = (
    "Firestore emulator not found. Install it with google-cloud-cli: "
    "`apt-get install google-cloud-cli google-cloud-cli-firestore-emulator` "
    "or `gcloud components install cloud-firestore-emulator` (it needs Java 17+)."
)


def emulator_binary() -> Path | None:
    roots = [os.environ.get("CLOUDSDK_ROOT_DIR", ""), *KNOWN_PLACES]
    gcloud = shutil.which("gcloud")
    if gcloud:
        roots.append(str(Path(os.path.realpath(gcloud)).parent.parent))
    for root in filter(None, roots):
        binary = Path(root) / "platform" / "cloud-firestore-emulator" / "cloud_firestore_emulator"
        if binary.exists():
            return binary
    return None


def missing(reason: str):
    """Skip locally; on CI the emulator must be there, so a missing one fails the run."""
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


class Emulator:
    def __init__(self, binary: Path, port: int):
        self.host = f"127.0.0.1:{port}"
        self.process = start_group([str(binary), "start", "--host=127.0.0.1", f"--port={port}"])
        wait_for_http(self.process, f"http://{self.host}/", 90, "the Firestore emulator")

    def wipe(self, project: str = PROJECT) -> None:
        url = f"http://{self.host}/emulator/v1/projects/{project}/databases/(default)/documents"
        requests.delete(url, timeout=10).raise_for_status()

    def stop(self) -> None:
        stop_group(self.process)  # the wrapper script and the Java server under it


def started_or_exit() -> Emulator:
    """For a bench script: the emulator started on a free port of 127.0.0.1, this process pointed at
    it; the script stops (saying how to install it) when it is not installed. Stop it when done."""
    import os
    import sys

    from tests.helpers import free_port

    binary = emulator_binary()
    if binary is None:
        sys.exit(INSTALL_HINT)
    emulator = Emulator(binary, free_port())
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host
    return emulator
