"""Issue 26, done when: a customer with a sent check-in, a flagged complaint (with its text) and a
case. `careloop export` shows all three; after `Xóa dữ liệu` and one escalation run, neither the
SQLite store file (with its WAL) nor any cell of the workbook holds their email, phone or complaint
text, the Dashboard's counts are unchanged, and a later run sends them nothing — not even when staff
type the same address in again."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from tests.helpers.cli import careloop
from tests.helpers.support import HEADER, local_settings, row, set_cell, workbook_with_owners
from tests.helpers.words import piece

EMAIL, PHONE, TYPED = "lan.nguyen@example.com", "+84912345678", "0912 345 678"
COMPLAINT = "Sản phẩm bị lỗi, tôi rất bực mình vì chờ mãi"
COLUMNS = [*HEADER, "Leo thang", "Loại vấn đề", "Nội dung"]


def _workbook(tmp_path: Path) -> Path:
    return workbook_with_owners(tmp_path / "k.xlsx", [
        [*row("C-1", "Nguyễn Thị Lan", "chị", EMAIL, TYPED, purchase="16/11/2026"), True, "*", COMPLAINT],
        [*row("C-2", "Trần Văn Hùng", "anh", "hung@example.com", purchase="16/11/2026"), None, None, None],
    ], COLUMNS)  # fmt: skip


def _run(tmp_path, env, *args) -> dict:
    result = careloop(*args, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _week(path: Path) -> dict:
    rows = list(openpyxl.load_workbook(path)["Tổng quan"].iter_rows(values_only=True))
    return next(dict(zip(rows[0], r, strict=False)) for r in rows[1:] if "tuần 23/11 (đang diễn ra)" in r)


def _cells(path: Path) -> str:
    book = openpyxl.load_workbook(path)
    return "\n".join(str(v) for sheet in book for r in sheet.iter_rows(values_only=True) for v in r if v is not None)


def _tick(path: Path, header: str, customer_id: str, value) -> None:
    set_cell(path, "Khách hàng", customer_id, header, value)


def test_a_customer_erased_on_request_is_gone_from_the_store_and_the_sheet_and_never_written_to(tmp_path):
    path = _workbook(tmp_path)
    env = local_settings(tmp_path, path)
    sent = _run(tmp_path, env, "run", "followup", "--json", "--now", "2026-11-23T09:00")
    assert "C-1" in {s["customer_id"] for s in sent["sent"]}
    opened = _run(tmp_path, env, "run", "escalate", "--json", "--now", "2026-11-23T10:00")["opened"]
    assert [o["customer_id"] for o in opened] == ["C-1"]

    shown = json.loads(careloop("export", "C-1", cwd=tmp_path, env=env).stdout)
    text = json.dumps(shown, ensure_ascii=False)
    assert "checkin/C-1/2026-11-16" in [e["key"] for e in shown["store"]["ledger"]]  # the check-in sent
    assert shown["store"]["cases"][0]["issue"] == COMPLAINT and COMPLAINT in json.dumps(
        shown["sheet"], ensure_ascii=False
    )
    assert EMAIL in text and "Hồ sơ" in shown["sheet"] and "C-2" not in text
    before = _week(path)

    _tick(path, "Xóa dữ liệu", "C-1", True)
    report = _run(tmp_path, env, "run", "escalate", "--json", "--now", "2026-11-23T12:00")
    assert [e["customer_id"] for e in report["erased"]] == ["C-1"]
    store = b"".join(p.read_bytes() for p in tmp_path.glob("s.sqlite*"))
    for gone in (EMAIL, PHONE, TYPED, "0912345678", COMPLAINT, "Nguyễn Thị Lan"):
        assert gone.encode() not in store, gone
        assert gone not in _cells(path), gone
    assert "hung@example.com" in _cells(path)  # nobody else's
    after = _week(path)
    assert {k: after[k] for k in before if k != "Tuần số"} == {k: before[k] for k in before if k != "Tuần số"}
    customers = {r[0]: r for r in openpyxl.load_workbook(path)["Khách hàng"].iter_rows(min_row=2, values_only=True)}
    assert "Đã xóa dữ liệu lúc 23/11/2026 12:00" in str(customers["C-1"])

    # Later: nothing to them, even with their address typed in again on a new row.
    book = openpyxl.load_workbook(path)
    book["Khách hàng"].append(row("C-9", "Lan", "chị", EMAIL, purchase="18/11/2026"))
    book.save(path)
    later = _run(tmp_path, env, "run", "followup", "--json", "--now", "2026-11-25T09:00")
    assert not {"C-1", "C-9"} & {s["customer_id"] for s in later["sent"]}
    days_later = _run(tmp_path, env, "run", "escalate", "--json", "--now", "2026-11-25T10:00")
    assert days_later["opened"] == []
    # Her open case closed itself (issue 33): long past its deadlines, it neither escalates nor reminds.
    assert days_later["escalated"] == [] and days_later["notified"] == []
    (case,) = [r for r in openpyxl.load_workbook(path)["Hồ sơ"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert piece("metric_resolved", 0) in case and piece("case_erased", 0) in case
