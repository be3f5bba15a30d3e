"""Bounded retries with exponential backoff and full jitter, for transient faults only."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
Hint = Callable[[BaseException], float | None]


def no_hint(error: BaseException) -> float | None:
    return None


def full_jitter(ceiling: float) -> float:
    return random.uniform(0, ceiling)


@dataclass(frozen=True)
class RetryPolicy:
    budget_seconds: float = 30.0  # no attempt starts after this much time
    first_delay: float = 0.5
    max_delay: float = 8.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[float], float] = full_jitter

    def call(
        self,
        action: Callable[[], T],
        transient: tuple[type[BaseException], ...],
        wait_hint: Hint = no_hint,
        last_chance: Hint = no_hint,
    ) -> T:
        """Run `action`; on a transient error wait and try again until the budget is spent.

        `wait_hint` may name the wait (a server's Retry-After). When the next wait would pass the
        budget, `last_chance` may name a moment still inside it worth one more try (a per-minute
        quota that refills): the policy waits for it once instead of giving up."""
        deadline = self.clock() + self.budget_seconds
        ceiling, last_taken = self.first_delay, False
        while True:
            try:
                return action()
            except transient as error:
                hinted = wait_hint(error)
                delay = self.jitter(ceiling) if hinted is None else hinted
                if self.clock() + delay >= deadline:
                    final = None if last_taken else last_chance(error)
                    if final is None or self.clock() + final >= deadline:
                        raise
                    delay, last_taken = final, True
                self.sleep(delay)
                ceiling = min(ceiling * 2, self.max_delay)
