"""Twelve weeks of made-up history for the demo's store — messages sent, survey answers, cases
resolved, vouchers — so the Dashboard's charts and the weekly digest have something to show on a
first run. Seeded once (a fresh store), the same every time (a fixed random seed), and all of it in
the past: nothing here is sent, and every case is resolved."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from functions.core.business_calendar import BusinessCalendar
from functions.core.cases import RESOLVED, CaseEvent, CaseRecord, case_id_for, flag_key
from functions.core.data_files import data_file
from functions.core.ledger import LedgerEntry
from functions.core.surveys import Answer, Survey
from functions.core.vouchers import Voucher
from functions.core.weekly import last_weeks
from functions.ports import Store

HOURS = {1: (4, 24), 2: (4, 24), 3: (2, 16)}  # first response, resolve (working hours), as the demo's matrix


def _history() -> dict[str, Any]:
    """Who the weeks before the demo were about (templates/demo.toml [history])."""
    history: dict[str, Any] = data_file("demo")["history"]
    return history


def seed_history(store: Store, now: datetime, calendar: BusinessCalendar) -> bool:
    """Fill the eleven weeks before this one; False when the store has history already."""
    if store.job_state.reports("followup", limit=1) or store.cases.cases():
        return False
    chance = random.Random(2026)
    for number, week in enumerate(last_weeks(now, calendar)[:-1]):
        for day in range(6):
            moment = week.start + timedelta(days=day, hours=9)
            _messages(store, chance, moment, number, day)
            _answers(store, chance, moment, number, day)
        _cases(store, chance, week.start + timedelta(hours=9), number, calendar)
        _vouchers(store, chance, week.start, number)
    return True


def _messages(store: Store, chance: random.Random, moment: datetime, week: int, day: int) -> None:
    """A day's messages: email the most, each other channel (in the registry's order) a few more each week."""
    from functions.adapters.channels.registry import specs

    others = [spec.name for spec in specs() if spec.name != "email"]
    for channel, mean in (("email", 5), *((name, 1 + week // (3 + i)) for i, name in enumerate(others))):
        for n in range(chance.randint(max(mean - 2, 0), mean + 2)):
            key = f"history/{channel}/{week}/{day}/{n}"
            store.ledger.reserve(LedgerEntry(key, f"H-{n}", "checkin", channel, moment.date(), reserved_at=moment))
            store.ledger.confirm(key, moment)


def _answers(store: Store, chance: random.Random, moment: datetime, week: int, day: int) -> None:
    """Satisfaction that rises over the weeks; never a score low enough to open a case."""
    for n in range(chance.randint(0, 3)):
        score = chance.choice([3, 3, 3, 4, 5] if week < 4 else [3, 4, 4, 5, 5] if week < 8 else [4, 4, 5, 5, 5])
        survey = Survey(f"SV-HISTORY-{week}-{day}-{n}", f"H-{n}", f"history/{week}/{day}/{n}", "vi",
                        moment - timedelta(days=1), moment + timedelta(days=29))  # fmt: skip
        store.surveys.create_survey(survey)
        store.surveys.add_answer(survey.survey_id, Answer(score, moment + timedelta(hours=2)), limit=20)


def _cases(store: Store, chance: random.Random, start: datetime, week: int, calendar: BusinessCalendar) -> None:
    for n in range(chance.randint(1, 4)):
        tier = chance.choice([1, 1, 1, 2, 2, 3])
        opened = start + timedelta(days=chance.randint(0, 4), hours=chance.randint(0, 6))
        first_due, resolve_due = (calendar.add(opened, hours) for hours in HOURS[tier])
        late = chance.random() < (0.4 if week < 5 else 0.15)  # answers come faster as the weeks go by
        answered = calendar.add(opened, HOURS[tier][0] * (1.5 if late else 0.5))
        name = chance.choice(_history()["customers"])
        key = flag_key("history", f"H-{week}-{n}", name, str(week))
        owner = _history()["owners"][tier - 1]
        case = CaseRecord(case_id_for(key), key, f"H-{week}-{n}", name, "*", _history()["issue"], tier, tier,
                          owner, owner.split("<")[1].rstrip(">"), RESOLVED, opened, first_due, resolve_due,
                          answered, calendar.add(answered, 8), source="history")  # fmt: skip
        store.cases.create_case(case, CaseEvent(case.case_id, opened, "opened", {"tier": tier, "history": True}))


def _vouchers(store: Store, chance: random.Random, start: datetime, week: int) -> None:
    for n in range(chance.randint(0, 2)):
        issued = start.date() + timedelta(days=n)
        used = issued + timedelta(days=chance.randint(2, 10)) if chance.random() < 0.4 else None
        code, customer = f"HSTR{week:02d}{n:02d}", chance.choice(_history()["customers"])
        value = data_file("demo")["business"]["voucher_value"]
        store.vouchers.issue_voucher(Voucher(code, f"H-{week}-{n}", customer, issued.year, value,
                                             issued, issued + timedelta(days=30), used))  # fmt: skip
