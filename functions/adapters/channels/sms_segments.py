"""SMS text (pure; the SMS channel's own rules): how many segments a text costs, and the diacritics-free
form that fits GSM-7.

A segment holds 160 GSM-7 characters, or 70 UCS-2 code units when any character is outside
GSM-7 (a Vietnamese letter with its diacritics is). A longer text is split into parts of 153 / 67,
each billed as one message; careloop never cuts a text: one too long is a render error.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from functions.core.errors import RenderError
from functions.core.i18n import both

# GSM 03.38: the basic set (one septet each) and its extension table (an escape and a septet: two).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
GSM7, UCS2 = "GSM-7", "UCS-2"
# Typography a phone keyboard or a template editor adds, and its GSM-7 spelling.
_PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "})


@dataclass(frozen=True)
class SmsText:
    text: str
    encoding: str  # GSM-7 or UCS-2
    segments: int
    length: int  # characters as billed: septets for GSM-7, UTF-16 code units for UCS-2


def without_diacritics(text: str) -> str:
    """Vietnamese written without its marks ("Chào chị Lan" → "Chao chi Lan"), as SMS here commonly is."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D").translate(_PLAIN))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def measure(text: str) -> SmsText:
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        length = len(text) + sum(ch in GSM_EXTENDED for ch in text)
        return SmsText(text, GSM7, 1 if length <= 160 else -(-length // 153), length)
    length = len(text.encode("utf-16-le")) // 2  # an emoji is two code units
    return SmsText(text, UCS2, 1 if length <= 70 else -(-length // 67), length)


def fit_sms(text: str, ascii_only: bool, max_segments: int, template: str) -> SmsText:
    """The text as it will be sent; RenderError naming the template when it needs too many segments."""
    text = "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())
    measured = measure(without_diacritics(text) if ascii_only else text)
    if measured.segments > max_segments:
        size = both("sms_too_many_parts", length=measured.length, encoding=measured.encoding,
                    parts=measured.segments, limit=max_segments)  # fmt: skip
        raise RenderError(f"{template}: {size}")
    return measured
