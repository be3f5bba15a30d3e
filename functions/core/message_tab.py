"""The Messages tab (`Mẫu tin nhắn`) read into the texts a run uses (pure): each row's kind,
language and channel, its subject and text checked (placeholders, required ones, a text's size), and
a System note for every row that cannot be used — the built-in text goes out instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from functions.core.care_plan import builtin_kind
from functions.core.channel_specs import EMAIL_FORM, TEXT_FORM, ChannelBook
from functions.core.errors import RenderError
from functions.core.i18n import say
from functions.core.occasions import Occasion
from functions.core.sheet_schema import MESSAGES, locate_columns
from functions.core.staff_texts import (
    EDITABLE_KINDS,
    OCCASION,
    VOUCHER,
    ParsedText,
    TextProblem,
    TextRules,
    check,
    fill,
    parse,
)
from functions.core.tables import RowWrite, Table, TabWrite, row_cells
from functions.core.text import cell_text, fold, typed
from functions.core.values import tick_or

TextKey = tuple[str, str, str]  # (kind, language, channel)
SUBJECT_LIMIT = 150  # characters of an email subject as staff type it

CASE_SURVEY_WORDS = ("case_survey", "case survey", "khao sat sau xu ly", "khao sat ho so")
KIND_LABELS = {  # as setup-sheet writes them, in the staff language
    "vi": {"birthday": "sinh nhật", "checkin": "hỏi thăm", "case_survey": "khảo sát sau xử lý"},
    "en": {"birthday": "birthday", "checkin": "checkin", "case_survey": "case_survey"},
}
LANGUAGE_WORDS = {"vi": "vi", "tieng viet": "vi", "en": "en", "english": "en", "tieng anh": "en"}


class Text(NamedTuple):
    kind: str
    language: str
    channel: str
    subject: ParsedText | None
    body: ParsedText
    row: int | None = None  # its row in the Messages tab; None: built in

    def source(self, language: str) -> str:
        """Where the words come from, for previews and reports."""
        if self.row is None:
            return f"{say('text_builtin', language)} (texts.toml [{self.kind}.{self.language}.{self.channel}])"
        return say("text_from_row", language, tab=MESSAGES.title(language), row=self.row)


class TextBook(NamedTuple):
    """The texts a run sends: staff's where their row is usable, else the built-in ones."""

    builtin: Mapping[TextKey, Text]
    staff: Mapping[TextKey, Text] = MappingProxyType({})

    def has_channel(self, channel: str) -> bool:
        return any(key[2] == channel for key in self.builtin)

    def pick(self, kind: str, language: str, channel: str) -> Text:
        key = (kind, language, channel)
        return self.staff.get(key) or self._builtin(kind, language, channel)

    def _builtin(self, kind: str, language: str, channel: str) -> Text:
        """The built-in text; an occasion staff added to the care plan has the occasions' plain one."""
        for key in ((kind, language, channel), (kind, "vi", channel), (OCCASION, language, channel)):
            if key in self.builtin:
                return self.builtin[key]
        return self.builtin[(OCCASION, "vi", channel)]

    def pick_saying(self, kind: str, language: str, channel: str, values: Mapping[str, str | None]) -> Text:
        """Staff's text, or the built-in one when staff's says nothing with these values (each of its
        lines needs one this message lacks: a voucher line, to a customer who did not consent)."""
        text = self.pick(kind, language, channel)
        return self.builtin_for(text) if text.row is not None and not fill(text.body, values) else text

    def builtin_for(self, text: Text) -> Text:
        return self._builtin(text.kind, text.language, text.channel)


def builtin_book(texts: Mapping[TextKey, tuple[str | None, str]]) -> TextBook:
    return TextBook({key: _text(key, subject, body) for key, (subject, body) in texts.items()})


def _text(key: TextKey, subject: str | None, body: str, row: int | None = None) -> Text:
    return Text(*key, parse(subject) if subject is not None else None, parse(body), row)


class TextChecks(NamedTuple):
    """How a row is checked: what its kind must hold, and how a sample of it fits its channel."""

    rules: TextRules
    sample: Mapping[str, str | None]  # placeholder key → a realistic value (links as long as real ones)
    channels: ChannelBook  # each channel's form, the words staff type for it, and a text-form one's fit
    kinds: Mapping[str, str] = MappingProxyType({})  # the care plan's occasions: name (folded) → kind


class MessageTab(NamedTuple):
    book: TextBook
    writes: list[RowWrite]  # each row's ID and System note, where they change
    invalid: list[tuple[int, str]]  # (row, why) for check and reports
    kinds: frozenset[str] = frozenset()  # the kinds the tab has a row for, used or not
    names: Mapping[str, str] = MappingProxyType({})  # the care plan's occasions: name (folded) → kind


