"""Issue 23: careloop says when it is broken. Each fault is made for real (a workbook without its
Customers tab, a store that cannot be opened, the Sheets API refusing, SMTP refusing the login, Zalo
refusing the refresh token); the Health tab shows it where it can be written, and the manager gets
exactly one email per problem per day across three runs, then one "back to normal" after a good run."""

from __future__ import annotations

import email
from datetime import datetime
from email import policy
from pathlib import Path

import openpyxl
import pytest

from functions.core.sheet_schema import CASES, HEALTH
from tests.helpers.cli import careloop
from tests.helpers.support import HEADER, local_settings, read_workbook, row, set_cell
from tests.helpers.words import piece

MANAGER = "quanly@luat.vn"
RUN = ("run", "followup")
DAY = "2026-11-23T{}"  # a Monday


def workbook(path: Path, customers: bool = True, rows=()) -> Path:
    """A workbook with the Health tab (as setup-sheet makes it), and the Customers tab unless not."""
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Khách hàng" if customers else "Khách"
    first.append(HEADER)
    for values in rows:
        first.append(list(values))
    book.create_sheet(HEALTH.title_vi).append([c.title_vi for c in HEALTH.columns])
    book.save(path)
    return path


def escalation_workbook(path: Path) -> Path:
    """The workbook with what the escalation run needs too: the Cases tab and the matrix, whose '*'
    row's tier-3 owner is the manager."""
    book = openpyxl.load_workbook(workbook(path, rows=[row("C-1")]))
    book.create_sheet("Hồ sơ").append([c.title_vi for c in CASES.columns])
    matrix = book.create_sheet("Ma trận leo thang")
    matrix.append(["Loại vấn đề", "Phụ trách cấp 1", "Phụ trách cấp 2", "Phụ trách cấp 3", "Phản hồi đầu (giờ)",
                   "Giải quyết (giờ)"])  # fmt: skip
    matrix.append(["*", "Hà <ha@luat.vn>", "", f"Giám đốc <{MANAGER}>", 4, 24])
    book.save(path)
    return path


def alerts(outbox: Path) -> list[email.message.EmailMessage]:
    """The alerts (and "back to normal" emails) to the manager in the outbox, oldest first."""
    found = []
    for path in sorted(outbox.glob("*.eml")) if outbox.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if MANAGER in message["To"] and message["X-Careloop-Key"].startswith(("alert/", "recovered/")):
            found.append(message)
    return found


def health(path: Path) -> dict[str, dict]:
    return {r["Việc"]: r for r in read_workbook(path, HEALTH.title_vi)}


def test_a_run_that_cannot_run_is_on_the_health_tab_and_alerted_once_a_day_then_back_to_normal(tmp_path):
    sheet = workbook(tmp_path / "k.xlsx", customers=False)
    env = local_settings(tmp_path, sheet, manager_emails=MANAGER)
    for hour in ("09:00", "09:15", "11:00"):
        result = careloop(*RUN, "--now", DAY.format(hour), cwd=tmp_path, env=env)
        assert result.returncode == 2 and "Khách hàng" in result.stderr
    (alert,) = alerts(tmp_path / "outbox")  # three runs, one problem, one email
    assert alert["Subject"] == "[careloop cần anh/chị xem] Lời chúc và hỏi thăm: Không chạy được"
    assert alert["Auto-Submitted"] == "auto-generated" and "List-Unsubscribe" not in alert
    body = alert.get_body(("plain",)).get_content()
    assert "Khách hàng" in body and "Customers" not in body  # staff's language alone (issue 33: 12)…
    assert "Lịch sử phiên bản" in body and "careloop setup" not in body  # …with what to do, in their words
    row_now = health(sheet)["Lời chúc và hỏi thăm"]
    assert row_now["Kết quả"] == piece("health_could_not_run", 0) and row_now["Lần chạy gần nhất"] == datetime(
        2026, 11, 23, 11, 0
    )
    assert "Khách hàng" in row_now["Chi tiết"] and " / " not in row_now["Chi tiết"]

    workbook(sheet, customers=True, rows=[row("C-1", email="lan@example.com")])  # staff put the tab back
    careloop(*RUN, "--now", DAY.format("11:15"), cwd=tmp_path, env=env)
    careloop(*RUN, "--now", DAY.format("11:30"), cwd=tmp_path, env=env)
    first, back = alerts(tmp_path / "outbox")
    assert back["Subject"] == "[careloop đã bình thường] Lời chúc và hỏi thăm"
    row_now = health(sheet)["Lời chúc và hỏi thăm"]
    assert (row_now["Kết quả"], row_now["Chi tiết"]) == ("Tốt", piece("health_all_well", 0))
    assert row_now["Lần chạy tới"] == datetime(2026, 11, 24, 8, 0)  # the next run (issue 33: not its late deadline)
    cell = next(c for c in openpyxl.load_workbook(sheet)["Tình trạng"]["B"] if isinstance(c.value, datetime))
    assert cell.number_format == "dd/mm/yyyy hh:mm"  # a date-time staff sort and filter (issue 33: 2)


