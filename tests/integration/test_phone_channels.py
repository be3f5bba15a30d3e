"""A workbook where most customers have only a phone: the follow-up run reaches each by Zalo or
SMS (through Twilio's library and the ZNS API, against their local stand-ins), falls back from Zalo
to SMS in the same run, sends each occasion once, and tells staff in the sheet what happened."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from functions.adapters.channels.sms_segments import GSM7, measure
from functions.adapters.stores.sqlite import SqliteStore
from tests.helpers import TODAY
from tests.helpers.cli import FOLLOWUP, careloop
from tests.helpers.providers import TWILIO_TOKEN, phone_providers
from tests.helpers.support import HEADER, local_settings, read_workbook, row, write_workbook

WEEK_AGO = f"{TODAY - timedelta(days=7):%d/%m/%Y}"
BIRTHDAY = "23/11/1990"
ROWS = [
    row("KH-1", "Nguyễn Thị Lan", "chị", "", "0912 345 601", purchase=WEEK_AGO),  # Zalo
    row("KH-2", "Trần Văn Hùng", "anh", "", "0912345602", birthday=BIRTHDAY),  # Zalo
    row("KH-3", "Lê Minh Tuấn", "anh", "", "0912345603", purchase=WEEK_AGO),  # not on Zalo → SMS
    row("KH-4", "Phạm Thu Hà", "chị", "", "0912345604", purchase=WEEK_AGO, channel="sms"),  # staff chose SMS
    row("KH-5", "Hoàng Đức Anh", "ông", "anh@example.com", "", birthday=BIRTHDAY),  # email only
    row("KH-6", "Vũ Thị Mai", "cô", "mai@example.com", "0912345606", purchase=WEEK_AGO, channel="email, zalo"),
]


def run(tmp_path: Path, providers, **more: str):
    env = local_settings(tmp_path, tmp_path / "khach-hang.xlsx", **providers.settings(), **more)
    return careloop(*FOLLOWUP, cwd=tmp_path, env=env)


def test_phone_customers_are_reached_by_zalo_or_sms_once_with_fallback(tmp_path):
    write_workbook(tmp_path / "khach-hang.xlsx", HEADER, ROWS)
    with phone_providers() as providers:
        providers.zalo.not_on_zalo.add("84912345603")
        first = run(tmp_path, providers)
        again = run(tmp_path, providers)  # a second run the same day sends nothing
    assert first.returncode == 0, first.stderr
    zalo = {"+" + m["phone"]: m for m in providers.zalo.accepted}
    sms = {m["to"]: m for m in providers.twilio.accepted}
    emails = list((tmp_path / "outbox").glob("*.eml"))
    assert sorted(zalo) == ["+84912345601", "+84912345602"]
    assert sorted(sms) == ["+84912345603", "+84912345604"]
    assert len(emails) == 2  # KH-5's birthday, KH-6's check-in (email first, by staff's order)
    every = list(zalo) + list(sms) + [p.name for p in emails]
    assert len(every) == len(set(every)) == 6 and again.returncode == 0
    assert Counter(providers.phones_reached())["+84912345603"] == 1  # Zalo refused it, SMS carried it: once

    checkin = zalo["+84912345601"]
    assert checkin["tracking_id"].startswith("checkin/KH-1/") and checkin["template_id"] == "401002"
    assert checkin["template_data"]["customer_name"] == "chị Lan"
    assert urlsplit(checkin["template_data"]["survey_link"]).path.startswith("/s/")

    store = SqliteStore(tmp_path / "s.sqlite")
    fallback = store.ledger.entry(f"checkin/KH-3/{TODAY - timedelta(days=7)}")
    assert (fallback.channel, fallback.state) == ("sms", "sent")
    assert fallback.attempts == ("zalo: Zalo -118: Zalo account not existed",)

    rows = {r["Mã KH"]: r for r in read_workbook(tmp_path / "khach-hang.xlsx")}
    assert rows["KH-3"]["Liên hệ gần nhất"].endswith("(sms)")
    assert "đã gửi qua sms (sau khi zalo không tới được)" in rows["KH-3"]["Ghi chú hệ thống"]
    assert rows["KH-1"]["Liên hệ gần nhất"].endswith("(zalo)") and not rows["KH-1"]["Ghi chú hệ thống"]


def test_a_vietnamese_sms_check_in_fits_one_segment_and_its_short_link_opens_the_survey(tmp_path):
    from functions.core.short_links import is_short_code

    write_workbook(tmp_path / "khach-hang.xlsx", HEADER, [ROWS[3]])
    with phone_providers() as providers:
        assert run(tmp_path, providers, business_name="Văn phòng Luật Minh An").returncode == 0
    (message,) = providers.twilio.accepted
    text = message["body"]
    assert text.startswith("Van phong Luat Minh An hoi tham chi Ha: moi viec on chu a?")
    assert (measure(text).encoding, measure(text).segments) == (GSM7, 1)
    link = text.split()[-1]
    assert urlsplit(link).path.startswith("/s/") and is_short_code(urlsplit(link).path.rsplit("/", 1)[1])
    survey = SqliteStore(tmp_path / "s.sqlite").surveys.short_link(urlsplit(link).path.rsplit("/", 1)[1])
    assert survey is not None and survey.purpose == "survey" and survey.language == "vi"
    assert "k=checkin%2FKH-4%2F" in message["status_callback"]


def test_an_undelivered_report_from_twilio_reaches_the_rows_system_note(tmp_path, monkeypatch):
    from functions_framework import create_app
    from twilio.request_validator import RequestValidator

    from functions.entrypoints.http import public
    from tests.helpers import ROOT

    write_workbook(tmp_path / "khach-hang.xlsx", HEADER, [ROWS[3]])
    with phone_providers() as providers:
        settings = providers.settings()
        assert run(tmp_path, providers).returncode == 0
        (message,) = providers.twilio.accepted
        env = local_settings(tmp_path, tmp_path / "khach-hang.xlsx", **settings)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        url = message["status_callback"]
        form = {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "30003", "To": message["to"]}
        client = create_app("sms_status", str(ROOT / "main.py")).test_client()
        # Twilio calls the status URL it was given (the public URL's /sms_status) and signs it.
        called = {"path": "/sms_status?" + urlsplit(url).query, "base_url": "http://127.0.0.1:8080", "data": form}
        assert client.post(**called, headers={"X-Twilio-Signature": "forged"}).status_code == 403
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
        tampered = {**called, "data": {**form, "MessageStatus": "delivered"}}
        assert client.post(**tampered, headers={"X-Twilio-Signature": signature}).status_code == 403
        assert client.post(**called, headers={"X-Twilio-Signature": signature}).status_code == 204
        public._webhook_setup.cache_clear()
        assert run(tmp_path, providers).returncode == 0  # the next run writes it into the row
    (row_after,) = read_workbook(tmp_path / "khach-hang.xlsx")
    assert "qua sms không tới được máy khách: Twilio 30003" in row_after["Ghi chú hệ thống"]


def test_a_zalo_daily_quota_passes_messages_to_the_next_channel_and_is_told_once(tmp_path):
    """Issue 21: -144 (the OA's daily quota) is not the customer's doing: fall back like 'unreachable',
    ask Zalo no more this run, and say it once in the report."""
    import json

    phones = [row(f"KH-{n}", f"Khách {n}", "chị", "", f"091234570{n}", purchase=WEEK_AGO) for n in range(1, 5)]
    write_workbook(tmp_path / "khach-hang.xlsx", HEADER, phones)
    with phone_providers() as providers:
        providers.zalo.daily_quota = 1
        env = local_settings(tmp_path, tmp_path / "khach-hang.xlsx", **providers.settings())
        result = careloop(*FOLLOWUP, "--json", cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        zalo_sends = [p for m, p in providers.zalo.requests if p == "/message/template"]
    assert sorted(s["channel"] for s in report["sent"]) == ["sms", "sms", "sms", "zalo"] and report["failed"] == []
    assert len(zalo_sends) == 2  # the one accepted, the one refused: no more asked this run
    (limit,) = report["provider_limits"]
    assert "zalo" in limit and "-144" in limit
