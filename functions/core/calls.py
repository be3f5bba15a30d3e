"""The care-call list (pure): the `Gọi điện` (Calls) tab — who to call and why, and what staff
heard. The follow-up run lists the calls due (check-ins of customers cared for by phone or with no
channel to write to, low scores whose case wants a call, VIPs with an occasion today) and carries
uncalled rows over with their age; the escalation run records each ticked call once: its score as
a CSAT answer (channel phone), a case when Escalate is ticked, the customer's Last contact.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from functions.core import values
from functions.core.i18n import say
from functions.core.ids import derived_id
from functions.core.sheet_schema import CALLS, locate_columns
from functions.core.tables import Link, RowWrite, Table, TabWrite, day_figure, row_cells
from functions.core.text import cell_text, fold, shorten

OUTCOMES = {  # the Outcome dropdown, vi and en, as careloop names each outcome
    "reached": ("liên lạc được", "reached"),
    "no_answer": ("không nghe máy", "no answer"),
    "wrong_number": ("sai số", "wrong number"),
    "call_back": ("gọi lại sau", "call back"),
}
_OUTCOME_WORDS = {fold(word): code for code, words in OUTCOMES.items() for word in words}
REASONS = ("call_checkin", "call_low_score", "call_vip")  # i18n codes of the Reason column
ID_LIMIT = 64  # careloop's customer IDs are short; a longer cell is not one of them
CALLS_SURVEY_DAYS = 1  # the survey a call's score is kept in: answered on the phone, never by a link


class CallTask(NamedTuple):
    customer_id: str
    name: str
    phone: str
    reason: str  # one of REASONS
    due: date

    @property
    def key(self) -> str:
        return call_key(self.customer_id, self.due)


def call_key(customer_id: str, due: date | None) -> str:
    """A call's ledger key: one call per customer and due day."""
    return f"call/{customer_id}/{due.isoformat() if due else 'undated'}"


class CallRow(NamedTuple):
    row: int
    customer_id: str
    name: str
    due: date | None
    called: bool
    outcome: str | None  # a key of OUTCOMES
    score: int | None
    note: str
    escalate: bool
    system_note: str
    language: str = "vi"
    problems: tuple[tuple[str, dict[str, str]], ...] = ()  # (i18n code, params): cells staff must fix first

    @property
    def key(self) -> str:
        return call_key(self.customer_id, self.due)

    @property
    def survey_id(self) -> str:
        return derived_id("SV-", f"{self.customer_id}|{self.key}", 12)


def outcome_titles(language: str) -> list[str]:
    return [words[1] if language == "en" else words[0] for words in OUTCOMES.values()]


def read_calls(table: Table | None, today: date) -> list[CallRow]:
    """Every listed call. A called row with a cell that cannot be read (no customer ID, a score that
    is not 1–5, an outcome not on the list) carries its problems: it is noted, never recorded."""
    if table is None:
        return []
    columns = locate_columns(CALLS, table.header)
    rows = []
    for index, raw in enumerate(table.rows):
        cells = row_cells(raw, columns)
        customer_id = cell_text(cells.get("customer_id"))
        called = values.tick_or(cells.get("called"), False)
        problems: list[tuple[str, dict[str, str]]] = []
        if not customer_id or len(customer_id) > ID_LIMIT or not customer_id.isprintable():
            if not called:
                continue  # not a call careloop listed, and nothing to record
            problems.append(no_customer(customer_id))
            customer_id = ""  # never a key a store would refuse, never a place to write by
        outcome_text, score_text = cell_text(cells.get("outcome")), cell_text(cells.get("score"))
        outcome = _OUTCOME_WORDS.get(fold(outcome_text))
        if outcome_text and outcome is None:
            problems.append(("call_outcome_unreadable", {"value": shorten(outcome_text, 40)}))
        score = _score(score_text)
        if score_text and score is None:
            problems.append(("call_score_unreadable", {"value": shorten(score_text, 40)}))
        rows.append(
            CallRow(
                Table.row_number(index),
                customer_id,
                " ".join(cell_text(cells.get("name")).split()),
                _day(cells.get("due"), today),
                called,
                outcome,
                score,
                cell_text(cells.get("note"))[:1000],
                values.tick_or(cells.get("escalate"), False),
                cell_text(cells.get("system_note")),
                problems=tuple(problems),
            )
        )
    return rows


