"""The city summary workbook (wide layout): one sheet per year, one row per unit, one column per
indicator with its unit in the header (`救护员培训(人)`, `捐赠收入(万元)`), perhaps a 合计 row.

`locate_summary` finds the header row and which column holds which indicator; `summary_rows`
turns each unit row into the same long rows a district form gives (one per indicator, with the
cell each figure came from), so the same cleaning and the same suites apply to both layouts.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from transforms.forms import HEADER_SEARCH_ROWS, _cells
from transforms.text import fold, split_label

UNIT_HEADERS = {"单位", "填报单位", "单位名称", "地区", "县(市、区)", "区县"}
TOTAL_LABELS = {"合计", "总计", "全市合计", "全市"}


@dataclass(frozen=True)
class SummaryLayout:
    header_row: int
    unit_column: str
    indicator_columns: dict[str, str]  # column letter -> header text as written


def locate_summary(grid: pl.DataFrame, indicator_keys: dict[str, str]) -> SummaryLayout | None:
    """The header row with a unit column and at least three indicator columns, or None."""
    cells = _cells(grid)
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
        )
        for column, header in layout.indicator_columns.items()
    ]
    return pl.concat(parts)


def is_total_row(unit_name: str) -> bool:
    return fold(unit_name) in TOTAL_LABELS
