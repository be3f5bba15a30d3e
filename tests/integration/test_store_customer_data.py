"""The CustomerData port's contract, on every adapter (issue 26): everything kept about one customer
is shown on request; erased, their personal data is gone from every record — theirs and the reports
and states that copied it — while IDs, kinds, days, tiers and scores stay, so the figures add up."""

from __future__ import annotations

import json
from datetime import timedelta

from functions.core.cases import CaseEvent
from functions.core.ledger import UNDELIVERED, DeliveryReport
from functions.core.privacy import personal_strings
from functions.core.short_links import DIAL, SURVEY, ShortLink
from functions.core.surveys import Answer
from tests.helpers import NINE_AM
from tests.helpers.records import a_case, a_survey, a_voucher, entry

EMAIL, PHONE, NAME = "lan.nguyen@example.com", "+84912345678", "Nguyễn Thị Lan"
COMPLAINT = "Tôi sẽ khởi kiện nếu không trả lời"


def _kept_about_lan(store) -> None:
    store.ledger.reserve(entry("checkin/C-1/2026-11-16", "C-1"))
    store.ledger.fail("checkin/C-1/2026-11-16", f"550 5.1.1 <{EMAIL}>: mailbox does not exist", NINE_AM)
    store.ledger.reserve(entry("birthday/C-2/2026", "C-2"))  # someone else
    survey = a_survey("C-1")
    store.surveys.create_survey(survey)
    store.surveys.add_answer(survey.survey_id, Answer(2, NINE_AM, "Chờ lâu, gọi tôi ở 0912345678"), 20)
    case = a_case(1, issue=COMPLAINT, customer_email=EMAIL)
    store.cases.create_case(case, CaseEvent(case.case_id, NINE_AM, "opened", {"issue": COMPLAINT, "tier": 3}))
    store.vouchers.issue_voucher(a_voucher(customer="C-1"))
    store.opt_outs.record_opt_out("C-1", NINE_AM)
    store.delivery_reports.record_delivery(DeliveryReport("checkin/C-1/2026-11-16", "C-1", "email", UNDELIVERED,
                                                          f"550 <{EMAIL}>", NINE_AM, "checkin"))  # fmt: skip
    store.surveys.save_short_links([
        ShortLink("abcd1234", SURVEY, survey.survey_id, "vi", NINE_AM + timedelta(days=30)),
        ShortLink("dial5678", DIAL, f"{PHONE}/2026-11-25", "vi", NINE_AM + timedelta(days=30)),
    ])  # fmt: skip
    store.job_state.save_report({"job": "followup", "now": NINE_AM.isoformat(),
                                 "sent": [{"customer_id": "C-1", "to": EMAIL, "name": NAME}]})  # fmt: skip
    store.job_state.save_job_state("zalo_users", {"4433221100": "C-1", "5544332211": "C-2"})


def test_everything_about_a_customer_is_shown_then_erased_but_the_figures_stay(store):
    _kept_about_lan(store)
    shown = store.customer_data.customer_records("C-1")
    text = json.dumps(shown, ensure_ascii=False)
    assert [e["key"] for e in shown["ledger"]] == ["checkin/C-1/2026-11-16"]
    assert COMPLAINT in text and "Chờ lâu" in text and shown["opt_out"] and shown["vouchers"]
    assert len(shown["case_events"]) == 1 and len(shown["undelivered"]) == 1 and shown["short_links"]
    assert "C-2" not in text

    personal = personal_strings(NAME, EMAIL, PHONE)
    changed = store.customer_data.erase_customer("C-1", personal, NINE_AM + timedelta(days=1))
    assert changed["ledger"] == 1 and changed["cases"] == 1 and changed["surveys"] == 1
    after = json.dumps(store.customer_data.customer_records("C-1"), ensure_ascii=False)
    for gone in (EMAIL, COMPLAINT, "Chờ lâu", "0912345678", NAME):
        assert gone not in after, gone
    assert store.delivery_reports.undelivered(NINE_AM - timedelta(days=1)) == []
    reports = json.dumps(store.job_state.reports("followup"), ensure_ascii=False)
    assert EMAIL not in reports and NAME not in reports and "C-1" in reports
    assert store.job_state.job_state("zalo_users") == {"5544332211": "C-2"}
    # What the figures count stays: the case, its tier and times; the score; the message sent.
    case = store.cases.case(a_case(1).case_id)
    assert case.tier == 3 and case.created_at == NINE_AM and case.issue == "" and case.customer_name == ""
    survey = store.surveys.survey(a_survey("C-1").survey_id)
    assert [a.score for a in survey.answers] == [2] and survey.answers[0].comment == ""
    assert store.ledger.entry("checkin/C-1/2026-11-16").error == ""
    assert store.ledger.entry("birthday/C-2/2026") is not None and "C-1" in store.opt_outs.opt_outs()
