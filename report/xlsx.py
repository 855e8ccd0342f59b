"""The annual report as an Excel workbook, written with xlsxwriter.

Sheets: 汇总 (the narrative, the city table, the units' figures and three native charts the office
can restyle), one sheet per indicator (each unit's figure, share, growth, ranked, with the file and
cell it came from), 数据来源 (every figure's submission: file, SHA-256, sheet, cell) and 图表数据
(the ranges the charts read). Numbers are written as numbers, from exact decimals: money in 万元,
percentages rounded half-up once, at the two places the tables show.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from core.decimals import in_wan, round_half_up
from core.registry import Indicator
from report.model import CONTRIBUTION_CHART_UNITS, Figure, Report
from report.narrative import narrative
from report.text import inert

SUMMARY = "汇总"
SOURCES = "数据来源"
CHART_DATA = "图表数据"
NOT_REPORTED = "缺报"
NONE = "—"
_SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_name(indicator: Indicator) -> str:
    """The indicator's own sheet: its name, within Excel's 31 characters and allowed characters."""
    return indicator.name.translate(_SHEET_NAME_FORBIDDEN)[:31]


def cell_amount(value: Decimal, indicator: Indicator) -> Decimal:
    """An amount as the cell holds it: money in 万元 (exact), counts as whole numbers."""
    if indicator.kind == "money":
        return in_wan(value)
    return round_half_up(value, 0)


def cell_percent(value: Fraction | None) -> Decimal | None:
    """A percentage as an Excel fraction (1.5075 for 150.75%), rounded half-up at the two places shown."""
    return None if value is None else round_half_up(value, 2) / 100


@dataclass(frozen=True)
class Formats:
    title: Format
    note: Format
    narrative: Format
    header: Format
    text: Format
    dash: Format
    percent: Format
    money: Format
    counts: dict[str, Format]  # shown unit -> format with the unit after the number

    def amount(self, indicator: Indicator) -> Format:
        return self.money if indicator.kind == "money" else self.counts[indicator.shown_unit]


def _formats(book: xlsxwriter.Workbook, report: Report) -> Formats:
    base = {"font_name": "等线", "font_size": 10, "border": 1, "valign": "vcenter"}
    count_units = {i.shown_unit for i in report.registry.indicators if i.kind == "count"}
    return Formats(
        title=book.add_format({"font_name": "等线", "bold": True, "font_size": 16}),
        note=book.add_format({"font_name": "等线", "font_size": 9, "font_color": "#555555"}),
        narrative=book.add_format({"font_name": "等线", "font_size": 11, "text_wrap": True, "valign": "top"}),
        header=book.add_format(base | {"bold": True, "bg_color": "#F2DCDB", "align": "center", "text_wrap": True}),
        text=book.add_format(base),
        dash=book.add_format(base | {"align": "center", "font_color": "#888888"}),
        percent=book.add_format(base | {"num_format": "0.00%"}),
        money=book.add_format(base | {"num_format": '#,##0.00"万元"'}),
        counts={unit: book.add_format(base | {"num_format": f'#,##0"{unit}"'}) for unit in count_units},
    )


def _number_or_dash(sheet: Worksheet, row: int, col: int, value: Decimal | None, fmt: Format, dash: Format) -> None:
    if value is None:
        sheet.write_string(row, col, NONE, dash)
    else:
        sheet.write_number(row, col, value, fmt)


def write_xlsx(report: Report, path: Path) -> Path:
    """Write the report as an .xlsx workbook at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Strings are never turned into formulas, links or numbers, whatever they start with.
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    fmt = _formats(book, report)
    summary = book.add_worksheet(SUMMARY)
    indicator_sheets = {i.code: book.add_worksheet(sheet_name(i)) for i in report.registry.indicators
                        if report.city(i.code)}
    sources = book.add_worksheet(SOURCES)
    chart_data = book.add_worksheet(CHART_DATA)
    _write_summary(book, summary, chart_data, report, fmt, indicator_sheets)
    for code, sheet in indicator_sheets.items():
        _write_indicator_sheet(book, sheet, report, report.registry.indicator(code), fmt)
    _write_sources(sources, report, fmt)
    book.close()
    return path


