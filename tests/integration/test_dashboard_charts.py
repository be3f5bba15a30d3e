"""The Dashboard's charts on both back ends: four charts over the twelve-week series — CSAT, cases
by tier (stacked), first response in time by tier, messages by channel (stacked) — with their
data ranges checked; made once on Google (setup-sheet, or the first write that misses one) so a
run keeps its request budget; redrawn in a workbook every time careloop saves it."""

from __future__ import annotations

import re
import zipfile

from functions.core.sheet_layout import CHART_ROWS, chart_tabs, dashboard_charts, layouts
from functions.core.sheet_schema import dashboard_tab
from functions.core.tables import RowWrite, TabWrite
from tests.helpers.rules import channel_book
from tests.helpers.sheets_server import SheetsServer

KEY = "charts"
DASHBOARD = dashboard_tab(channel_book())  # with a "By <channel>" column for each channel
DASHBOARD_CHARTS = dashboard_charts(channel_book())
SERIES_TITLES = {c.key: c.series for c in DASHBOARD_CHARTS}


def google(server):
    from functions.adapters.sheets.google import GoogleSheet
    from functions.adapters.sheets.google_http import Connection

    return GoogleSheet(Connection(KEY, server.url, "none", sleep=lambda s: None), chart_tabs(channel_book()))


def weekly_block():
    """Twelve weeks of made-up figures, as the escalation run writes them."""
    rows = [RowWrite(0, str(n), {"week_no": n, "week": f"2026-W{36 + n}", "satisfied": 60 + n, "opened_t1": n,
                                 "opened_t2": 1, "opened_t3": n % 2, "sla_t1": 90, "sla_t2": 80, "sla_t3": 100,
                                 "messages_email": 10 + n, "messages_sms": 3, "messages_zalo": 5}, append=True)
            for n in range(1, 13)]  # fmt: skip
    return TabWrite(DASHBOARD, DASHBOARD.column("week_no"), rows, "vi")


def test_setup_sheet_makes_the_four_charts_over_the_weekly_columns_once():
    with SheetsServer() as server:
        server.state.create(KEY, {"Sheet1": []})
        actions = google(server).prepare(layouts(channel_book(), "vi"), "vi")
        assert "+ 'Tổng quan': chart 'CSAT theo tuần'" in actions
        grid = server.state.book(KEY).grid("Tổng quan")
        header = server.state.rows(KEY, "Tổng quan")[0]
        charts = {c["spec"]["title"]: c["spec"]["basicChart"] for c in grid.charts}
        assert sorted(charts) == sorted(c.title_vi for c in DASHBOARD_CHARTS)
        for chart in DASHBOARD_CHARTS:
            basic = charts[chart.title_vi]
            domain = basic["domains"][0]["domain"]["sourceRange"]["sources"][0]
            assert domain["startColumnIndex"] == header.index("Tuần") and domain["endRowIndex"] == 1 + CHART_ROWS
            columns = [s["series"]["sourceRange"]["sources"][0]["startColumnIndex"] for s in basic["series"]]
            assert [header[c] for c in columns] == [DASHBOARD.column(k).title_vi for k in chart.series]
            assert basic["chartType"] == chart.kind and basic["headerCount"] == 1
            assert basic["stackedType"] == ("STACKED" if chart.stacked else "NOT_STACKED")
        assert google(server).prepare(layouts(channel_book(), "vi"), "vi") == []  # once


def test_a_dashboard_without_charts_gets_them_from_its_first_write_then_only_values_change():
    with SheetsServer() as server:
        server.state.create(KEY, {"Tổng quan": [["Chỉ số", "Giá trị", "Kỳ"]]})
        google(server).write([weekly_block()])
        assert len(server.state.book(KEY).grid("Tổng quan").charts) == 4
        server.state.log.clear()
        sheet = google(server)  # a later run: it reads, then writes one changed cell
        sheet.read([DASHBOARD])
        sheet.write([TabWrite(DASHBOARD, DASHBOARD.column("week_no"), [RowWrite(13, "12", {"satisfied": 99})], "vi")])
        kinds = [e["kind"] for e in server.state.log]
        assert kinds == ["spreadsheets.get", "values.batchGet", "spreadsheets.get", "values.batchUpdate"]
        assert len(server.state.book(KEY).grid("Tổng quan").charts) == 4


def chart_ranges(path) -> dict[str, list[str]]:
    """Each chart part's title and the ranges its series read, from the workbook's XML."""
    found = {}
    with zipfile.ZipFile(path) as book:
        for name in sorted(n for n in book.namelist() if n.startswith("xl/charts/chart")):
            xml = book.read(name).decode()
            title = re.search(r"<a:t>([^<]*)</a:t>", xml)[1]
            found[title] = re.findall(r"<f>([^<]*)</f>", xml)
    return found


def test_a_workbook_dashboard_carries_the_four_charts_after_any_save(tmp_path):
    from functions.adapters.sheets.xlsx import XlsxSheet
    from tests.helpers.support import HEADER, write_workbook

    path = write_workbook(tmp_path / "k.xlsx", HEADER, [])
    sheet = XlsxSheet(path, chart_tabs(channel_book()))
    sheet.prepare(layouts(channel_book(), "vi"), "vi")
    sheet.write([weekly_block()])
    ranges = chart_ranges(path)
    assert sorted(ranges) == sorted(c.title_vi for c in DASHBOARD_CHARTS)
    from functions.adapters.sheets.a1 import column_letters

    keys = [c.key for c in DASHBOARD.columns]  # setup-sheet wrote the headers in this order
    weeks, satisfied = (column_letters(keys.index(k)) for k in ("week", "satisfied"))
    assert f"'Tổng quan'!${weeks}$2:${weeks}$13" in ranges["CSAT theo tuần"]  # the weeks along the bottom
    assert f"'Tổng quan'!${satisfied}$2:${satisfied}$13" in ranges["CSAT theo tuần"]  # % hài lòng, twelve weeks
    assert len([r for r in ranges["Hồ sơ mới theo cấp"] if r.endswith("$13")]) == 6  # 3 series + their weeks
    from functions.core.tables import customers_tab_write

    sheet.write([customers_tab_write([RowWrite(0, "C-1", {"id": "C-1", "name": "Lan"}, append=True)], "vi")])
    assert sorted(chart_ranges(path)) == sorted(ranges)  # a save for another tab keeps them
