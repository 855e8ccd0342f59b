from decimal import Decimal

import polars as pl

from redcross.core.registry import load_registry
from redcross.transforms.forms import RAW_ROW_SCHEMA, clean_form_rows, form_rows, indicator_keys_frame, locate_form


def grid(rows: list[list[str | None]]) -> pl.DataFrame:
    width = max(len(r) for r in rows)
    columns = {chr(65 + c): [r[c] if c < len(r) else None for r in rows] for c in range(width)}
    return pl.DataFrame(columns, schema={k: pl.String for k in columns}).with_row_index("row", offset=1)


FORM = grid([
    ["绍兴市红十字会工作统计表"],
    [None, "填报单位", "绍兴县红十字会", None, "报告期：２０１７年１－６月"],
    ["金额单位：万元"],
    [],
    ["序号", "指 标", "单位", "本年累计", "上年同期", "备注"],
    ["1", "1.救护员培训(人)", None, "21,810", "17448"],
    [None, "二、三献工作"],
    ["2", "（三）捐赠收入", None, "1459.55", None],
    ["3", "捐赠支出", "元", "998.36万元", None],
    ["4", "不认识的指标", "人", "5", None],
    [None, "注：本表为示例"],
    ["填表人：王小明", None, "联系电话：13900001111"],
    ["5", "普及培训", "人次", "99", None],
])


def test_form_parts_are_found_wherever_they_are():
    layout = locate_form(FORM)
    assert (layout.header_row, layout.end_row) == (5, 11)
    assert (layout.name_column, layout.unit_column, layout.value_column, layout.prior_column) == ("B", "C", "D", "E")
    assert (layout.unit.text, layout.unit.cell) == ("绍兴县红十字会", "C2")
    assert (layout.period.text, layout.period.cell) == ("２０１７年１－６月", "E2")  # as written, for messages
    assert layout.money_unit == "万元"


def test_rows_are_cleaned_to_exact_stored_units_and_the_footer_is_never_read():
    layout = locate_form(FORM)
    raw = pl.LazyFrame(form_rows(FORM, layout), schema=RAW_ROW_SCHEMA).with_columns(is_formula=False, is_date=False)
    rows = clean_form_rows(raw, indicator_keys_frame(load_registry())).sort("row")
    got = rows.select("indicator_code", "value", "value_cell", "prior_value").collect().rows()
    assert got == [
        ("first_aid_trained", Decimal("21810.00"), "D6", Decimal("17448.00")),
        ("donation_income", Decimal("14595500.00"), "D8", None),
        ("donation_expenditure", Decimal("9983600.00"), "D9", None),
        (None, Decimal("5.00"), "D10", None),
    ]


def test_a_sheet_without_a_header_row_holds_no_form():
    assert locate_form(grid([["填报单位：柯桥区"], ["随便写的"]])) is None
