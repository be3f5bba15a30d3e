"""The `careloop` command on real files and local servers, called in-process through
`main(argv)`: the same parsing, settings, exit codes and printed output as the installed command
(tests/e2e/test_cli_process.py runs that one as a real process)."""

import json
import os
import sys
from email import message_from_bytes, policy

import pytest

from tests.helpers import TEST_SECRET
from tests.helpers.cli import FOLLOWUP, careloop
from tests.helpers.rules import channel_book
from tests.helpers.support import HEADER, read_workbook, row, write_workbook
from tests.helpers.words import piece


@pytest.fixture
def workbook(tmp_path):
    return write_workbook(
        tmp_path / "khach-hang.xlsx",
        HEADER + ["Ghi chú NV"],
        [
            row("C-00042", "Nguyễn Thị Lan", "chị", "lan@example.com", "0912345678", "23/11/1990") + ["VIP"],
            row("", "Trần Văn Hùng", "anh", "hung@example.com", purchase="16/11/2026") + [""],
            row("C-3", "Lê Văn Tám", "anh", "tam@example", purchase="16/11/2026") + [""],
        ],
    )


def run_json(tmp_path, *extra):
    result = careloop(
        *FOLLOWUP,
        "--json",
        *extra,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_run_followup_json_contract(tmp_path, workbook):
    report = run_json(tmp_path)
    assert report["job"] == "followup" and report["now"] == "2026-11-23T09:00:00+07:00"
    sent = {s["kind"]: s for s in report["sent"]}
    assert sent["birthday"] | {} == sent["birthday"]
    assert {k: sent["birthday"][k] for k in ("kind", "customer_id", "channel", "to", "key")} == {
        "kind": "birthday",
        "customer_id": "C-00042",
        "channel": "email",
        "to": "lan@example.com",
        "key": "birthday/C-00042/2026",
    }
    assert sent["checkin"]["customer_id"].startswith("KH-")
    assert report["problems"] == [
        {
            "row": 4,
            "customer_id": "C-3",
            "column": "Email",
            "code": "email_invalid",
            "message": "Email 'tam@example' không hợp lệ",
        }
    ]
    assert report["failed"] == [] and report["unknown"] == []
    emails = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in (tmp_path / "outbox").glob("*.eml")]
    assert sorted(e["To"].addresses[0].addr_spec for e in emails) == ["hung@example.com", "lan@example.com"]

    rows = read_workbook(workbook)
    assert rows[0]["Ghi chú NV"] == "VIP" and rows[0]["Liên hệ gần nhất"].startswith("23/11/2026")
    assert rows[1]["Mã KH"] == sent["checkin"]["customer_id"]
    assert rows[2]["Ghi chú hệ thống"] == "Email 'tam@example' không hợp lệ"

    again = run_json(tmp_path)
    assert again["sent"] == [] and {s["reason"] for s in again["skipped"]} == {"already_sent", "invalid_row"}
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2


def test_dry_run_sends_and_writes_nothing(tmp_path, workbook):
    before = workbook.read_bytes()
    report = run_json(tmp_path, "--dry-run")
    assert report["sent"] == [] and len(report["planned"]) == 2
    assert not (tmp_path / "outbox").exists() and workbook.read_bytes() == before


def test_human_summary_and_english(tmp_path, workbook):
    result = careloop(
        *FOLLOWUP,
        "--language",
        "en",
        cwd=tmp_path,
    )
    assert result.returncode == 0
    assert "sent 2" in result.stdout and "Email 'tam@example' is not a valid email address" in result.stdout


def test_settings_from_toml_and_environment(tmp_path, workbook):
    (tmp_path / "careloop.toml").write_text('sheet = "khach-hang.xlsx"\nstore = "s.sqlite"\noutbox = "out"\n')
    result = careloop(
        "run",
        "followup",
        "--now",
        "2026-11-23T21:00",
        "--json",
        cwd=tmp_path,
        env={"CARELOOP_SEND_HOURS": "07:00-22:00"},
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["sent"]) == 2 and (tmp_path / "out").is_dir()


