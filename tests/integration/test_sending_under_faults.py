"""Sending when the mail server misbehaves: an answer lost after the server took the message, and
a server that is down for the whole run."""

from __future__ import annotations

import json
import time

from functions.adapters.stores.sqlite import SqliteStore
from functions.core.ledger import UNCERTAIN
from tests.helpers import free_port
from tests.helpers.cli import FOLLOWUP, careloop
from tests.helpers.smtp_server import Recorder, SmtpServer
from tests.helpers.support import HEADER, IDENTITY, many_customers, row, write_workbook


def smtp_env(port: int, **more: str) -> dict[str, str]:
    return {"CARELOOP_SMTP_HOST": "127.0.0.1", "CARELOOP_SMTP_PORT": str(port), "CARELOOP_SMTP_SECURITY": "none",
            "CARELOOP_RETRY_SECONDS": "2", **{f"CARELOOP_{k.upper()}": v for k, v in IDENTITY.items()},
            **more}  # fmt: skip


def test_an_answer_lost_after_the_server_took_the_message_is_one_copy_and_never_sent_again(tmp_path):
    write_workbook(
        tmp_path / "khach-hang.xlsx", HEADER, [row("C-1", "Lan", "chị", "lan@example.com", birthday="23/11/1990")]
    )
    recorder = Recorder(lose_answer=1)
    with SmtpServer(recorder) as server:
        env = smtp_env(server.port)
        first = json.loads(careloop(*FOLLOWUP, "--json", cwd=tmp_path, env=env).stdout)
        second = json.loads(careloop(*FOLLOWUP, "--json", cwd=tmp_path, env=env).stdout)
        listed = careloop("retry", "--store", "s.sqlite", cwd=tmp_path, env=env)
        all_released = careloop("retry", "--store", "s.sqlite", "--all", cwd=tmp_path, env=env)
    to_lan = [m for m in recorder.messages if "lan@example.com" in str(m["To"])]
    assert len(to_lan) == 1  # exactly one copy reached the server (the other: the alert to the business's mailbox)
    assert [u["key"] for u in first["unknown"]] == ["birthday/C-1/2026"] and first["failed"] == []
    assert second["sent"] == [] and [u["key"] for u in second["unknown"]] == ["birthday/C-1/2026"]
    assert SqliteStore(tmp_path / "s.sqlite").ledger.entry("birthday/C-1/2026").state == UNCERTAIN
    assert "may have reached the customer" in listed.stdout and "birthday/C-1/2026" in listed.stdout
    assert "released" not in all_released.stdout  # --all leaves it alone
    forced = careloop("retry", "--store", "s.sqlite", "birthday/C-1/2026", "--force", cwd=tmp_path)
    assert "released: birthday/C-1/2026" in forced.stdout


def test_a_mail_server_down_for_the_whole_run_ends_it_within_its_budget_with_the_rest_deferred(tmp_path):
    write_workbook(tmp_path / "khach-hang.xlsx", HEADER, many_customers(200, birthday_every=1, checkin_every=10**9))
    env = smtp_env(free_port(), CARELOOP_RUN_BUDGET_SECONDS="2", CARELOOP_SMTP_TIMEOUT="1", CARELOOP_RETRY_SECONDS="30")
    started = time.monotonic()
    result = careloop(*FOLLOWUP, "--json", cwd=tmp_path, env=env)
    elapsed = time.monotonic() - started
    report = json.loads(result.stdout)
    assert elapsed < 2 + 5
    deferred = [s for s in report["skipped"] if s["reason"] == "deferred"]
    assert len(deferred) == 200 and report["sent"] == [] and report["failed"] == []
    assert "lần chạy sau" in deferred[0]["detail"]  # "the next run sends it"
    assert (
        SqliteStore(tmp_path / "s.sqlite").ledger.unconfirmed() == []
    )  # nothing left reserved: the next run sends them
