"""The public pages customers open from a message (the survey, the unsubscribe link) and the
channels' webhooks (a provider's delivery reports or events, answered by the channel's module).

Their dependencies are built once per process: settings are the environment's, and a warm
instance should not re-read them, re-open the store or recompile templates for every tap.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from functions import bootstrap
from functions.settings import Settings, load_settings

if TYPE_CHECKING:  # each page imports its own handler when first called
    from functions.core.links import Links
    from functions.followup.unsubscribe import UnsubscribeDeps
    from functions.ports import Renderer, Store
    from functions.survey.page import SurveyDeps


def survey(request: Any) -> tuple[str, int, dict[str, str]]:
    """GET /s/<token> shows the survey page and records nothing; POST records the answer."""
    from functions.survey.page import handle_survey

    return handle_survey(request.method, request.path, request.args, request.form, survey_deps())


def unsubscribe(request: Any) -> tuple[str, int, dict[str, str]]:
    """GET shows a confirmation page; POST (the page's button, or RFC 8058 one-click) records it."""
    from functions.followup.unsubscribe import handle_unsubscribe

    return handle_unsubscribe(request.method, request.path, unsubscribe_deps())


def channel_webhook(name: str, request: Any) -> tuple[str, int, dict[str, str]]:
    """A channel's public function (its provider's delivery reports or events, signed by the provider):
    the channel's module answers; 404 when no channel has it."""
    from functions.adapters.channels.registry import webhook

    settings, store = _webhook_setup()
    handler = webhook(name, settings.sections)
    if handler is None:
        return "not found", 404, {"Content-Type": "text/plain; charset=utf-8"}
    zone = ZoneInfo(settings.timezone)
    return handler(request, store=store, now=lambda: datetime.now(zone))


@lru_cache(maxsize=1)
def _webhook_setup() -> tuple[Settings, Store]:
    """Settings and the store, once per instance: a webhook answers fast (a provider gives up after a few seconds)."""
    settings = load_settings(sends=False)
    return settings, bootstrap.open_store(settings)


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
