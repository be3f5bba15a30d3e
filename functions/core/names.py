"""How to address a customer: Vietnamese names put the given name last (pure)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from functions.core.data_files import data_file
from functions.core.text import fold


def _salutations() -> dict[str, Any]:
    """templates/customer_words.toml [salutations]: staff's words, as data."""
    words: dict[str, Any] = data_file("customer_words")["salutations"]
    return words


def given_name(full_name: str) -> str:
    """ "Nguyễn Thị Lan" → "Lan"."""
    parts = full_name.split()
    return parts[-1] if parts else ""


def normalise_salutation(text: str) -> str:
    folded = fold(text)
    words = _salutations()
    return words["vi"].get(folded) or words["en"].get(folded) or " ".join(text.split())


def greeting_name(full_name: str, salutation: str, language: str) -> str:
    """The words after "Chào" / "Dear": "chị Lan", "anh/chị Lan", "Ms Lan", "Lan"."""
    said = _title(salutation, language)
    if said is None:  # English without a title cannot tell given from family name: the full name is safe
        return " ".join(full_name.split())
    return f"{said} {given_name(full_name)}".strip()


def salutation_said(salutation: str, language: str) -> str:
    """The salutation as a message says it: "chị", "Ms", "anh/chị" when none was typed (Vietnamese),
    "" in English when there is no title to say."""
    return _title(salutation, language) or ""


@lru_cache(maxsize=256)
def _title(salutation: str, language: str) -> str | None:
    said = normalise_salutation(salutation) if salutation else ""
    words = _salutations()
    if language == "en":
        if said in words["vi_to_en"]:
            return str(words["vi_to_en"][said])
        if said in words["vi"].values():  # "em", "quý khách": no English counterpart
            return None
        return said or None
    return str(words["en_to_vi"].get(said, said) or words["unknown_vi"])
