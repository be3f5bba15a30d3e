"""Test helpers: workbooks, rows, and a follow-up job wired to fakes or real adapters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from functions import bootstrap
from functions.core.tables import Table
from functions.followup.deps import FollowupDeps
from functions.retry import RetryPolicy
from tests.helpers import TEST_SECRET, VN
from tests.helpers.fakes import MemoryChannel, MemorySheet
from tests.helpers.rules import business_settings, channel_book

HEADER = [
    "Mã KH",
    "Họ tên",
    "Xưng hô",
    "Email",
    "Số điện thoại",
    "Ngày sinh",
    "Ngày mua",
    "Ngôn ngữ",
    "Kênh",
    "Từ chối nhận tin",
]
CONSENTED = [*HEADER, "Đồng ý nhận quảng cáo"]  # with the consent column: a row's `consent=True` ticks it


# Who a business sending for real is (an SMTP server, Twilio or Zalo set up): careloop refuses to send
# under placeholder identity. The links stay on this machine, as the tests' pages answer there.
IDENTITY = {"business_name": "Văn phòng Luật Minh An", "sender_email": "cskh@luatminhan.vn",
            "public_url": "http://127.0.0.1:8080"}  # fmt: skip


def local_settings(folder: Path, sheet: str | Path, **more: str) -> dict[str, str]:
    """CARELOOP_* settings for a run in `folder`: the sheet, a SQLite store and an outbox there, a
    test secret, no careloop.toml; `more` by setting name (store="…", business_name="…"); with a real
    channel, the business's identity unless `more` gives it."""
    if {"smtp_host", "twilio_account_sid", "zalo_app_id"} & set(more):
        more = {**IDENTITY, **more}
    return {"CARELOOP_SHEET": str(sheet), "CARELOOP_STORE": str(folder / "s.sqlite"),
            "CARELOOP_OUTBOX": str(folder / "outbox"), "CARELOOP_SECRET": TEST_SECRET, "CARELOOP_CONFIG": "",
            **{f"CARELOOP_{name.upper()}": value for name, value in more.items()}}  # fmt: skip


