"""The Inbox port's contract, on every adapter: a real IMAP server (Dovecot on 127.0.0.1) and a mail
folder on this computer. Messages come in order of arrival, each once after the mark, at most
`limit` a batch (the rest the next time), and nothing in the mailbox is changed."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from functions.adapters.inbox.folder import FolderInbox
from functions.adapters.inbox.imap import ImapConfig, ImapInbox
from functions.core.replies import InboxMark, read_mail
from tests.helpers import mails
from tests.helpers.dovecot import PASSWORD, USER, Dovecot

SINCE = date(2026, 11, 1)


@pytest.fixture(params=["imap", "folder"])
def mailbox(request, tmp_path) -> Iterator[tuple[object, Callable[[bytes], None]]]:
    if request.param == "imap":
        with Dovecot() as server:
            yield ImapInbox(ImapConfig("127.0.0.1", server.port, "none", USER, PASSWORD)), server.deliver
        return
    folder = tmp_path / "thu-den"
    folder.mkdir()
    count = iter(range(1, 1000))

    def deliver(raw: bytes, at: datetime | None = None) -> None:
        path = Path(folder) / f"{next(count):04d}.eml"
        path.write_bytes(raw)
        start = int(at.timestamp() * 1e9) if at else time.time_ns()
        stamp = start + next(count) * 1000  # distinct arrival times, as files saved one after another
        os.utime(path, ns=(stamp, stamp))

    yield FolderInbox(folder), deliver


def test_messages_come_once_after_the_mark_at_most_limit_a_batch(mailbox):
    inbox, deliver = mailbox
    for n in range(3):
        deliver(mails.reply("lan@example.com", f"thư {n}", message_id=f"<m{n}@ex>"))
    first = inbox.messages_after(None, SINCE, 2)
    assert [read_mail(m.raw).text for m in first.messages] == ["thư 0", "thư 1"]
    mark = InboxMark(first.validity, max(m.uid for m in first.messages))
    rest = inbox.messages_after(mark, SINCE, 2)
    assert [read_mail(m.raw).text for m in rest.messages] == ["thư 2"]
    mark = InboxMark(rest.validity, rest.messages[-1].uid)
    assert inbox.messages_after(mark, SINCE, 2).messages == []
    deliver(mails.reply("lan@example.com", "thư 3", message_id="<m3@ex>"))
    (late,) = inbox.messages_after(mark, SINCE, 2).messages
    assert read_mail(late.raw).text == "thư 3"
    assert len(inbox.messages_after(None, SINCE, 10).messages) == 4  # nothing was moved, marked or deleted


def test_each_message_comes_with_when_the_mailbox_received_it_not_what_its_date_says(mailbox):
    """Issue 32: a reply is dated by its arrival (IMAP INTERNALDATE, the file's time), never by the
    sender's Date: header (which says 24/11/2026 here, and could say anything)."""
    inbox, deliver = mailbox
    arrived = datetime(2026, 11, 25, 10, 10, tzinfo=UTC)
    deliver(mails.reply("lan@example.com", "2", message_id="<d1@ex>"), at=arrived)
    (message,) = inbox.messages_after(None, SINCE, 5).messages
    assert message.arrived is not None and abs(message.arrived - arrived) < timedelta(seconds=1)
    assert read_mail(message.raw, arrived=message.arrived).received == message.arrived
