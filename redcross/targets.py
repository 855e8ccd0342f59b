"""The province's targets: one file per year under the home's targets/ folder (年度, 指标, 目标值)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from expectations.rules import Problem, problem
from redcross.registry import Registry
from redcross.workbook import UnreadableFile, read_sheets
from transforms.numbers import parse_figure
from transforms.text import fold, split_label

_COLUMNS = {"年度": "year", "指标": "indicator", "目标值": "target"}


@dataclass
class Targets:
    table: pl.DataFrame  # year, indicator_code, target, source_file
    files: list[str]
    problems: list[Problem] = field(default_factory=list)


def read_targets(folder: Path, registry: Registry) -> Targets:
    """Every targets file in the folder; a file with any problem contributes nothing."""
    tables, files, problems = [], [], []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in {".csv", ".xlsx"}):
        files.append(path.name)
        table, found = _read_one(path, registry)
        problems += found
        if not found:
            tables.append(table)
    schema = {"year": pl.Int32, "indicator_code": pl.String, "target": pl.Decimal(18, 2), "source_file": pl.String}
    return Targets(pl.concat(tables) if tables else pl.DataFrame(schema=schema), files, problems)


def _read_one(path: Path, registry: Registry) -> tuple[pl.DataFrame, list[Problem]]:
    try:
        grid = next(read_sheets(path))
    except (UnreadableFile, StopIteration) as exc:
        return pl.DataFrame(), [problem("unreadable_file", file=path.name, value=str(exc) or "no sheet")]
    cells = grid.cells
    header = next((r for r in cells.iter_rows(named=True) if "年度" in {fold(v or "") for v in r.values() if isinstance(v, str)}), None)
    if header is None:
        return pl.DataFrame(), [problem("no_form_found", file=path.name)]
    names = {col: _COLUMNS[fold(v)] for col, v in header.items() if isinstance(v, str) and fold(v) in _COLUMNS}
    rows = cells.filter(pl.col("row") > header["row"]).select(
        pl.col("row"), *[pl.col(col).alias(name) for col, name in names.items()]
    ).filter(pl.col("indicator").is_not_null())
    codes = {i.code: i.code for i in registry.indicators} | registry.indicator_keys
    rows = rows.with_columns(
        pl.col("indicator").map_elements(lambda s: codes.get(s) or codes.get(split_label(s)[0]),
                                         return_dtype=pl.String).alias("indicator_code"),
        parse_figure("target").alias("parsed"),
    )
    problems = []
    target_col = next(col for col, name in names.items() if name == "target")
    indicator_col = next(col for col, name in names.items() if name == "indicator")
    for r in rows.iter_rows(named=True):
        if r["indicator_code"] is None:
            problems.append(problem("unknown_indicator", file=path.name, sheet=grid.sheet,
                                    cell=f"{indicator_col}{r['row']}", value=r["indicator"]))
        elif r["parsed"]["status"] != "ok":
            problems.append(problem("not_a_number", file=path.name, sheet=grid.sheet, cell=f"{target_col}{r['row']}",
                                    indicator=registry.indicator(r["indicator_code"]).name, value=r["target"]))
        elif r["parsed"]["number"] < 0:
            problems.append(problem("negative_value", file=path.name, sheet=grid.sheet, cell=f"{target_col}{r['row']}",
                                    indicator=registry.indicator(r["indicator_code"]).name, value=r["target"]))
    seen: dict[tuple, list[str]] = {}
    for r in rows.iter_rows(named=True):
        if r["indicator_code"]:
            seen.setdefault((r["year"], r["indicator_code"]), []).append(f"{indicator_col}{r['row']}")
    for (_, code), cells in seen.items():
        if len(cells) > 1:
            problems.append(problem("duplicate_indicator", file=path.name, sheet=grid.sheet, cell=", ".join(cells),
                                    indicator=registry.indicator(code).name, value=len(cells)))
    table = rows.select(
        pl.col("year").str.extract(r"(\d{4})").cast(pl.Int32),
        "indicator_code",
        pl.col("parsed").struct.field("number").cast(pl.Decimal(18, 2)).alias("target"),
        pl.lit(path.name).alias("source_file"),
    )
    return table, problems
