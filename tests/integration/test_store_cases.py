"""The Cases port's contract, on every adapter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from functions.core.cases import IN_PROGRESS, OPEN, RESOLVED, CaseEvent
from tests.helpers import NINE_AM
from tests.helpers.records import a_case


def test_a_case_is_created_once_with_its_first_event(store):
    case = a_case()
    assert store.cases.create_case(case, CaseEvent(case.case_id, NINE_AM, "opened", {"tier": 3})) is True
    assert store.cases.create_case(case, CaseEvent(case.case_id, NINE_AM, "opened", {"tier": 3})) is False
    assert store.cases.case(case.case_id) == case
    assert [e.kind for e in store.cases.case_events(case.case_id)] == ["opened"]
    assert store.cases.case("HS-NONE") is None


def test_case_updates_and_history(store):
    case = a_case()
    store.cases.create_case(case, CaseEvent(case.case_id, NINE_AM, "opened"))
    later = NINE_AM + timedelta(hours=1)
    store.cases.update_case(
        case.case_id,
        {"status": IN_PROGRESS, "first_responded_at": later, "updated_at": later},
        CaseEvent(case.case_id, later, "status", {"from": OPEN, "to": IN_PROGRESS, "by": "Nhân viên"}),
    )
    store.cases.update_case(case.case_id, {}, CaseEvent(case.case_id, later, "notified", {"to": "gd@luat.vn"}))
    got = store.cases.case(case.case_id)
    assert got.status == IN_PROGRESS and got.first_responded_at == later and got.issue == case.issue
    events = store.cases.case_events(case.case_id)
    assert [e.kind for e in events] == ["opened", "status", "notified"] and events[1].detail["by"] == "Nhân viên"
    with pytest.raises(KeyError):
        store.cases.update_case("HS-NONE", {"status": RESOLVED}, CaseEvent("HS-NONE", later, "status"))


def test_open_cases_and_all_cases(store):
    for n, status in enumerate([OPEN, IN_PROGRESS, RESOLVED], start=1):
        case = a_case(n, status=status, created=NINE_AM + timedelta(minutes=n))
        store.cases.create_case(case, CaseEvent(case.case_id, NINE_AM, "opened"))
    assert [c.customer_id for c in store.cases.cases(open_only=True)] == ["C-1", "C-2"]
    assert [c.customer_id for c in store.cases.cases()] == ["C-1", "C-2", "C-3"]


def test_cases_by_id_and_by_last_change(store):
    for n, hours in enumerate([48, 5, 1], start=1):
        at = NINE_AM - timedelta(hours=hours)
        case = a_case(n, created=at, updated_at=at)
        store.cases.create_case(case, CaseEvent(case.case_id, at, "opened"))
    first, second, third = store.cases.cases()
    assert [c.customer_id for c in store.cases.cases_by_id([third.case_id, first.case_id, "HS-NONE"])] == ["C-1", "C-3"]
    assert store.cases.cases_by_id([]) == []
    assert [c.customer_id for c in store.cases.cases_updated(NINE_AM - timedelta(hours=6))] == ["C-2", "C-3"]
    store.cases.update_case(first.case_id, {"status": RESOLVED, "resolved_at": NINE_AM, "updated_at": NINE_AM},
                      CaseEvent(first.case_id, NINE_AM, "status"))  # fmt: skip
    assert [c.customer_id for c in store.cases.cases_updated(NINE_AM - timedelta(minutes=1))] == ["C-1"]
