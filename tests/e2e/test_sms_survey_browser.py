"""From an SMS to a stored answer: the follow-up run texts a Vietnamese check-in through Twilio's
library (to the local Twilio stand-in); its one short link opens the survey page, served by a real
functions-framework process, in Debian's Chromium on a phone-sized screen."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from tests.e2e.test_survey_browser import ARTIFACTS, CHROMIUM, answers, browser_or_skip, expect, small_targets
from tests.helpers import VN, free_port
from tests.helpers.cli import careloop
from tests.helpers.processes import functions_framework, server
from tests.helpers.providers import phone_providers
from tests.helpers.support import HEADER, local_settings, row, write_workbook


def test_a_customer_answers_from_the_link_in_an_sms(tmp_path):
    sync_playwright = browser_or_skip()
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    today = datetime.now(VN).date()
    purchase = f"{today - timedelta(days=7):%d/%m/%Y}"
    write_workbook(
        tmp_path / "k.xlsx",
        HEADER,
        [row("KH-1", "Phạm Thu Hà", "chị", "", "0912345604", purchase=purchase, channel="sms")],
    )
    with phone_providers() as providers:
        settings = local_settings(tmp_path, tmp_path / "k.xlsx", public_url=public, business_name="Gara Tiến Phát",
                                  **providers.settings())  # fmt: skip
        ran = careloop("run", "followup", "--now", f"{today}T09:00", cwd=tmp_path, env=settings)
    assert ran.returncode == 0, ran.stderr
    (sms,) = providers.twilio.accepted
    link = sms["body"].split()[-1]
    assert link.startswith(f"{public}/s/") and len(link) == len(public) + 3 + 16

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CARELOOP_")}, **settings}
    with server(functions_framework("survey", port), public + "/favicon.ico", env=env), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN").new_page()
            page.goto(link)  # the customer tapped the link in the SMS
            assert answers(tmp_path) == []  # opening it recorded nothing
            assert not page.locator('input[name="score"]:checked').count()  # one link: nothing chosen for them
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "survey-from-sms-360.png"), full_page=True)
            page.get_by_text("Hài lòng", exact=True).click()
            page.fill("#comment", "Sửa xe nhanh, cảm ơn")
            page.get_by_role("button", name="Gửi").click()
            expect(page.get_by_role("heading", name="Cảm ơn quý khách!")).to_be_visible()
            assert small_targets(page) == []
            stranger = page.goto(link[:-1] + ("a" if link[-1] != "a" else "b"))  # a code nobody was given
            assert stranger is not None and stranger.status == 404
        finally:
            browser.close()
    assert answers(tmp_path) == [4]
