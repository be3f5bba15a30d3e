"""A big day fans out through Pub/Sub (its emulator) to `send_batch` served by a real
functions-framework process, and every message reaches the SMTP server once — also when the
process is killed mid-batch and Pub/Sub offers the batches again to a new one."""

from __future__ import annotations

import collections
import os
import signal
import time

import pytest

from functions import bootstrap
from functions.core.ledger import QUEUED, RESERVED, SENT
from functions.followup.job import run_followup
from functions.settings import load_settings
from tests.helpers import NINE_AM, free_port
from tests.helpers.processes import functions_framework, server
from tests.helpers.pubsub_emulator import INSTALL_HINT, PROJECT, PubSubEmulator, installed
from tests.helpers.smtp_server import Recorder, SmtpServer
from tests.helpers.support import HEADER, local_settings, many_customers, write_workbook

THREADS = 4  # batches one send_batch process works on at once (Cloud Run: concurrency × max instances)


@pytest.fixture
def pubsub():
    if not installed():
        if os.environ.get("CI"):
            pytest.fail(INSTALL_HINT, pytrace=False)
        pytest.skip(INSTALL_HINT)
    emulator = PubSubEmulator(free_port())
    try:
        yield emulator
    finally:
        emulator.stop()


def ledger_states(store, keys) -> collections.Counter:
    facts = store.ledger.facts(keys, NINE_AM.date())
    return collections.Counter(facts.states.get(k, "missing") for k in keys)


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_a_thousand_due_fan_out_and_each_is_sent_once_even_when_a_sender_dies(tmp_path, pubsub, monkeypatch):
    # The same path at 10,000 (its time and the ledger's figures): `python bench/fanout.py`.
    fan_out_and_kill(tmp_path, pubsub, monkeypatch, str(tmp_path / "s.sqlite"), 1_000, 200, 50, 300)


def test_on_firestore_too(tmp_path, pubsub, monkeypatch, firestore):
    fan_out_and_kill(tmp_path, pubsub, monkeypatch, f"firestore://{PROJECT}", 1_500, 300, 50, 400)


def test_careloop_check_finds_the_send_queue_or_names_the_missing_topic(tmp_path, pubsub, monkeypatch):
    from functions.entrypoints.cli.check import run_checks

    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub.host)
    workbook = write_workbook(tmp_path / "k.xlsx", HEADER, many_customers(3, 1, 10**9))
    settings = load_settings(
        env=local_settings(tmp_path, workbook, pubsub_topic="careloop-send", pubsub_project=PROJECT)
    )
    said: list[str] = []
    assert run_checks(settings, said.append) == 1
    assert any(line.startswith("✗ Hàng đợi gửi") and "careloop-send-email (NotFound)" in line for line in said)
    pubsub.push_subscription("careloop-send-email", "send-batch-email", "http://127.0.0.1:9/")
    said.clear()
    assert run_checks(settings, said.append) == 0
    assert any(line.startswith("✓ Hàng đợi gửi") and "1000" in line for line in said), said


def fan_out_and_kill(tmp_path, pubsub, monkeypatch, store_setting: str, count: int, per_run: int, batch: int,
                     kill_after: int) -> None:  # fmt: skip
    """`count` due; the run sends `per_run` and queues the rest in batches of `batch`; the first
    send_batch process is killed once `kill_after` more have gone out, and a second one finishes."""
    recorder = Recorder()
    with SmtpServer(recorder) as smtp:
        rows = many_customers(count, 1, 10**9)  # every one has a birthday today
        workbook = write_workbook(tmp_path / "k.xlsx", HEADER, rows)
        env = local_settings(tmp_path, workbook, store=store_setting, smtp_host="127.0.0.1",
                             smtp_port=str(smtp.port), smtp_security="none", pubsub_topic="careloop-send",
                             pubsub_project=PROJECT, fanout_after=str(per_run), fanout_batch_size=str(batch),
                             run_budget_seconds="3600")  # fmt: skip
        port = free_port()
        pubsub.push_subscription("careloop-send-email", "send-batch-email", f"http://127.0.0.1:{port}/")
        monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub.host)
        settings = load_settings(env=env)
        with bootstrap.channels_closed(bootstrap.followup_deps(settings)) as deps:
            report = run_followup(deps, NINE_AM).report
        assert report["summary"]["sent"] == per_run and report["summary"]["queued"] == count - per_run
        assert report["batches"] == (count - per_run) // batch and len(recorder.messages) == per_run

        worker_env = {**os.environ, **env, "PUBSUB_EMULATOR_HOST": pubsub.host, "THREADS": str(THREADS)}
        command = functions_framework("send_batch", port)
        with server(command, f"http://127.0.0.1:{port}/favicon.ico", env=worker_env) as first:
            assert wait_until(lambda: len(recorder.messages) >= per_run + kill_after, 300), len(recorder.messages)
            os.killpg(first.pid, signal.SIGKILL)  # mid-batch: claimed messages in flight, batches unacknowledged
            first.wait(10)
        killed_at = len(recorder.messages)
        with server(command, f"http://127.0.0.1:{port}/favicon.ico", env=worker_env):
            keys = [q["key"] for q in report["queued"]]
            store = bootstrap.open_store(settings)
            assert wait_until(lambda: ledger_states(store, keys)[QUEUED] == 0, 600), ledger_states(store, keys)
            time.sleep(2)  # the last confirmations
        states = ledger_states(store, keys)

    recipients = collections.Counter(str(m["To"]) for m in recorder.messages)
    print(f"killed after {killed_at} sent; ledger {dict(states)}; {len(recipients)} recipients")
    assert max(recipients.values()) == 1  # never a message twice
    in_doubt = states[RESERVED]  # claimed by the killed process: it may have gone out; never sent again
    assert states[SENT] + in_doubt == count - per_run and in_doubt <= THREADS, states
    assert count - in_doubt <= len(recipients) <= count and killed_at < count
    reports = [r for r in store.job_state.reports("send_batch", limit=1000)]
    assert sum(r["summary"]["sent"] for r in reports) >= states[SENT] - THREADS * batch
