"""`careloop demo`: a sample workbook of Vietnamese customers, the follow-up job run on it as of
09:00 on the first working day from today (business time zone), and where to look at what happened.

The workbook is made once and kept, so running the demo again shows that nothing is sent twice.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from functions.adapters.channels.stand_ins import DEMO_CHANNEL_ORDER, StandIns
from functions.core.business_calendar import BusinessCalendar
from functions.core.i18n import both, say
from functions.core.text import typed
from functions.entrypoints.cli.reports import escalation_summary, summary
from functions.ports import PreparableSheet
from functions.settings import Settings, load_settings

# The sample workbook's columns: the key each has in templates/demo.toml, and its column in the
# sheet's contract (templates/sheet.toml), whose header the workbook gets; None: staff's own column.
COLUMNS = {
    "id": "id", "name": "name", "salutation": "salutation", "email": "email", "phone": "phone",
    "birthday": "birthday", "purchase": "purchase_date", "language": "language", "channel": "channel",
    "opt_out": "opt_out", "marketing_consent": "marketing_consent", "escalate": "escalate", "category": "category",
    "issue": "issue", "severity": "severity", "staff_note": None, "vip": "vip", "appointment": None,
}  # fmt: skip
WIDTHS = {"id": 9, "name": 22, "salutation": 8, "email": 28, "phone": 16, "birthday": 12, "purchase": 12,
          "language": 10, "channel": 8, "opt_out": 10, "marketing_consent": 12, "escalate": 10, "category": 14,
          "issue": 30, "severity": 8, "staff_note": 24, "vip": 6, "appointment": 12}  # fmt: skip


def demo_data() -> dict[str, Any]:
    """The demo's business, matrix, customers and history (templates/demo.toml)."""
    from functions.core.data_files import data_file

    return data_file("demo")


def header() -> list[str]:
    from functions.core.sheet_schema import CUSTOMERS

    business = demo_data()["business"]  # staff's own columns are named there
    return [CUSTOMERS.column(key).title_vi if key else business[name] for name, key in COLUMNS.items()]


def care_plan_rows() -> list[list[Any]]:
    """The Care plan tab as the demo business keeps it: the starter rows, with the examples it turned on."""
    from functions.core.care_plan import starter_rows
    from functions.core.sheet_schema import CARE_PLAN

    on, active = demo_data()["business"]["care_plan_on"], [c.key for c in CARE_PLAN.columns].index("active")
    rows = starter_rows("vi")
    for row in rows:
        row[active] = row[active] or row[0] in on
    return [[c.title_vi for c in CARE_PLAN.columns], *rows]


def matrix_rows() -> list[list[Any]]:
    from functions.core.sheet_schema import MATRIX

    return [[c.title_vi for c in MATRIX.columns], *demo_data()["matrix"]["rows"]]


def sample_rows(today: date) -> list[list[object]]:
    """About thirty customers (templates/demo.toml), each a row in the order of the header."""
    customers = demo_data()["customer"]
    return [
        [None] * len(COLUMNS) if c.get("blank") else [_cell(c.get(k, ""), today) for k in COLUMNS] for c in customers
    ]


def _cell(value: object, today: date) -> object:
    """A sample value as staff would have typed it on `today`."""
    if not isinstance(value, dict):
        return value
    if "birthday_in_days" in value:
        day = today + timedelta(days=value["birthday_in_days"])
        try:
            return date(value["year"], day.month, day.day)
        except ValueError:  # 29 February in a year without one: staff type it without the year
            return f"{day.day:02d}/{day.month:02d}"
    moment = today - timedelta(days=value["days_ago"])
    return f"{moment:{value['format']}}" if "format" in value else moment


