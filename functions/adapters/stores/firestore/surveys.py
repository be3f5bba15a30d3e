"""Surveys, their answers and the short links that point at them, in Firestore."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from functions.adapters.stores.firestore.database import (
    IN_LIMIT,
    FieldFilter,
    FirestorePort,
    unavailable_on_error,
    without_expiry,
)
from functions.adapters.stores.firestore.documents import SHORT_LINKS, SURVEYS, document_id
from functions.core.surveys import Answer, Survey, answer_fields, survey_from_fields, with_answer

if TYPE_CHECKING:  # short links are for SMS and Zalo: a run without them never loads the module
    from functions.core.short_links import ShortLink


class FirestoreSurveys(FirestorePort):
    @unavailable_on_error
    def create_survey(self, survey: Survey) -> bool:
        return self.db.create_survey(survey)

    @unavailable_on_error
    def survey(self, survey_id: str) -> Survey | None:
        fields = self.db.fields(self.db.survey(survey_id))
        return survey_from_fields(fields) if fields else None

    @unavailable_on_error
    def surveys(self, since: datetime) -> list[Survey]:
        return self._sorted(self.db.client.collection(SURVEYS).where(filter=FieldFilter("created_at", ">=", since)))

    @unavailable_on_error
    def surveys_answered(self, since: datetime) -> list[Survey]:
        return self._sorted(self.db.client.collection(SURVEYS).where(filter=FieldFilter("answered_at", ">=", since)))

    @unavailable_on_error
    def surveys_of(self, customer_ids: Iterable[str], since: datetime) -> list[Survey]:
        # Only the window is read, whatever a customer's history (index: customer_id, created_at).
        wanted = sorted(set(customer_ids))
        found = []
        for start in range(0, len(wanted), IN_LIMIT):
            chunk = wanted[start : start + IN_LIMIT]
            query = (
                self.db.client.collection(SURVEYS)
                .where(filter=FieldFilter("customer_id", "in", chunk))
                .where(filter=FieldFilter("created_at", ">=", since))
            )
            found += self._sorted(query)
        return sorted(found, key=lambda s: (s.created_at, s.survey_id))

    @unavailable_on_error
    def count_surveys(self, since: datetime) -> int:
        return self.db.count(self.db.client.collection(SURVEYS).where(filter=FieldFilter("created_at", ">=", since)))

    def _sorted(self, query: Any) -> list[Survey]:
        return sorted((survey_from_fields(s.to_dict()) for s in query.stream(**self.db.call())),
                      key=lambda s: (s.created_at, s.survey_id))  # fmt: skip

    @unavailable_on_error
    def add_answer(self, survey_id: str, answer: Answer, limit: int) -> Survey:
        from google.cloud import firestore

        reference = self.db.survey(survey_id)

        @firestore.transactional
        def append_in(transaction) -> Survey:
            snapshot = reference.get(transaction=transaction)
            if not snapshot.exists:
                raise KeyError(survey_id)
            survey = survey_from_fields(snapshot.to_dict())
            updated = with_answer(survey, answer, limit)
            if updated is survey:  # this answer is there already
                return survey
            transaction.update(
                reference, {"answers": [answer_fields(a) for a in updated.answers], "answered_at": answer.at}
            )
            return updated

        return append_in(self.db.client.transaction())

    @unavailable_on_error
    def save_short_links(self, links: Sequence[ShortLink]) -> None:
        for link in links:
            reference = self.db.client.collection(SHORT_LINKS).document(document_id(link.code))
            self.db.create(reference, self.db.expiring(dataclasses.asdict(link), link.expires_at))

    @unavailable_on_error
    def short_link(self, code: str) -> ShortLink | None:
        from functions.core.short_links import ShortLink

        fields = self.db.fields(self.db.client.collection(SHORT_LINKS).document(document_id(code)))
        return ShortLink(**without_expiry(fields)) if fields else None
