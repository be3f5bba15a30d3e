from __future__ import annotations

import os
import shutil
from datetime import datetime

import pytest

from tests.helpers import NINE_AM, free_port


@pytest.fixture
def now() -> datetime:
    return NINE_AM


@pytest.fixture(scope="session")
def firestore_emulator():
    from tests.helpers.firestore_emulator import INSTALL_HINT, Emulator, emulator_binary, missing

    binary = emulator_binary()
    if binary is None:
        missing(INSTALL_HINT)
    if shutil.which("java") is None:
        missing("Java is needed by the Firestore emulator: `apt-get install openjdk-17-jre-headless`.")
    emulator = Emulator(binary, free_port())
    previous = os.environ.get("FIRESTORE_EMULATOR_HOST")
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host
    try:
        yield emulator
    finally:
        emulator.stop()
        if previous is None:
            os.environ.pop("FIRESTORE_EMULATOR_HOST", None)
        else:
            os.environ["FIRESTORE_EMULATOR_HOST"] = previous


@pytest.fixture
def firestore(firestore_emulator):
    """A clean emulator database for one test."""
    firestore_emulator.wipe()
    return firestore_emulator


STORE_KINDS = ["memory", "sqlite", "firestore"]  # the unit tier's fake passes the same contract


def make_store(kind: str, tmp_path, request):
    if kind == "memory":
        from tests.helpers.memory_store import MemoryStore

        return MemoryStore()
    if kind == "sqlite":
        from functions.adapters.stores.sqlite import SqliteStore

        return SqliteStore(tmp_path / "store.sqlite")
    from functions.adapters.stores.firestore import FirestoreStore
    from tests.helpers.firestore_emulator import PROJECT

    request.getfixturevalue("firestore")
    return FirestoreStore(PROJECT, timeout=20)


@pytest.fixture(params=STORE_KINDS)
def store(request, tmp_path):
    """Every Store adapter, so one test runs against each (the contract suite)."""
    return make_store(request.param, tmp_path, request)


@pytest.fixture
def mailbox():
    """A real IMAP server (Dovecot on 127.0.0.1) with an empty mailbox, stopped by its PID after the test."""
    from tests.helpers.dovecot import Dovecot

    with Dovecot() as server:
        yield server


@pytest.fixture(autouse=True)
def fresh_public_function_deps():
    """The public functions build their dependencies once per process from the environment;
    each test has an environment of its own."""
    from functions.entrypoints.http import public

    public.survey_deps.cache_clear()
    public.unsubscribe_deps.cache_clear()
    public._webhook_setup.cache_clear()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A skip is reported at the test that skips, naming the missing tool, not at the helper that
    found it missing (`pytest -rs` would otherwise point every one at tests/helpers/…)."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and isinstance(report.longrepr, tuple) and "/tests/helpers/" in str(report.longrepr[0]):
        path, line, _ = item.location
        report.longrepr = (path, (line or 0) + 1, report.longrepr[2])


def _hold_escalation_steps_to_what_they_use() -> None:
    """Issue 34: each step of the escalation run reads only the dependencies it names (`Step.uses`):
    during a run, reading any other field of EscalationDeps or record port fails the test that ran it."""
    from functions.escalate import job
    from functions.escalate.deps import EscalationDeps, EscalationRecords

    def holding(prefix: str):
        def read(self, name):
            step = job.CURRENT_STEP.get()
            if step is not None and not name.startswith("_"):
                wanted = prefix + name
                named = wanted in step.uses or (
                    wanted == "records" and any(u.startswith("records.") for u in step.uses)
                )
                if not named and step.uses is not job.EVERY_DEPENDENCY:
                    raise AssertionError(f"escalation step {step.name!r} reads {wanted}, which its uses do not name")
            return object.__getattribute__(self, name)

        return read

    EscalationDeps.__getattribute__ = holding("")
    EscalationRecords.__getattribute__ = holding("records.")


_hold_escalation_steps_to_what_they_use()