def write_sample_workbook(path: Path, today: date) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill

    from functions.adapters.sheets.a1 import column_letters
    from functions.core.sheet_schema import CARE_PLAN, CUSTOMERS, MATRIX

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = CUSTOMERS.title_vi
    sheet.append(header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in sample_rows(today):
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = "DD/MM/YYYY"
    matrix = workbook.create_sheet(MATRIX.title_vi)
    for row in matrix_rows():
        matrix.append(row)
    care_plan = workbook.create_sheet(CARE_PLAN.title_vi)
    for row in care_plan_rows():
        care_plan.append(row)
    for position, column in enumerate(CARE_PLAN.columns):
        care_plan.column_dimensions[column_letters(position)].width = column.width_in("vi")
    for letter, column in zip("ABCDEF", MATRIX.columns, strict=True):  # as careloop makes the tab
        matrix.column_dimensions[letter].width = column.width_in("vi")
        matrix[f"{letter}1"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for position, key in enumerate(COLUMNS):  # each column's width by its name: never out of step with the header
        sheet.column_dimensions[column_letters(position)].width = WIDTHS[key]
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def seed_sheet(sheet: PreparableSheet, today: date, settings: Settings) -> None:
    """The sample customers written into a spreadsheet that has none yet (a Google Sheet)."""
    from functions import bootstrap
    from functions.core.sheet_schema import CARE_PLAN, CUSTOMERS, MATRIX, locate_columns
    from functions.core.tables import RowWrite, TabWrite, customers_tab_write

    language = settings.staff_language
    sheet.prepare(bootstrap.sheet_layouts(settings), language)
    table = sheet.read([CUSTOMERS])[CUSTOMERS.key]
    if any(typed(v) for row in table.rows for v in row):
        return
    keys = locate_columns(CUSTOMERS, header(), require=False)
    by_position = {position: key for key, position in keys.items()}
    writes = [
        RowWrite(
            number, None, {by_position[i]: v for i, v in enumerate(values) if i in by_position and v not in (None, "")}
        )
        for number, values in enumerate(sample_rows(today), start=2)
    ]
    order = [c.key for c in MATRIX.columns]
    owners = [
        RowWrite(number, "*" if row[0] == "*" else None, dict(zip(order, row, strict=False)))
        for number, row in enumerate(matrix_rows()[1:], start=2)
    ]
    active = [c.key for c in CARE_PLAN.columns].index("active")
    care_plan = [RowWrite(0, row[0], {"active": True}) for row in care_plan_rows()[1:] if row[active]]
    sheet.write(
        [
            customers_tab_write([w for w in writes if w.values], language),
            TabWrite(MATRIX, MATRIX.column("category"), owners, language),
            TabWrite(CARE_PLAN, CARE_PLAN.column("occasion"), care_plan, language),
        ]
    )


def demo_moment(settings: Settings, today: date) -> datetime:
    """09:00 on the first working day from `today`: on a weekend or a public holiday the office is
    closed and no owner would be emailed, so the demo shows the next day it opens."""
    calendar = BusinessCalendar(settings.timezone, settings.working_hours)
    zone = ZoneInfo(settings.timezone)
    for offset in range(14):
        moment = datetime.combine(today + timedelta(days=offset), time(9, 0), zone)
        if calendar.is_open(moment):
            return moment
    return datetime.combine(today, time(9, 0), zone)


def run_demo(folder: Path, fresh: bool = False, sheet: str | None = None, now: str | None = None) -> int:
    if fresh and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    from functions import bootstrap
    from functions.adapters.channels.stand_ins import stand_ins

    store = load_settings(overrides={"store": str(folder / "careloop.sqlite")})
    with stand_ins(folder, lambda: bootstrap.open_store(store).credentials) as phones:
        return _run_demo(folder, sheet, phones, now)


def _run_demo(folder: Path, sheet: str | None, phones: StandIns, asked: str | None) -> int:
    from functions import bootstrap
    from functions.escalate.job import run_escalate
    from functions.followup.job import run_followup

    business = demo_data()["business"]
    settings = load_settings(
        overrides={
            "sheet": sheet or str(folder / "khach-hang.xlsx"),
            "store": str(folder / "careloop.sqlite"),
            "outbox": str(folder / "outbox"),
            "smtp_host": "",
            "business_name": business["name"],
            "sender_email": business["sender_email"],
            # The README's page commands answer here: the survey on 8080, the unsubscribe page on 8081.
            "public_url": "http://127.0.0.1:8080",
            "survey_url": "http://127.0.0.1:8080",
            "unsubscribe_url": "http://127.0.0.1:8081",
            "channel_order": DEMO_CHANNEL_ORDER,  # this office writes by email where it has an address
            "voucher_value": business["voucher_value"],  # a birthday gift: see the Vouchers tab
            "inbox_folder": str(folder / "inbox"),  # customers' replies and bounces, without an IMAP mailbox
            **phones.settings,
        }
    )
    write_demo_config(folder / "careloop.toml", settings)
    now = demo_moment(settings, bootstrap.local_now(settings, asked).date())  # one clock: --now, else today
    deps = bootstrap.followup_deps(settings)
    if sheet:
        seed_sheet(bootstrap.open_sheet(settings), now.date(), settings)
        where = settings.sheet
    else:
        workbook = Path(settings.sheet)
        if not workbook.exists():
            write_sample_workbook(workbook, now.date())
        where = str(workbook.resolve())
        # the Cases and Dashboard tabs
        bootstrap.open_sheet(settings).prepare(bootstrap.sheet_layouts(settings), settings.staff_language)
    from functions.core.business_calendar import BusinessCalendar
    from functions.entrypoints.cli.demo_history import seed_history

    # eleven weeks of made-up history, for the charts
    seed_history(bootstrap.open_store(settings), now, BusinessCalendar(settings.timezone, settings.working_hours))
    outcome = run_followup(deps, now)
    print(summary(outcome.report, settings.staff_language))
    print()
    answered = _customer_answers(settings, now) if outcome.report["sent"] else None  # first demo run only
    if answered:
        print(f"— {both('simulated')}: {answered} {both('demo_low_score')}")
    replied = _customers_reply(settings, phones, now) if outcome.report["sent"] else []  # first demo run only
    if replied:
        print(f"— {both('simulated')}: {both('demo_replies')}: " + "; ".join(replied))
    escalation = bootstrap.escalate_deps(settings)
    reports = [run_escalate(escalation, now)]
    print(escalation_summary(reports[0], settings.staff_language))
    if replied:  # the next follow-up run: the refusal ticked, the bounce noted on the row
        print(f"\n— {both('demo_next_followup')}")
        print("\n".join(_replied_rows(settings, run_followup(bootstrap.followup_deps(settings), now).report)))
    waiting = [c for c in escalation.records.cases.cases(open_only=True) if c.tier < 3 and c.first_responded_at is None]
    if waiting and reports[0]["opened"]:  # nobody answers in time: show a case moving up a tier (first demo run only)
        later = max(c.first_response_due for c in waiting) + timedelta(minutes=1)
        print(f"\n— {both('simulated')} {later:%d/%m/%Y %H:%M}: {both('demo_no_answer')}")
        reports.append(run_escalate(escalation, later))
        print(escalation_summary(reports[-1], settings.staff_language))
    if not sheet:
        _broken_run(settings, folder, now)
    outbox = Path(settings.outbox).resolve()
    print()

    def count(pattern: str) -> int:
        return len(list(outbox.glob(pattern))) if outbox.exists() else 0

    print(f"{both('workbook')}: {where}  ({both('demo_see_columns')})")
    print(f"{both('outbox')}:  {outbox}  ({count('*.eml')} {both('demo_eml_files')}; "
          f"{both('demo_phone_files', files=_phone_files(outbox))})")  # fmt: skip
    print(f"{both('store')}:  {Path(settings.store).resolve()}")
    if nothing_new(outcome.report, reports):
        print(f"{say('demo_nothing_new', 'vi')}\n{say('demo_nothing_new', 'en')}")
    return 0


def _phone_files(outbox: Path) -> str:
    """The phone channels' messages the stand-ins wrote into the outbox: "3 of one, 2 of another"."""
    from functions.adapters.channels.registry import specs
    from functions.adapters.channels.stand_ins import sent_files

    shown = {spec.name: spec.shown for spec in specs()}
    return ", ".join(f"{n} {shown[name]}" for name, n in sent_files(outbox).items())


def _customers_reply(settings: Settings, phones: StandIns, now: datetime) -> list[str]:
    from functions import bootstrap
    from functions.entrypoints.cli.demo_replies import customers_reply

    # The demo's clock: the provider posts the rating at the demo's moment, and the webhook judges it fresh by it.
    store = bootstrap.open_store(settings)

    def rate(key: str, stars: int, chips: list[str], note: str) -> bool:
        return phones.rate_by_phone(Path(settings.outbox), key, stars, chips, note, now, store)

    return customers_reply(Path(settings.outbox), Path(settings.inbox_folder), rate, now)


def _replied_rows(settings: Settings, report: dict[str, Any]) -> list[str]:
    """The rows of the customers who answered, as the follow-up run left them."""
    from functions import bootstrap
    from functions.core.sheet_schema import CUSTOMERS, locate_columns
    from functions.core.tables import row_cells
    from functions.core.text import cell_text
    from functions.entrypoints.cli.demo_replies import BOUNCED, REFUSAL

    table = bootstrap.open_sheet(settings).read([CUSTOMERS])[CUSTOMERS.key]
    columns = locate_columns(CUSTOMERS, table.header, require=False)
    lines = []
    for raw in table.rows:
        cells = row_cells(raw, columns)
        customer_id = cell_text(cells.get("id"))
        if customer_id == REFUSAL[0]:
            lines.append(
                f"  {customer_id}  {both('demo_opted_out', ticked='✓' if cells.get('opt_out') is True else '✗')}"
            )
        elif customer_id == BOUNCED:
            lines.append(f"  {customer_id}  {cell_text(cells.get('system_note'))[:200]}")
    return lines


def _broken_run(settings: Settings, folder: Path, now: datetime) -> None:
    """A follow-up run against a copy of the workbook without its Customers tab, watched as every
    scheduled run is: the Health tab of the copy says it could not run, and the manager's alert lands
    in the outbox (once a day: a second demo the same day sends none)."""
    import openpyxl

    from functions import bootstrap
    from functions.followup.job import run_followup
    from functions.health.watch import run_watched

    broken = folder / "khach-hang-thieu-tab.xlsx"
    workbook = openpyxl.load_workbook(settings.sheet)
    del workbook[workbook.sheetnames[0]]  # the Customers tab comes first
    workbook.save(broken)
    broken_settings = load_settings(config=str(folder / "careloop.toml"), overrides={"sheet": str(broken)})

    def job() -> dict[str, Any]:
        with bootstrap.channels_closed(bootstrap.followup_deps(broken_settings)) as deps:
            return run_followup(deps, now).report

    watch = bootstrap.watch(broken_settings, "followup", now)
    try:
        run_watched(watch, job, now, bootstrap.CANNOT_RUN)
    except bootstrap.CANNOT_RUN:
        managers = ", ".join(email for email, _ in watch.alerts().managers()) or "–"
        print(f"\n— {both('simulated')}: {both('demo_broken_run', workbook=broken.name, to=managers)}")


def write_demo_config(path: Path, settings: Settings) -> None:
    """The settings the demo ran with, for the README's commands (`--config demo/careloop.toml`):
    paths made absolute, no secret, and no channel's own settings: the phone stand-ins run only
    inside `careloop demo`."""
    import json

    from functions.adapters.channels.registry import section_fields
    from functions.settings import firestore_location, setting_fields

    secret = {f.name for f in setting_fields() if f.metadata["secret"]}
    providers = {f.name for _, f in section_fields()}
    shown = settings.redacted()
    lines = [
        "# Written by `careloop demo`: the settings it ran with. The README's commands read this file",
        "# (`--config demo/careloop.toml`); flags and CARELOOP_* variables still win over it. The demo's",
        "# phone channels' stand-ins run only inside `careloop demo`: here customers with only a phone go",
        "# on the Calls tab.",
    ]
    for name in sorted(settings.given - secret - providers):
        value = str(shown[name])
        if not value:
            continue  # left empty on purpose (no SMTP server): the default says the same
        if name in ("sheet", "store", "outbox") and not (firestore_location(value) or value.startswith("google:")
                                                          or "://" in value):  # fmt: skip
            value = str(Path(value).resolve())
        lines.append(f"{name} = {json.dumps(value, ensure_ascii=False)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def nothing_new(followup: dict, escalations: list[dict]) -> bool:
    """The demo ran again and nobody was written to: no customer message, no owner email, no case."""
    busy = ("opened", "escalated", "notified", "surveyed")
    return not followup["sent"] and not any(report.get(key) for report in escalations for key in busy)


def _customer_answers(settings, now: datetime) -> str | None:
    """One customer answers a check-in survey with a low score, through the survey page's own
    handler (GET, then POST with its form value), so the demo shows the loop closing."""
    from urllib.parse import urlsplit

    from functions import bootstrap
    from functions.adapters.templates import Templates
    from functions.survey.page import SurveyDeps, handle_survey

    store = bootstrap.open_store(settings)
    fresh = [s for s in store.surveys.surveys(now - timedelta(minutes=1)) if not s.answers]
    if not fresh:
        return None
    survey, links = fresh[0], bootstrap.links(settings)
    deps = SurveyDeps(store.surveys, links, Templates(), settings.business_name, lambda: now, settings.csat_threshold)
    path = urlsplit(links.survey(survey.survey_id, survey.language, at=survey.created_at)).path
    page, _, _ = handle_survey("GET", path, {"score": "2"}, {}, deps)
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    handle_survey(
        "POST", path, {}, {"score": "2", "comment": demo_data()["business"]["survey_comment"], "csrf": csrf}, deps
    )
    return survey.customer_id
