import ssl
from email import message_from_bytes, policy

import pytest

from functions.adapters.channels.outbox import OutboxChannel
from functions.adapters.channels.smtp import SmtpChannel, SmtpConfig
from functions.core.errors import PermanentDeliveryError, TransientDeliveryError
from functions.core.messages import OutgoingMessage
from tests.helpers.smtp_server import Recorder, SmtpServer, self_signed_certificate

MESSAGE = OutgoingMessage(
    key="birthday/C-1/2026",
    channel="email",
    to="lan.nguyen@example.com",
    to_name="Nguyễn Thị Lan",
    subject="Chúc mừng sinh nhật chị Lan! 🎂",
    text="Chào chị Lan,\nChúc mừng sinh nhật.\n",
    html="<p>Chào chị Lan,</p>",
    unsubscribe_url="https://care.example.vn/unsubscribe/TOKEN",
    language="vi",
)


def check_email(email):
    assert email["Subject"] == MESSAGE.subject
    assert email["To"].addresses[0].addr_spec == "lan.nguyen@example.com"
    assert email["To"].addresses[0].display_name == "Nguyễn Thị Lan"
    assert email["From"].addresses[0].display_name == "Văn phòng Luật Minh An"
    assert email["List-Unsubscribe"] == "<https://care.example.vn/unsubscribe/TOKEN>"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email["Message-ID"].endswith("@luatminhan.vn>")
    assert email.get_body(("plain",)).get_content().replace("\r\n", "\n") == MESSAGE.text
    assert email.get_body(("html",)).get_content().strip() == MESSAGE.html


def test_outbox_writes_one_parseable_eml_per_delivery(tmp_path):
    outbox = OutboxChannel(tmp_path / "outbox", "Văn phòng Luật Minh An", "cskh@luatminhan.vn")
    outbox.deliver(MESSAGE)
    outbox.deliver(MESSAGE)  # delivered twice shows as two files, never overwritten
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2 and "birthday_C-1_2026" in files[0].name
    raw = files[0].read_bytes()
    assert b"=?utf-8?" in raw.lower() or b"=?UTF-8?" in raw  # the Vietnamese subject is encoded
    check_email(message_from_bytes(raw, policy=policy.default))


def test_outbox_refuses_channels_it_cannot_send(tmp_path):
    with pytest.raises(PermanentDeliveryError, match="channel sms is not supported"):
        OutboxChannel(tmp_path, "x", "a@b.vn").deliver(OutgoingMessage(**{**MESSAGE.__dict__, "channel": "sms"}))


def smtp(port, **kw):
    return SmtpChannel(
        SmtpConfig(
            "127.0.0.1", port, sender_name="Văn phòng Luật Minh An", sender_email="cskh@luatminhan.vn", timeout=5, **kw
        )
    )


def test_smtp_plain_delivers_and_reuses_the_connection():
    recorder = Recorder()
    with SmtpServer(recorder) as server:
        channel = smtp(server.port, security="none")
        channel.deliver(MESSAGE)
        channel.deliver(MESSAGE)
        channel.close()
    assert len(recorder.messages) == 2
    check_email(recorder.messages[0])
    assert recorder.envelopes[0].mail_from == "cskh@luatminhan.vn"


def test_smtp_starttls_with_login(tmp_path):
    cert, key = self_signed_certificate(tmp_path)
    recorder = Recorder()
    with SmtpServer(recorder, tls=(cert, key), user="cskh", password="mật khẩu") as server:
        trust = ssl.create_default_context(cafile=str(cert))
        channel = smtp(server.port, security="starttls", user="cskh", password="mật khẩu", tls_context=trust)
        channel.deliver(MESSAGE)
        channel.close()
        wrong = smtp(server.port, security="starttls", user="cskh", password="sai", tls_context=trust)
        with pytest.raises(PermanentDeliveryError, match="login"):
            wrong.deliver(MESSAGE)
    assert len(recorder.messages) == 1


def test_smtp_implicit_tls(tmp_path):
    cert, key = self_signed_certificate(tmp_path)
    recorder = Recorder()
    with SmtpServer(recorder, tls=(cert, key), implicit_tls=True) as server:
        channel = smtp(server.port, security="tls", tls_context=ssl.create_default_context(cafile=str(cert)))
        channel.deliver(MESSAGE)
        channel.close()
    assert len(recorder.messages) == 1


def test_smtp_refuses_an_untrusted_certificate(tmp_path):
    cert, key = self_signed_certificate(tmp_path)
    with SmtpServer(Recorder(), tls=(cert, key)) as server:
        with pytest.raises(TransientDeliveryError, match=f"SMTP 127.0.0.1:{server.port}: .*CERTIFICATE_VERIFY_FAILED"):
            smtp(server.port, security="starttls").deliver(MESSAGE)


def test_smtp_4xx_is_transient_5xx_permanent():
    recorder = Recorder(busy=1, reject={"gone@example.com"})
    with SmtpServer(recorder) as server:
        channel = smtp(server.port, security="none")
        with pytest.raises(TransientDeliveryError, match="451"):
            channel.deliver(MESSAGE)
        channel.deliver(MESSAGE)  # the retry goes through on a fresh connection
        with pytest.raises(PermanentDeliveryError, match="550"):
            channel.deliver(OutgoingMessage(**{**MESSAGE.__dict__, "to": "gone@example.com"}))
        channel.close()
    assert len(recorder.messages) == 1


def test_smtp_server_down_is_transient():
    from tests.helpers import free_port

    port = free_port()
    with pytest.raises(TransientDeliveryError, match=f"SMTP 127.0.0.1:{port}: .*refused"):
        smtp(port, security="none").deliver(MESSAGE)
