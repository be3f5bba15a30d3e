"""Whatever staff type into careloop's newer tabs — Messages, Vouchers, Calls — one bad row never
stops a run: huge cells, control characters, formulas, made-up codes, scores out of range."""

from __future__ import annotations

from datetime import timedelta

from functions.core.sheet_schema import CALLS, MESSAGES, VOUCHERS
from functions.core.tables import Table
from functions.followup.job import run_followup
from tests.helpers import NINE_AM, TODAY
from tests.helpers.memory_store import MemoryStore
from tests.helpers.support import deps, memory_sheet, row

HOSTILE = ["x" * 50_000, '=HYPERLINK("http://evil")', "\x00\x1b[31m", "{{7*7}}", None, 12345, True, "☎️ {ten"]


def test_hostile_cells_in_the_new_tabs_are_noted_and_the_run_goes_on():
    sheet = memory_sheet([row("C-1", "Nguyễn Thị Lan", email="lan@example.com", birthday="23/11/1990"),
                          row("C-2", "Trần Văn Hùng", email="hung@example.com",
                              purchase=f"{TODAY - timedelta(days=7):%d/%m/%Y}")])  # fmt: skip
    broken = [[None, h, h, h, h, h, h, h] for h in HOSTILE]
    broken += [[None, "sinh nhật", "vi", "email", "S", h, True, None] for h in HOSTILE]
    sheet.tables["Mẫu tin nhắn"] = Table("Mẫu tin nhắn", [c.title_vi for c in MESSAGES.columns], broken)
    sheet.tables["Phiếu quà tặng"] = Table("Phiếu quà tặng", [c.title_vi for c in VOUCHERS.columns],
                                           [[h, h, h, h, h, h, h, h, h] for h in HOSTILE])  # fmt: skip
    sheet.tables["Gọi điện"] = Table("Gọi điện", [c.title_vi for c in CALLS.columns],
                                     [[h, h, h, h, h, h, h, h, h, h, h] for h in HOSTILE])  # fmt: skip
    store = MemoryStore()
    report = run_followup(deps(sheet, store, settings={"voucher_value": "giảm 15%"}), NINE_AM).report
    assert sorted(s["customer_id"] for s in report["sent"]) == ["C-1", "C-2"]  # built-in texts went out
    assert report["texts"]["invalid"]  # every broken Messages row is noted
    messages = sheet.tables["Mẫu tin nhắn"]
    at = messages.header.index("Ghi chú hệ thống")
    notes = [r[at] for r in messages.rows if len(r) > at and r[at]]
    assert notes and all(len(n) < 2000 for n in notes)  # a 50,000-character cell is never echoed whole


def test_hostile_calls_never_stop_the_escalation_run():
    from datetime import datetime

    from tests.helpers import VN
    from tests.helpers.support import escalation_book, escalation_deps

    sheet = escalation_book([["C-1", "Nguyễn Thị Lan", "lan@example.com", False, "", "", "", ""]])
    rows = [[h, h, h, h, h, True, h, h, h, True, h] for h in HOSTILE]
    rows.append(["C-1", "Lan", "+84912345601", "x", "23/11/2026", True, "maybe", "7", "=1+1", "yes", ""])
    sheet.tables["Gọi điện"] = Table("Gọi điện", [c.title_vi for c in CALLS.columns], rows)
    from functions.escalate.job import run_escalate

    store = MemoryStore()
    result = run_escalate(escalation_deps(sheet, store), datetime(2026, 11, 23, 9, 0, tzinfo=VN))
    # The one real row has an outcome "maybe" and a score "7": noted for staff, kept, not recorded.
    assert result["calls"]["recorded"] == [] and result["opened"] == []
    notes = [p["message"] for p in result["problems"] if p.get("customer_id") == "C-1"]
    assert len(notes) == 1 and "Kết quả 'maybe'" in notes[0] and "Điểm nghe được '7'" in notes[0]
    assert store.surveys.surveys(datetime(2000, 1, 1, tzinfo=VN)) == []  # "7" is no score heard
    assert all(len(k) < 200 for k in result["calls"]["recorded"])
