"""Texts staff write in the Messages tab: placeholders filled, never evaluated; a row that cannot be
used is explained on it and the built-in text goes out."""

from datetime import date

import pytest

from functions.adapters.channels.sms_segments import fit_sms
from functions.adapters.templates import Templates
from functions.core.errors import RenderError
from functions.core.message_tab import TextChecks, builtin_book, read_message_tab, seed_rows
from functions.core.sheet_schema import MESSAGES
from functions.core.staff_texts import SURVEY_MARK, TextRules, blocks, check, fill, parse, values_for
from functions.core.tables import Table
from tests.helpers.rules import channel_book

VALUES = {**values_for("Nguyễn Thị Lan", "chị Lan", "chị", "Gara Tiến Phát", date(2026, 11, 16)),
          "voucher_code": "7K3QW9XM", "voucher_value": "giảm 15%", "valid_until": "23/12/2026", "survey_link": None,
          "opt_out_link": None}  # fmt: skip


def test_placeholders_in_either_language_are_filled_and_nothing_is_evaluated():
    text = parse("Chào {xung_ho} {ten}! Mã: {MA_QUA_TANG} ({voucher_value}), {Ten_goi}.")
    assert text.problems == ()
    assert fill(text, VALUES) == "Chào chị Lan! Mã: 7K3QW9XM (giảm 15%), Chị Lan."
    assert fill(parse("{xung_ho}  {ten}"), {**VALUES, "salutation": ""}) == "Lan"


@pytest.mark.parametrize(
    "typed, code",
    [
        ("{{7*7}}", "text_brace"),
        ("Chào {ten", "text_brace"),
        ("giá } rẻ", "text_brace"),
        ("{{ greeting.__class__ }}", "text_brace"),
        ("{ho ten} ơi", None),  # spaces and diacritics in a name are forgiven: {ho_ten}
        ("{tên}", None),
        ("{so_du}", "text_unknown_placeholder"),
        ("{__import__}", "text_unknown_placeholder"),
    ],
)
def test_braces_that_are_not_a_known_placeholder_are_problems(typed, code):
    problems = parse(typed).problems
    assert [p.code for p in problems] == ([code] if code else [])
    if code is None:
        assert fill(parse(typed), VALUES) in ("Nguyễn Thị Lan ơi", "Lan")


def test_a_line_whose_optional_value_is_absent_is_left_out():
    text = parse("Chào {ten_goi},\n\nQuà: {ma_qua_tang}\nĐánh giá: {link_khao_sat}\n\nTrân trọng")
    no_voucher = {**VALUES, "voucher_code": None}
    assert fill(text, no_voucher) == "Chào chị Lan,\n\nTrân trọng"


def test_what_each_kind_must_hold():
    rules = TextRules(surveys=True, vouchers=True, promotional=frozenset({"birthday"}))
    body = parse("Chúc mừng sinh nhật {ten_goi}!")
    codes = [p.code for p in check("birthday", "text", None, body, rules)]
    assert codes == ["text_placeholder_needed", "text_placeholder_needed"]  # the voucher code, the opt-out link
    assert [p.code for p in check("checkin", "email", parse(""), parse("Hỏi thăm {ten}"), rules)] == [
        "text_no_subject", "text_placeholder_needed"]  # fmt: skip
    voucher_in_checkin = parse("Chào {ten}\n{ma_qua_tang} {link_khao_sat}")
    assert [p.params for p in check("checkin", "text", None, voucher_in_checkin, rules)] == [
        {"placeholder": "{ma_qua_tang}"}]  # fmt: skip
    assert [p.code for p in check("birthday", "text", None, parse("   "), TextRules())] == ["text_empty"]


def test_email_blocks_paragraphs_links_and_the_survey_buttons():
    filled = f"Chào chị Lan,\ndòng hai\n\nXem https://gara.vn/bang-gia. Hài lòng không?\n{SURVEY_MARK}\n\nTrân trọng"
    assert [b.kind for b in blocks(filled)] == ["paragraph", "paragraph", "survey", "paragraph"]
    link = blocks(filled)[1].lines[0]
    assert link == (("text", "Xem "), ("link", "https://gara.vn/bang-gia"), ("text", ". Hài lòng không?"))


def table(*rows):
    header = [c.title_vi for c in MESSAGES.columns]
    return Table("Mẫu tin nhắn", header, [list(r) for r in rows])


def row(kind="sinh nhật", language="vi", channel="email", subject="Chúc mừng {ten_goi}", text="Chào {xung_ho} {ten}",
        active=True, template_id="", note=""):  # fmt: skip
    return [template_id, kind, language, channel, subject, text, active, note]


CHECKS = TextChecks(TextRules(), VALUES, channel_book(sms_max_segments="1"))
BUILTIN = builtin_book(Templates().builtin_texts)


