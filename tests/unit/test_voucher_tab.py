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
