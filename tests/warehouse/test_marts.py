"""Data tests on the marts, over a few inline rows in an in-memory warehouse (conftest `memory_warehouse`).

The rows go in through the writer's own functions (the tables a run fills); the views are the
project's. Checked: each mart's grain (the first line of its SQL says it), the city total is the
sum of the units' figures in force, and the SQL's percentages are the report's (`Figure`), rounded
half-up at 10 places as the views hold them. Each check is also run once where it must fail.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import duckdb
import polars as pl
import pytest

from redcross.core.calendar import load_calendar
from redcross.core.decimals import percent, round_half_up
from redcross.core.locks import Lock
from redcross.core.registry import Indicator, Registry, Unit
from redcross.report.model import Figure, Rate
from redcross.warehouse import writer
from redcross.warehouse.models import MARTS, STAGING, build_order, marts_read
from redcross.warehouse.sql import text
from redcross.warehouse.writer import create_raw_tables

D = Decimal
UNITS = ("yuecheng", "keqiao", "shangyu", "zhuji", "devzone")
INDICATORS = (("first_aid_trained", "count"), ("donation_income", "money"))
RUN_ID = "nightly-20170716T020000000000"

# submission, unit, year, month, received_at, outcome, {indicator: value}
SUBMISSIONS = [
    ("s16yuecheng", "yuecheng", 2016, 6, datetime(2016, 7, 10), "accepted",
     {"first_aid_trained": D("100"), "donation_income": D("40.00")}),
    ("s16keqiao", "keqiao", 2016, 6, datetime(2016, 7, 11), "accepted",
     {"first_aid_trained": D("200"), "donation_income": D("81.92")}),
    ("s16shangyu", "shangyu", 2016, 6, datetime(2016, 7, 12), "accepted",
     {"first_aid_trained": D("50"), "donation_income": D("0.00")}),
    ("s17yuecheng1", "yuecheng", 2017, 6, datetime(2017, 7, 10), "accepted",
     {"first_aid_trained": D("120"), "donation_income": D("40.00")}),
    # 越城区 sends 2017年1-6月 again: this one is in force, the one above superseded
    ("s17yuecheng2", "yuecheng", 2017, 6, datetime(2017, 7, 15), "accepted",
     {"first_aid_trained": D("130"), "donation_income": D("40.01")}),
    ("s17keqiao", "keqiao", 2017, 6, datetime(2017, 7, 11), "accepted",
     {"first_aid_trained": D("190"), "donation_income": D("81.91")}),
    ("s17shangyu", "shangyu", 2017, 6, datetime(2017, 7, 12), "accepted",
     {"first_aid_trained": D("55"), "donation_income": D("3.34")}),
    ("s17zhuji", "zhuji", 2017, 6, datetime(2017, 7, 13), "rejected", {}),
]
# the warnings on two submissions (the registry names indicators by their codes): 柯桥区's in force, 越城区's first 1-6月 superseded (its warnings no longer an issue)
WARNINGS = {
    "s17keqiao": [("yoy_outlier", "C5", "first_aid_trained"), ("prior_mismatch", "D6", "donation_income")],
    "s17yuecheng1": [("yoy_outlier", "C5", "first_aid_trained")],
}
# year, unit (None: the city's, from the province), indicator, target
TARGETS = [
    (2017, None, "first_aid_trained", D("700")),
    (2017, None, "donation_income", D("163.84")),  # 125.26 / 163.84 = 76.452636718|75 %: a half at the 11th place
    (2017, "yuecheng", "first_aid_trained", D("300")),
    (2017, "keqiao", "first_aid_trained", D("300")),
    (2017, "shangyu", "first_aid_trained", D("0")),
    (2017, "keqiao", "donation_income", D("100.00")),
]
# Where the marts' grains are read from: their first comment line says it, these are its columns.
GRAINS = {
    "units": ["unit_code"],
    "indicators": ["indicator_code"],
    "submissions": ["submission_id"],
    "indicator_values": ["year", "month", "unit_code", "indicator_code"],
    "city_totals": ["year", "month", "indicator_code"],
    "unit_progress": ["year", "month", "unit_code", "indicator_code"],
    "revisions": ["new_submission_id", "indicator_code"],
    "coverage": ["year", "month", "unit_code"],
    "reporting_rates": ["year", "month"],
    "data_issues": ["submission_id", "indicator_code", "rule"],
    "runs": ["run_id"],
    "locks": ["year", "month", "locked_at"],
}
PERCENTAGES = {  # mart -> (its value, prior and target columns)
    "city_totals": ("total", "prior_total", "target"),
    "unit_progress": ("value", "prior_value", "target"),
}


def registry() -> Registry:
    units = tuple(Unit(code, code, "district", None, ()) for code in UNITS)
    indicators = tuple(Indicator(code, code, "元" if kind == "money" else "人", "元" if kind == "money" else "人",
                                 kind, True, ()) for code, kind in INDICATORS)
    return Registry(units, indicators)


def warning(rule: str, cell: str, indicator: str) -> dict:
    return {"rule": rule, "severity": "warning", "sheet": "Sheet1", "cell": cell, "indicator": indicator,
            "value": "1", "expected": "2", "message_zh": f"{rule}（中文）", "message_en": rule}


@pytest.fixture
def con(memory_warehouse):
    """The in-memory warehouse with the rows above, loaded as a run loads them, and its views built."""
    con = memory_warehouse
    writer.start_run(con, RUN_ID, "nightly", datetime(2017, 7, 16, 2))
    writer.load_registry(con, registry())
    submissions = pl.DataFrame([
        {"submission_id": sid, "sha256": sid.ljust(64, "0"), "file_name": f"{sid}.xlsx", "sheet": "Sheet1",
         "unit_code": unit, "year": year, "month": month, "received_at": received, "precedence": received,
         "outcome": outcome, "run_id": RUN_ID, "messages": [warning(*w) for w in WARNINGS.get(sid, [])]}
        for sid, unit, year, month, received, outcome, _ in SUBMISSIONS
    ], schema=writer.SUBMISSIONS_SCHEMA)
    values = pl.DataFrame([
        {"submission_id": sid, "indicator_code": code, "value": value, "prior_value": None, "sheet": "Sheet1",
         "cell": f"C{n + 5}"}
        for sid, *_, outcome, figures in SUBMISSIONS if outcome == "accepted"
        for n, (code, value) in enumerate(figures.items())
    ], schema={"submission_id": pl.String, "indicator_code": pl.String, "value": pl.Decimal(18, 2),
               "prior_value": pl.Decimal(18, 2), "sheet": pl.String, "cell": pl.String})
    writer.insert_submissions(con, submissions, values)
    targets = pl.DataFrame([
        {"year": year, "unit_code": unit, "indicator_code": code, "target": target, "source_file": "2017.xlsx"}
        for year, unit, code, target in TARGETS
    ], schema={"year": pl.Int32, "unit_code": pl.String, "indicator_code": pl.String, "target": pl.Decimal(18, 2),
               "source_file": pl.String})
    writer.replace_targets(con, targets, ["2017.xlsx"])
    writer.finish_run(con, RUN_ID, "succeeded", datetime(2017, 7, 16, 2, 5), {"seen": 8, "accepted": 7, "rejected": 1})
    for month in (None, 6):  # a year the rows above do not touch: its locks change no revision
        writer.insert_lock(con, Lock(2015, month, "已报市政府"), datetime(2016, 2, 1, 9))
    writer.unlock(con, 2015, 6, "补报", datetime(2016, 3, 1, 9))
    return con


def duplicates(con, relation: str, grain: list[str]) -> list[tuple]:
    """The grain's values that more than one row of `relation` (a view, or a parenthesised query) has."""
    columns = ", ".join(grain)
    return con.execute(f"select {columns}, count(*) from {relation} group by {columns} having count(*) > 1").fetchall()


