"""Builds each job's dependencies from settings: the one place that knows which backend serves which
port (the adapters themselves are opened in `bootstrap.adapters`).

Entry points and the CLI call this; jobs receive ports. A test passes its own adapters and replaces
what it tests, as cosmicpython's bootstrap takes fakes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from functions.bootstrap.adapters import (
    channel_book,
    channel_context,
    email_channel,
    inbox,
    link_secret,
    links,
    local_now,
    open_channels,
    open_sheet,
    open_store,
    send_queue,
    sheet_link,
    store_made,
    templates,
)
from functions.core.errors import JobCannotRun, SheetUnavailable, StoreUnavailable
from functions.core.sheet_schema import MATRIX, SETTINGS, MissingColumnError
from functions.retry import RetryPolicy
from functions.settings import (
    Settings,
    SettingsError,
    read_settings_tab,
    settings_tab_rows,
)

__all__ = [
    "CANNOT_RUN", "alert_deps", "channel_book", "channel_context", "channels_closed", "digest_deps", "email_channel",
    "escalate_deps", "followup_deps", "followup_rules", "inbox", "link_secret", "links", "local_now",
    "open_channels", "open_sheet", "open_store", "ports_for", "read_rules", "send_batch_deps", "send_queue",
    "sheet_layouts", "sheet_link", "store_made", "survey_rules", "templates", "watch",
]  # fmt: skip

if TYPE_CHECKING:  # each job's wiring is imported when that job runs: a public page's cold start skips them
    from _typeshed import DataclassInstance

    from functions.core.customers import ReadRules
    from functions.core.settings_tab import SettingsFromTab
    from functions.core.sheet_schema import TabLayout
    from functions.core.tables import Table
    from functions.core.themes import Lexicon
    from functions.digest.job import DigestDeps
    from functions.escalate.deps import EscalationDeps
    from functions.followup.deps import FollowupDeps
    from functions.followup.plan import FollowupRules
    from functions.health.alerts import AlertDeps
    from functions.health.watch import Watch
    from functions.ports import Channel, PreparableSheet, Store
    from functions.sendbatch.job import SendBatchDeps
    from functions.survey.offers import SurveyRules


Records = TypeVar("Records", bound="DataclassInstance")


def ports_for(records: type[Records], store: Store) -> Records:
    """The ports a job's records name (its fields), handed out by the store; none it does not name."""
    ports: dict[str, Any] = {f.name: getattr(store, f.name) for f in dataclasses.fields(records)}
    return records(**ports)


class JobDeps(Protocol):
    channels: Mapping[str, Channel]


Deps = TypeVar("Deps", bound=JobDeps)


@contextmanager
def channels_closed(deps: Deps) -> Iterator[Deps]:
    """A job's dependencies, with its channels closed afterwards (an SMTP connection, say)."""
    try:
        yield deps
    finally:
        for channel in set(deps.channels.values()):
            channel.close()


def sheet_layouts(settings: Settings) -> list[TabLayout]:
    """What `careloop setup-sheet` makes, and what a run makes of it when missing (all but the
    Customers tab): every tab, the Messages tab seeded with the built-in texts, the Settings tab
    with each setting's value in force."""
    from functions.core.message_tab import seed_rows
    from functions.core.sheet_layout import layouts

    language = settings.staff_language
    return layouts(channel_book(settings), language, seed_rows(templates().builtin_texts, language),
                   settings_tab_rows(settings, language))  # fmt: skip


def read_rules(settings: Settings) -> ReadRules:
    from functions.core.customers import ReadRules

    return ReadRules(settings.date_order, settings.phone_region, settings.default_language, settings.channel_order,
                     channel_book(settings))  # fmt: skip


Tunable = TypeVar("Tunable", bound="DataclassInstance")


def tuned_by_tab(
    deps: Tunable, settings: Settings, rules: Callable[[Settings], dict[str, Any]], replaced: Mapping[str, Any]
) -> Tunable:
    """`deps` with the fields a caller replaced (`replaced`: a test's fakes and rules), able to take
    the Settings tab's values: `rules` are the fields the tab's settings feed, built again from the
    settings in force when the tab changes any — never over a field the caller replaced."""

    def from_tab(current: Tunable, table: Table | None) -> tuple[Tunable, SettingsFromTab]:
        tuned, outcome = read_settings_tab(settings, table, settings.staff_language)
        if tuned is settings:
            return current, outcome
        return dataclasses.replace(current, **{k: v for k, v in rules(tuned).items() if k not in replaced}), outcome

    return dataclasses.replace(deps, settings_tab=from_tab, **replaced)


