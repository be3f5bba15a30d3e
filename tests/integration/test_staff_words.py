"""Staff own the words: a text edited in the Messages tab is what the customer receives, by email
(text and HTML) and SMS; a row that cannot be used is explained and the built-in text goes out;
birthday vouchers are issued once, their use recorded from the Vouchers tab, and counted on the
Dashboard. Run as a user would: setup-sheet, then the follow-up and escalation commands."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import openpyxl

from functions.adapters.stores.sqlite import SqliteStore
from tests.helpers import TODAY
from tests.helpers.cli import FOLLOWUP, careloop
from tests.helpers.providers import phone_providers
from tests.helpers.support import CONSENTED, local_settings, read_workbook, row, write_workbook
from tests.helpers.words import piece

BIRTHDAY = "23/11/1990"
STAFF_BIRTHDAY = (
    "Chúc mừng sinh nhật {xung_ho} {ten}!\n\n"
    "Gara Tiến Phát tặng {xung_ho} phiếu {gia_tri_qua}: mã {ma_qua_tang}, dùng đến {han_dung}.\n"
    "Bảng giá: https://gara.example.vn/bang-gia"
)
STAFF_SMS = (
    "Gara Tien Phat chuc mung sinh nhat {xung_ho} {ten}! Qua: {gia_tri_qua}, ma {ma_qua_tang}. Tu choi: {link_tu_choi}"
)


def prepared(tmp_path: Path, customers, **settings) -> dict[str, str]:
    write_workbook(tmp_path / "khach-hang.xlsx", CONSENTED, customers)
    env = local_settings(tmp_path, tmp_path / "khach-hang.xlsx", voucher_value="giảm 15%", **settings)
    setup = careloop("setup-sheet", cwd=tmp_path, env=env)
    assert setup.returncode == 0, setup.stderr
    return env


def edit_messages(tmp_path: Path, edits: dict[str, dict[str, object]], extra_rows=()) -> None:
    """Change the seeded rows of the Messages tab (by their Mã mẫu), as staff would, and add rows."""
    path = tmp_path / "khach-hang.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["Mẫu tin nhắn"]
    header = [c.value for c in sheet[1]]
    for cells in sheet.iter_rows(min_row=2):
        for column, value in edits.get(cells[0].value, {}).items():
            cells[header.index(column)].value = value
    for extra in extra_rows:
        sheet.append(extra)
    book.save(path)


def emails(tmp_path: Path) -> list:
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]


def plain(email) -> str:
    return email.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_a_staff_edited_birthday_text_is_what_the_customer_receives_by_email_and_sms(tmp_path):
    customers = [
        row("KH-1", "Nguyễn Thị Lan", "chị", "lan@example.com", birthday=BIRTHDAY, channel="email", consent=True),
        row("KH-2", "Trần Văn Hùng", "anh", "", "0912345602", birthday=BIRTHDAY, channel="sms", consent=True),
    ]
    with phone_providers() as providers:
        env = prepared(tmp_path, customers, **providers.settings())
        edit_messages(tmp_path, {
            "birthday/vi/email": {"Tiêu đề": "Sinh nhật vui vẻ, {xung_ho} {ten}!", "Nội dung": STAFF_BIRTHDAY},
            "birthday/vi/sms": {"Nội dung": STAFF_SMS},
        })  # fmt: skip
        ran = careloop(*FOLLOWUP, "--json", cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stderr
    store = SqliteStore(tmp_path / "s.sqlite")
    codes = {v.customer_id: v.code for v in store.vouchers.vouchers(TODAY - timedelta(days=1))}
    (email,) = emails(tmp_path)
    assert email["Subject"] == "[QC] Sinh nhật vui vẻ, chị Lan!"  # a voucher makes it an advert (Decree 91/2020)
    text = plain(email)
    assert text.startswith("Chúc mừng sinh nhật chị Lan!\n\nGara Tiến Phát tặng chị phiếu giảm 15%: mã "
                           f"{codes['KH-1']}, dùng đến {TODAY + timedelta(days=30):%d/%m/%Y}.")  # fmt: skip
    html = email.get_body(("html",)).get_content()
    assert f"mã {codes['KH-1']}" in html and '<a href="https://gara.example.vn/bang-gia"' in html
    assert (
        ">Từ chối nhận tin</a>" in html
    )  # careloop's own unsubscribe footer (the sheet's words), whatever staff wrote
    assert "</a>." not in html and "</a> ." not in html  # no stray full stop after the tap target (issue 33)
    (sms,) = providers.twilio.accepted
    assert sms["body"].startswith(
        f"[QC] Gara Tien Phat chuc mung sinh nhat anh Hung! Qua: giam 15%, ma {codes['KH-2']}."
    )
    assert "/u/" in sms["body"]  # the opt-out link an SMS advert must carry
    notes = {r["Mã mẫu"]: r["Ghi chú hệ thống"] for r in read_workbook(tmp_path / "khach-hang.xlsx", "Mẫu tin nhắn")}
    assert notes["birthday/vi/email"] in (None, "") and notes["birthday/vi/sms"] in (None, "")


def test_rows_that_cannot_be_used_are_explained_and_the_built_in_text_goes_out(tmp_path):
    customers = [
        row("KH-1", "Lê Minh Tuấn", "anh", "k1@example.com", birthday=BIRTHDAY),
        row("KH-2", "John Carter", "Mr", "k2@example.com", birthday=BIRTHDAY, language="en"),
    ]
    env = prepared(tmp_path, customers)
    edit_messages(tmp_path, {
        "birthday/vi/email": {"Nội dung": "Chào {ten}, {{7*7}} là {ma_qua_tang} {so_du}"},
        "birthday/en/email": {"Nội dung": "Dear {name, your code {voucher_code}"},
        "birthday/vi/sms": {"Nội dung": "x" * 500 + " {ma_qua_tang} {link_tu_choi}"},
    })  # fmt: skip
    assert careloop(*FOLLOWUP, cwd=tmp_path, env=env).returncode == 0
    by_to = {m["To"].addresses[0].addr_spec: m for m in emails(tmp_path)}
    vi, en = (plain(by_to[f"k{n}@example.com"]) for n in (1, 2))
    assert vi.startswith("Chào anh Tuấn,\n\nNhân ngày sinh nhật") and "49" not in vi and "{" not in vi
    assert en.startswith("Dear Mr Carter,") and "{" not in en
    notes = {r["Mã mẫu"]: r["Ghi chú hệ thống"] for r in read_workbook(tmp_path / "khach-hang.xlsx", "Mẫu tin nhắn")}
    assert "dấu ngoặc không đúng ở '{{7*7}}'" in notes["birthday/vi/email"]
    assert "không có chỗ điền {so_du}" in notes["birthday/vi/email"]
    assert "'{name," in notes["birthday/en/email"] and "SMS quá dài" in notes["birthday/vi/sms"]
    assert all(n.startswith("Không dùng được, đang gửi nội dung có sẵn") for n in notes.values() if n)
    check = careloop("check", cwd=tmp_path, env=env)
    assert check.returncode != 0 and "✗ Bảng tính / sheet 'Mẫu tin nhắn': dòng / row 2: Không dùng được" in check.stdout


def _followup_process(tmp_path: Path, env: dict[str, str]) -> subprocess.Popen:
    import os

    full = {**{k: v for k, v in os.environ.items() if not k.startswith("CARELOOP_")}, **env}
    command = [str(Path(sys.executable).with_name("careloop")), *FOLLOWUP[:-2], "--now", FOLLOWUP[-1], "--json"]
    return subprocess.Popen(command, cwd=tmp_path, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_overlapping_runs_issue_one_voucher_each_and_staff_ticks_fill_used_on_and_the_dashboard(tmp_path):
    customers = [row(f"KH-{n:02d}", f"Khách {n}", "chị", f"k{n}@example.com", birthday=BIRTHDAY, consent=True)
                 for n in range(20)]  # fmt: skip
    env = prepared(tmp_path, customers)
    runs = [_followup_process(tmp_path, env) for _ in range(2)]
    reports = [json.loads(p.communicate(timeout=120)[0]) for p in runs]
    issued = [code for r in reports for code in r["vouchers"]["issued"]]
    store = SqliteStore(tmp_path / "s.sqlite")
    vouchers = store.vouchers.vouchers(TODAY - timedelta(days=1))
    assert len(issued) == len(set(issued)) == len(vouchers) == 20  # each customer one code, once
    assert len({v.customer_id for v in vouchers}) == 20 and all(len(v.code) == 8 for v in vouchers)
    sent_codes = sorted(c for m in emails(tmp_path) for c in [v.code for v in vouchers]
                        if c in plain(m))  # fmt: skip
    assert sent_codes == sorted(v.code for v in vouchers)  # each email carries its customer's code

    rows = read_workbook(tmp_path / "khach-hang.xlsx", "Phiếu quà tặng")
    assert sorted(r["Mã phiếu"] for r in rows if r["Mã phiếu"]) == sorted(v.code for v in vouchers)
    book = openpyxl.load_workbook(tmp_path / "khach-hang.xlsx")  # staff tick two as used and delete a row
    sheet = book["Phiếu quà tặng"]
    header = [c.value for c in sheet[1]]
    used = [sheet.cell(row=n, column=1).value for n in (2, 3)]
    for n in (2, 3):
        sheet.cell(row=n, column=header.index("Đã dùng") + 1, value=True)
    deleted = sheet.cell(row=5, column=1).value
    sheet.delete_rows(5)
    book.save(tmp_path / "khach-hang.xlsx")

    tomorrow = (TODAY + timedelta(days=1)).isoformat() + "T09:00"
    again = careloop(*FOLLOWUP[:-1], tomorrow, cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    rows = {r["Mã phiếu"]: r for r in read_workbook(tmp_path / "khach-hang.xlsx", "Phiếu quà tặng") if r["Mã phiếu"]}
    assert deleted in rows and len(rows) == 20  # the deleted row is back
    tomorrow_day = datetime.combine(TODAY + timedelta(days=1), datetime.min.time())  # a date staff sort and filter
    assert {code: rows[code]["Ngày dùng"] for code in used} == dict.fromkeys(used, tomorrow_day)
    assert all(store.vouchers.voucher(code).used_on == TODAY + timedelta(days=1) for code in used)

    book = openpyxl.load_workbook(tmp_path / "khach-hang.xlsx")  # the owners staff fill in after setup
    for column, owner in zip("BCD", ("a@gara.vn", "b@gara.vn", "c@gara.vn"), strict=True):
        book["Ma trận leo thang"][f"{column}2"] = owner
    book.save(tmp_path / "khach-hang.xlsx")
    escalate = careloop("run", "escalate", "--now", tomorrow, cwd=tmp_path, env=env)
    assert escalate.returncode == 0, escalate.stderr
    dashboard = {r["Chỉ số"]: r["Giá trị"] for r in read_workbook(tmp_path / "khach-hang.xlsx", "Tổng quan")}
    assert (dashboard[piece("digest_vouchers_issued", 0)], dashboard[piece("digest_vouchers_used", 0)]) == (20, 2)
    assert dashboard[piece("metric_voucher_rate", 0)] == 0.1  # shown as 10%
    assert dashboard["Tin dịp: Sinh nhật"] == 20  # the care plan's occasions, each counted (issue 35)


def test_the_voucher_and_qc_go_only_to_the_customer_who_consented(tmp_path):
    """Issue 26: two birthdays, one consent ticked. Only that customer's email carries the voucher code
    and "[QC]"; the other gets the birthday wish as a care message, without either, never nothing."""
    env = prepared(tmp_path, [
        row("KH-1", "Nguyễn Thị Lan", "chị", "lan@example.com", birthday=BIRTHDAY, consent=True),
        row("KH-2", "Trần Văn Hùng", "anh", "hung@example.com", birthday=BIRTHDAY, consent=False),
    ])  # fmt: skip
    report = json.loads(careloop(*FOLLOWUP, "--json", cwd=tmp_path, env=env).stdout)
    assert sorted(s["customer_id"] for s in report["sent"]) == ["KH-1", "KH-2"]
    raw = {p.name.split("_")[2]: p.read_bytes() for p in (tmp_path / "outbox").glob("*.eml")}
    (code,) = [v.code for v in SqliteStore(tmp_path / "s.sqlite").vouchers.vouchers(TODAY - timedelta(days=1))]
    lan, hung = (message_from_bytes(raw[k], policy=policy.default) for k in ("KH-1", "KH-2"))
    assert lan["Subject"].startswith("[QC]") and code in plain(lan)
    assert not hung["Subject"].startswith("[QC]") and "sinh nhật" in hung["Subject"]
    assert "giảm 15%" not in plain(hung) and not any(c in plain(hung) for c in (code, "mã quà", "phiếu"))
    assert code.encode() not in raw["KH-2"]
    # With the requirement off (the business answers for consent another way), both get the advert.
    (tmp_path / "outbox").rename(tmp_path / "outbox-1")
    again = {**env, "CARELOOP_MARKETING_CONSENT_REQUIRED": "false"}
    careloop(*FOLLOWUP[:-1], "2027-11-23T09:00", cwd=tmp_path, env=again)
    subjects = [message_from_bytes(p.read_bytes(), policy=policy.default)["Subject"]
                for p in (tmp_path / "outbox").glob("*.eml")]  # fmt: skip
    assert len(subjects) == 2 and all(s.startswith("[QC]") for s in subjects)


def test_a_staff_text_that_says_nothing_without_the_voucher_gives_way_to_the_built_in_wish(tmp_path):
    """Staff's SMS is one line around the voucher; to a customer who did not consent there is no
    voucher, so it would be empty (Twilio 21602: body required): the built-in wish goes instead."""
    customers = [row("KH-2", "Trần Văn Hùng", "anh", "", "0912345602", birthday=BIRTHDAY, channel="sms", consent=False)]
    with phone_providers() as providers:
        env = prepared(tmp_path, customers, **providers.settings())
        edit_messages(tmp_path, {"birthday/vi/sms": {"Nội dung": STAFF_SMS}})
        report = json.loads(careloop(*FOLLOWUP, "--json", cwd=tmp_path, env=env).stdout)
    assert report["failed"] == [] and [s["customer_id"] for s in report["sent"]] == ["KH-2"]
    (sms,) = providers.twilio.accepted
    assert sms["body"] and not sms["body"].startswith("[QC]") and "giam 15%" not in sms["body"]
    assert "Hung" in sms["body"]
