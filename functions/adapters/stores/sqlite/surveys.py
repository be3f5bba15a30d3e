"""Surveys, their answers and the short links that point at them, in the SQLite file."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from functions.adapters.stores.sqlite.database import CHUNK, SqlitePort, body_for_update, unavailable_on_error
from functions.adapters.stores.sqlite.schema import answered_at_text, survey_from_json, survey_json, utc_text
from functions.core.surveys import Answer, Survey, TooManyAnswers, with_answer

if TYPE_CHECKING:  # short links are for SMS and Zalo: a run without them never loads the module
    from functions.core.short_links import ShortLink


class SqliteSurveys(SqlitePort):
    @unavailable_on_error
    def create_survey(self, survey: Survey) -> bool:
        with self.file.connection() as db:
            return insert_survey(db, survey)

    @unavailable_on_error
    def survey(self, survey_id: str) -> Survey | None:
        return self.file.one("surveys", "survey_id", survey_id, survey_from_json)

    @unavailable_on_error
    def surveys(self, since: datetime) -> list[Survey]:
        return self._surveys_where("created_at >= ?", (utc_text(since),))

    def _surveys_where(self, condition: str, values: Sequence[Any]) -> list[Survey]:
        with self.file.connection() as db:
            rows = db.execute(f"SELECT body FROM surveys WHERE {condition} ORDER BY created_at, survey_id", values)
            return [survey_from_json(r[0]) for r in rows]

    @unavailable_on_error
    def surveys_answered(self, since: datetime) -> list[Survey]:
        return self._surveys_where("answered_at >= ?", (utc_text(since),))

    @unavailable_on_error
    def surveys_of(self, customer_ids: Iterable[str], since: datetime) -> list[Survey]:
        wanted = sorted(set(customer_ids))
        found: list[Survey] = []
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            condition = f"created_at >= ? AND json_extract(body, '$.customer_id') IN ({','.join('?' * len(chunk))})"
            found += self._surveys_where(condition, (utc_text(since), *chunk))
        return sorted(found, key=lambda s: (s.created_at, s.survey_id))

    @unavailable_on_error
    def count_surveys(self, since: datetime) -> int:
        with self.file.connection() as db:
            return int(
                db.execute("SELECT COUNT(*) FROM surveys WHERE created_at >= ?", (utc_text(since),)).fetchone()[0]
            )

    @unavailable_on_error
    def add_answer(self, survey_id: str, answer: Answer, limit: int) -> Survey:
        with self.file.connection() as db:
            read = survey_from_json(body_for_update(db, "surveys", "survey_id", survey_id))
            try:
                survey = with_answer(read, answer, limit)
            except TooManyAnswers:
                db.execute("ROLLBACK")
                raise
            db.execute("UPDATE surveys SET body = ?, answered_at = ? WHERE survey_id = ?",
                       (survey_json(survey), answered_at_text(survey), survey_id))  # fmt: skip
            db.execute("COMMIT")
            return survey

    @unavailable_on_error
    def save_short_links(self, links: Sequence[ShortLink]) -> None:
        with self.file.connection() as db:
            db.executemany(
                "INSERT OR IGNORE INTO short_links VALUES (?, ?)",
                [(link.code, json.dumps({**dataclasses.asdict(link), "expires_at": link.expires_at.isoformat()}))
                 for link in links],
            )  # fmt: skip

    @unavailable_on_error
    def short_link(self, code: str) -> ShortLink | None:
        from functions.core.short_links import ShortLink

        def parse(body: str) -> ShortLink:
            fields = json.loads(body)
            return ShortLink(**{**fields, "expires_at": datetime.fromisoformat(fields["expires_at"])})

        return self.file.one("short_links", "code", code, parse)


def insert_survey(db: sqlite3.Connection, survey: Survey) -> bool:
    """Create the survey; False when it exists (the existing one stands). The ledger calls it inside
    a reservation's transaction."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO surveys (survey_id, created_at, body, answered_at) VALUES (?, ?, ?, ?)",
        (survey.survey_id, utc_text(survey.created_at), survey_json(survey), answered_at_text(survey)),
    )
    return cursor.rowcount == 1