def _store_and_channels(
    settings: Settings, store: Store | None, channels: Mapping[str, Channel] | None
) -> tuple[Store, Mapping[str, Channel]]:
    """The store and the channels a caller gave, else those the settings name."""
    store = store or open_store(settings)
    return store, channels if channels is not None else open_channels(settings, store.credentials)


def followup_deps(
    settings: Settings,
    *,
    sheet: PreparableSheet | None = None,
    store: Store | None = None,
    channels: Mapping[str, Channel] | None = None,
    **replaced: Any,
) -> FollowupDeps:
    """The follow-up run's dependencies from settings; a test passes its own adapters (a memory sheet,
    store or channel) and replaces what it tests (`replaced`: fields by name), as cosmicpython's
    bootstrap takes fakes."""
    from functions.followup.deps import FollowupDeps, FollowupRecords

    store, channels = _store_and_channels(settings, store, channels)
    deps = FollowupDeps(
        sheet=sheet or open_sheet(settings),
        records=ports_for(FollowupRecords, store),
        channels=channels,
        templates=templates(),
        links=links(settings),
        staff_language=settings.staff_language,
        retry=RetryPolicy(budget_seconds=settings.retry_seconds),
        run_budget_seconds=settings.run_budget_seconds,
        channel_book=channel_book(settings),
        queue=send_queue(settings),
        fanout_after=settings.fanout_after,
        fanout_batch_size=settings.fanout_batch_size,
        layouts=sheet_layouts(settings),
        **_followup_rules(settings, frozenset(channels)),
    )
    configured = frozenset(channels)
    return tuned_by_tab(deps, settings, lambda tuned: _followup_rules(tuned, configured), replaced)


def followup_rules(settings: Settings, channels: frozenset[str]) -> FollowupRules:
    """Who is due and when, from settings (the plan's pure rules read it)."""
    rules: FollowupRules = _followup_rules(settings, channels)["rules"]
    return rules


def _followup_rules(settings: Settings, channels: frozenset[str]) -> dict[str, Any]:
    """The follow-up run's fields that come from settings staff may set in the Settings tab."""
    from functions.core.vouchers import VoucherRules
    from functions.followup.plan import FollowupRules

    return {
        "rules": FollowupRules(
            settings.catchup_days,
            settings.daily_cap,
            *settings.send_hours,
            channels,
            settings.max_messages_per_day,
            settings.marketing_consent_required,
        ),
        "read_rules": read_rules(settings),
        "business_name": settings.business_name,
        "surveys": survey_rules(settings),
        "vouchers": VoucherRules(settings.voucher_value, settings.voucher_days),
        "marketing_consent_required": settings.marketing_consent_required,
        "retention_days": settings.retention_days,
    }


def send_batch_deps(
    settings: Settings, *, store: Store | None = None, channels: Mapping[str, Channel] | None = None, **replaced: Any
) -> SendBatchDeps:
    from functions.sendbatch.job import SendBatchDeps, SendBatchRecords

    store, channels = _store_and_channels(settings, store, channels)
    deps = SendBatchDeps(ports_for(SendBatchRecords, store), channels, link_secret(settings),
                         RetryPolicy(budget_seconds=settings.retry_seconds))  # fmt: skip
    return dataclasses.replace(deps, **replaced)


def survey_rules(settings: Settings) -> SurveyRules:
    from functions.survey.offers import SurveyRules

    return SurveyRules(settings.survey_days, settings.survey_throttle_days)


def escalate_deps(
    settings: Settings,
    *,
    sheet: PreparableSheet | None = None,
    store: Store | None = None,
    channels: Mapping[str, Channel] | None = None,
    **replaced: Any,
) -> EscalationDeps:
    """The escalation run's dependencies from settings; adapters and fields a test replaces, as for
    followup_deps."""
    from functions.escalate.deps import EscalationDeps, EscalationRecords

    store, channels = _store_and_channels(settings, store, channels)
    deps = EscalationDeps(
        sheet=sheet or open_sheet(settings),
        records=ports_for(EscalationRecords, store),
        channels=channels,
        templates=templates(),
        sheet_link=sheet_link(settings),
        staff_language=settings.staff_language,
        retry=RetryPolicy(budget_seconds=settings.retry_seconds),
        run_budget_seconds=settings.run_budget_seconds,
        links=links(settings),
        channel_book=channel_book(settings),
        layouts=sheet_layouts(settings),
        inbox=inbox(settings),
        inbox_authserv_id=settings.inbox_authserv_id,
        retention_days=settings.retention_days,
        lexicon=vietnamese_words(),
        **_escalation_rules(settings),
    )
    return tuned_by_tab(deps, settings, _escalation_rules, replaced)


