"""Issue 25: what comes back by email, read (pure): replies in the encodings mail programs use,
quoted history and signatures cut, formulas made text, bounces and auto-replies told apart."""

import pytest

from functions.core.replies import AUTO_REPLY, BOUNCE, COMPLAINT, REFUSAL, REPLY, read_mail, reply_kind
from tests.helpers import mails

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
    assert reply_kind(text) == REPLY


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
    mail = read_mail(mails.bounce("lan@example.com", "checkin/C-1/2026-11-16", "<b1@mx>"))
    assert mail.kind == BOUNCE and mail.bounce is not None
    assert (mail.bounce.recipient, mail.bounce.status, mail.bounce.key) == (
        "lan@example.com", "5.1.1", "checkin/C-1/2026-11-16")  # fmt: skip
    assert "mailbox does not exist" in mail.bounce.detail
    assert read_mail(mails.bounce("lan@example.com", "k", "<b2@mx>", status="4.2.2")).kind == AUTO_REPLY  # soft


def test_a_reply_names_the_message_it_answers_through_careloops_message_id():
    from functions.core.ids import key_of_message_id, message_id_local

    key = "checkin/C-00042/2026-11-16"
    ours = f"<{message_id_local(key)}@luatminhan.vn>"
    assert key_of_message_id(ours) == key
    mail = read_mail(mails.reply("lan.work@example.net", "Cảm ơn", message_id="<r9@x>", in_reply_to=ours))
    assert mail.answered_key == key
    altered = ours.replace(
        message_id_local(key).split(".")[1], message_id_local("checkin/C-1/2026-11-16").split(".")[1]
    )
    assert key_of_message_id(altered) is None  # the digest no longer matches: not careloop's
    assert key_of_message_id("<random-id@gmail.com>") is None and key_of_message_id("<a.!!@x>") is None


@pytest.mark.parametrize(("text", "score"), [("2", 2), ("5 điểm", 5), ("4/5", 4), ("1 sao", 1), ("Tôi cho 3 điểm", 3),
                                             ("2 lần rồi", None), ("16/11/2026", None), ("0912345678", None),
                                             ("Cảm ơn", None)])  # fmt: skip
def test_a_score_replied_to_a_survey(text, score):
    from functions.core.replies import reply_score

    assert reply_score(text) == score