def test_a_store_that_cannot_be_opened_is_alerted_once_a_day_by_the_health_tab(tmp_path):
    sheet = workbook(tmp_path / "k.xlsx", rows=[row("C-1", birthday="23/11/1990")])
    env = local_settings(tmp_path, sheet, manager_emails=MANAGER, store=str(tmp_path / "gone" / "s.sqlite"))
    for hour in ("09:00", "09:15", "09:30"):
        result = careloop(*RUN, "--now", DAY.format(hour), cwd=tmp_path, env=env)
        assert result.returncode == 2
    (alert,) = alerts(tmp_path / "outbox")
    assert "gone" in alert.get_body(("plain",)).get_content()
    assert health(sheet)[piece("health_job_followup", 0)]["Kết quả"] == piece("health_could_not_run", 0)
    assert [p.name for p in (tmp_path / "outbox").glob("*.eml") if "birthday" in p.name] == []  # nothing sent


def test_smtp_refusing_the_login_is_on_the_health_tab_and_the_alert_goes_once_mail_works_again(tmp_path):
    """SMTP answers 535 to AUTH: the birthday wish fails, the Health tab says why (a password to set
    again). The alert needs the same SMTP: it cannot go, and every run tries it again (issue 33: 15)
    until it goes — once the password is right, the manager is told, once."""
    from functions.adapters.stores.sqlite import SqliteStore
    from functions.core.ledger import FAILED
    from tests.helpers.smtp_server import Recorder, SmtpServer

    sheet = workbook(tmp_path / "k.xlsx", rows=[row("C-1", birthday="23/11/1990")])
    recorder = Recorder()
    with SmtpServer(recorder, user="cskh", password="đúng") as server:
        env = local_settings(tmp_path, sheet, manager_emails=MANAGER, smtp_host="127.0.0.1",
                             smtp_port=str(server.port), smtp_security="none", smtp_user="cskh",
                             smtp_password="sai")  # fmt: skip
        for hour in ("09:00", "09:15"):
            careloop(*RUN, "--now", DAY.format(hour), cwd=tmp_path, env=env)
        assert recorder.messages == []
        unconfirmed = SqliteStore(tmp_path / "s.sqlite").ledger.unconfirmed()
        alerts_tried = [e for e in unconfirmed if e.kind == "alert"]
        assert {e.state for e in unconfirmed} == {FAILED}
        assert sorted(e.key.split("/")[2] for e in alerts_tried) == ["messages", "provider-email"]  # one key each
        after = health(sheet)["Lời chúc và hỏi thăm"]  # the failed wish still waits for staff
        assert after["Kết quả"] == "Có lỗi" and "người cài đặt careloop" in after["Chi tiết"]  # who to ask, no command
        careloop(*RUN, "--now", DAY.format("09:30"), cwd=tmp_path, env={**env, "CARELOOP_SMTP_PASSWORD": "đúng"})
        careloop(*RUN, "--now", DAY.format("09:45"), cwd=tmp_path, env={**env, "CARELOOP_SMTP_PASSWORD": "đúng"})
    told = sorted(m["X-Careloop-Key"].split("/")[2] for m in recorder.messages if MANAGER in m["To"])
    assert told == ["messages", "provider-email"]  # the alerts that could not go, now gone, each once


