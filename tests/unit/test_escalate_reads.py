"""The escalation run reads what its work needs: open cases, and by ID only the closed cases whose
Cases row changed, is gone, or is named by a flag; answers since the last run; the Dashboard's
window once an hour. What staff change is still taken in."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from functions.core.cases import IN_PROGRESS, OPEN, RESOLVED
from functions.core.surveys import Answer
from functions.escalate.job import run_escalate
from tests.helpers import VN
from tests.helpers.fakes import MemoryChannel
from tests.helpers.memory_store import MemoryCases, MemoryJobState, MemoryStore, MemorySurveys
from tests.helpers.support import FRIDAY_4PM
from tests.helpers.support import escalation_book as book
from tests.helpers.support import escalation_deps as deps
from tests.helpers.words import piece
from tests.unit.test_escalate_job import COMPLAINTS, set_status, tab

MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=VN)


class ReadCounting(MemoryStore):
    """Notes which whole collections a run reads, which cases it asks for by ID, what state it saves."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: list[set[str]] = []
        self.whole: list[str] = []
        self.saved: list[str] = []
        counting = self

        class Cases(MemoryCases):
            def cases_by_id(self, case_ids):
                wanted = set(case_ids)
                counting.by_id.append(wanted)
                return super().cases_by_id(wanted)

            def cases(self, open_only=False):
                if not open_only:
                    counting.whole.append("cases")
                return super().cases(open_only)

        class Surveys(MemorySurveys):
            def surveys(self, since):
                counting.whole.append("surveys")
                return super().surveys(since)

        class JobState(MemoryJobState):
            def save_job_state(self, name, fields):
                counting.saved.append(name)
                super().save_job_state(name, fields)

        self.cases, self.surveys, self.job_state = Cases(), Surveys(), JobState()
        self.ledger.surveys = self.surveys


@pytest.fixture
def store():
    return ReadCounting()


def resolved_cases(store, sheet, count: int) -> list[str]:
    """`count` complaints opened and resolved by staff, and a run that took that in."""
    rows = [[f"C-{n}", f"Khách {n}", f"c{n}@example.com", True, "Phí", f"Việc {n}", "", ""] for n in range(count)]
    sheet.tables["Khách hàng"].rows[:] = rows
    run_escalate(deps(sheet, store), FRIDAY_4PM)
    ids = [c.case_id for c in store.cases.cases_by_id(r["Mã hồ sơ"] for r in tab(sheet, "Hồ sơ"))]
    for case_id in ids:
        set_status(sheet, case_id, "Đã giải quyết")
    run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(minutes=15))
    return ids


def test_closed_cases_in_step_with_their_rows_are_not_read(store):
    sheet = book([])
    ids = resolved_cases(store, sheet, 5)
    run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(minutes=30))  # takes the resolved rows' digests
    store.by_id.clear()
    store.saved.clear()
    report = run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(minutes=45))
    assert store.by_id == [set()] and store.whole == [] and report["problems"] == []
    assert store.saved == ["escalate"]  # the watermark; no row's digest changed
    assert {c.status for c in store.cases.cases_by_id(ids)} == {RESOLVED}


def test_a_closed_case_staff_reopen_in_the_cases_tab_is_read_and_reopened(store):
    sheet = book([])
    ids = resolved_cases(store, sheet, 3)
    run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(minutes=30))
    store.by_id.clear()
    set_status(sheet, ids[1], "Đang xử lý", note="Khách gọi lại")
    report = run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(minutes=45))
    assert store.by_id == [{ids[1]}]
    assert report["synced"] == [{"case_id": ids[1], "from": RESOLVED, "to": IN_PROGRESS,
                                 "resolution_note": "Khách gọi lại"}]  # fmt: skip
    assert store.cases.case(ids[1]).status == IN_PROGRESS


def test_a_deleted_row_of_a_closed_case_is_read_and_put_back(store):
    sheet = book([])
    ids = resolved_cases(store, sheet, 3)
    run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(minutes=30))
    table = sheet.tables["Hồ sơ"]
    table.rows[:] = [r for r in table.rows if r[0] != ids[2]]
    store.by_id.clear()
    report = run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(minutes=45))
    assert store.by_id == [{ids[2]}] and report["restored"] == [ids[2]]
    assert ids[2] in [r["Mã hồ sơ"] for r in tab(sheet, "Hồ sơ")]


