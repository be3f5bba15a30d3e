"""Which Cases-tab rows careloop last found in step with the store: a digest of each row, by Case ID.

A run reads the open cases and only those closed cases whose row differs from its digest (staff
changed it), whose row is gone (to put back) or that no digest knows yet — not every case ever
opened. A digest is taken of a row as the run read it and needed no write, so a stale one only
costs a read: the row differs, the case is read and compared again. The digests live in a few
state documents, twice as many each time they would hold more than PER_SHARD, so none nears
Firestore's 1 MiB whatever the history (the count is kept in the job's state).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from functions.core.ids import digest_hex
from functions.core.privacy import NOT_PERSONAL_STATES
from functions.core.text import cell_text
from functions.escalate.plan import CaseRow
from functions.ports import JobState

SHARDS = 4  # the fewest state documents the digests are spread over
PER_SHARD = 4000  # digests a document holds at most (~60 bytes each: far inside Firestore's 1 MiB)


@dataclass(frozen=True)
class Digests:
    """The digests as stored: by Case ID, where each was found, and over how many documents."""

    values: dict[str, str] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)  # Case ID → the state document holding it
    shards: int = SHARDS
    strays: dict[str, set[str]] = field(default_factory=dict)  # document → Case IDs also found elsewhere


def row_digest(row: CaseRow) -> str:
    return digest_hex("\x1f".join(f"{key}={cell_text(value)}" for key, value in sorted(row.cells.items())), 12)


def _shard_name(number: int) -> str:
    return f"{NOT_PERSONAL_STATES}{number}"  # Case IDs and digests only: an erasure does not read them


def _shard(case_id: str, shards: int) -> str:
    return _shard_name(int(digest_hex(case_id, 4), 16) % shards)


def load(job_state: JobState, shards: int = SHARDS) -> Digests:
    """Every document's digests; a Case ID found twice (a re-spread cut short) keeps the one in its place."""
    loaded = Digests(shards=shards)
    for number in range(shards):
        name = _shard_name(number)
        for case_id, digest in job_state.job_state(name).items():
            if case_id in loaded.where and _shard(case_id, shards) != name:
                loaded.strays.setdefault(name, set()).add(case_id)
                continue
            if case_id in loaded.where:
                loaded.strays.setdefault(loaded.where[case_id], set()).add(case_id)
            loaded.values[case_id], loaded.where[case_id] = digest, name
    return loaded


def changes(
    rows: Iterable[CaseRow], read: Mapping[str, bool], written: Collection[str], digests: Mapping[str, str]
) -> dict[str, str | None]:
    """After a write-back, the digests that change: each closed case's row that needed no write
    gets one; a row written is read again next run; an open case is read every run and needs none.
    `read`: the cases this run read, by ID → whether closed."""
    wanted: dict[str, str | None] = {case_id: None for case_id, closed in read.items() if not closed}
    wanted |= {r.case_id: None if r.case_id in written else row_digest(r) for r in rows if read.get(r.case_id)}
    return {case_id: digest for case_id, digest in wanted.items() if digests.get(case_id) != digest}


def save(job_state: JobState, stored: Digests, changes: Mapping[str, str | None], per_shard: int | None = None) -> int:
    """Set each case's digest (None: forget it). However long the history, no document holds more
    than `per_shard`: past that, the digests spread over twice as many documents. Returns how many
    documents hold them now (kept in the job's state, so the next run reads them all)."""
    after = {**stored.values, **{k: v for k, v in changes.items() if v is not None}}
    for case_id, digest in changes.items():
        if digest is None:
            after.pop(case_id, None)
    shards, per_shard = stored.shards, per_shard or PER_SHARD
    while len(after) > shards * per_shard:
        shards *= 2
    by_shard: dict[str, dict[str, str | None]] = {name: dict.fromkeys(ids) for name, ids in stored.strays.items()}
    for case_id, digest in after.items():
        place, now = _shard(case_id, shards), stored.where.get(case_id)
        if place != now or case_id in changes:
            by_shard.setdefault(place, {})[case_id] = digest
        if now is not None and now != place:
            by_shard.setdefault(now, {})[case_id] = None
    for case_id in stored.values.keys() - after.keys():
        by_shard.setdefault(stored.where[case_id], {})[case_id] = None
    for name, fields in by_shard.items():
        job_state.save_job_state(name, fields)
    return shards
