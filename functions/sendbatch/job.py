"""The send_batch job: one batch from the send queue, sent through the one send path. Each message
is claimed (QUEUED → RESERVED) before it goes, so a batch delivered twice, or by two runs at once,
sends each message once; a run killed mid-batch leaves at most its message in flight in doubt."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from functions.delivery import deliver
from functions.fanout import decode
from functions.ports import Channel, JobState, Ledger, Surveys, Vouchers
from functions.retry import RetryPolicy

JOB = "send_batch"


@dataclass
class SendBatchRecords:
    """What sending a batch writes, and its run's report."""

    ledger: Ledger
    surveys: Surveys
    vouchers: Vouchers
    job_state: JobState


@dataclass
class SendBatchDeps:
    records: SendBatchRecords
    channels: Mapping[str, Channel]
    secret: str  # the signing key: a batch's signature is checked before anything in it is claimed
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def run_send_batch(deps: SendBatchDeps, payload: bytes, now: datetime, batch_id: str = "") -> dict[str, Any]:
    """Raises BatchUnreadable for a payload careloop did not make (nothing is sent)."""
    deliveries = decode(payload, deps.secret)
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
    }
    report["summary"] = {k: len(report[k]) for k in ("sent", "skipped", "failed", "unknown", "deferred")}
    deps.records.job_state.save_report(report)
    return report
