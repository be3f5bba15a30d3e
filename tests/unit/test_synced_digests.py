"""The Cases rows' digests stay in bounded state documents whatever the history (issue 21: four fixed
documents grew with every closed case, past Firestore's 1 MiB at about 165,000 cases)."""

from functions.escalate import synced
from tests.helpers.memory_store import MemoryStore


def shard_sizes(store: MemoryStore) -> dict[str, int]:
    return {name: len(fields) for name, fields in store.job_state.states.items() if name.startswith("escalate-rows-")}


def test_digests_spread_over_more_documents_as_history_grows_and_none_is_lost():
    store, shards = MemoryStore(), synced.SHARDS
    for batch in range(10):  # a hundred closed cases at a time
        stored = synced.load(store.job_state, shards)
        new = {f"HS-{batch:02d}{n:03d}": f"{n:012x}" for n in range(100)}
        shards = synced.save(store.job_state, stored, new, per_shard=30).shards
        assert max(shard_sizes(store).values()) <= 60  # the hash spreads them about evenly
    stored = synced.load(store.job_state, shards)
    assert shards == 64 and len(stored.values) == 1000 and len(shard_sizes(store)) == 64
    assert stored.strays == {} and all(stored.where[c] == synced._shard(c, shards) for c in stored.values)
    shards = synced.save(store.job_state, stored, {"HS-00000": None, "HS-00001": "changed"}, per_shard=30).shards
    again = synced.load(store.job_state, shards)
    assert "HS-00000" not in again.values and again.values["HS-00001"] == "changed" and len(again.values) == 999


def test_a_spread_cut_short_keeps_the_digest_in_its_place_and_clears_the_other():
    store = MemoryStore()
    case = "HS-ABCD2345"
    right, wrong = synced._shard(case, 8), next(synced._shard_name(n) for n in range(8)
                                               if synced._shard_name(n) != synced._shard(case, 8))  # fmt: skip
    store.job_state.save_job_state(right, {case: "new"})
    store.job_state.save_job_state(wrong, {case: "stale"})
    stored = synced.load(store.job_state, 8)
    assert stored.values[case] == "new" and stored.strays == {wrong: {case}}
    synced.save(store.job_state, stored, {})
    assert case not in store.job_state.states.get(wrong, {}) and store.job_state.states[right][case] == "new"
