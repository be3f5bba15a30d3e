"""The official Pub/Sub emulator for tests, started as `gcloud beta emulators pubsub start` on a free
127.0.0.1 port in its own process group, and stopped with its whole group (the Java server too)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import requests

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
        self.process = subprocess.Popen(
            ["gcloud", "beta", "emulators", "pubsub", "start", f"--host-port={self.host}", f"--project={project}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"http://{self.host}/", timeout=1).ok:
                    return
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the Pub/Sub emulator did not start on {self.host}")
            time.sleep(0.2)

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
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(15)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(15)
