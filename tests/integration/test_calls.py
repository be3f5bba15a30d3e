"""The care-call list, run as staff would: the follow-up run lists who to call (a check-in cared for
by phone, a VIP's birthday, a low score waiting for its first answer) and keeps an uncalled row with
its age; staff tick a call; the escalation run records it once — even two runs at once: one CSAT
answer on channel phone, one case, one ledger entry — and the next follow-up run frees the row."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl

from functions.adapters.stores.sqlite import SqliteStore
from tests.helpers import TODAY
from tests.helpers.cli import careloop
from tests.helpers.support import HEADER, local_settings, read_workbook, row, write_workbook
from tests.helpers.words import piece

WEEK_AGO = f"{TODAY - timedelta(days=7):%d/%m/%Y}"
NOW = f"{TODAY}T09:00"


def workbook(tmp_path: Path) -> dict[str, str]:
    customers = [
        row("KH-1", "Nguyễn Thị Lan", "chị", "", "0912345601", purchase=WEEK_AGO, channel="gọi điện"),
        row("KH-2", "Trần Văn Hùng", "anh", "hung@example.com", "0912345602", birthday="23/11/1980"),
        row("KH-3", "Lê Minh Tuấn", "anh", "tuan@example.com", "0912345603"),
    ]
    write_workbook(tmp_path / "k.xlsx", HEADER + ["VIP"], [c + [n == 1] for n, c in enumerate(customers)])
    env = local_settings(tmp_path, tmp_path / "k.xlsx")
    assert careloop("setup-sheet", cwd=tmp_path, env=env).returncode == 0
    book = openpyxl.load_workbook(tmp_path / "k.xlsx")
    book["Ma trận leo thang"]["B2"], book["Ma trận leo thang"]["D2"] = "Mai <mai@luat.vn>", "An <an@luat.vn>"
    book.save(tmp_path / "k.xlsx")
    return env


def calls(tmp_path: Path) -> dict[str, dict]:
    return {r["Mã KH"]: r for r in read_workbook(tmp_path / "k.xlsx", "Gọi điện") if r["Mã KH"]}


def tick(tmp_path: Path, customer: str, **cells: object) -> None:
    book = openpyxl.load_workbook(tmp_path / "k.xlsx")
    sheet = book["Gọi điện"]
    header = [c.value for c in sheet[1]]
    for cells_row in sheet.iter_rows(min_row=2):
        if cells_row[0].value == customer:
            for title, value in cells.items():
                cells_row[header.index(title)].value = value
    book.save(tmp_path / "k.xlsx")


def escalate_together(tmp_path: Path, env: dict[str, str], count: int = 2) -> list[dict]:
    full = {**{k: v for k, v in os.environ.items() if not k.startswith("CARELOOP_")}, **env}
    command = [str(Path(sys.executable).with_name("careloop")), "run", "escalate", "--now", NOW, "--json"]
    runs = [subprocess.Popen(command, cwd=tmp_path, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(count)]  # fmt: skip
    return [json.loads(p.communicate(timeout=120)[0]) for p in runs]


def test_calls_are_listed_recorded_once_and_freed(tmp_path):
    env = workbook(tmp_path)
    first = careloop("run", "followup", "--now", NOW, cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    listed = calls(tmp_path)
    assert listed["KH-1"]["Lý do"] == piece("call_checkin", 0) and listed["KH-1"]["Số điện thoại"] == "+84912345601"
    assert listed["KH-2"]["Lý do"].startswith("Khách VIP") and "KH-3" not in listed
    customers = {r["Mã KH"]: r for r in read_workbook(tmp_path / "k.xlsx")}
    assert not customers["KH-1"]["Ghi chú hệ thống"]  # on the call list: nothing for staff to fix on the row

    later = (TODAY + timedelta(days=2)).isoformat() + "T09:00"  # nobody called: the rows wait, with their age
    assert careloop("run", "followup", "--now", later, cwd=tmp_path, env=env).returncode == 0
    assert calls(tmp_path)["KH-1"]["Ghi chú hệ thống"] == "Chưa gọi, đã 2 ngày"

    tick(tmp_path, "KH-1", **{"Đã gọi": True, "Kết quả": "liên lạc được", "Điểm nghe được": 2,
                              "Ghi chú": "Xe vẫn kêu ở bánh trước", "Leo thang": True})  # fmt: skip
    reports = escalate_together(tmp_path, env)
    assert sorted(k for r in reports for k in r["calls"]["recorded"]) in (
        [f"call/KH-1/{TODAY}"], [f"call/KH-1/{TODAY}", f"call/KH-1/{TODAY}"])  # fmt: skip
    store = SqliteStore(tmp_path / "s.sqlite")
    since = datetime(2000, 1, 1, tzinfo=UTC)
    answers = [(s.occasion, a.score, a.comment) for s in store.surveys.surveys(since) for a in s.answers]
    assert answers == [(f"call/KH-1/{TODAY}", 2, "Xe vẫn kêu ở bánh trước")]  # one CSAT answer, on the phone
    cases = [c for c in store.cases.cases() if c.customer_id == "KH-1"]
    assert len(cases) == 1 and cases[0].issue == "Xe vẫn kêu ở bánh trước" and cases[0].key == f"call/KH-1/{TODAY}"
    entry = store.ledger.entry(f"call/KH-1/{TODAY}")
    assert (entry.kind, entry.channel, entry.state) == ("call_reached", "phone", "sent")
    customers = {r["Mã KH"]: r for r in read_workbook(tmp_path / "k.xlsx")}
    assert customers["KH-1"]["Liên hệ gần nhất"].endswith("gọi điện (liên lạc được)")
    assert calls(tmp_path)["KH-1"]["Ghi chú hệ thống"].startswith(piece("call_recorded", 0, strip=True))
    dashboard = {r["Chỉ số"]: r["Giá trị"] for r in read_workbook(tmp_path / "k.xlsx", "Tổng quan") if r["Chỉ số"]}
    assert (dashboard[piece("metric_calls", 0)], dashboard[piece("metric_calls_reached", 0)]) == (1, 1)

    again = escalate_together(tmp_path, env, count=1)  # a later run: nothing new
    assert again[0]["calls"]["recorded"] == [] and len([c for c in store.cases.cases() if c.customer_id == "KH-1"]) == 1
    assert careloop("run", "followup", "--now", later, cwd=tmp_path, env=env).returncode == 0
    assert "KH-1" not in calls(tmp_path)  # recorded: its row is free again


def add_call_rows(path: Path, rows: list[dict[str, object]]) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Gọi điện"]
    header = [c.value for c in sheet[1]]
    for cells in rows:
        line = [None] * len(header)
        for title, value in cells.items():
            line[header.index(title)] = value
        sheet.append(line)
    for cells_row in sheet.iter_rows(min_row=2):  # as staff type them: text, never a formula
        for cell in cells_row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    book.save(path)


def test_a_call_for_nobody_or_with_a_score_or_outcome_unread_is_noted_and_kept_never_recorded(tmp_path):
    """Issue 21 (5): an unknown customer opened a case; an unreadable score or outcome was dropped and
    the row cleared. Now each is a note on its row, the row stays, nothing is recorded or opened."""
    env = workbook(tmp_path)
    assert careloop("run", "followup", "--now", NOW, cwd=tmp_path, env=env).returncode == 0
    called = {"Đã gọi": True, "Leo thang": True, "Ghi chú": "Khách rất bực"}
    add_call_rows(tmp_path / "k.xlsx", [
        {"Mã KH": "NOPE", "Họ tên": "Không Có", **called},
        {"Mã KH": '=IMPORTXML("https://evil.example","//a")', "Họ tên": "Công Thức", **called},
        {"Mã KH": "KH-3", "Họ tên": "Lê Minh Tuấn", "Điểm nghe được": "²", **called},
        {"Mã KH": "KH-3", "Họ tên": "Lê Minh Tuấn", "Điểm nghe được": 6, "Đã gọi": True},
        {"Mã KH": "KH-3", "Họ tên": "Lê Minh Tuấn", "Kết quả": "=1+1", "Đã gọi": True},
    ])  # fmt: skip
    tick(tmp_path, "KH-1", **{"Đã gọi": True, "Điểm nghe được": 0})
    (report,) = escalate_together(tmp_path, env, count=1)
    assert report["calls"]["recorded"] == [] and report["opened"] == []
    notes = [r["Ghi chú hệ thống"] for r in read_workbook(tmp_path / "k.xlsx", "Gọi điện") if r["Đã gọi"]]
    assert len(notes) == 6 and all(n.startswith("Chưa ghi nhận cuộc gọi") for n in notes), notes
    assert "Mã KH 'NOPE' không có trong tab Khách hàng" in notes[1]
    assert "Mã KH '=IMPORTXML" in notes[2] and "Điểm nghe được '²'" in notes[3] and "'6'" in notes[4]
    assert "Kết quả '=1+1' không rõ" in notes[5] and "Điểm nghe được '0'" in notes[0]
    assert len(report["problems"]) == 6
    store = SqliteStore(tmp_path / "s.sqlite")
    assert store.cases.cases() == [] and store.surveys.surveys(datetime(2000, 1, 1, tzinfo=UTC)) == []
    assert careloop("run", "followup", "--now", NOW, cwd=tmp_path, env=env).returncode == 0
    assert len([r for r in read_workbook(tmp_path / "k.xlsx", "Gọi điện") if r["Đã gọi"]]) == 6  # rows kept
