"""Every sentence careloop says to staff, Vietnamese first, English second: the words are data
(templates/words.toml, keyed by the codes reports use), read once when first asked for."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property

from functions.core.data_files import TEMPLATES, data_file

LANGUAGES = ("vi", "en")

WORDS = TEMPLATES / "words.toml"  # the words, as data


class _Words(Mapping[str, tuple[str, str]]):
    """Every message code → (Vietnamese, English), read from WORDS once, when first asked."""

    @cached_property
    def _table(self) -> dict[str, tuple[str, str]]:
        return {code: (words["vi"], words["en"]) for code, words in data_file("words").items()}

    def __getitem__(self, code: str) -> tuple[str, str]:
        return self._table[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


MESSAGES: Mapping[str, tuple[str, str]] = _Words()


def knows(code: str) -> bool:
    """Whether there are words for `code`."""
    return code in MESSAGES


def say(code: str, language: str = "vi", **params: object) -> str:
    vi, en = MESSAGES[code]
    return (en if language == "en" else vi).format(**params)


class Bilingual(str):
    """Vietnamese, then English, as one text — and which message it is, so a reader of one language
    (an alert, the Health tab) can be told it in theirs alone (`in_language`)."""

    code: str
    params: dict[str, object]

    def __new__(cls, code: str, params: dict[str, object]) -> Bilingual:
        text = super().__new__(cls, f"{say(code, 'vi', **params)} / {say(code, 'en', **params)}")
        text.code, text.params = code, params
        return text


def both(code: str, **params: object) -> str:
    """Vietnamese, then English, for messages read by people of either language (errors, logs)."""
    return Bilingual(code, params)


def in_language(text: object, language: str) -> str:
    """A message in one language when it was made by `both` (an error's words); as it is otherwise."""
    return say(text.code, language, **text.params) if isinstance(text, Bilingual) else str(text)


# The five answers of a survey, as customers read them on the page and in the message's buttons.
SCORE_LABELS = {
    "vi": ("Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"),
    "en": ("Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"),
}


def score_labels(language: str) -> tuple[str, ...]:
    return SCORE_LABELS.get(language, SCORE_LABELS["vi"])
