"""The annual report as an Excel workbook, written with xlsxwriter.

Sheets: 汇总 (the narrative, the city table, the units' figures and three native charts the office
can restyle), where the city set its units targets 各单位目标 (the units ranked by completion, a
chart per indicator against 序时进度 or 100%), one sheet per indicator (each unit's figure, share,
growth, ranked, with the file and cell it came from), 本期修订 (what resubmissions changed),
报送情况 (the year's coverage grid), 数据来源 (every figure's submission: file, SHA-256, sheet,
cell) and 图表数据 (the ranges the charts read). Numbers are written as numbers, from exact decimals: money in 万元,
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

from redcross.core.decimals import in_wan, round_half_up
from redcross.core.registry import Indicator
from redcross.report.model import (
    CONTRIBUTION_CHART_UNITS,
    COVERAGE_LEGEND,
    LOCK_MARK,
    STATE_LABELS,
    Figure,
    RankRow,
    Report,
    lock_notes,
    month_label,
)
from redcross.report.narrative import narrative, precision_note
from redcross.report.text_formats import GAP_HEADER, inert

SUMMARY = "汇总"
RANKING = "各单位目标"
REVISIONS = "本期修订"
COVERAGE = "报送情况"
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


def cell_points(value: Fraction | None) -> Decimal | None:
    """A gap to the calendar in percentage points (6.2 for 超序时进度6.20个百分点), half-up at two places."""
    return None if value is None else round_half_up(value, 2)


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
    points: Format  # a signed gap in percentage points
    counts: dict[str, Format]  # shown unit -> format with the unit after the number
    states: dict[str, Format]  # coverage state -> its cell's colours

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
        points=book.add_format(base | {"num_format": "+0.00;-0.00;0.00"}),
        counts={unit: book.add_format(base | {"num_format": f'#,##0"{unit}"'}) for unit in count_units},
        states={state: book.add_format(base | {"align": "center"} | colours) for state, colours in STATE_COLOURS.items()},
    )


# the coverage grid's cells, as the HTML report colours them
STATE_COLOURS = {
    "accepted": {"bg_color": "#E8F3E8", "font_color": "#1E5E1E"},
    "rejected": {"bg_color": "#FDE8E8", "font_color": "#9B0000", "bold": True},
    "missing": {"bg_color": "#FFF4E5", "font_color": "#8A5A00", "bold": True},
}


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
    ranking = book.add_worksheet(RANKING) if report.targeted_indicators else None
    indicator_sheets = {i.code: book.add_worksheet(sheet_name(i)) for i in report.registry.indicators
                        if report.city(i.code)}
    revisions = book.add_worksheet(REVISIONS)
    coverage = book.add_worksheet(COVERAGE) if report.coverage and report.coverage.months else None
    sources = book.add_worksheet(SOURCES)
    chart_data = book.add_worksheet(CHART_DATA)
    _write_summary(book, summary, chart_data, report, fmt, indicator_sheets)
    if ranking is not None:
        _write_ranking(book, ranking, chart_data, report, fmt)
    for code, sheet in indicator_sheets.items():
        _write_indicator_sheet(book, sheet, report, report.registry.indicator(code), fmt)
    _write_revisions(revisions, report, fmt)
    if coverage is not None:
        _write_coverage(coverage, report, fmt)
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


def city_headers(report: Report) -> list[str]:
    """The city table's columns: before December the gap to the calendar comes before 明细."""
    if not report.before_december:
        return CITY_HEADERS
    return [*CITY_HEADERS[:-1], GAP_HEADER, CITY_HEADERS[-1]]


def reference_line(report: Report, whole_year: str = "省定指标") -> tuple[str, Decimal]:
    """The line completions are read against, as the chart names it and the cell holds it (a fraction
    of 1): 序时进度 before December, else the whole year's target (the province's for the city)."""
    if report.before_december:
        shown = round_half_up(report.time_progress, 2)
        return f"序时进度({shown}%)", shown / 100
    return f"{whole_year}(100%)", Decimal(1)


