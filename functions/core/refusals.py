"""Whether a customer's reply asks careloop to stop writing (pure), read as Vietnamese is typed.

A refusal is a request, not a word: "HỦY", "huy", "STOP", "Hủy đăng ký", "Đừng gửi tin nữa", "Tôi
không muốn nhận tin nữa", "ko nhận tin nx ạ". Not one: a negation ("Không hủy"), a name ("Cảm ơn,
Huy", "Huy đây ạ", "Thủy"), a cancellation of something else ("Hủy hẹn", "hủy đơn hàng": a
CANCELLATION, for staff), a sentence that merely holds the word ("Stop by tomorrow?", "Dừng lại ở
đâu vậy?").

How: the reply's words become tokens of a few kinds (stop, don't, not, receive, send, message,
subscription) after politeness and pronouns are set aside; the whole reply must then be one of a
handful of request shapes. Diacritics are respected where typed and folded where not: "huy" is
"hủy" typed without them, unless the reply has diacritics elsewhere, where "Huy" is a name; "dung"
alone could be "đúng" (right) and is nothing, "dừng" is stop."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import NamedTuple

from functions.core.data_files import data_file
from functions.core.text import fold

REFUSAL, CANCELLATION = "refusal", "cancellation"
LONGEST = 160  # characters: a refusal is short; a longer message is a reply staff read


class _Vocabulary(NamedTuple):
    kinds: dict[str, str]  # a word's kind, by its folded spelling (its spelling with diacritics is checked first)
    pairs: dict[tuple[str, str], str]
    shorthand: dict[str, str]
    meant: dict[str, str]
    fillers: frozenset[str]
    pronouns: frozenset[str]
    cancellable: frozenset[str]


@cache
def _vocabulary() -> _Vocabulary:
    """templates/refusal_words.toml, read once when first asked."""
    data = data_file("refusal_words")
    pairs = {tuple(words.split()): kind for words, kind in data["pairs"].items()}
    sets = {name: frozenset(words.split()) for name, words in data["sets"].items()}
    return _Vocabulary({word: kind for kind, words in data["kinds"].items() for word in words},
                       pairs, data["shorthand"], data["meant"], sets["fillers"], sets["pronouns"],
                       sets["cancellable"])  # fmt: skip


_REQUESTS = [
    re.compile(shape)
    for shape in (
        r"STOP( (SUBSCRIPTION|MESSAGE|(RECEIVE|SEND)( MESSAGE)?|SUBSCRIPTION (RECEIVE|SEND)( MESSAGE)?))?",
        r"(DONT|NOT) (SEND|RECEIVE)( MESSAGE)?|(DONT|NOT) MESSAGE",
    )
]


def refusal_reading(text: str) -> str:
    """REFUSAL when the reply asks to stop messages; CANCELLATION when it cancels something else
    (an appointment, an order: for staff); '' otherwise."""
    text = unicodedata.normalize("NFC", text).strip()
    if not text or len(text) > LONGEST:
        return ""
    read = _kinds(text)
    kinds = [kind for kind, _ in read]
    if kinds and any(shape.fullmatch(" ".join(kinds)) for shape in _REQUESTS):
        return REFUSAL
    cancels = read[0][1] in ("huy", "cancel") if read else False
    if cancels and len(read) > 1 and read[1][1] in _vocabulary().cancellable:  # "hủy hẹn", "hủy đơn"
        return CANCELLATION
    return ""


def _kinds(text: str) -> list[tuple[str, str]]:
    """The reply as (kind, folded word) pairs, OTHER for a word of no kind, fillers left out, a
    kind repeated ("nhận tin nhắn") once."""
    vocabulary = _vocabulary()
    words: list[tuple[str, str, str]] = []  # (as typed, lower case, folded); a shorthand spelled out
    for typed in re.findall(r"\w+", text):
        plain = vocabulary.shorthand.get(fold(typed), fold(typed))
        words += [(typed, typed.lower(), plain)] if " " not in plain else [(p, p, p) for p in plain.split()]
    marked = any(plain != lower for _, lower, plain in words)  # the writer types diacritics where they belong
    read: list[tuple[str, str]] = []
    index = 0
    while index < len(words):
        pair = (words[index][2], words[index + 1][2]) if index + 1 < len(words) else None
        if pair in vocabulary.pairs:
            if vocabulary.pairs[pair]:
                read.append((vocabulary.pairs[pair], pair[0]))
            index += 2
            continue
        _, word, plain = words[index]
        index += 1
        if plain in ("huy", "dung", "ngung") and word != plain:  # typed with diacritics: only those spellings
            read.append((vocabulary.meant.get(word, "OTHER"), plain))
        elif plain == "huy" and (marked or _named(words, index - 1)):  # "Cảm ơn, Huy", "anh Huy"
            read.append(("OTHER", plain))
        elif plain == "dung":  # unmarked: "đừng" or "dừng" before a verb; alone it could be "đúng" (right)
            read.append(("DONT", plain))
        elif plain not in vocabulary.fillers:
            read.append((vocabulary.kinds.get(plain, "OTHER"), plain))
    return [item for i, item in enumerate(read) if i == 0 or item[0] != read[i - 1][0] or item[0] == "OTHER"]


def _named(words: list[tuple[str, str, str]], index: int) -> bool:
    """An unmarked "Huy" written as a name: capitalised after another word, or after a pronoun."""
    if index == 0:
        return False
    typed = words[index][0]
    return words[index - 1][2] in _vocabulary().pronouns or (typed[:1].isupper() and not typed.isupper())
