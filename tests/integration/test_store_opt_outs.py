"""The OptOuts port's contract, on every adapter."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers import NINE_AM


def test_opt_outs(store):
    store.opt_outs.record_opt_out("C-1", NINE_AM)
    store.opt_outs.record_opt_out("C-1", NINE_AM + timedelta(days=1))  # the first stays
    store.opt_outs.record_opt_out("KH-Đặng/1", NINE_AM)
    assert store.opt_outs.opt_outs() == {"C-1": NINE_AM, "KH-Đặng/1": NINE_AM}