def _write_summary(book, sheet: Worksheet, chart_data: Worksheet, report: Report, fmt: Formats,
                   indicator_sheets: dict[str, Worksheet]) -> None:
    _page_setup(sheet)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 6, 14)
    sheet.write_string(0, 0, f"绍兴市红十字会工作统计 {report.period}", fmt.title)
    sheet.write_string(1, 0, f"{precision_note()}每个数字的来源见「数据来源」表及各指标明细表。", fmt.note)
    sheet.merge_range(2, 0, 2, 6, narrative(report), fmt.narrative)
    sheet.set_row(2, 210)
    sheet.write_string(CITY_TABLE_ROW - 1, 0, "全市指标", fmt.title)
    sheet.write_row(CITY_TABLE_ROW, 0, city_headers(report), fmt.header)
    city = [(i, f) for i in report.registry.indicators if (f := report.city(i.code))]
    for row, (indicator, figure) in enumerate(city, start=CITY_TABLE_ROW + 1):
        _write_city_row(sheet, row, indicator, figure, fmt, indicator_sheets[indicator.code].name,
                        report.before_december)
    units_row = CITY_TABLE_ROW + len(city) + 3
    _write_unit_matrix(sheet, units_row, report, fmt)
    _write_summary_charts(book, sheet, chart_data, report, units_row, fmt)


def _write_city_row(sheet: Worksheet, row: int, indicator: Indicator, figure: Figure, fmt: Formats,
                    detail_sheet: str, calendar: bool) -> None:
    amount = fmt.amount(indicator)
    sheet.write_string(row, 0, indicator.name, fmt.text)
    sheet.write_number(row, 1, cell_amount(figure.total, indicator), amount)
    target = None if figure.target is None else cell_amount(figure.target, indicator)
    prior = None if figure.prior_total is None else cell_amount(figure.prior_total, indicator)
    _number_or_dash(sheet, row, 2, target, amount, fmt.dash)
    _number_or_dash(sheet, row, 3, cell_percent(figure.completion), fmt.percent, fmt.dash)
    _number_or_dash(sheet, row, 4, prior, amount, fmt.dash)
    _number_or_dash(sheet, row, 5, cell_percent(figure.growth), fmt.percent, fmt.dash)
    if figure.on_comparable_basis and figure.growth is not None:
        basis = figure.comparable
        sheet.write_comment(row, 5, f"同比为{basis.label}，不含{basis.left_out_text}", {"x_scale": 2})
    if calendar:
        _number_or_dash(sheet, row, 6, cell_points(figure.schedule_gap), fmt.points, fmt.dash)
    sheet.write_url(row, 7 if calendar else 6, f"internal:'{detail_sheet}'!A1", fmt.text, string="各单位明细")


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
    growth = [(i.name + ("（可比口径）" if f.on_comparable_basis else ""), p) for i in report.registry.indicators
              if (f := report.city(i.code)) and (p := cell_percent(f.growth)) is not None]
    line, level = reference_line(report)
    data.write_row(0, 0, ["指标", "完成率", line], fmt.header)
    for row, (name, value) in enumerate(completion, start=1):
        data.write_string(row, 0, name, fmt.text)
        data.write_number(row, 1, value, fmt.percent)
        data.write_number(row, 2, level, fmt.percent)
    data.write_row(0, 4, ["指标", "同比增长"], fmt.header)
    for row, (name, value) in enumerate(growth, start=1):
        data.write_string(row, 4, name, fmt.text)
        data.write_number(row, 5, value, fmt.percent)
    data.set_column(0, 5, 16)
    anchor = units_top + len(report.registry.units) + 3
    if completion:
        title = "全年目标完成率" if report.before_december else "省定指标完成率"
        chart = _completion_chart(book, [CHART_DATA, 1, 0, len(completion), 0], [CHART_DATA, 1, 1, len(completion), 1],
                                  [CHART_DATA, 1, 2, len(completion), 2], title, line)
        sheet.insert_chart(anchor, 0, chart, {"x_scale": 1.4, "y_scale": 1.1})
    if growth:
        sheet.insert_chart(anchor + 18, 0, _growth_chart(book, len(growth)), {"x_scale": 1.4, "y_scale": 1.4})
    if len(report.registry.units) <= CONTRIBUTION_CHART_UNITS:
        sheet.insert_chart(anchor + 40, 0, _contribution_chart(book, report, units_top),
                           {"x_scale": 1.8, "y_scale": 1.6})


