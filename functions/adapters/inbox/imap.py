"""The Inbox port over IMAP (the standard library's imaplib).

Each message is taken once by its UID under the folder's UIDVALIDITY, kept by the caller — never by
the \\Seen flag: staff read the same mailbox. The folder is opened read-only and messages are
fetched with BODY.PEEK (nothing marked read), at most their first megabyte (an attachment is not
careloop's to read). Nothing is moved or deleted unless a done folder is set."""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from functions.core.errors import InboxUnavailable
from functions.core.replies import InboxBatch, InboxMark, InboxMessage

T = TypeVar("T")
FIRST_BYTES = 1024 * 1024
# One FETCH brings the messages of this many bytes at most (a few commands for a big batch), and a run
# takes this many at most: the rest wait for the next run, so memory stays flat whatever the attachments.
CHUNK_BYTES = 4 * 1024 * 1024
RUN_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    security: str  # ssl, starttls or none
    user: str
    password: str
    folder: str = "INBOX"
    done_folder: str = ""
    timeout: float = 30.0


class ImapInbox:
    def __init__(self, config: ImapConfig):
        self.config = config

    def messages_after(self, mark: InboxMark | None, since: date, limit: int) -> InboxBatch:
        with self._session(readonly=True) as (connection, validity):
            if mark is not None and mark.validity == validity:
                found = _uids(connection.uid("SEARCH", f"UID {mark.uid + 1}:*"))
                found = [uid for uid in found if uid > mark.uid]  # "n:*" names the last message even below n
            else:  # a first run, or the folder was rebuilt: what came lately, not the mailbox's whole past
                found = _uids(connection.uid("SEARCH", f"SINCE {since:%d-%b-%Y}"))
            wanted = sorted(found)[:limit]
            if not wanted:
                return InboxBatch(validity, [])
            sizes = _fetched(connection, wanted, "(UID RFC822.SIZE)", _size)
            messages: list[InboxMessage] = []
            for chunk in _chunks(wanted, {uid: min(size or 0, FIRST_BYTES) for uid, size in sizes.items()}):
                bodies = _fetched(connection, chunk, f"(UID INTERNALDATE BODY.PEEK[]<0.{FIRST_BYTES}>)", _message)
                messages += [m._replace(uid=uid) for uid, m in sorted(bodies.items()) if m is not None]
            return InboxBatch(validity, messages)

    def taken(self, uids: Sequence[int]) -> None:
        if not self.config.done_folder or not uids:
            return
        with self._session(readonly=False) as (connection, _):
            numbers = ",".join(str(uid) for uid in uids)
            target = _quoted(self.config.done_folder)
            _, answer = connection.capability()  # as the server says once logged in (the greeting's may lack MOVE)
            capabilities = set(b" ".join(a for a in answer if isinstance(a, bytes)).decode("ascii", "replace").split())
            if "MOVE" in capabilities:
                connection.uid("MOVE", numbers, target)
                return
            connection.uid("COPY", numbers, target)
            connection.uid("STORE", numbers, "+FLAGS.SILENT", r"(\Deleted)")
            if "UIDPLUS" in capabilities:
                connection.uid("EXPUNGE", numbers)

    def _session(self, readonly: bool) -> _Session:
        return _Session(self.config, readonly)


class _Session:
    """A logged-in connection with the folder selected; its UIDVALIDITY. Any failure: InboxUnavailable."""

    def __init__(self, config: ImapConfig, readonly: bool):
        self.config, self.readonly = config, readonly
        self.connection: imaplib.IMAP4 | None = None

    def __enter__(self) -> tuple[imaplib.IMAP4, int]:
        config = self.config
        where = f"IMAP {config.user}@{config.host}:{config.port}/{config.folder}"
        try:
            if config.security == "ssl":
                self.connection = imaplib.IMAP4_SSL(config.host, config.port, ssl_context=ssl.create_default_context(),
                                                    timeout=config.timeout)  # fmt: skip
            else:
                self.connection = imaplib.IMAP4(config.host, config.port, timeout=config.timeout)
                if config.security == "starttls":
                    self.connection.starttls(ssl.create_default_context())
            self.connection.login(config.user, config.password)
            status, _ = self.connection.select(_quoted(config.folder), readonly=self.readonly)
            if status != "OK":
                raise imaplib.IMAP4.error(f"no folder {config.folder!r}")
            validity = self.connection.response("UIDVALIDITY")[1]
            return self.connection, int(validity[0]) if validity and validity[0] else 0
        except (TimeoutError, imaplib.IMAP4.error, OSError, ssl.SSLError, ValueError) as error:
            self.__exit__()
            raise InboxUnavailable(f"{where}: {error}") from error

    def __exit__(self, *exc: object) -> None:
        if self.connection is not None:
            try:
                self.connection.logout()
            except (imaplib.IMAP4.error, OSError):
                pass
            self.connection = None
        if exc and isinstance(exc[1], (imaplib.IMAP4.error, OSError)):
            raise InboxUnavailable(f"IMAP {self.config.host}: {exc[1]}") from exc[1]


