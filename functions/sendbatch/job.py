"""The send_batch job: one batch from the send queue, sent through the one send path. Each message
is claimed (QUEUED → RESERVED) before it goes, so a batch delivered twice, or by two runs at once,
sends each message once; a run killed mid-batch leaves at most its message in flight in doubt."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from functions.core.privacy import suppression_check
from functions.delivery import Delivery, deliver
from functions.fanout import decode
from functions.ports import Channel, JobState, Ledger, OptOuts, Surveys, Vouchers
from functions.retry import RetryPolicy

JOB = "send_batch"


@dataclass
class SendBatchRecords:
    """What sending a batch writes, and its run's report."""

    ledger: Ledger
    surveys: Surveys
    vouchers: Vouchers
    opt_outs: OptOuts  # checked at send time: a customer may refuse or be erased after the batch was queued
    job_state: JobState


@dataclass
class SendBatchDeps:
    records: SendBatchRecords
    channels: Mapping[str, Channel]
    secret: str  # the signing key: a batch's signature is checked before anything in it is claimed
    retry: RetryPolicy


def run_send_batch(deps: SendBatchDeps, payload: bytes, now: datetime, batch_id: str = "") -> dict[str, Any]:
    """Raises BatchUnreadable for a payload careloop did not make (nothing is sent)."""
    deliveries, dropped = _still_wanted(deps, decode(payload, deps.secret), now)
    outcome = deliver(deps.records, deps.channels, deps.retry, deliveries, now, queued=True)
    report: dict[str, Any] = {
        "job": JOB,
        "now": now.isoformat(),
        "batch": batch_id,
        "sent": [{"key": d.key, "channel": outcome.channel(d)} for d in outcome.sent],
        "skipped": [d.key for d in outcome.skipped],  # claimed by an earlier delivery of the batch, or released
        "failed": [{"key": d.key, "error": error} for d, error in outcome.failed],
        "unknown": [{"key": d.key, "error": error} for d, error in outcome.unknown],
        "deferred": [d.key for d in outcome.deferred],
        "provider_refused": dict(outcome.refused),
        "dropped": dropped,
    }
    report["summary"] = {k: len(report[k]) for k in ("sent", "skipped", "failed", "unknown", "deferred", "dropped")}
    deps.records.job_state.save_report(report)
    return report


def _still_wanted(deps: SendBatchDeps, deliveries: list[Delivery], now: datetime) -> tuple[list[Delivery], list[Any]]:
    """The batch's messages whose customer has not refused messages or been erased since it was
    queued; each other one is claimed and marked failed ("dropped: …"), so no later delivery sends it."""
    opted_out = deps.records.opt_outs.opt_outs()
    erased = suppression_check(opted_out, deps.secret)
    wanted, dropped = [], []
    for delivery in deliveries:
        why = "opted_out" if delivery.entry.customer_id in opted_out else ""
        why = why or ("erased" if erased([m.to for m in delivery.choices]) else "")
        if not why:
            wanted.append(delivery)
        elif deps.records.ledger.claim(None, now, delivery.key):  # still queued: nobody sends it now
            deps.records.ledger.fail(delivery.key, f"dropped: {why}", now)
            dropped.append({"key": delivery.key, "reason": why})
    return wanted, dropped