def test_a_staff_row_replaces_the_built_in_text_and_a_broken_one_is_explained():
    tab = read_message_tab(
        table(
            row(text="Chào {xung_ho} {ten}, chúc mừng sinh nhật!"),
            row(language="en", subject="Hi {{7*7}}", text="Dear {name"),
            row(channel="sms", text="x" * 500),
            row(kind="thư mời", text="x"),
            row(text="khác", template_id="birthday/vi/email"),  # the same kind, language and channel again
            row(kind="hỏi thăm", active=False, subject="s", text="Chào {ten}\n{link_khao_sat}"),
        ),
        BUILTIN, CHECKS, "vi",
    )  # fmt: skip
    assert tab.book.pick("birthday", "vi", "email").row == 2
    assert tab.book.pick("birthday", "en", "email").row is None  # broken: the built-in text
    notes = {w.row_number: w.values.get("system_note") for w in tab.writes}
    assert notes[3].startswith("Không dùng được, đang gửi nội dung có sẵn: dấu ngoặc không đúng ở '{name'")
    assert "dấu ngoặc không đúng ở '{{7*7}}' (chỉ dùng tên như {ten})" in notes[3]
    assert "SMS quá dài" in notes[4] and "Loại tin, Ngôn ngữ hoặc Kênh không rõ" in notes[5]
    assert notes[6] == "Trùng với dòng 2: dòng 2 được dùng" and notes[7].startswith("Ô Dùng chưa đánh dấu")
    assert [w.values.get("template_id") for w in tab.writes][:1] == ["birthday/vi/email"]
    assert [n for n, _ in tab.invalid] == [3, 4, 5]


def test_setup_seeds_every_built_in_text_and_reads_back_unchanged():
    rows = seed_rows(Templates().builtin_texts, "vi")
    assert len(rows) == 12 and rows[0][:4] == ["birthday/vi/email", "sinh nhật", "vi", "email"]
    tab = read_message_tab(table(*rows), BUILTIN, TextChecks(TextRules(), VALUES, channel_book()), "vi")
    assert tab.invalid == [] and tab.writes == [] and len(tab.book.staff) == 12


def test_hostile_values_stay_text():
    values = {**VALUES, "greeting": "<script>alert(1)</script> {ten}", "business": "{{7*7}}"}
    assert fill(parse("{ten_goi} – {ten_doanh_nghiep}"), values) == "<script>alert(1)</script> {ten} – {{7*7}}"
    with pytest.raises(RenderError):
        fit_sms("x" * 400, True, 2, "t")


@pytest.mark.parametrize(
    "form, text",
    [
        ("email", "Chúc mừng sinh nhật {ten_goi}! {ten_doanh_nghiep} tặng {ten_goi} mã quà {ma_qua_tang}."),
        ("email", "{link_tu_choi}\n{ma_qua_tang}"),
        ("text", "{xung_ho}!\n{gia_tri_qua} {ma_qua_tang}"),  # a salutation may be blank; the rest is optional
    ],
)
def test_a_text_that_can_end_up_empty_for_some_customer_is_a_row_problem(form, text):
    """Issue 21 (1): the one-line birthday text loses its only line when no voucher is given."""
    codes = [p.code for p in check("birthday", form, parse("Chúc mừng"), parse(text), TextRules())]
    assert codes == ["text_can_be_empty"]
    kept = "Chào {ten_goi},\n" + text
    assert check("birthday", form, parse("Chúc mừng"), parse(kept), TextRules()) == []


def test_a_url_in_a_customers_name_never_becomes_a_link():
    """Issue 21 (2): links come only from what staff wrote; a filled-in value is always text."""
    from functions.core.staff_texts import CUSTOMER_VALUES

    evil = {**VALUES, "greeting": "chị Lan https://evil.example/login", "voucher_code": "http://x.example/a"}
    text = parse("Chào {ten_goi}, xem https://gara.vn/{ma_qua_tang} nhé")
    (paragraph,) = blocks(fill(text, evil, CUSTOMER_VALUES))
    assert paragraph.lines[0] == (
        ("text", "Chào chị Lan https://evil.example/login, xem "),
        ("link", "https://gara.vn/"),
        ("text", "http://x.example/a nhé"),
    )
    assert fill(text, evil) == "Chào chị Lan https://evil.example/login, xem https://gara.vn/http://x.example/a nhé"


def test_a_subject_longer_than_a_mail_program_shows_is_a_row_problem():
    """Issue 21: a 50,000-character subject was accepted."""
    from functions.core.message_tab import SUBJECT_LIMIT

    tab = read_message_tab(table(row(subject="x" * 50_000)), BUILTIN, CHECKS, "vi")
    assert tab.book.pick("birthday", "vi", "email").row is None
    assert "tiêu đề dài 50000 ký tự" in tab.invalid[0][1]
    assert read_message_tab(table(row(subject="x" * SUBJECT_LIMIT)), BUILTIN, CHECKS, "vi").invalid == []
