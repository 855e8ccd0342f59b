"""The province's targets checked by the `targets` suite, all files' rows in one validation."""

from __future__ import annotations

import polars as pl

from core.problems import Problem, problem
from core.registry import Registry
from expectations.suites import Checker

CHECKED = ("row_key", "indicator_code", "year", "target_status", "target_number", "times_given")


def check_targets(rows: pl.DataFrame, registry: Registry, runner: Checker) -> list[Problem]:
    """What is wrong with the targets rows (see transforms.targets.target_rows), each problem once."""
    problems = []
    for failure in runner.check("targets", rows.select(CHECKED)):
        row = rows.row(by_predicate=pl.col("row_key") == failure.row_key, named=True)
        problems.append(_problem(failure.rule, row, registry))
    return list(dict.fromkeys(problems))  # a duplicate is found on each of its rows; say it once


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
