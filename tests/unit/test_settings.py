from datetime import time

import pytest

from functions.settings import SettingsError, load_settings


def test_vietnamese_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(env={})
    assert (s.timezone, s.date_order, s.send_hours, s.catchup_days, s.default_language) == (
        "Asia/Ho_Chi_Minh",
        "DMY",
        (time(8), time(20)),
        3,
        "vi",
    )


def test_precedence_toml_then_env_then_flags(tmp_path):
    config = tmp_path / "careloop.toml"
    config.write_text('catchup_days = 5\ndaily_cap = 100\nbusiness_name = "Gara Tiến Phát"\n', encoding="utf-8")
    s = load_settings(env={"CARELOOP_DAILY_CAP": "200"}, config=config, overrides={"business_name": "Gara Hòa Bình"})
    assert (s.catchup_days, s.daily_cap, s.business_name) == (5, 200, "Gara Hòa Bình")


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("CARELOOP_TIMEZONE", "Asia/Saigon_City", "CARELOOP_TIMEZONE"),
        ("CARELOOP_SEND_HOURS", "06:00-20:00", "Decree 91/2020"),
        ("CARELOOP_SEND_HOURS", "20:00-08:00", "before the end"),
        ("CARELOOP_SEND_HOURS", "8h-20h", "HH:MM"),
        ("CARELOOP_CATCHUP_DAYS", "-1", "CARELOOP_CATCHUP_DAYS"),
        ("CARELOOP_CATCHUP_DAYS", "three", "whole number"),
        ("CARELOOP_DATE_ORDER", "DDMMYYYY", "DMY, MDY, YMD"),
        ("CARELOOP_DEFAULT_LANGUAGE", "fr", "vi, en"),
        ("CARELOOP_SENDER_EMAIL", "not-an-address", "CARELOOP_SENDER_EMAIL"),
        ("CARELOOP_PUBLIC_URL", "ftp://x", "http(s)"),
        ("CARELOOP_PHONE_REGION", "XX", "region"),
        ("CARELOOP_SMTP_TIMEOUT", "nan", "CARELOOP_SMTP_TIMEOUT"),
        ("CARELOOP_SMTP_TIMEOUT", "inf", "between 0 and 600"),
        ("CARELOOP_RETRY_SECONDS", "nan", "CARELOOP_RETRY_SECONDS"),
        ("CARELOOP_RETRY_SECONDS", "inf", "between 0 and 3600"),
        ("CARELOOP_SHEETS_DEADLINE", "nan", "CARELOOP_SHEETS_DEADLINE"),
        ("CARELOOP_RUN_BUDGET_SECONDS", "0", "CARELOOP_RUN_BUDGET_SECONDS"),
        ("CARELOOP_BUSINESS_NAME", "Gara\r\nBcc: x@y.z", "line break"),
        ("CARELOOP_REPLY_TO", "hotro@x.vn\r\nBcc: spy@y.z", "CARELOOP_REPLY_TO"),
        ("CARELOOP_REPLY_TO", "not an email", "CARELOOP_REPLY_TO"),
        ("CARELOOP_SECRET", "a", "at least 32"),
        ("CARELOOP_SMTP_HOST", "smtp.example.com:587", "without http:// or :port"),
        ("CARELOOP_SMTP_HOST", "http://smtp.example.com", "CARELOOP_SMTP_HOST"),
        ("CARELOOP_CHANNEL_ORDER", "zalo, fax", "zalo, sms, email"),
        ("CARELOOP_CHANNEL_ORDER", "sms,sms", "CARELOOP_CHANNEL_ORDER"),
        ("CARELOOP_ZALO_TEMPLATES", "checkin=123", "kind:template_id"),
        ("CARELOOP_ZALO_TEMPLATES", "case_notice:123", "birthday, birthday_voucher, checkin, case_survey"),
        ("CARELOOP_TWILIO_ACCOUNT_SID", "SK123", "Account SID"),
        ("CARELOOP_SMS_SENDER", "Luat Minh An Law", "at most 11"),
        ("CARELOOP_SMS_SENDER", "0912345678", "+84"),
        ("CARELOOP_SMS_MAX_SEGMENTS", "0", "between 1 and 10"),
        ("CARELOOP_SMS_ASCII", "maybe", "true, false"),
    ],
)
def test_a_bad_setting_is_named(name, value, words):
    with pytest.raises(SettingsError) as error:
        load_settings(env={name: value})
    assert words in str(error.value)


def test_every_bad_setting_is_listed_at_once():
    with pytest.raises(SettingsError) as error:
        load_settings(env={"CARELOOP_CATCHUP_DAYS": "x", "CARELOOP_DAILY_CAP": "-3"})
    assert len(error.value.problems) == 2


