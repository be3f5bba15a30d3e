"""How to address a customer: Vietnamese names put the given name last (pure)."""

from __future__ import annotations

from functools import lru_cache

from functions.core.text import fold

# Known salutations, keyed by their folded form, spelled as they appear mid-sentence.
_SALUTATIONS_VI = {
    "anh": "anh",
    "chi": "chị",
    "ong": "ông",
    "ba": "bà",
    "em": "em",
    "co": "cô",
    "chu": "chú",
    "bac": "bác",
    "di": "dì",
    "thay": "thầy",
    "quy khach": "quý khách",
}
_SALUTATIONS_EN = {
    "mr": "Mr",
    "mr.": "Mr",
    "ms": "Ms",
    "ms.": "Ms",
    "mrs": "Mrs",
    "mrs.": "Mrs",
    "miss": "Miss",
    "dr": "Dr",
    "dr.": "Dr",
}
# A salutation typed in one language, said in the other.
_VI_TO_EN = {
    "anh": "Mr",
    "ông": "Mr",
    "chú": "Mr",
    "bác": "Mr",
    "thầy": "Mr",
    "chị": "Ms",
    "bà": "Ms",
    "cô": "Ms",
    "dì": "Ms",
}
_EN_TO_VI = {"Mr": "anh", "Ms": "chị", "Mrs": "chị", "Miss": "chị"}


def given_name(full_name: str) -> str:
    """ "Nguyễn Thị Lan" → "Lan"."""
    parts = full_name.split()
    return parts[-1] if parts else ""


def normalise_salutation(text: str) -> str:
    folded = fold(text)
    return _SALUTATIONS_VI.get(folded) or _SALUTATIONS_EN.get(folded) or " ".join(text.split())


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
    if language == "en":
        if said in _VI_TO_EN:
            return _VI_TO_EN[said]
        if said in _SALUTATIONS_VI.values():  # "em", "quý khách": no English counterpart
            return None
        return said or None
    return _EN_TO_VI.get(said, said) or "anh/chị"
