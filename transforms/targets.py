"""A targets file's sheet (columns 年度, 指标, 目标值, and optionally 单位) to one row per target,
each figure parsed exactly.

A row without a unit (or with 全市, 合计, 绍兴市) is the city's target from the province; a row
naming a unit is the city's target for that unit (任务分解).
"""

from __future__ import annotations

import polars as pl

from redcross.core.labels import fold, split_label
from redcross.core.registry import Registry
from redcross.core.sheets import SheetGrid
from redcross.transforms.labels import fold_expr
from redcross.transforms.numbers import parse_figure

COLUMNS = {"年度": "year", "指标": "indicator", "目标值": "target", "单位": "unit", "填报单位": "unit", "地区": "unit"}
REQUIRED = {"year", "indicator", "target"}
CITY_NAMES = ["全市", "合计", "绍兴市"]  # the whole city, not one of its units


def target_rows(index: int, file_name: str, grid: SheetGrid, registry: Registry) -> pl.DataFrame | None:
    """The sheet's targets with where each was written, or None when it has no 年度/指标/目标值 header.

    `row_key` is "<index>:<row>", so a failure found among many files' rows names its cell.
    """
    header = next(
        (r for r in grid.cells.iter_rows(named=True) if "年度" in {fold(v) for v in r.values() if isinstance(v, str)}),
        None,
    )
    names = {col: COLUMNS[fold(v)] for col, v in (header or {}).items() if isinstance(v, str) and fold(v) in COLUMNS}
    if header is None or not REQUIRED <= set(names.values()):
        return None
    column = {}
    for col, name in names.items():
        column.setdefault(name, col)  # of 单位 and 地区 both given, the first counts
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
            *_unit_written(column.get("unit")),
            pl.col(column["indicator"]).alias("indicator"),
            pl.col(column["target"]).alias("target"),
            pl.col(column["year"]).str.extract(r"(\d{4})").cast(pl.Int32).alias("year"),
        )
        .with_columns(
            pl.col("indicator").map_elements(lambda s: codes.get(s) or codes.get(split_label(s)[0]),
                                             return_dtype=pl.String).alias("indicator_code"),
            *_unit_found(registry),
            parse_figure("target").alias("parsed"),
        )
        .with_columns(
            pl.col("parsed").struct.field("status").alias("target_status"),
            pl.col("parsed").struct.field("number").alias("target_number"),
            pl.len().over("year", "unit_key", "indicator_code").alias("times_given"),
            pl.col("target_cell").str.join(", ").over("year", "unit_key", "indicator_code").alias("cells_given"),
        )
        .drop("parsed")
    )


def _unit_written(column: str | None) -> list[pl.Expr]:
    """The 单位 cell's text and address; a file without the column holds only the city's targets."""
    if column is None:
        return [pl.lit(None, pl.String).alias("unit_written"), pl.lit(None, pl.String).alias("unit_cell")]
    return [pl.col(column).alias("unit_written"), pl.format(f"{column}{{}}", pl.col("row")).alias("unit_cell")]


def _unit_found(registry: Registry) -> list[pl.Expr]:
    """unit_code (null for the city), unit_status (city, ok or unknown) and unit_key, which keeps
    each unit's rows, the city's, and each unknown name's apart when repeats are counted."""
    folded = fold_expr(pl.col("unit_written"))
    city = folded.is_null() | folded.is_in(["", *CITY_NAMES])
    code = pl.when(~city).then(
        pl.col("unit_written").map_elements(lambda s: getattr(registry.unit_for(s), "code", None),
                                            return_dtype=pl.String))
    return [
        code.alias("unit_code"),
        pl.when(city).then(pl.lit("city")).when(code.is_null()).then(pl.lit("unknown"))
        .otherwise(pl.lit("ok")).alias("unit_status"),
        pl.coalesce(code, pl.when(city).then(pl.lit("")).otherwise(pl.lit("?") + folded)).alias("unit_key"),
    ]


TARGETS_SCHEMA = {"year": pl.Int32, "unit_code": pl.String, "indicator_code": pl.String, "target": pl.Decimal(18, 2),
                  "source_file": pl.String}


def _kept(rows: pl.DataFrame, rejected_files: set[str]) -> pl.DataFrame:
    return rows.filter(~pl.col("source_file").is_in(list(rejected_files))).with_columns(
        pl.col("target_number").cast(pl.Decimal(18, 2)).alias("target"))


def accepted_targets(rows: pl.DataFrame | None, rejected_files: set[str]) -> pl.DataFrame:
    """The targets to load: every row but those of files with an error (they keep their earlier targets).

    unit_code is null for the city's targets.
    """
    if rows is None:
        return pl.DataFrame(schema=TARGETS_SCHEMA)
    return _kept(rows, rejected_files).select(list(TARGETS_SCHEMA)).cast(TARGETS_SCHEMA)


def breakdown_totals(rows: pl.DataFrame | None, rejected_files: set[str]) -> pl.DataFrame:
    """One row per year and indicator given both unit targets and a city target: the units' sum
    beside the city's, with where the unit targets were written (for the 分解不足 check)."""
    if rows is None:
        return pl.DataFrame()
    kept = _kept(rows, rejected_files)
    units = (
        kept.filter(pl.col("unit_code").is_not_null())
        .group_by("year", "indicator_code", maintain_order=True)
        .agg(pl.col("target").sum().alias("unit_sum"), pl.col("source_file").first(), pl.col("sheet").first(),
             pl.col("target_cell").str.join(", ").alias("cells"))
    )
    city = kept.filter(pl.col("unit_status") == "city").select("year", "indicator_code",
                                                               pl.col("target").alias("city_target"))
    return (
        units.join(city, on=["year", "indicator_code"], how="inner")
        .sort("year", "indicator_code")
        .with_columns(pl.format("{}:{}", "year", "indicator_code").alias("row_key"))
    )