def read_message_tab(table: Table | None, builtin: TextBook, checks: TextChecks, language: str) -> MessageTab:
    """Every row checked; the first usable active row of each kind, language and channel wins."""
    if table is None:
        return MessageTab(builtin, [], [])
    writes: list[RowWrite] = []
    invalid: list[tuple[int, str]] = []
    columns = locate_columns(MESSAGES, table.header)
    staff: dict[TextKey, Text] = {}
    editable = _editable_words(checks.channels)
    kinds: set[str] = set()
    for index, raw in enumerate(table.rows):
        cells = row_cells(raw, columns)
        if not any(typed(cells.get(k)) for k in ("kind", "language", "channel", "subject", "text")):
            continue
        number = Table.row_number(index)
        if kind := _kind(cells, checks.kinds):
            kinds.add(kind)
        key, problems = _row(cells, checks, editable)
        note = _note(problems, language)
        if key is not None and not problems:
            if not tick_or(cells.get("active"), True):  # blank: a row staff just added is meant
                note = say("text_inactive", language)
            elif key in staff:
                note = say("text_duplicate", language, row=staff[key].row)
            else:
                staff[key] = _text(key, cell_text(cells.get("subject")) or None, cell_text(cells.get("text")), number)
        if problems:
            invalid.append((number, note))
        writes += _row_write(number, cells, key, note)
    return MessageTab(TextBook(builtin.builtin, staff), writes, invalid, frozenset(kinds), checks.kinds)


def _editable_words(channels: ChannelBook) -> dict[str, str]:
    """What staff may type in the tab's Channel column (folded) → a channel whose texts they write."""
    return {word: name for word, name in channels.words().items() if name in channels.editable()}


def _kind(cells: Mapping[str, Any], occasions: Mapping[str, str]) -> str | None:
    """The row's kind: one careloop has always sent, or an occasion of the care plan by its name."""
    word = fold(cell_text(cells.get("kind")))
    return occasions.get(word) or builtin_kind(word) or ("case_survey" if word in CASE_SURVEY_WORDS else None)


def _key(cells: Mapping[str, Any], channels: Mapping[str, str], occasions: Mapping[str, str]) -> TextKey | None:
    """The row's kind, language and channel in careloop's words; None when one is not one careloop knows."""
    kind = _kind(cells, occasions)
    language = LANGUAGE_WORDS.get(fold(cell_text(cells.get("language"))))
    channel = channels.get(fold(cell_text(cells.get("channel"))))
    return (kind, language, channel) if kind and language and channel else None


def _row(
    cells: Mapping[str, Any], checks: TextChecks, editable: Mapping[str, str]
) -> tuple[TextKey | None, list[TextProblem]]:
    key = _key(cells, editable, checks.kinds)
    if key is None:
        kinds = [*EDITABLE_KINDS, *(name for name, kind in checks.kinds.items() if kind not in EDITABLE_KINDS)]
        return None, [TextProblem("text_row_unknown", {"kinds": ", ".join(kinds),
                                                      "channels": ", ".join(checks.channels.editable())})]  # fmt: skip
    kind, language, channel = key
    form = checks.channels.form(channel)
    subject_text = cell_text(cells.get("subject"))
    subject = parse(subject_text) if form == EMAIL_FORM else None
    body = parse(cell_text(cells.get("text")))
    problems = check(kind, form, subject, body, checks.rules)
    if subject is not None and len(subject_text) > SUBJECT_LIMIT:  # mail programs cut it; spam filters frown
        problems.append(TextProblem("text_subject_too_long", {"limit": SUBJECT_LIMIT, "length": len(subject_text)}))
    if form == TEXT_FORM and not problems:
        try:
            checks.channels.fitted(
                channel, fill(body, checks.sample), f"{MESSAGES.title_vi} ({kind}/{language}/{channel})"
            )
        except RenderError as error:
            problems.append(TextProblem("text_too_long", {"channel": checks.channels.spec(channel).shown,
                                                          "error": str(error).split(": ", 1)[-1]}))  # fmt: skip
    return key, problems


def _note(problems: list[TextProblem], language: str) -> str:
    if not problems:
        return ""
    reasons = "; ".join(say(p.code, language, **p.params) for p in problems)
    return say("text_not_used", language, reasons=reasons)


def _row_write(number: int, cells: Mapping[str, Any], key: TextKey | None, note: str) -> list[RowWrite]:
    """The row's ID (its kind/language/channel, so a sorted tab keeps its notes straight) and note."""
    read_id = cell_text(cells.get("template_id")) or None
    wanted: dict[str, Any] = {}
    if key is not None and read_id != "/".join(key):
        wanted["template_id"] = "/".join(key)
    if note != cell_text(cells.get("system_note")):
        wanted["system_note"] = note
    if not wanted:
        return []
    name = " ".join(cell_text(cells.get("kind")).split()) if read_id is None else None
    return [RowWrite(number, read_id, wanted, name=name)]


