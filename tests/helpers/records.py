"""Records for the store contract tests: a ledger entry, a case, a survey, a voucher."""

from __future__ import annotations

from datetime import date, timedelta

from functions.core.cases import OPEN, CaseRecord, case_id_for, flag_key
from functions.core.ledger import LedgerEntry
from functions.core.surveys import Survey, survey_id_for
from functions.core.vouchers import Voucher
from tests.helpers import NINE_AM, TODAY


def entry(key="birthday/C-1/2026", customer="C-1", day=TODAY, at=NINE_AM, channel="email"):
    return LedgerEntry(key, customer, key.split("/")[0], channel, day, reserved_at=at)


def a_case(n=1, status=OPEN, created=NINE_AM, **changes):
    key = flag_key("escalate", f"C-{n}", "Hợp đồng", "Tôi sẽ khởi kiện")
    values = dict(
        case_id=case_id_for(key),
        key=key,
        customer_id=f"C-{n}",
        customer_name="Nguyễn Thị Lan",
        category="Hợp đồng",
        issue="Tôi sẽ khởi kiện nếu không trả lời 😠",
        tier=3,
        initial_tier=3,
        owner="Giám đốc <gd@luat.vn>",
        owner_email="gd@luat.vn",
        status=status,
        created_at=created,
        first_response_due=created + timedelta(hours=4),
        resolve_due=created + timedelta(days=2),
        extra={"reason": "phrase: khoi kien", "row": 7},
    )
    values.update(changes)
    return CaseRecord(**values)


def a_survey(customer="C-1", occasion="checkin/2026-11-16", created=NINE_AM):
    return Survey(survey_id_for(customer, occasion), customer, occasion, "vi", created, created + timedelta(days=30))


def a_voucher(code="7K3QW9XM", customer="C-1", year=2026, issued=date(2026, 11, 23)):
    return Voucher(code, customer, "Nguyễn Thị Lan", year, "giảm 15%", issued, issued + timedelta(days=30))
