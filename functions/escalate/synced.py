"""Which Cases-tab rows careloop last found in step with the store: a digest of each row, by Case ID.

A run reads the open cases and only those closed cases whose row differs from its digest (staff
changed it), whose row is gone (to put back) or that no digest knows yet — not every case ever
opened. A digest is taken of a row as the run read it and needed no write, so a stale one only
costs a read: the row differs, the case is read and compared again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from functions.core.ids import digest_hex
from functions.core.text import cell_text
from functions.escalate.plan import CaseRow
from functions.ports import Store

SHARDS = 4  # digests spread over a few small state documents (a Firestore document holds 1 MiB)


def row_digest(row: CaseRow) -> str:
    return digest_hex("\x1f".join(f"{key}={cell_text(value)}" for key, value in sorted(row.cells.items())), 12)


def _shard_name(number: int) -> str:
    return f"escalate-rows-{number}"


def _shard(case_id: str) -> str:
    return _shard_name(int(digest_hex(case_id, 4), 16) % SHARDS)


def load(store: Store) -> dict[str, str]:
    digests: dict[str, str] = {}
    for number in range(SHARDS):
        digests.update(store.job_state(_shard_name(number)))
    return digests


def changes(
    rows: Iterable[CaseRow], read: Mapping[str, bool], written: Collection[str], digests: Mapping[str, str]
) -> dict[str, str | None]:
    """After a write-back, the digests that change: each closed case's row that needed no write
    gets one; a row written is read again next run; an open case is read every run and needs none.
    `read`: the cases this run read, by ID → whether closed."""
    wanted: dict[str, str | None] = {case_id: None for case_id, closed in read.items() if not closed}
    wanted |= {r.case_id: None if r.case_id in written else row_digest(r) for r in rows if read.get(r.case_id)}
    return {case_id: digest for case_id, digest in wanted.items() if digests.get(case_id) != digest}


def save(store: Store, changes: Mapping[str, str | None]) -> None:
    """Set each case's digest (None: forget it)."""
    by_shard: dict[str, dict[str, str | None]] = {}
    for case_id, digest in changes.items():
        by_shard.setdefault(_shard(case_id), {})[case_id] = digest
    for name, fields in by_shard.items():
        store.save_job_state(name, fields)
