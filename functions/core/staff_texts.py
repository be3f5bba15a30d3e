"""Message texts staff write (pure): plain text with named placeholders — `{xung_ho} {ten}` — read
from the Messages tab, checked, and filled in. Text is data, never code: a placeholder is looked up
and substituted, nothing is evaluated, and a text that cannot be used as written is reported on its
row while the built-in text goes out instead.

The built-in texts (templates/messages/texts.toml) are written the same way and go through the
same checks, so staff start from exactly what customers receive today.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType
from typing import NamedTuple

from functions.core.channel_specs import EMAIL_FORM, TEXT_FORM
from functions.core.i18n import say
from functions.core.names import given_name
from functions.core.text import fold

BIRTHDAY, CHECKIN, CASE_SURVEY = "birthday", "checkin", "case_survey"
EDITABLE_KINDS = (BIRTHDAY, CHECKIN, CASE_SURVEY)  # what customers receive; owner notices stay templates
# The built-in text of an occasion staff added to the Care plan ("dip-…") until they write its own.
OCCASION = "occasion"

# Each placeholder: its key, then how staff may spell it (Vietnamese first, then English).
SPELLINGS: dict[str, tuple[str, ...]] = {
    "given_name": ("ten", "name"),
    "salutation": ("xung_ho", "salutation"),
    "full_name": ("ho_ten", "full_name"),
    "greeting": ("ten_goi", "greeting"),
    "business": ("ten_doanh_nghiep", "business"),
    "purchase_date": ("ngay_mua", "purchase_date"),
    "occasion": ("dip", "occasion"),
    "occasion_date": ("ngay", "date"),
    "voucher_code": ("ma_qua_tang", "voucher_code"),
    "voucher_value": ("gia_tri_qua", "voucher_value"),
    "valid_until": ("han_dung", "valid_until"),
    "survey_link": ("link_khao_sat", "survey_link"),
    "case_id": ("ma_ho_so", "case_id"),
    "opt_out_link": ("link_tu_choi", "unsubscribe_link"),
}
PLACEHOLDERS = {spelling: key for key, spellings in SPELLINGS.items() for spelling in spellings}
COMMON = frozenset({"given_name", "salutation", "full_name", "greeting", "business", "opt_out_link"})
VOUCHER = frozenset({"voucher_code", "voucher_value", "valid_until"})
OCCASION_VALUES = frozenset({"occasion", "occasion_date"})
ALLOWED = {  # the placeholders each kind has values for (any other is an occasion of the care plan), and
    # an occasion's survey link and voucher where the care plan ticks them (TextRules.allowed)
    BIRTHDAY: COMMON | OCCASION_VALUES,
    CHECKIN: COMMON | OCCASION_VALUES | {"purchase_date"},
    CASE_SURVEY: COMMON | {"case_id", "survey_link"},
    OCCASION: COMMON | OCCASION_VALUES | VOUCHER | {"survey_link"},  # the built-in text serves every occasion
}


def allowed(kind: str) -> frozenset[str]:
    return ALLOWED.get(kind) or COMMON | OCCASION_VALUES


# A line holding one of these is left out when the message has no value for it (no survey offered
# this time, no voucher), so staff write it once and it appears only when it applies.
OPTIONAL = frozenset({"survey_link", "opt_out_link"}) | VOUCHER

_BRACES = re.compile(r"\{+[^{}\n]*\}+|[{}]+")  # "{{7*7}}" is one mistake, not three
_NAME = re.compile(r"[a-z_]+")
SURVEY_MARK = "\x00survey\x00"  # where the five survey buttons go in an email's HTML
# Around a value filled in from a customer's row (a name, a date, a code): a URL typed into a name
# must never become a live link in the business's email. Links come only from what staff wrote.
FENCE_OPEN, FENCE_CLOSE = "\x01", "\x02"
CUSTOMER_VALUES = frozenset(SPELLINGS) - {"survey_link", "opt_out_link"}  # the links careloop makes itself


class Placeholder(NamedTuple):
    key: str
    capital: bool = False  # typed with a capital ({Ten_goi}): the value starts a sentence


Piece = str | Placeholder
Line = tuple[Piece, ...]


class TextProblem(NamedTuple):
    code: str  # an i18n message code
    params: Mapping[str, object] = MappingProxyType({})


class ParsedText(NamedTuple):
    lines: tuple[Line, ...]
    problems: tuple[TextProblem, ...] = ()

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(p.key for line in self.lines for p in line if isinstance(p, Placeholder))


def parse(text: str) -> ParsedText:
    """Lines of literal text and placeholders; a brace that is not a known `{name}` is a problem,
    quoted as staff typed it ("{{7*7}}", "{ten", "{ho ten}")."""
    lines: list[Line] = []
    problems: list[TextProblem] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        pieces: list[Piece] = []
        at = 0
        for match in _BRACES.finditer(raw):
            pieces.append(raw[at : match.start()])
            at = match.end()
            token = match.group()
            inner = token[1:-1] if token.startswith("{") and token.endswith("}") else ""
            name = fold(inner.strip()).replace(" ", "_")
            if "{" in inner or "}" in inner or not _NAME.fullmatch(name):
                shown = token if inner else _around(raw, match.start(), match.end())
                problems.append(TextProblem("text_brace", {"text": shown[:30]}))
            elif name not in PLACEHOLDERS:
                problems.append(TextProblem("text_unknown_placeholder", {"placeholder": token}))
            else:
                pieces.append(Placeholder(PLACEHOLDERS[name], token[1].isupper()))
        pieces.append(raw[at:])
        lines.append(tuple(p for p in pieces if p != ""))
    unique = [p for i, p in enumerate(problems) if p not in problems[:i]]  # "{ten" twice is said once
    return ParsedText(tuple(lines), tuple(unique))


def _around(line: str, start: int, end: int) -> str:
    """A lone brace with the word it sits in, for the note: "{ten,", "giá}"."""
    before = re.search(r"\S*$", line[:start])
    after = re.match(r"\S*", line[end:])
    return (before.group() if before else "") + line[start:end] + (after.group() if after else "")


def fill(text: ParsedText, values: Mapping[str, str | None], fenced: frozenset[str] = frozenset()) -> str:
    """The text with its placeholders filled in. A line whose optional placeholder has no value this
    time is left out; blank lines are kept (they separate paragraphs), runs of spaces are not.
    The values of `fenced` keys are wrapped in FENCE marks, so `blocks` never makes a link of them."""
    out: list[str] = []
    for line in text.lines:
        if any(isinstance(p, Placeholder) and values.get(p.key) is None and p.key in OPTIONAL for p in line):
            continue
        filled = "".join(p if isinstance(p, str) else _fenced(p, values, fenced) for p in line)
        out.append(re.sub(r"(?<=\S) {2,}(?=\S)", " ", filled).strip())
    text_out = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text_out).strip()


def _fenced(placeholder: Placeholder, values: Mapping[str, str | None], fenced: frozenset[str]) -> str:
    value = _value(placeholder, values)
    if placeholder.key not in fenced:
        return value
    return FENCE_OPEN + value.replace(FENCE_OPEN, "").replace(FENCE_CLOSE, "") + FENCE_CLOSE


def _value(placeholder: Placeholder, values: Mapping[str, str | None]) -> str:
    value = values.get(placeholder.key) or ""
    return value[:1].upper() + value[1:] if placeholder.capital else value


class TextRules(NamedTuple):
    """What a kind's text must hold, from the deployment's settings and the care plan."""

    surveys: bool = True  # surveys are on: the surveyed kinds' texts need the survey link
    vouchers: bool = False  # vouchers are on: the vouchered kinds' texts need its code
    promotional: frozenset[str] = frozenset()  # kinds sent as advertising: a short text needs the opt-out link
    surveyed: frozenset[str] = frozenset({CHECKIN})  # occasions that carry the survey (the care plan's ticks)
    vouchered: frozenset[str] = frozenset({BIRTHDAY})  # occasions that carry a voucher

    def allowed(self, kind: str) -> frozenset[str]:
        """The placeholders a kind's text may use: a voucher's and the survey link where the occasion carries one."""
        return (allowed(kind) | (VOUCHER if kind in self.vouchered else frozenset())
                | ({"survey_link"} if kind in self.surveyed else frozenset()))  # fmt: skip

    def required(self, kind: str, form: str) -> frozenset[str]:
        needed = set()
        if kind == CASE_SURVEY or (kind in self.surveyed and self.surveys):
            needed.add("survey_link")
        if kind in self.vouchered and self.vouchers:
            needed.add("voucher_code")
        if form == TEXT_FORM and kind in self.promotional:
            needed.add("opt_out_link")
        return frozenset(needed)


def check(kind: str, form: str, subject: ParsedText | None, body: ParsedText, rules: TextRules) -> list[TextProblem]:
    """Why a text for a channel of this message form cannot be sent as written; empty when it can."""
    problems = list(body.problems) + (list(subject.problems) if subject else [])
    if not any(piece for line in body.lines for piece in line if not isinstance(piece, str) or piece.strip()):
        problems.append(TextProblem("text_empty"))
    elif not _keeps_words(body, kind, form, rules):
        problems.append(TextProblem("text_can_be_empty"))
    if form == EMAIL_FORM and (subject is None or not subject.lines or not any(subject.lines[0])):
        problems.append(TextProblem("text_no_subject"))
    used = body.keys | (subject.keys if subject else frozenset())
    for key in sorted(used - rules.allowed(kind)):
        problems.append(TextProblem("text_placeholder_not_here", {"placeholder": "{" + SPELLINGS[key][0] + "}"}))
    for key in sorted(rules.required(kind, form) - body.keys):
        problems.append(TextProblem("text_placeholder_needed", {"placeholder": "{" + SPELLINGS[key][0] + "}"}))
    return problems


# Placeholders whose value every customer of a kind has (the name is required on the row).
ALWAYS = frozenset(
    {"given_name", "full_name", "greeting", "business", "purchase_date", "case_id", "occasion", "occasion_date"}
)


def _keeps_words(body: ParsedText, kind: str, form: str, rules: TextRules) -> bool:
    """Whether the text keeps words for every customer of its kind: with each line left out whose
    value some customer lacks (no survey this time, no voucher), some words must remain besides
    careloop's own unsubscribe footer (an opt-out link on a line of its own is no words)."""
    present = (
        frozenset() if kind in rules.surveyed else rules.required(kind, form)
    )  # a survey is throttled: may be absent
    if "voucher_code" in present:
        present |= VOUCHER  # vouchers on: every birthday wish carries one
    if form == EMAIL_FORM:
        present |= {"opt_out_link"}  # every email carries its opt-out link
    for line in body.lines:
        keys = {p.key for p in line if isinstance(p, Placeholder)}
        if keys & (OPTIONAL - present):
            continue  # left out for a customer without that value
        if keys & (ALWAYS & allowed(kind)) or any(isinstance(p, str) and _WORD.search(p) for p in line):
            return True
    return False


