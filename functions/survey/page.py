"""The public survey function: GET shows the page (and records nothing: mail scanners open
links); POST records the answer, through a form carrying a signed anti-CSRF value. A customer
may change the answer until the survey expires; every answer is kept, the latest counts."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from functions.core.i18n import say, score_labels
from functions.core.links import SAMPLE, Links
from functions.core.pages import PAGE_HEADERS
from functions.core.settings_tab import PAGE_SETTINGS_JOB, PAGE_SETTINGS_KEY
from functions.core.short_links import DIAL as SHORT_DIAL
from functions.core.short_links import SURVEY as SHORT_SURVEY
from functions.core.short_links import ShortLink, is_short_code
from functions.core.surveys import COMMENT_LIMIT, MAX_ANSWERS, Answer, Survey, TooManyAnswers
from functions.core.tokens import TokenExpired, TokenInvalid

if TYPE_CHECKING:  # annotations only: the page's cold start skips the ports' data classes
    from functions.ports import JobState, Renderer, Surveys

TOKEN_DAYS = 366  # the survey's own expiry (at most a year) is checked against the store


@dataclass
class SurveyDeps:
    surveys: Surveys
    links: Links
    templates: Renderer
    business_name: str
    now: Callable[[], datetime]
    threshold: int = 2
    nps: bool = False
    # The sheet's Settings tab values the escalation run last took (csat_threshold, survey_nps,
    # business_name), over the deployed ones above: the page follows staff's settings too.
    sheet_settings: Callable[[], Mapping[str, str]] | None = None


def sheet_settings(job_state: JobState) -> Mapping[str, str]:
    """The Settings tab's values for this page, as the escalation run last took them."""
    return job_state.job_state(PAGE_SETTINGS_JOB).get(PAGE_SETTINGS_KEY) or {}


def with_sheet_settings(deps: SurveyDeps) -> SurveyDeps:
    """The page's settings with the Settings tab's (as checked by the run that took them); the
    deployed ones when the store cannot say."""
    try:
        given = dict(deps.sheet_settings()) if deps.sheet_settings is not None else {}
    except Exception:  # a page that answers with the deployed settings beats one that fails
        given = {}
    tuned: dict[str, Any] = {}
    if re.fullmatch(r"[0-5]", given.get("csat_threshold", "")):
        tuned["threshold"] = int(given["csat_threshold"])
    if given.get("survey_nps", "").upper() in ("TRUE", "FALSE"):
        tuned["nps"] = given["survey_nps"].upper() == "TRUE"
    if given.get("business_name"):
        tuned["business_name"] = given["business_name"]
    return dataclasses.replace(deps, **tuned) if tuned else deps


Response = tuple[str, int, dict[str, str]]


@dataclass
class _Page:
    """One request's survey page: the survey it names, in the survey's language."""

    deps: SurveyDeps
    path: str
    language: str = "vi"
    survey: Survey | None = None
    csrf: str = ""

    @property
    def answered(self) -> int | None:
        return self.survey.latest.score if self.survey and self.survey.latest else None

    def show(self, state: str, status: int, **context: Any) -> Response:
        deps = self.deps
        body = deps.templates.page("survey.html", {
            "state": state, "language": self.language, "business_name": deps.business_name, "nps": deps.nps,
            "labels": list(enumerate(score_labels(self.language), start=1)), "comment_limit": COMMENT_LIMIT,
            "error": "", "answered": self.answered, "selected": None, "comment": "", "csrf": self.csrf, "low": False,
            "change_url": "", **context,
        })  # fmt: skip
        return body, status, dict(PAGE_HEADERS)

    def refused(self, status: int, code: str, **context: Any) -> Response:
        return self.show("form", status, error=say(code, self.language), **context)


def handle_survey(
    method: str, path: str, query: Mapping[str, str], form: Mapping[str, str], deps: SurveyDeps
) -> Response:
    page = _Page(deps, path)
    *_, prefix, token = ["", *path.rstrip("/").split("/")]
    if prefix == "c":  # /c/<code>: a phone to dial, from the Calls tab
        return _dial(page, token, method)
    if token == SAMPLE:  # a link in staff's test message: says so, records nothing
        return page.show("sample", 200)
    page.deps = with_sheet_settings(deps)
    closed = _open(page, token)
    if closed is not None:
        return closed
    if method in ("GET", "HEAD"):
        return _get(page, query)
    if method == "POST":
        return _post(page, form)
    return page.show("invalid", 405)


