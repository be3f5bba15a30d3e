"""The Retention port's contract (issue 26: nothing kept forever). On SQLite and in memory the daily
run deletes what is older than retention_days; on Firestore each record carries `expire_at` (its own
time + retention_days), which the collection's TTL policy acts on — the emulator runs no TTL, so
there the fields are what is checked."""

from __future__ import annotations

from datetime import timedelta

from functions.core.cases import RESOLVED, CaseEvent
from functions.core.ledger import UNDELIVERED, DeliveryReport
from functions.core.replies import HeardReply
from functions.core.short_links import SURVEY, ShortLink
from functions.core.vouchers import Voucher
from tests.helpers import NINE_AM
from tests.helpers.records import a_case, a_survey, entry

OLD = NINE_AM - timedelta(days=800)
RETENTION = timedelta(days=730)


def _records(store, at):
    tag = "old" if at < NINE_AM - timedelta(days=1) else "new"
    store.ledger.reserve(entry(f"checkin/C-{tag}/x", f"C-{tag}", at.date(), at))
    store.surveys.create_survey(a_survey(f"C-{tag}", created=at))
    store.replies.record_replies([HeardReply(f"PH-{tag}", "reply", at.date())])
    store.surveys.save_short_links([ShortLink(f"code{tag}", SURVEY, "SV-x", "vi", at + timedelta(days=30))])
    store.delivery_reports.record_delivery(DeliveryReport(f"k/{tag}", f"C-{tag}", "sms", UNDELIVERED, "x", at))
    store.job_state.save_report({"job": "followup", "now": at.isoformat(), "tag": tag})
    store.vouchers.issue_voucher(Voucher(f"V{tag.upper()}12345", f"C-{tag}", "Lan", at.year, "giảm 10%", at.date(),
                                         at.date() + timedelta(days=30)))  # fmt: skip
    for n, status in ((1, RESOLVED), (2, "open")):
        case = a_case(n, created=at, customer_id=f"C-{tag}-{n}", case_id=f"HS-{tag.upper()}{n}", status=status,
                      resolved_at=at if status == RESOLVED else None, updated_at=at)  # fmt: skip
        store.cases.create_case(case, CaseEvent(case.case_id, at, "opened"))


def test_what_is_older_than_the_retention_goes_and_the_rest_stays(store):
    _records(store, OLD)
    _records(store, NINE_AM)
    if type(store).__name__ == "FirestoreStore":
        client = store.database.client
        ledger = client.collection("ledger").document("checkin~C-old~x").get().to_dict()
        assert ledger["expire_at"] == OLD + RETENTION
        resolved = client.collection("cases").document("HS-OLD1").get().to_dict()
        assert resolved["expire_at"] == OLD + RETENTION
        assert "expire_at" not in client.collection("cases").document("HS-OLD2").get().to_dict()  # open: kept
        for collection in ("surveys", "replies", "reports", "short_links", "undelivered", "vouchers"):
            docs = [d.to_dict() for d in client.collection(collection).stream()]
            assert docs and all("expire_at" in d for d in docs), collection
        assert store.retention.delete_expired(NINE_AM - RETENTION) == {}  # the TTL policies do it
        return
    gone = store.retention.delete_expired(NINE_AM - RETENTION)
    assert gone == {"ledger": 1, "surveys": 1, "replies": 1, "short_links": 1, "undelivered": 1, "reports": 1,
                    "cases": 1, "vouchers": 1}  # fmt: skip
    assert store.vouchers.voucher("VOLD12345") is None and store.vouchers.voucher("VNEW12345") is not None
    assert store.ledger.entry("checkin/C-old/x") is None and store.ledger.entry("checkin/C-new/x") is not None
    assert store.cases.case("HS-OLD1") is None and store.cases.case("HS-OLD2") is not None  # open: kept
    assert [r["tag"] for r in store.job_state.reports("followup")] == ["new"]
    assert store.retention.delete_expired(NINE_AM - RETENTION) == {}
