"""The survey page in a real browser: Debian's Chromium driven by Playwright, on a phone-sized
screen, from a link taken out of a rendered check-in email, with and without JavaScript."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.helpers import ROOT, VN, free_port
from tests.helpers.processes import functions_framework, server
from tests.helpers.support import HEADER, local_settings, row, write_workbook

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"


def browser_or_skip():
    from tests.helpers.firestore_emulator import missing

    if not CHROMIUM.exists():
        missing("Chromium not found: `apt-get install -y chromium` (Debian's package; no browser download).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright not installed: `pip install playwright` (it drives /usr/bin/chromium; no download).")
    return sync_playwright


def expect(locator):
    """Playwright's waiting assertion (it retries until the page shows it): imported here, so a machine
    without Playwright skips at browser_or_skip."""
    from playwright.sync_api import expect as waiting

    return waiting(locator)


@pytest.fixture
def survey_site(tmp_path):
    """A check-in email with survey links, and the survey function serving them on 127.0.0.1."""
    sync_playwright = browser_or_skip()
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    today = datetime.now(VN).date()
    write_workbook(
        tmp_path / "k.xlsx",
        HEADER,
        [row("C-1", "Nguyễn Thị Lan", "chị", "lan@example.com", purchase=f"{today - timedelta(days=7):%d/%m/%Y}")],
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CARELOOP_")},
        **local_settings(tmp_path, tmp_path / "k.xlsx", public_url=public, business_name="Gara Tiến Phát"),
    }
    import subprocess

    subprocess.run(
        [str(Path(sys.executable).with_name("careloop")), "run", "followup", "--now", f"{today}T09:00"],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    (eml,) = (tmp_path / "outbox").glob("*.eml")
    html = message_from_bytes(eml.read_bytes(), policy=policy.default).get_body(("html",)).get_content()
    links = [part.split('"')[0] for part in html.split('href="')[1:] if "/s/" in part.split('"')[0]]
    command = functions_framework("survey", port)
    with server(command, public + "/favicon.ico", env=env):
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            try:
                yield browser, links, tmp_path
            finally:
                browser.close()


def answers(folder: Path) -> list[int]:
    from functions.adapters.stores.sqlite import SqliteStore

    (survey,) = SqliteStore(folder / "s.sqlite").surveys.surveys(datetime(2000, 1, 1, tzinfo=VN))
    return [a.score for a in survey.answers]


@pytest.mark.parametrize("javascript", [True, False])
def test_answer_and_change_it_on_a_phone(survey_site, javascript):
    browser, links, folder = survey_site
    assert len(links) == 5 and links[1].endswith("?score=2")
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=javascript, locale="vi-VN"
    )
    page = context.new_page()
    page.goto(links[1])  # the customer tapped "2 – Không hài lòng" in the email
    assert page.locator('input[name="score"][value="2"]').is_checked()
    assert answers(folder) == []  # opening the page recorded nothing
    if javascript:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on a phone
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"survey-360{'-nojs' if not javascript else ''}.png"), full_page=True)
    page.fill("#comment", "Xe vẫn còn kêu ở bánh trước")
    page.get_by_role("button", name="Gửi").click()
    expect(page.get_by_role("heading", name="Cảm ơn quý khách!")).to_be_visible()
    assert answers(folder) == [2]
    page.get_by_role("link", name="Đổi câu trả lời").click()
    expect(page.get_by_text("Quý khách đã chọn 2/5")).to_be_visible()
    page.get_by_text("Rất hài lòng").click()
    page.get_by_role("button", name="Gửi").click()
    expect(page.get_by_text("5/5")).to_be_visible()
    assert answers(folder) == [2, 5]
    box = page.get_by_role("link", name="Đổi câu trả lời").bounding_box()
    assert box and box["x"] + box["width"] <= 360
    assert small_targets(page) == []
    page.reload()  # post/redirect/get: reloading the thank-you page stores nothing
    assert answers(folder) == [2, 5]
    page.get_by_role("link", name="Đổi câu trả lời").click()
    # "change my answer" keeps the comment: changing the score does not erase it
    assert small_targets(page) == [] and page.locator("#comment").input_value() == "Xe vẫn còn kêu ở bánh trước"
    context.close()


def small_targets(page) -> list[str]:
    """Every link, button and choice a thumb must hit that is under 44 × 44 px."""
    found = []
    for element in page.locator("a, button, label.choice, label.nps-choice").all():
        box = element.bounding_box()
        if box and (box["width"] < 44 or box["height"] < 44):
            found.append(f"{element.inner_text()!r} {box['width']:.0f}×{box['height']:.0f}")
    return found


def test_the_emails_unsubscribe_link_is_big_enough_to_tap(survey_site, tmp_path):
    from tests.unit.test_rendering import compose

    browser, _, _ = survey_site
    html = compose("checkin").messages[0].html
    (tmp_path / "checkin.html").write_text(html, encoding="utf-8")
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    page.goto((tmp_path / "checkin.html").as_uri())
    box = page.get_by_role("link", name="Từ chối nhận tin").bounding_box()
    assert box and box["width"] >= 44 and box["height"] >= 44
    context.close()


def test_the_page_logs_no_console_error(survey_site):
    """Issue 21: the page's own data: favicon was refused by its CSP (a console error; Lighthouse 93)."""
    browser, links, _ = survey_site
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(links[0])
    page.wait_for_load_state("load")
    assert errors == []


def test_the_preview_page_names_its_language_and_each_email_frame(tmp_path):
    """Issue 21: preview.html had no lang and untitled iframes (axe: 2 serious)."""
    import re
    import subprocess

    today = datetime.now(VN).date()
    write_workbook(tmp_path / "k.xlsx", HEADER, [row("C-1", "Nguyễn Thị Lan", "chị", "lan@example.com",
                                                     purchase=f"{today - timedelta(days=7):%d/%m/%Y}")])  # fmt: skip
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CARELOOP_")},
           **local_settings(tmp_path, tmp_path / "k.xlsx")}  # fmt: skip
    subprocess.run([str(Path(sys.executable).with_name("careloop")), "preview", "--now", f"{today}T09:00", "--out",
                    "p.html"], env=env, cwd=tmp_path, check=True, capture_output=True)  # fmt: skip
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert re.search(r"<html lang='vi'>", page)
    frames = re.findall(r"<iframe[^>]*>", page)
    assert frames and all(re.search(r'title="[^"]+"', frame) for frame in frames)
