"""The Vouchers tab as staff leave it: a code typed twice or in lower case is explained on its row."""

from datetime import date

from functions.core.sheet_schema import VOUCHERS
from functions.core.tables import Table
from functions.core.vouchers import Voucher, read_voucher_tab, voucher_cells

TODAY = date(2026, 11, 23)
ISSUED = Voucher("7K3QW9XM", "KH-1", "Nguyễn Thị Lan", 2026, "giảm 15%", date(2026, 11, 20), date(2026, 12, 20))


def line(**cells):
    values = {c.key: "" for c in VOUCHERS.columns} | voucher_cells(ISSUED) | {"used": False} | cells
    return [values[c.key] for c in VOUCHERS.columns]


def test_a_code_typed_twice_or_in_lower_case_gets_a_note():
    """Issue 21: both went without a word before."""
    table = Table("Phiếu quà tặng", [c.title_vi for c in VOUCHERS.columns], [line(code="7k3qw9xm"), line()])
    tab = read_voucher_tab(table, [ISSUED], TODAY, "vi")
    notes = {w.row_number: w.values for w in tab.writes}
    assert notes[2] == {"code": "7K3QW9XM", "system_note": "Đã viết lại mã phiếu đúng như khi phát: 7K3QW9XM"}
    assert notes[3] == {"system_note": "Mã phiếu trùng với dòng 2; dòng 2 được dùng, hãy xóa dòng này"}


def test_the_sheets_own_rows_past_retention_are_cleared():
    """Issue 33 (8): careloop's tabs keep nothing forever either: a row dated before retention_days is
    cleared whole (found by its ID), the rest stay; a tab without its date column is left alone."""
    from datetime import date, datetime

    from functions.core.sheet_schema import REPLIES, VOUCHERS
    from functions.core.tables import Table, aged_out

    header = [c.title_vi for c in VOUCHERS.columns]
    at = {c.key: i for i, c in enumerate(VOUCHERS.columns)}
    old, new = [None] * len(header), [None] * len(header)
    old[at["code"]], old[at["issued"]], old[at["customer"]] = "OLD12345", datetime(2024, 1, 2), "Nguyễn Thị Lan"
    new[at["code"]], new[at["issued"]] = "NEW12345", 46349.0  # a serial number, as Google gives a date
    write = aged_out(VOUCHERS, Table("Phiếu quà tặng", header, [old, new]), "code", "issued", date(2024, 12, 1), "vi")
    assert write is not None and [(r.row_id, r.values["customer"]) for r in write.rows] == [("OLD12345", None)]
    assert aged_out(REPLIES, Table("Phản hồi", ["Mã phản hồi"], [["PH-1"]]), "reply_id", "received",
                    date(2024, 12, 1), "vi") is None  # fmt: skip
