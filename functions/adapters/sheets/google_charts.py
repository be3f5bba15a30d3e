"""The Dashboard's charts in Google Sheets (addChart): made once, by setup-sheet or by the first
write that finds one missing; afterwards only the cells they draw change, so a run keeps its
request budget. A chart is known by its title, in either language."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from functions.core.i18n import say
from functions.core.sheet_layout import CHART_DOMAIN, CHART_ROWS
from functions.core.sheet_schema import ChartSpec

FIRST_ROW, ROWS_APART, COLUMNS_APART = 31, 18, 6  # 0-based anchor rows and columns, below the figures
WIDTH, HEIGHT = 600, 320


def chart_titles(sheet: Mapping[str, Any]) -> set[str]:
    """The titles of the charts a tab holds, from spreadsheets.get."""
    return {chart.get("spec", {}).get("title", "") for chart in sheet.get("charts", [])}


def missing_charts(
    sheet_id: int, charts: Sequence[ChartSpec], present: Collection[str], positions: Mapping[str, int], language: str
) -> list[dict[str, Any]]:
    """addChart requests for the charts the tab lacks (and whose columns it has)."""
    if CHART_DOMAIN not in positions:
        return []
    requests = []
    for index, spec in enumerate(charts):
        if {spec.title_vi, spec.title_en} & set(present) or not all(k in positions for k in spec.series):
            continue
        anchor = {"sheetId": sheet_id, "rowIndex": FIRST_ROW + index // 2 * ROWS_APART,
                  "columnIndex": index % 2 * COLUMNS_APART}  # fmt: skip
        requests.append({"addChart": {"chart": {
            "spec": _spec(sheet_id, spec, positions, language),
            "position": {"overlayPosition": {"anchorCell": anchor, "widthPixels": WIDTH, "heightPixels": HEIGHT}},
        }}})  # fmt: skip
    return requests


def charts_extent(requests: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """(rows, columns) the grid must have for these addChart requests: Google refuses an anchor or a
    source range outside it."""
    rows = columns = 0
    for request in requests:
        chart = request["addChart"]["chart"]
        anchor = chart["position"]["overlayPosition"]["anchorCell"]
        rows, columns = max(rows, anchor["rowIndex"] + 1), max(columns, anchor["columnIndex"] + 1)
        basic = chart["spec"]["basicChart"]
        ranges = [basic["domains"][0]["domain"]["sourceRange"]] + [s["series"]["sourceRange"] for s in basic["series"]]
        for part in (p for r in ranges for p in r["sources"]):
            rows, columns = max(rows, part["endRowIndex"]), max(columns, part["endColumnIndex"])
    return rows, columns


def _column(sheet_id: int, position: int) -> dict[str, Any]:
    """The header row and the weeks below it, in one column."""
    return {"sources": [{"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1 + CHART_ROWS,
                         "startColumnIndex": position, "endColumnIndex": position + 1}]}  # fmt: skip


def _spec(sheet_id: int, spec: ChartSpec, positions: Mapping[str, int], language: str) -> dict[str, Any]:
    return {
        "title": spec.title(language),
        "basicChart": {
            "chartType": spec.kind,
            "legendPosition": "BOTTOM_LEGEND",
            "headerCount": 1,
            "stackedType": "STACKED" if spec.stacked else "NOT_STACKED",
            "axis": [
                {"position": "BOTTOM_AXIS", "title": say("chart_weeks", language)},
                {"position": "LEFT_AXIS", "title": spec.axis(language)},
            ],  # fmt: skip
            "domains": [{"domain": {"sourceRange": _column(sheet_id, positions[CHART_DOMAIN])}}],
            "series": [
                {"series": {"sourceRange": _column(sheet_id, positions[key])}, "targetAxis": "LEFT_AXIS"}
                for key in spec.series
            ],  # fmt: skip
        },
    }
