"""What the escalation run writes into the sheet (pure): the Cases tab, the Case ID and CSAT cells
on the Customers tab, and the Dashboard's figures — only the cells that change."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from functions.core.business_calendar import BusinessCalendar
from functions.core.cases import CaseRecord, category_title
from functions.core.customers import CustomerSheet
from functions.core.i18n import say
from functions.core.sheet_schema import TabSpec, locate_columns
from functions.core.surveys import Survey
from functions.core.tables import RowWrite, Table, TabWrite, customer_row_write, moment_figure, same_cell
from functions.core.text import cell_text
from functions.core.vouchers import VoucherFigures
from functions.escalate.metrics import CareMetrics, SurveyMetrics, dashboard_rows, survey_rows, voucher_rows
from functions.escalate.plan import CaseRow, EscalationPlan, status_title

METRICS_DAYS = 30


def local_text(moment: datetime | None, calendar: BusinessCalendar) -> str:
    return "" if moment is None else f"{moment.astimezone(calendar.zone):%d/%m/%Y %H:%M}"


def case_cells(case: CaseRecord, calendar: BusinessCalendar, language: str, themes: str = "") -> dict[str, Any]:
    """A case's row as staff read it; `themes`: what its complaint talks about (the Themes tab's names)."""
    return {
        "case_id": case.case_id,
        "customer_id": case.customer_id,
        "customer": case.customer_name,
        "category": category_title(case.category, language),
        "issue": case.issue,
        "tier": case.tier,
        "owner": case.owner,
        "status": status_title(case.status, language),
        "opened": moment_figure(case.created_at, calendar.zone),
        "first_response_due": moment_figure(case.first_response_due, calendar.zone),
        "resolve_due": moment_figure(case.resolve_due, calendar.zone),
        "resolution_note": case.resolution_note,
        "themes": themes,
    }


def case_writes(
    cases: Sequence[CaseRecord],
    rows: Sequence[CaseRow],
    row_notes: dict[str, str],
    calendar: BusinessCalendar,
    language: str,
    themes_of: Callable[[str], str],
) -> list[RowWrite]:
    """Every case's row as it should read; Status is staff's to change, so it is written only on a new row."""
    rows_by_case = {row.case_id: row for row in rows}
    writes = []
    for case in sorted(cases, key=lambda c: (c.created_at, c.case_id)):
        wanted = case_cells(case, calendar, language, themes_of(case.issue))
        wanted |= {"system_note": row_notes.get(case.case_id, "")}
        row = rows_by_case.get(case.case_id)
        if row is None:  # a new case, or a row staff deleted: below the last row, unless a run just put it there
            writes.append(RowWrite(0, case.case_id, wanted, append=True))
            continue
        changed = {k: v for k, v in wanted.items() if k != "status" and not same_cell(row.cells.get(k), v)}
        if changed:
            writes.append(RowWrite(row.row, case.case_id, changed))
    return writes


def customer_writes(plan: EscalationPlan, surveys: Sequence[Survey], sheet: CustomerSheet) -> list[RowWrite]:
    """The new Case ID on each ticked row, and each customer's latest survey score in the CSAT cell."""
    writes = [
        customer_row_write(flag.row, flag.customer_id, flag.id_assigned, flag.customer_name, {"case_id": case.case_id})
        for flag, case, _ in plan.opened
        if flag.case_id != case.case_id and not flag.key
    ]
    return writes + _csat_cells(surveys, sheet)


def _csat_cells(surveys: Sequence[Survey], sheet: CustomerSheet) -> list[RowWrite]:
    """The latest score of each customer into the CSAT cell (a number, written raw)."""
    latest: dict[str, tuple[datetime, int]] = {}
    for survey in surveys:
        answer = survey.latest
        if answer and (survey.customer_id not in latest or answer.at > latest[survey.customer_id][0]):
            latest[survey.customer_id] = (answer.at, answer.score)
    writes = []
    for customer in sheet.customers:
        if customer.id in latest and cell_text(customer.cell("csat")) != str(latest[customer.id][1]):
            score = {"csat": latest[customer.id][1]}
            writes.append(customer_row_write(customer.row, customer.id, customer.id_assigned, customer.name, score))
    return writes


