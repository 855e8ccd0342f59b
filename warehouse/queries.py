"""Named queries over the analysts' views (queries.sql): what the report, `redcross status` and
the run summary read. Each takes an open connection and returns named rows (a NamedTuple per query,
its fields the query's columns: `_rows` refuses a query whose columns have drifted from them)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

import duckdb

from redcross.warehouse.sql import query


class CityFigure(NamedTuple):
    indicator_code: str
    total: Decimal
    target: Decimal | None
    prior_total: Decimal | None
    comparable_units: int
    comparable_total: Decimal | None
    comparable_prior_total: Decimal | None
    complete: bool


class LeftOut(NamedTuple):
    indicator_code: str
    unit_name: str
    missing: str  # 'current', 'prior' or 'both'


class UnitFigure(NamedTuple):
    indicator_code: str
    unit_code: str
    value: Decimal
    target: Decimal | None
    prior_value: Decimal | None
    rank: int | None


class UnitTarget(NamedTuple):
    indicator_code: str
    unit_code: str
    target: Decimal


class PeriodRevision(NamedTuple):
    unit_code: str
    unit_name: str
    indicator_code: str
    old_value: Decimal | None
    new_value: Decimal | None
    old_submission_id: str
    old_file: str
    new_submission_id: str
    new_file: str
    revised_at: datetime
    after_lock: bool  # loaded after the period had been locked (redcross lock)
    reason: str | None  # why the period was opened again, for a revision after a lock


class RunRevision(NamedTuple):
    unit_name: str
    year: int
    month: int
    indicator_name: str
    kind: str
    old_value: Decimal | None
    new_value: Decimal | None
    after_lock: bool  # loaded after the period had been locked
    reason: str | None  # why it was opened again


class CoverageRow(NamedTuple):
    unit_code: str
    unit_name: str
    month: int
    state: str
    timeliness: str | None  # on_time, late, unknown, overdue, pending; None where no due date is known
    days_late: int | None


class ReportingRate(NamedTuple):
    month: int
    expected: int
    reported: int
    rate_pct: Decimal
    on_time: int
    on_time_pct: Decimal
    arrivals_known: int  # units whose first accepted form has an arrival time


class Unreported(NamedTuple):
    unit_name: str
    year: int
    month: int
    due_date: date
    due_at: datetime  # UTC, naive: from then on the unit is overdue


class SourceRow(NamedTuple):
    indicator_code: str
    unit_code: str
    unit_name: str
    value: Decimal
    file_name: str
    sha256: str
    sheet: str
    cell: str
    messages: str


class RunRow(NamedTuple):
    run_id: str
    kind: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    files_seen: int | None
    files_accepted: int | None
    files_rejected: int | None


class RunSubmission(NamedTuple):
    file_name: str
    status: str
    messages: list[dict]


class LockInForce(NamedTuple):
    year: int
    month: int | None  # None: the whole year
    locked_at: datetime
    reason: str


class WaitingIssue(NamedTuple):
    file_name: str
    unit_name: str
    year: int
    month: int
    indicator_name: str | None
    cell: str | None
    message_zh: str
    message_en: str
    state: str  # open or queried
    remark: str | None
    review_note: str | None
    reviewed_at: datetime | None


class CityTotal(NamedTuple):
    year: int
    month: int
    indicator_code: str
    indicator_name: str
    shown_unit: str
    kind: str
    total: Decimal


# The marts a report reads, heaviest first computed: `hold_marts` makes them tables for one connection.
REPORTED_MARTS = ("submissions", "indicator_values", "city_totals", "unit_progress", "coverage", "reporting_rates",
                  "revisions", "data_issues")


def hold_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Compute the marts the report reads once, as temporary tables of this connection that shadow the
    views of the same names (DuckDB looks in `temp` first): a run reporting many years then reads each
    view once, not once a year. Their rows are the views' own; the warehouse file is not touched."""
    for name in REPORTED_MARTS:
        con.execute(f"create or replace temp table {name} as select * from main.{name}")  # our own names, no input


def _rows(con: duckdb.DuckDBPyConnection, name: str, row: type[NamedTuple], parameters: dict | None = None) -> list:
    """The rows of a named query as `row`s; its columns must be the row's fields, in order."""
    cursor = con.execute(query(name), parameters or {})
    columns = tuple(d[0] for d in cursor.description)
    if columns != row._fields:
        raise RuntimeError(f"query {name} gives columns {columns}, not {row.__name__}'s {row._fields}")
    return [row(*values) for values in cursor.fetchall()]


def missing_units(con: duckdb.DuckDBPyConnection, year: int, month: int) -> list[str]:
    """The names of the units with no figures in force for the period (缺报), in registry order."""
    return missing_units_of_periods(con, [(year, month)])[year, month]


def missing_units_of_periods(con: duckdb.DuckDBPyConnection, periods: list[tuple[int, int]]) -> dict[tuple[int, int], list[str]]:
    """`missing_units` of each (year, month), in one query: a night of many periods asks once, not once a period."""
    missing: dict[tuple[int, int], list[str]] = {period: [] for period in periods}
    if periods:
        parameters = {"years": [y for y, _ in periods], "months": [m for _, m in periods]}
        for year, month, name in con.execute(query("missing_units_of_periods"), parameters).fetchall():
            missing[year, month].append(name)
    return missing


