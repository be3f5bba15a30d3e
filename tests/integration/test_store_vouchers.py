"""The Vouchers port's contract, on every adapter."""

from __future__ import annotations

from datetime import date, timedelta

from tests.helpers.records import a_voucher


def test_a_voucher_code_is_issued_once_and_its_first_owner_stands(store):
    first = a_voucher()
    assert store.vouchers.issue_voucher(first) == first and store.vouchers.voucher(first.code) == first
    assert (
        store.vouchers.issue_voucher(a_voucher(customer="C-2")) == first
    )  # the code is taken: the stored one comes back
    assert store.vouchers.voucher("AAAAAAAA") is None


def test_vouchers_by_issue_day_and_their_use(store):
    for n, days in enumerate([400, 20, 1]):
        store.vouchers.issue_voucher(
            a_voucher(f"CODE000{n}", f"C-{n}", issued=date(2026, 11, 23) - timedelta(days=days))
        )
    assert [v.code for v in store.vouchers.vouchers(date(2026, 10, 24))] == ["CODE0001", "CODE0002"]
    store.vouchers.set_voucher_used("CODE0002", date(2026, 11, 24))
    assert store.vouchers.voucher("CODE0002").used_on == date(2026, 11, 24)
    store.vouchers.set_voucher_used("CODE0002", None)  # staff unticked it
    assert store.vouchers.voucher("CODE0002").used_on is None
    store.vouchers.set_voucher_used("NOSUCH00", date(2026, 11, 24))  # nothing to mark: left alone
    store.vouchers.set_voucher_used("CODE0001", date(2026, 11, 20))
    month = (date(2026, 10, 24), date(2026, 11, 23))
    assert store.vouchers.count_vouchers(*month) == 2 and store.vouchers.count_vouchers(*month, by="issued_used") == 1
    assert store.vouchers.count_vouchers(date(2026, 11, 20), date(2026, 11, 26), by="used_on") == 1
    assert store.vouchers.count_vouchers(date(2026, 11, 21), date(2026, 11, 26), by="used_on") == 0
