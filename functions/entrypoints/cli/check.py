"""`careloop check`: settings, the sheet's headers, the store, and every template rendered with
sample data, so a broken template is found here and never by a customer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from functions import bootstrap
from functions.adapters.templates import Templates
from functions.core.customers import read_customers
from functions.core.errors import RenderError
from functions.core.i18n import LANGUAGES, both
from functions.core.sheet_schema import CUSTOMERS, MissingColumnError

SAMPLE_CASE = {
    "kind": "escalated",
    "tier": 2,
    "case_id": "HS-ABCD2345",
    "customer": "Nguyễn Thị Lan",
    "customer_id": "C-001",
    "category": "Hợp đồng",
    "issue": "Tôi sẽ khởi kiện",
    "first_response_due": "23/11/2026 13:30",
    "resolve_due": "25/11/2026 10:00",
}
SAMPLE_CONTEXT = {
    **SAMPLE_CASE,
    "greeting": "chị Lan",
    "name": "Nguyễn Thị Lan",
    "business_name": "careloop",
    "unsubscribe_url": "https://example.invalid/unsubscribe/TOKEN",
    "purchase_date": "16/11/2026",
    "owner": "Trần Văn Tuấn",
    "sheet_link": "https://docs.google.com/spreadsheets/d/KEY",
    "cases": [{**SAMPLE_CASE, "kind": kind} for kind in ("opened", "escalated", "reminder")],
    "survey_links": [
        {"score": n, "label": f"{n}", "url": f"https://example.invalid/s/T?score={n}"} for n in range(1, 6)
    ],
}


def check_templates(templates: Templates) -> list[str]:
    failures = []
    for kind in templates.message_kinds:
        for language in LANGUAGES:
            try:
                templates.message(kind, language, SAMPLE_CONTEXT)
            except RenderError as error:
                failures.append(str(error))
    return failures


def run_checks(settings, say: Callable[[str], None]) -> int:
    failures = 0

    def result(ok: bool, label: str, detail: str = "") -> None:
        nonlocal failures
        failures += not ok
        say(f"{'✓' if ok else '✗'} {label}{': ' + detail if detail else ''}")

    result(True, both("settings"), ", ".join(f"{k}={v}" for k, v in settings.redacted().items()))
    try:
        table = bootstrap.open_sheet(settings).read([CUSTOMERS]).get(CUSTOMERS.key)
        if table is None:
            result(False, both("sheet"), both("tab_missing", vi=CUSTOMERS.title_vi, en=CUSTOMERS.title_en))
        else:
            sheet = read_customers(table, bootstrap.read_rules(settings), date.today())
            found = ", ".join(f"{k}='{v}'" for k, v in sheet.headers.items())
            result(
                True,
                f"{both('sheet')} '{table.title}'",
                both("check_sheet", customers=len(sheet.customers), problems=len(sheet.problems), columns=found),
            )
    except (MissingColumnError, Exception) as error:
        result(False, both("sheet"), str(error))
    try:
        bootstrap.open_store(settings).facts([], date.today())
        result(True, both("store"), settings.store)
    except Exception as error:
        result(False, both("store"), str(error))
    template_failures = check_templates(Templates())
    result(not template_failures, both("templates"), "; ".join(template_failures) or "vi, en")
    return failures
