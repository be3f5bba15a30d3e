"""`careloop check`: settings, the sheet's headers, the store, and every template rendered with
sample data, so a broken template is found here and never by a customer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from functions import bootstrap
from functions.adapters.templates import Templates
from functions.compose import Composer, Recipient
from functions.core.care_plan import ADVERT, CARE, KIND_PREFIX, is_occasion_kind, read_care_plan
from functions.core.channel_specs import TEMPLATE_FORM, ChannelBook
from functions.core.customers import read_customers
from functions.core.errors import RenderError
from functions.core.i18n import LANGUAGES, both
from functions.core.links import Links
from functions.core.message_tab import MessageTab, TextBook
from functions.core.occasions import Occasion
from functions.core.sheet_schema import CARE_PLAN, CUSTOMERS, MESSAGES, SETTINGS, MissingColumnError
from functions.core.staff_texts import BIRTHDAY, EDITABLE_KINDS, values_for
from functions.core.surveys import Survey
from functions.core.tables import Table
from functions.core.vouchers import Voucher
from functions.settings import (
    Settings,
    configured_channels,
    origin_text,
    read_settings_tab,
    settings_warnings,
    shown_value,
    tab_settings,
)

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
    "contact": "+84912345678 · lan@example.com",
    "from_reply": True,
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
    # the weekly digest's
    "manager": "an", "week": "2026-W47", "week_before": "2026-W46", "week_dates": "16/11 – 22/11/2026",
    "headline": "5 tin đã gửi", "rows": [{"label": "Tin đã gửi", "now": "5", "before": "3", "arrow": "▲",
                                         "colour": "#067647"}],
    "overdue": [{"case_id": "HS-ABCD2345", "tier": 2, "customer": "Nguyễn Thị Lan", "category": "Hợp đồng",
                 "owner": "Trần Văn Tuấn", "due": "18/11 10:00"}],
    "comments": [{"score": 1, "comment": "Chờ lâu", "customer_id": "C-001"}],
    "themes": ["Thời gian chờ: 12 (tuần trước 5)", "Tăng nhiều nhất: Thời gian chờ (+7), ví dụ: “Chờ lâu quá”"],
    # the alerts'
    "job": "Lời chúc và hỏi thăm", "result": "Không chạy được", "at": "23/11/2026 10:00",
    "detail": "Không tìm thấy tab 'Khách hàng' / The 'Customers' tab is missing",
    # a rising theme's
    "theme": "Thời gian chờ", "last7": 6, "prev7": 2, "example": "Chờ lâu quá, 2 tiếng mới tới lượt",
}  # fmt: skip


SAMPLE_LINKS = Links("https://care.example.vn", "s" * 32)
SAMPLE_SURVEY = Survey("SV-SAMPLE", "C-001", "checkin/2026-11-16", "vi", datetime(2026, 11, 23, 9, tzinfo=UTC),
                       datetime(2026, 12, 23, 9, tzinfo=UTC))  # fmt: skip
SAMPLE_VOUCHER = Voucher("7K3QW9XM", "C-001", "Nguyễn Thị Lan", 2026, "giảm 15%", date(2026, 11, 23),
                         date(2026, 12, 23))  # fmt: skip


def check_templates(templates: Templates, channels: ChannelBook, book: TextBook | None = None) -> list[str]:
    """Every kind in every language on every channel it has: the owners' emails from their templates;
    what customers receive from the texts (staff's where usable, else built in) on every channel,
    each text within its channel's size (links as long as real ones) and each approved template's
    parameters — with and without a survey and a voucher."""
    failures = []
    composer = Composer(templates, SAMPLE_LINKS, channels, book)
    for kind in templates.message_kinds:
        for language in LANGUAGES:
            try:
                if kind in EDITABLE_KINDS:
                    _check_text(composer, kind, language)
                elif kind in (CARE, ADVERT):  # the approved templates of the occasions staff add
                    _check_text(composer, KIND_PREFIX + "mau", language, advert=kind == ADVERT)
                else:
                    templates.message(kind, language, SAMPLE_CONTEXT)
            except RenderError as error:
                failures.append(str(error))
    return failures


def _check_text(composer: Composer, kind: str, language: str, advert: bool = False) -> None:
    tables = composer.templates.message_kinds[(ADVERT if advert else CARE) if is_occasion_kind(kind) else kind]
    book = composer.channels
    channels = [s.name for s in book.specs if s.form != TEMPLATE_FORM or tables.get(s.template_table)]
    recipient = Recipient("C-001", "Nguyễn Thị Lan", language, [(c, book.sample_address(c)) for c in channels])
    values = values_for("Nguyễn Thị Lan", "chị Lan", "chị", "Văn phòng Luật Minh An", date(2026, 11, 16), "HS-ABCD2345",
                        "Ngày Phụ nữ Việt Nam", "20/10/2026")  # fmt: skip
    now = SAMPLE_SURVEY.created_at
    for survey, voucher in ((SAMPLE_SURVEY, SAMPLE_VOUCHER if kind == BIRTHDAY or advert else None), (None, None)):
        composed = composer.compose(f"{kind}/C-001/sample", kind, recipient, values, survey, now, voucher,
                                    occasion_advert=advert)  # fmt: skip
        templates = sum(1 for c in channels if book.form(c) == TEMPLATE_FORM)
        if len(composed.messages) < len(channels) - (templates if survey is None else 0):  # a template may need one
            raise RenderError(f"{kind}/{language}: {[m.channel for m in composed.messages]}")


def channels_configured(settings: Settings) -> str:
    """Which channels this deployment sends on, and through what."""
    from functions.adapters.channels.registry import descriptions, specs

    described = descriptions(settings.sections, bootstrap.channel_context(settings, sending=False))
    parts = [f"{name} ({how})" for name, how in described.items()]
    missing = [spec.name for spec in specs() if spec.name not in described]
    return ", ".join(parts) + (f"; {both('channels_not_set_up', channels=', '.join(missing))}" if missing else "")


def run_checks(settings, say: Callable[[str], None]) -> int:
    failures = 0

    def result(ok: bool, label: str, detail: str = "") -> None:
        nonlocal failures
        failures += not ok
        say(f"{'✓' if ok else '✗'} {label}{': ' + detail if detail else ''}")

    result(True, both("settings"), ", ".join(f"{k}={v}" for k, v in settings.redacted().items()))
    for warning in settings_warnings(settings):
        say(f"! {both('warning')}: {warning}")
    tables: dict[str, Table] = {}
    occasions = None  # the care plan's: its occasions' names are kinds of the Messages tab
    try:
        tables = bootstrap.open_sheet(settings).read([CUSTOMERS, MESSAGES, SETTINGS, CARE_PLAN])
        table = tables.get(CUSTOMERS.key)
        if table is None:
            result(False, both("sheet"), both("tab_missing", vi=CUSTOMERS.title_vi, en=CUSTOMERS.title_en))
        else:
            sheet = read_customers(table, bootstrap.read_rules(settings), date.today())
            occasions = read_care_plan(tables.get(CARE_PLAN.key), table.header, sheet.columns, "vi").occasions
            found = ", ".join(f"{k}='{v}'" for k, v in sheet.headers.items())
            result(
                True,
                f"{both('sheet')} '{table.title}'",
                both("check_sheet", customers=len(sheet.customers), problems=len(sheet.problems), columns=found),
            )
    except (MissingColumnError, Exception) as error:
        result(False, both("sheet"), str(error))
    settings = _business_settings(settings, tables.get(SETTINGS.key), say)
    try:
        if bootstrap.store_made(settings):
            bootstrap.open_store(settings).ledger.facts([], date.today())
            result(True, both("store"), settings.store)
        else:  # a first install: the first run makes it
            result(True, both("store"), f"{settings.store}: {both('store_not_yet')}")
    except Exception as error:
        result(False, both("store"), str(error))
    result(True, both("channels"), channels_configured(settings))
    queue = bootstrap.send_queue(settings)
    if queue is not None:
        missing = queue.missing(sorted(configured_channels(settings)))
        detail = both("check_queue", after=settings.fanout_after, size=settings.fanout_batch_size)
        result(not missing, both("send_queue"), "; ".join(missing) or detail)
    texts = _message_tab(settings, tables.get(MESSAGES.key), occasions)
    if MESSAGES.key in tables:
        invalid = "; ".join(f"{both('row')} {row}: {note}" for row, note in texts.invalid)
        result(not texts.invalid, f"{both('sheet')} '{tables[MESSAGES.key].title}'",
               invalid or both("check_texts", count=len(texts.book.staff)))  # fmt: skip
    template_failures = check_templates(Templates(), bootstrap.channel_book(settings), texts.book)
    result(not template_failures, both("templates"), "; ".join(template_failures) or "vi, en")
    return failures


def _business_settings(settings: Settings, table: Table | None, say: Callable[[str], None]) -> Settings:
    """The business's settings as the next run takes them (the Settings tab over the deployed
    values): each with its value and where it came from; a tab value refused, as its note says."""
    in_force, from_tab = read_settings_tab(settings, table, settings.staff_language)
    say(f"✓ {both('business_settings')}:")
    for name in tab_settings():
        say(f"    {name} = {shown_value(in_force, name)}  ({origin_text(in_force, name, settings.staff_language)})")
    for problem in from_tab.report.get("invalid", []):
        say(f"! {both('warning')}: '{table.title if table else SETTINGS.title_vi}' {both('row')} {problem['row']}: "
            f"{problem['note']}")  # fmt: skip
    return in_force


def _message_tab(settings: Settings, table: Table | None, occasions: Sequence[Occasion] | None) -> MessageTab:
    """The Messages tab as the next follow-up run will read it."""
    from functions.core.vouchers import VoucherRules
    from functions.message_texts import message_texts

    templates, surveys = Templates(), bootstrap.survey_rules(settings)
    # Sample links only need a real link's length: no secret is read, or made beside a store not made yet.
    links = Links(settings.public_url, "s" * 43, settings.survey_url, settings.unsubscribe_url)
    return message_texts(table, templates, links, bootstrap.channel_book(settings),
                         settings.business_name, settings.staff_language, surveys is not None,
                         VoucherRules(settings.voucher_value, settings.voucher_days), occasions)  # fmt: skip
