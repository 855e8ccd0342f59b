"""The province's targets: one file per year under the home's targets/ folder (年度, 指标, 目标值).

The files are read here and checked by the `targets` Great Expectations suite, all files in one
validation; a file with any error contributes nothing (its earlier targets stay as they were).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from expectations.rules import Problem, problem
from expectations.suites import SuiteRunner, load_suite_definition
from redcross.registry import Registry
from redcross.workbook import UnreadableFile, read_sheets
from transforms.numbers import parse_figure
from transforms.text import fold, split_label

_COLUMNS = {"年度": "year", "指标": "indicator", "目标值": "target"}
_SCHEMA = {"year": pl.Int32, "indicator_code": pl.String, "target": pl.Decimal(18, 2), "source_file": pl.String}


@dataclass
class Targets:
    table: pl.DataFrame  # year, indicator_code, target, source_file
    files: list[str]
    problems: list[Problem] = field(default_factory=list)


def _target_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in {".csv", ".xlsx"})


def fingerprint(folder: Path, registry: Registry) -> str:
    """What decides the outcome of reading the folder: its files' names and bytes, the indicators
    they may name and the suite that checks them. The same fingerprint gives the same targets."""
    digest = hashlib.sha256()
    for path in _target_files(folder):
        digest.update(os.fsencode(path.name) + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    digest.update(repr(registry.indicators).encode())
    digest.update(json.dumps(load_suite_definition("targets"), sort_keys=True).encode())
    return digest.hexdigest()


def read_targets(folder: Path, registry: Registry, runner: SuiteRunner) -> Targets:
    """Every targets file in the folder, checked together."""
    files = _target_files(folder)
    problems, tables = [], []
    for index, path in enumerate(files):
        table, problem_found = _read_one(index, path, registry)
        if problem_found:
            problems.append(problem_found)
        else:
            tables.append(table)
    rows = pl.concat(tables) if tables else None
    if rows is not None:
        checked = rows.select("row_key", "indicator_code", "year", "target_status", "target_number", "times_given")
        for failure in runner.check("targets", checked):
            problems.append(_problem(failure.rule, rows.row(by_predicate=pl.col("row_key") == failure.row_key,
                                                           named=True), registry))
    problems = list(dict.fromkeys(problems))  # a duplicate is found on each of its rows; say it once
    rejected = {p.file for p in problems}
    accepted = rows.filter(~pl.col("source_file").is_in(list(rejected))) if rows is not None else None
    table = (
        accepted.select("year", "indicator_code", pl.col("target_number").cast(pl.Decimal(18, 2)).alias("target"),
                        "source_file")
        if accepted is not None else pl.DataFrame(schema=_SCHEMA)
    )
    return Targets(table.cast(_SCHEMA), [p.name for p in files], problems)


def _read_one(index: int, path: Path, registry: Registry) -> tuple[pl.DataFrame | None, Problem | None]:
    try:
        grid = next(read_sheets(path))
    except (UnreadableFile, StopIteration) as exc:
        return None, problem("unreadable_file", file=path.name, value=str(exc) or "no sheet")
    header = next(
        (r for r in grid.cells.iter_rows(named=True) if "年度" in {fold(v) for v in r.values() if isinstance(v, str)}),
        None,
    )
    names = {col: _COLUMNS[fold(v)] for col, v in (header or {}).items() if isinstance(v, str) and fold(v) in _COLUMNS}
    if header is None or set(names.values()) != set(_COLUMNS.values()):
        return None, problem("no_form_found", file=path.name)
    column = {name: col for col, name in names.items()}
    codes = {i.code: i.code for i in registry.indicators} | registry.indicator_keys
    rows = (
        grid.cells.filter(pl.col("row") > header["row"])
        .filter(pl.col(column["indicator"]).is_not_null())
        .select(
            pl.format("{}:{}", pl.lit(index), pl.col("row")).alias("row_key"),
            pl.lit(path.name).alias("source_file"),
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
    return rows, None


def _problem(rule: str, row: dict, registry: Registry) -> Problem:
    code = row["indicator_code"]
    where = {"file": row["source_file"], "sheet": row["sheet"],
             "indicator": registry.indicator(code).name if code else row["indicator"]}
    if rule == "unknown_indicator":
        return problem(rule, cell=row["indicator_cell"], value=row["indicator"], **where)
    if rule == "duplicate_indicator":
        return problem(rule, cell=row["cells_given"], value=row["times_given"], **where)
    if rule == "missing_period":
        return problem(rule, cell=row["target_cell"], value=None, **where)
    return problem(rule, cell=row["target_cell"], value=row["target"], **where)
