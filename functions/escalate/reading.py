"""What an escalation run reads: the sheet once, and of the store what its work needs — every open
case, the closed ones whose Cases row changed (`escalate.synced`), the surveys answered since the
last run (a watermark in the job's state)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from functions.core.care_plan import read_care_plan
from functions.core.cases import CaseRecord, could_be_case_id, flag_key
from functions.core.customers import CustomerSheet, read_customers
from functions.core.errors import JobCannotRun
from functions.core.i18n import both
from functions.core.message_tab import MessageTab
from functions.core.sheet_schema import CARE_PLAN, CASES, CUSTOMERS, MATRIX, MESSAGES
from functions.core.surveys import Survey
from functions.core.tables import Table
from functions.escalate import synced
from functions.escalate.deps import EscalationDeps
from functions.escalate.matrix import Matrix, MatrixError, read_matrix
from functions.escalate.plan import CaseRow, Flag, read_case_rows, read_flags
from functions.message_texts import message_texts

JOB = "escalate"  # PAGE_SETTINGS_JOB: the survey page reads the tab's settings from this job's state


SURVEY_DAYS = 90  # the first run takes in the answers of this many days; later runs, those since the last


ANSWER_OVERLAP = timedelta(minutes=10)  # an answer stored just as the last run read: taken in again (idempotent)


class EscalationError(JobCannotRun):
    """The job could not run (a tab missing, no usable escalation matrix); nothing was changed."""


@dataclass
class SheetRead:
    """The sheet and the store as this run found them."""

    tables: dict[str, Table]
    matrix: Matrix
    sheet: CustomerSheet
    flags: list[Flag]
    case_rows: list[CaseRow]
    cases: list[CaseRecord]  # every open case, and the closed ones the Cases tab or a flag calls for
    known: frozenset[str]  # closed cases in step with their Cases row: not read
    answered: list[Survey]  # answered since the last run
    problems: list[dict[str, Any]]
    state: dict[str, Any]  # the job's bookmarks (escalate.dashboard, the answers' watermark)
    digests: synced.Digests  # the Cases rows last found in step (escalate.synced)
    texts: MessageTab | None = None  # the Messages tab: staff's text for the survey after a case
    matrix_error: str = ""  # no usable matrix (a new one has no owners yet): fine while there is nothing to route


def read_sheet_and_store(deps: EscalationDeps, tables: dict[str, Table], now: datetime) -> SheetRead:
    """The sheet as read once; of the store, what this run's work needs (see the module's note)."""
    for spec in (CUSTOMERS, CASES):
        if spec.key not in tables:
            raise EscalationError(both("tab_missing_setup", vi=spec.title_vi, en=spec.title_en))
    try:
        matrix, matrix_error = read_matrix(tables.get(MATRIX.key)), ""
    except MatrixError as error:
        matrix, matrix_error = Matrix({}, []), str(error)
    table = tables[CUSTOMERS.key]
    sheet = read_customers(table, deps.read_rules, now.astimezone(deps.calendar.zone).date())
    problems: list[dict[str, Any]] = [
        {"tab": MATRIX.title(deps.staff_language), "row": row, "message": message} for row, message in matrix.problems
    ]
    if matrix_error:  # nothing to route yet; a complaint would stop the run: said now, where staff look
        problems.append({"tab": MATRIX.title(deps.staff_language), "row": 2, "message": matrix_error})
    flags = read_flags(table, sheet, problems, deps.staff_language)
    state = deps.records.job_state.job_state(JOB)
    answered = deps.records.surveys.surveys_answered(_answers_since(state, now))
    flags += _low_scores(answered, sheet, deps.csat_threshold)
    texts = None
    if deps.links is not None:  # no links: no surveys to send, so no texts to read
        occasions = read_care_plan(tables.get(CARE_PLAN.key), table.header, sheet.columns, deps.staff_language)
        texts = message_texts(tables.get(MESSAGES.key), deps.templates, deps.links, deps.channel_book,
                              deps.business_name, deps.staff_language, deps.surveys is not None,
                              deps.vouchers, occasions.occasions)  # fmt: skip
    case_rows = read_case_rows(tables[CASES.key])
    opened = deps.records.cases.cases(open_only=True)
    shards = int(state.get("row_shards") or synced.SHARDS)
    sums = synced.sheet_sums(case_rows, {c.case_id for c in opened}, shards)
    digests = synced.load(deps.records.job_state, shards, state.get(synced.SUMS), sums)
    cases, known = _cases_to_read(deps, case_rows, flags, state, digests, opened)
    return SheetRead(tables, matrix, sheet, flags, case_rows, cases, known, answered, problems, state, digests, texts,
                 matrix_error)  # fmt: skip


def _answers_since(state: dict[str, Any], now: datetime) -> datetime:
    seen = state.get("answers_seen")
    return datetime.fromisoformat(seen) - ANSWER_OVERLAP if seen else now - timedelta(days=SURVEY_DAYS)


def _cases_to_read(
    deps: EscalationDeps,
    rows: list[CaseRow],
    flags: list[Flag],
    state: dict[str, Any],
    stored: synced.Digests,
    opened: list[CaseRecord],
) -> tuple[list[CaseRecord], frozenset[str]]:
    """Every open case (`opened`), and by ID: closed cases whose row changed or is gone, cases a flag
    names that no digest knows, and cases whose survey was put off. The rest are known without a read."""
    digests = stored.values
    open_ids = {c.case_id for c in opened}
    trusted = synced.trusted(rows, open_ids, stored)  # rows of a digest document their sum says are in step
    in_step = {r.case_id for r in rows if r.case_id in digests and digests[r.case_id] == synced.row_digest(r)}
    in_step |= trusted
    listed = {r.case_id for r in rows}
    wanted = {r.case_id for r in rows if r.case_id and r.case_id not in in_step}
    wanted |= {case_id for case_id in digests if case_id not in listed}  # a row staff deleted: put back
    wanted |= {f.case_id for f in flags if f.case_id and f.case_id not in digests and f.case_id not in trusted}
    wanted |= set(state.get("survey_pending", ()))
    read = deps.records.cases.cases_by_id({case_id for case_id in wanted - open_ids if could_be_case_id(case_id)})
    missing = (wanted - open_ids) - {c.case_id for c in read}
    if missing & digests.keys():  # a digest of a case the store no longer has
        synced.save(deps.records.job_state, stored, dict.fromkeys(missing & digests.keys()))
        for case_id in missing & digests.keys():
            stored.values.pop(case_id)
    read_ids = open_ids | {c.case_id for c in read}
    return opened + read, frozenset((in_step | digests.keys()) - read_ids - missing)


def _low_scores(surveys: list[Survey], sheet: CustomerSheet, threshold: int) -> list[Flag]:
    """A latest answer at or below the threshold is a complaint: one case per survey."""
    customers = {c.id: c for c in sheet.customers}
    flags = []
    for survey in surveys:
        answer = survey.latest
        if answer is None or answer.score > threshold or survey.occasion.startswith("call/"):
            continue  # a score heard on a call: staff decide with the call's own Escalate tick
        customer = customers.get(survey.customer_id)
        flags.append(
            Flag(
                0,
                survey.customer_id,
                False,
                customer.name if customer else survey.customer_id,
                (customer.email or "") if customer else "",
                survey.language,
                "CSAT",
                answer.comment or f"CSAT {answer.score}/5",
                "",
                "",
                key=flag_key("csat", survey.customer_id, survey.survey_id),
            )
        )
    return flags