def latest_period(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """The latest (year, month) with figures in force."""
    row = con.execute(query("latest_period")).fetchone()
    return tuple(row) if row else None


def years_held(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The years with figures in force, oldest first."""
    return [year for (year,) in con.execute(query("years_held")).fetchall()]


def year_held(con: duckdb.DuckDBPyConnection, year: int) -> bool:
    return year in years_held(con)


def latest_month(con: duckdb.DuckDBPyConnection, year: int) -> int | None:
    """The last month of `year` with city figures, the period its report shows."""
    (month,) = con.execute(query("latest_month"), {"year": year}).fetchone()
    return month


def city_figures(con: duckdb.DuckDBPyConnection, year: int, month: int) -> list[CityFigure]:
    """(indicator_code, total, target, prior_total, comparable_units, comparable_total,
    comparable_prior_total, complete) per indicator of the period, in form order."""
    return _rows(con, "city_figures", CityFigure, {"year": year, "month": month})


def comparable_left_out(con: duckdb.DuckDBPyConnection, year: int, month: int) -> list[LeftOut]:
    """(indicator_code, unit_name, missing) for each unit left out of an incomplete indicator's
    comparable figures: missing is 'current', 'prior' or 'both'. Indicators in form order, units in registry order."""
    return _rows(con, "comparable_left_out", LeftOut, {"year": year, "month": month})


def unit_figures(con: duckdb.DuckDBPyConnection, year: int, month: int) -> list[UnitFigure]:
    """(indicator_code, unit_code, value, target, prior_value, rank) per unit figure of the period."""
    return _rows(con, "unit_figures", UnitFigure, {"year": year, "month": month})


def unit_targets(con: duckdb.DuckDBPyConnection, year: int) -> list[UnitTarget]:
    """(indicator_code, unit_code, target) of every unit target of the year, reported or not."""
    return _rows(con, "unit_targets", UnitTarget, {"year": year})


def period_revisions(con: duckdb.DuckDBPyConnection, year: int, month: int) -> list[PeriodRevision]:
    """(unit_code, unit_name, indicator_code, old_value, new_value, old_submission_id, old_file_name,
    new_submission_id, new_file_name, revised_at, after_lock, reason) of each revision of the period, oldest first."""
    return _rows(con, "period_revisions", PeriodRevision, {"year": year, "month": month})


def run_revisions(con: duckdb.DuckDBPyConnection, run_id: str) -> list[RunRevision]:
    """(unit_name, year, month, indicator_name, kind, old_value, new_value, after_lock, reason) of what a run's
    submissions changed."""
    return _rows(con, "run_revisions", RunRevision, {"run_id": run_id})


def coverage(con: duckdb.DuckDBPyConnection, year: int) -> list[CoverageRow]:
    """(unit_code, unit_name, month, state, timeliness, days_late) for each unit and period of the year's
    coverage, units in registry order."""
    return _rows(con, "coverage", CoverageRow, {"year": year})


def reporting_rates(con: duckdb.DuckDBPyConnection, year: int) -> list[ReportingRate]:
    """报送率 and 按时报送率 per period of the year's coverage."""
    return _rows(con, "reporting_rates", ReportingRate, {"year": year})


def unreported(con: duckdb.DuckDBPyConnection) -> list[Unreported]:
    """Each unit and period of coverage with no accepted form and a known due date, oldest period first,
    units in registry order: overdue once its due time has passed."""
    return _rows(con, "unreported", Unreported, {})


def sources(con: duckdb.DuckDBPyConnection, year: int, month: int) -> list[SourceRow]:
    """(indicator_code, unit_code, unit_name, value, file_name, sha256, sheet, cell, messages) per unit figure."""
    return _rows(con, "sources", SourceRow, {"year": year, "month": month})


def recent_runs(con: duckdb.DuckDBPyConnection, runs: int) -> list[RunRow]:
    return _rows(con, "recent_runs", RunRow, {"runs": runs})


def run_submissions(con: duckdb.DuckDBPyConnection, run_id: str) -> list[RunSubmission]:
    """(file_name, status, messages) of the files a run received."""
    return _rows(con, "run_submissions", RunSubmission, {"run_id": run_id})


def waiting_issues(con: duckdb.DuckDBPyConnection) -> list[WaitingIssue]:
    """The warnings of submissions in force still waiting: open (nobody has explained or decided them)
    or queried (the unit was asked to correct the figure); newest period first, registry order."""
    return _rows(con, "waiting_issues", WaitingIssue)


def settled_issues(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How many warnings in force are explained (by the form's 备注) and confirmed (by the data manager)."""
    counts = dict(con.execute(query("settled_issues")).fetchall())
    return {state: counts.get(state, 0) for state in ("explained", "confirmed")}


def city_totals(con: duckdb.DuckDBPyConnection) -> list[CityTotal]:
    """(year, month, indicator_code, indicator_name, shown_unit, kind, total) of every city figure,
    by period and in form order."""
    return _rows(con, "city_totals", CityTotal)


def locks_in_force(con: duckdb.DuckDBPyConnection) -> list[LockInForce]:
    """(year, month, locked_at, reason) of every lock in force, by year and month; none in a warehouse
    published before locks were kept."""
    if view_comment(con, "main", "locks") is None:
        return []
    return _rows(con, "locks_in_force", LockInForce)


def view_comment(con: duckdb.DuckDBPyConnection, schema: str, view: str) -> str | None:
    row = con.execute(query("view_comment"), {"schema": schema, "view": view}).fetchone()
    return row[0] if row else None


def view_columns(con: duckdb.DuckDBPyConnection, schema: str, view: str) -> list[tuple[str, str, str | None]]:
    """(column_name, data_type, comment) of a view's columns, in order."""
    return con.execute(query("view_columns"), {"schema": schema, "view": view}).fetchall()
