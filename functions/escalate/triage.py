"""Which tier a complaint starts at (pure): the Severity column when staff filled it in;
otherwise tier 3 for threats of legal action, the press, demands for money back or for a
manager — Vietnamese and English phrases, matched as whole words, diacritics ignored — and
tier 1 for the rest."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from functions.core.data_files import data_file
from functions.core.text import cell_text, fold


def tier3_phrases() -> tuple[str, ...]:
    """The built-in phrases (templates/customer_words.toml [triage]); the tier3_phrases setting replaces them."""
    return tuple(data_file("customer_words")["triage"]["tier3_phrases"])


def _severity_words() -> dict[str, int]:
    severity: dict[str, int] = data_file("customer_words")["triage"]["severity"]
    return severity


@dataclass(frozen=True)
class Triage:
    tier: int
    reason: str  # "severity", "phrase: <phrase>", or "default"


class SeverityUnreadable(ValueError):
    pass


@lru_cache(maxsize=8)
def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    words = sorted({fold(p) for p in phrases if p.strip()}, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(w) for w in words) + r")(?![a-z0-9])")


def triage(severity: object, issue: str, phrases: Sequence[str] | None = None) -> Triage:
    """`phrases`: the tier3_phrases setting; None: the built-in ones."""
    given = fold(cell_text(severity))
    if given:
        if given not in _severity_words():
            raise SeverityUnreadable(cell_text(severity))
        return Triage(_severity_words()[given], "severity")
    found = _pattern(tuple(tier3_phrases() if phrases is None else phrases)).search(fold(issue))
    return Triage(3, f"phrase: {found[1]}") if found else Triage(1, "default")
