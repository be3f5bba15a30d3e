"""The public pages customers open from a message (the survey, the unsubscribe link) and the
providers' webhooks (Twilio's delivery reports, Zalo's OA events).

Their dependencies are built once per process: settings are the environment's, and a warm
instance should not re-read them, re-open the store or recompile templates for every tap.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from functions import bootstrap
from functions.settings import Settings, load_settings

if TYPE_CHECKING:  # each page imports its own handler when first called
    from functions.core.links import Links
    from functions.escalate.zalo_webhook import ZaloWebhookDeps
    from functions.followup.sms_status import SmsStatusDeps
    from functions.followup.unsubscribe import UnsubscribeDeps
    from functions.ports import Renderer
    from functions.survey.page import SurveyDeps


def survey(request: Any) -> tuple[str, int, dict[str, str]]:
    """GET /s/<token> shows the survey page and records nothing; POST records the answer."""
    from functions.survey.page import handle_survey

    return handle_survey(request.method, request.path, request.args, request.form, survey_deps())


def unsubscribe(request: Any) -> tuple[str, int, dict[str, str]]:
    """GET shows a confirmation page; POST (the page's button, or RFC 8058 one-click) records it."""
    from functions.followup.unsubscribe import handle_unsubscribe

    return handle_unsubscribe(request.method, request.path, unsubscribe_deps())


def sms_status(request: Any) -> tuple[str, int, dict[str, str]]:
    """Twilio's delivery reports (POST, signed with X-Twilio-Signature): delivered or undelivered."""
    from functions.followup.sms_status import handle_sms_status

    query = request.query_string.decode("latin-1") if isinstance(request.query_string, bytes) else ""
    signature = request.headers.get("X-Twilio-Signature", "")
    # Behind Google's front end the function sees http; Twilio called (and signed) the https URL.
    called = f"{request.headers.get('X-Forwarded-Proto', request.scheme)}://{request.host}{request.path}"
    return handle_sms_status(request.method, called, query, request.form.to_dict(), signature, sms_status_deps())


def zalo_webhook(request: Any) -> tuple[str, int, dict[str, str]]:
    """Zalo's OA events (POST, signed with X-ZEvent-Signature): kept for the escalation run."""
    from functions.escalate.zalo_webhook import handle_zalo_webhook

    body = request.get_data(cache=False)
    return handle_zalo_webhook(request.method, body, request.headers.get("X-ZEvent-Signature", ""), zalo_webhook_deps())


@lru_cache(maxsize=1)
def zalo_webhook_deps() -> ZaloWebhookDeps:
    from functions.escalate.zalo_webhook import ZaloWebhookDeps

    settings = load_settings(sends=False)
    store = bootstrap.open_store(settings)
    return ZaloWebhookDeps(
        store.inbound_events, settings.zalo_app_id, settings.zalo_oa_secret_key, lambda: datetime.now(UTC)
    )


@lru_cache(maxsize=1)
def sms_status_deps() -> SmsStatusDeps:
    from functions.followup.sms_status import SmsStatusDeps

    settings = load_settings(sends=False)
    zone = ZoneInfo(settings.timezone)
    store = bootstrap.open_store(settings)
    return SmsStatusDeps(
        store.ledger,
        store.delivery_reports,
        bootstrap.status_callbacks(settings),
        settings.sms_status_url,
        lambda: datetime.now(zone),
    )


@lru_cache(maxsize=1)
def survey_deps() -> SurveyDeps:
    from functions.survey.page import SurveyDeps, sheet_settings

    settings = load_settings(sends=False)
    store = bootstrap.open_store(settings)
    tab = functools.partial(sheet_settings, store.job_state)
    return SurveyDeps(store.surveys, *_page_deps(settings), settings.csat_threshold, settings.survey_nps, tab)


@lru_cache(maxsize=1)
def unsubscribe_deps() -> UnsubscribeDeps:
    from functions.followup.unsubscribe import UnsubscribeDeps

    settings = load_settings(sends=False)
    store = bootstrap.open_store(settings)
    return UnsubscribeDeps(store.opt_outs, store.surveys, *_page_deps(settings))


def _page_deps(settings: Settings) -> tuple[Links, Renderer, str, Callable[[], datetime]]:
    """What every public page needs besides its ports: the link signer, the templates, the business's name, a clock."""
    zone = ZoneInfo(settings.timezone)
    return (
        bootstrap.links(settings),
        bootstrap.templates(),
        settings.business_name,
        lambda: datetime.now(zone),
    )
