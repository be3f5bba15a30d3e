"""Tests assert what careloop says by its code, not its wording: `piece(code, i)` is the i-th fixed
piece (between placeholders) of the sentence templates/words.toml holds for that code, so rewording
a sentence there does not break a test about behaviour (one test per text checks that it renders:
tests/unit/test_words.py)."""

from __future__ import annotations

import re

from functions.core.i18n import MESSAGES


def piece(code: str, index: int = 0, language: str = "vi", strip: bool = False) -> str:
    vi, en = MESSAGES[code]
    part = re.split(r"\{[^}]*\}", en if language == "en" else vi)[index]
    return part.strip() if strip else part