@pytest.mark.parametrize(
    "args, env, words",
    [
        ((), {"CARELOOP_SEND_HOURS": "05:00-23:00"}, "CARELOOP_SEND_HOURS"),
        ((), {"CARELOOP_TIMEZONE": "Mars/Olympus"}, "CARELOOP_TIMEZONE"),
        (("--now", "tomorrow"), {}, "--now"),
        (("--store", "postgres://x"), {}, "CARELOOP_STORE"),
        (("--store", "firestore://X"), {}, "CARELOOP_STORE"),
        ((), {"CARELOOP_SMTP_TIMEOUT": "nan"}, "CARELOOP_SMTP_TIMEOUT"),
        ((), {"CARELOOP_RETRY_SECONDS": "inf"}, "CARELOOP_RETRY_SECONDS"),
        ((), {"CARELOOP_SHEETS_DEADLINE": "nan"}, "CARELOOP_SHEETS_DEADLINE"),
        ((), {"CARELOOP_BUSINESS_NAME": "Gara\nBcc: spy@evil.com"}, "CARELOOP_BUSINESS_NAME"),
        ((), {"CARELOOP_REPLY_TO": "not an email"}, "CARELOOP_REPLY_TO"),
        ((), {"CARELOOP_SECRET": "a"}, "CARELOOP_SECRET"),
        ((), {"CARELOOP_SMTP_HOST": "smtp.example.com:587"}, "CARELOOP_SMTP_HOST"),
        (("--outbox", "khach-hang.xlsx"), {}, "CARELOOP_OUTBOX"),
    ],
)
def test_a_bad_setting_stops_before_anything_is_reserved(tmp_path, workbook, args, env, words):
    result = careloop(
        "run", "followup", "--sheet", "khach-hang.xlsx", "--store", "s.sqlite", "--outbox", "outbox", *args,
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "outbox").exists() and not (tmp_path / "s.sqlite").exists()  # nothing reserved


def test_a_missing_required_column_is_named(tmp_path):
    write_workbook(tmp_path / "k.xlsx", ["Mã KH", "Email"], [["C-1", "a@example.com"]])
    result = careloop("run", "followup", "--sheet", "k.xlsx", "--store", "s.sqlite", cwd=tmp_path)
    assert result.returncode == 2 and "Họ tên" in result.stderr and "'Name'" in result.stderr


def test_unreachable_store_exit_2(tmp_path, workbook):
    result = careloop(
        *"run followup --sheet khach-hang.xlsx --store nowhere/s.sqlite --outbox outbox --now 2026-11-23T09:00".split(),
        cwd=tmp_path,
    )
    assert result.returncode == 2 and "nowhere" in result.stderr and not (tmp_path / "outbox").exists()


