import pytest

from functions.adapters.templates import Templates
from functions.core.errors import RenderError
from functions.entrypoints.cli.check import SAMPLE_CONTEXT, check_templates


def test_every_message_renders_in_both_languages():
    assert check_templates(Templates()) == []


def test_vietnamese_birthday_greets_by_salutation_and_given_name():
    message = Templates().message("birthday", "vi", SAMPLE_CONTEXT)
    assert message.subject == "Chúc mừng sinh nhật chị Lan!"
    assert message.text.startswith("Chào chị Lan,")
    assert SAMPLE_CONTEXT["unsubscribe_url"] in message.text and SAMPLE_CONTEXT["unsubscribe_url"] in message.html


def test_a_missing_variable_is_an_error_not_an_empty_greeting():
    context = dict(SAMPLE_CONTEXT)
    del context["greeting"]
    with pytest.raises(RenderError, match="greeting"):
        Templates().message("birthday", "vi", context)


def _templates_with(tmp_path, name, text, promotional=False):
    (tmp_path / "messages" / "promo").mkdir(parents=True)
    (tmp_path / "messages.toml").write_text(f"[promo]\npromotional = {str(promotional).lower()}\n")
    for part in ("subject.txt", "txt", "html"):
        (tmp_path / "messages" / "promo" / f"vi.{part}").write_text(text if part == name else "x")
    return Templates(tmp_path)


def test_html_is_autoescaped_text_is_not(tmp_path):
    templates = _templates_with(tmp_path, "html", "<p>{{ greeting }}</p>")
    message = templates.message("promo", "vi", {"greeting": "<script>alert(1)</script> & co"})
    assert message.html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</p>"
    plain = _templates_with(tmp_path / "t", "txt", "{{ greeting }}").message("promo", "vi", {"greeting": "A & B"})
    assert plain.text == "A & B\n"


def test_the_sandbox_blocks_unsafe_attribute_access(tmp_path):
    templates = _templates_with(tmp_path, "txt", "{{ greeting.__class__.__mro__ }}")
    with pytest.raises(RenderError, match=r"messages/promo/vi\.txt: access to attribute '__class__' .* is unsafe"):
        templates.message("promo", "vi", {"greeting": "x"})


def test_promotional_messages_are_labelled(tmp_path):
    templates = _templates_with(tmp_path, "subject.txt", "Quà sinh nhật\n cho {{ greeting }}", promotional=True)
    assert templates.message("promo", "vi", {"greeting": "chị Lan"}).subject == "[QC] Quà sinh nhật cho chị Lan"


def test_a_late_check_in_says_nothing_untrue_and_speaks_to_one_person():
    from functions.entrypoints.cli.check import SAMPLE_CONTEXT

    for language in ("vi", "en"):
        message = Templates().message("checkin", language, {**SAMPLE_CONTEXT, "purchase_date": "14/11/2026"})
        for text in (message.text, message.html):
            assert "một tuần" not in text and "a week" not in text  # a catch-up may go out 9 days later
            assert "14/11/2026" in text
    vi = Templates().message("checkin", "vi", SAMPLE_CONTEXT)
    assert "Quý khách" not in vi.text and "Chị Lan hài lòng thế nào?" in vi.text  # the row's own salutation