def _completion_chart(book, categories: list, values: list, reference: list, title: str, line_name: str):
    """Completions as columns, against a dashed line (100%, or 序时进度 before December); each
    argument but the names is a range [sheet, first row, col, last row, col]."""
    chart = book.add_chart({"type": "column"})
    chart.add_series({"name": "完成率", "categories": categories, "values": values, "fill": {"color": "#C00000"},
                      "data_labels": {"value": True, "num_format": "0.00%"}})
    line = book.add_chart({"type": "line"})
    line.add_series({"name": line_name, "categories": categories, "values": reference,
                     "line": {"color": "#404040", "dash_type": "dash"}})
    chart.combine(line)
    chart.set_title({"name": title})
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


# --- 各单位目标 ------------------------------------------------------------------------------------

UNIT_TARGET = "全年目标"  # what the city set a unit, as against the province's 省定指标
RANKING_CHART_COLUMN = 7  # in 图表数据, each indicator's block of three columns starts here, one apart


def ranking_headers(report: Report) -> list[str]:
    gap = [GAP_HEADER] if report.before_december else []
    return ["排名", "单位", "本期数", "全年目标", "完成率", *gap, "同比增长"]


def _write_ranking(book, sheet: Worksheet, data: Worksheet, report: Report, fmt: Formats) -> None:
    """Per indicator the city set units targets for: the units by rank, and a chart of their completions."""
    _page_setup(sheet)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 6, 14)
    line, _ = reference_line(report, UNIT_TARGET)
    sheet.write_string(0, 0, f"各单位目标完成情况 {report.period}", fmt.title)
    sheet.write_string(1, 0, f"按完成率（精确值）排名，相同者并列；图中虚线为{line}。", fmt.note)
    top = 3
    for block, code in enumerate(report.targeted_indicators):
        indicator = report.registry.indicator(code)
        rows = report.ranking(code)
        sheet.write_string(top, 0, f"{indicator.name}（{indicator.shown_unit}）", fmt.title)
        sheet.write_row(top + 1, 0, ranking_headers(report), fmt.header)
        for row, rank_row in enumerate(rows, start=top + 2):
            _write_rank_row(sheet, row, rank_row, indicator, report.before_december, fmt)
        reported = [r for r in rows if r.figure is not None and r.figure.completion is not None]
        if reported:
            chart = _ranking_chart(book, data, report, indicator, reported, block, fmt)
            sheet.insert_chart(top, len(ranking_headers(report)) + 1, chart, {"x_scale": 1.1, "y_scale": 0.9})
        top += max(len(rows) + 4, 16)


def _write_rank_row(sheet: Worksheet, row: int, rank_row: RankRow, indicator: Indicator, calendar: bool,
                    fmt: Formats) -> None:
    amount = fmt.amount(indicator)
    sheet.write_string(row, 1, inert(rank_row.unit_name), fmt.text)
    sheet.write_number(row, 3, cell_amount(rank_row.target, indicator), amount)
    figure = rank_row.figure
    if figure is None:
        for col in (0, 4, 5, *((6,) if calendar else ())):
            sheet.write_string(row, col, NONE, fmt.dash)
        sheet.write_string(row, 2, NOT_REPORTED, fmt.dash)
        return
    _number_or_dash(sheet, row, 0, figure.rank, fmt.text, fmt.dash)
    sheet.write_number(row, 2, cell_amount(figure.total, indicator), amount)
    _number_or_dash(sheet, row, 4, cell_percent(figure.completion), fmt.percent, fmt.dash)
    if calendar:
        _number_or_dash(sheet, row, 5, cell_points(figure.schedule_gap), fmt.points, fmt.dash)
    _number_or_dash(sheet, row, 6 if calendar else 5, cell_percent(figure.growth), fmt.percent, fmt.dash)


def _ranking_chart(book, data: Worksheet, report: Report, indicator: Indicator, rows: list[RankRow], block: int,
                   fmt: Formats):
    """One indicator's units' completions as columns against the reference line; its data in 图表数据."""
    col = RANKING_CHART_COLUMN + 4 * block
    line, level = reference_line(report, UNIT_TARGET)
    data.write_row(0, col, [indicator.name, "完成率", line], fmt.header)
    for row, rank_row in enumerate(rows, start=1):
        data.write_string(row, col, inert(rank_row.unit_name), fmt.text)
        data.write_number(row, col + 1, cell_percent(rank_row.figure.completion), fmt.percent)
        data.write_number(row, col + 2, level, fmt.percent)
    data.set_column(col, col + 2, 14)
    last = len(rows)
    return _completion_chart(book, [CHART_DATA, 1, col, last, col], [CHART_DATA, 1, col + 1, last, col + 1],
                             [CHART_DATA, 1, col + 2, last, col + 2], f"{indicator.name}：各单位完成全年目标", line)


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
    if city.on_comparable_basis and city.growth is not None:
        sheet.write_string(4, 1, f"同比为{city.comparable.label}，不含{city.comparable.left_out_text}", fmt.note)
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


