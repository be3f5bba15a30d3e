from datetime import date

import pytest

from functions.adapters.templates import Templates
from functions.core.errors import RenderError
from functions.core.staff_texts import values_for
from functions.entrypoints.cli.check import SAMPLE_CONTEXT, check_templates
from tests.helpers import NINE_AM
from tests.helpers.rules import channel_book


def test_every_message_renders_in_both_languages():
    assert check_templates(Templates(), channel_book()) == []


def compose(kind="birthday", language="vi", channels=(("email", "lan@example.com"),), survey=None, voucher=None,
            purchase=date(2026, 11, 16)):  # fmt: skip
    from functions.compose import Composer, Recipient
    from functions.entrypoints.cli.check import SAMPLE_LINKS

    values = values_for("Nguyễn Thị Lan", "chị Lan", "chị", "Gara Tiến Phát", purchase, "HS-ABCD2345")
    recipient = Recipient("C-001", "Nguyễn Thị Lan", language, list(channels))
    return Composer(Templates(), SAMPLE_LINKS, channel_book()).compose(
        "k", kind, recipient, values, survey, NINE_AM, voucher
    )


def test_vietnamese_birthday_greets_by_salutation_and_given_name():
    (message,) = compose().messages
    assert message.subject == "Chúc mừng sinh nhật chị Lan!"
    assert message.text.startswith("Chào chị Lan,")
    assert message.unsubscribe_url in message.text and message.unsubscribe_url in message.html
    assert "quà tặng" not in message.text  # no voucher this time: its line is left out


def test_the_built_in_texts_pass_the_checks_staff_texts_must():
    from functions.core.message_tab import builtin_book
    from functions.core.staff_texts import TextRules, check

    strictest = TextRules(surveys=True, vouchers=True, promotional=frozenset({"birthday"}))
    for (kind, _, channel), text in builtin_book(Templates().builtin_texts).builtin.items():
        assert check(kind, channel, text.subject, text.body, strictest) == [], (kind, channel)


def test_a_missing_variable_is_an_error_not_an_empty_greeting():
    context = dict(SAMPLE_CONTEXT)
    del context["owner"]
    with pytest.raises(RenderError, match="owner"):
        Templates().message("case_notice", "vi", context)


def _templates_with(tmp_path, text, promotional=False):
    """Templates with one email to staff, "promo": its one text (subject and body, plain and HTML)."""
    import shutil

    from functions.adapters.templates import TEMPLATES_DIR

    (tmp_path / "messages").mkdir(parents=True)
    for name in ("_layout.html", "_owner.html"):
        shutil.copy(TEMPLATES_DIR / "messages" / name, tmp_path / "messages" / name)
    (tmp_path / "messages.toml").write_text(f"[promo]\npromotional = {str(promotional).lower()}\n")
    (tmp_path / "messages" / "promo.jinja").write_text(text)
    return Templates(tmp_path)


PAGE = {"business_name": "Gara Tiến Phát", "unsubscribe_url": ""}  # what the layout around the HTML names


def test_html_is_autoescaped_text_is_not(tmp_path):
    one = '{% set subject = "x" %}{% if html %}<p>{{ greeting }}</p>{% else %}{{ greeting }}{% endif %}'
    templates = _templates_with(tmp_path, one)
    message = templates.message("promo", "vi", {**PAGE, "greeting": "<script>alert(1)</script> & co"})
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</p>" in message.html and "<script>" not in message.html
    assert templates.message("promo", "vi", {**PAGE, "greeting": "A & B"}).text == "A & B\n"


def test_the_sandbox_blocks_unsafe_attribute_access(tmp_path):
    templates = _templates_with(tmp_path, '{% set subject = "x" %}{{ greeting.__class__.__mro__ }}')
    with pytest.raises(RenderError, match=r"messages/promo\.jinja: access to attribute '__class__' .* is unsafe"):
        templates.message("promo", "vi", {**PAGE, "greeting": "x"})


def test_promotional_messages_are_labelled(tmp_path):
    templates = _templates_with(tmp_path, '{% set subject = "Quà sinh nhật\n cho " ~ greeting %}x', promotional=True)
    assert templates.message("promo", "vi", {**PAGE, "greeting": "chị Lan"}).subject == "[QC] Quà sinh nhật cho chị Lan"


def test_an_email_to_staff_is_one_text_for_both_languages_and_both_forms():
    """Issue 34: each email to staff is written once (templates/messages/<kind>.jinja); its words are
    codes said in the staff's language; its HTML is the same text, escaped, in the layout."""
    from functions.adapters.templates import TEMPLATES_DIR
    from functions.entrypoints.cli.check import SAMPLE_CONTEXT

    for kind in ("case_notice", "case_digest", "alert", "alert_recovered", "weekly_digest", "theme_rising"):
        assert (TEMPLATES_DIR / "messages" / f"{kind}.jinja").exists() and not (
            TEMPLATES_DIR / "messages" / kind
        ).exists()
        vi, en = (Templates().message(kind, language, SAMPLE_CONTEXT) for language in ("vi", "en"))
        assert vi.subject and en.subject and vi.subject != en.subject and vi.text != en.text
        assert vi.html.startswith("<!doctype html>") and "careloop – careloop" in vi.text


def test_a_late_check_in_says_nothing_untrue_and_speaks_to_one_person():
    from functions.entrypoints.cli.check import SAMPLE_SURVEY

    for language in ("vi", "en"):
        (message,) = compose("checkin", language, survey=SAMPLE_SURVEY, purchase=date(2026, 11, 14)).messages
        for text in (message.text, message.html):
            assert "một tuần" not in text and "a week" not in text  # a catch-up may go out 9 days later
            assert "14/11/2026" in text
    (vi,) = compose("checkin", survey=SAMPLE_SURVEY).messages
    assert "Quý khách" not in vi.text and "Chị Lan hài lòng thế nào?" in vi.text  # the row's own salutation
    assert vi.html.count("score=") == 5  # the five one-tap buttons where {link_khao_sat} stands
