"""Which Cases-tab rows careloop last found in step with the store: a digest of each row, by Case ID.

A run reads the open cases and only those closed cases whose row differs from its digest (staff
changed it), whose row is gone (to put back) or that no digest knows yet — not every case ever
opened. A digest is taken of a row as the run read it and needed no write, so a stale one only
costs a read: the row differs, the case is read and compared again. The digests live in a few
state documents, twice as many each time they would hold more than PER_SHARD, so none nears
Firestore's 1 MiB whatever the history (the count is kept in the job's state).

Each document's digests are summed too (an XOR of a hash of each Case ID and digest, with their
count), in the job's state a run reads anyway: a run sums the Cases rows the same way, and a document
whose sum the rows match — every closed row of it in step, none gone, none new — is not read at all.
A steady run reads no digest whatever the history; an edited row costs its document's read.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from functions.core.ids import digest_hex
from functions.core.privacy import NOT_PERSONAL_STATES
from functions.core.text import cell_text
from functions.escalate.plan import CaseRow
from functions.ports import JobState

SHARDS = 4  # the fewest state documents the digests are spread over
SUMS = "row_sums"  # in the escalation's state: {document: [the XOR of its entries' hashes (hex), their count]}
PER_SHARD = 4000  # digests a document holds at most (~60 bytes each: far inside Firestore's 1 MiB)


@dataclass(frozen=True)
class Digests:
    """The digests as stored: by Case ID, where each was found, and over how many documents."""

    values: dict[str, str] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)  # Case ID → the state document holding it
    shards: int = SHARDS
    strays: dict[str, set[str]] = field(default_factory=dict)  # document → Case IDs also found elsewhere
    skipped: dict[str, list[Any]] = field(default_factory=dict)  # documents not read (the rows match): their sums


def row_digest(row: CaseRow) -> str:
    return digest_hex("\x1f".join(f"{key}={cell_text(value)}" for key, value in sorted(row.cells.items())), 12)


def _shard_name(number: int) -> str:
    return f"{NOT_PERSONAL_STATES}{number}"  # Case IDs and digests only: an erasure does not read them


def _shard(case_id: str, shards: int) -> str:
    return _shard_name(int(digest_hex(case_id, 4), 16) % shards)


def _entry(case_id: str, digest: str) -> int:
    return int(digest_hex(f"{case_id}\x1f{digest}", 16), 16)


def sheet_sums(rows: Iterable[CaseRow], open_ids: Collection[str], shards: int) -> dict[str, int]:
    """Each document's sum of the Cases rows of closed cases (open ones are read every run anyway)."""
    sums: dict[str, int] = {}
    for row in rows:
        if row.case_id and row.case_id not in open_ids:
            name = _shard(row.case_id, shards)
            sums[name] = sums.get(name, 0) ^ _entry(row.case_id, row_digest(row))
    return sums


def trusted(rows: Iterable[CaseRow], open_ids: Collection[str], stored: Digests) -> set[str]:
    """The closed cases of rows in a document not read: in step with the store, as its sum says."""
    return {r.case_id for r in rows if r.case_id and r.case_id not in open_ids
            and _shard(r.case_id, stored.shards) in stored.skipped}  # fmt: skip


def load(
    job_state: JobState, shards: int = SHARDS, sums: Mapping[str, Any] | None = None,
    sheet: Mapping[str, int] | None = None,
) -> Digests:  # fmt: skip
    """The documents' digests; a Case ID found twice (a re-spread cut short) keeps the one in its place.
    A document whose kept sum (`sums`) the rows' (`sheet`) match is not read."""
    skipped = {name: kept for name, kept in (sums or {}).items()
               if sheet is not None and isinstance(kept, list) and int(kept[0], 16) == sheet.get(name, 0)}  # fmt: skip
    loaded = Digests(shards=shards, skipped={n: k for n, k in skipped.items() if n in _names(shards)})
    return _read(job_state, loaded, [n for n in _names(shards) if n not in loaded.skipped])


def _names(shards: int) -> list[str]:
    return [_shard_name(number) for number in range(shards)]


def _read(job_state: JobState, loaded: Digests, names: Iterable[str]) -> Digests:
    for name in names:
        loaded.skipped.pop(name, None)
        for case_id, digest in job_state.job_state(name).items():
            if case_id in loaded.where and _shard(case_id, loaded.shards) != name:
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


class Saved(NamedTuple):
    shards: int  # how many documents hold the digests (kept in the job's state)
    sums: dict[str, list[Any]]  # each document's sum and count (SUMS, kept in the job's state)


def save(
    job_state: JobState, stored: Digests, changes: Mapping[str, str | None], per_shard: int | None = None
) -> Saved:
    """Set each case's digest (None: forget it). However long the history, no document holds more
    than `per_shard`: past that, the digests spread over twice as many documents. A document not read
    is read first when a change falls in it (or when they spread), so each sum is worked out whole."""
    per_shard = per_shard or PER_SHARD
    touched = {_shard(case_id, stored.shards) for case_id in changes} & stored.skipped.keys()
    if len(stored.values) + len(changes) + sum(k[1] for k in stored.skipped.values()) > stored.shards * per_shard:
        touched = set(stored.skipped)  # they may spread: every digest is needed
    stored = _read(job_state, stored, sorted(touched)) if touched else stored
    after = {**stored.values, **{k: v for k, v in changes.items() if v is not None}}
    for case_id, digest in changes.items():
        if digest is None:
            after.pop(case_id, None)
    shards = stored.shards
    while len(after) + sum(k[1] for k in stored.skipped.values()) > shards * per_shard:
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
    sums: dict[str, list[Any]] = {name: [0, 0] for name in _names(shards) if name not in stored.skipped}
    for case_id, digest in after.items():
        kept = sums[_shard(case_id, shards)]
        kept[0], kept[1] = kept[0] ^ _entry(case_id, digest), kept[1] + 1
    worked_out = {name: [f"{total:016x}", count] for name, (total, count) in sums.items()}
    return Saved(shards, {**stored.skipped, **worked_out})