def _page_setup(sheet: Worksheet, landscape: bool = True) -> None:
    sheet.set_paper(9)  # A4
    if landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


# --- 汇总 ------------------------------------------------------------------------------------------

CITY_HEADERS = ["指标", "本期数", "省定指标", "完成率", "上年同期数", "同比增长", "明细"]
CITY_TABLE_ROW = 5


def _write_summary(book, sheet: Worksheet, chart_data: Worksheet, report: Report, fmt: Formats,
                   indicator_sheets: dict[str, Worksheet]) -> None:
    _page_setup(sheet)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 6, 14)
    sheet.write_string(0, 0, f"绍兴市红十字会工作统计 {report.period}", fmt.title)
    sheet.write_string(1, 0, "金额单位：万元；百分比四舍五入保留两位；每个数字的来源见「数据来源」表及各指标明细表。", fmt.note)
    sheet.merge_range(2, 0, 2, 6, narrative(report), fmt.narrative)
    sheet.set_row(2, 210)
    sheet.write_string(CITY_TABLE_ROW - 1, 0, "全市指标", fmt.title)
    sheet.write_row(CITY_TABLE_ROW, 0, CITY_HEADERS, fmt.header)
    city = [(i, f) for i in report.registry.indicators if (f := report.city(i.code))]
    for row, (indicator, figure) in enumerate(city, start=CITY_TABLE_ROW + 1):
        _write_city_row(sheet, row, indicator, figure, fmt, indicator_sheets[indicator.code].name)
    units_row = CITY_TABLE_ROW + len(city) + 3
    _write_unit_matrix(sheet, units_row, report, fmt)
    _write_summary_charts(book, sheet, chart_data, report, units_row, fmt)


def _write_city_row(sheet: Worksheet, row: int, indicator: Indicator, figure: Figure, fmt: Formats,
                    detail_sheet: str) -> None:
    amount = fmt.amount(indicator)
    sheet.write_string(row, 0, indicator.name, fmt.text)
    sheet.write_number(row, 1, cell_amount(figure.total, indicator), amount)
    target = None if figure.target is None else cell_amount(figure.target, indicator)
    prior = None if figure.prior_total is None else cell_amount(figure.prior_total, indicator)
    _number_or_dash(sheet, row, 2, target, amount, fmt.dash)
    _number_or_dash(sheet, row, 3, cell_percent(figure.completion), fmt.percent, fmt.dash)
    _number_or_dash(sheet, row, 4, prior, amount, fmt.dash)
    _number_or_dash(sheet, row, 5, cell_percent(figure.growth), fmt.percent, fmt.dash)
    sheet.write_url(row, 6, f"internal:'{detail_sheet}'!A1", fmt.text, string="各单位明细")


def _write_unit_matrix(sheet: Worksheet, top: int, report: Report, fmt: Formats) -> None:
    """Each unit's figure for every indicator: the data of the contribution chart."""
    indicators = report.registry.indicators
    sheet.write_string(top - 1, 0, "各单位本期数", fmt.title)
    sheet.write_row(top, 0, ["单位", *(i.name for i in indicators)], fmt.header)
    sheet.set_column(7, len(indicators), 14)
    for row, unit in enumerate(report.registry.units, start=top + 1):
        sheet.write_string(row, 0, inert(unit.name), fmt.text)
        for col, indicator in enumerate(indicators, start=1):
            figure = report.unit(indicator.code, unit.code)
            if figure is None:
                sheet.write_string(row, col, NOT_REPORTED, fmt.dash)
            else:
                sheet.write_number(row, col, cell_amount(figure.total, indicator), fmt.amount(indicator))