def test_a_problem_that_comes_back_the_same_day_is_alerted_again_a_few_times_at_most(tmp_path):
    """Issue 33 (14): broken at 09:00 (an alert), back to normal at 10:30 (one email), broken again at
    11:00: a new alert. A problem flapping all day is alerted at most three rounds a day."""
    sheet = workbook(tmp_path / "k.xlsx", customers=False)
    env = local_settings(tmp_path, sheet, manager_emails=MANAGER)
    for hour, broken in (
        ("09:00", True),
        ("09:15", True),
        ("10:30", False),
        ("11:00", True),
        ("11:15", True),
        ("11:30", False),
        ("12:00", True),
        ("12:30", False),
        ("13:00", True),
        ("13:30", False),
    ):
        workbook(sheet, customers=not broken, rows=[] if broken else [row("C-1", email="lan@example.com")])
        careloop(*RUN, "--now", DAY.format(hour), cwd=tmp_path, env=env)
    keys = sorted(m["X-Careloop-Key"].removesuffix(f"/{MANAGER}") for m in alerts(tmp_path / "outbox"))
    problem = "followup/cannot_run/2026-11-23"
    assert keys == [f"alert/{problem}", f"alert/{problem}/2", f"alert/{problem}/3",  # the fourth round: none
                    f"recovered/{problem}", f"recovered/{problem}/2", f"recovered/{problem}/3"]  # fmt: skip


def test_zalo_refusing_the_refresh_token_is_alerted_once_then_back_to_normal(tmp_path):
    """Zalo refuses the refresh token careloop holds: the wish goes by email instead, the manager is
    told once that day that Zalo needs a new token; with a new one, the next day's Zalo message goes
    and one "back to normal" follows."""
    from tests.helpers.providers import phone_providers

    rows = [row("C-1", phone="0912345678", birthday="23/11/1990", channel="zalo, email"),
            row("C-2", phone="0912345679", birthday="24/11/1990", channel="zalo")]  # fmt: skip
    sheet = workbook(tmp_path / "k.xlsx", rows=rows)
    with phone_providers() as providers:
        env = local_settings(tmp_path, sheet, manager_emails=MANAGER,
                             **{**providers.settings(), "zalo_refresh_token": "RT-spent-by-hand"})  # fmt: skip
        careloop(*RUN, "--now", DAY.format("09:00"), cwd=tmp_path, env=env)
        first_run = health(sheet)["Lời chúc và hỏi thăm"]
        assert first_run["Kết quả"] == "Có lỗi" and "zalo từ chối chính careloop" in first_run["Chi tiết"]
        for hour in ("09:15", "09:30"):
            careloop(*RUN, "--now", DAY.format(hour), cwd=tmp_path, env=env)
        (alert,) = alerts(tmp_path / "outbox")
        assert alert["Subject"] == "[careloop cần anh/chị xem] Lời chúc và hỏi thăm: Có lỗi"
        assert "zalo từ chối chính careloop" in alert.get_body(("plain",)).get_content()
        assert [m for m in (tmp_path / "outbox").glob("*birthday*")]  # C-1's wish went by email instead
        assert providers.zalo.accepted == []
        good = {**env, "CARELOOP_ZALO_REFRESH_TOKEN": "RT-first"}  # staff issued a new one
        careloop(*RUN, "--now", "2026-11-24T09:00", cwd=tmp_path, env=good)
        assert len(providers.zalo.accepted) == 1
    first, back = alerts(tmp_path / "outbox")
    assert back["Subject"] == "[careloop đã bình thường] Lời chúc và hỏi thăm"
    assert health(sheet)[piece("health_job_followup", 0)]["Kết quả"] == "Tốt"


@pytest.mark.parametrize("holiday", [False, True])
def test_a_followup_run_that_did_not_happen_is_noticed_by_the_escalation_run(tmp_path, holiday):
    """Escalation at 11:00 on a working day, no follow-up run since yesterday: one "did not run"
    alert (the digest, noticing it too, sends no second), and the Health tab says late; on a public
    holiday (2 September), nothing."""
    sheet = escalation_workbook(tmp_path / "k.xlsx")
    env = local_settings(tmp_path, sheet)  # no manager_emails: the matrix's '*' tier-3 owner is told
    day = "2026-09-02T{}" if holiday else "2026-11-25T{}"
    for hour in ("09:00", "11:00", "11:15", "14:00"):
        careloop("run", "escalate", "--now", day.format(hour), cwd=tmp_path, env=env)
    careloop("run", "digest", "--now", day.format("15:00"), cwd=tmp_path, env=env)  # it notices too: still one
    sent = alerts(tmp_path / "outbox")
    if holiday:
        assert sent == []
        return
    (alert,) = sent  # 09:00 is before 10:00 (sending starts at 08:00, + 2 h); then once for the day
    assert alert["Subject"] == "[careloop cần anh/chị xem] Lời chúc và hỏi thăm: Trễ"
    assert "Giám đốc" in alert.get_body(("plain",)).get_content()
    assert health(sheet)[piece("health_job_followup", 0)]["Kết quả"] == "Trễ"
    status = careloop("status", "--now", day.format("14:05"), cwd=tmp_path, env=env)
    assert status.returncode == 1 and "Trễ" in status.stdout


