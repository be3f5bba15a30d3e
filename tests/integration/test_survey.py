"""Surveys: tokens, the page through functions-framework's test client, and the loop closed."""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from functions_framework import create_app

from functions.adapters.stores.sqlite import SqliteStore
from functions.core.links import Links
from functions.core.surveys import Survey, survey_id_for
from functions.core.tokens import Signer, TokenExpired, TokenInvalid
from tests.helpers import ROOT, VN
from tests.helpers.words import piece

SOURCE = str(ROOT / "main.py")
SECRET = "survey-test-secret-of-32-characters-or-more"
PUBLIC = "https://care.example.vn"


@pytest.fixture
def env(tmp_path, monkeypatch):
    for name, value in {
        "CARELOOP_STORE": str(tmp_path / "s.sqlite"),
        "CARELOOP_SECRET": SECRET,
        "CARELOOP_PUBLIC_URL": PUBLIC,
        "CARELOOP_BUSINESS_NAME": "Gara Tiến Phát",
        "CARELOOP_CONFIG": "",
    }.items():
        monkeypatch.setenv(name, value)
    return tmp_path


def make_survey(env, language="vi", customer="C-1", expires_in=timedelta(days=30)) -> tuple[Survey, str]:
    now = datetime.now(VN)
    survey = Survey(
        survey_id_for(customer, "checkin/2026-11-16"), customer, "checkin/2026-11-16", language, now, now + expires_in
    )
    SqliteStore(env / "s.sqlite").surveys.create_survey(survey)
    url = Links(PUBLIC, SECRET).survey(survey.survey_id, language)
    return survey, urlsplit(url).path


def client():
    return create_app("survey", SOURCE).test_client()


