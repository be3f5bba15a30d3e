"""`careloop check`: settings, the sheet's headers, the store, and every template rendered with
sample data, so a broken template is found here and never by a customer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from functions import bootstrap
from functions.adapters.templates import Templates
from functions.compose import SmsRules
from functions.core.customers import read_customers
from functions.core.errors import RenderError
from functions.core.i18n import LANGUAGES, both
from functions.core.sheet_schema import CUSTOMERS, MissingColumnError
from functions.core.sms import fit_sms
from functions.settings import Settings, configured_channels

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


SAMPLE_SHORT_LINK = "https://example.invalid/s/abcdefghijklmnop"  # as long as a real one, for SMS length


def check_templates(templates: Templates, sms: SmsRules | None = None) -> list[str]:
    """Every kind in every language on every channel it has: email; SMS (within the segment limit,
    with links as long as real ones); the Zalo template's parameters."""
    failures = []
    for kind in templates.message_kinds:
        for language in LANGUAGES:
            try:
                _check_kind(templates, kind, language, sms or SmsRules())
            except RenderError as error:
                failures.append(str(error))
    return failures


def _check_kind(templates: Templates, kind: str, language: str, sms: SmsRules) -> None:
    templates.message(kind, language, SAMPLE_CONTEXT)
    promotional = templates.promotional(kind)
    phone_context = {**SAMPLE_CONTEXT, "survey_url": SAMPLE_SHORT_LINK,
                     "unsubscribe_url": SAMPLE_SHORT_LINK if promotional else ""}  # fmt: skip
    sms_template = f"messages/{kind}/{language}.sms.txt"
    if (templates.directory / sms_template).exists():
        text = templates.message(kind, language, phone_context, "sms").text
        fit_sms(text, sms.ascii_only, sms.max_segments, sms_template)
    if templates.message_kinds[kind].get("zns"):
        templates.message(kind, language, phone_context, "zalo")


def channels_configured(settings: Settings) -> str:
    """Which channels this deployment sends on, and through what."""
    configured = configured_channels(settings)
    parts = [f"email ({'SMTP ' + settings.smtp_host if settings.smtp_host else 'outbox ' + settings.outbox})"]
    if "sms" in configured:
        parts.append(f"sms (Twilio, {settings.sms_sender})")
    if "zalo" in configured:
        parts.append(f"zalo (ZNS: {', '.join(kind for kind, _ in settings.zalo_templates)})")
    missing = [c for c in ("sms", "zalo") if c not in configured]
    return ", ".join(parts) + (f"; {both('channels_not_set_up', channels=', '.join(missing))}" if missing else "")


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
    result(True, both("channels"), channels_configured(settings))
    template_failures = check_templates(Templates(), bootstrap.sms_rules(settings))
    result(not template_failures, both("templates"), "; ".join(template_failures) or "vi, en")
    return failures
