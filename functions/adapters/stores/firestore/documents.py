"""How careloop's records sit in Firestore documents: the collections, document ids made safe from
keys, and each record's fields (a day as text, so a query compares it exactly; what a query asks for alongside)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from functions.core.ledger import LedgerEntry
from functions.core.surveys import Survey, survey_fields
from functions.core.vouchers import Voucher, voucher_fields

LEDGER, OPT_OUTS, REPORTS, CASES, EVENTS, SURVEYS = "ledger", "opt_outs", "reports", "cases", "events", "surveys"
UNDELIVERED_REPORTS, SHORT_LINKS, CREDENTIALS, VOUCHERS = "undelivered", "short_links", "credentials", "vouchers"
JOB_STATE, INBOUND_EVENTS, REPLIES = "job_state", "inbound_events", "replies"
REPORT_LIMIT = 600_000  # bytes of JSON; a document holds at most 1 MiB, with the customers it names


def document_id(key: str) -> str:
    return key.replace("%", "%25").replace("~", "%7E").replace("/", "~")


def key_of(document: str) -> str:
    return document.replace("~", "/").replace("%7E", "~").replace("%25", "%")


def survey_document(survey: Survey) -> dict[str, Any]:
    """The survey, and when it was last answered (what the escalation run asks for)."""
    return {**survey_fields(survey), "answered_at": survey.latest.at if survey.latest else None}


def voucher_document(voucher: Voucher) -> dict[str, Any]:
    """The voucher, and whether it was used (what the Dashboard counts)."""
    return {**voucher_fields(voucher), "used": voucher.used_on is not None}


def entry_fields(entry: LedgerEntry) -> dict[str, Any]:
    """A new reservation: updated when reserved; the day as text, so a query compares it exactly."""
    return {
        **dataclasses.asdict(entry),
        "business_day": entry.business_day.isoformat(),
        "attempts": list(entry.attempts),
        "updated_at": entry.reserved_at,
    }


def entry_from(fields: Mapping[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        fields["key"],
        fields["customer_id"],
        fields["kind"],
        fields["channel"],
        date.fromisoformat(fields["business_day"]),
        fields["state"],
        fields.get("reserved_at"),
        fields.get("updated_at"),
        fields.get("error", ""),
        tuple(fields.get("attempts", ())),
        bool(fields.get("keyed_id", False)),  # an entry kept from before issue 32: its Message-ID was unkeyed
    )


def fitted(report: Mapping[str, Any]) -> str:
    """The report as JSON, its longest lists cut (and marked) until it fits one document."""
    body = dict(report)
    text = json.dumps(body, ensure_ascii=False, default=str)
    truncated: list[str] = []
    while len(text.encode()) > REPORT_LIMIT:
        lists = [k for k, v in body.items() if isinstance(v, list) and len(v) > 1 and k != "truncated"]
        if not lists:
            break
        longest = max(lists, key=lambda k: len(body[k]))
        body[longest] = body[longest][: len(body[longest]) // 2]
        if longest not in truncated:
            truncated.append(longest)
        body["truncated"] = truncated
        text = json.dumps(body, ensure_ascii=False, default=str)
    return text