def _chunks(uids: Sequence[int], sizes: dict[int, int]) -> list[list[int]]:
    """The UIDs to fetch, in order, in groups of at most CHUNK_BYTES (a bigger message alone), until
    RUN_BYTES are taken (the first message always is)."""
    chunks: list[list[int]] = [[]]
    chunk_bytes = run_bytes = 0
    for uid in uids:
        size = sizes.get(uid, FIRST_BYTES)
        if run_bytes and run_bytes + size > RUN_BYTES:
            break
        if chunks[-1] and chunk_bytes + size > CHUNK_BYTES:
            chunks.append([])
            chunk_bytes = 0
        chunks[-1].append(uid)
        chunk_bytes, run_bytes = chunk_bytes + size, run_bytes + size
    return [c for c in chunks if c]


def _fetched(
    connection: imaplib.IMAP4, uids: Sequence[int], items: str, read: Callable[[bytes, bytes | None], T]
) -> dict[int, T]:
    """One UID FETCH of these messages: what `read` makes of each one's response (its head, and its
    literal when it has one), by UID."""
    status, data = connection.uid("FETCH", _uid_set(uids), items)
    if status != "OK":
        raise imaplib.IMAP4.error(f"FETCH {status}")
    found: dict[int, T] = {}
    for part in data or []:
        head, body = (part[0], part[1]) if isinstance(part, tuple) else (part, None)
        uid = _number(rb"UID (\d+)", head) if isinstance(head, bytes) else None
        if uid is not None and uid not in found:
            found[uid] = read(head, body if isinstance(body, bytes) else None)
    return found


def _size(head: bytes, _: bytes | None) -> int | None:
    return _number(rb"RFC822\.SIZE (\d+)", head)


def _message(head: bytes, body: bytes | None) -> InboxMessage | None:
    """A message's first bytes (its UID set by the caller), dated by the server."""
    return InboxMessage(0, body, _internal_date(head)) if body else None


def _uid_set(uids: Sequence[int]) -> str:
    """UIDs as IMAP's sequence set, in ranges: 101:140,142."""
    ranges: list[list[int]] = []
    for uid in sorted(uids):
        if ranges and uid == ranges[-1][1] + 1:
            ranges[-1][1] = uid
        else:
            ranges.append([uid, uid])
    return ",".join(str(a) if a == b else f"{a}:{b}" for a, b in ranges)


def _number(pattern: bytes, head: bytes) -> int | None:
    found = re.search(pattern, head)
    return int(found.group(1)) if found else None


def _internal_date(head: bytes) -> datetime | None:
    """When the server received the message (its INTERNALDATE): what a reply is dated by."""
    found = re.search(rb'INTERNALDATE "\s?(\d{1,2}-[A-Za-z]{3}-\d{4} \d\d:\d\d:\d\d [+-]\d{4})"', head)
    try:
        return datetime.strptime(found.group(1).decode(), "%d-%b-%Y %H:%M:%S %z") if found else None
    except ValueError:
        return None


def _uids(answer: tuple[str, list[bytes | None]]) -> list[int]:
    status, data = answer
    if status != "OK":
        raise imaplib.IMAP4.error(f"SEARCH {status}")
    return [int(n) for n in b" ".join(part or b"" for part in data).split() if n.isdigit()]


def _quoted(folder: str) -> str:
    """A folder name as IMAP takes it (quoted; no CR/LF: a setting, but checked all the same)."""
    if re.search(r"[\r\n\"\\\\]", folder):
        raise ValueError(f"not a folder name: {folder!r}")
    return f'"{folder}"'
