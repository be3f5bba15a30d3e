"""Which tier a complaint starts at (pure): the Severity column when staff filled it in;
otherwise tier 3 for threats of legal action, the press, demands for money back or for a
manager — Vietnamese and English phrases, matched as whole words, diacritics ignored — and
tier 1 for the rest."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from functions.core.text import cell_text, fold

# Several words each, where one word alone would mislead: "kiện" is also in "sự kiện" (an
# event), and a law office's clients speak of "luật sư" (their lawyer) all the time.
TIER3_PHRASES = (
    # legal action
    "khởi kiện",
    "kiện ra tòa",
    "kiện lên tòa",
    "đi kiện",
    "sẽ kiện",
    "kiện công ty",
    "kiện các anh",
    "kiện các chị",
    "đưa ra tòa",
    "thuê luật sư",
    "luật sư của tôi",
    "nhờ luật sư",
    "tố cáo",
    "sue",
    "suing",
    "lawsuit",
    "legal action",
    "my lawyer",
    "my attorney",
    "take you to court",
    # the press and the public
    "báo chí",
    "lên báo",
    "đăng báo",
    "phóng viên",
    "nhà báo",
    "bóc phốt",
    "đăng lên mạng",
    "press",
    "journalist",
    "newspaper",
    "go public",
    # money back
    "bồi thường",
    "đền bù",
    "hoàn tiền",
    "trả lại tiền",
    "refund",
    "compensation",
    "money back",
    "chargeback",
    # a manager
    "gặp quản lý",
    "gặp giám đốc",
    "gặp sếp",
    "gặp người phụ trách",
    "gặp lãnh đạo",
    "manager",
    "supervisor",
    "your boss",
    "speak to the owner",
)
SEVERITY_WORDS = {
    "1": 1,
    "2": 2,
    "3": 3,
    "cap 1": 1,
    "cap 2": 2,
    "cap 3": 3,
    "tier 1": 1,
    "tier 2": 2,
    "tier 3": 3,
    "thap": 1,
    "binh thuong": 1,
    "low": 1,
    "trung binh": 2,
    "vua": 2,
    "medium": 2,
    "cao": 3,
    "nghiem trong": 3,
    "khan cap": 3,
    "high": 3,
    "urgent": 3,
    "critical": 3,
}


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


def triage(severity: object, issue: str, phrases: Sequence[str] = TIER3_PHRASES) -> Triage:
    given = fold(cell_text(severity))
    if given:
        if given not in SEVERITY_WORDS:
            raise SeverityUnreadable(cell_text(severity))
        return Triage(SEVERITY_WORDS[given], "severity")
    found = _pattern(tuple(phrases)).search(fold(issue))
    return Triage(3, f"phrase: {found[1]}") if found else Triage(1, "default")
