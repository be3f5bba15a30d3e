"""The send queue on Pub/Sub (google-cloud-pubsub): one topic per channel, `PREFIX-email`,
`PREFIX-<channel>` for each of the others, so each channel's `send_batch` function has its own max instances (its
rate limit). The client is made on first use, never at import; PUBSUB_EMULATOR_HOST is honoured."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from functions.core.errors import QueueUnavailable


def topic_name(prefix: str, channel: str) -> str:
    return f"{prefix}-{channel}"


class PubSubQueue:
    def __init__(self, project: str, topic_prefix: str, timeout: float = 60.0, publisher: Any = None):
        self.project, self.topic_prefix, self.timeout = project, topic_prefix, timeout
        if publisher is not None:
            self.__dict__["publisher"] = publisher

    @cached_property
    def publisher(self) -> Any:
        from google.cloud.pubsub_v1 import PublisherClient  # imported here: only runs that fan out pay for it

        return PublisherClient()

    def topic(self, channel: str) -> str:
        return f"projects/{self.project}/topics/{topic_name(self.topic_prefix, channel)}"

    def missing(self, channels: Sequence[str]) -> list[str]:
        from google.api_core import exceptions as api

        found = []
        for channel in channels:
            try:
                self.publisher.get_topic(request={"topic": self.topic(channel)}, timeout=self.timeout)
            except (api.GoogleAPICallError, api.RetryError) as error:
                found.append(f"{self.topic(channel)} ({type(error).__name__})")
        return found

    def publish(self, channel: str, batches: Sequence[bytes]) -> None:
        from google.api_core import exceptions as api

        topic = self.topic(channel)
        try:
            futures = [self.publisher.publish(topic, batch, channel=channel) for batch in batches]
            for future in futures:  # every batch held by Pub/Sub, or the run says which were not
                future.result(timeout=self.timeout)
        except (api.GoogleAPICallError, api.RetryError, TimeoutError) as error:
            raise QueueUnavailable(f"Pub/Sub {topic}: {error}") from error