def test_secrets_are_not_echoed():
    with pytest.raises(SettingsError) as error:
        load_settings(env={"CARELOOP_SMTP_PASSWORD": "hunter2", "CARELOOP_SMTP_PORT": "0"})
    assert "hunter2" not in str(error.value)
    shown = load_settings(env={"CARELOOP_SECRET": "s3cr3t" * 6}).redacted()
    assert shown["secret"] == "***" and "s3cr3t" not in str(shown)


def test_unknown_toml_keys_and_broken_files(tmp_path):
    config = tmp_path / "careloop.toml"
    config.write_text("catchup_dayz = 5\n")
    with pytest.raises(SettingsError, match="catchup_dayz"):
        load_settings(env={}, config=config)
    config.write_text("catchup_days = [\n")
    with pytest.raises(SettingsError, match="cannot be read"):
        load_settings(env={}, config=config)
    with pytest.raises(SettingsError, match="no such file"):
        load_settings(env={}, config=tmp_path / "missing.toml")


def test_an_outbox_that_is_a_file_or_cannot_be_written_is_named(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(SettingsError, match="CARELOOP_OUTBOX .* is not a folder"):
        load_settings(env={"CARELOOP_OUTBOX": str(tmp_path / "file")})
    with pytest.raises(SettingsError, match="CARELOOP_OUTBOX .* is not a folder"):
        load_settings(env={"CARELOOP_OUTBOX": str(tmp_path / "file" / "below")})
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    import os

    if os.geteuid() != 0:  # root writes anywhere
        with pytest.raises(SettingsError, match="CARELOOP_OUTBOX .* cannot write there"):
            load_settings(env={"CARELOOP_OUTBOX": str(locked / "outbox")})
    assert load_settings(env={"CARELOOP_OUTBOX": str(tmp_path / "new" / "outbox")}).outbox.endswith("outbox")
    assert load_settings(env={"CARELOOP_OUTBOX": str(tmp_path / "file"), "CARELOOP_SMTP_HOST": "smtp.x.vn", **IDENTITY})


IDENTITY = {"CARELOOP_BUSINESS_NAME": "Gara 79", "CARELOOP_PUBLIC_URL": "https://care.gara79.vn",
            "CARELOOP_SENDER_EMAIL": "cskh@gara79.vn"}  # fmt: skip


@pytest.mark.parametrize(
    "channel",
    [
        {"CARELOOP_SMTP_HOST": "smtp.gara79.vn"},
        {"CARELOOP_TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "CARELOOP_TWILIO_AUTH_TOKEN": "t", "CARELOOP_SMS_SENDER": "G"},
        {"CARELOOP_ZALO_APP_ID": "1", "CARELOOP_ZALO_APP_SECRET": "s", "CARELOOP_ZALO_TEMPLATES": "checkin:1"},
    ],
)
def test_sending_for_real_under_placeholder_identity_is_a_settings_error_naming_each(channel):
    """Issue 21 (6): mail from "careloop <careloop@example.com>" with links to 127.0.0.1."""
    with pytest.raises(SettingsError) as error:
        load_settings(env=channel)
    named = {p.split(" (")[0].split()[-1] for p in error.value.problems}
    email = {"CARELOOP_SENDER_EMAIL"} if "CARELOOP_SMTP_HOST" in channel else set()
    assert named == {"CARELOOP_BUSINESS_NAME", "CARELOOP_PUBLIC_URL"} | email
    assert load_settings(env={**channel, **IDENTITY}).business_name == "Gara 79"
    # a value set on purpose counts as set, even the default's own; each link may have its own URL
    same = {**IDENTITY, "CARELOOP_PUBLIC_URL": "http://127.0.0.1:8080"}
    assert load_settings(env={**channel, **same}).public_url == "http://127.0.0.1:8080"
    own = {k: v for k, v in IDENTITY.items() if k != "CARELOOP_PUBLIC_URL"} | {
        "CARELOOP_SURVEY_URL": "https://s.gara79.vn"}  # fmt: skip
    with pytest.raises(SettingsError, match="CARELOOP_UNSUBSCRIBE_URL"):
        load_settings(env={**channel, **own})
    assert load_settings(env={**channel, **own, "CARELOOP_UNSUBSCRIBE_URL": "https://u.gara79.vn"})


@pytest.mark.parametrize("sender", ["cskh@example.com", "a@mail.example.org", "a@x.test", "a@b.invalid", "a@localhost"])
def test_an_smtp_sender_at_a_reserved_domain_is_an_error(sender):
    env = {"CARELOOP_SMTP_HOST": "smtp.gara79.vn", **IDENTITY, "CARELOOP_SENDER_EMAIL": sender}
    with pytest.raises(SettingsError, match="CARELOOP_SENDER_EMAIL"):
        load_settings(env=env)


def test_links_customers_cannot_open_are_a_warning_and_the_outbox_keeps_its_defaults():
    from functions.settings import settings_warnings

    assert settings_warnings(load_settings(env={})) == []  # the outbox: today's defaults, nothing said
    for url in ("http://127.0.0.1:8080", "https://10.0.0.5", "http://care.gara79.vn", "https://localhost:8443"):
        (warning,) = settings_warnings(load_settings(env={"CARELOOP_PUBLIC_URL": url}))
        assert warning.startswith("CARELOOP_PUBLIC_URL") and "customers cannot open" in warning
    assert settings_warnings(load_settings(env={"CARELOOP_PUBLIC_URL": "https://care.gara79.vn"})) == []


def test_email_settings_go_out_as_mail_servers_take_them():
    s = load_settings(env={"CARELOOP_SENDER_EMAIL": "cskh@bücher.de", "CARELOOP_REPLY_TO": "HoTro@Example.com"})
    assert (s.sender_email, s.reply_to) == ("cskh@xn--bcher-kva.de", "HoTro@example.com")


def test_half_a_provider_names_each_missing_setting_before_anything_is_sent():
    with pytest.raises(SettingsError) as error:
        load_settings(env={"CARELOOP_TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "CARELOOP_ZALO_APP_ID": "123", **IDENTITY})
    named = str(error.value)
    for missing in ("CARELOOP_TWILIO_AUTH_TOKEN", "CARELOOP_SMS_SENDER", "CARELOOP_ZALO_APP_SECRET",
                    "CARELOOP_ZALO_TEMPLATES"):  # fmt: skip
        assert missing in named
    assert len(error.value.problems) == 4


def test_channels_are_configured_by_their_settings():
    from functions.settings import configured_channels

    assert configured_channels(load_settings(env={})) == {"email"}
    settings = load_settings(env={
        "CARELOOP_TWILIO_ACCOUNT_SID": "AC" + "a" * 32, "CARELOOP_TWILIO_AUTH_TOKEN": "t",
        "CARELOOP_SMS_SENDER": "Gara 79", "CARELOOP_ZALO_APP_ID": "1", "CARELOOP_ZALO_APP_SECRET": "s",
        "CARELOOP_ZALO_TEMPLATES": "checkin:1, birthday:2", "CARELOOP_CHANNEL_ORDER": "sms zalo email", **IDENTITY,
    })  # fmt: skip
    assert configured_channels(settings) == {"email", "sms", "zalo"}
    assert settings.value("zalo_templates") == (("checkin", "1"), ("birthday", "2"))
    assert settings.channel_order == ("sms", "zalo", "email")
    shown = settings.redacted()
    assert shown["twilio_auth_token"] == shown["zalo_app_secret"] == "***"
    assert shown["zalo_templates"] == "checkin:1,birthday:2"


def test_the_send_queue_needs_a_topic_name_and_a_project():
    from functions.settings import pubsub_project

    with pytest.raises(SettingsError) as error:
        load_settings(env={"CARELOOP_PUBSUB_TOPIC": "careloop-send"})
    assert "CARELOOP_PUBSUB_PROJECT" in str(error.value) and len(error.value.problems) == 1
    with pytest.raises(SettingsError) as error:
        load_settings(env={"CARELOOP_PUBSUB_TOPIC": "gửi tin/1", "CARELOOP_FANOUT_BATCH_SIZE": "0"})
    assert "CARELOOP_PUBSUB_TOPIC" in str(error.value) and "CARELOOP_FANOUT_BATCH_SIZE" in str(error.value)
    settings = load_settings(env={"CARELOOP_PUBSUB_TOPIC": "careloop-send", "CARELOOP_STORE": "firestore://acme-care"})
    assert pubsub_project(settings) == "acme-care" and settings.fanout_after == 1000
    assert load_settings(env={}).pubsub_topic == ""  # off by default: every run sends all it has


def test_the_demo_says_nothing_new_only_when_nobody_was_written_to():
    """Issue 21: 'Nothing new' was printed after a run that emailed case owners."""
    from functions.entrypoints.cli.demo import nothing_new

    quiet = {"opened": [], "escalated": [], "notified": [], "surveyed": []}
    assert nothing_new({"sent": []}, [quiet])
    assert not nothing_new({"sent": []}, [quiet, {**quiet, "notified": [{"case_id": "HS-1"}]}])
    assert not nothing_new({"sent": [{"key": "k"}]}, [quiet])
