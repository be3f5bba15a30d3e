"""Vouchers in the follow-up run: the code a birthday wish (or an occasion with a voucher) carries (the store says which
codes are taken), and the Vouchers tab kept in step with the store — what staff ticked as used is
recorded, a deleted row comes back, a code careloop did not issue is noted."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from functions.core.customers import Customer
from functions.core.tables import Table, TabWrite
from functions.core.vouchers import (
    RESTORE_DAYS,
    Voucher,
    VoucherRules,
    read_voucher_tab,
    voucher_for,
    voucher_tab_write,
)
from functions.ports import Vouchers


def occasion_voucher(
    vouchers: Vouchers, secret: str, customer: Customer, today: date, rules: VoucherRules, occasion: str = ""
) -> Voucher:
    """The voucher a message carries: this year's birthday voucher (`occasion` ""), or the one of an
    occasion's occurrence ("dip-moi-quay-lai/2026-09-01"); issued once reserved (with the message), the
    same code whichever run makes it."""
    return voucher_for(secret, customer.id, customer.name, today, rules, vouchers.voucher, occasion)


def sync_voucher_tab(
    vouchers: Vouchers, table: Table | None, today: date, language: str, dry_run: bool
) -> tuple[TabWrite | None, dict[str, Any]]:
    """The Vouchers tab's writes (None when the tab is missing), and what the report says about it."""
    stored = vouchers.vouchers(today - timedelta(days=RESTORE_DAYS))
    tab = read_voucher_tab(table, stored, today, language)
    if not dry_run:
        for code, day in tab.used.items():
            vouchers.set_voucher_used(code, day)
    report: dict[str, Any] = {
        "marked_used": sorted(code for code, day in tab.used.items() if day),
        "unmarked": sorted(code for code, day in tab.used.items() if day is None),
    }
    if table is None:
        report["tab_missing"] = bool(stored)
        return None, report
    return voucher_tab_write(tab.writes, language), report
