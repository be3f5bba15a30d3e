"""The weekly digest: last week's figures against the week before — checked against figures
worked out here by hand from a known fortnight — sent once a week, only inside working hours."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest

from functions import bootstrap
from functions.core.ledger import LedgerEntry
from functions.core.replies import HeardReply
from functions.core.surveys import Answer, Survey
from functions.core.vouchers import Voucher
from functions.digest.job import run_digest
from tests.helpers import VN
from tests.helpers.fakes import MemoryChannel
from tests.helpers.memory_store import MemoryStore
from tests.helpers.records import a_case
from tests.helpers.rules import business_settings
from tests.helpers.support import FAST_RETRY, escalation_book
from tests.helpers.words import piece

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=VN)  # the digest of week 2026-W47 (16–22/11) goes out
W47, W46 = datetime(2026, 11, 16, 10, 0, tzinfo=VN), datetime(2026, 11, 9, 10, 0, tzinfo=VN)


def fortnight() -> MemoryStore:
    store = MemoryStore()
    days = [(W47, 0), (W47, 1), (W47, 2), (W47, 3), (W47, 6), (W46, 0), (W46, 2), (W46, 4)]
    for n, moment in enumerate(start + timedelta(days=d) for start, d in days):
        key = f"birthday/C-{n}/2026"
        store.ledger.reserve(LedgerEntry(key, f"C-{n}", "birthday", "email", moment.date(), reserved_at=moment))
        store.ledger.confirm(key, moment)
    store.ledger.reserve(
        LedgerEntry("checkin/C-99/x", "C-99", "checkin", "sms", W47.date(), reserved_at=W47)
    )  # never sent
    answers = [(W47, 5, ""), (W47, 4, ""), (W47 + timedelta(days=1), 2, "Chờ lâu quá"),
               (W47 + timedelta(days=2), 1, "Không ai gọi lại"), (W46, 5, ""), (W46, 5, "Tốt")]  # fmt: skip
    for n, (at, score, comment) in enumerate(answers):
        survey = Survey(f"SV-{n}", f"C-{n}", f"checkin/{n}", "vi", at - timedelta(days=1), at + timedelta(days=30))
        store.surveys.create_survey(survey)
        store.surveys.add_answer(survey.survey_id, Answer(score, at, comment), limit=20)
    cases = [
        a_case(1, created=W47, tier=2, initial_tier=1, first_responded_at=W47 + timedelta(hours=2)),
        a_case(2, created=W47 + timedelta(days=1), tier=1, initial_tier=1,
               first_responded_at=W47 + timedelta(days=1, hours=4)),
        a_case(3, created=W47 + timedelta(days=2), tier=3, initial_tier=3),  # never answered: past its SLA now
        a_case(4, created=W46, tier=1, initial_tier=1, status="resolved", first_responded_at=W46 + timedelta(hours=1),
               resolved_at=W47 + timedelta(hours=3)),
    ]  # fmt: skip
    for case in cases:
        store.cases.create_case(
            case,
            __import__("functions.core.cases", fromlist=["CaseEvent"]).CaseEvent(
                case.case_id, case.created_at, "opened"
            ),
        )
    heard = [("reply", date(2026, 11, 17)), ("complaint", date(2026, 11, 18)), ("refusal", date(2026, 11, 19)),
             ("survey_answer", date(2026, 11, 20)), ("bounce", date(2026, 11, 20)), ("auto_reply", date(2026, 11, 21)),
             ("reply", date(2026, 11, 10)), ("bounce", date(2026, 11, 11)), ("bounce", date(2026, 11, 12))]  # fmt: skip
    store.replies.record_replies([HeardReply(f"PH-{n}", kind, day) for n, (kind, day) in enumerate(heard)])
    vouchers = [("AAAA0001", date(2026, 11, 17), date(2026, 11, 20)), ("AAAA0002", date(2026, 11, 18), None),
                ("AAAA0003", date(2026, 11, 10), None)]  # fmt: skip
    for code, issued, used in vouchers:
        store.vouchers.issue_voucher(
            Voucher(code, "C-1", "Lan", 2026, "giảm 15%", issued, issued + timedelta(days=30), used)
        )
    return store


def deps(store, channel=None, managers=("quanly@luat.vn",), language="vi"):
    """The digest wired by bootstrap from the test business's settings, on the test's store and channel."""
    settings = business_settings(manager_emails=", ".join(managers), staff_language=language)
    return bootstrap.digest_deps(settings, sheet=escalation_book([]), store=store,
                                 channels={"email": channel or MemoryChannel()}, retry=FAST_RETRY,
                                 sheet_link="https://docs.google.com/spreadsheets/d/KEY/edit")  # fmt: skip


def test_the_digest_says_what_the_fortnight_held():
    report = run_digest(deps(fortnight()), MONDAY, dry_run=True)
    assert report["week"] == "2026-W47"
    (preview,) = report["preview"]
    text = preview["text"]
    # Worked out by hand from fortnight(): W47 against W46.
    assert "- Tin đã gửi: 5 ▲ (tuần trước 3)" in text  # 5 confirmed in W47 (the reserved one is not), 3 in W46
    assert "- Số đánh giá: 4 ▲ (tuần trước 2)" in text
    assert "- Điểm trung bình (1–5): 3.0 ▼ (tuần trước 5.0)" in text  # (5+4+2+1)/4
    assert "- Hài lòng (4–5 điểm): 50% ▼ (tuần trước 100%)" in text
    assert "- Hồ sơ mới: 3 ▲ (tuần trước 1)" in text
    assert "- Hồ sơ đã giải quyết: 1 ▲ (tuần trước 0)" in text  # case 4, resolved on Monday of W47
    assert "- Hồ sơ phải leo thang: 1 ▲ (tuần trước 0)" in text  # case 1 went from tier 1 to 2
    # Case 1 answered 2 working hours after it opened; case 2 opened Tuesday 10:00 and was answered at 14:00,
    # 2.5 working hours over the 12:00–13:30 break: the median is 2.25 (case 4, the week before: 1.0).
    assert "- Phản hồi đầu, trung vị (giờ làm việc): 2.2 ▲ (tuần trước 1.0)" in text
    assert "NPS" not in text  # not asked either week
    assert (
        "- Phiếu quà tặng đã phát: 2 ▲ (tuần trước 1)" in text
        and "- Phiếu quà tặng đã dùng: 1 ▲ (tuần trước 0)" in text
    )
    # What customers sent back: 4 replies in W47 (an auto-reply is not one), a refusal among them; bounces fell.
    assert "- Phản hồi của khách (email, Zalo): 4 ▲ (tuần trước 1)" in text
    assert "- Khách từ chối nhận tin qua phản hồi: 1 ▲ (tuần trước 0)" in text
    assert "- Email bị trả lại: 1 ▼ (tuần trước 2)" in text
    # Every open case is past its resolve deadline (two days) by Monday; case 4 is resolved.
    assert "Hồ sơ quá hạn (3):" in text and a_case(4).case_id not in text and "gd@luat.vn" in text
    assert '- 1/5 (C-3): "Không ai gọi lại"' in text and text.index("Không ai gọi lại") < text.index("Chờ lâu quá")
    assert "Tốt" not in text  # the week before's comment
    assert preview["subject"] == "Tuần 2026-W47 tại Văn phòng Luật Minh An: 5 tin đã gửi, 4 đánh giá, 3 hồ sơ mới"


def test_sent_once_a_week_however_often_it_runs_and_only_in_working_hours():
    store, channel = fortnight(), MemoryChannel()
    early = run_digest(deps(store, channel), MONDAY.replace(hour=7))
    assert [s["reason"] for s in early["skipped"]] == ["outside_working_hours"] and channel.delivered == []
    for moment in (MONDAY, MONDAY + timedelta(hours=1), MONDAY + timedelta(days=1)):
        run_digest(deps(store, channel), moment)
    assert len(channel.delivered) == 1 and channel.delivered[0].to == "quanly@luat.vn"
    assert channel.delivered[0].key.startswith("digest/2026-W47/")
    next_week = run_digest(deps(store, channel), MONDAY + timedelta(days=7))
    assert next_week["week"] == "2026-W48" and len(channel.delivered) == 2


def test_without_manager_emails_the_matrix_tier_3_owner_gets_it_in_english_when_staff_read_english():
    channel = MemoryChannel()
    report = run_digest(deps(fortnight(), channel, managers=(), language="en"), MONDAY)
    assert [s["to"] for s in report["sent"]] == ["gd@luat.vn"]
    assert "- Messages sent: 5 ▲ (the week before 3)" in channel.delivered[0].text
    assert "Open the sheet" in channel.delivered[0].html


def test_no_one_to_send_to_is_said_plainly():
    from functions.core.errors import JobCannotRun

    empty = deps(fortnight(), managers=())
    empty.sheet = escalation_book([], matrix=[["Hợp đồng", "Hà <ha@luat.vn>", "", "", 4, 24]])  # no '*' row
    with pytest.raises(JobCannotRun, match="manager_emails"):
        run_digest(empty, MONDAY)
    empty.sheet = escalation_book([], matrix=[["*", "Hà <ha@luat.vn>", "", "", 4, 24]])  # tier 3 falls back to 1
    assert [s["to"] for s in run_digest(empty, MONDAY)["sent"]] == ["ha@luat.vn"]


def test_careloop_run_digest_by_hand_and_dry_run(tmp_path):
    import openpyxl

    from tests.helpers.cli import careloop
    from tests.helpers.support import HEADER, local_settings, row, write_workbook

    write_workbook(tmp_path / "k.xlsx", HEADER, [row("KH-1", "Nguyễn Thị Lan", "chị", "lan@example.com")])
    env = local_settings(tmp_path, tmp_path / "k.xlsx")
    assert careloop("setup-sheet", cwd=tmp_path, env=env).returncode == 0
    book = openpyxl.load_workbook(tmp_path / "k.xlsx")
    book["Ma trận leo thang"]["B2"] = "Lễ tân Mai <mai@luat.vn>"  # tier 1 is required; tier 3 is the manager
    book["Ma trận leo thang"]["D2"] = "Giám đốc An <an@luat.vn>"
    book.save(tmp_path / "k.xlsx")
    dry = careloop("run", "digest", "--dry-run", "--now", "2026-11-23T09:00", cwd=tmp_path, env=env)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("→ an@luat.vn\nTuần 2026-W47 tại careloop: 0 tin đã gửi")
    assert not (tmp_path / "outbox").exists()
    first = careloop("run", "digest", "--now", "2026-11-23T09:00", cwd=tmp_path, env=env)
    again = careloop("run", "digest", "--now", "2026-11-23T10:00", cwd=tmp_path, env=env)
    assert "đã gửi 1, bỏ qua 0" in first.stdout and "đã gửi 0, bỏ qua 1" in again.stdout
    assert (
        piece("already_sent", 0) in again.stdout and len(list((tmp_path / "outbox").glob("*_digest_*.eml"))) == 1
    )  # (and the follow-up run that never ran is told)


def test_the_manager_is_greeted_by_name_and_a_workbook_is_never_a_link():
    """Issue 21: "Chào an," (the address's local part), and an <a href> to a local path."""
    channel = MemoryChannel()
    run_digest(deps(fortnight(), channel, managers=("gd@luat.vn", "quanly@luat.vn")), MONDAY)
    by_address = {m.to: m for m in channel.delivered}
    assert by_address["gd@luat.vn"].text.startswith("Chào Giám đốc,")  # as the matrix names them
    assert by_address["quanly@luat.vn"].text.startswith("Chào anh/chị,") and "Chào quanly" not in str(by_address)
    workbook = dataclasses.replace(deps(fortnight(), MemoryChannel()), sheet_link="/home/office/khach-hang.xlsx")
    workbook_channel = MemoryChannel()
    run_digest(dataclasses.replace(workbook, channels={"email": workbook_channel}), MONDAY)
    (email,) = workbook_channel.delivered
    assert 'href="/home' not in email.html and "Bảng tính: /home/office/khach-hang.xlsx" in email.html
