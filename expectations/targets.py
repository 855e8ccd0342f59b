"""The targets checked by the `targets` suite, all files' rows in one validation, and the units'
targets against the city's by the `target_breakdown` suite (分解不足)."""

from __future__ import annotations

import polars as pl

from redcross.core.decimals import plain_amount
from redcross.core.problems import Problem, problem
from redcross.core.registry import Registry
from redcross.expectations.suites import Checker

CHECKED = ("row_key", "indicator_code", "unit_status", "year", "target_status", "target_number", "times_given")
CITY = "全市"


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
    if rule == "unknown_target_unit":
        return problem(rule, cell=row["unit_cell"], value=row["unit_written"],
                       expected="、".join([*(u.name for u in registry.units), CITY]), **where)
    if rule == "duplicate_indicator":
        return problem(rule, cell=row["cells_given"], value=row["times_given"], **where)
    if rule == "missing_period":
        return problem(rule, cell=row["target_cell"], value=None, **where)
    return problem(rule, cell=row["target_cell"], value=row["target"], **where)


def check_breakdown(totals: pl.DataFrame, registry: Registry, runner: Checker) -> list[Problem]:
    """A warning where a year's unit targets for an indicator add up to less than the city's target
    (see transforms.targets.breakdown_totals); it names the unit targets' cells."""
    if totals.is_empty():
        return []
    checked = pl.DataFrame({
        "row_key": totals["row_key"],
        "unit_sum": pl.Series(totals["unit_sum"].to_list(), dtype=pl.Object),  # exact Decimals, compared as such
        "city_target": pl.Series(totals["city_target"].to_list(), dtype=pl.Object),
    })
    problems = []
    for failure in runner.check("target_breakdown", checked):
        row = totals.row(by_predicate=pl.col("row_key") == failure.row_key, named=True)
        indicator = registry.indicator(row["indicator_code"])
        problems.append(problem(
            failure.rule, file=row["source_file"], sheet=row["sheet"], cell=row["cells"], indicator=indicator.name,
            value=plain_amount(row["unit_sum"], indicator.kind), expected=plain_amount(row["city_target"], indicator.kind),
            year=row["year"]))
    return problems
