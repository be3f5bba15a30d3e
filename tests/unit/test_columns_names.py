import pytest

from functions.core.names import given_name, greeting_name
from functions.core.sheet_schema import CUSTOMERS, MissingColumnError, find_tab, locate_columns
from functions.core.text import fold, header_key


@pytest.mark.parametrize(
    "header, key",
    [
        ("Ngày sinh", "birthday"),
        ("NGAY SINH", "birthday"),
        ("ngày_sinh", "birthday"),
        ("Birthday", "birthday"),
        ("DOB", "birthday"),
        ("Date of birth", "birthday"),
        ("  Họ   tên ", "name"),
        ("Name", "name"),
        ("Mã KH", "id"),
        ("ID", "id"),
        ("Số điện thoại", "phone"),
        ("SĐT", "phone"),
        ("Phone", "phone"),
        ("E-mail", "email"),
        ("Ngày mua", "purchase_date"),
        ("Từ chối nhận tin", "opt_out"),
        ("Opt-out", "opt_out"),
        ("Ghi chú hệ thống", "system_note"),
        ("Liên hệ gần nhất", "last_contact"),
        ("Xưng hô", "salutation"),
    ],
)
def test_headers_are_matched_by_name(header, key):
    columns = locate_columns(CUSTOMERS, ["Họ tên" if key != "name" else "x", header])
    assert columns[key] == 1


def test_columns_in_any_order_beside_staff_columns():
    columns = locate_columns(CUSTOMERS, ["Ghi chú riêng", "Email", None, "Họ tên", "Màu yêu thích"])
    assert columns == {"email": 1, "name": 3}


def test_a_missing_required_column_names_it_and_its_spellings():
    with pytest.raises(MissingColumnError) as error:
        locate_columns(CUSTOMERS, ["Email", "Ngày sinh"])
    assert "Họ tên" in str(error.value) and "'Full name'" in str(error.value)


def test_tabs_are_found_by_name():
    assert find_tab(CUSTOMERS, ["Tổng quan", "KHÁCH HÀNG"]) == "KHÁCH HÀNG"
    assert find_tab(CUSTOMERS, ["Customers"]) == "Customers"
    assert find_tab(CUSTOMERS, ["Sheet1"]) is None


def test_fold_strips_vietnamese_diacritics():
    assert fold("Đặng  Thị Ánh") == "dang thi anh"
    assert header_key("Mã  KH.") == "makh"


@pytest.mark.parametrize(
    "name, salutation, language, expected",
    [
        ("Nguyễn Thị Lan", "chị", "vi", "chị Lan"),
        ("Nguyễn Thị Lan", "Chị", "vi", "chị Lan"),
        ("Trần Văn Hùng", "", "vi", "anh/chị Hùng"),
        ("Lê Văn Tám", "ông", "vi", "ông Tám"),
        ("Nguyễn Thị Lan", "Ms", "vi", "chị Lan"),
        ("Nguyễn Thị Lan", "chị", "en", "Ms Lan"),
        ("Trần Văn Hùng", "anh", "en", "Mr Hùng"),
        ("John Carter", "Mr", "en", "Mr Carter"),
        ("Võ Minh Khang", "em", "en", "Võ Minh Khang"),
        ("Emily Nguyen", "", "en", "Emily Nguyen"),
    ],
)
def test_greetings(name, salutation, language, expected):
    assert greeting_name(name, salutation, language) == expected


def test_given_name_is_last_in_vietnamese_order():
    assert given_name("Nguyễn Thị Lan") == "Lan"
    assert given_name("  Lan ") == "Lan"
    assert given_name("") == ""