# --- 本期修订, 报送情况 -------------------------------------------------------------------------------

REVISION_HEADERS = ["单位", "指标", "原数", "新数", "原报表", "原报表编号", "新报表", "新报表编号", "收到新报表(UTC)"]


def _write_revisions(sheet: Worksheet, report: Report, fmt: Formats) -> None:
    """What the units' later forms for the period changed, with both files."""
    _page_setup(sheet)
    sheet.write_string(0, 0, f"本期修订 {report.period}", fmt.title)
    if not report.revisions:
        sheet.write_string(2, 0, "本期没有单位修订已报数字。", fmt.note)
        return
    sheet.write_string(1, 0, "单位重报本期报表后变动的数字；以后收到的报表为准。", fmt.note)
    for col, width in enumerate([10, 22, 14, 14, 40, 18, 40, 18, 18]):
        sheet.set_column(col, col, width)
    sheet.write_row(3, 0, REVISION_HEADERS, fmt.header)
    for row, r in enumerate(report.revisions, start=4):
        indicator = report.registry.indicator(r.indicator_code)
        amount = fmt.amount(indicator)
        sheet.write_string(row, 0, inert(r.unit_name), fmt.text)
        sheet.write_string(row, 1, indicator.name, fmt.text)
        for col, value in ((2, r.old_value), (3, r.new_value)):
            _number_or_dash(sheet, row, col, None if value is None else cell_amount(value, indicator), amount, fmt.dash)
        texts = [r.old_file, r.old_submission_id, r.new_file, r.new_submission_id, f"{r.revised_at:%Y-%m-%d %H:%M}"]
        for col, text in enumerate(texts, start=4):
            sheet.write_string(row, col, inert(text), fmt.text)
    _write_lock_marks(sheet, report, fmt)
    sheet.freeze_panes(4, 0)


def _write_lock_marks(sheet: Worksheet, report: Report, fmt: Formats) -> None:
    """A column marking (†) the figures revised after the period was locked, and the footnotes; nothing
    when there are none, so the sheet of a period never locked is as before."""
    notes = lock_notes(report.revisions)
    if not notes:
        return
    column = len(REVISION_HEADERS)
    sheet.set_column(column, column, 30)
    sheet.write_string(3, column, f"{LOCK_MARK} 封账后修订 / after the lock", fmt.header)
    for row, r in enumerate(report.revisions, start=4):
        if r.after_lock:
            sheet.write_string(row, column, inert(f"{LOCK_MARK} {r.reason or '—'}"), fmt.text)
    for offset, note in enumerate(notes, start=len(report.revisions) + 5):
        sheet.write_string(offset, 0, inert(note), fmt.note)


def _write_coverage(sheet: Worksheet, report: Report, fmt: Formats) -> None:
    """The year's grid: units down, the periods across, each cell 已报, 退回 or 缺报; then 迟报 and 按时报送率."""
    coverage = report.coverage
    _page_setup(sheet, landscape=False)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, len(coverage.months), 9)
    sheet.write_string(0, 0, f"{coverage.year}年报送情况", fmt.title)
    sheet.write_row(2, 0, ["单位", *(month_label(m) for m in coverage.months)], fmt.header)
    for row, (_, name, states) in enumerate(coverage.rows, start=3):
        sheet.write_string(row, 0, inert(name), fmt.text)
        for col, state in enumerate(states, start=1):
            sheet.write_string(row, col, STATE_LABELS[state], fmt.states[state])
    below = 4 + len(coverage.rows)
    for line in (coverage.late_line(), coverage.on_time_line()):
        if line:
            sheet.write_string(below, 0, line, fmt.note)
            below += 1
    sheet.write_string(below, 0, f"图例：{COVERAGE_LEGEND}", fmt.note)
    sheet.freeze_panes(3, 1)


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
