"""Cost is a result: what a run reads on Firestore (the emulator, counted as Firestore bills it)
grows with the run's work, not with the history behind it."""

from __future__ import annotations

from datetime import datetime, timedelta

from functions.adapters.stores.firestore import FirestoreStore
from functions.escalate.job import run_escalate
from functions.followup.job import run_followup
from functions.survey.offers import SurveyRules
from tests.helpers import VN
from tests.helpers.firestore_counter import counted
from tests.helpers.firestore_emulator import PROJECT
from tests.helpers.history_seed import seed_history
from tests.helpers.support import deps, escalation_book, escalation_deps, many_customers, memory_sheet

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=VN)


def steady_escalation(firestore, cases: int) -> tuple[int, int, dict[str, int]]:
    """(reads of the hourly run that works out the Dashboard, reads of a run 15 minutes later, by collection)."""
    firestore.wipe()
    store = FirestoreStore(PROJECT)
    rows = seed_history(store, NOW, cases, 300, 200)
    customers = [[f"C-{n:05d}", f"Khách {n}", f"c{n}@example.com", False, "", "", "", ""] for n in range(300)]
    wiring = escalation_deps(escalation_book(customers, cases=rows), store)
    run_escalate(wiring, NOW - timedelta(hours=2))  # the first run takes in every Cases row once
    tally = counted(store)
    run_escalate(wiring, NOW)
    hourly = tally.total("reads")
    tally.reset()
    run_escalate(wiring, NOW + timedelta(minutes=15))
    return hourly, tally.total("reads"), tally.by_collection("reads")


def test_a_steady_escalation_run_reads_the_same_with_ten_times_the_history(firestore):
    _, small, small_by = steady_escalation(firestore, 40)
    hourly, large, large_by = steady_escalation(firestore, 400)
    # The same documents whatever the history: 5 open cases, their notices' ledger keys, the job's
    # state (bookmarks, and the sums of the Cases rows' digests: no digest document is read while the
    # rows match them — issue 37), the answers since the last run.
    assert small <= 40 and large <= 40, (small_by, large_by)
    assert small_by["cases"] == large_by["cases"] == 5 and small_by["job_state"] == large_by["job_state"] == 1
    assert hourly > large  # the Dashboard's window, once an hour


def test_no_state_document_grows_with_the_history(firestore, monkeypatch):
    """Issue 21: the rows' digests lived in 4 fixed documents, about 306 KiB each at 50,000 cases and
    past Firestore's 1 MiB at about 165,000. Scaled down: at most 40 digests a document."""
    from functions.escalate import synced

    monkeypatch.setattr(synced, "PER_SHARD", 40)
    _, steady, by_collection = steady_escalation(firestore, 400)
    store = FirestoreStore(PROJECT)
    shards = int(store.job_state.job_state("escalate")["row_shards"])
    sizes = [len(store.job_state.job_state(f"escalate-rows-{n}")) for n in range(shards)]
    assert shards >= 8 and sum(sizes) >= 300 and max(sizes) <= 2 * 40, sizes
    assert by_collection["job_state"] == 1 and steady <= 40  # no digest document read: their sums match the rows


def test_a_follow_up_rerun_reads_about_one_document_per_due_message(firestore):
    store = FirestoreStore(PROJECT)
    wiring = deps(memory_sheet(many_customers(2_000, 20, 20)), store, surveys=SurveyRules(30, 30))
    sent = len(run_followup(wiring, NOW).report["sent"])
    tally = counted(store)
    rerun = run_followup(wiring, NOW).report
    assert sent == 200 and not rerun["sent"]
    assert tally.total("reads") <= sent + 10, tally.by_collection("reads")
    assert tally.total("writes") == 1  # the run's report


def test_the_survey_throttle_reads_only_the_window_whatever_a_customers_history(firestore):
    """Issue 21: `surveys_of` read every survey a customer ever had and kept the last 30 days in Python."""
    from functions.core.surveys import Survey

    firestore.wipe()
    store = FirestoreStore(PROJECT)
    rows = many_customers(200, 1000, 2)  # 100 check-ins due
    for row in rows:
        for months in range(2, 8):  # six old surveys each, long past the throttle's 30 days
            made = NOW - timedelta(days=31 * months)
            store.surveys.create_survey(Survey(f"SV-{row[0]}-{months}", row[0], f"checkin/{months}", "vi", made,
                                       made + timedelta(days=30)))  # fmt: skip
    tally = counted(store)
    report = run_followup(deps(memory_sheet(rows), store, surveys=SurveyRules(30, 30)), NOW).report
    assert len(report["sent"]) == 101  # and C-00000's birthday
    # one empty query (billed as one read) per 30 customers written to: 4, where it read 606
    assert tally.by_collection("reads").get("surveys", 0) <= 4, tally.by_collection("reads")


def test_surveys_travel_in_the_commit_that_reserves_their_message(firestore):
    store = FirestoreStore(PROJECT)
    tally = counted(store)
    wiring = deps(memory_sheet(many_customers(400, 1000, 4)[1:]), store, surveys=SurveyRules(30, 30))  # 100 check-ins
    report = run_followup(wiring, NOW).report
    assert len(report["sent"]) == 100
    writes = tally.by_collection("writes")
    assert writes["surveys"] == 100 and writes["ledger"] == 200  # reserved, then confirmed
    calls = tally.by_collection("rpcs")
    assert calls["commit ledger/surveys"] == 100 and "commit surveys" not in calls  # never a commit of its own


def test_a_row_staff_edit_costs_the_read_of_its_digest_document_and_its_case(firestore):
    """Issue 37 (5): a steady run reads no digest document; a closed case's row staff edit makes its
    document's sum differ: that one document is read, and the case, and the row is put back."""
    from functions.core.sheet_schema import CASES
    from functions.escalate import synced

    firestore.wipe()
    store = FirestoreStore(PROJECT)
    rows = seed_history(store, NOW, 400, 300, 200)
    customers = [[f"C-{n:05d}", f"Khách {n}", f"c{n}@example.com", False, "", "", "", ""] for n in range(300)]
    book = escalation_book(customers, cases=rows)
    wiring = escalation_deps(book, store)
    run_escalate(wiring, NOW - timedelta(hours=2))
    run_escalate(wiring, NOW)
    table = book.tables["Hồ sơ"]
    at = {c.key: table.header.index(c.title_vi) for c in CASES.columns if c.title_vi in table.header}
    closed = next(r for r in table.rows if r[at["status"]] in ("Đã giải quyết", "Đã đóng"))
    closed[at["issue"]] = "staff typed over it"
    tally = counted(store)
    report = run_escalate(wiring, NOW + timedelta(minutes=15))
    reads = tally.by_collection("reads")
    assert reads["job_state"] == 2, reads  # the job's state and the one digest document
    assert report["write_back"].get("error") is None and closed[at["issue"]] != "staff typed over it"
    run_escalate(wiring, NOW + timedelta(minutes=30))  # a row written is read once more, then known in step
    tally.reset()
    run_escalate(wiring, NOW + timedelta(minutes=45))
    assert tally.by_collection("reads")["job_state"] == 1  # in step again: its sum matches
    assert synced.SUMS in store.job_state.job_state("escalate")
