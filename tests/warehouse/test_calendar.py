"""The reporting calendar: due dates, when a form landed, on time or late, overdue or pending, and
the rates, on fixed clocks (REDCROSS_NOW): no test here reads the wall clock.

Real workbooks written by openpyxl (the pipeline reads with calamine), run through the same steps as
every night (`nightly.local`, `backfill.local`: the flows' own tests cover Prefect).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import duckdb
import openpyxl
import pytest
from support import dated, fixed_clock, published_rows, write_form

from redcross.cli.main import main
from redcross.core.calendar import CalendarError, load_calendar
from redcross.flows.backfill import backfill
from redcross.flows.nightly import nightly
from redcross.read.arrivals import arrival
from redcross.read.home import Home
from redcross.report.model import build_report
from redcross.report.status import status_text
from redcross.report.text_formats import to_json, to_markdown
from redcross.report.xlsx import write_xlsx

H1_DUE = datetime(2017, 7, 5, 16, 0)  # 1-6月 due by the end of 5 July 北京时间: 16:00 UTC
COVERAGE = "select unit_code, state, arrived_at, timeliness, days_late from coverage where year = ? and month = ?"


def h1_form(folder, unit: str, first_aid: int = 1000):
    """A unit's 2017年1-6月 form, every indicator (no 上年同期数: nothing to compare)."""
    rows = [("救护员培训", "人", first_aid, None), ("普及培训", "人次", 5000, None),
            ("造血干细胞捐献登记入库", "人", 30, None), ("造血干细胞捐献", "例", 0, None),
            ("器官遗体角膜捐献登记", "人", 10, None), ("器官捐献", "人", 0, None), ("遗体(角膜)捐献", "例", 1, None),
            ("捐赠收入", "元", 100000, None), ("捐赠支出", "元", 50000, None), ("捐赠支出受益人数", "人", 200, None),
            ("志愿服务场次", "场次", 40, None), ("志愿服务受益人次", "人次", 3000, None)]
    return write_form(folder / f"{unit}-2017-h1.xlsx", rows, unit, "2017年1-6月")


def night(home, moment: str):
    """A nightly run with the clock at `moment` (北京时间): the inbox's files landed a moment before."""
    with fixed_clock(moment):
        return nightly.local(home=str(home))


def coverage(home, year=2017, month=6) -> dict[str, tuple]:
    return {code: tuple(rest) for code, *rest in published_rows(home, COVERAGE, [year, month])}


@pytest.fixture(scope="module")
def july(tmp_path_factory):
    """柯桥区's form lands on 5 July 23:59, 越城区's on 6 July 00:01, then 柯桥区 corrects its form on the
    20th; the other six units send nothing. The summary of each night is kept."""
    home = Home.create(tmp_path_factory.mktemp("calendar") / "home").root
    dated(h1_form(home / "inbox", "柯桥区"), "2017-07-05T10:00")  # saved (UTC) before it was sent
    first = night(home, "2017-07-05T23:59:00")
    before_due = coverage(home)
    dated(h1_form(home / "inbox", "越城区"), "2017-07-05T15:00")
    second = night(home, "2017-07-06T00:01:00")
    after_due = coverage(home)
    dated(h1_form(home / "inbox", "柯桥区", first_aid=1100), "2017-07-20T01:00")
    night(home, "2017-07-20T10:00:00")
    return home, first, second, before_due, after_due


def test_a_form_landing_at_23_59_on_the_due_day_is_on_time_and_at_00_01_the_next_day_a_day_late(july):
    _, _, _, before_due, after_due = july
    state, arrived, timeliness, days = before_due["keqiao"]
    assert (state, timeliness, days) == ("accepted", "on_time", None)
    assert datetime(2017, 7, 5, 15, 58) < arrived < H1_DUE  # landed a moment before 23:59 北京时间
    state, arrived, timeliness, days = after_due["yuecheng"]
    assert (state, timeliness, days) == ("accepted", "late", 1)
    assert H1_DUE <= arrived < datetime(2017, 7, 5, 16, 1)


