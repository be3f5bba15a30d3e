"""The installed `careloop` command as a user runs it: a real process, its exit status, its output."""

import json

from tests.helpers.cli import FOLLOWUP, careloop_process
from tests.helpers.support import HEADER, row, write_workbook


def test_the_command_runs_a_job_and_prints_the_json_report(tmp_path):
    customer = row("C-1", "Nguyễn Thị Lan", "chị", "lan@example.com", birthday="23/11/1990")
    write_workbook(tmp_path / "khach-hang.xlsx", HEADER, [customer])
    result = careloop_process(*FOLLOWUP, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [s["key"] for s in json.loads(result.stdout)["sent"]] == ["birthday/C-1/2026"]
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_a_bad_setting_exits_2_naming_it_on_stderr(tmp_path):
    result = careloop_process("run", "followup", "--sheet", "k.xlsx", cwd=tmp_path, env={"CARELOOP_DAILY_CAP": "many"})
    assert result.returncode == 2 and result.stdout == ""
    assert "CARELOOP_DAILY_CAP" in result.stderr and "whole number" in result.stderr


def test_the_demo_runs_twice_and_sends_nothing_the_second_time(tmp_path):
    first = careloop_process("demo", "--dir", "d", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    second = careloop_process("demo", "--dir", "d", cwd=tmp_path)
    assert second.returncode == 0 and "Nothing new" in second.stdout
