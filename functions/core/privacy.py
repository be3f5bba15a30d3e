"""A customer's personal data, erased on request (pure): what of each record goes, what stays so the
figures still add up (IDs, kinds, days, tiers, scores, times), and the keyed marks that keep an
erased customer from being written to again without keeping their address.

Law on Personal Data Protection No. 91/2025/QH15 (from 1 January 2026): a customer may see, correct
and have erased what the business holds about them."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from functions.core.cases import CaseEvent, CaseRecord
from functions.core.ledger import LedgerEntry
from functions.core.surveys import Survey
from functions.core.vouchers import Voucher

ERASED = "[đã xóa / erased]"  # what a personal string becomes inside a report or a state
SUPPRESSED = "erased:"  # an opt-out kept for each erased customer's address: this, then the address's keyed mark
# A Customers row's cells that are the customer's own data (the ID, the ticks and careloop's columns stay).
PERSONAL_CELLS = ("name", "salutation", "email", "phone", "birthday", "purchase_date", "issue")
# Of careloop's own tabs, the cells that are a customer's data (the row's ID and figures stay).
TAB_PERSONAL_CELLS = {
    "cases": ("customer", "issue", "resolution_note", "system_note"),
    "calls": ("name", "phone", "note", "system_note"),
    "vouchers": ("customer", "system_note"),
    "replies": ("name", "text", "system_note"),
}


# Job states named so hold no personal data (Case IDs and digests of their rows): erasure does not read them.
NOT_PERSONAL_STATES = "escalate-rows-"
PHONE = re.compile(r"\+?\d{8,15}")  # a personal string that is a phone number (a dial link's target starts with it)


def customers_named(report: Any) -> list[str]:
    """The customers a run report names, so an erasure reads only the reports that name its customer:
    each `customer_id` in it, and the customer of each ledger key under `key` ("checkin/C-1/2026-11-16").
    Every entry of a report that names a customer's data carries one or the other."""
    found: set[str] = set()
    stack = [report]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, str) and key == "customer_id" and item:
                    found.add(item)
                elif isinstance(item, str) and key == "key" and item.count("/") >= 2:
                    found.add(item.split("/")[1])
                else:
                    stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
    return sorted(found)


def personal_strings(*values: str | None) -> tuple[str, ...]:
    """The texts to scrub wherever they were copied (a name, an address, a phone as typed and as
    E.164): long enough not to erase common words."""
    found = []
    for value in values:
        text = " ".join((value or "").split())
        if len(text) >= 5:
            found.append(text)
            if text.startswith("+84"):
                found.append("0" + text[3:])  # as Vietnamese staff type it
                found.append(text[1:])  # as Zalo writes it
    return tuple(dict.fromkeys(found))


def rows_of(table: Any, columns: dict[str, int], customer_id: str) -> list[dict[str, Any]]:
    """A tab's rows about the customer, by its headers (what `careloop export` shows of the sheet)."""
    at = columns.get("customer_id", columns.get("id"))
    if at is None:
        return []
    return [{str(h): v for h, v in zip(table.header, raw, strict=False) if h not in (None, "") and v not in (None, "")}
            for raw in table.rows if at < len(raw) and str(raw[at] or "").strip() == customer_id]  # fmt: skip


def own_texts(cases: Iterable[CaseRecord], surveys: Iterable[Survey]) -> tuple[str, ...]:
    """What the customer wrote or was called in their records (a complaint, a comment): scrubbed too
    wherever it was copied (a case's history, a run's report)."""
    texts = [t for c in cases for t in (c.customer_name, c.customer_email, c.issue, c.resolution_note)]
    return personal_strings(*texts, *(a.comment for s in surveys for a in s.answers))


def scrubbed(value: Any, personal: Sequence[str]) -> Any:
    """`value` (a report, a state: JSON-like) with every personal string in it replaced by ERASED."""
    if isinstance(value, str):
        texts = sorted((t for t in personal if t), key=len, reverse=True)  # "0912345678" before its parts
        return re.sub("|".join(map(re.escape, texts)), ERASED, value, flags=re.IGNORECASE) if texts else value
    if isinstance(value, dict):
        return {key: scrubbed(item, personal) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrubbed(item, personal) for item in value)
    return value


def erased_entry(entry: LedgerEntry) -> LedgerEntry:
    """A message's ledger entry keeps its key, kind, channel, day and state; the provider's words
    (which may name the address) go, and each failed channel keeps only its name."""
    return dataclasses.replace(entry, error="", attempts=tuple(a.split(":")[0] for a in entry.attempts))


def erased_case(case: CaseRecord, at: datetime) -> CaseRecord:
    """The case keeps its ID, category, tier, owner and times (the SLA figures); the customer's name,
    address and words go."""
    return case.changed(customer_name="", customer_email="", issue="", resolution_note="", extra={},
                        updated_at=max(case.updated_at or at, at))  # fmt: skip


def erased_event(event: CaseEvent, personal: Sequence[str]) -> CaseEvent:
    return dataclasses.replace(event, detail=scrubbed(event.detail, personal))


def erased_survey(survey: Survey) -> Survey:
    """Scores and when they were given stay (CSAT); comments go."""
    return dataclasses.replace(survey, answers=tuple(dataclasses.replace(a, comment="") for a in survey.answers))


def erased_voucher(voucher: Voucher) -> Voucher:
    return voucher._replace(customer_name="")


def suppression_mark(address: str, key: str) -> str:
    """An address kept as a keyed mark only: enough to know it again, useless to anyone without the key."""
    return hmac.new(key.encode(), address.strip().casefold().encode(), hashlib.sha256).hexdigest()[:32]


def suppression_opt_outs(addresses: Iterable[str], key: str) -> list[str]:
    """The opt-outs that keep an erased customer's addresses from ever being written to again."""
    return [SUPPRESSED + suppression_mark(a, key) for a in addresses if a]


def suppression_check(opted_out: Iterable[str], key: str) -> Callable[[Iterable[str | None]], bool]:
    """Whether any of a customer's addresses is one erased on request (never to be written to again);
    the erased marks are gathered once, so a run asks it of every row cheaply (nothing to hash when none)."""
    known = frozenset(o for o in opted_out if o.startswith(SUPPRESSED))
    if not known:
        return lambda addresses: False
    return lambda addresses: any(a and SUPPRESSED + suppression_mark(a, key) in known for a in addresses)
