"""One occasion's message on each channel: signed links by email, short links by SMS and Zalo."""

from datetime import date, timedelta

import pytest

from functions.adapters.templates import Templates
from functions.compose import Composer, Recipient
from functions.core.errors import RenderError
from functions.core.links import Links
from functions.core.short_links import SURVEY, is_short_code
from functions.core.staff_texts import values_for
from functions.core.surveys import Survey
from tests.helpers import NINE_AM, TEST_SECRET
from tests.helpers.rules import channel_book

LINKS = Links("https://care.example.vn", TEST_SECRET)
SURVEY_OFFERED = Survey("SV-1", "KH-1", "checkin/2026-11-16", "vi", NINE_AM, NINE_AM + timedelta(days=30))
VALUES = values_for("Nguyễn Thị Lan", "chị Lan", "chị", "Luật Minh An", date(2026, 11, 16))
EVERY = [("zalo", "+84912345678"), ("sms", "+84912345678"), ("email", "lan@example.com")]


def compose(addresses=EVERY, survey=SURVEY_OFFERED, sms=None, kind="checkin", templates=None):
    composer = Composer(templates or Templates(), LINKS, sms or channel_book())
    recipient = Recipient("KH-1", "Nguyễn Thị Lan", "vi", addresses)
    return composer.compose("checkin/KH-1/2026-11-16", kind, recipient, VALUES, survey, NINE_AM)


def test_each_channel_gets_its_own_form_of_the_message_and_links():
    composed = compose()
    zalo, sms, email = composed.messages
    (link,) = composed.short_links
    assert (link.purpose, link.target, link.expires_at) == (SURVEY, "SV-1", SURVEY_OFFERED.expires_at)
    short_url = f"https://care.example.vn/s/{link.code}"
    assert is_short_code(link.code) and dict(zalo.params)["survey_link"] == short_url
    assert sms.text == f"Luat Minh An hoi tham chi Lan: moi viec on chu a?\nDanh gia giup chung toi: {short_url}"
    assert (sms.subject, sms.html, sms.unsubscribe_url) == ("", "", "")  # no opt-out link in a care message
    assert "score=5" in email.text and email.unsubscribe_url.startswith("https://care.example.vn/unsubscribe/")
    assert [m.channel for m in composed.messages] == ["zalo", "sms", "email"]


def test_the_same_survey_always_gets_the_same_short_code():
    assert compose().short_links == compose().short_links


def test_a_zalo_template_missing_a_value_leaves_the_message_to_the_next_channel():
    composed = compose(survey=None)  # no survey: the check-in template's survey_link would be empty
    assert [m.channel for m in composed.messages] == ["sms", "email"] and composed.short_links == ()
    with pytest.raises(RenderError) as refused:
        compose(addresses=[("zalo", "+84912345678")], survey=None)
    assert refused.value.args[0].code == "template_params_missing"


def test_an_sms_longer_than_allowed_is_a_render_error_naming_the_template():
    with pytest.raises(RenderError, match=r"texts.toml \[checkin.vi.sms\]"):
        compose(addresses=[("sms", "+84912345678")], sms=channel_book(sms_ascii="false", sms_max_segments="1"))


def test_a_promotional_message_by_sms_carries_a_short_opt_out_link_and_the_label(tmp_path):
    import shutil

    from functions.adapters.templates import TEMPLATES_DIR

    shutil.copytree(TEMPLATES_DIR, tmp_path / "t")
    toml = tmp_path / "t" / "messages.toml"
    toml.write_text(toml.read_text().replace("[birthday]\npromotional = false", "[birthday]\npromotional = true"))
    composed = compose(addresses=[("sms", "+84912345678")], survey=None, kind="birthday",
                       templates=Templates(tmp_path / "t"))  # fmt: skip
    (sms,) = composed.messages
    (opt_out,) = composed.short_links
    assert sms.text.startswith("[QC] ") and sms.text.endswith(
        f"Tu choi nhan tin: https://care.example.vn/u/{opt_out.code}"
    )


@pytest.mark.parametrize("kind, survey", [("birthday", None), ("checkin", SURVEY_OFFERED)])
def test_a_url_typed_into_a_name_is_no_link_in_the_email(kind, survey):
    """Issue 21 (2): the built-in texts name the customer four times; none of them is a link."""
    composer = Composer(Templates(), LINKS, channel_book())
    recipient = Recipient("KH-1", "Lan https://evil.example/login", "vi", [("email", "lan@example.com")])
    values = values_for("Lan https://evil.example/login", "chị Lan https://evil.example/login", "chị", "Luật Minh An")
    (email,) = composer.compose("k", kind, recipient, values, survey, NINE_AM).messages
    assert "evil.example" in email.html and 'href="https://evil.example' not in email.html
    assert 'href="https://care.example.vn/unsubscribe/' in email.html  # careloop's own links stay links


def test_a_birthday_voucher_on_zalo_goes_on_its_own_template_or_by_the_next_channel():
    """Issue 33 (19): the ZNS wish carries the voucher (the birthday_voucher template's parameters); a
    Zalo account without that template lets the next channel carry it — never a wish without the gift."""
    from functions.adapters.channels.zalo import ZaloChannel, ZaloConfig
    from functions.core.errors import RecipientUnreachable
    from functions.core.vouchers import Voucher
    from tests.helpers.memory_store import MemoryStore

    voucher = Voucher("MAU12345", "KH-1", "Nguyễn Thị Lan", 2026, "giảm 15%", NINE_AM.date(),
                      NINE_AM.date() + timedelta(days=30))  # fmt: skip
    composer = Composer(Templates(), LINKS, channel_book())
    recipient = Recipient("KH-1", "Nguyễn Thị Lan", "vi", [("zalo", "+84912345678"), ("sms", "+84912345678")])
    zalo, sms = composer.compose("birthday/KH-1/2026", "birthday", recipient, VALUES, None, NINE_AM, voucher).messages
    assert zalo.kind == "birthday_voucher" and dict(zalo.params)["voucher_code"] == "MAU12345"
    assert dict(zalo.params)["valid_until"] and "MAU12345" in sms.text  # the fallback says it too
    plain = composer.compose("birthday/KH-2/2026", "birthday", recipient, VALUES, None, NINE_AM).messages[0]
    assert plain.kind == "birthday" and "voucher_code" not in dict(plain.params)  # no voucher: the plain wish
    without = ZaloChannel(ZaloConfig("1", "s", "r", {"birthday": "100001"}), MemoryStore().credentials)
    with pytest.raises(RecipientUnreachable):  # no approved template for it: the SMS carries the voucher
        without.deliver(zalo)
