import pytest

from functions.core.tables import Table
from functions.escalate.matrix import MatrixError, read_matrix
from tests.helpers.support import MATRIX_HEADER

HEADER = MATRIX_HEADER


def matrix(*rows, header=HEADER):
    return read_matrix(Table("Ma trận leo thang", header, [list(r) for r in rows]))


def test_routes_by_category_with_a_default():
    m = matrix(
        ["*", "Hà <ha@luat.vn>", "tuan@luat.vn", "Giám đốc <gd@luat.vn>", 4, 24],
        ["Hợp đồng", "lan@luat.vn", "", "gd@luat.vn", "2", "16,5"],
    )
    contract = m.route("hop dong")
    assert (
        contract.owner(1).email == "lan@luat.vn" and contract.owner(2).email == "lan@luat.vn"
    )  # empty cell: the tier below
    assert contract.owner(3).label == "gd@luat.vn" and contract.resolve_hours == 16.5
    default = m.route("Phí dịch vụ")
    assert default.category == "*" and default.owner(1).label == "Hà <ha@luat.vn>" and default.first_response_hours == 4


def test_bad_rows_are_reported_and_skipped():
    m = matrix(
        ["*", "ha@luat.vn", "", "", 4, 24],
        ["CSAT", "không phải email", "", "", 4, 24],
        ["Giá", "a@b.vn", "", "", "bốn", 24],
    )
    assert [row for row, _ in m.problems] == [3, 4] and m.route("CSAT").category == "*"


@pytest.mark.parametrize("rows", [[], [["Hợp đồng", "a@b.vn", "", "", 4, 24]], [["*", "sai", "", "", 4, 24]]])
def test_a_matrix_with_no_usable_default_names_the_tab(rows):
    with pytest.raises(MatrixError, match="Ma trận leo thang"):
        matrix(*rows)


def test_a_missing_tab_says_what_happens_and_who_to_tell():
    with pytest.raises(MatrixError, match="tạo lại tab này ở lần chạy sau"):  # no command staff cannot run
        read_matrix(None)


def test_english_headers():
    m = matrix(
        ["*", "ha@luat.vn", "", "", 4, 24],
        header=[
            "Category",
            "Tier 1 owner",
            "Tier 2 owner",
            "Tier 3 owner",
            "First response (hours)",
            "Resolve (hours)",
        ],
    )
    assert m.route("x").owner(3).email == "ha@luat.vn"