def write_workbook(path: Path, header: Sequence[Any], rows: Sequence[Sequence[Any]], title: str = "Khách hàng") -> Path:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)  # streamed: the benches write 100,000 rows with it
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def set_cell(path: Path, title: str, row_id: str, header: str, value: Any) -> None:
    """Staff typing `value` into column `header` of the row whose first cell is `row_id` (a tick, say)."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book[title]
    titles = [c.value for c in sheet[1]]
    for cells in sheet.iter_rows(min_row=2):
        if cells[0].value == row_id:
            cells[titles.index(header)].value = value
    book.save(path)


def read_workbook(path: Path, title: str = "Khách hàng") -> list[dict[str, Any]]:
    import openpyxl

    sheet = openpyxl.load_workbook(path)[title]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def row(
    id="",
    name="Nguyễn Thị Lan",
    salutation="chị",
    email="lan@example.com",
    phone="",
    birthday="",
    purchase="",
    language="",
    channel="",
    opt_out="",
    consent=None,
) -> list[Any]:
    cells = [id, name, salutation, email, phone, birthday, purchase, language, channel, opt_out]
    return cells if consent is None else [*cells, consent]


def many_customers(count: int, birthday_every: int, checkin_every: int) -> list[list[Any]]:
    """`count` customers; every `birthday_every`th has a birthday on the test day, every `checkin_every`th
    (from the first) a check-in due."""
    return [
        row(
            f"C-{i:05d}",
            f"Khách {i}",
            email=f"c{i}@example.com",
            birthday="23/11/1990" if i % birthday_every == 0 else "01/01/1990",
            purchase="16/11/2026" if i % checkin_every == 1 else "",
        )
        for i in range(count)
    ]


def memory_sheet(rows: Sequence[Sequence[Any]], header: Sequence[Any] = HEADER) -> MemorySheet:
    return MemorySheet({"Khách hàng": Table("Khách hàng", list(header), [list(r) for r in rows])})


# Retries that do not wait: a test's fault is faked, and its clock is not the wall's.
FAST_RETRY = RetryPolicy(budget_seconds=1, first_delay=0.01, sleep=lambda s: None)


def deps(sheet, store, channel=None, settings: dict[str, str] | None = None, **replaced) -> FollowupDeps:
    """A follow-up run wired by bootstrap from the test's settings, on the test's sheet, store and
    email channel. Unless the test says otherwise: no surveys and no tabs made (a memory sheet holds
    the tabs the test gives it), retries that do not wait."""
    channel = channel if channel is not None else MemoryChannel()
    defaults = {"retry": FAST_RETRY, "surveys": None, "layouts": ()}
    return bootstrap.followup_deps(business_settings(**(settings or {})), sheet=sheet, store=store,
                                   channels={"email": channel}, **{**defaults, **replaced})  # fmt: skip


# ---- The escalation job on fakes ----

CUSTOMER_HEADER = ["Mã KH", "Họ tên", "Email", "Leo thang", "Loại vấn đề", "Nội dung", "Mức độ", "Mã hồ sơ"]
MATRIX_HEADER = [
    "Loại vấn đề",
    "Phụ trách cấp 1",
    "Phụ trách cấp 2",
    "Phụ trách cấp 3",
    "Phản hồi đầu (giờ)",
    "Giải quyết (giờ)",
]
CASES_HEADER = [
    "Mã hồ sơ",
    "Mã KH",
    "Khách hàng",
    "Loại vấn đề",
    "Nội dung",
    "Cấp",
    "Phụ trách",
    "Trạng thái",
    "Mở lúc",
    "Hạn phản hồi",
    "Hạn giải quyết",
    "Ghi chú xử lý",
    "Ghi chú hệ thống",
]
FRIDAY_4PM = datetime(2026, 11, 20, 16, 0, tzinfo=VN)


def escalation_book(customers, matrix=None, cases=None):
    matrix = (
        matrix
        if matrix is not None
        else [
            ["*", "Hà <ha@luat.vn>", "Tuấn <tuan@luat.vn>", "Giám đốc <gd@luat.vn>", 4, 24],
            ["Hợp đồng", "Lan <lan@luat.vn>", "", "Giám đốc <gd@luat.vn>", 2, 16],
        ]
    )
    return MemorySheet(
        {
            "Khách hàng": Table("Khách hàng", list(CUSTOMER_HEADER), [list(r) for r in customers]),
            "Ma trận leo thang": Table("Ma trận leo thang", list(MATRIX_HEADER), [list(r) for r in matrix]),
            "Hồ sơ": Table("Hồ sơ", list(CASES_HEADER), [list(r) for r in (cases or [])]),
            "Tổng quan": Table("Tổng quan", ["Chỉ số", "Giá trị", "Kỳ"], []),
        }
    )


def escalation_deps(sheet, store, channel=None, settings: dict[str, str] | None = None, **replaced):
    """An escalation run wired by bootstrap, as `deps`: unless the test says otherwise no links (so no
    surveys and no texts read), no tabs made, retries that do not wait."""
    defaults = {"retry": FAST_RETRY, "links": None, "surveys": None, "layouts": (),
                "sheet_link": "https://docs.google.com/spreadsheets/d/KEY/edit"}  # fmt: skip
    channels = {"email": channel or MemoryChannel()}
    return bootstrap.escalate_deps(business_settings(**(settings or {})), sheet=sheet, store=store, channels=channels,
                                   **{**defaults, **replaced})  # fmt: skip


def store_setting(kind: str, tmp_path, request) -> str:
    """The `store` setting for a test that runs careloop in other processes: a SQLite file in the
    test's folder, or a clean database on the Firestore emulator."""
    if kind == "sqlite":
        return str(tmp_path / "s.sqlite")
    from tests.helpers.firestore_emulator import PROJECT

    request.getfixturevalue("firestore")
    return f"firestore://{PROJECT}"


def workbook_with_owners(path: Path, rows: Sequence[Sequence[Any]], header: Sequence[Any] = HEADER) -> Path:
    """A workbook set up as setup-sheet leaves it, its matrix's '*' row owned (tier 1 Hà, tier 3 the director)."""
    import openpyxl

    from functions.adapters.sheets.xlsx import XlsxSheet
    from functions.core.sheet_layout import layouts

    write_workbook(path, header, rows)
    XlsxSheet(path).prepare(layouts(channel_book(), "vi"), "vi")
    book = openpyxl.load_workbook(path)
    book["Ma trận leo thang"]["B2"] = "Hà <ha@luat.vn>"
    book["Ma trận leo thang"]["D2"] = "Giám đốc <gd@luat.vn>"
    book.save(path)
    return path
