"""The Dashboard's charts in a workbook (openpyxl's chart module): drawn over the weekly series
every time careloop saves the workbook, since openpyxl does not keep a workbook's charts when it
loads one. Titles and axes in the language of the tab's headers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from functions.adapters.sheets.a1 import column_letters
from functions.core.i18n import say
from functions.core.sheet_layout import CHART_DOMAIN, CHART_ROWS
from functions.core.sheet_schema import ChartSpec, TabSpec, find_tab, locate_columns
from functions.core.text import header_key

FIRST_ROW = 32  # below the Dashboard's figures (about 30 rows)
ROWS_APART, COLUMNS_APART = 18, 9


def draw_charts(workbook: Any, tab: TabSpec, charts: Sequence[ChartSpec]) -> None:
    title = find_tab(tab, workbook.sheetnames)
    if title is None:
        return
    sheet = workbook[title]
    header = [cell.value for cell in sheet[1]]
    columns = locate_columns(tab, header, require=False)
    sheet._charts = []  # never two of one chart
    if CHART_DOMAIN not in columns:
        return
    language = "en" if header_key(title) == header_key(tab.title_en) else "vi"
    for index, spec in enumerate(charts):
        if all(key in columns for key in spec.series):
            anchor = f"{column_letters(index % 2 * COLUMNS_APART)}{FIRST_ROW + index // 2 * ROWS_APART}"
            sheet.add_chart(_chart(sheet, spec, columns, language), anchor)


def _chart(sheet: Any, spec: ChartSpec, columns: dict[str, int], language: str) -> Any:
    from openpyxl.chart import BarChart, LineChart, Reference

    chart: Any
    if spec.kind == "LINE":
        chart = LineChart()
    else:
        chart = BarChart()
        chart.type = "col"
        if spec.stacked:
            chart.grouping, chart.overlap = "stacked", 100
    chart.title = spec.title(language)
    chart.y_axis.title = spec.axis(language)
    chart.x_axis.title = say("chart_weeks", language)
    chart.x_axis.delete = chart.y_axis.delete = False  # some viewers hide axes openpyxl leaves unset
    chart.width, chart.height = 16, 8
    for key in spec.series:
        data = Reference(sheet, min_col=columns[key] + 1, min_row=1, max_row=1 + CHART_ROWS)
        chart.add_data(data, titles_from_data=True)
    weeks = columns[CHART_DOMAIN] + 1
    chart.set_categories(Reference(sheet, min_col=weeks, min_row=2, max_row=1 + CHART_ROWS))
    for series in chart.series:
        series.smooth = False  # a week's figure is a point, not a curve through it
    return chart