def no_customer(customer_id: str) -> tuple[str, dict[str, str]]:
    """The problem of a called row whose `Mã KH` is no customer careloop can record a call for."""
    return "call_no_customer", {"value": shorten(customer_id, 40)}


def problem_note(row: CallRow, language: str) -> str:
    """Why a called row was not recorded, for its System note: staff fix the cells and it is."""
    return say("call_not_recorded", language, why="; ".join(say(code, language, **p) for code, p in row.problems))


def row_write(row: CallRow, values: Mapping[str, Any]) -> RowWrite | None:
    """A write to a Calls row: found by its customer ID; a row without one by its own name (never
    by its number alone: a row staff insert above it must not receive the write), or not at all."""
    if row.customer_id:
        return RowWrite(row.row, row.customer_id, values)
    return RowWrite(row.row, None, values, name=row.name) if row.name else None


def calls_write(writes: Iterable[RowWrite | None], language: str) -> TabWrite:
    return TabWrite(CALLS, CALLS.column("customer_id"), [w for w in writes if w is not None], language,
                    CALLS.column("name"))  # fmt: skip


def _day(value: Any, today: date) -> date | None:
    try:
        return values.read_date(value, "DMY", today) if cell_text(value) else None
    except values.CellError:
        return None


def _score(text: str) -> int | None:
    return int(text) if text in ("1", "2", "3", "4", "5") else None


def call_list_writes(
    tasks: Sequence[CallTask],
    rows: Sequence[CallRow],
    recorded: Iterable[str],
    today: date,
    language: str,
    dial: Mapping[str, str] | None = None,
) -> TabWrite:
    """The Calls tab after a follow-up run: a row for each new call due, the uncalled ones kept with
    their age, and the rows already recorded emptied (their row is free for the next call).
    `dial`: a call's key → the https address that opens the dialer (Google Sheets links no tel:)."""
    dial = dial or {}
    done = set(recorded)
    writes: list[RowWrite] = []
    for row in rows:
        if not row.customer_id:
            continue  # a row staff typed without an ID: the escalation run notes it by its name
        if row.key in done:  # recorded by the escalation run: its place goes to the next call
            writes.append(RowWrite(row.row, row.customer_id, dict.fromkeys(
                ("customer_id", "name", "phone", "reason", "due", "outcome", "score", "note", "system_note"), "")
                | {"called": False, "escalate": False}))  # fmt: skip
        elif not row.called and row.due is not None and row.due < today:
            note = say("call_waiting", language, days=(today - row.due).days)
            if note != row.system_note:
                writes.append(RowWrite(row.row, row.customer_id, {"system_note": note}))
    for task in new_calls(tasks, rows, done):
        phone = Link(task.phone, f"tel:{task.phone}", dial.get(task.key, ""))
        writes.append(RowWrite(0, task.customer_id, {
            "customer_id": task.customer_id, "name": task.name, "phone": phone,
            "reason": say(task.reason, language), "due": day_figure(task.due), "called": False, "escalate": False,
            "system_note": "",
        }, append=True))  # fmt: skip
    return calls_write(writes, language)


def new_calls(tasks: Sequence[CallTask], rows: Sequence[CallRow], recorded: Collection[str]) -> list[CallTask]:
    """The calls due that get a row of their own: not made already, and the customer's listed call
    (if any) recorded, so its row is freed."""
    listed = {r.customer_id: r for r in rows}
    return [t for t in tasks if t.key not in recorded
            and not (t.customer_id in listed and listed[t.customer_id].key not in recorded)]  # fmt: skip


def to_record(rows: Sequence[CallRow], already: Mapping[str, str]) -> list[CallRow]:
    """Calls staff ticked as made that the ledger has not recorded yet (`already`: key → state);
    a row with a problem is not, until staff fix it."""
    return [r for r in rows if r.called and not r.problems and r.key not in already]


def recorded_note(at: datetime, language: str) -> str:
    return say("call_recorded", language, at=f"{at:%d/%m %H:%M}")


def call_issue(row: CallRow, language: str) -> str:
    """What a case opened from a call says: staff's note, else the call's outcome."""
    outcome = say(f"call_outcome_{row.outcome}", language) if row.outcome else ""
    return shorten(row.note, 500) if row.note else say("call_case_issue", language, outcome=outcome or "–")
