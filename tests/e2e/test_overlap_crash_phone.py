"""The crash and overlap tests on the phone channels: a workbook of phone-only customers sent by
Zalo (some not on Zalo: SMS carries theirs) and SMS, through the local Twilio and Zalo stand-ins,
by real processes that overlap or are killed midway. No occasion is ever sent twice."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.test_overlap_crash import AFTER_LEASE, DRIVER, NOW, run, run_together
from tests.helpers.providers import phone_providers
from tests.helpers.support import HEADER, local_settings, row, store_setting, write_workbook

DUE = 30
NOT_ON_ZALO = {f"849123450{i:02d}" for i in range(0, DUE, 3)}  # every third: Zalo refuses, SMS carries it


@pytest.fixture(params=["sqlite", "firestore"])
def phone_setup(request, tmp_path):
    store = store_setting(request.param, tmp_path, request)
    rows = [
        row(
            f"P-{i:03d}",
            f"Khách {i}",
            email="",
            phone=f"09123450{i:02d}",
            channel="sms" if i % 5 == 4 else "",
            **({"birthday": "23/11/1990"} if i % 2 else {"purchase": "16/11/2026"}),
        )  # fmt: skip
        for i in range(DUE)
    ]
    write_workbook(tmp_path / "k.xlsx", HEADER, rows)
    with phone_providers() as providers:
        providers.zalo.not_on_zalo.update(NOT_ON_ZALO)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CARELOOP_")}
        env.update({**local_settings(tmp_path, tmp_path / "k.xlsx", store=store, **providers.settings()),
                    "CRASH_NOW": NOW})  # fmt: skip
        yield tmp_path, env, providers


def delivered(providers) -> Counter:
    """Ledger key → how many messages carried it, over both providers."""
    keys = [m["tracking_id"] for m in providers.zalo.accepted]
    keys += [parse_qs(urlsplit(m["status_callback"]).query)["k"][0] for m in providers.twilio.accepted]
    return Counter(keys)


def test_two_overlapping_runs_reach_each_phone_customer_once(phone_setup):
    folder, env, providers = phone_setup
    reports = run_together("followup", env, folder)
    counts = delivered(providers)
    assert len(counts) == DUE and set(counts.values()) == {1}
    assert sorted(s["key"] for r in reports for s in r["sent"]) == sorted(counts)
    assert {"+" + m["phone"] for m in providers.zalo.accepted}.isdisjoint("+" + p for p in NOT_ON_ZALO)
    third = run(env, folder)
    assert third["sent"] == [] and third["unknown"] == []


@pytest.mark.parametrize("crash_at", ["advance:1", "send:1", "advance:12", "send:7", "advance:31", "write"])
def test_a_phone_run_killed_midway_never_sends_twice_and_loses_nothing(phone_setup, crash_at):
    folder, env, providers = phone_setup
    killed = subprocess.run([sys.executable, DRIVER], env={**env, "CRASH_AT": crash_at}, cwd=folder,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    before = delivered(providers)
    report = run(env, folder, now=AFTER_LEASE)
    counts = delivered(providers)
    assert set(counts.values()) <= {1}, "a message was sent twice"
    unknown = {u["key"] for u in report["unknown"]}
    due = (
        {s["key"] for s in report["sent"]}
        | {s["key"] for s in report["skipped"] if s["reason"] == "already_sent"}
        | unknown
    )
    assert len(due) == DUE and unknown.isdisjoint(counts.keys() - before.keys())
    assert len(unknown) == (0 if crash_at in ("write", "advance:31") else 1)