def _dial(page: _Page, code: str, method: str) -> Response:
    """/c/<code> from the Calls tab: a redirect to the phone's tel: (the phone opens its dialer).
    It records nothing; an unknown code is a 404 and an expired one a 410, as for surveys."""
    link = _short_link(page, code, SHORT_DIAL)
    if not isinstance(link, ShortLink):
        return link
    if method not in ("GET", "HEAD"):
        return page.show("invalid", 405)
    tel = "tel:" + re.sub(r"[^0-9+]", "", link.target.split()[0])  # the target: the phone, then the call's day
    return f'<!doctype html><a href="{tel}">{tel[4:]}</a>\n', 302, {**PAGE_HEADERS, "Location": tel}


def _open(page: _Page, token: str) -> Response | None:
    """Find the survey the link names; a page saying why not when it cannot be answered."""
    deps = page.deps
    if is_short_code(token):  # /s/<code> from an SMS or a Zalo message
        link = _short_link(page, token, SHORT_SURVEY)
        return _found(page, link.target) if isinstance(link, ShortLink) else link
    try:
        payload = deps.links.survey_signer().verify(token, TOKEN_DAYS * 86400, now=deps.now())
        survey_id, page.language = str(payload["s"]), payload.get("l", "vi")
    except TokenExpired as expired:
        page.language = expired.payload.get("l", "vi") if isinstance(expired.payload, dict) else "vi"
        return page.show("expired", 410)
    except (TokenInvalid, KeyError, TypeError):
        return page.show("invalid", 404)
    return _found(page, survey_id)


def _short_link(page: _Page, code: str, purpose: str) -> ShortLink | Response:
    """The stored link of that purpose, or the page saying why not: unknown (404) or expired (410)."""
    link = page.deps.surveys.short_link(code) if is_short_code(code) else None
    if link is None or link.purpose != purpose:
        return page.show("invalid", 404)
    page.language = link.language
    if page.deps.now() >= link.expires_at:
        return page.show("expired", 410)
    return link


def _found(page: _Page, survey_id: str) -> Response | None:
    deps = page.deps
    page.survey = deps.surveys.survey(survey_id)
    if page.survey is None:
        return page.show("invalid", 404)
    page.language = page.survey.language
    if deps.now() >= page.survey.expires_at:
        return page.show("expired", 410)
    page.csrf = deps.links.form_signer().sign({"s": survey_id}, deps.now())
    return None


def _get(page: _Page, query: Mapping[str, str]) -> Response:
    """The form (nothing recorded: mail scanners open links), or the thank-you page after a POST."""
    answered, latest = page.answered, page.survey.latest if page.survey else None
    if "done" in query and answered is not None:  # a reload here stores nothing
        return page.show("thanks", 200, low=answered <= page.deps.threshold, change_url=page.path)
    chosen = query.get("score")
    if chosen is not None and _score(chosen) is None:
        return page.refused(400, "survey_choose_score")
    return page.show("form", 200, selected=_score(chosen) or answered, comment=latest.comment if latest else "")


def _post(page: _Page, form: Mapping[str, str]) -> Response:
    deps = page.deps
    assert page.survey is not None  # _open found it
    try:
        if deps.links.form_signer().verify(form.get("csrf", ""), TOKEN_DAYS * 86400, now=deps.now()) != {
            "s": page.survey.survey_id
        }:
            raise TokenInvalid("csrf")
    except (TokenInvalid, TokenExpired):
        return page.refused(403, "survey_page_stale")
    score, comment = _score(form.get("score")), (form.get("comment") or "").strip()[:COMMENT_LIMIT]
    if score is None or (deps.nps and form.get("nps") and _nps(form.get("nps")) is None):
        return page.refused(400, "survey_choose_score", comment=comment)
    answer = Answer(score, deps.now(), comment, _nps(form.get("nps")) if deps.nps else None)
    try:
        deps.surveys.add_answer(page.survey.survey_id, answer, limit=MAX_ANSWERS)
    except TooManyAnswers:
        return page.show("too_many", 429)
    # Post/redirect/get: the thank-you page is a GET, so reloading it stores nothing.
    return "", 303, {**PAGE_HEADERS, "Location": f"{page.path}?done=1"}


def _score(text: str | None) -> int | None:
    """1–5 in ASCII digits only: "²", "５" or "٣" are not answers a form of ours sends."""
    return int(text) if text is not None and re.fullmatch(r"[1-5]", text.strip()) else None


def _nps(text: str | None) -> int | None:
    return int(text) if text is not None and re.fullmatch(r"10|[0-9]", text.strip()) else None