def in_force() -> dict[tuple[int, int, str], Decimal]:
    """(year, month, indicator) -> the city total, summed here from the inline rows: each unit's latest
    accepted submission for the period."""
    latest: dict[tuple[str, int, int], tuple] = {}
    for row in SUBMISSIONS:
        _, unit, year, month, received, outcome, _ = row
        before = latest.get((unit, year, month))
        if outcome == "accepted" and (before is None or received > before[4]):
            latest[unit, year, month] = row
    totals: dict[tuple[int, int, str], Decimal] = {}
    for _, _, year, month, _, _, figures in latest.values():
        for code, value in figures.items():
            totals[year, month, code] = totals.get((year, month, code), D(0)) + value
    return totals


def sums(con, relation: str, column: str) -> dict[tuple[int, int, str], Decimal]:
    """(year, month, indicator) -> the sum, in Python, of `column` over the rows of `relation`."""
    found: dict[tuple[int, int, str], Decimal] = {}
    for year, month, code, value in con.execute(f"select year, month, indicator_code, {column} from {relation}").fetchall():
        found[year, month, code] = found.get((year, month, code), D(0)) + value
    return found


def report_percentages(row: dict, scope: str, value: str, prior: str, target: str) -> dict[str, Decimal | None]:
    """What the report's Figure makes of a mart row's figures, rounded as the views round (half-up, 10 places)."""
    figure = Figure(row["indicator_code"], scope, row[value], row[target], row[prior], row["month"])
    exact = {"yoy_growth_pct": figure.growth, "completion_pct": figure.completion,
             "time_progress_pct": figure.time_progress, "schedule_gap_pts": figure.schedule_gap}
    return {name: None if share is None else round_half_up(share, 10) for name, share in exact.items()}


