"""A targets file's sheet (columns 年度, 指标, 目标值) to one row per target, each figure parsed exactly."""

from __future__ import annotations

import polars as pl

from core.registry import Registry
from core.sheets import SheetGrid
from core.text import fold, split_label
from transforms.numbers import parse_figure

COLUMNS = {"年度": "year", "指标": "indicator", "目标值": "target"}


def target_rows(index: int, file_name: str, grid: SheetGrid, registry: Registry) -> pl.DataFrame | None:
    """The sheet's targets with where each was written, or None when it has no 年度/指标/目标值 header.

    `row_key` is "<index>:<row>", so a failure found among many files' rows names its cell.
    """
    header = next(
        (r for r in grid.cells.iter_rows(named=True) if "年度" in {fold(v) for v in r.values() if isinstance(v, str)}),
        None,
    )
    names = {col: COLUMNS[fold(v)] for col, v in (header or {}).items() if isinstance(v, str) and fold(v) in COLUMNS}
    if header is None or set(names.values()) != set(COLUMNS.values()):
        return None
    column = {name: col for col, name in names.items()}
    codes = {i.code: i.code for i in registry.indicators} | registry.indicator_keys
    return (
        grid.cells.filter(pl.col("row") > header["row"])
        .filter(pl.col(column["indicator"]).is_not_null())
        .select(
            pl.format("{}:{}", pl.lit(index), pl.col("row")).alias("row_key"),
            pl.lit(file_name).alias("source_file"),
            pl.lit(grid.sheet).alias("sheet"),
            pl.format(f"{column['indicator']}{{}}", pl.col("row")).alias("indicator_cell"),
            pl.format(f"{column['target']}{{}}", pl.col("row")).alias("target_cell"),
            pl.col(column["indicator"]).alias("indicator"),
            pl.col(column["target"]).alias("target"),
            pl.col(column["year"]).str.extract(r"(\d{4})").cast(pl.Int32).alias("year"),
        )
        .with_columns(
            pl.col("indicator").map_elements(lambda s: codes.get(s) or codes.get(split_label(s)[0]),
                                             return_dtype=pl.String).alias("indicator_code"),
            parse_figure("target").alias("parsed"),
        )
        .with_columns(
            pl.col("parsed").struct.field("status").alias("target_status"),
            pl.col("parsed").struct.field("number").alias("target_number"),
            pl.len().over("year", "indicator_code").alias("times_given"),
            pl.col("target_cell").str.join(", ").over("year", "indicator_code").alias("cells_given"),
        )
        .drop("parsed")
    )


TARGETS_SCHEMA = {"year": pl.Int32, "indicator_code": pl.String, "target": pl.Decimal(18, 2), "source_file": pl.String}


def accepted_targets(rows: pl.DataFrame | None, rejected_files: set[str]) -> pl.DataFrame:
    """The targets to load: every row but those of files with an error (they keep their earlier targets)."""
    if rows is None:
        return pl.DataFrame(schema=TARGETS_SCHEMA)
    accepted = rows.filter(~pl.col("source_file").is_in(list(rejected_files)))
    return accepted.select(
        "year", "indicator_code", pl.col("target_number").cast(pl.Decimal(18, 2)).alias("target"), "source_file"
    ).cast(TARGETS_SCHEMA)
