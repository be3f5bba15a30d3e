"""Birthday vouchers (pure): one code per customer and birthday year, and the Vouchers tab.

A code is 8 characters of Crockford's base32 (no I, L, O or U: nothing to misread), 40 bits from a
keyed hash of the customer and the year, so two overlapping runs issue the same code and nobody can
guess another customer's. The store keeps every code issued: a code already held by another
customer or year (one chance in a trillion) is passed over for the next candidate, so no code is
ever given twice.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

from functions.core.i18n import say
from functions.core.sheet_schema import VOUCHERS, locate_columns
from functions.core.tables import RowWrite, Table, TabWrite, day_figure, row_cells, same_cell
from functions.core.text import cell_text
from functions.core.values import tick_or

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
CANDIDATES = 16  # candidate codes tried per customer and year before giving up (never reached in practice)
RESTORE_DAYS = 400  # codes issued this recently are restored to the tab when their row is deleted


class VoucherRules(NamedTuple):
    value: str  # as customers read it; empty: no vouchers
    days: int  # valid this many days from the birthday

    @property
    def on(self) -> bool:
        return bool(self.value)


class Voucher(NamedTuple):
    code: str
    customer_id: str
    customer_name: str
    year: int  # the birthday year it is for
    value: str
    issued: date
    expires: date
    used_on: date | None = None
    occasion: str = ""  # the occasion it came with ("dip-moi-quay-lai/2026-09-01"); "": the birthday of `year`

    def owner(self) -> tuple[str, int, str]:
        return self.customer_id, self.year, self.occasion


def voucher_fields(voucher: Voucher) -> dict[str, Any]:
    """A voucher as a store keeps it: dates as ISO text (sortable, and Firestore has no date type)."""
    fields = voucher._asdict()
    for name in ("issued", "expires", "used_on"):
        fields[name] = fields[name].isoformat() if fields[name] else None
    return fields


def voucher_from_fields(fields: Mapping[str, Any]) -> Voucher:
    names = ("issued", "expires", "used_on")
    dates: dict[str, Any] = {name: date.fromisoformat(fields[name]) if fields.get(name) else None for name in names}
    return Voucher(**{name: dates[name] if name in dates else fields.get(name, Voucher._field_defaults.get(name))
                      for name in Voucher._fields})  # fmt: skip


def voucher_code(secret: str, customer_id: str, year: int, attempt: int = 0, occasion: str = "") -> str:
    seed = f"voucher/{customer_id}/{year}/{attempt}" if not occasion else f"voucher/{customer_id}/{occasion}/{attempt}"
    digest = hmac.new(secret.encode(), seed.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:5], "big")  # 40 bits: 8 characters of 5 bits
    return "".join(CROCKFORD[(number >> (5 * (CODE_LENGTH - 1 - i))) & 31] for i in range(CODE_LENGTH))


def voucher_for(
    secret: str,
    customer_id: str,
    customer_name: str,
    today: date,
    rules: VoucherRules,
    stored: Callable[[str], Voucher | None],
    occasion: str = "",
) -> Voucher:
    """This year's birthday voucher (or the one of an `occasion`'s occurrence): the stored one if issued
    already, else a new one under the first candidate code nobody else holds. `stored(code)` looks a
    code up in the store."""
    for attempt in range(CANDIDATES):
        code = voucher_code(secret, customer_id, today.year, attempt, occasion)
        held = stored(code)
        if held is None:
            return Voucher(code, customer_id, customer_name, today.year, rules.value, today,
                           today + timedelta(days=rules.days), None, occasion)  # fmt: skip
        if (held.customer_id, held.occasion) == (customer_id, occasion) and (occasion or held.year == today.year):
            return held
    raise RuntimeError(f"no free voucher code for {customer_id}/{today.year}")  # 16 collisions in 2^40


def voucher_values(voucher: Voucher | None) -> dict[str, str | None]:
    """The voucher's placeholders in a message ({ma_qua_tang}, {gia_tri_qua}, {han_dung})."""
    if voucher is None:
        return {"voucher_code": None, "voucher_value": None, "valid_until": None}
    return {"voucher_code": voucher.code, "voucher_value": voucher.value, "valid_until": f"{voucher.expires:%d/%m/%Y}"}