def csrf_of(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


# ---- tokens --------------------------------------------------------------------------------


def test_any_change_to_a_token_is_rejected():
    signer = Signer(SECRET, "survey")
    token = signer.sign({"s": "SV-ABCDEFGHIJKL", "l": "vi"})
    rng = random.Random(7)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    for _ in range(2000):
        position = rng.randrange(len(token))
        changed = token[:position] + rng.choice(alphabet.replace(token[position], "")) + token[position + 1 :]
        with pytest.raises((TokenInvalid, TokenExpired)):
            signer.verify(changed, 86400)
    for cut in (1, 5, len(token) // 2):
        with pytest.raises(TokenInvalid):
            signer.verify(token[:-cut], 86400)
    with pytest.raises(TokenInvalid):
        Signer("another secret", "survey").verify(token, 86400)
    with pytest.raises(TokenInvalid):
        Signer(SECRET, "unsubscribe").verify(token, 86400)  # a token for one purpose is useless for another


def test_token_expiry_is_honoured():
    signer = Signer(SECRET, "survey")
    token = signer.sign({"s": "SV-1"})
    assert signer.verify(token, 60) == {"s": "SV-1"}
    with pytest.raises(TokenExpired):
        signer.verify(token, 60, now=datetime.now(VN) + timedelta(minutes=2))


def test_tokens_carry_no_personal_data():
    url = Links(PUBLIC, SECRET).survey(survey_id_for("lan@example.com", "checkin/x"), "vi", 4)
    assert "lan" not in url.lower() and "@" not in url and url.endswith("?score=4")


# ---- the page -----------------------------------------------------------------------------


def test_get_shows_the_chosen_score_and_records_nothing(env):
    survey, path = make_survey(env)
    response = client().get(path + "?score=4")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Rất hài lòng" in page and "Gara Tiến Phát" in page
    assert 'value="4" required checked' in page and 'value="5" required>' in page
    assert SqliteStore(env / "s.sqlite").surveys.survey(survey.survey_id).answers == ()
    assert len(page.encode()) < 30_000 and "<script" not in page and "http" not in page.split("<body>")[1]


def test_every_page_has_the_security_headers(env):
    _, path = make_survey(env)
    for response in (client().get(path), client().get("/s/forged"), client().post(path, data={})):
        headers = response.headers
        assert (
            "default-src 'none'" in headers["Content-Security-Policy"]
            and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        )
        assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"


def test_post_records_and_the_answer_can_change(env):
    survey, path = make_survey(env)
    app = client()
    page = app.get(path + "?score=2").get_data(as_text=True)
    response = app.post(path, data={"score": "2", "comment": "Chờ lâu quá", "csrf": csrf_of(page)})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{path}?done=1")
    thanks = app.get(path + "?done=1")  # post/redirect/get: reloading the thank-you page stores nothing
    assert thanks.status_code == 200 and "Cảm ơn" in thanks.get_data(as_text=True)
    assert app.get(path + "?done=1").status_code == 200
    again = app.get(path).get_data(as_text=True)  # "change my answer": score and comment filled in
    assert "Quý khách đã chọn 2/5" in again and 'value="2" required checked' in again and "Chờ lâu quá" in again
    app.post(path, data={"score": "5", "comment": "", "csrf": csrf_of(again)})
    stored = SqliteStore(env / "s.sqlite").surveys.survey(survey.survey_id)
    assert (
        [a.score for a in stored.answers] == [2, 5]
        and stored.latest.score == 5
        and stored.answers[0].comment == "Chờ lâu quá"
    )


@pytest.mark.parametrize(
    "form, status",
    [
        ({"score": "7"}, 400),
        ({"score": "abc"}, 400),
        ({}, 400),
        ({"score": "0"}, 400),
    ],
)
def test_bad_answers_are_refused_politely(env, form, status):
    survey, path = make_survey(env)
    app = client()
    csrf = csrf_of(app.get(path).get_data(as_text=True))
    response = app.post(path, data={**form, "csrf": csrf})
    assert response.status_code == status and "Xin chọn một mức từ 1 đến 5" in response.get_data(as_text=True)
    assert SqliteStore(env / "s.sqlite").surveys.survey(survey.survey_id).answers == ()


def test_posts_without_a_valid_form_value_are_refused(env):
    survey, path = make_survey(env)
    other, other_path = make_survey(env, customer="C-2")
    foreign = csrf_of(client().get(other_path).get_data(as_text=True))  # a form value for another survey
    for csrf in ("", "forged", foreign):
        response = client().post(path, data={"score": "1", "csrf": csrf})
        assert response.status_code == 403
    assert SqliteStore(env / "s.sqlite").surveys.survey(survey.survey_id).answers == ()


def test_comments_are_capped_and_escaped(env):
    survey, path = make_survey(env)
    app = client()
    csrf = csrf_of(app.get(path).get_data(as_text=True))
    app.post(path, data={"score": "1", "comment": "<script>alert(1)</script>=1+1" + "x" * 2000, "csrf": csrf})
    stored = SqliteStore(env / "s.sqlite").surveys.survey(survey.survey_id).latest
    assert len(stored.comment) == 1000 and stored.comment.startswith("<script>")
    response = app.post(path, data={"score": "9", "comment": "<b>hi</b>", "csrf": csrf})
    assert "&lt;b&gt;hi&lt;/b&gt;" in response.get_data(as_text=True)


def test_at_most_twenty_answers(env):
    survey, path = make_survey(env)
    app = client()
    csrf = csrf_of(app.get(path).get_data(as_text=True))
    codes = [app.post(path, data={"score": str(1 + n % 5), "csrf": csrf}).status_code for n in range(22)]
    assert codes == [303] * 20 + [429, 429]


def test_forged_and_expired_links_get_a_polite_page(env):
    assert client().get("/s/not-a-token").status_code == 404
    _, path = make_survey(env, language="en", expires_in=timedelta(seconds=-1))
    response = client().get(path)
    assert response.status_code == 410 and "This survey has closed" in response.get_data(as_text=True)
    missing = Links(PUBLIC, SECRET).survey("SV-NOTINSTORE", "vi")
    assert client().get(urlsplit(missing).path).status_code == 404


# ---- the loop closed ----------------------------------------------------------------------


def test_a_low_score_opens_exactly_one_case_and_the_csat_cell_shows_it(env):
    from functions.escalate.job import run_escalate
    from tests.helpers.support import escalation_book as book
    from tests.helpers.support import escalation_deps as deps

    survey, path = make_survey(env)
    app = client()
    csrf = csrf_of(app.get(path).get_data(as_text=True))
    # The customer taps Send twice at once.
    threads = [
        threading.Thread(
            target=lambda: client().post(path, data={"score": "1", "comment": "Sửa xe chưa xong", "csrf": csrf})
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store = SqliteStore(env / "s.sqlite")
    assert len(store.surveys.survey(survey.survey_id).answers) == 2
    sheet = book([["C-1", "Nguyễn Thị Lan", "lan@example.com", "", "", "", "", ""]])
    sheet.tables["Khách hàng"].header.append("CSAT")
    monday = datetime.now(VN) + timedelta(minutes=1)
    first = run_escalate(deps(sheet, store), monday)
    second = run_escalate(deps(sheet, store), monday + timedelta(minutes=15))
    assert [(o["category"], o["customer_id"]) for o in first["opened"]] == [("CSAT", "C-1")] and second["opened"] == []
    assert len([c for c in store.cases.cases() if c.category == "CSAT"]) == 1
    customers = sheet.tables["Khách hàng"]
    assert customers.rows[0][customers.header.index("CSAT")] == 1
    assert customers.rows[0][customers.header.index("Mã hồ sơ")] == ""  # the Escalate columns stay the staff's
    dashboard = {r[0]: r[1] for r in sheet.tables["Tổng quan"].rows}
    assert (
        dashboard[piece("metric_csat", 0)] == 0 and dashboard[piece("metric_response_rate", 0)] == 1
    )  # shown as 0% and 100%


def test_the_nps_question_when_it_is_on(env, monkeypatch):
    monkeypatch.setenv("CARELOOP_SURVEY_NPS", "true")
    survey, path = make_survey(env, language="en")
    app = client()
    page = app.get(path).get_data(as_text=True)
    assert "recommend us" in page and 'name="nps" value="10"' in page
    app.post(path, data={"score": "4", "nps": "9", "csrf": csrf_of(page)})
    assert SqliteStore(env / "s.sqlite").surveys.survey(survey.survey_id).latest.nps == 9


@pytest.mark.parametrize("typed", ["²", "５", "٣", "0", "6", "1.0", " ", "-1", "99999999999999999999"])
def test_only_ascii_scores_one_to_five_are_answers_and_anything_else_is_a_400(env, typed):
    survey, path = make_survey(env)
    app = client()
    csrf = csrf_of(app.get(path).get_data(as_text=True))
    assert app.post(path, data={"score": typed, "csrf": csrf}).status_code == 400
    assert app.get(path, query_string={"score": typed}).status_code == 400
    assert SqliteStore(env / "s.sqlite").surveys.survey(survey.survey_id).answers == ()


def test_the_pages_declare_no_icon_so_browsers_never_ask_for_a_favicon(env):
    _, path = make_survey(env)
    assert '<link rel="icon" href="data:,">' in client().get(path).get_data(as_text=True)


def test_the_settings_tab_turns_the_nps_question_on_and_names_the_business(env, monkeypatch):
    """Issue 24: survey_nps, csat_threshold and business_name set in the sheet's Settings tab reach
    the page too, through the escalation run's state (the page never reads the sheet)."""
    import openpyxl

    from functions.entrypoints.http.public import survey_deps
    from tests.helpers.cli import careloop
    from tests.helpers.support import HEADER, row, write_workbook

    path = write_workbook(env / "k.xlsx", HEADER, [row("C-1", "Lan")])
    book = openpyxl.load_workbook(path)
    tab = book.create_sheet("Cài đặt")
    for settings_row in (["Cài đặt", "Giá trị"], ["survey_nps", True], ["business_name", "Gara Minh Khai"],
                         ["csat_threshold", "3"]):  # fmt: skip
        tab.append(settings_row)
    book.save(path)
    survey, page_path = make_survey(env, language="en")
    survey_deps.cache_clear()
    before = client().get(page_path).get_data(as_text=True)
    assert "recommend us" not in before and "Gara Tiến Phát" in before
    settings = {"CARELOOP_STORE": str(env / "s.sqlite"), "CARELOOP_SECRET": SECRET, "CARELOOP_OUTBOX": str(env / "o")}
    ran = careloop("run", "escalate", "--sheet", str(path), "--json", cwd=env, env=settings)
    assert ran.returncode == 0, ran.stderr
    survey_deps.cache_clear()
    app = client()
    page = app.get(page_path).get_data(as_text=True)
    assert "recommend us" in page and "Gara Minh Khai" in page
    app.post(page_path, data={"score": "3", "nps": "9", "csrf": csrf_of(page)})
    assert SqliteStore(env / "s.sqlite").surveys.survey(survey.survey_id).latest.nps == 9
    thanks = app.get(page_path + "?done=1").get_data(as_text=True)
    assert "We are sorry; someone from Gara Minh Khai will contact you soon." in thanks  # 3 ≤ the tab's threshold
