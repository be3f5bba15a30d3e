"""A Firestore store with a business's history in it, written in batches: cases over two years (the
five newest open), surveys over 90 days (a third answered, none low), a day of messages sent."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from functions.adapters.stores.firestore import FirestoreStore
from functions.adapters.stores.firestore.documents import entry_fields, survey_document
from functions.core.business_calendar import BusinessCalendar
from functions.core.cases import OPEN, RESOLVED, CaseRecord, case_fields, case_id_for
from functions.core.ledger import SENT, LedgerEntry
from functions.core.surveys import Answer, Survey, survey_id_for
from functions.escalate.writeback import case_cells


def _commit_all(store: FirestoreStore, documents: list[tuple[Any, dict]]) -> None:
    for start in range(0, len(documents), 500):
        batch = store.database.client.batch()
        for reference, fields in documents[start : start + 500]:
            batch.set(reference, fields)
        batch.commit()


def seed_history(store: FirestoreStore, now: datetime, cases: int, surveys: int, messages: int) -> list[list[Any]]:
    """Cases over two years (5 of the newest open), surveys over 90 days, a day of messages sent
    today; returns the Cases tab's rows as careloop wrote them."""
    rng = random.Random(cases)
    calendar, records = BusinessCalendar(), []
    for n in range(cases):
        opened = now - timedelta(days=730 * (cases - n) / cases, hours=1)
        status = OPEN if n >= cases - 5 else RESOLVED
        key = f"escalate/C-{n % 10_000:05d}/{n}"
        records.append(CaseRecord(
            case_id=case_id_for(key), key=key, customer_id=f"C-{n % 10_000:05d}", customer_name=f"Khách {n}",
            category="*", issue="Chờ lâu", tier=rng.choice((1, 2, 3)), initial_tier=1, owner="Hà <ha@luat.vn>",
            owner_email="ha@luat.vn", status=status, created_at=opened,
            first_response_due=opened + timedelta(hours=4), resolve_due=opened + timedelta(days=2),
            first_responded_at=None if status == OPEN else opened + timedelta(hours=2),
            resolved_at=None if status == OPEN else opened + timedelta(hours=20),
            updated_at=opened if status == OPEN else opened + timedelta(hours=20),
        ))  # fmt: skip
    _commit_all(store, [(store.cases._case_ref(c.case_id), case_fields(c)) for c in records])
    survey_documents = []
    for n in range(surveys):
        made = now - timedelta(days=90 * (surveys - n) / surveys)
        customer = f"C-{n % 10_000:05d}"
        answers = (Answer(rng.choice((3, 4, 5, 5)), made + timedelta(hours=3)),) if n % 3 == 0 else ()
        survey = Survey(survey_id_for(customer, f"checkin/{n}"), customer, f"checkin/{n}", "vi", made,
                        made + timedelta(days=30), answers)  # fmt: skip
        survey_documents.append((store.database.survey(survey.survey_id), survey_document(survey)))
    _commit_all(store, survey_documents)
    day = now.date()
    entries = [LedgerEntry(f"birthday/B-{n}/2026", f"B-{n}", "birthday", "email", day, SENT, now, now)
               for n in range(messages)]  # fmt: skip
    _commit_all(store, [(store.database.ledger_entry(e.key), entry_fields(e)) for e in entries])
    return [list(case_cells(c, calendar, "vi").values()) + [""] for c in records]
