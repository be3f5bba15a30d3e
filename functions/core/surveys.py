"""Surveys (pure): one per customer and occasion, with every answer kept; the latest counts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from functions.core.ids import derived_id

MAX_ANSWERS = 20
COMMENT_LIMIT = 1000


class TooManyAnswers(RuntimeError):
    pass


@dataclass(frozen=True)
class Answer:
    score: int  # 1–5
    at: datetime
    comment: str = ""
    nps: int | None = None  # 0–10, when the question is on
    via: str = ""  # "" the survey page; "reply", "call": its words were heard (and tagged) there


@dataclass(frozen=True)
class Survey:
    survey_id: str
    customer_id: str
    occasion: str  # "checkin/2026-11-16" or "case/HS-ABCD2345"
    language: str
    created_at: datetime
    expires_at: datetime
    answers: tuple[Answer, ...] = ()

    @property
    def message_key(self) -> str:
        """The ledger key of the message that carried it: "checkin/C-1/2026-11-16", "survey/case/HS-1"."""
        kind, _, rest = self.occasion.partition("/")
        return f"survey/{self.occasion}" if kind == "case" else f"{kind}/{self.customer_id}/{rest}"

    @property
    def latest(self) -> Answer | None:
        return self.answers[-1] if self.answers else None


def with_answer(survey: Survey, answer: Answer, limit: int) -> Survey:
    """The survey with `answer` added. The same answer again (the same moment and score: one reply
    read by two runs at once) changes nothing; past `limit` answers, TooManyAnswers."""
    if any(a.at == answer.at and a.score == answer.score for a in survey.answers):
        return survey
    if len(survey.answers) >= limit:
        raise TooManyAnswers(survey.survey_id)
    return dataclasses.replace(survey, answers=survey.answers + (answer,))


def survey_id_for(customer_id: str, occasion: str) -> str:
    """The same customer and occasion always give the same survey (a re-run re-sends, not re-creates)."""
    return derived_id("SV-", f"{customer_id}|{occasion}", 12)


def survey_fields(survey: Survey) -> dict[str, Any]:
    return {**dataclasses.asdict(survey), "answers": [answer_fields(a) for a in survey.answers]}


def answer_fields(answer: Answer) -> dict[str, Any]:
    return dataclasses.asdict(answer)


def _as_is(value: datetime) -> datetime:
    return value  # the store kept a datetime


def survey_from_fields(fields: Mapping[str, Any], parse_time: Callable[[Any], datetime] = _as_is) -> Survey:
    return Survey(
        fields["survey_id"],
        fields["customer_id"],
        fields["occasion"],
        fields["language"],
        parse_time(fields["created_at"]),
        parse_time(fields["expires_at"]),
        tuple(
            Answer(a["score"], parse_time(a["at"]), a.get("comment", ""), a.get("nps"), a.get("via", ""))
            for a in fields.get("answers", [])
        ),
    )
