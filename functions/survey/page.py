"""The public survey function: GET shows the page (and records nothing: mail scanners open
links); POST records the answer, through a form carrying a signed anti-CSRF value. A customer
may change the answer until the survey expires; every answer is kept, the latest counts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from functions.core.i18n import say, score_labels
from functions.core.links import Links
from functions.core.surveys import COMMENT_LIMIT, MAX_ANSWERS, Answer, TooManyAnswers
from functions.core.tokens import TokenExpired, TokenInvalid

if TYPE_CHECKING:  # annotations only: the page's cold start skips the ports' data classes
    from functions.ports import Renderer, Store

TOKEN_DAYS = 366  # the survey's own expiry (at most a year) is checked against the store
HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


@dataclass
class SurveyDeps:
    store: Store
    links: Links
    templates: Renderer
    business_name: str
    now: Callable[[], datetime]
    threshold: int = 2
    nps: bool = False


def handle_survey(
    method: str, path: str, query: Mapping[str, str], form: Mapping[str, str], deps: SurveyDeps
) -> tuple[str, int, dict[str, str]]:
    token = path.rstrip("/").rsplit("/", 1)[-1]
    language = "vi"

    def page(state: str, status: int, **context) -> tuple[str, int, dict[str, str]]:
        body = deps.templates.page(
            "survey.html",
            {
                "state": state,
                "language": language,
                "business_name": deps.business_name,
                "nps": deps.nps,
                "labels": list(enumerate(score_labels(language), start=1)),
                "comment_limit": COMMENT_LIMIT,
                "error": "",
                "answered": None,
                "selected": None,
                "comment": "",
                "csrf": "",
                "low": False,
                "change_url": "",
                **context,
            },
        )
        return body, status, dict(HEADERS)

    try:
        payload = deps.links.survey_signer().verify(token, TOKEN_DAYS * 86400, now=deps.now())
        survey_id, language = str(payload["s"]), payload.get("l", "vi")
    except TokenExpired as expired:
        language = expired.payload.get("l", "vi") if isinstance(expired.payload, dict) else "vi"
        return page("expired", 410)
    except (TokenInvalid, KeyError, TypeError):
        return page("invalid", 404)
    survey = deps.store.survey(survey_id)
    if survey is None:
        return page("invalid", 404)
    language = survey.language
    if deps.now() >= survey.expires_at:
        return page("expired", 410)
    csrf = deps.links.form_signer().sign({"s": survey_id})
    answered = survey.latest.score if survey.latest else None

    if method in ("GET", "HEAD"):
        selected = _score(query.get("score")) or answered
        return page("form", 200, csrf=csrf, selected=selected, answered=answered)
    if method != "POST":
        return page("invalid", 405)

    try:
        if deps.links.form_signer().verify(form.get("csrf", ""), TOKEN_DAYS * 86400, now=deps.now()) != {
            "s": survey_id
        }:
            raise TokenInvalid("csrf")
    except (TokenInvalid, TokenExpired):
        return page("form", 403, csrf=csrf, answered=answered, error=say("survey_page_stale", language))
    score = _score(form.get("score"))
    nps = _nps(form.get("nps")) if deps.nps else None
    comment = (form.get("comment") or "").strip()[:COMMENT_LIMIT]
    if score is None:
        return page(
            "form", 400, csrf=csrf, answered=answered, comment=comment, error=say("survey_choose_score", language)
        )
    try:
        deps.store.add_answer(survey_id, Answer(score, deps.now(), comment, nps), limit=MAX_ANSWERS)
    except TooManyAnswers:
        return page("too_many", 429)
    return page("thanks", 200, answered=score, low=score <= deps.threshold, change_url=path)


def _score(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() and 1 <= int(text) <= 5 else None


def _nps(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() and 0 <= int(text) <= 10 else None