def test_the_sheets_api_refusing_is_one_alert_a_day_then_back_to_normal(tmp_path, monkeypatch):
    """The sheet unshared (Google answers 403): the scheduled function answers 500 every time, the
    manager gets one email that day saying to add careloop's account as Editor; shared again, one
    "back to normal"."""
    from functions_framework import create_app

    from tests.helpers import ROOT
    from tests.helpers.sheets_server import Fault, SheetsServer
    from tests.integration.test_google_sheet import KEY, make

    with SheetsServer() as server:
        make(server, [row("C-1", "Nguyễn Thị Lan", email="lan@example.com", birthday="01/01/1990")])
        sheet = f"https://docs.google.com/spreadsheets/d/{KEY}/edit"
        settings = local_settings(tmp_path, sheet, sheets_api_url=server.url, sheets_credentials="none",
                                  manager_emails=MANAGER)  # fmt: skip
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        server.state.faults.extend([Fault(403)] * 30)
        for _ in range(3):
            answer = create_app("followup_daily", str(ROOT / "main.py")).test_client().post("/")
            assert answer.status_code == 500 and "as Editor" in answer.get_json()["error"]
        (alert,) = alerts(tmp_path / "outbox")
        assert "Editor" in alert.get_body(("plain",)).get_content()
        server.state.faults.clear()  # shared again
        assert create_app("followup_daily", str(ROOT / "main.py")).test_client().post("/").status_code == 200
    first, back = alerts(tmp_path / "outbox")
    assert back["Subject"] == "[careloop đã bình thường] Lời chúc và hỏi thăm"


def test_when_the_alert_itself_cannot_go_the_function_logs_an_error_for_google_to_send(tmp_path, monkeypatch, capsys):
    """SMTP refuses the login: the alert cannot go by the mail it is about, so the scheduled function
    logs an ERROR line, which the Cloud Monitoring log alert (infra/) turns into an email."""
    import json

    from functions_framework import create_app

    from functions import bootstrap
    from tests.helpers import NINE_AM, ROOT
    from tests.helpers.smtp_server import Recorder, SmtpServer

    monkeypatch.setattr(bootstrap, "local_now", lambda settings, text=None: NINE_AM)  # the function's clock
    sheet = workbook(tmp_path / "k.xlsx", rows=[row("C-1", birthday="23/11/1990")])
    with SmtpServer(Recorder(), user="cskh", password="đúng") as server:
        settings = local_settings(tmp_path, sheet, manager_emails=MANAGER, smtp_host="127.0.0.1",
                                  smtp_port=str(server.port), smtp_security="none", smtp_user="cskh",
                                  smtp_password="sai")  # fmt: skip
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        answer = create_app("followup_daily", str(ROOT / "main.py")).test_client().post("/")
    assert answer.status_code == 200
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    errors = [line for line in lines if line["severity"] == "ERROR"]
    assert [e["message"] for e in errors] == ["followup: the manager could not be told"]
    assert "followup/provider-email" in errors[0]["problems"]


def test_a_dry_run_that_cannot_run_tells_nobody_and_writes_nothing(tmp_path):
    sheet = workbook(tmp_path / "k.xlsx", customers=False)
    env = local_settings(tmp_path, sheet, manager_emails=MANAGER)
    result = careloop(*RUN, "--dry-run", "--now", DAY.format("09:00"), cwd=tmp_path, env=env)
    assert result.returncode == 2 and alerts(tmp_path / "outbox") == [] and health(sheet) == {}


