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

from functions.core.text import fold

REFUSAL, CANCELLATION = "refusal", "cancellation"
LONGEST = 160  # characters: a refusal is short; a longer message is a reply staff read

# A word's kind, by its folded spelling (its spelling with diacritics is checked first, below).
_KINDS = {
    **dict.fromkeys(("huy", "stop", "stopall", "unsubscribe", "unsub", "ngung", "quit", "cancel"), "STOP"),
    **dict.fromkeys(("dont", "donot"), "DONT"),
    **dict.fromkeys(("khong", "ko", "k", "kg", "kh", "hok", "khum", "hem", "chang", "not", "never"), "NOT"),
    **dict.fromkeys(("nhan", "receive", "get"), "RECEIVE"),
    **dict.fromkeys(("gui", "send", "sending", "text", "texting", "email", "emailing", "message", "contact"), "SEND"),
    **dict.fromkeys(
        (
            "tin",
            "thu",
            "mail",
            "mails",
            "emails",
            "sms",
            "zalo",
            "messages",
            "texts",
            "newsletter",
            "newsletters",
            "notifications",
        ),
        "MESSAGE",
    ),  # fmt: skip
    **dict.fromkeys(("subscription", "list"), "SUBSCRIPTION"),
    **dict.fromkeys(("ads", "qc", "promotions"), "ADS"),  # refusing adverts is not refusing care: for staff
}
# Two words that are one ("đăng ký", "tin nhắn"): read together before the kinds.
_PAIRS = {
    ("dang", "ky"): "SUBSCRIPTION", ("dang", "ki"): "SUBSCRIPTION", ("tu", "choi"): "STOP",
    ("opt", "out"): "STOP", ("tin", "nhan"): "MESSAGE", ("thong", "bao"): "MESSAGE", ("quang", "cao"): "ADS",
    ("khuyen", "mai"): "ADS", ("do", "not"): "DONT", ("don", "t"): "DONT", ("no", "more"): "DONT",
    ("remove", "me"): "STOP", ("cam", "on"): "", ("lam", "on"): "", ("vui", "long"): "", ("xin", "loi"): "",
    ("thank", "you"): "",
}  # fmt: skip
_SHORTHAND = {"nx": "nua", "tn": "tin", "dk": "dang ky", "dki": "dang ky", "dky": "dang ky"}
# Politeness, pronouns and fillers: they change nothing of what is asked.
_FILLERS = frozenset(
    "a ah nhe nha nhen ne giup dum ho voi di luon nua thoi oi em e anh chi c minh toi t tui to con cho "
    "ban shop ad admin muon xin please pls plz thanks thank ok oke okay i me my to want these this any "
    "anymore again from your the all us we now just sorry".split()
)
_PRONOUNS = frozenset("anh chi em ong ba ban co chu bac ten la".split())  # "anh Huy", "tên là Huy": a name
_CANCELLABLE = frozenset(
    "hen lich don dat coc ve phong tour buoi ca booking appointment order reservation meeting visit".split()
)
_REQUESTS = [
    re.compile(shape)
    for shape in (
        r"STOP( (SUBSCRIPTION|MESSAGE|(RECEIVE|SEND)( MESSAGE)?|SUBSCRIPTION (RECEIVE|SEND)( MESSAGE)?))?",
        r"(DONT|NOT) (SEND|RECEIVE)( MESSAGE)?|(DONT|NOT) MESSAGE",
    )
]
_MEANT = {"hủy": "STOP", "huỷ": "STOP", "ngừng": "STOP", "dừng": "STOP", "đừng": "DONT"}  # as typed with diacritics


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
    if len(read) > 1 and read[0][1] in ("huy", "cancel") and read[1][1] in _CANCELLABLE:  # "hủy hẹn", "hủy đơn"
        return CANCELLATION
    return ""


def _kinds(text: str) -> list[tuple[str, str]]:
    """The reply as (kind, folded word) pairs, OTHER for a word of no kind, fillers left out, a
    kind repeated ("nhận tin nhắn") once."""
    words: list[tuple[str, str, str]] = []  # (as typed, lower case, folded); a shorthand spelled out
    for typed in re.findall(r"\w+", text):
        plain = _SHORTHAND.get(fold(typed), fold(typed))
        words += [(typed, typed.lower(), plain)] if " " not in plain else [(p, p, p) for p in plain.split()]
    marked = any(plain != lower for _, lower, plain in words)  # the writer types diacritics where they belong
    read: list[tuple[str, str]] = []
    index = 0
    while index < len(words):
        pair = (words[index][2], words[index + 1][2]) if index + 1 < len(words) else None
        if pair in _PAIRS:
            if _PAIRS[pair]:
                read.append((_PAIRS[pair], pair[0]))
            index += 2
            continue
        _, word, plain = words[index]
        index += 1
        if plain in ("huy", "dung", "ngung") and word != plain:  # typed with diacritics: only those spellings
            read.append((_MEANT.get(word, "OTHER"), plain))
        elif plain == "huy" and (marked or _named(words, index - 1)):  # "Cảm ơn, Huy", "anh Huy"
            read.append(("OTHER", plain))
        elif plain == "dung":  # unmarked: "đừng" or "dừng" before a verb; alone it could be "đúng" (right)
            read.append(("DONT", plain))
        elif plain not in _FILLERS:
            read.append((_KINDS.get(plain, "OTHER"), plain))
    return [item for i, item in enumerate(read) if i == 0 or item[0] != read[i - 1][0] or item[0] == "OTHER"]


def _named(words: list[tuple[str, str, str]], index: int) -> bool:
    """An unmarked "Huy" written as a name: capitalised after another word, or after a pronoun."""
    if index == 0:
        return False
    typed = words[index][0]
    return words[index - 1][2] in _PRONOUNS or (typed[:1].isupper() and not typed.isupper())
