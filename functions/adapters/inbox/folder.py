"""The Inbox port over a folder of messages on this computer: `.eml` files (as mail programs save
them) and a Maildir's `new/` and `cur/`, for a single PC without an IMAP mailbox, and the demo.

A message's UID is when its file arrived (its modification time, in microseconds): a file saved
later comes after every one taken before. The folder's UIDVALIDITY is 1. Nothing is moved or
deleted: the folder is left as it is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from functions.core.errors import InboxUnavailable
from functions.core.replies import InboxBatch, InboxMark, InboxMessage

FIRST_BYTES = 1024 * 1024  # as over IMAP: an attachment is not careloop's to read
VALIDITY = 1


class FolderInbox:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def messages_after(self, mark: InboxMark | None, since: date, limit: int) -> InboxBatch:
        if not self.folder.is_dir():
            raise InboxUnavailable(f"mail folder {self.folder}: not a folder")
        after = mark.uid if mark is not None and mark.validity == VALIDITY else 0
        floor = int(datetime.combine(since, datetime.min.time(), UTC).timestamp() * 1_000_000)
        found = sorted((uid, path) for path in self._files() if (uid := path.stat().st_mtime_ns // 1000) > after
                       and uid >= floor)  # fmt: skip
        if len(found) > limit:  # cut between arrival times, never inside one: no file is passed over
            last = found[limit - 1][0]
            found = [(uid, path) for uid, path in found if uid <= last]
        try:
            return InboxBatch(VALIDITY, [InboxMessage(uid, _first_bytes(path), _arrived(uid)) for uid, path in found])
        except OSError as error:
            raise InboxUnavailable(f"mail folder {self.folder}: {error}") from error

    def taken(self, uids: Sequence[int]) -> None:
        """The folder is left as it is."""

    def _files(self) -> list[Path]:
        places = [self.folder, self.folder / "new", self.folder / "cur"]
        return [p for place in places if place.is_dir() for p in place.iterdir()
                if p.is_file() and (place != self.folder or p.suffix.lower() == ".eml")]  # fmt: skip


def _arrived(uid: int) -> datetime:
    """When the file arrived (its UID is its modification time in microseconds)."""
    return datetime.fromtimestamp(uid / 1_000_000, UTC)


def _first_bytes(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(FIRST_BYTES)