def _write_summary_charts(book, sheet: Worksheet, data: Worksheet, report: Report, units_top: int,
                          fmt: Formats) -> None:
    completion = [(i.name, p) for i in report.registry.indicators
                  if (f := report.city(i.code)) and (p := cell_percent(f.completion)) is not None]
    growth = [(i.name, p) for i in report.registry.indicators
              if (f := report.city(i.code)) and (p := cell_percent(f.growth)) is not None]
    data.write_row(0, 0, ["指标", "完成率", "省定指标(100%)"], fmt.header)
    for row, (name, value) in enumerate(completion, start=1):
        data.write_string(row, 0, name, fmt.text)
        data.write_number(row, 1, value, fmt.percent)
        data.write_number(row, 2, 1, fmt.percent)
    data.write_row(0, 4, ["指标", "同比增长"], fmt.header)
    for row, (name, value) in enumerate(growth, start=1):
        data.write_string(row, 4, name, fmt.text)
        data.write_number(row, 5, value, fmt.percent)
    data.set_column(0, 5, 16)
    anchor = units_top + len(report.registry.units) + 3
    if completion:
        sheet.insert_chart(anchor, 0, _completion_chart(book, len(completion)), {"x_scale": 1.4, "y_scale": 1.1})
    if growth:
        sheet.insert_chart(anchor + 18, 0, _growth_chart(book, len(growth)), {"x_scale": 1.4, "y_scale": 1.4})
    if len(report.registry.units) <= CONTRIBUTION_CHART_UNITS:
        sheet.insert_chart(anchor + 40, 0, _contribution_chart(book, report, units_top),
                           {"x_scale": 1.8, "y_scale": 1.6})


def _completion_chart(book, rows: int):
    """Completion of the province's targets as columns, against a 100% line."""
    chart = book.add_chart({"type": "column"})
    chart.add_series({"name": "完成率", "categories": [CHART_DATA, 1, 0, rows, 0],
                      "values": [CHART_DATA, 1, 1, rows, 1], "fill": {"color": "#C00000"},
                      "data_labels": {"value": True, "num_format": "0.00%"}})
    line = book.add_chart({"type": "line"})
    line.add_series({"name": "省定指标(100%)", "categories": [CHART_DATA, 1, 0, rows, 0],
                     "values": [CHART_DATA, 1, 2, rows, 2], "line": {"color": "#404040", "dash_type": "dash"}})
    chart.combine(line)
    chart.set_title({"name": "省定指标完成率"})
    chart.set_y_axis({"num_format": "0%", "min": 0})
    chart.set_legend({"position": "bottom"})
    return chart


def _growth_chart(book, rows: int):
    """Year-on-year growth per indicator, as horizontal bars."""
    chart = book.add_chart({"type": "bar"})
    chart.add_series({"name": "同比增长", "categories": [CHART_DATA, 1, 4, rows, 4],
                      "values": [CHART_DATA, 1, 5, rows, 5], "fill": {"color": "#1F4E79"},
                      "invert_if_negative": False, "data_labels": {"value": True, "num_format": "0.00%"}})
    chart.set_title({"name": "各项指标同比增长"})
    chart.set_x_axis({"num_format": "0%"})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    return chart


def _contribution_chart(book, report: Report, units_top: int):
    """Each unit's share of every city total, as 100% stacked bars (one series per unit)."""
    chart = book.add_chart({"type": "bar", "subtype": "percent_stacked"})
    last_col = len(report.registry.indicators)
    for offset in range(len(report.registry.units)):
        row = units_top + 1 + offset
        chart.add_series({"name": [SUMMARY, row, 0], "categories": [SUMMARY, units_top, 1, units_top, last_col],
                          "values": [SUMMARY, row, 1, row, last_col], "gap": 60})
    chart.set_title({"name": "各单位对全市总量的贡献"})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"num_format": "0%"})
    chart.set_legend({"position": "bottom"})
    return chart


# --- one sheet per indicator ---------------------------------------------------------------------

UNIT_HEADERS = ["排名", "单位", "本期数", "占全市", "上年同期数", "同比增长", "来源文件", "工作表", "单元格", "SHA-256"]


