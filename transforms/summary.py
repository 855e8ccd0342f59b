"""The city summary workbook (wide layout): one sheet per year, one row per unit, one column per
indicator with its unit in the header (`救护员培训(人)`, `捐赠收入(万元)`), perhaps a 合计 row.

`locate_summary` finds the header row and which column holds which indicator; `summary_rows`
turns each unit row into the same long rows a district form gives (one per indicator, with the
cell each figure came from), so the same cleaning and the same suites apply to both layouts.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from redcross.core.forms import Arrival, Form, Labelled, RowsAt, TotalCheck
from redcross.core.labels import fold, split_label
from redcross.core.registry import Registry
from redcross.core.sheets import SheetGrid
from redcross.transforms.forms import HEADER_SEARCH_ROWS, cells_of, clean_form_rows, indicator_keys_frame
from redcross.transforms.periods import parse_period

UNIT_HEADERS = {"单位", "填报单位", "单位名称", "地区", "县(市、区)", "区县"}
TOTAL_LABELS = {"合计", "总计", "全市合计", "全市"}


@dataclass(frozen=True)
class SummaryLayout:
    header_row: int
    unit_column: str
    indicator_columns: dict[str, str]  # column letter -> header text as written


def locate_summary(grid: pl.DataFrame, indicator_keys: dict[str, str]) -> SummaryLayout | None:
    """The header row with a unit column and at least three indicator columns, or None."""
    cells = cells_of(grid)
    for row in sorted({c[0] for c in cells})[:HEADER_SEARCH_ROWS]:
        header = [(column, text) for r, column, text in cells if r == row]
        unit_column = next((column for column, text in header if text in UNIT_HEADERS), None)
        indicators = {column: text for column, text in header if split_label(text)[0] in indicator_keys}
        if unit_column and len(indicators) >= 3:
            return SummaryLayout(row, unit_column, indicators)
    return None


def summary_rows(grid: pl.DataFrame, layout: SummaryLayout) -> pl.LazyFrame:
    """One row per unit row and indicator column: unit_text, label, unit_text (measure), value_text, cells."""
    body = grid.lazy().filter(pl.col("row") > layout.header_row).filter(pl.col(layout.unit_column).is_not_null())
    parts = [
        body.select(
            pl.col("row"),
            pl.col(layout.unit_column).alias("unit_name"),
            pl.format(f"{layout.unit_column}{{}}", pl.col("row")).alias("unit_name_cell"),
            pl.lit(header).alias("label"),
            pl.lit(f"{column}{layout.header_row}").alias("label_cell"),
            pl.lit(None, pl.String).alias("unit_text"),
            pl.lit(None, pl.String).alias("unit_cell"),
            pl.col(column).alias("value_text"),
            pl.format(f"{column}{{}}", pl.col("row")).alias("value_cell"),
            pl.lit(None, pl.String).alias("prior_text"),
            pl.lit(None, pl.String).alias("prior_cell"),
            pl.lit(None, pl.String).alias("money_hint"),
            pl.lit(None, pl.String).alias("remark"),  # the wide layout has no 备注 column
        )
        for column, header in layout.indicator_columns.items()
    ]
    return pl.concat(parts)


def is_total_row(unit_name: str) -> bool:
    return fold(unit_name) in TOTAL_LABELS


def summary_forms(source: Arrival, grid: SheetGrid, layout: SummaryLayout,
                  registry: Registry) -> tuple[list[Form], list[TotalCheck]]:
    """A form per unit row of a year's sheet, cleaned, and the sheet's 合计 checks."""
    formulas = pl.lit(sorted(grid.formulas_without_value), pl.List(pl.String))
    dates = pl.lit(sorted(grid.dates), pl.List(pl.String))
    raw = summary_rows(grid.cells, layout).with_columns(
        pl.col("value_cell").is_in(formulas).alias("is_formula"), pl.col("value_cell").is_in(dates).alias("is_date"))
    rows = clean_form_rows(raw, indicator_keys_frame(registry)).collect().sort("row")
    period = parse_period(grid.sheet if "年" in grid.sheet else f"{grid.sheet}年")
    period_written = Labelled(grid.sheet, None)
    forms, total_rows = [], None
    for (row_number, unit_name, unit_cell), unit_rows in rows.group_by(
        "row", "unit_name", "unit_name_cell", maintain_order=True
    ):
        if is_total_row(unit_name):
            total_rows = unit_rows
            continue
        unit = registry.unit_for(unit_name)
        forms.append(Form(
            source, grid.sheet, Labelled(unit_name, unit_cell), period_written, unit.code if unit else None,
            period, RowsAt.whole(unit_rows.drop("unit_name", "unit_name_cell")), part=f"{grid.sheet}!{row_number}",
            formulas=grid.formulas_without_value,
        ))
    checks = []
    if total_rows is not None:
        summed = rows.filter(~pl.col("row").is_in([total_rows["row"][0]])).group_by("indicator_code").agg(
            pl.col("value").sum())
        sums = dict(summed.iter_rows())
        for code, value, cell in total_rows.select("indicator_code", "value", "value_cell").iter_rows():
            if code is not None:
                checks.append(TotalCheck(tuple(forms), grid.sheet, cell, code, value, sums.get(code)))
    return forms, checks