_WORD = re.compile(r"\w")


# ---- email HTML built from the text --------------------------------------------------------

LINK = re.compile(r"https?://[^\s<>\"]+")


class Block(NamedTuple):
    """A piece of an email body: a paragraph (lines of text and links) or the survey buttons."""

    kind: str  # "paragraph" or "survey"
    lines: tuple[tuple[tuple[str, str], ...], ...] = ()  # each line: ("text" | "link", content) segments


def blocks(filled: str) -> list[Block]:
    """Paragraphs at blank lines, line breaks kept, links made links; the survey mark (where
    `{link_khao_sat}` stood) becomes the five buttons."""
    out: list[Block] = []
    for paragraph in re.split(r"\n\s*\n", filled):
        lines: list[tuple[tuple[str, str], ...]] = []
        for line in paragraph.split("\n"):
            parts = line.split(SURVEY_MARK)
            for index, part in enumerate(parts):
                if index:  # a survey mark stood here: close the paragraph, put the buttons
                    if lines:
                        out.append(Block("paragraph", tuple(lines)))
                        lines = []
                    out.append(Block("survey"))
                if part.strip():
                    lines.append(_segments(part.strip()))
        if lines:
            out.append(Block("paragraph", tuple(lines)))
    return out


def _segments(line: str) -> tuple[tuple[str, str], ...]:
    """Text and links; a fenced value is text whatever it holds, and a link stops where one begins."""
    segments: list[tuple[str, str]] = []
    for index, piece in enumerate(re.split(f"[{FENCE_OPEN}{FENCE_CLOSE}]", line)):
        if index % 2:  # inside a fence
            segments.append(("text", piece))
            continue
        at = 0
        for match in LINK.finditer(piece):
            url = match.group().rstrip(".,;:!?)")
            if match.start() > at:
                segments.append(("text", piece[at : match.start()]))
            segments.append(("link", url))
            at = match.start() + len(url)
        segments.append(("text", piece[at:]))
    merged: list[tuple[str, str]] = []
    for kind, content in segments:
        if kind == "text" and merged and merged[-1][0] == "text":
            merged[-1] = ("text", merged[-1][1] + content)
        elif content:
            merged.append((kind, content))
    return tuple(merged)


def values_for(
    full_name: str,
    greeting: str,
    salutation: str,
    business: str,
    purchase_date: date | None = None,
    case_id: str | None = None,
    occasion: str | None = None,
    occasion_date: str | None = None,
) -> dict[str, str | None]:
    """A message's placeholders about its customer and occasion (links and voucher come per channel)."""
    return {
        "occasion": occasion,
        "occasion_date": occasion_date,
        "given_name": given_name(full_name),
        "salutation": salutation,
        "full_name": " ".join(full_name.split()),
        "greeting": greeting,
        "business": business,
        "purchase_date": f"{purchase_date:%d/%m/%Y}" if purchase_date else None,
        "case_id": case_id,
    }


def placeholder_table(language: str) -> list[tuple[str, str]]:
    """(placeholder as staff type it, what it becomes), for the tab's header note and the README."""
    return [("{" + "} / {".join(SPELLINGS[key]) + "}", say(f"placeholder_{key}", language)) for key in SPELLINGS]


def spelled(keys: Iterable[str]) -> str:
    return ", ".join("{" + SPELLINGS[k][0] + "}" for k in keys)
