"""A blank statistics form in the standard layout, for a unit and year, that the pipeline reads back unchanged.

Only the value cells (本期数, 上年同期数, 备注) and the footer's answer cells can be edited; the rest of
the sheet is protected. Excel's data validation keeps values non-negative, and whole for counts.
Money is asked for in 万元, the unit the forms have always used.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from redcross.core.periods import period_label
from redcross.core.registry import Indicator, Registry, Unit

TITLE = "绍兴市红十字会工作统计表"
HEADERS = ["序号", "指标名称", "计量单位", "本期数", "上年同期数", "备注"]
HEADER_ROW = 3  # zero-based: row 4 in Excel
FOOTER = ["填表人：", "联系电话：", "填报日期：", "单位负责人："]
MONEY_UNIT = "万元"


def form_unit(indicator: Indicator) -> str:
    """The unit the form asks the figure in: 万元 for money, else the unit the report shows."""
    return MONEY_UNIT if indicator.kind == "money" else indicator.shown_unit


def validation(indicator: Indicator) -> dict:
    """Excel data validation for a value cell: >= 0, and a whole number for counts."""
    kind = "decimal" if indicator.kind == "money" else "integer"
    rule = "非负数" if indicator.kind == "money" else "非负整数"
    return {
        "validate": kind, "criteria": ">=", "value": 0, "ignore_blank": True,
        "input_title": indicator.name, "input_message": f"请填写{rule}，单位：{form_unit(indicator)}",
        "error_title": "数值不符合要求", "error_message": f"{indicator.name}应为{rule}（{form_unit(indicator)}）。",
    }


def write_template(registry: Registry, unit: Unit, year: int, path: Path, month: int = 12) -> Path:
    """Write the blank form for `unit` and the period (`year`年, or `year`年1-`month`月) to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("统计表")
    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
    locked = book.add_format(base | {"border": 1})
    header = book.add_format(base | {"border": 1, "bold": True, "align": "center", "bg_color": "#F2F2F2"})
    money = book.add_format(base | {"border": 1, "locked": False, "num_format": "0.00####", "bg_color": "#FFFFE0"})
    count = book.add_format(base | {"border": 1, "locked": False, "num_format": "0", "bg_color": "#FFFFE0"})
    note = book.add_format(base | {"border": 1, "locked": False})
    answer = book.add_format(base | {"locked": False, "bottom": 1})
    period = period_label(year, month)

    sheet.merge_range(0, 0, 0, 5, TITLE, book.add_format(base | {"bold": True, "font_size": 16, "align": "center"}))
    sheet.write_string(1, 0, f"填报单位：{unit.name}", book.add_format(base))
    sheet.write_string(1, 3, f"报告期：{period}", book.add_format(base))
    sheet.write_row(HEADER_ROW, 0, HEADERS, header)
    for number, indicator in enumerate(registry.indicators, start=1):
        row = HEADER_ROW + number
        sheet.write_number(row, 0, number, locked)
        sheet.write_string(row, 1, indicator.name, locked)
        sheet.write_string(row, 2, form_unit(indicator), locked)
        value_format = money if indicator.kind == "money" else count
        sheet.write_blank(row, 3, None, value_format)
        sheet.write_blank(row, 4, None, value_format)
        sheet.write_blank(row, 5, None, note)
        sheet.data_validation(row, 3, row, 4, validation(indicator))
    _write_footer(sheet, HEADER_ROW + len(registry.indicators) + 2, answer, book.add_format(base))
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 2, 10)
    sheet.set_column(3, 4, 14)
    sheet.set_column(5, 5, 20)
    sheet.set_paper(9)
    sheet.protect("", {"format_columns": True, "format_rows": True})
    book.close()
    return path


def _write_footer(sheet, top: int, answer, label) -> None:
    """填表人, 联系电话, 填报日期, 单位负责人: labels, with the cell beside each left blank to fill in."""
    for offset, text in enumerate(FOOTER):
        row, col = top + offset // 2, (offset % 2) * 3
        sheet.write_string(row, col, text, label)
        sheet.merge_range(row, col + 1, row, col + 2, None, answer)