def vietnamese_words() -> Lexicon:
    """Vietnamese words (underthesea's dictionary and segmenter), loaded when a text is first read."""
    from functions.adapters.vietnamese import LazyLexicon

    return LazyLexicon()


def _escalation_rules(settings: Settings) -> dict[str, Any]:
    """The escalation run's fields that come from settings staff may set in the Settings tab."""
    from functions.core.business_calendar import BusinessCalendar
    from functions.core.vouchers import VoucherRules
    from functions.escalate.triage import tier3_phrases

    return {
        "calendar": BusinessCalendar(settings.timezone, settings.working_hours),
        "read_rules": read_rules(settings),
        "business_name": settings.business_name,
        "phrases": settings.tier3_phrases or tier3_phrases(),
        "surveys": survey_rules(settings),
        "csat_threshold": settings.csat_threshold,
        "send_start": settings.send_hours[0],
        "vouchers": VoucherRules(settings.voucher_value, settings.voucher_days),
        "managers": settings.manager_emails,
    }


def digest_deps(
    settings: Settings,
    *,
    sheet: PreparableSheet | None = None,
    store: Store | None = None,
    channels: Mapping[str, Channel] | None = None,
    **replaced: Any,
) -> DigestDeps:
    from functions.digest.job import DigestDeps, DigestRecords

    store = store or open_store(settings)
    deps = DigestDeps(
        sheet=sheet or open_sheet(settings),
        records=ports_for(DigestRecords, store),
        channels=channels if channels is not None else {"email": email_channel(settings)},  # the manager reads email
        templates=templates(),
        sheet_link=sheet_link(settings),
        staff_language=settings.staff_language,
        retry=RetryPolicy(budget_seconds=settings.retry_seconds),
        **_digest_rules(settings),
    )
    return tuned_by_tab(deps, settings, _digest_rules, replaced)


def _digest_rules(settings: Settings) -> dict[str, Any]:
    """The digest's fields that come from settings staff may set in the Settings tab."""
    from functions.core.business_calendar import BusinessCalendar

    return {
        "calendar": BusinessCalendar(settings.timezone, settings.working_hours),
        "business_name": settings.business_name,
        "managers": settings.manager_emails,
        "send_start": settings.send_hours[0],
    }


def alert_deps(settings: Settings) -> AlertDeps:
    """Who is told when careloop needs a person, and how: the manager_emails setting (the Settings
    tab's, else the deployed one, else the matrix's '*' tier-3 owner: read from the sheet if it
    answers), by email, once a problem a day."""
    from functools import cache

    from functions.escalate.matrix import MatrixError, managers
    from functions.health.alerts import AlertDeps, AlertRecords

    @cache
    def addresses() -> list[tuple[str, str]]:
        """Read only when there is something to tell: a good run costs the sheet no request."""
        try:
            tables = open_sheet(settings).read([MATRIX, SETTINGS])
        except (SheetUnavailable, OSError, ValueError):
            tables = {}
        in_force, _ = read_settings_tab(settings, tables.get(SETTINGS.key), settings.staff_language)
        try:
            found = list(managers(tables.get(MATRIX.key), in_force.manager_emails).items())
        except MatrixError:
            found = []
        # Nobody named yet (a new matrix, no manager_emails): the business's own mailbox, which someone reads.
        return found or ([(in_force.sender_email, in_force.business_name)] if "sender_email" in settings.given else [])

    return AlertDeps(
        ports_for(AlertRecords, open_store(settings)),
        {"email": email_channel(settings)},
        templates(),
        addresses,
        settings.business_name,
        sheet_link(settings),
        settings.staff_language,
        RetryPolicy(budget_seconds=settings.retry_seconds),
    )


def watch(settings: Settings, job: str, now: datetime) -> Watch:
    """What a run of `job` reports its health through (see functions.health.watch)."""
    from functions.core.business_calendar import BusinessCalendar
    from functions.core.health import next_digest, next_escalation, next_followup
    from functions.health.watch import Watch

    calendar = BusinessCalendar(settings.timezone, settings.working_hours)
    expected = {
        "followup": lambda: next_followup(now, settings.send_hours[0], calendar),
        "escalate": lambda: next_escalation(now, calendar),
        "digest": lambda: next_digest(now, calendar),
    }
    return Watch(
        job,
        lambda: alert_deps(settings),
        lambda: open_sheet(settings),
        settings.staff_language,
        expected[job]() if job in expected else None,
    )


CANNOT_RUN = (SettingsError, MissingColumnError, JobCannotRun, SheetUnavailable, StoreUnavailable)
