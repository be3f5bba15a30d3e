"""The Cloud Functions entry points, through functions-framework's own app and test client."""

import json

import pytest
from functions_framework import create_app

from functions.adapters.stores.sqlite import SqliteStore
from functions.core.links import Links
from tests.helpers import ROOT
from tests.helpers.support import HEADER, local_settings, read_workbook, row, write_workbook

SOURCE = str(ROOT / "main.py")
SECRET = "function-test-secret-of-32-characters-or-more"


@pytest.fixture
def env(tmp_path, monkeypatch):
    workbook = write_workbook(
        tmp_path / "k.xlsx",
        HEADER,
        [
            row("C-1", "Nguyễn Thị Lan", "chị", "lan@example.com", birthday="01/01/1990"),
            row("C-2", "John Carter", "Mr", "john@example.com", language="en"),
        ],
    )
    values = local_settings(tmp_path, workbook, secret=SECRET, public_url="https://care.example.vn",
                            business_name="Văn phòng Luật Minh An", send_hours="07:00-22:00")  # fmt: skip
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def unsubscribe_path(customer_id="C-1", language="vi", secret=SECRET):
    url = Links("https://care.example.vn", secret).unsubscribe(customer_id, language)
    return url.removeprefix("https://care.example.vn")


def test_unsubscribe_get_shows_a_page_and_records_nothing(env):
    client = create_app("unsubscribe", SOURCE).test_client()
    response = client.get(unsubscribe_path())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ngừng nhận tin" in page and 'method="post"' in page and "Văn phòng Luật Minh An" in page
    assert response.headers["Cache-Control"] == "no-store"
    # Its one-button POST cannot be framed and clickjacked: the survey page's headers, every one.
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY" and response.headers["Referrer-Policy"] == "no-referrer"
    assert SqliteStore(env / "s.sqlite").opt_outs.opt_outs() == {}


def test_unsubscribe_post_records_and_the_next_run_ticks_the_row(env):
    client = create_app("unsubscribe", SOURCE).test_client()
    response = client.post(
        unsubscribe_path(), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )  # RFC 8058 one-click
    assert response.status_code == 200 and "Đã hủy đăng ký" in response.get_data(as_text=True)
    assert set(SqliteStore(env / "s.sqlite").opt_outs.opt_outs()) == {"C-1"}

    followup = create_app("followup_daily", SOURCE).test_client()
    assert followup.post("/").status_code == 200
    rows = {r["Mã KH"]: r for r in read_workbook(env / "k.xlsx")}
    assert rows["C-1"]["Từ chối nhận tin"] is True and rows["C-2"]["Từ chối nhận tin"] is None


def test_unsubscribe_page_speaks_the_customers_language(env):
    client = create_app("unsubscribe", SOURCE).test_client()
    assert "Stop receiving" in client.get(unsubscribe_path(language="en")).get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/unsubscribe/not-a-token",
        "/unsubscribe/",
        "/unsubscribe/" + "A" * 500,
    ],
)
def test_forged_tokens_get_a_polite_page(env, path):
    response = create_app("unsubscribe", SOURCE).test_client().get(path)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Liên kết không hợp lệ" in page and "not valid" in page and "Traceback" not in page


def test_tampered_and_foreign_tokens_are_refused(env):
    client = create_app("unsubscribe", SOURCE).test_client()
    good = unsubscribe_path()
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    assert client.post(tampered).status_code == 404
    assert client.post(unsubscribe_path(secret="someone-else")).status_code == 404
    assert SqliteStore(env / "s.sqlite").opt_outs.opt_outs() == {}


def test_expired_tokens_get_a_polite_page_in_their_language(env, monkeypatch):
    import itsdangerous.timed

    real_now = itsdangerous.timed.TimestampSigner.get_timestamp
    with monkeypatch.context() as past:  # a link mailed 401 days ago
        past.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: real_now(self) - 401 * 86400)
        path = unsubscribe_path(language="en")
    response = create_app("unsubscribe", SOURCE).test_client().post(path)
    assert response.status_code == 410 and "This link has expired" in response.get_data(as_text=True)
    assert SqliteStore(env / "s.sqlite").opt_outs.opt_outs() == {}


def test_followup_daily_returns_the_report_as_json(env):
    client = create_app("followup_daily", SOURCE).test_client()
    response = client.post("/")
    assert response.status_code == 200
    report = response.get_json()
    assert report["job"] == "followup" and report["summary"]["problems"] == 0
    assert {"sent", "skipped", "failed", "unknown", "problems"} <= set(report)


def test_followup_daily_bad_setting_is_500_naming_it(env, monkeypatch):
    monkeypatch.setenv("CARELOOP_CATCHUP_DAYS", "ba")
    response = create_app("followup_daily", SOURCE).test_client().post("/")
    assert response.status_code == 500 and "CARELOOP_CATCHUP_DAYS" in response.get_json()["error"]


def test_followup_daily_store_unreachable_is_503(env, monkeypatch):
    monkeypatch.setenv("CARELOOP_STORE", str(env / "missing" / "s.sqlite"))
    response = create_app("followup_daily", SOURCE).test_client().post("/")
    assert response.status_code == 503
    assert not (env / "outbox").exists()


def test_followup_daily_logs_masked_structured_json(env, capfd):
    create_app("followup_daily", SOURCE).test_client().post("/")
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    entry = next(line for line in lines if line["message"] == "followup run")
    assert entry["severity"] == "INFO" and "@example.com" not in json.dumps(entry)


def test_escalate_sync_reports_what_stops_it_then_runs(env, monkeypatch):
    import openpyxl

    monkeypatch.setenv("CARELOOP_WORKING_HOURS", "mon-sun 00:00-23:59")
    workbook = openpyxl.load_workbook(env / "k.xlsx")
    customers = workbook["Khách hàng"]
    width = customers.max_column
    customers.cell(1, width + 1, "Leo thang"), customers.cell(1, width + 2, "Nội dung")
    customers.cell(2, width + 1, True), customers.cell(2, width + 2, "Chờ quá lâu")
    workbook.save(env / "k.xlsx")
    client = create_app("escalate_sync", SOURCE).test_client()
    unowned = client.post("/")  # no Cases tab, no matrix: the run makes them (issue 24)…
    waiting = unowned.get_json()["matrix_waiting"]  # …and the complaint waits for the matrix's owners (issue 33)
    assert unowned.status_code == 200 and waiting["complaints"] == 1 and "'*'" in waiting["error"]
    workbook = openpyxl.load_workbook(env / "k.xlsx")
    assert {"Hồ sơ", "Ma trận leo thang"} <= set(workbook.sheetnames)
    workbook["Ma trận leo thang"]["B2"] = "Hà <ha@luat.vn>"
    workbook.save(env / "k.xlsx")
    response = client.post("/")
    assert response.status_code == 200 and response.get_json()["job"] == "escalate"
