"""Issue 25: the public zalo_webhook function. Zalo (the stand-in, signing as Zalo signs) posts the
OA's events; only a signed, fresh, never-seen event is stored, and the answer comes at once —
through `create_app` and through a real functions-framework process."""

from __future__ import annotations

import time

import pytest
from functions_framework import create_app

from functions.adapters.stores.sqlite import SqliteStore
from functions.standins.zalo_api import ZaloStandIn
from tests.helpers import ROOT, free_port
from tests.helpers.processes import functions_framework, server
from tests.helpers.providers import ZALO_APP, ZALO_OA_SECRET_KEY, ZALO_SECRET, ZALO_TEMPLATE_SETTING, ZALO_TEMPLATES
from tests.helpers.support import local_settings, write_workbook

PHONE = "+84912345671"


@pytest.fixture
def zalo():
    return ZaloStandIn(ZALO_APP, ZALO_SECRET, "RT", ZALO_TEMPLATES, oa_secret_key=ZALO_OA_SECRET_KEY)


def _env(tmp_path, **more):
    sheet = write_workbook(tmp_path / "k.xlsx", ["Mã KH"], [])
    zalo = {
        "zalo_app_id": ZALO_APP,
        "zalo_app_secret": ZALO_SECRET,
        "zalo_refresh_token": "RT",
        "zalo_templates": ZALO_TEMPLATE_SETTING,
        "zalo_oa_secret_key": ZALO_OA_SECRET_KEY,
    }
    return local_settings(tmp_path, sheet, **{**zalo, **more})


def _client(tmp_path, monkeypatch, **more):
    for name, value in _env(tmp_path, **more).items():
        monkeypatch.setenv(name, value)
    return create_app("zalo_webhook", str(ROOT / "main.py")).test_client()


def _post(client, body, signature=None):
    headers = {"Content-Type": "application/json", **({"X-ZEvent-Signature": signature} if signature else {})}
    return client.post("/", data=body, headers=headers)


def test_a_signed_fresh_event_is_stored_and_anything_else_is_refused_with_nothing_stored(tmp_path, monkeypatch, zalo):
    client = _client(tmp_path, monkeypatch)
    store = SqliteStore(tmp_path / "s.sqlite")
    text = zalo.event("user_send_text", PHONE, text="Sản phẩm bị lỗi")
    body, signature = zalo.signed(text)

    assert _post(client, body).status_code == 403  # unsigned
    assert _post(client, body, "mac=" + "0" * 64).status_code == 403  # wrong
    assert _post(client, body.replace("lỗi".encode(), b"tot"), signature).status_code == 403  # altered
    other_app = ZaloStandIn("999", ZALO_SECRET, "RT", {}, oa_secret_key=ZALO_OA_SECRET_KEY)
    assert _post(client, *other_app.signed(other_app.event("user_send_text", PHONE, text="x"))).status_code == 403
    stale = zalo.event("user_send_text", PHONE, at=time.time() - 20 * 60, text="cũ")
    assert _post(client, *zalo.signed(stale)).status_code == 403
    ahead = zalo.event("user_send_text", PHONE, at=time.time() + 20 * 60, text="tương lai")
    assert _post(client, *zalo.signed(ahead)).status_code == 403
    assert _post(client, b"not json", "mac=" + "0" * 64).status_code == 403
    assert client.get("/").status_code == 405
    assert store.inbound_events.pending_events(10) == []  # nothing of all that was kept

    assert _post(client, body, signature).status_code == 200
    assert _post(client, body, signature).status_code == 403  # the same event again: a replay
    (kept,) = store.inbound_events.pending_events(10)
    assert kept.source == "zalo" and kept.body == body.decode()
    store.inbound_events.events_taken([kept.event_id], kept.received_at)
    assert _post(client, body, signature).status_code == 403  # still a replay once taken


def test_without_the_oa_secret_key_every_event_is_refused_and_a_person_is_told(tmp_path, monkeypatch, zalo, caplog):
    client = _client(tmp_path, monkeypatch, zalo_oa_secret_key="")
    assert _post(client, *zalo.signed(zalo.event("user_send_text", PHONE, text="x"))).status_code == 403
    # An ERROR line: Cloud Monitoring's alert emails it (infra/modules/careloop/monitoring.tf).
    assert any(r.levelname == "ERROR" and "not configured" in r.getMessage() for r in caplog.records)
    assert SqliteStore(tmp_path / "s.sqlite").inbound_events.pending_events(10) == []


def test_the_webhook_in_a_real_functions_framework_process(tmp_path, zalo):
    import os

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with server(functions_framework("zalo_webhook", port), url + "favicon.ico", env={**os.environ, **_env(tmp_path)}):
        rating = zalo.event("user_feedback", PHONE, rate=2, tracking_id="checkin/C-1/2026-11-16")
        started = time.monotonic()
        assert zalo.post_event(url, rating) == 200
        answered = time.monotonic() - started
        assert zalo.post_event(url, rating) == 403
        assert zalo.post_event(url, zalo.event("user_send_text", PHONE, text="x"), signature="mac=forged") == 403
    (kept,) = SqliteStore(tmp_path / "s.sqlite").inbound_events.pending_events(10)
    assert '"rate": 2' in kept.body
    print(f"zalo_webhook answered a signed event in {answered * 1000:.0f} ms")


def test_the_public_functions_start_with_the_settings_terraform_gives_them(tmp_path, monkeypatch, zalo):
    """As deployed (infra/modules/careloop/main.tf): a public function has the shared environment — a
    real SMTP server, Twilio and Zalo set up — but only its own secret and no public URL (its own is
    not known to it). It does not send, so the rules for sending do not stop it: each answers."""
    from functions.core.links import Links

    for name, value in {"CARELOOP_STORE": str(tmp_path / "s.sqlite"), "CARELOOP_SHEET": "google:1AbC",
                        "CARELOOP_BUSINESS_NAME": "Văn phòng Luật Minh An",
                        "CARELOOP_SENDER_EMAIL": "cskh@luatminhan.vn",
                        "CARELOOP_SMTP_HOST": "smtp.gmail.com", "CARELOOP_SMTP_USER": "cskh@luatminhan.vn",
                        "CARELOOP_TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "CARELOOP_SMS_SENDER": "LuatMinhAn",
                        "CARELOOP_ZALO_APP_ID": ZALO_APP, "CARELOOP_ZALO_TEMPLATES": ZALO_TEMPLATE_SETTING,
                        "CARELOOP_CONFIG": ""}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CARELOOP_ZALO_OA_SECRET_KEY", ZALO_OA_SECRET_KEY)  # zalo_webhook's one secret
    webhook = create_app("zalo_webhook", str(ROOT / "main.py")).test_client()
    assert _post(webhook, *zalo.signed(zalo.event("user_send_text", PHONE, text="x"))).status_code == 200
    monkeypatch.delenv("CARELOOP_ZALO_OA_SECRET_KEY")
    monkeypatch.setenv("CARELOOP_SECRET", "s" * 40)  # the survey page's one secret
    page = create_app("survey", str(ROOT / "main.py")).test_client()
    assert page.get("/s/forged").status_code == 404
    token_path = Links("https://x.example", "s" * 40).unsubscribe("C-1", "vi").split("example", 1)[1]
    assert create_app("unsubscribe", str(ROOT / "main.py")).test_client().get(token_path).status_code == 200
