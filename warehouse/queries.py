"""Named queries over the analysts' views (queries.sql): what the report, `redcross status` and
the run summary read. Each takes an open connection and returns plain rows."""

from __future__ import annotations

import duckdb

from redcross.warehouse.sql import query


def missing_units(con: duckdb.DuckDBPyConnection, year: int, month: int) -> list[str]:
    """The names of the units with no figures in force for the period (缺报), in registry order."""
    return [name for (name,) in con.execute(query("missing_units"), {"year": year, "month": month}).fetchall()]


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


def city_figures(con: duckdb.DuckDBPyConnection, year: int, month: int) -> list[tuple]:
    """(indicator_code, total, target, prior_total, comparable_units, comparable_total,
    comparable_prior_total, complete) per indicator of the period, in form order."""
    return con.execute(query("city_figures"), {"year": year, "month": month}).fetchall()


def comparable_left_out(con: duckdb.DuckDBPyConnection, year: int, month: int) -> list[tuple]:
    """(indicator_code, unit_name, missing) for each unit left out of an incomplete indicator's
    comparable figures: missing is 'current', 'prior' or 'both'. Indicators in form order, units in registry order."""
    return con.execute(query("comparable_left_out"), {"year": year, "month": month}).fetchall()


def unit_figures(con: duckdb.DuckDBPyConnection, year: int, month: int) -> list[tuple]:
    """(indicator_code, unit_code, value, target, prior_value, rank) per unit figure of the period."""
    return con.execute(query("unit_figures"), {"year": year, "month": month}).fetchall()


def unit_targets(con: duckdb.DuckDBPyConnection, year: int) -> list[tuple]:
    """(indicator_code, unit_code, target) of every unit target of the year, reported or not."""
    return con.execute(query("unit_targets"), {"year": year}).fetchall()


def period_revisions(con: duckdb.DuckDBPyConnection, year: int, month: int) -> list[tuple]:
    """(unit_code, unit_name, indicator_code, old_value, new_value, old_submission_id, old_file_name,
    new_submission_id, new_file_name, revised_at) of each revision of the period, oldest first."""
    return con.execute(query("period_revisions"), {"year": year, "month": month}).fetchall()


def run_revisions(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple]:
    """(unit_name, year, month, indicator_name, kind, old_value, new_value) of what a run's submissions changed."""
    return con.execute(query("run_revisions"), {"run_id": run_id}).fetchall()


def coverage(con: duckdb.DuckDBPyConnection, year: int) -> list[tuple]:
    """(unit_code, unit_name, month, state) for each unit and period in use of the year, units in registry order."""
    return con.execute(query("coverage"), {"year": year}).fetchall()


def sources(con: duckdb.DuckDBPyConnection, year: int, month: int) -> list[tuple]:
    """(indicator_code, unit_code, unit_name, value, file_name, sha256, sheet, cell, messages) per unit figure."""
    return con.execute(query("sources"), {"year": year, "month": month}).fetchall()


def recent_runs(con: duckdb.DuckDBPyConnection, runs: int) -> list[tuple]:
    return con.execute(query("recent_runs"), {"runs": runs}).fetchall()


def run_submissions(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple]:
    """(file_name, status, messages) of the files a run received."""
    return con.execute(query("run_submissions"), {"run_id": run_id}).fetchall()


def waiting_warnings(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(file_name, unit_code, year, month, message) of every warning on a submission in force."""
    return con.execute(query("waiting_warnings")).fetchall()


def city_totals(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(year, month, indicator_code, indicator_name, shown_unit, kind, total) of every city figure,
    by period and in form order."""
    return con.execute(query("city_totals")).fetchall()


def view_comment(con: duckdb.DuckDBPyConnection, schema: str, view: str) -> str | None:
    row = con.execute(query("view_comment"), {"schema": schema, "view": view}).fetchone()
    return row[0] if row else None


def view_columns(con: duckdb.DuckDBPyConnection, schema: str, view: str) -> list[tuple[str, str, str | None]]:
    """(column_name, data_type, comment) of a view's columns, in order."""
    return con.execute(query("view_columns"), {"schema": schema, "view": view}).fetchall()
