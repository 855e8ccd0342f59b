"""Backfills from the city's summary workbooks and from the archive, under the Prefect harness."""

from decimal import Decimal

import openpyxl
import pytest
from support import REGISTRY, TODAY, drop_samples, published_rows

from redcross.flows.backfill import backfill, parse_years
from redcross.flows.nightly import nightly

pytestmark = pytest.mark.usefixtures("prefect_harness")  # its flows run as Prefect flow runs

HEADERS = [f"{i.name}({'万元' if i.kind == 'money' else i.stored_unit})" for i in REGISTRY.indicators]
UNITS = ["市本级", "越城区", "绍兴县", "上虞市", "新昌县", "诸暨市", "嵊州市", "袍江开发区"]  # as named back then


def unit_figures(year: int, unit_index: int) -> list:
    """Plausible figures, money in 万元 with two places; 2015 near the bundled 2016 forms."""
    scale = {2014: 70, 2015: 85}[year] + unit_index
    return [20 * scale, 160 * scale, scale // 2, 0, scale // 3, 1, 1, Decimal(scale) + Decimal("0.25"),
            Decimal(scale) / 2, 30 * scale, scale, 40 * scale]


def write_summary(path, years=(2014, 2015), broken_total: int | None = None):
    """The city office's summary workbook: a sheet per year, a row per unit, a 合计 row."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for year in years:
        sheet = book.create_sheet(f"{year}年" if year % 2 == 0 else str(year))
        sheet.append([f"绍兴市红十字会{year}年工作统计汇总表"])
        sheet.append(["序号", "单位", *HEADERS])
        rows = [unit_figures(year, i) for i in range(len(UNITS))]
        for i, (name, figures) in enumerate(zip(UNITS, rows, strict=True), start=1):
            sheet.append([i, name, *[float(v) if isinstance(v, Decimal) else v for v in figures]])
        totals = [sum(column) for column in zip(*rows, strict=True)]
        if year == broken_total:
            totals[0] += 1
        sheet.append([None, "合计", *[float(v) if isinstance(v, Decimal) else v for v in totals]])
    book.save(path)
    return path



@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "history"
    folder.mkdir()
    return folder


def test_parse_years():
    assert parse_years("2015-2017") == {2015, 2016, 2017}
    assert parse_years("2014, 2016") == {2014, 2016}
    with pytest.raises(ValueError, match="not a year"):
        parse_years("last year")


def test_two_historical_years_then_the_forms_give_four_years_of_totals_and_growth(home, source):
    write_summary(source / "汇总表.xlsx")
    summary = backfill(years="2014-2015", source=str(source), home=str(home), today=TODAY)
    assert not summary.rejected and len(summary.accepted) == 16
    drop_samples(home)
    nightly(home=str(home), today=TODAY)
    totals = published_rows(home, """select year, total, prior_total, yoy_growth_pct is not null from city_totals
                           where indicator_code = 'first_aid_trained' and month = 12 order by year""")
    first_aid_2014 = sum(unit_figures(2014, i)[0] for i in range(8))
    first_aid_2015 = sum(unit_figures(2015, i)[0] for i in range(8))
    assert totals == [
        (2014, first_aid_2014, None, False),
        (2015, first_aid_2015, first_aid_2014, True),
        (2016, 17448, first_aid_2015, True),
        (2017, 21810, 17448, True),
    ]
    money = published_rows(home, "select value from indicator_values where year = 2015 and unit_code = 'keqiao' "
                       "and indicator_code = 'donation_income'")
    assert money == [(Decimal("872500.00"),)]  # 87.25 万元, historic name 绍兴县 mapped to keqiao
    assert published_rows(home, "select count(*) from submissions where file_name = '汇总表.xlsx'") == [(16,)]
    assert (source / "汇总表.xlsx").exists()  # the source folder is left as it was


def test_a_total_row_that_disagrees_rejects_that_year_only(home, source):
    write_summary(source / "汇总表.xlsx", broken_total=2014)
    summary = backfill(years="2014-2015", source=str(source), home=str(home), today=TODAY)
    assert len(summary.accepted) == 8
    problems = {(p.rule, p.sheet, p.cell, p.indicator) for ps in summary.rejected.values() for p in ps}
    assert problems == {("total_mismatch", "2014年", "C11", "救护员培训")}
    assert published_rows(home, "select distinct year from indicator_values") == [(2015,)]


def test_unit_limits_the_backfill_to_one_unit(home, source):
    write_summary(source / "汇总表.xlsx")
    backfill(years="2015", unit="keqiao", source=str(source), home=str(home), today=TODAY)
    assert published_rows(home, "select distinct year, unit_code from indicator_values") == [(2015, "keqiao")]


def test_a_backfill_replaces_loaded_years_keeps_history_and_is_idempotent(home, source):
    drop_samples(home, years=(2016,))
    nightly(home=str(home), today=TODAY)
    corrected = source / "corrected"
    corrected.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2016年"
    sheet.append(["单位", *HEADERS])
    sheet.append(["柯桥区", *[1] * len(HEADERS)])
    book.save(corrected / "keqiao-2016-corrected.xlsx")
    backfill(years="2016", source=str(corrected), home=str(home), today=TODAY)
    query = "select status, count(*) from submissions where unit_code = 'keqiao' group by all order by all"
    assert published_rows(home, query) == [("accepted", 1), ("superseded", 1)]
    value = "select value from indicator_values where unit_code = 'keqiao' and indicator_code = 'first_aid_trained'"
    assert published_rows(home, value) == [(Decimal("1.00"),)]
    figures = published_rows(home, "select * from city_totals order by all")
    again = backfill(years="2016", source=str(corrected), home=str(home), today=TODAY)
    assert again.changed_figures == [] and published_rows(home, "select * from city_totals order by all") == figures
    assert published_rows(home, query) == [("accepted", 1), ("superseded", 1)]


def test_a_backfill_from_the_archive_rereads_and_changes_nothing_that_was_right(home):
    drop_samples(home)
    nightly(home=str(home), today=TODAY)
    figures = published_rows(home, "select * from city_totals order by all")
    names = published_rows(home, "select file_name, status from submissions order by all")
    summary = backfill(years="2016-2017", home=str(home), today=TODAY)
    assert len(summary.accepted) == 16 and summary.changed_figures == []
    assert published_rows(home, "select * from city_totals order by all") == figures
    assert published_rows(home, "select file_name, status from submissions order by all") == names
    assert published_rows(home, "select kind, status from runs order by started_at") == [("nightly", "succeeded"),
                                                                                 ("backfill", "succeeded")]
