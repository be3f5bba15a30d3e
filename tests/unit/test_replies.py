"""Issue 25: what comes back by email, read (pure): replies in the encodings mail programs use,
quoted history and signatures cut, formulas made text, bounces and auto-replies told apart. Issue 32:
only what proves itself is believed (keyed Message-IDs, the receiving server's Authentication-Results),
and a message built to break the reader is Unreadable, in bounded time."""

import time

import pytest

from functions.core.mail_parts import Unreadable, html_text
from functions.core.refusals import CANCELLATION, REFUSAL
from functions.core.replies import AUTO_REPLY, BOUNCE, COMPLAINT, REPLY, read_mail, reply_kind
from tests.helpers import TEST_SECRET, mails

LAN = "Nguyễn Thị Lan <lan@example.com>"


def test_a_complaint_in_quoted_printable_utf8():
    mail = read_mail(mails.reply(LAN, "Sản phẩm bị lỗi, tôi rất không hài lòng", message_id="<r1@example.com>"))
    assert (mail.kind, mail.sender, mail.text) == (REPLY, "lan@example.com", "Sản phẩm bị lỗi, tôi rất không hài lòng")
    assert mail.answers == (mails.OURS,) and reply_kind(mail.text) == COMPLAINT


@pytest.mark.parametrize("text", ["HỦY", "huỷ", "Huy.", "STOP", "unsubscribe", "Từ chối", "không nhận tin nữa"])
def test_a_refusal_alone_or_nearly_so(text):
    assert reply_kind(read_mail(mails.reply(LAN, text, message_id="<r2@example.com>")).text) == REFUSAL


def test_a_long_reply_mentioning_cancel_is_not_a_refusal():
    text = "Tôi muốn hủy lịch hẹn thứ năm và đặt lại vào tuần sau, văn phòng sắp xếp giúp tôi nhé"
    assert reply_kind(text) == CANCELLATION  # an appointment to move: for staff, never an opt-out
    assert reply_kind("Hủy hẹn giúp em nha") == CANCELLATION
    assert reply_kind("Sau này có thể hủy được không, hay phải giữ nguyên đến cuối tháng?") == REPLY


def test_quoted_history_and_signature_are_cut():
    history = "\n".join(f"> dòng {n} của thư trước" for n in range(200))
    text = f"Cảm ơn, dịch vụ tốt.\n\nVào 23/11/2026 09:00, Văn phòng Luật Minh An đã viết:\n{history}\n-- \nLan"
    mail = read_mail(mails.reply(LAN, text, message_id="<r3@example.com>"))
    assert mail.text == "Cảm ơn, dịch vụ tốt." and reply_kind(mail.text) == REPLY


def test_a_formula_stays_text_and_huge_text_is_capped():
    assert read_mail(mails.reply(LAN, '=IMPORTXML("http://x.example", "//a")', message_id="<r4@x>")).text[0] == "'"
    assert len(read_mail(mails.reply(LAN, "chữ " * 5000, message_id="<r5@x>")).text) == 500


def test_windows_1258_and_a_5_mb_attachment():
    assert read_mail(mails.windows_1258("hung@example.com", "Dịch vụ tệ", "<r6@x>")).text == "Dịch vụ tệ"
    mail = read_mail(mails.with_attachment(LAN, "Ảnh lỗi đây", "<r7@x>"))
    assert mail.text == "Ảnh lỗi đây" and mail.kind == REPLY


def test_an_out_of_office_is_an_auto_reply():
    raw = mails.reply(LAN, "Tôi đang nghỉ phép", message_id="<r8@x>", subject="Trả lời tự động: Hỏi thăm",
                      Auto_Submitted="auto-replied")  # fmt: skip
    assert read_mail(raw).kind == AUTO_REPLY


def test_a_dsn_is_a_bounce_whatever_its_auto_submitted_says():
    mail = read_mail(mails.bounce("lan@example.com", "checkin/C-1/2026-11-16", "<b1@mx>"), TEST_SECRET)
    assert mail.kind == BOUNCE and mail.bounce is not None
    assert (mail.bounce.recipient, mail.bounce.status, mail.answered_key) == (
        "lan@example.com", "5.1.1", "checkin/C-1/2026-11-16")  # fmt: skip
    forged = read_mail(mails.bounce("lan@example.com", "checkin/C-1/2026-11-16", "<b3@mx>", returned=mails.OURS),
                       TEST_SECRET)  # fmt: skip
    assert forged.kind == BOUNCE and forged.answered_key == ""  # its X-Careloop-Key alone proves nothing
    assert "mailbox does not exist" in mail.bounce.detail
    assert read_mail(mails.bounce("lan@example.com", "k", "<b2@mx>", status="4.2.2")).kind == AUTO_REPLY  # soft


