"""Cumulative figures do not fall: a year-to-date figure below an earlier period's of the same
unit and year warns, whichever of the two forms arrives last, naming both files and cells."""

import pytest
from support import TODAY, dated, make_home, midyear_rows, published_rows, write_form


def form(inbox, name, unit, period, first_aid, when):
    """A mid-year form (support.midyear_rows): 救护员培训 in D5 as given, the other figures the same in every period."""
    return dated(write_form(inbox / name, midyear_rows(first_aid, 40, 500000), unit, period), when)


def decreases(summary, name):
    return [p for p in summary.warned.get(name, []) if p.rule == "cumulative_decrease"]


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """柯桥区: 1-5月 1900 (night 1), 1-6月 1835 (night 2), then a late 1-4月 of 1850 (night 3).
    越城区: 1-5月 300 and 1-6月 200 in the same night (night 2). 上虞区: 1-5月 100, then a full year of 900."""
    from redcross.flows.nightly import nightly

    home = make_home(tmp_path_factory.mktemp("cumulative") / "home")
    inbox = home / "inbox"
    form(inbox, "keqiao-1-5.xlsx", "柯桥区", "2017年1-5月", 1900, "2017-06-05T09:00")
    form(inbox, "shangyu-1-5.xlsx", "上虞区", "2017年1-5月", 100, "2017-06-05T09:00")
    first = nightly.local(home=str(home), today=TODAY)
    form(inbox, "keqiao-1-6.xlsx", "柯桥区", "2017年1-6月", 1835, "2017-07-05T09:00")
    form(inbox, "yuecheng-1-5.xlsx", "越城区", "2017年1-5月", 300, "2017-06-05T09:00")
    form(inbox, "yuecheng-1-6.xlsx", "越城区", "2017年1-6月", 200, "2017-07-05T09:00")
    form(inbox, "shangyu-2017.xlsx", "上虞区", "2017年", 900, "2018-01-05T09:00")
    second = nightly.local(home=str(home), today=TODAY)
    form(inbox, "keqiao-1-4.xlsx", "柯桥区", "2017年1-4月", 1850, "2017-07-20T09:00")
    third = nightly.local(home=str(home), today=TODAY)
    return home, first, second, third


def test_a_later_period_below_an_earlier_one_in_force_warns_naming_both_files_and_cells(nights):
    home, first, second, _ = nights
    assert not first.warned
    (found,) = decreases(second, "keqiao-1-6.xlsx")
    assert (found.severity, found.sheet, found.cell, found.indicator, found.value, found.expected) == (
        "warning", "统计表", "D5", "救护员培训", "1835", "1900")
    assert found.message_zh == (
        "2017年1-6月的累计数 1835（文件“keqiao-1-6.xlsx”工作表“统计表”单元格 D5）少于2017年1-5月的 1900"
        "（文件“keqiao-1-5.xlsx”工作表“统计表”单元格 D5）：本年累计数不应减少。请核实后说明原因。")
    assert found.message_en.startswith(
        "the year-to-date figure for January-June 2017, 1835 (file 'keqiao-1-6.xlsx', sheet '统计表', cell D5), is "
        "below the 1900 for January-May 2017 (file 'keqiao-1-5.xlsx', sheet '统计表', cell D5)")
    assert second.warned.keys() == {"keqiao-1-6.xlsx", "yuecheng-1-5.xlsx", "yuecheng-1-6.xlsx"}
    assert published_rows(home, "select status from submissions where file_name = 'keqiao-1-6.xlsx'") == [("accepted",)]


def test_a_late_earlier_period_above_a_later_one_in_force_warns_too(nights):
    _, _, _, third = nights
    (found,) = [p for ps in third.warned.values() for p in ps]  # above 1-6月's 1835, not above 1-5月's 1900
    assert (found.rule, found.file, found.cell, found.value, found.expected) == (
        "cumulative_decrease", "keqiao-1-4.xlsx", "D5", "1850", "1835")
    assert found.message_zh.startswith(
        "2017年1-6月的累计数 1835（文件“keqiao-1-6.xlsx”工作表“统计表”单元格 D5）少于2017年1-4月的 1850"
        "（文件“keqiao-1-4.xlsx”工作表“统计表”单元格 D5）")


def test_two_periods_of_one_night_are_compared_with_each_other(nights):
    _, _, second, _ = nights
    (later,) = decreases(second, "yuecheng-1-6.xlsx")
    (earlier,) = decreases(second, "yuecheng-1-5.xlsx")
    assert (later.value, later.expected, earlier.value, earlier.expected) == ("200", "300", "300", "200")
    assert "yuecheng-1-5.xlsx" in later.message_zh and "yuecheng-1-6.xlsx" in earlier.message_en


def test_the_full_year_counts_as_months_one_to_twelve(nights):
    _, _, second, _ = nights
    assert "shangyu-2017.xlsx" in second.accepted and "shangyu-2017.xlsx" not in second.warned  # 900 after 100


def test_a_full_year_below_its_january_to_may_warns(tmp_path):
    from redcross.flows.nightly import nightly

    home = make_home(tmp_path / "home")
    form(home / "inbox", "shangyu-1-5.xlsx", "上虞区", "2017年1-5月", 100, "2017-06-05T09:00")
    nightly.local(home=str(home), today=TODAY)
    form(home / "inbox", "shangyu-2017.xlsx", "上虞区", "2017年", 99, "2018-01-05T09:00")
    summary = nightly.local(home=str(home), today=TODAY)
    (found,) = decreases(summary, "shangyu-2017.xlsx")
    assert found.message_zh.startswith("2017年的累计数 99（文件“shangyu-2017.xlsx”")
    assert "the year-to-date figure for the year 2017, 99" in found.message_en


def test_the_remark_on_the_falling_figure_goes_with_the_warning(tmp_path):
    """Where the clean rows carry the form's 备注 (`remark`), the warning on a figure carries its row's."""
    import polars as pl
    from support import REGISTRY

    from redcross.core.forms import YEAR_TO_DATE_SCHEMA, night_rows
    from redcross.expectations.cumulative import check_cumulative
    from redcross.expectations.suites import SuiteRunner
    from redcross.flows.plumbing.intake import read_form

    may = form(tmp_path, "keqiao-1-5.xlsx", "柯桥区", "2017年1-5月", 1900, "2017-06-05T09:00")
    june = form(tmp_path, "keqiao-1-6.xlsx", "柯桥区", "2017年1-6月", 1835, "2017-07-05T09:00")
    forms = [read_form(may, REGISTRY), read_form(june, REGISTRY)]
    rows = night_rows(forms).drop("remark", strict=False).with_columns(
        pl.when((pl.col("form") == 1) & (pl.col("row") == 5)).then(pl.lit("复核后剔除重复培训65人")).alias("remark"))
    check_cumulative(forms, pl.DataFrame(schema=YEAR_TO_DATE_SCHEMA), REGISTRY, SuiteRunner(), rows)
    assert [(p.file, p.cell, p.remark) for f in forms for p in f.problems] == [
        ("keqiao-1-5.xlsx", "D5", None), ("keqiao-1-6.xlsx", "D5", "复核后剔除重复培训65人")]
