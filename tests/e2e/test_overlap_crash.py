"""Overlapping runs and runs killed midway, on each store, through real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.helpers.support import HEADER, MATRIX_HEADER, local_settings, row, store_setting, write_workbook

CARELOOP = str(Path(sys.executable).with_name("careloop"))
DRIVER = str(ROOT / "tests" / "helpers" / "crash_driver.py")
NOW = "2026-11-23T09:00"
AFTER_LEASE = "2026-11-23T09:20"  # a killed run's reservations are in doubt once their lease (15 minutes) is over
DUE = 60


@pytest.fixture(params=["sqlite", "firestore"])
def setup(request, tmp_path):
    store = store_setting(request.param, tmp_path, request)
    rows = [
        row(
            f"C-{i:03d}",
            f"Khách {i}",
            email=f"c{i}@example.com",
            **({"birthday": "23/11/1990"} if i % 2 else {"purchase": "16/11/2026"}),
        )
        for i in range(DUE)
    ]
    rows += [row(f"N-{i}", f"Không đến hạn {i}", email=f"n{i}@example.com", birthday="01/01/1990") for i in range(20)]
    write_workbook(tmp_path / "k.xlsx", HEADER, rows)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARELOOP_")}
    env.update({**local_settings(tmp_path, tmp_path / "k.xlsx", store=store), "CRASH_NOW": NOW})
    return tmp_path, env


def delivered(folder: Path) -> Counter:
    return Counter(
        message_from_bytes(p.read_bytes(), policy=policy.default)["X-Careloop-Key"]
        for p in (folder / "outbox").glob("*.eml")
    )


def run(env, cwd, job="followup", now=NOW) -> dict:
    result = subprocess.run(
        [CARELOOP, "run", job, "--now", now, "--json"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def run_together(job: str, env, cwd, count: int = 2) -> list[dict]:
    """`count` runs of a job started at once; their JSON reports."""
    command = [CARELOOP, "run", job, "--now", NOW, "--json"]
    runs = [
        subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    reports = []
    for process in runs:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        reports.append(json.loads(out))
    return reports


def test_two_overlapping_runs_send_each_message_once(setup):
    folder, env = setup
    reports = run_together("followup", env, folder)
    counts = delivered(folder)
    assert len(counts) == DUE and set(counts.values()) == {1}  # every due message, exactly once
    sent = [s["key"] for r in reports for s in r["sent"]]
    assert sorted(sent) == sorted(counts)
    third = run(env, folder)  # and a later run finds nothing left to do
    assert third["sent"] == [] and third["unknown"] == []


# Ten kills at points spread over a run of 60 messages: right after a message is reserved
# ("advance:N", the Nth store round trip) or right after one is sent ("send:N"), and as the
# write-back begins.
KILL_POINTS = ["advance:1", "send:1", "advance:17", "send:25", "advance:38", "send:44", "advance:60", "send:60",
               "advance:61", "write"]  # fmt: skip


@pytest.mark.parametrize("crash_at", KILL_POINTS)
def test_a_run_killed_midway_never_sends_twice_and_loses_nothing(setup, crash_at):
    folder, env = setup
    killed = subprocess.run(
        [sys.executable, DRIVER],
        env={**env, "CRASH_AT": crash_at},
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -9, killed.stderr  # SIGKILL, as planned
    before = delivered(folder)

    report = run(env, folder, now=AFTER_LEASE)
    counts = delivered(folder)
    assert set(counts.values()) <= {1}, "a message was sent twice"
    assert set(before) <= set(counts)
    unknown = {u["key"] for u in report["unknown"]}
    due = (
        {s["key"] for s in report["sent"]}
        | {s["key"] for s in report["skipped"] if s["reason"] == "already_sent"}
        | unknown
    )
    assert len(due) == DUE  # nothing disappeared: every due message is sent or reported unknown
    assert unknown.isdisjoint(counts.keys() - before.keys())  # unknown ones are not re-sent
    # A kill leaves at most the one message in flight unconfirmed: reported unknown, never re-sent.
    assert len(unknown) == (0 if crash_at in ("write", "advance:61") else 1)
    if crash_at == "write":
        assert not report["sent"] and report["write_back"]["rows"] == DUE  # the next run mends the sheet


def test_a_message_another_run_is_sending_is_in_flight_not_in_doubt_until_its_lease_is_over(setup):
    """Issue 33 (16): two runs at once raise no false alarm. A reservation made moments ago by another
    run (here one killed right after reserving) is that run's to send: in flight, no alert, Health
    stays good; once its 15-minute lease is over, it is in doubt and said so."""
    folder, env = setup
    killed = subprocess.run([sys.executable, DRIVER], env={**env, "CRASH_AT": "advance:1"}, cwd=folder,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    overlapping = run(env, folder)
    assert overlapping["unknown"] == [] and overlapping["summary"]["failed"] == 0
    assert [s["key"] for s in overlapping["skipped"] if s["reason"] == "in_flight"] != []
    assert overlapping["alerts"]["alerted"] == []  # nobody is emailed about a message that is being sent
    later = run(env, folder, now=AFTER_LEASE)
    assert len(later["unknown"]) == 1  # the lease is over: in doubt, reported, never re-sent alone


def escalation_workbook(folder: Path, flagged: int) -> None:
    header = ["Mã KH", "Họ tên", "Email", "Leo thang", "Loại vấn đề", "Nội dung", "Mức độ", "Mã hồ sơ"]
    rows = [
        [f"C-{i:03d}", f"Khách {i}", f"c{i}@example.com", True, "Phí", f"Khiếu nại số {i}", "", ""]
        for i in range(flagged)
    ]
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Khách hàng"
    for r in [header, *rows]:
        workbook.active.append(r)
    matrix = workbook.create_sheet("Ma trận leo thang")
    for r in (
        MATRIX_HEADER,
        ["*", "ha@luat.vn", "tuan@luat.vn", "gd@luat.vn", 4, 24],
    ):
        matrix.append(r)
    workbook.create_sheet("Hồ sơ").append(["Mã hồ sơ", "Mã KH", "Trạng thái"])
    workbook.save(folder / "k.xlsx")


@pytest.mark.parametrize("crash_at", ["create_case:3", "write"])
def test_escalation_killed_midway_opens_each_case_once(setup, crash_at):
    folder, env = setup
    escalation_workbook(folder, 8)
    killed = subprocess.run(
        [sys.executable, DRIVER],
        env={**env, "CRASH_AT": crash_at, "CRASH_JOB": "escalate"},
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -9, killed.stderr
    report = run(env, folder, "escalate")
    from tests.helpers.support import read_workbook

    customers = read_workbook(folder / "k.xlsx")
    case_ids = [r["Mã hồ sơ"] for r in customers]
    assert all(case_ids) and len(set(case_ids)) == 8  # every flag has its one case
    cases = [r["Mã hồ sơ"] for r in read_workbook(folder / "k.xlsx", "Hồ sơ")]
    assert sorted(cases) == sorted(case_ids)  # one Cases row each, none twice
    expected_new = {"create_case:3": 5, "write": 0}[crash_at]
    assert len(report["opened"]) == expected_new


def test_two_overlapping_escalation_runs_open_each_case_once(setup):
    folder, env = setup
    escalation_workbook(folder, 30)
    opened = [o["case_id"] for report in run_together("escalate", env, folder) for o in report["opened"]]
    assert len(opened) == len(set(opened)) == 30
    from tests.helpers.support import read_workbook

    assert run_together("escalate", env, folder, count=1)[0]["opened"] == []
    rows = [r["Mã hồ sơ"] for r in read_workbook(folder / "k.xlsx", "Hồ sơ")]
    assert len(rows) == len(set(rows)) == 30  # no case shown twice either
