"""Issue 24: staff see what a customer will receive without a terminal. A Messages row ticked
'Gửi thử' (Send test) goes to the managers at the next escalation run, marked [Thử], filled with a
sample customer; an SMS row comes as its text and length. Then the box is unticked, the row says when
it went, and the run after sends nothing. Never to a customer; never counted on the Dashboard."""

from __future__ import annotations

import json
import re
from email import message_from_bytes, policy

import openpyxl

from tests.helpers.cli import careloop
from tests.helpers.words import piece

NOW = "2026-12-02T10:15"


def demo(tmp_path):
    assert careloop("demo", "--dir", "d", "--now", NOW, cwd=tmp_path).returncode == 0  # one clock for every run
    return tmp_path / "d" / "khach-hang.xlsx"


def messages_tab(path):
    sheet = openpyxl.load_workbook(path)["Mẫu tin nhắn"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def tick(path, template_ids, column="Gửi thử"):
    book = openpyxl.load_workbook(path)
    sheet = book["Mẫu tin nhắn"]
    header = [c.value for c in sheet[1]]
    if column not in header:  # a sheet set up before issue 24 gains it on the next run
        header.append(column)
        sheet.cell(1, len(header), column)
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in template_ids:
            sheet.cell(row[0].row, header.index(column) + 1, True)
    book.save(path)


def escalate(tmp_path):
    result = careloop("run", "escalate", "--config", "d/careloop.toml", "--json", "--now", NOW, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def thu_emails(tmp_path):
    found = []
    for path in (tmp_path / "d" / "outbox").glob("*.eml"):
        email = message_from_bytes(path.read_bytes(), policy=policy.default)
        if email["Subject"].startswith("[Thử]"):
            found.append(email)
    return found


def test_a_ticked_row_goes_to_the_manager_once_marked_thu_and_is_unticked(tmp_path):
    path = demo(tmp_path)
    tick(path, {"birthday/vi/email", "checkin/vi/sms"})
    outbox_before = len(list((tmp_path / "d" / "outbox").glob("*.eml")))
    report = escalate(tmp_path)
    assert [t["sent"] for t in report["trial_messages"]] == [True, True]
    sent = thu_emails(tmp_path)
    assert len(sent) == 2 and {e["To"] for e in sent} == {"an@luatminhan.vn"}  # the '*' row's tier-3 owner
    alerted = report["alerts"]["alerted"]  # the demo's replies make a theme rise: the manager is told (issue 36)
    assert [key.split("/")[0] for key in alerted] == ["theme"]
    assert len(list((tmp_path / "d" / "outbox").glob("*.eml"))) == outbox_before + 2 + len(report["notified"]) + 1
    birthday = next(e for e in sent if "SMS" not in e["Subject"])
    body = birthday.get_body(("plain",)).get_content()
    assert "Lan" in body and "{" not in body and "giảm 10% phí tư vấn" in body  # a sample customer, filled
    assert birthday.get_body(("html",)) is not None  # the email form a customer gets
    sms = next(e for e in sent if "SMS" in e["Subject"]).get_body(("plain",)).get_content()
    assert "Khách sẽ nhận tin SMS này" in sms and "ký tự GSM-7" in sms and "tin SMS." in sms
    rows = {r["Mã mẫu"]: r for r in messages_tab(path)}
    for template in ("birthday/vi/email", "checkin/vi/sms"):
        assert rows[template]["Gửi thử"] is False
        assert rows[template]["Ghi chú hệ thống"].startswith("Đã gửi thử lúc 02/12/2026 10:15 tới an@luatminhan.vn")
    again = escalate(tmp_path)
    assert "trial_messages" not in again and len(thu_emails(tmp_path)) == 2


def test_a_test_is_never_a_customer_message_nor_counted(tmp_path):
    path = demo(tmp_path)
    before = escalate(tmp_path)
    tick(path, {"birthday/vi/email"})
    after = escalate(tmp_path)
    assert after["trial_messages"][0]["sent"] and after["notified"] == [] == before.get("trial_messages", [])
    customers = {e["To"] for e in thu_emails(tmp_path)}
    assert customers == {"an@luatminhan.vn"}
    import sqlite3

    with sqlite3.connect(tmp_path / "d" / "careloop.sqlite") as db:
        assert db.execute("select count(*) from ledger where key like 'test/%'").fetchone() == (0,)


def test_a_row_that_cannot_be_used_says_why_and_nothing_goes(tmp_path):
    path = demo(tmp_path)
    book = openpyxl.load_workbook(path)
    sheet = book["Mẫu tin nhắn"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "birthday/vi/email":
            sheet.cell(row[0].row, header.index("Nội dung") + 1, "Chúc mừng {ten_khong_co}!")
            sheet.cell(row[0].row, header.index("Gửi thử") + 1, True)
    book.save(path)
    report = escalate(tmp_path)
    assert report["trial_messages"][0]["sent"] is False and thu_emails(tmp_path) == []
    row = next(r for r in messages_tab(path) if r["Mã mẫu"] == "birthday/vi/email")
    assert row["Ghi chú hệ thống"].startswith(piece("test_not_sent", 0, strip=True)) and row["Gửi thử"] is False


def test_a_test_email_is_staffs_mail_with_sample_links_and_a_few_rows_a_run(tmp_path):
    """Issue 33 (9, 17): no List-Unsubscribe (Auto-Submitted instead), a first line saying which row it
    tests, links to pages that say they are samples; at most 5 ticked rows a run, the rest wait."""
    from functions.core.links import SAMPLE

    path = demo(tmp_path)
    rows = [r["Mã mẫu"] for r in messages_tab(path) if r["Mã mẫu"] and r["Mã mẫu"].endswith("/email")]
    tick(path, set(rows[:8]))
    report = escalate(tmp_path)
    assert [t["sent"] for t in report["trial_messages"]] == [True] * 5 + [False] * (min(8, len(rows)) - 5)
    waiting = [r for r in messages_tab(path) if r["Gửi thử"] is True]
    assert len(waiting) == min(8, len(rows)) - 5 and all("tối đa 5" in r["Ghi chú hệ thống"] for r in waiting)
    email = thu_emails(tmp_path)[0]
    assert email["List-Unsubscribe"] is None and email["Auto-Submitted"] == "auto-generated"
    text = email.get_body(("plain",)).get_content()
    assert text.startswith(piece("test_first_line", 0))
    links = re.findall(r"https?://\S+", text + email.get_body(("html",)).get_content())
    assert links and all(f"/{SAMPLE}" in link for link in links if "/s/" in link or "/unsubscribe/" in link)
    assert "</a>." not in email.get_body(("html",)).get_content()  # the footer's stray full stop is gone


def test_a_sample_link_opens_a_page_that_says_so_and_records_nothing():
    from datetime import datetime

    from functions.adapters.templates import Templates
    from functions.core.links import SAMPLE, Links
    from functions.followup.unsubscribe import UnsubscribeDeps, handle_unsubscribe
    from functions.survey.page import SurveyDeps, handle_survey
    from tests.helpers import VN
    from tests.helpers.memory_store import MemoryStore

    store, links = MemoryStore(), Links("https://care.example.vn", "test-secret")
    now = lambda: datetime(2026, 12, 2, 10, 15, tzinfo=VN)  # noqa: E731
    body, status, _ = handle_survey("GET", f"/s/{SAMPLE}", {"score": "2"}, {},
                                    SurveyDeps(store.surveys, links, Templates(), "Luật Minh An", now))  # fmt: skip
    assert status == 200 and "liên kết mẫu" in body
    unsubscribe = UnsubscribeDeps(store.opt_outs, store.surveys, links, Templates(), "Luật Minh An", now)
    page, status, _ = handle_unsubscribe("POST", f"/unsubscribe/{SAMPLE}", unsubscribe)
    assert status == 200 and "liên kết mẫu" in page and store.opt_outs.opt_outs() == {}