def message_tab_write(writes: list[RowWrite], language: str) -> TabWrite:
    return TabWrite(MESSAGES, MESSAGES.column("template_id"), writes, language, MESSAGES.column("kind"))


def seed_rows(builtin: Mapping[TextKey, tuple[str | None, str]], language: str) -> list[list[Any]]:
    """The Messages tab's first rows, in its column order: every built-in text, ready to edit."""
    labels = KIND_LABELS.get(language, KIND_LABELS["vi"])
    order = [c.key for c in MESSAGES.columns]
    rows = []
    for kind in EDITABLE_KINDS:
        for text_language in ("vi", "en"):
            for channel in dict.fromkeys(c for k, t, c in builtin if (k, t) == (kind, text_language)):
                subject, body = builtin[(kind, text_language, channel)]
                values = {"template_id": f"{kind}/{text_language}/{channel}", "kind": labels[kind],
                          "language": text_language, "channel": channel, "subject": subject or "", "text": body,
                          "active": True, "test": False, "system_note": ""}  # fmt: skip
                rows.append([values[k] for k in order])
    return rows


def starter_text_rows(
    occasions: Sequence[Occasion],
    tab: MessageTab,
    builtin: Mapping[TextKey, tuple[str | None, str]],
    language: str,
    channels: Sequence[str],
) -> list[RowWrite]:
    """A row to start from, per channel, for each occasion of the care plan that has no row in the tab yet
    (in any language, used or not; the kinds the tab starts with have theirs): its built-in text, or the
    occasions' plain one, staff's to edit. Found by its Template ID when written, so two runs never add
    it twice."""
    rows = []
    for occasion in occasions:
        if occasion.kind in EDITABLE_KINDS or occasion.kind in tab.kinds:
            continue
        for channel in channels:
            found = next((builtin[key] for key in ((occasion.kind, language, channel), (OCCASION, language, channel),
                                                   (OCCASION, "vi", channel)) if key in builtin), None)  # fmt: skip
            if found is None:
                continue
            subject, body = found[0], _lines_that_apply(found[1], occasion)
            row_id = f"{occasion.kind}/{language}/{channel}"
            rows.append(RowWrite(0, row_id, {"template_id": row_id, "kind": occasion.name, "language": language,
                                             "channel": channel, "subject": subject or "", "text": body,
                                             "active": True, "test": False}, append=True))  # fmt: skip
    return rows


def _lines_that_apply(text: str, occasion: Occasion) -> str:
    """A starter text without the lines of what the occasion does not carry (a survey, a voucher), so the
    row careloop adds is one staff could have written."""
    dropped = (set() if occasion.survey else {"survey_link"}) | (set() if occasion.voucher else set(VOUCHER))
    lines = [line for line in text.split("\n") if not parse(line).keys & dropped]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class TrialRequest(NamedTuple):
    """A Messages row ticked 'Gửi thử' (Send test): its text, to go to the managers filled with a sample."""

    row: int
    row_id: str | None  # its Template ID as read (rows are found by it, or by place and kind)
    name: str | None
    text: Text | None  # None: the row names no kind, language and channel careloop knows
    digest: str  # of what would be sent: the same words ticked twice within the hour go once


def trial_requests(
    table: Table | None, channels: ChannelBook, occasions: Mapping[str, str] = MappingProxyType({})
) -> list[TrialRequest]:
    """The rows of the Messages tab whose Send test box is ticked."""
    from functions.core.ids import digest_hex

    if table is None:
        return []
    columns = locate_columns(MESSAGES, table.header, require=False)
    if "test" not in columns:
        return []
    editable = _editable_words(channels)
    found = []
    for index, raw in enumerate(table.rows):
        cells = row_cells(raw, columns)
        if not tick_or(cells.get("test"), False):
            continue
        key, number = _key(cells, editable, occasions), Table.row_number(index)
        subject = cell_text(cells.get("subject"))
        text = None
        if key is not None:
            by_email = channels.form(key[2]) == EMAIL_FORM
            text = _text(key, subject or None if by_email else None, cell_text(cells.get("text")), number)
        read_id = cell_text(cells.get("template_id")) or None
        name = " ".join(cell_text(cells.get("kind")).split()) if read_id is None else None
        words = "\x1f".join(cell_text(cells.get(k)) for k in ("kind", "language", "channel", "subject", "text"))
        found.append(TrialRequest(number, read_id, name, text, digest_hex(words, 12)))
    return found
