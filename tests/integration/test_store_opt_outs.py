"""The OptOuts port's contract, on every adapter."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers import NINE_AM


def test_opt_outs(store):
    store.record_opt_out("C-1", NINE_AM)
    store.record_opt_out("C-1", NINE_AM + timedelta(days=1))  # the first stays
    store.record_opt_out("KH-Đặng/1", NINE_AM)
    assert store.opt_outs() == {"C-1": NINE_AM, "KH-Đặng/1": NINE_AM}