def test_check_and_preview(tmp_path, workbook):
    check = careloop("check", "--sheet", "khach-hang.xlsx", "--store", "s.sqlite", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "✓ Mẫu tin / templates" in check.stdout and "3 khách;" in check.stdout and "3 customers;" in check.stdout
    preview = careloop(
        "preview",
        "--sheet",
        "khach-hang.xlsx",
        "--store",
        "s.sqlite",
        "--now",
        "2026-11-23T09:00",
        "--out",
        "p.html",
        cwd=tmp_path,
    )
    assert preview.returncode == 0, preview.stderr
    page = (tmp_path / "p.html").read_text()
    assert "Chúc mừng sinh nhật chị Lan!" in page and not (tmp_path / "outbox").exists()
    assert "Nội dung: nội dung có sẵn (texts.toml [birthday.vi.email])" in page  # no Messages tab: built in


def test_preview_shows_staff_words_and_the_rows_that_will_not_be_used(tmp_path, workbook):
    import openpyxl

    args = ("--sheet", "khach-hang.xlsx", "--store", "s.sqlite")
    assert careloop("setup-sheet", *args, cwd=tmp_path).returncode == 0
    book = openpyxl.load_workbook(tmp_path / "khach-hang.xlsx")
    book["Mẫu tin nhắn"]["F2"] = "Chào {xung_ho} {ten}, sinh nhật vui!"  # birthday/vi/email, edited
    book["Mẫu tin nhắn"]["F4"] = "Dear {name"  # birthday/en/email, broken
    book.save(tmp_path / "khach-hang.xlsx")
    preview = careloop("preview", *args, "--now", "2026-11-23T09:00", "--out", "p.html", cwd=tmp_path)
    page = (tmp_path / "p.html").read_text()
    assert preview.returncode == 0 and "Chào chị Lan, sinh nhật vui!" in page
    assert "tab &#x27;Mẫu tin nhắn&#x27;, dòng 2" in page and "dòng / row 4: Không dùng được" in page


def test_retry_lists_and_releases(tmp_path, workbook):
    from datetime import date

    from functions.adapters.stores.sqlite import SqliteStore
    from functions.core.ledger import LedgerEntry

    SqliteStore(tmp_path / "s.sqlite").ledger.reserve(
        LedgerEntry("birthday/C-00042/2026", "C-00042", "birthday", "email", date(2026, 11, 23))
    )
    listed = careloop("retry", "--store", "s.sqlite", cwd=tmp_path)
    assert "birthday/C-00042/2026" in listed.stdout
    assert run_json(tmp_path)["unknown"][0]["key"] == "birthday/C-00042/2026"
    released = careloop("retry", "--store", "s.sqlite", "--all", cwd=tmp_path)
    assert "released: birthday/C-00042/2026" in released.stdout
    assert [s["key"] for s in run_json(tmp_path)["sent"]] == ["birthday/C-00042/2026"]


def test_demo_twice(tmp_path):
    first = careloop("demo", "--dir", "d", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    emails = list((tmp_path / "d" / "outbox").glob("*.eml"))
    assert len(emails) >= 8 and "✓ birthday" in first.stdout and "✓ checkin" in first.stdout
    rows = read_workbook(tmp_path / "d" / "khach-hang.xlsx")
    assert len(rows) >= 30 and any(r["Ghi chú hệ thống"] for r in rows) and any(r["Liên hệ gần nhất"] for r in rows)
    second = careloop("demo", "--dir", "d", cwd=tmp_path)
    assert second.returncode == 0 and piece("already_sent", 0) in second.stdout and "Nothing new" in second.stdout
    assert len(list((tmp_path / "d" / "outbox").glob("*.eml"))) == len(emails)


def test_run_followup_over_smtp(tmp_path, workbook):
    from tests.helpers.smtp_server import Recorder, SmtpServer

    recorder = Recorder(busy=1)  # the first delivery meets a 451 and is retried
    with SmtpServer(recorder) as server:
        result = careloop(
            *"run followup --sheet khach-hang.xlsx --store s.sqlite --now 2026-11-23T09:00 --json".split(),
            cwd=tmp_path,
            env={
                "CARELOOP_SMTP_HOST": "127.0.0.1",
                "CARELOOP_SMTP_PORT": str(server.port),
                "CARELOOP_SMTP_SECURITY": "none",
                "CARELOOP_SENDER_EMAIL": "cskh@luatminhan.vn",
                "CARELOOP_BUSINESS_NAME": "Văn phòng Luật Minh An",
                "CARELOOP_PUBLIC_URL": "https://care.luatminhan.vn",
                "CARELOOP_RETRY_SECONDS": "10",
            },
        )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["sent"]) == 2 and report["failed"] == []
    assert sorted(m["To"].addresses[0].addr_spec for m in recorder.messages) == ["hung@example.com", "lan@example.com"]
    assert all(m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for m in recorder.messages)
    assert not (tmp_path / "outbox").exists()


def test_run_followup_on_firestore(tmp_path, workbook, firestore):
    env = {
        "FIRESTORE_EMULATOR_HOST": firestore.host,
        "GOOGLE_CLOUD_PROJECT": "demo-careloop",
        "CARELOOP_SECRET": TEST_SECRET,
    }
    args = (
        "run",
        "followup",
        "--sheet",
        "khach-hang.xlsx",
        "--store",
        "firestore",
        "--outbox",
        "outbox",
        "--now",
        "2026-11-23T09:00",
        "--json",
    )
    first = careloop(*args, cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert len(json.loads(first.stdout)["sent"]) == 2
    second = json.loads(careloop(*args, cwd=tmp_path, env=env).stdout)
    assert second["sent"] == [] and {s["reason"] for s in second["skipped"]} == {"already_sent", "invalid_row"}
    from functions.adapters.stores.firestore import FirestoreStore

    assert sorted(r["summary"]["sent"] for r in FirestoreStore("demo-careloop").job_state.reports("followup")) == [0, 2]
    no_project = careloop(*args, cwd=tmp_path, env={**env, "GOOGLE_CLOUD_PROJECT": ""})
    assert no_project.returncode == 2 and "GOOGLE_CLOUD_PROJECT" in no_project.stderr
    no_secret = careloop(*args[:-1], cwd=tmp_path, env={**env, "CARELOOP_SECRET": ""})
    assert no_secret.returncode == 2 and "CARELOOP_SECRET" in no_secret.stderr


def test_setup_sheet_demo_and_run_against_the_sheets_test_server(tmp_path):
    from tests.helpers import ROOT, free_port
    from tests.helpers.processes import server

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"CARELOOP_SHEETS_API_URL": url, "CARELOOP_SHEETS_CREDENTIALS": "none"}
    command = [sys.executable, "-m", "tests.helpers.sheets_server", "--port", str(port), "--key", "demo"]
    with server(command, url + "/v4/spreadsheets/demo", env={**os.environ, "PYTHONPATH": str(ROOT)}):
        setup = careloop("setup-sheet", "--sheet", "google:demo", "--store", "s.sqlite", cwd=tmp_path, env=env)
        assert setup.returncode == 0, setup.stderr
        assert "+ tab 'Hồ sơ'" in setup.stdout
        again = careloop(
            "setup-sheet", "--sheet", "https://docs.google.com/spreadsheets/d/demo/edit#gid=0", cwd=tmp_path, env=env
        )
        assert "nothing changed" in again.stdout
        now = "2026-11-25T10:00"  # one clock for the demo and the run after it (a working Wednesday)
        demo = careloop("demo", "--dir", "d", "--sheet", "google:demo", "--now", now, cwd=tmp_path, env=env)
        assert demo.returncode == 0, demo.stderr
        assert "✓ birthday" in demo.stdout and "dòng 11" in demo.stdout  # the same sample as the workbook
        rerun = careloop(
            "run",
            "followup",
            "--sheet",
            "google:demo",
            "--store",
            "d/careloop.sqlite",
            "--outbox",
            "d/outbox",
            "--json",
            "--now",
            now,
            cwd=tmp_path,
            env={**env, "CARELOOP_SEND_HOURS": "07:00-22:00"},
        )
        assert rerun.returncode == 0, rerun.stderr
        report = json.loads(rerun.stdout)
        assert report["sent"] == [] and report["problems"]


def test_run_escalate_json_contract(tmp_path):
    from datetime import date

    import openpyxl

    from functions.adapters.sheets.xlsx import XlsxSheet
    from functions.core.sheet_layout import layouts
    from functions.entrypoints.cli.demo import write_sample_workbook

    (tmp_path / "d").mkdir()
    write_sample_workbook(tmp_path / "d" / "khach-hang.xlsx", date(2026, 11, 20))  # complaints and a matrix
    XlsxSheet(tmp_path / "d" / "khach-hang.xlsx").prepare(layouts(channel_book(), "vi"), "vi")
    before = {r["Mã KH"]: r for r in read_workbook(tmp_path / "d" / "khach-hang.xlsx")}
    flagged = [cid for cid, r in before.items() if r.get("Leo thang") in (True, "x")]
    assert flagged, "the demo workbook has ticked complaints"
    args = ("run", "escalate", "--sheet", "d/khach-hang.xlsx", "--store", "e.sqlite", "--outbox", "e-outbox", "--json")
    result = careloop(*args, "--now", "2026-11-20T16:00", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"job", "now", "opened", "escalated", "synced", "problems"} <= set(report) and report["job"] == "escalate"
    entry = report["opened"][0]
    assert {"case_id", "customer_id", "category", "tier", "owner", "first_response_due", "resolve_due"} <= set(entry)
    assert entry["first_response_due"].endswith("+07:00")
    assert sorted(o["customer_id"] for o in report["opened"]) == sorted(flagged)
    later = json.loads(careloop(*args, "--now", "2026-11-25T16:00", cwd=tmp_path).stdout)
    assert later["opened"] == [] and later["escalated"]  # nobody answered in time: up a tier
    workbook = openpyxl.load_workbook(tmp_path / "d" / "khach-hang.xlsx")
    assert workbook["Hồ sơ"].max_row == len(flagged) + 1


def test_check_and_retry_only_look_and_leave_no_store_behind(tmp_path):
    """Issue 21: both made an empty careloop.sqlite (and check its secret) where they were run."""
    env = {"CARELOOP_CONFIG": ""}
    assert careloop("retry", cwd=tmp_path, env=env).returncode == 0
    assert careloop("check", cwd=tmp_path, env=env).returncode == 2  # no workbook: said, and nothing made
    assert list(tmp_path.iterdir()) == []


def test_the_demo_keeps_the_settings_it_ran_with_for_the_readme_commands(tmp_path):
    """Issue 21: after `make demo`, later runs signed 'careloop – careloop' and could not find the workbook."""
    import tomllib

    assert careloop("demo", "--dir", "d", cwd=tmp_path).returncode == 0
    config = tomllib.loads((tmp_path / "d" / "careloop.toml").read_text(encoding="utf-8"))
    assert config["business_name"] == "Văn phòng Luật Minh An" and config["voucher_value"]
    assert config["sheet"] == str(tmp_path / "d" / "khach-hang.xlsx")
    assert not {"secret", "zalo_app_secret", "twilio_auth_token", "twilio_api_url"} & set(config)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = careloop("run", "followup", "--config", str(tmp_path / "d" / "careloop.toml"), "--json", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert list(elsewhere.iterdir()) == []  # the demo's workbook and store, nothing new here


def test_the_demo_hears_customers_answer_by_email_and_zalo(tmp_path):
    """Issue 25, done when: on the demo, a complaint replied to the check-in becomes a case with its
    owner's email; "HỦY" stops the next message; a bounce notes the row; a ZNS rating of 2 becomes the
    check-in's CSAT and a case; all in the Replies tab."""
    from datetime import UTC, datetime

    import openpyxl

    from functions.adapters.stores.sqlite import SqliteStore

    result = careloop("demo", "--dir", "d", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    opened = {line.split()[2]: line.split()[1] for line in result.stdout.splitlines() if line.startswith("  + HS-")}
    assert {"C-004", "C-009"} <= opened.keys()
    assert f"✉ {opened['C-004']} opened → letan@luatminhan.vn" in result.stdout  # the owner is told by email
    sheet = openpyxl.load_workbook(tmp_path / "d" / "khach-hang.xlsx")["Phản hồi"]
    rows = [
        dict(zip([c.value for c in sheet[1]], r, strict=False)) for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    by_customer = {r["Mã KH"]: r for r in rows if r["Mã KH"]}
    assert opened["C-004"] in by_customer["C-004"]["careloop đã làm"]
    assert "từ chối" in by_customer["C-005"]["careloop đã làm"]
    assert "5.1.1" in by_customer["C-014"]["careloop đã làm"]
    rating = by_customer["C-009"]
    assert (
        rating["Kênh"] == "zalo"
        and rating["Nội dung"].startswith("2★")
        and opened["C-009"] in rating["careloop đã làm"]
    )
    customers = {r["Mã KH"]: r for r in read_workbook(tmp_path / "d" / "khach-hang.xlsx")}
    assert customers["C-005"]["Từ chối nhận tin"] is True
    assert "không tới được" in customers["C-014"]["Ghi chú hệ thống"]
    survey = [
        s
        for s in SqliteStore(tmp_path / "d" / "careloop.sqlite").surveys.surveys_answered(
            datetime(2026, 1, 1, tzinfo=UTC)
        )
        if s.customer_id == "C-009"
    ]
    assert [a.score for s in survey for a in s.answers] == [2]  # the check-in's CSAT, without a page
    again = careloop("demo", "--dir", "d", cwd=tmp_path)  # heard once: nothing new the second time
    assert again.returncode == 0 and "⟵" not in again.stdout
    assert len(
        list(openpyxl.load_workbook(tmp_path / "d" / "khach-hang.xlsx")["Phản hồi"].iter_rows(min_row=2))
    ) == len(rows)