def test_no_form_is_pending_before_the_due_time_and_overdue_after_it_counting_the_days(july):
    home, first, second, before_due, after_due = july
    assert before_due["shangyu"] == ("missing", None, "pending", None)
    assert after_due["shangyu"] == ("missing", None, "overdue", 1)
    assert coverage(home)["shangyu"] == ("missing", None, "overdue", 15)  # as of the 20th's run
    assert not first.overdue  # the due time had not passed when the first night ran
    assert second.overdue[0] == "逾期未报 / overdue (截至 / as of 2017-07-06 北京时间): 6"
    assert ("  上虞区 2017年1-6月：应于 2017-07-05 前报送，已逾期 1 天 / due by 2017-07-05, 1 days overdue"
            in second.overdue)
    assert "开发区 2017年1-6月" in second.text() and "已逾期 1 天" in second.markdown()


def test_a_resubmission_keeps_the_first_forms_arrival_and_timeliness(july):
    home, _, _, before_due, _ = july
    assert coverage(home)["keqiao"] == before_due["keqiao"]  # on time, the first form's arrival
    rows = published_rows(home, "select status, arrived_at from submissions where unit_code = 'keqiao' "
                                "order by arrived_at")
    assert [status for status, _ in rows] == ["superseded", "accepted"]
    assert rows[1][1] > datetime(2017, 7, 20)
    assert published_rows(home, "select value from indicator_values where unit_code = 'keqiao' and month = 6 "
                                "and indicator_code = 'first_aid_trained'") == [(Decimal(1100),)]


def test_reporting_rates_count_the_registry_and_give_the_reports_percentages(july):
    home = july[0]
    (row,) = published_rows(home, "select expected, reported, rate_pct, on_time, on_time_pct from reporting_rates "
                                  "where year = 2017 and month = 6")
    assert row == (8, 2, Decimal("25.0000000000"), 1, Decimal("12.5000000000"))
    with duckdb.connect(str(Home(home).published), read_only=True) as con:
        report = build_report(con, Home(home).registry(), 2017, 6)
    (rate,) = report.coverage.rates
    assert rate.on_time_pct == Fraction(row[4])  # the view's exact percentage is the report's
    assert report.coverage.late_line() == "迟报 / reported late: 越城区 1-6月 1天"
    assert report.coverage.on_time_line() == "按时报送率 / reported on time: 1-6月 12.50%（1/8）"


def test_every_format_of_the_report_marks_the_late_unit_and_gives_the_on_time_rate(july, tmp_path):
    home = july[0]
    with duckdb.connect(str(Home(home).published), read_only=True) as con:
        report = build_report(con, Home(home).registry(), 2017, 6)
    markdown = to_markdown(report)
    assert "迟报 / reported late: 越城区 1-6月 1天" in markdown and "1-6月 12.50%（1/8）" in markdown
    given = json.loads(to_json(report))
    assert {"unit_code": "yuecheng", "month": 6, "state": "accepted", "late": True, "days_late": 1} in given["coverage"]
    assert given["reporting_rates"] == [{"month": 6, "expected": 8, "reported": 2, "on_time": 1, "on_time_pct": "12.50"}]
    sheet = openpyxl.load_workbook(write_xlsx(report, tmp_path / "r.xlsx"))["报送情况"]
    notes = [row[0] for row in sheet.iter_rows(values_only=True) if row[0] and "报送" in str(row[0])]
    assert "迟报 / reported late: 越城区 1-6月 1天" in [row[0] for row in sheet.iter_rows(values_only=True)]
    assert any("按时报送率" in str(note) and "12.50%" in str(note) for note in notes)
    assert main(["report", "--home", str(home), "--year", "2017", "--month", "6", "--format", "html",
                 "--out", str(tmp_path / "r.html")]) == 0
    html = (tmp_path / "r.html").read_text("utf-8")
    assert '<p class="timeliness">迟报 / reported late: 越城区 1-6月 1天</p>' in html
    assert "按时报送率 / reported on time: 1-6月 12.50%（1/8）" in html


def test_status_judges_overdue_as_of_now_not_as_of_the_last_run(july):
    home = july[0]
    with duckdb.connect(str(Home(home).published), read_only=True) as con:
        text = status_text(con, year=2017, now=datetime(2017, 8, 1, 4, 0))  # 1 August, noon 北京时间
    assert "逾期未报 / overdue (截至 / as of 2017-08-01 北京时间): 6" in text
    assert "开发区 2017年1-6月：应于 2017-07-05 前报送，已逾期 27 天" in text
    with duckdb.connect(str(Home(home).published), read_only=True) as con:
        assert "逾期未报" not in status_text(con, now=datetime(2017, 7, 5, 12, 0))  # before the due time


