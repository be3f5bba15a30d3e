"""Issue 37 (2): listening in few round trips, against a real IMAP server (Dovecot on 127.0.0.1). A run
taking 200 replies sends a handful of IMAP commands (the batch's sizes in one FETCH, the messages in
a few more), not one per message; messages with big attachments are taken by a byte budget, the rest
the next run, so a run's memory stays flat whatever they carry."""

from __future__ import annotations

import imaplib
from datetime import date
from email.message import EmailMessage

import pytest

from functions.adapters.inbox import imap
from functions.adapters.inbox.imap import ImapConfig, ImapInbox
from functions.core.replies import InboxMark
from tests.helpers import mails
from tests.helpers.dovecot import PASSWORD, USER

SINCE = date(2026, 11, 1)


@pytest.fixture
def commands(monkeypatch):
    """Every IMAP command the client sends, by name."""
    sent: list[str] = []
    original = imaplib.IMAP4._command

    def counted(self, name, *args):
        sent.append(name)
        return original(self, name, *args)

    monkeypatch.setattr(imaplib.IMAP4, "_command", counted)
    return sent


def with_attachment(n: int, size: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"k{n}@example.com"
    message["To"] = "cskh@luatminhan.vn"
    message["Subject"] = "Re: hồ sơ"
    message["Message-ID"] = f"<big{n}@ex>"
    message.set_content("Gửi anh chị bản scan hợp đồng.")
    message.add_attachment(bytes(range(256)) * (size // 256), maintype="application", subtype="pdf",
                           filename="hop-dong.pdf")  # fmt: skip
    return message.as_bytes()


def test_two_hundred_replies_take_a_handful_of_commands_not_one_each(mailbox, commands):
    for n in range(200):
        mailbox.deliver(mails.reply(f"k{n}@example.com", f"Cảm ơn, lần {n}", message_id=f"<r{n}@ex>"))
    inbox = ImapInbox(ImapConfig("127.0.0.1", mailbox.port, "none", USER, PASSWORD))
    batch = inbox.messages_after(None, SINCE, 200)
    assert len(batch.messages) == 200 and len({m.uid for m in batch.messages}) == 200
    assert [m.uid for m in batch.messages] == sorted(m.uid for m in batch.messages)
    assert all(f"lần {n}".encode() in m.raw or b"=" in m.raw for n, m in enumerate(batch.messages))
    assert len(commands) <= 10, commands  # LOGIN, SELECT, SEARCH, FETCH sizes, FETCH messages, LOGOUT…


def test_big_attachments_are_taken_by_a_byte_budget_and_the_rest_wait_for_the_next_run(mailbox, commands, monkeypatch):
    monkeypatch.setattr(imap, "RUN_BYTES", 3 * imap.FIRST_BYTES)  # a small budget: the same rule, fewer bytes
    for n in range(5):
        mailbox.deliver(with_attachment(n, 2 * imap.FIRST_BYTES))  # each 2 MiB: only its first MiB is read
    inbox = ImapInbox(ImapConfig("127.0.0.1", mailbox.port, "none", USER, PASSWORD))
    first = inbox.messages_after(None, SINCE, 200)
    assert len(first.messages) == 3 and all(len(m.raw) <= imap.FIRST_BYTES for m in first.messages)
    rest = inbox.messages_after(InboxMark(first.validity, first.messages[-1].uid), SINCE, 200)
    assert len(rest.messages) == 2 and rest.messages[0].uid > first.messages[-1].uid