def _write_indicator_sheet(book, sheet: Worksheet, report: Report, indicator: Indicator, fmt: Formats) -> None:
    _page_setup(sheet)
    city = report.city(indicator.code)
    amount = fmt.amount(indicator)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 5, 14)
    sheet.set_column(6, 6, 40)
    sheet.set_column(7, 8, 9)
    sheet.set_column(9, 9, 66)
    sheet.write_string(0, 0, f"{indicator.name} {report.period} 各单位明细", fmt.title)
    sheet.write_row(2, 1, ["全市合计", "省定指标", "完成率", "上年同期数", "同比增长"], fmt.header)
    sheet.write_number(3, 1, cell_amount(city.total, indicator), amount)
    _number_or_dash(sheet, 3, 2, None if city.target is None else cell_amount(city.target, indicator), amount, fmt.dash)
    _number_or_dash(sheet, 3, 3, cell_percent(city.completion), fmt.percent, fmt.dash)
    prior = None if city.prior_total is None else cell_amount(city.prior_total, indicator)
    _number_or_dash(sheet, 3, 4, prior, amount, fmt.dash)
    _number_or_dash(sheet, 3, 5, cell_percent(city.growth), fmt.percent, fmt.dash)
    sheet.write_row(5, 0, UNIT_HEADERS, fmt.header)
    rows = report.breakdown(indicator.code)
    for row, line in enumerate(rows, start=6):
        _write_unit_line(sheet, row, line, report, indicator, fmt)
    sheet.freeze_panes(6, 2)
    reported = sum(1 for line in rows if line.figure)
    if reported:
        chart = book.add_chart({"type": "column"})
        chart.add_series({"name": indicator.name, "categories": [sheet.name, 6, 1, 5 + reported, 1],
                          "values": [sheet.name, 6, 2, 5 + reported, 2], "fill": {"color": "#C00000"}})
        chart.set_title({"name": f"{indicator.name}：各单位本期数"})
        chart.set_legend({"none": True})
        sheet.insert_chart(7 + len(rows), 1, chart, {"x_scale": 1.3})


def _write_unit_line(sheet: Worksheet, row: int, line, report: Report, indicator: Indicator, fmt: Formats) -> None:
    sheet.write_string(row, 1, inert(line.unit_name), fmt.text)
    if line.figure is None:
        sheet.write_string(row, 0, NONE, fmt.dash)
        sheet.write_string(row, 2, NOT_REPORTED, fmt.dash)
        return
    amount = fmt.amount(indicator)
    sheet.write_number(row, 0, line.rank, fmt.text)
    sheet.write_number(row, 2, cell_amount(line.figure.total, indicator), amount)
    _number_or_dash(sheet, row, 3, cell_percent(line.share), fmt.percent, fmt.dash)
    prior = line.figure.prior_total
    _number_or_dash(sheet, row, 4, None if prior is None else cell_amount(prior, indicator), amount, fmt.dash)
    _number_or_dash(sheet, row, 5, cell_percent(line.figure.growth), fmt.percent, fmt.dash)
    for source in report.sources_for(indicator.code, line.unit_code):
        for col, text in enumerate([source.file_name, source.sheet, source.cell, source.sha256], start=6):
            sheet.write_string(row, col, inert(text), fmt.text)


# --- 数据来源 --------------------------------------------------------------------------------------

SOURCE_HEADERS = ["指标", "单位", "数值", "文件名", "SHA-256", "工作表", "单元格", "提示"]


def _write_sources(sheet: Worksheet, report: Report, fmt: Formats) -> None:
    """Every unit figure of the period with the submission, sheet and cell it was read from."""
    _page_setup(sheet)
    sheet.write_row(0, 0, SOURCE_HEADERS, fmt.header)
    for col, width in enumerate([18, 10, 16, 40, 66, 10, 8, 40]):
        sheet.set_column(col, col, width)
    for row, source in enumerate(report.sources, start=1):
        indicator = report.registry.indicator(source.indicator_code)
        sheet.write_string(row, 0, indicator.name, fmt.text)
        sheet.write_string(row, 1, inert(source.unit_name), fmt.text)
        sheet.write_number(row, 2, cell_amount(source.value, indicator), fmt.amount(indicator))
        texts = [source.file_name, source.sha256, source.sheet, source.cell, source.messages]
        for col, text in enumerate(texts, start=3):
            sheet.write_string(row, col, inert(text), fmt.text)
    sheet.autofilter(0, 0, max(len(report.sources), 1), len(SOURCE_HEADERS) - 1)
    sheet.freeze_panes(1, 0)
