"""报告期 cells that a spreadsheet program made into dates, read to the unit and period they mean.

tests/fixtures/clerks/ is made by scripts/make_clerk_fixtures.py (LibreOffice typing the form,
then saving it as xlsx, xls and ods); the openpyxl workbooks are written here, into tmp_path.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from support import FIXTURES, REGISTRY, set_cells, write_form

from redcross.core.periods import Period
from redcross.core.sheets import CellDate
from redcross.flows.plumbing.intake import read_form
from redcross.read.dates import cell_date, date_shows, serial_date, shown_date
from redcross.read.sheets import read_sheets

CLERKS = FIXTURES / "clerks"


@pytest.mark.parametrize(
    ("name", "shown", "period"),
    [
        ("period_month_date.xlsx", "2017年6月", Period(2017, 1, 6)),
        ("period_month_date.xls", "2017年6月", Period(2017, 1, 6)),
        ("period_month_date.ods", "2017年6月", Period(2017, 1, 6)),
        ("period_year_date.xlsx", "2017年", Period(2017, 1, 12)),  # the date is 2017-06-30: only the year shows
        ("period_year_date.xls", "2017年", Period(2017, 1, 12)),
        ("period_year_date.ods", "2017年", Period(2017, 1, 12)),
    ],
)
def test_a_date_libreoffice_made_reads_as_the_period_it_shows(name, shown, period):
    form = read_form(CLERKS / name, REGISTRY)
    assert (form.unit_code, form.period) == ("keqiao", period)  # unit written 浙江省绍兴市柯桥区红十字会（盖章）
    assert (form.unit_written.text, form.period_written.text, form.period_written.cell) == (
        "浙江省绍兴市柯桥区红十字会（盖章）", shown, "E2")
    values = dict(form.rows.select("indicator_code", "value").iter_rows())
    assert (values["first_aid_trained"], values["donation_income"], len(values)) == (
        Decimal(3951), Decimal("2403200.00"), 12)


def form_with_period(path, value, number_format=None):
    write_form(path, period=None)
    return set_cells(path, {"D2": "报告期：", "E2": value}, {"E2": number_format} if number_format else None)


@pytest.mark.parametrize(
    ("value", "number_format", "shown", "period"),
    [
        (datetime(2017, 12, 1), 'yyyy"年"m"月"', "2017年12月", Period(2017, 1, 12)),
        (datetime(2017, 9, 1), '[$-804]yyyy"年"m"月";@', "2017年9月", Period(2017, 1, 9)),
        (date(2017, 3, 15), 'yyyy"年"', "2017年", Period(2017, 1, 12)),
        (43070, 'yyyy"年"m"月"', "2017年12月", Period(2017, 1, 12)),  # a serial number with a date format
        (42916, "yyyy-mm-dd", "2017-06-30", Period(2017, 1, 6)),
        (datetime(2017, 6, 30), None, "2017-06-30 0:00:00", Period(2017, 1, 6)),  # openpyxl's yyyy-mm-dd h:mm:ss
    ],
)
def test_a_date_openpyxl_wrote_reads_as_the_period_its_format_shows(tmp_path, value, number_format, shown, period):
    form = read_form(form_with_period(tmp_path / "keqiao.xlsx", value, number_format), REGISTRY)
    assert (form.unit_code, form.period, form.period_written.text) == ("keqiao", period, shown)


def test_the_grid_shows_a_date_cell_as_its_format_does(tmp_path):
    path = form_with_period(tmp_path / "keqiao.xlsx", datetime(2017, 12, 1), 'yyyy"年"m"月"')
    grid = next(read_sheets(path))
    assert grid.dates == {"E2": CellDate(date(2017, 12, 1), "month", "2017年12月")}
    assert grid.cells.filter(row=2)["E"].to_list() == ["2017年12月"]  # never 2017-12-01 00:00:00


@pytest.mark.parametrize(
    ("code", "shows", "shown"),
    [
        ('yyyy"年"m"月"', "month", "2017年6月"),
        ("[$-804]yyyy\\年m\\月", "month", "2017年6月"),  # as LibreOffice writes it into an xlsx
        ('yyyy"年"', "year", "2017年"),
        ('yyyy"年"m"月"d"日"', "day", "2017年6月5日"),
        ("yyyy/m/d h:mm", "day", "2017/6/5 0:00"),
        ("mmm-yy", "month", "Jun-17"),
        ("h:mm:ss", None, "0:00:00"),
        ("0.00", None, "0.00"),
    ],
)
def test_number_formats_say_what_part_of_a_date_they_show(code, shows, shown):
    assert (date_shows(code), shown_date(code, date(2017, 6, 5))) == (shows, shown)


def test_a_date_without_a_known_format_is_a_day_shown_plainly():
    assert cell_date(None, date(2017, 6, 1)) == CellDate(date(2017, 6, 1), "day", "2017-06-01")
    assert (serial_date(42887), serial_date(59), serial_date(0, date1904=True)) == (
        date(2017, 6, 1), date(1900, 2, 28), date(1904, 1, 1))
