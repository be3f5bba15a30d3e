"""The Dashboard and the weekly digest as people see them: the demo's workbook (twelve weeks of
seeded history) rendered by LibreOffice headless, its four charts with their data; the digest's
HTML in Chromium. Screenshots land in test-artifacts/ (the README shows copies from docs/)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl

from tests.e2e.test_survey_browser import ARTIFACTS, CHROMIUM, browser_or_skip, expect
from tests.helpers.cli import careloop
from tests.helpers.firestore_emulator import missing
from tests.integration.test_dashboard_charts import chart_ranges

INSTALL = "LibreOffice and pdftoppm render the workbook: `apt-get install -y libreoffice-calc poppler-utils`"


def render_dashboard(workbook: Path, folder: Path) -> Path:
    """The Dashboard tab alone, landscape on one page, as LibreOffice draws it, to PNG."""
    from functions.adapters.sheets.xlsx_charts import draw_charts
    from functions.core.sheet_layout import chart_tabs
    from tests.helpers.rules import channel_book

    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        missing(INSTALL)
    book = openpyxl.load_workbook(workbook)
    for name in [n for n in book.sheetnames if n != "Tổng quan"]:
        del book[name]
    sheet = book["Tổng quan"]
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 1
    for tab, charts in chart_tabs(channel_book()):  # openpyxl dropped them on load: as the adapter does at every save
        draw_charts(book, tab, charts)
    book.save(folder / "dashboard.xlsx")
    convert = [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(folder / "dashboard.xlsx")]
    subprocess.run(convert, check=True, capture_output=True, timeout=180)
    picture = [pdftoppm, "-png", "-r", "110", "-singlefile", str(folder / "dashboard.pdf"), str(folder / "dashboard")]
    subprocess.run(picture, check=True, capture_output=True, timeout=60)
    return folder / "dashboard.png"


def test_the_demo_dashboard_has_five_charts_over_twelve_weeks_and_renders(tmp_path):
    ran = careloop("demo", "--dir", "d", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    workbook = tmp_path / "d" / "khach-hang.xlsx"
    ranges = chart_ranges(workbook)
    assert sorted(ranges) == sorted(["CSAT theo tuần", "Hồ sơ mới theo cấp", "Đạt hạn phản hồi đầu theo cấp",
                                     "Tin đã gửi theo tuần", "Khách nói về gì, theo tuần"])  # fmt: skip
    assert all(any(r.endswith("$2:$E$13") for r in found) for found in ranges.values())  # twelve weeks along
    rows = list(openpyxl.load_workbook(workbook)["Tổng quan"].iter_rows(min_row=2, max_row=13, values_only=True))
    assert len({r[4] for r in rows}) == 12 and all(r[5] for r in rows[:-1])  # every past week sent something
    picture = render_dashboard(workbook, tmp_path)
    assert picture.stat().st_size > 20_000  # charts drawn, not an empty page
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(picture, ARTIFACTS / "dashboard.png")


def test_the_weekly_digest_as_the_manager_reads_it(tmp_path):
    sync_playwright = browser_or_skip()
    assert careloop("demo", "--dir", "d", "--now", "2026-11-25T08:00", cwd=tmp_path).returncode == 0  # one clock
    demo = tmp_path / "d"
    env = {"CARELOOP_SHEET": str(demo / "khach-hang.xlsx"), "CARELOOP_STORE": str(demo / "careloop.sqlite"),
           "CARELOOP_OUTBOX": str(tmp_path / "digest"), "CARELOOP_BUSINESS_NAME": "Văn phòng Luật Minh An",
           "CARELOOP_CONFIG": ""}  # fmt: skip
    sent = careloop("run", "digest", "--now", "2026-11-30T09:00", cwd=tmp_path, env=env)  # the Monday after
    assert sent.returncode == 0 and "đã gửi 1" in sent.stdout, sent.stdout + sent.stderr
    from email import message_from_bytes, policy

    (eml,) = (tmp_path / "digest").glob("*.eml")
    html = message_from_bytes(eml.read_bytes(), policy=policy.default).get_body(("html",)).get_content()
    (tmp_path / "digest.html").write_text(html, encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 640, "height": 900})
            page.goto((tmp_path / "digest.html").as_uri())
            expect(page.get_by_text("Tin đã gửi")).to_be_visible()
            # a workbook is a file on the office PC: named, never a link (issue 21)
            expect(page.get_by_text("Bảng tính: ")).to_be_visible()
            assert page.locator('a[href^="/"]').count() == 0
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "digest.png"), full_page=True)
            # On a phone (issue 33: 10): no sideways scrolling, the overdue cases labelled, no case ID split.
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto((tmp_path / "digest.html").as_uri())
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
            if "quá hạn (" in html:
                expect(phone.get_by_text("Phụ trách:").first).to_be_visible()
                heights = phone.eval_on_selector_all("strong", "els => els.filter(e => e.textContent.startsWith('HS-'))"
                                                     ".map(e => e.getBoundingClientRect().height)")  # fmt: skip
                assert heights and max(heights) < 30  # one line each
            phone.screenshot(path=str(ARTIFACTS / "digest-390.png"), full_page=True)
        finally:
            browser.close()


def render_tab(workbook: Path, title: str, folder: Path) -> tuple[int, int, bytes]:
    """One tab alone as LibreOffice draws it: (width, height, RGB bytes) of a PPM, no imaging library needed."""
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        missing(INSTALL)
    book = openpyxl.load_workbook(workbook)
    for name in [n for n in book.sheetnames if n != title]:
        del book[name]
    name = workbook.stem + "-tab"
    book.save(folder / f"{name}.xlsx")
    convert = [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(folder / f"{name}.xlsx")]
    subprocess.run(convert, check=True, capture_output=True, timeout=180)
    subprocess.run([pdftoppm, "-r", "50", "-singlefile", str(folder / f"{name}.pdf"), str(folder / name)],
                   check=True, capture_output=True, timeout=60)  # fmt: skip
    data = (folder / f"{name}.ppm").read_bytes()
    magic, width, height, _, pixels = data.split(maxsplit=4)
    assert magic == b"P6"
    return int(width), int(height), pixels


def painted(pixels: bytes, colour: str, tolerance: int = 4) -> int:
    """How many pixels show `colour` ("#RRGGBB")."""
    want = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return sum(
        1 for i in range(0, len(pixels) - 2, 3) if all(abs(pixels[i + k] - want[k]) <= tolerance for k in range(3))
    )


def test_the_health_tab_as_staff_see_it_coloured_by_result(tmp_path):
    """Issue 23: after the demo, the Health tab's results are coloured as LibreOffice draws the
    workbook: green for the runs that went well; red on the copy whose run could not run."""
    from functions.core.sheet_layout import GREEN, RED

    assert careloop("demo", "--dir", "d", cwd=tmp_path).returncode == 0
    _, _, good = render_tab(tmp_path / "d" / "khach-hang.xlsx", "Tình trạng", tmp_path)
    _, _, broken = render_tab(tmp_path / "d" / "khach-hang-thieu-tab.xlsx", "Tình trạng", tmp_path)
    assert painted(good, GREEN) > 50 and painted(good, RED) == 0
    assert painted(broken, RED) > 50