def mart_rows(con, mart: str) -> list[dict]:
    cursor = con.execute(f"select * from {mart} order by all")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- grain ---------------------------------------------------------------------------------------

def test_every_mart_states_its_grain_and_is_tested_on_it():
    first_lines = {mart: text("marts", f"{mart}.sql").splitlines()[0] for mart in MARTS}
    assert {mart: line for mart, line in first_lines.items() if not line.startswith("-- one row per")} == {}
    assert sorted(GRAINS) == sorted(MARTS)


@pytest.mark.parametrize("mart", sorted(GRAINS))
def test_each_mart_has_one_row_per_its_grain(con, mart):
    assert con.execute(f"select count(*) from {mart}").fetchone()[0] > 0  # rows to be unique among
    assert duplicates(con, mart, GRAINS[mart]) == []


def test_data_issues_are_the_warnings_of_submissions_in_force_their_indicator_found_by_name(con):
    # written as a warehouse made before notes were kept writes them: no raw.message_notes rows
    rows = con.execute("select submission_id, indicator_code, rule, cell, state, remark from data_issues "
                       "order by all").fetchall()
    assert rows == [("s17keqiao", "donation_income", "prior_mismatch", "D6", "open", None),
                    ("s17keqiao", "first_aid_trained", "yoy_outlier", "C5", "open", None)]


def test_the_grain_check_finds_duplicates_where_there_are_some(con):
    assert duplicates(con, "(select * from indicator_values union all select * from indicator_values)",
                      GRAINS["indicator_values"]) != []
    # the figures of every accepted submission, superseded or not: 越城区 sent 2017年1-6月 twice
    assert sorted(duplicates(con, "(select s.year, s.month, s.unit_code, v.indicator_code from staging.form_values as v "
                           "join staging.submissions as s using (submission_id))", GRAINS["indicator_values"])) == [
        (2017, 6, "yuecheng", "donation_income", 2), (2017, 6, "yuecheng", "first_aid_trained", 2)]


def test_coverage_has_a_row_for_every_unit_in_every_period_in_use(con):
    assert con.execute("select count(*) from coverage").fetchone() == (len(UNITS) * 2,)
    assert con.execute("select year, state, count(*) from coverage group by all order by all").fetchall() == [
        (2016, "accepted", 3), (2016, "missing", 2), (2017, "accepted", 3), (2017, "missing", 1),
        (2017, "rejected", 1)]


# --- the city is the sum of its units -------------------------------------------------------------

def test_the_city_total_is_the_sum_of_the_units_figures_in_force(con):
    city = {(y, m, i): t for y, m, i, t in con.execute(
        "select year, month, indicator_code, total from city_totals").fetchall()}
    assert city == in_force()
    assert city == sums(con, "indicator_values", "value")
    assert city == sums(con, "unit_progress", "value")
    assert city[2017, 6, "donation_income"] == D("125.26")  # 40.01 + 81.91 + 3.34: 越城区's later form
    reported = con.execute("""select c.year, c.month, c.indicator_code, c.units_reported, count(distinct v.unit_code)
                              from city_totals as c join indicator_values as v using (year, month, indicator_code)
                              group by all having c.units_reported <> count(distinct v.unit_code)""").fetchall()
    assert reported == []


def test_the_sum_check_tells_a_total_that_counts_a_superseded_form(con):
    every_accepted = sums(con, "(select s.year, s.month, v.indicator_code, v.value from staging.form_values as v "
                               "join submissions as s using (submission_id) where s.status <> 'rejected')", "value")
    city = {(y, m, i): t for y, m, i, t in con.execute(
        "select year, month, indicator_code, total from city_totals").fetchall()}
    assert every_accepted != city
    assert every_accepted[2017, 6, "first_aid_trained"] - city[2017, 6, "first_aid_trained"] == D("120")


# --- the SQL's percentages are the report's ------------------------------------------------------

@pytest.mark.parametrize("mart", sorted(PERCENTAGES))
def test_the_views_percentages_are_the_reports_rounded_half_up_at_ten_places(con, mart):
    value, prior, target = PERCENTAGES[mart]
    rows = mart_rows(con, mart)
    for row in rows:
        scope = row.get("unit_code", "city")
        expected = report_percentages(row, scope, value, prior, target)
        got = {name: row[name] for name in expected}
        assert all(v is None or isinstance(v, Decimal) for v in got.values())
        assert got == expected, (mart, scope, row["year"], row["month"], row["indicator_code"])
    # the rows hold percentages to compare, not only empty ones
    assert sum(row["yoy_growth_pct"] is not None for row in rows) >= 2
    assert sum(row["completion_pct"] is not None for row in rows) >= 2


