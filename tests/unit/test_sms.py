"""SMS segments and the diacritics-free form that fits GSM-7."""

import pytest

from functions.adapters.channels.sms_segments import GSM7, UCS2, fit_sms, measure, without_diacritics
from functions.core.errors import RenderError


@pytest.mark.parametrize(
    "text, encoding, segments",
    [
        ("a" * 160, GSM7, 1),
        ("a" * 161, GSM7, 2),  # then 153 a part
        ("a" * 306, GSM7, 2),
        ("a" * 307, GSM7, 3),
        ("€" * 80, GSM7, 1),  # an extension character costs two septets
        ("€" * 81, GSM7, 2),
        ("ạ" * 70, UCS2, 1),
        ("ạ" * 71, UCS2, 2),  # then 67 a part
        ("😀" * 35, UCS2, 1),  # an emoji is two UTF-16 code units
        ("😀" * 36, UCS2, 2),
    ],
)
def test_segments(text, encoding, segments):
    measured = measure(text)
    assert (measured.encoding, measured.segments) == (encoding, segments)


def test_vietnamese_without_its_marks_fits_gsm7():
    text = "Đặng Thị Ngọc Hường ơi, “cảm ơn” – chúc mừng sinh nhật…"
    plain = without_diacritics(text)
    assert plain == 'Dang Thi Ngoc Huong oi, "cam on" - chuc mung sinh nhat...'
    assert measure(plain).encoding == GSM7


def test_a_text_over_the_limit_is_an_error_naming_its_template_never_a_cut():
    with pytest.raises(RenderError, match=r"messages/checkin/vi.sms.txt: 500 ký tự GSM-7 = 4 tin SMS, quá 2"):
        fit_sms("a" * 500, True, 2, "messages/checkin/vi.sms.txt")
    kept = fit_sms("Chào chị Lan\n\n  cảm ơn  ", False, 2, "t")
    assert (kept.text, kept.encoding) == ("Chào chị Lan\ncảm ơn", UCS2)
