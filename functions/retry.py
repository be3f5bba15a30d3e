"""Bounded retries with exponential backoff and full jitter, for transient faults only."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    budget_seconds: float = 30.0  # no attempt starts after this much time
    first_delay: float = 0.5
    max_delay: float = 8.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[float], float] = field(default=lambda ceiling: random.uniform(0, ceiling))

    def call(
        self,
        action: Callable[[], T],
        transient: tuple[type[BaseException], ...],
        wait_hint: Callable[[BaseException], float | None] = lambda error: None,
    ) -> T:
        """Run `action`; on a transient error wait and try again until the budget is spent."""
        deadline = self.clock() + self.budget_seconds
        ceiling = self.first_delay
        while True:
            try:
                return action()
            except transient as error:
                delay = wait_hint(error)
                delay = self.jitter(ceiling) if delay is None else delay
                if self.clock() + delay >= deadline:
                    raise
                self.sleep(delay)
                ceiling = min(ceiling * 2, self.max_delay)