def test_the_escalation_run_keeps_the_rows_of_the_jobs_that_never_write_the_sheet(tmp_path):
    """The digest and the send queue write no sheet: the escalation run, every 15 minutes, writes
    their Health rows from their last reports, in the write it makes anyway."""
    from functions.adapters.stores.sqlite import SqliteStore

    sheet = escalation_workbook(tmp_path / "k.xlsx")
    env = local_settings(tmp_path, sheet, manager_emails=MANAGER)
    reports = SqliteStore(tmp_path / "s.sqlite").job_state
    at = "2026-11-25T08:40:00+07:00"
    reports.save_report({"job": "send_batch", "now": at, "summary": {"sent": 98, "failed": 2, "unknown": 0},
                         "failed": [{"key": "birthday/C-7/2026"}, {"key": "birthday/C-8/2026"}]})  # fmt: skip
    reports.save_report({"job": "digest", "now": at, "summary": {"sent": 1, "failed": 0, "unknown": 0}})
    careloop("run", "escalate", "--now", "2026-11-25T09:00", cwd=tmp_path, env=env)
    rows = health(sheet)
    queue, digest = rows["Hàng đợi gửi"], rows["Báo cáo tuần"]
    assert (queue["Kết quả"], queue["Đã gửi"], queue["Lỗi"]) == ("Có lỗi", 98, 2)
    assert "birthday/C-7/2026" in queue["Chi tiết"] and queue["Lần chạy tới"] == piece("health_on_demand", 0)
    assert (digest["Kết quả"], digest["Lần chạy tới"]) == ("Tốt", datetime(2026, 11, 30, 9, 0))
    assert rows[piece("health_job_escalate", 0)]["Lần chạy tới"] == datetime(2026, 11, 25, 9, 15)


def test_a_good_watched_run_asks_google_nothing_more_than_the_run_itself(tmp_path, monkeypatch):
    """Issue 23: health costs a good run no request on Google: its row goes in the run's one write,
    and who would be alerted (the matrix's '*' owner) is read only when there is something to say."""
    from functions_framework import create_app

    from tests.helpers import ROOT
    from tests.helpers.sheets_server import SheetsServer
    from tests.integration.test_google_sheet import KEY, make

    with SheetsServer() as server:
        make(server, [row("C-1", "Nguyễn Thị Lan", email="lan@example.com", birthday="01/01/1990")],
             **{HEALTH.title_vi: [[c.title_vi for c in HEALTH.columns]]})  # fmt: skip
        sheet = f"https://docs.google.com/spreadsheets/d/{KEY}/edit"
        for name, value in local_settings(
            tmp_path, sheet, sheets_api_url=server.url, sheets_credentials="none"
        ).items():
            monkeypatch.setenv(name, value)
        server.state.log.clear()
        assert create_app("followup_daily", str(ROOT / "main.py")).test_client().post("/").status_code == 200
        kinds = [entry["kind"] for entry in server.state.log]
        health_rows = server.state.rows(KEY, HEALTH.title_vi)
    assert "Ma trận" not in str([entry["query"] for entry in server.state.log])  # nobody to alert: not read
    assert health_rows[1][2] == "Tốt"
    # The run's write: one batch with the Health row (its dates) and the tabs it made; their starter rows beside.
    assert kinds.count("spreadsheets.batchUpdate") == 1 and kinds.count("values.batchUpdate") <= 1, kinds


def test_the_health_row_counts_the_days_sends_and_a_wrong_setting_is_not_good(tmp_path):
    """Issue 33 (4): `Đã gửi` is the day's sends of the job (a re-run that sends nothing keeps them);
    a value in the Settings tab careloop cannot use makes the row 'Có lỗi', naming the setting."""
    birthdays = [row("C-1", email="lan@example.com", birthday="23/11/1990"),
                 row("C-2", email="hung@example.com", birthday="23/11/1985")]  # fmt: skip
    sheet = workbook(tmp_path / "k.xlsx", rows=birthdays)
    env = local_settings(tmp_path, sheet, manager_emails=MANAGER)
    careloop(*RUN, "--now", DAY.format("09:00"), cwd=tmp_path, env=env)
    careloop(*RUN, "--now", DAY.format("09:30"), cwd=tmp_path, env=env)  # nothing left to send
    followup = health(sheet)["Lời chúc và hỏi thăm"]
    assert (followup["Kết quả"], followup["Đã gửi"]) == ("Tốt", 2)
    careloop(*RUN, "--now", "2026-11-24T09:00", cwd=tmp_path, env=env)  # a new day starts from 0
    assert health(sheet)[piece("health_job_followup", 0)]["Đã gửi"] == 0
    set_cell(sheet, "Cài đặt", "send_hours", "Giá trị", "25:00-99:00")  # the tab the first run made
    careloop(*RUN, "--now", "2026-11-24T09:15", cwd=tmp_path, env=env)
    followup = health(sheet)["Lời chúc và hỏi thăm"]
    assert followup["Kết quả"] == "Có lỗi" and "send_hours" in followup["Chi tiết"]
