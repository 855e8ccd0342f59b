"""The 报告期 wordings of transforms.periods.PERIOD_WORDINGS, each with the months it means."""

from datetime import date

import pytest

from redcross.core.periods import Period
from redcross.core.sheets import CellDate
from redcross.transforms.periods import PERIOD_WORDINGS, parse_period, period_of_date, wording_of

# Every wording offices write, with the months it means. Each row of PERIOD_WORDINGS must be read
# by at least one of these (see the last test), so a new row comes with its examples.
SPELLINGS = [
    ("2017年", Period(2017, 1, 12)),
    ("2017年度", Period(2017, 1, 12)),
    ("2017年份", Period(2017, 1, 12)),
    ("2017年全年", Period(2017, 1, 12)),
    ("2017全年", Period(2017, 1, 12)),
    ("2017年上半年", Period(2017, 1, 6)),
    ("2017年下半年", Period(2017, 7, 12)),  # read as July-December; rejected as not cumulative
    ("2017年一季度", Period(2017, 1, 3)),
    ("2017年第一季度", Period(2017, 1, 3)),
    ("2017年第二季度", Period(2017, 4, 6)),
    ("2017年三季度", Period(2017, 7, 9)),
    ("2017年第四季度", Period(2017, 10, 12)),
    ("2017年前三季度", Period(2017, 1, 9)),
    ("2017年1-3季度", Period(2017, 1, 9)),
    ("2017年第1季度至第2季度", Period(2017, 1, 6)),
    ("2017年6月", Period(2017, 1, 6)),
    ("2017年6月份", Period(2017, 1, 6)),
    ("2017年12月累计", Period(2017, 1, 12)),
    ("2017年1-6月", Period(2017, 1, 6)),
    ("2017年1至6月", Period(2017, 1, 6)),
    ("2017年1月至6月", Period(2017, 1, 6)),
    ("2017年1-12月", Period(2017, 1, 12)),
    ("2017年1—12月", Period(2017, 1, 12)),  # em dash
    ("2017年1–9月", Period(2017, 1, 9)),  # en dash
    ("2017年1月-12月", Period(2017, 1, 12)),
    ("２０１７年１－６月", Period(2017, 1, 6)),  # full-width digits and dash
    ("2017年1～6月", Period(2017, 1, 6)),  # full-width tilde
    ("2017 年 1-6 月", Period(2017, 1, 6)),
    ("2017年度1-6月", Period(2017, 1, 6)),
    ("2017年4-6月", Period(2017, 4, 6)),  # read as April-June; rejected as not cumulative
    ("2017年13月", Period(2017, 1, 13)),  # read as such; rejected as a month that does not exist
]


@pytest.mark.parametrize(("text", "period"), SPELLINGS)
def test_each_spelling_means_its_months(text, period):
    assert parse_period(text) == period


@pytest.mark.parametrize("text", ["去年", "2017", "17年", "2017年第五季度", "2017年6", "全年", "", None])
def test_what_is_not_a_period_reads_as_none(text):
    assert parse_period(text) is None


def test_every_row_of_the_wordings_table_has_an_example():
    read = {wording_of(text) for text, _ in SPELLINGS}
    assert [w.pattern for w in PERIOD_WORDINGS if w not in read] == []


@pytest.mark.parametrize(
    ("cell", "period"),
    [
        (CellDate(date(2017, 12, 1), "month", "2017年12月"), Period(2017, 1, 12)),
        (CellDate(date(2017, 6, 1), "month", "2017年6月"), Period(2017, 1, 6)),
        (CellDate(date(2017, 6, 30), "day", "2017-06-30"), Period(2017, 1, 6)),
        (CellDate(date(2017, 6, 30), "year", "2017年"), Period(2017, 1, 12)),
    ],
)
def test_a_date_means_january_to_its_month_or_the_year_it_shows(cell, period):
    assert period_of_date(cell) == period
