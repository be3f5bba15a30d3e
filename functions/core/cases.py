"""Cases: the record of one complaint, its status words, and the identity that makes opening a
case happen exactly once (pure). Shared by escalation (a ticked row) and surveys (a low score)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from functions.core.i18n import say
from functions.core.ids import derived_id, digest_hex, looks_derived
from functions.core.text import fold

OPEN, IN_PROGRESS, RESOLVED = "open", "in_progress", "resolved"
STATUS_TITLES = {
    "vi": {OPEN: "Mở", IN_PROGRESS: "Đang xử lý", RESOLVED: "Đã giải quyết"},
    "en": {OPEN: "Open", IN_PROGRESS: "In progress", RESOLVED: "Resolved"},
}
_STATUS_WORDS = {fold(title): status for titles in STATUS_TITLES.values() for status, title in titles.items()}
_STATUS_WORDS.update(
    {
        "moi": OPEN,
        "dang lam": IN_PROGRESS,
        "xong": RESOLVED,
        "da xong": RESOLVED,
        "done": RESOLVED,
        "closed": RESOLVED,
        "dong": RESOLVED,
        "in-progress": IN_PROGRESS,
    }
)
DATETIME_FIELDS = ("created_at", "first_response_due", "resolve_due", "first_responded_at", "resolved_at", "updated_at")


ANY_CATEGORY = "*"  # the escalation matrix's default row, and a complaint staff gave no category


def category_title(category: str, language: str) -> str:
    """A category as staff read it: the default row's `*` is "Chưa phân loại" / "Uncategorised"."""
    return say("uncategorised", language) if category in ("", ANY_CATEGORY) else category


def read_status(text: str) -> str | None:
    """A Status cell as staff typed it → open / in_progress / resolved; None when unreadable."""
    return _STATUS_WORDS.get(fold(text))


def flag_key(source: str, customer_id: str, *parts: str) -> str:
    """One key per complaint: the same ticked row (or the same survey) always gives the same key."""
    digest = digest_hex("|".join(fold(p) for p in parts), 12)
    return f"{source}/{customer_id}/{digest}"


CASE_ID_PREFIX, CASE_ID_LENGTH = "HS-", 8


def case_id_for(key: str) -> str:
    """A short Case ID derived from the key, so a re-run after a crash finds the same case."""
    return derived_id(CASE_ID_PREFIX, key, CASE_ID_LENGTH)


def could_be_case_id(text: str) -> bool:
    """Whether a cell could hold a Case ID careloop made ("HS-" and 8 base32 characters): anything
    else is no case, and is never looked up (a huge or odd cell must not reach the store)."""
    return looks_derived(text, CASE_ID_PREFIX, CASE_ID_LENGTH)


@dataclass(frozen=True)
class CaseRecord:
    case_id: str
    key: str
    customer_id: str
    customer_name: str
    category: str
    issue: str
    tier: int
    initial_tier: int
    owner: str  # "Name <email>"
    owner_email: str
    status: str
    created_at: datetime
    first_response_due: datetime
    resolve_due: datetime
    first_responded_at: datetime | None = None
    resolved_at: datetime | None = None
    updated_at: datetime | None = None
    source: str = "escalate"  # or "csat"
    language: str = "vi"
    customer_email: str = ""
    resolution_note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def changed(self, **changes: Any) -> CaseRecord:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class CaseEvent:
    case_id: str
    at: datetime
    kind: str  # opened, status, escalated, notified, reminded, restored
    detail: dict[str, Any] = field(default_factory=dict)


def case_fields(case: CaseRecord) -> dict[str, Any]:
    return dataclasses.asdict(case)


def case_from_fields(fields: Mapping[str, Any]) -> CaseRecord:
    known = {f.name for f in dataclasses.fields(CaseRecord)}
    return CaseRecord(**{k: v for k, v in fields.items() if k in known})
