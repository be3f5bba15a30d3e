"""Calls rows as staff leave them: a called row careloop cannot record is noted where it stands,
found by its own content, never by its row number alone."""

from datetime import date

from functions.adapters.sheets.placement import place
from functions.core.calls import calls_write, problem_note, read_calls, row_write
from functions.core.sheet_schema import CALLS
from functions.core.tables import Table

TODAY = date(2026, 11, 23)
HEADER = [c.title_vi for c in CALLS.columns]


def line(**cells):
    values = {c.key: "" for c in CALLS.columns} | {"called": False, "escalate": False} | cells
    return [values[c.key] for c in CALLS.columns]


def test_a_called_row_without_a_customer_id_is_noted_by_its_name_even_after_a_row_is_inserted_above():
    """Issue 21 (11)."""
    table = Table("Gọi điện", HEADER, [line(name="Vũ  Thị Hà", called=True, score="5"), line(called=True)])
    (named, nameless) = read_calls(table, TODAY)
    assert named.problems and named.customer_id == "" and "Mã KH ''" in problem_note(named, "vi")
    assert row_write(nameless, {"system_note": "x"}) is None  # no ID, no name: nothing to find it by
    change = calls_write([row_write(named, {"system_note": problem_note(named, "vi")})], "vi")
    # Staff inserted a row above it (no ID either) before the write: the note follows the row.
    now = [line(name="Khách mới"), line(name="Vũ Thị Hà", called=True, score="5")]
    columns = list(zip(*now, strict=True))
    placement = place(change, HEADER, lambda position: list(columns[position]))
    note_at = [c.key for c in CALLS.columns].index("system_note")
    assert [(row, column) for row, column, _ in placement.cells] == [(3, note_at)]