def test_a_reply_names_the_message_it_answers_through_careloops_keyed_message_id():
    from functions.core.ids import AnsweredKey, digest_hex, key_of_message_id, message_id_local

    key = "checkin/C-00042/2026-11-16"
    ours = mails.ours(key)
    assert key_of_message_id(ours, TEST_SECRET) == AnsweredKey(key, True)
    mail = read_mail(mails.reply("lan.work@example.net", "Cảm ơn", message_id="<r9@x>", in_reply_to=ours), TEST_SECRET)
    assert mail.answered_key == key and mail.answered == AnsweredKey(key, True)
    altered = ours.replace(message_id_local(key, TEST_SECRET).split(".")[1],
                           message_id_local("checkin/C-1/2026-11-16", TEST_SECRET).split(".")[1])  # fmt: skip
    assert key_of_message_id(altered, TEST_SECRET) is None  # the MAC no longer holds: not careloop's
    assert key_of_message_id(ours, "another-secret") is None  # nobody without the secret can make one
    assert key_of_message_id("<random-id@gmail.com>", TEST_SECRET) is None
    assert key_of_message_id("<a.!!@x>", TEST_SECRET) is None
    # The scheme before issue 32 (an unkeyed digest anyone can compute) is recognised, as such
    token = message_id_local(key, TEST_SECRET).split(".")[1]
    assert key_of_message_id(f"<{digest_hex(key, 24)}.{token}@x>", TEST_SECRET) == AnsweredKey(key, False)


def test_only_the_receiving_servers_authentication_results_count():
    def sender_authenticated(*results: str, sender: str = "lan@example.com") -> bool:
        headers = {f"Authentication_Results{'_' * i}": r for i, r in enumerate(results)}
        raw = mails.reply(sender, "HỦY", message_id="<a@x>", in_reply_to=mails.OURS, **headers)
        return read_mail(raw, TEST_SECRET, "mx.test").authenticated

    assert sender_authenticated(mails.dmarc_pass("example.com"))
    assert sender_authenticated("mx.test; dkim=pass header.d=example.com")  # DKIM aligned with From
    assert sender_authenticated("mx.test; dkim=pass header.d=example.com", sender="lan@mail.example.com")
    assert not sender_authenticated("mx.test; dkim=pass header.d=evil.example")  # signed, but by someone else
    assert not sender_authenticated(mails.dmarc_pass("example.com", "mx.evil.example"))  # the sender's own header
    assert not sender_authenticated("mx.test; dmarc=fail header.from=example.com", mails.dmarc_pass("example.com"))
    assert not sender_authenticated("mx.test; dmarc=pass header.from=other.example")
    assert not sender_authenticated("mx.test; ((( unreadable")
    passed = mails.dmarc_pass("example.com")
    raw = mails.reply("lan@example.com", "HỦY", message_id="<a@x>", Authentication_Results=passed)
    assert not read_mail(raw, TEST_SECRET, "").authenticated  # no authserv-id set: nothing is authenticated


POISON = {
    "odd Message-ID": b"From: a@b.example\r\nMessage-ID: <<<@@@>>>\x00(\r\nIn-Reply-To: <\r\n\r\nhi\r\n",
    "a date in the year 99999999999": b"From: a@b.example\r\nDate: Mon, 1 Jan 99999999999 00:00:00 +0000\r\n\r\nhi",
    "a 10 KB From": b"From: " + b"a" * 10_000 + b"@b.example\r\n\r\nhi",
    "100 KB of nested MIME": b"From: a@b.example\r\n" + b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (n, n) for n in range(3000))[:100_000],
    "controls and bad bytes": b"From: \x01\xff <x@y.example>\r\nSubject: =?utf-8?b?////?=\r\n\r\n\x01\x02\xff\xfe",
}  # fmt: skip