def test_halves_at_the_eleventh_place_round_away_from_zero_in_both(con):
    # 125.26 / 163.84 x 100 = 76.45263671875 and (81.91 - 81.92) / 81.92 x 100 = -0.01220703125:
    # exactly half-way at 10 places, where a rounding down (or to even) would differ from half-up
    (completion,) = con.execute("""select completion_pct from city_totals
                                   where year = 2017 and indicator_code = 'donation_income'""").fetchone()
    (growth,) = con.execute("""select yoy_growth_pct from unit_progress
                               where year = 2017 and unit_code = 'keqiao' and indicator_code = 'donation_income'""").fetchone()
    assert (completion, growth) == (D("76.4526367188"), D("-0.0122070313"))
    city = Figure("donation_income", "city", D("125.26"), D("163.84"), D("121.92"), 6)
    keqiao = Figure("donation_income", "keqiao", D("81.91"), D("100.00"), D("81.92"), 6)
    assert (round_half_up(city.completion, 10), round_half_up(keqiao.growth, 10)) == (completion, growth)
    truncated = [D(int(share * 10**10)) / 10**10 for share in (city.completion, keqiao.growth)]
    assert truncated != [completion, growth]  # the comparison above tells the two roundings apart


def test_a_zero_or_missing_denominator_is_empty_in_both(con):
    row = con.execute("""select value, target, prior_value, completion_pct, yoy_growth_pct from unit_progress
                         where year = 2017 and unit_code = 'shangyu' and indicator_code = 'first_aid_trained'""").fetchone()
    assert row[:2] == (D("55"), D("0")) and row[3] is None
    assert Figure("first_aid_trained", "shangyu", row[0], row[1], row[2], 6).completion is None
    (growth,) = con.execute("""select yoy_growth_pct from city_totals
                               where year = 2016 and indicator_code = 'donation_income'""").fetchone()
    assert growth is None  # no 2015 figures
    (growth,) = con.execute("""select yoy_growth_pct from unit_progress
                               where year = 2017 and unit_code = 'shangyu' and indicator_code = 'donation_income'""").fetchone()
    assert growth is None and Figure("donation_income", "shangyu", D("3.34"), None, D("0.00"), 6).growth is None


def test_reporting_rates_count_the_coverage_and_their_percentages_are_the_reports(con):
    # the inline submissions landed when they were saved (received_at), against the default calendar
    con.execute("update raw.submissions set arrived_at = received_at")
    writer.load_due_dates(con, load_calendar(), datetime(2017, 7, 16, 2))
    coverage = con.execute("select year, unit_code, timeliness, days_late from coverage order by all").fetchall()
    assert [(y, u, t) for y, u, t, _ in coverage if t != "overdue"] == [
        (2016, "keqiao", "late"), (2016, "shangyu", "late"), (2016, "yuecheng", "late"),
        (2017, "keqiao", "late"), (2017, "shangyu", "late"), (2017, "yuecheng", "late")]
    assert {(y, u): d for y, u, _, d in coverage}[2017, "yuecheng"] == 5  # its first form, on the 10th
    rates = mart_rows(con, "reporting_rates")
    for rate in rates:
        states = [s for (s,) in con.execute("select state from coverage where year = ? and month = ?",
                                            [rate["year"], rate["month"]]).fetchall()]
        assert (rate["expected"], rate["reported"]) == (len(UNITS), states.count("accepted"))
        shown = Rate(rate["month"], rate["expected"], rate["reported"], rate["on_time"], 1)
        assert rate["rate_pct"] == round_half_up(percent(D(rate["reported"]), D(rate["expected"])), 10)
        assert rate["on_time_pct"] == round_half_up(shown.on_time_pct, 10)


def test_the_marts_are_built_each_after_the_marts_it_reads_whatever_order_they_are_listed_in():
    sql = {name: text("marts", f"{name}.sql") for name in MARTS}
    assert marts_read(sql["reporting_rates"], set(MARTS)) == {"coverage"}
    assert marts_read(sql["city_totals"], set(MARTS)) == {"indicator_values"}  # not staging.units, not its CTEs
    for listed in (sql, dict(reversed(sql.items()))):
        order = build_order(listed)
        assert sorted(order) == sorted(MARTS)
        assert all(order.index(read) < order.index(name) for name in order for read in marts_read(sql[name], set(MARTS)))
        con = duckdb.connect(":memory:")
        create_raw_tables(con)
        con.execute(text("macros.sql"))
        con.execute("create schema staging")
        for name in STAGING:
            con.execute(f"create view staging.{name} as {text('staging', f'{name}.sql')}")
        for name in order:  # DuckDB binds a view when it is made: a mart made before one it reads fails here
            con.execute(f"create view {name} as {listed[name]}")
        con.close()