# ---- the Vouchers tab ---------------------------------------------------------------------


class VoucherTab(NamedTuple):
    used: dict[str, date | None]  # code → the day staff ticked Used (None: they unticked it), where it changed
    writes: list[RowWrite]


def read_voucher_tab(table: Table | None, stored: Iterable[Voucher], today: date, language: str) -> VoucherTab:
    """What staff ticked, and the rows to write: every stored voucher's row as it should read
    (a deleted row comes back), Used on filled when Used is ticked, a note on a code careloop
    did not issue."""
    by_code = {v.code: v for v in stored}
    rows: dict[str, tuple[int, Mapping[str, Any]]] = {}
    writes: list[RowWrite] = []
    used: dict[str, date | None] = {}
    if table is not None:
        columns = locate_columns(VOUCHERS, table.header)
        for index, raw in enumerate(table.rows):
            cells = row_cells(raw, columns)
            code = cell_text(cells.get("code")).upper()
            if not code:
                continue
            number = Table.row_number(index)
            if code not in by_code:
                note = say("voucher_unknown", language)
                if cell_text(cells.get("system_note")) != note:
                    writes.append(RowWrite(number, cell_text(cells.get("code")), {"system_note": note}))
                continue
            if code in rows:  # the same code twice: the first row counts, this one is explained
                note = say("voucher_duplicate", language, row=rows[code][0])
                if cell_text(cells.get("system_note")) != note:
                    writes.append(RowWrite(number, cell_text(cells.get("code")), {"system_note": note}))
                continue
            rows[code] = (number, cells)
            ticked = tick_or(cells.get("used"), False)
            voucher = by_code[code]
            if ticked and voucher.used_on is None:
                used[code] = today
                by_code[code] = _with_used(voucher, today)
            elif not ticked and voucher.used_on is not None:  # staff unticked it: not used after all
                used[code] = None
                by_code[code] = _with_used(voucher, None)
    writes += _rows_as_stored(sorted(by_code.values(), key=lambda v: (v.issued, v.code)), rows, language)
    return VoucherTab(used, writes)


def _rows_as_stored(
    vouchers: Iterable[Voucher], rows: Mapping[str, tuple[int, Mapping[str, Any]]], language: str
) -> list[RowWrite]:
    """Every stored voucher's row as it should read; a row deleted by mistake comes back."""
    writes = []
    for voucher in vouchers:
        wanted = voucher_cells(voucher)
        if voucher.code not in rows:
            writes.append(RowWrite(0, voucher.code, {**wanted, "used": voucher.used_on is not None}, append=True))
            continue
        number, cells_now = rows[voucher.code]
        changed = {k: v for k, v in wanted.items() if not same_cell(cells_now.get(k), v)}
        if "code" in changed:  # typed in lower case (or with spaces): written back as issued, and said so
            changed["system_note"] = say("voucher_code_rewritten", language, issued=voucher.code)
        if changed:
            writes.append(RowWrite(number, cell_text(cells_now.get("code")), changed))
    return writes


def voucher_cells(voucher: Voucher) -> dict[str, Any]:
    return {
        "code": voucher.code,
        "customer_id": voucher.customer_id,
        "customer": voucher.customer_name,
        "value": voucher.value,
        "issued": day_figure(voucher.issued),  # dates as dates: staff sort and filter them
        "expires": day_figure(voucher.expires),
        "used_on": day_figure(voucher.used_on) if voucher.used_on else "",
        "system_note": "",
    }


def _with_used(voucher: Voucher, day: date | None) -> Voucher:
    return voucher._replace(used_on=day)


def voucher_tab_write(writes: Sequence[RowWrite], language: str) -> TabWrite:
    return TabWrite(VOUCHERS, VOUCHERS.column("code"), writes, language)


class VoucherFigures(NamedTuple):
    """Vouchers issued in a period, and how many of them were used (the Dashboard's redemption rate)."""

    issued: int
    used: int

    @property
    def rate(self) -> float | None:
        return self.used / self.issued if self.issued else None
