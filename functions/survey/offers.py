"""Offering a survey in a message (pure): which survey, whether the customer had one too
recently, and the five one-tap links. Called by the follow-up and escalation jobs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from functions.core.i18n import score_labels
from functions.core.links import Links
from functions.core.surveys import Survey, survey_id_for


@dataclass(frozen=True)
class SurveyRules:
    days: int  # how long the link works
    throttle_days: int  # no new survey to the same customer within this many days


def recent_by_customer(surveys: Iterable[Survey]) -> dict[str, set[str]]:
    recent: dict[str, set[str]] = defaultdict(set)
    for survey in surveys:
        recent[survey.customer_id].add(survey.survey_id)
    return recent


def offer(
    customer_id: str, occasion: str, language: str, now: datetime, recent: dict[str, set[str]], rules: SurveyRules
) -> Survey | None:
    """The survey for this occasion, or None when the customer was asked about something else lately."""
    survey_id = survey_id_for(customer_id, occasion)
    if recent.get(customer_id, set()) - {survey_id}:
        return None
    return Survey(survey_id, customer_id, occasion, language, now, now + timedelta(days=rules.days))


def survey_links(links: Links, survey: Survey) -> list[dict[str, object]]:
    """Five links, one per score, each opening the page with that score chosen (GET records nothing)."""
    labels = score_labels(survey.language)
    return [
        {
            "score": n,
            "label": labels[n - 1],
            "url": links.survey(survey.survey_id, survey.language, n, survey.created_at),
        }
        for n in range(1, 6)
    ]