def test_a_flag_naming_a_closed_case_is_known_without_a_read_and_an_unknown_id_is_reported(store):
    sheet = book([])
    ids = resolved_cases(store, sheet, 2)
    run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(minutes=30))
    rows = sheet.tables["Khách hàng"].rows
    rows[0][7], rows[1][7] = ids[0], "HS-KHONGCO2"
    table = sheet.tables["Hồ sơ"]
    table.rows.append(["x" * 50_000 + "/\r\n", "", "", "", "", "", "", "Mở"])  # never looked up
    store.by_id.clear()
    report = run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(minutes=45))
    assert store.by_id == [{"HS-KHONGCO2"}]
    unknown = [p for p in report["problems"] if p.get("customer_id")]
    assert [p["customer_id"] for p in unknown] == ["C-1"] and "HS-KHONGCO2" in unknown[0]["message"]
    assert len(report["problems"]) == 2  # and the Cases row holding no Case ID


def test_a_survey_put_off_overnight_is_sent_when_the_office_opens(store):
    from functions.core.links import Links
    from functions.survey.offers import SurveyRules

    sheet, channel = book(COMPLAINTS[1:2]), MemoryChannel()
    wiring = deps(sheet, store, channel, links=Links("https://care.example.vn", "s"), surveys=SurveyRules(30, 30))
    run_escalate(wiring, FRIDAY_4PM)
    (case,) = store.cases.cases()
    set_status(sheet, case.case_id, "Đã giải quyết")
    evening = FRIDAY_4PM + timedelta(hours=4)
    put_off = run_escalate(wiring, evening)
    assert put_off["surveyed"] == [] and {s["reason"] for s in put_off["skipped"]} == {"outside_working_hours"}
    run_escalate(wiring, evening + timedelta(minutes=15))  # the row is in step now: only the put-off list names it
    report = run_escalate(wiring, MONDAY_9AM)
    assert [s["case_id"] for s in report["surveyed"]] == [case.case_id]
    assert store.job_state.job_state("escalate").get("survey_pending") is None  # done: no longer read


def test_answers_are_taken_in_once_and_a_low_one_opens_a_case(store):
    from functions.core.surveys import Survey, survey_id_for

    sheet = book([["C-7", "Đỗ Minh", "minh@example.com", False, "", "", "", ""]])
    survey = Survey(survey_id_for("C-7", "checkin/x"), "C-7", "checkin/x", "vi", FRIDAY_4PM - timedelta(days=2),
                    FRIDAY_4PM + timedelta(days=28))  # fmt: skip
    store.surveys.create_survey(survey)
    run_escalate(deps(sheet, store), FRIDAY_4PM)
    store.surveys.add_answer(survey.survey_id, Answer(1, FRIDAY_4PM + timedelta(minutes=5), "Rất tệ"), limit=20)
    report = run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(minutes=15))
    assert [c["customer_id"] for c in report["opened"]] == ["C-7"]
    assert tab(sheet, "Khách hàng")[0].get("CSAT") == 1
    again = run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(minutes=30))
    assert again["opened"] == [] and len(store.cases.cases()) == 1 and store.whole.count("surveys") == 0


def test_the_dashboard_is_worked_out_at_most_once_an_hour(store):
    sheet = book(COMPLAINTS[:2])
    run_escalate(deps(sheet, store), FRIDAY_4PM)
    updated = {r["Chỉ số"]: r["Giá trị"] for r in tab(sheet, "Tổng quan") if r["Chỉ số"]}
    assert updated[piece("metric_cases", 0)] == 2
    sheet.tables["Khách hàng"].rows[:] = [list(r) for r in COMPLAINTS]
    run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(minutes=20))
    assert {r["Chỉ số"]: r["Giá trị"] for r in tab(sheet, "Tổng quan") if r["Chỉ số"]}[piece("metric_cases", 0)] == 2
    run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(hours=1))
    assert {r["Chỉ số"]: r["Giá trị"] for r in tab(sheet, "Tổng quan") if r["Chỉ số"]}[piece("metric_cases", 0)] == 3
    weeks = store.job_state.job_state("escalate")["weeks"]
    assert len(weeks) == 10 and all(row["week"] in weeks for row in weeks.values())  # the 2 newest still move


def test_open_cases_are_always_read(store):
    sheet = book(COMPLAINTS[:1])
    run_escalate(deps(sheet, store), FRIDAY_4PM)
    (case,) = store.cases.cases()
    assert case.status == OPEN
    later = run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(days=3))
    assert later["escalated"] or later["notified"] or later["skipped"]
