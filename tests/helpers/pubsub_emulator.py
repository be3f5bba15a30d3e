"""The official Pub/Sub emulator for tests, started as `gcloud beta emulators pubsub start` on a free
127.0.0.1 port in its own process group, and stopped with its whole group (the Java server too)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import requests

from tests.helpers.processes import start_group, stop_group, wait_for_http

PROJECT = "demo-careloop"
INSTALL_HINT = (
    "Pub/Sub emulator not found. Install it with google-cloud-cli: "
    "`apt-get install google-cloud-cli google-cloud-cli-pubsub-emulator` "
    "or `gcloud components install pubsub-emulator` (it needs Java 17+)."
)


def installed() -> bool:
    gcloud = shutil.which("gcloud")
    if gcloud is None or shutil.which("java") is None:
        return False
    root = Path(os.path.realpath(gcloud)).parent.parent
    return (root / "platform" / "pubsub-emulator").is_dir()


class PubSubEmulator:
    def __init__(self, port: int, project: str = PROJECT):
        self.host, self.project = f"127.0.0.1:{port}", project
        self.process = start_group(
            ["gcloud", "beta", "emulators", "pubsub", "start", f"--host-port={self.host}", f"--project={project}"]
        )
        wait_for_http(self.process, f"http://{self.host}/", 90, "the Pub/Sub emulator")

    def push_subscription(self, topic: str, name: str, endpoint: str, ack_seconds: int = 30) -> None:
        """The topic, and a push subscription delivering it to `endpoint` (as Cloud Run's would)."""
        base = f"http://{self.host}/v1/projects/{self.project}"
        requests.put(f"{base}/topics/{topic}", json={}, timeout=10).raise_for_status()
        subscription = {
            "topic": f"projects/{self.project}/topics/{topic}",
            "pushConfig": {"pushEndpoint": endpoint},
            "ackDeadlineSeconds": ack_seconds,
        }
        requests.put(f"{base}/subscriptions/{name}", json=subscription, timeout=10).raise_for_status()

    def stop(self) -> None:
        stop_group(self.process)