class MonthFigures(NamedTuple):
    """The Dashboard's figures over the last METRICS_DAYS."""

    care: CareMetrics
    surveys: SurveyMetrics
    vouchers: VoucherFigures
    calls: int
    calls_reached: int
    consented: int = 0  # customers whose consent to advertising is ticked, now
    occasions: tuple[tuple[str, int], ...] = ()  # (an occasion's name, its messages confirmed), the care plan's


def dashboard_write(
    tab: TabSpec, table: Table, figures: MonthFigures, calendar: BusinessCalendar, now: datetime, language: str
) -> TabWrite:
    """The Dashboard's figures for the last METRICS_DAYS (`tab`: the Dashboard with its channels' columns,
    so the charts a write finds missing are drawn over all of them)."""
    period = say("metrics_period", language, days=METRICS_DAYS)
    existing = {cell_text(r[0]): (i + 2, r) for i, r in enumerate(table.rows) if r and cell_text(r[0])}
    rows = dashboard_rows(figures.care, period, language) + survey_rows(figures.surveys, language)
    rows += voucher_rows(figures.vouchers, language)
    rows += [
        (say("metric_calls", language), figures.calls),
        (say("metric_calls_reached", language), figures.calls_reached),
        (say("metric_consented", language), figures.consented),
    ]
    rows += [(say("metric_occasion", language, name=name), count) for name, count in figures.occasions]
    rows.append((say("updated_at", language), moment_figure(now, calendar.zone)))
    writes = []
    for name, value in rows:
        if name in existing:
            number, row = existing[name]
            cells = list(row[1:3]) + [None] * (2 - len(row[1:3]))
            if not (same_cell(cells[0], value) and same_cell(cells[1], period)):
                writes.append(RowWrite(number, name, {"value": value, "period": period}))
        else:
            writes.append(RowWrite(0, name, {"metric": name, "value": value, "period": period}, append=True))
    # The Dashboard is careloop's: a figure it no longer shows (a metric renamed) is cleared, not left stale.
    shown = {name for name, _ in rows}
    writes += [RowWrite(number, name, {"metric": None, "value": None, "period": None})
               for name, (number, _) in existing.items() if name not in shown]  # fmt: skip
    return TabWrite(tab, tab.column("metric"), writes, language)


def weekly_write(
    tab: TabSpec, table: Table, rows: Sequence[dict[str, object]], language: str, titles: Mapping[str, str]
) -> TabWrite:
    """The Dashboard's weekly block (`tab`: the Dashboard with its channels' columns): row n holds the
    nth of the twelve weeks (oldest first), so the charts' ranges never move; only cells that change
    are written, numbers as numbers; `titles`: the named columns' headers (a chart's legend), where
    they change."""
    columns = locate_columns(tab, table.header, require=False)
    renamed = {key: title for key, title in titles.items()
               if key not in columns or cell_text(table.header[columns[key]]) != title}  # fmt: skip
    existing: dict[str, tuple[int, list[Any]]] = {}
    if "week_no" in columns:
        at = columns["week_no"]
        for index, raw in enumerate(table.rows):
            if at < len(raw) and cell_text(raw[at]):
                existing.setdefault(cell_text(raw[at]), (Table.row_number(index), raw))
    writes = []
    for number, row in enumerate(rows, start=1):
        wanted: dict[str, Any] = {"week_no": number, **{k: "" if v is None else v for k, v in row.items()}}
        if str(number) not in existing:
            writes.append(RowWrite(0, str(number), wanted, append=True))
            continue
        at_row, raw = existing[str(number)]

        def now_reads(key: str, raw: list[Any] = raw) -> str:
            position = columns.get(key)
            return cell_text(raw[position] if position is not None and position < len(raw) else None)

        changed = {k: v for k, v in wanted.items() if now_reads(k) != cell_text(v)}
        if changed:
            writes.append(RowWrite(at_row, str(number), changed))
    return TabWrite(tab, tab.column("week_no"), writes, language, titles=renamed)