@pytest.mark.parametrize("name", list(POISON))
def test_a_poison_message_is_read_or_unreadable_never_anything_else(name):
    try:
        mail = read_mail(POISON[name], TEST_SECRET, "mx.test")
    except Unreadable:
        return
    assert mail.answered is None and not mail.authenticated and "\x00" not in mail.text


def test_html_to_text_is_linear_even_for_a_megabyte_of_angle_brackets():
    assert " ".join(html_text("<p>Xin <b>chào</b></p><script>alert(1)</script>&amp; ok").split()) == "Xin chào & ok"
    for markup in ("<" * 1_000_000, "<a " * 300_000, "<script" * 100_000, "<" * 500_000 + ">"):
        started = time.process_time()
        html_text(markup)
        assert time.process_time() - started < 5  # quadratic would take hours; the guard of a whole run


@pytest.mark.parametrize(("text", "score"), [("2", 2), ("5 điểm", 5), ("4/5", 4), ("1 sao", 1), ("Tôi cho 3 điểm", 3),
                                             ("2 lần rồi", None), ("16/11/2026", None), ("0912345678", None),
                                             ("Cảm ơn", None)])  # fmt: skip
def test_a_score_replied_to_a_survey(text, score):
    from functions.core.replies import reply_score

    assert reply_score(text) == score


def test_every_kind_a_listening_run_counts_has_words_for_staff():
    from functions.core.i18n import MESSAGES
    from functions.escalate.reply_actions import UNCONFIRMED

    kinds = ("reply", "complaint", "refusal", "survey_answer", "bounce", "auto_reply", "channel_linked",
             "channel_other", UNCONFIRMED, "confirmed", CANCELLATION, "unreadable", "erased")  # fmt: skip
    assert [k for k in kinds if f"heard_{k}" not in MESSAGES] == []


def test_a_signed_link_is_dated_by_the_runs_moment_not_the_machines_clock():
    """Issue 33 (0): a run at another moment (`--now`) signs its links as of then; the page checks
    them against its own clock, so a demo run for 2030 answers its own surveys."""
    from datetime import datetime, timedelta

    from functions.core.tokens import Signer, TokenExpired
    from tests.helpers import VN

    signer, then = Signer(TEST_SECRET, "survey"), datetime(2030, 6, 15, 9, tzinfo=VN)
    token = signer.sign({"s": "SV-1"}, then)
    assert signer.verify(token, 86400, now=then + timedelta(hours=2)) == {"s": "SV-1"}
    with pytest.raises(TokenExpired):
        signer.verify(token, 86400, now=then + timedelta(days=2))


@pytest.mark.parametrize(("key", "channel", "words"), [
    ("checkin/C-009/2026-11-30", "email", "tin hỏi thăm sau mua ngày 30/11 (email)"),
    ("birthday/C-1/2026", "zalo", "lời chúc sinh nhật 2026 (zalo)"),
    ("survey/case/HS-ABCD2345", "", "khảo sát sau khi xử lý hồ sơ HS-ABCD2345"),
    ("bounce/R-3/65afb11ca4", "email", "một tin careloop đã gửi (email)"),
])  # fmt: skip
def test_staff_read_a_message_in_words_never_its_key(key, channel, words):
    """Issue 33 (1): the Replies tab's `Trả lời tin` and a bounce's System note name careloop's message."""
    from datetime import UTC, datetime

    from functions.core.ledger import UNDELIVERED, DeliveryReport
    from functions.core.messages import kind_of_key, message_words
    from functions.followup.job import _undelivered_note

    assert message_words(key, "vi", channel) == words
    at = datetime(2026, 11, 30, 9, tzinfo=UTC)
    note = _undelivered_note(
        DeliveryReport(key, "C-1", "email", UNDELIVERED, "550 5.1.1", at, kind_of_key(key)), at, "vi"
    )
    assert "/" not in note.split(" không tới được")[0].replace(f"{at:%d/%m}", "")  # its date, and no key


def test_a_bounce_mark_is_not_kept_past_retention():
    """Issue 33 (8): the marks of addresses that bounced go after retention_days, like every record."""
    from datetime import UTC, datetime

    from functions.core.replies import expired_marks

    marks = {"old": "2024-01-02T09:00:00+07:00", "new": "2026-11-20T09:00:00+07:00", "odd": "not a moment"}
    assert expired_marks(marks, datetime(2024, 12, 1, tzinfo=UTC)) == ["old"]