def test_a_copied_file_with_an_old_modification_time_is_judged_by_when_it_landed(tmp_path):
    home = Home.create(tmp_path / "home").root
    written = dated(h1_form(tmp_path, "柯桥区"), "2017-07-01T02:00")  # saved before the due date
    shutil.copy2(written, home / "inbox" / written.name)  # a copy keeps its modification time
    night(home, "2017-07-10T09:00:00")
    assert coverage(home)["keqiao"][2:] == ("late", 5)
    ((received, arrived),) = published_rows(home, "select received_at, arrived_at from submissions")
    assert received == datetime(2017, 7, 1, 2, 0) and arrived > datetime(2017, 7, 10, 0, 59)
    with fixed_clock("2017-08-01T09:00:00"):  # the archive read again: each form keeps when it landed
        backfill.local(years="2017", home=str(home))
    assert published_rows(home, "select received_at, arrived_at from submissions") == [(received, arrived)]
    assert coverage(home)["keqiao"][2:] == ("late", 5)


def test_the_arrival_is_the_status_change_time_not_the_modification_time(tmp_path):
    path = dated(h1_form(tmp_path, "柯桥区"), "2001-01-01T00:00")
    landed = arrival(path)
    assert landed.received_at == datetime(2001, 1, 1)
    assert landed.landed_at.replace(tzinfo=UTC).timestamp() == pytest.approx(os.stat(path).st_ctime, abs=1e-3)
    with fixed_clock("2017-07-05T12:00:00+08:00"):  # on a fixed clock: as long ago as it really landed
        replayed = arrival(path).landed_at
    assert datetime(2017, 7, 5, 3, 59) < replayed <= datetime(2017, 7, 5, 4, 0)


def test_a_backfilled_form_has_no_arrival_and_is_unknown(tmp_path):
    home = Home.create(tmp_path / "home").root
    folder = tmp_path / "history"
    folder.mkdir()
    h1_form(folder, "柯桥区")
    with fixed_clock("2017-09-01T10:00:00"):
        backfill.local(years="2017", source=str(folder), home=str(home))
    assert coverage(home)["keqiao"] == ("accepted", None, "unknown", None)
    assert coverage(home)["shangyu"][2:] == ("overdue", 58)
    with duckdb.connect(str(Home(home).published), read_only=True) as con:
        report = build_report(con, Home(home).registry(), 2017, 6)
    assert report.coverage.on_time_line() == "按时报送率 / reported on time: 1-6月 —（到达时间未知 / arrival unknown）"


def test_the_homes_calendar_moves_a_due_date_past_its_holidays_and_expects_the_months_it_collects(tmp_path):
    home = Home.create(tmp_path / "home").root
    (home / "calendar.toml").write_text('months = [6, 12]\nholidays = ["2017-07-05", "2017-07-06"]\n', "utf-8")
    h1_form(home / "inbox", "柯桥区")
    night(home, "2017-07-07T20:00:00")  # in time: the due date moved to the 7th
    assert coverage(home)["keqiao"][2:] == ("on_time", None)
    assert published_rows(home, "select due_date, expected from staging.due_dates where month in (5, 6, 12) "
                                "order by month") == [(date(2017, 6, 5), False), (date(2017, 7, 7), True),
                                                      (date(2018, 1, 20), False)]


def test_due_dates_roll_over_consecutive_holidays_and_the_year_is_due_in_the_next():
    calendar = load_calendar()
    assert calendar.months is None and calendar.due_date(2017, 6) == date(2017, 7, 5)
    assert calendar.due_date(2017, 12) == date(2018, 1, 20)
    assert calendar.due_at(2017, 6) == H1_DUE
    national_day = replace(calendar, holidays=frozenset(date(2017, 10, d) for d in range(1, 9)))
    assert national_day.due_date(2017, 9) == date(2017, 10, 9)  # 国庆 1-8 October: due on the 9th
    assert national_day.due_date(2017, 8) == date(2017, 9, 5)


def test_a_calendar_that_cannot_be_used_stops_the_run_in_one_line_naming_the_file_and_key(tmp_path, capsys):
    home = Home.create(tmp_path / "home").root
    (home / "calendar.toml").write_text("due_days = 5\n", "utf-8")
    with pytest.raises(CalendarError, match="due_days"):
        load_calendar(home / "calendar.toml")
    h1_form(home / "inbox", "柯桥区")
    assert main(["run", "--home", str(home)]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert str(home / "calendar.toml") in err and "unknown key" in err
    assert (home / "inbox" / "柯桥区-2017-h1.xlsx").exists()  # nothing was taken in
