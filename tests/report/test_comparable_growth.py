"""Growth a council can quote (可比口径): where the units that reported a period differ from those of the
same period a year earlier, no format quotes growth over the two totals; each gives the growth over
the units that reported both, says so, and names the units left out.

The home: the bundled 2016 and 2017 forms (all eight units) and 2017's four January-June forms; then
2018 from 柯桥区 alone (one unit of eight), and 2018年1-6月 from 柯桥区 and 开发区,
which sent no 1-6月 in 2017 (a unit that reported this year and not the last).
"""

import json
import shutil
from decimal import Decimal

import duckdb
import openpyxl
import pytest
from keqiao import KEQIAO_2017
from support import REGISTRY, SAMPLE, TODAY, drop_samples, make_home, published_rows, write_form

from redcross.core.decimals import percent, round_half_up
from redcross.read.home import Home
from redcross.report.html import to_html
from redcross.report.model import Comparable, Figure, Report, build_report
from redcross.report.narrative import narrative
from redcross.report.text_formats import to_csv, to_json, to_markdown
from redcross.report.xlsx import write_xlsx

KEQIAO_2018_FIRST_AID = 4200
OTHERS = ["市本级", "越城区", "上虞区", "新昌县", "诸暨市", "嵊州市", "开发区"]  # all but 柯桥区, registry order


def rows_2018(first_aid: int) -> list[tuple]:
    return [(label, measure, first_aid if label == "救护员培训" else value, None)
            for label, measure, value, _ in KEQIAO_2017]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    from redcross.flows.nightly import nightly

    root = make_home(tmp_path_factory.mktemp("comparable") / "home")
    drop_samples(root)
    for form in (SAMPLE / "midyear").glob("*.xlsx"):
        shutil.copy2(form, root / "inbox" / form.name)
    inbox = root / "inbox"
    write_form(inbox / "柯桥区-2018.xlsx", rows_2018(KEQIAO_2018_FIRST_AID), "柯桥区红十字会", "2018年")
    write_form(inbox / "柯桥区-2018-h1.xlsx", rows_2018(2000), "柯桥区红十字会", "2018年1-6月")
    write_form(inbox / "开发区-2018-h1.xlsx", rows_2018(300), "开发区红十字会", "2018年1-6月")
    summary = nightly.local(home=str(root), today=TODAY)
    assert not summary.rejected
    assert {"柯桥区-2018.xlsx", "柯桥区-2018-h1.xlsx", "开发区-2018-h1.xlsx"} <= set(summary.accepted)
    return root


@pytest.fixture(scope="module")
def reports(home):
    with duckdb.connect(str(Home(home).published), read_only=True) as con:
        return {(year, month): build_report(con, REGISTRY, year, month) for year, month in ((2018, 12), (2018, 6), (2017, 12))}


def keqiao(home, year, month=12) -> Decimal:
    (value,), = published_rows(home, "select value from indicator_values where unit_code = 'keqiao' and year = ? "
                                     "and month = ? and indicator_code = 'first_aid_trained'", (year, month))
    return value


def test_city_totals_holds_the_comparable_figures_beside_the_totals(home):
    prior = keqiao(home, 2017)
    row = published_rows(home, "select units_reported, complete, comparable_units, comparable_total, comparable_prior_total, "
                               "comparable_growth_pct, yoy_growth_pct from city_totals "
                               "where year = 2018 and month = 12 and indicator_code = 'first_aid_trained'")
    units, complete, comparable, total, prior_total, growth, yoy = row[0]
    assert (units, complete, comparable, total, prior_total) == (1, False, 1, KEQIAO_2018_FIRST_AID, prior)
    assert growth == round_half_up(percent(Decimal(KEQIAO_2018_FIRST_AID) - prior, prior), 10)
    assert yoy < -80  # growth over the totals keeps its meaning: one unit against eight


def test_a_complete_year_is_complete_and_its_comparable_growth_is_its_growth(home):
    rows = published_rows(home, "select complete, comparable_units, comparable_growth_pct, yoy_growth_pct, "
                                "comparable_total = total and comparable_prior_total = prior_total "
                                "from city_totals where year = 2017 and month = 12")
    assert len(rows) == 12
    assert all(row == (True, 8, row[3], row[3], True) for row in rows)


def test_one_unit_of_eight_gives_no_growth_over_the_totals_in_any_format(reports, tmp_path):
    report = reports[2018, 12]
    city = report.city("first_aid_trained")
    assert city.on_comparable_basis and city.total_growth < -80
    comparable = city.comparable.growth
    shown_total, shown_comparable = (f"{round_half_up(g, 2)}%" for g in (city.total_growth, comparable))
    text = narrative(report)
    assert f"救护员培训{KEQIAO_2018_FIRST_AID}人" in text
    assert f"同比（可比口径，1个单位）{'增长' if comparable > 0 else '下降'}{abs(round_half_up(comparable, 0))}%" in text
    assert "同比下降81%" not in text and "同比下降" + str(abs(round_half_up(city.total_growth, 0))) not in text
    assert "不含" + "、".join(f"{name}（本期未报）" for name in OTHERS) in text
    markdown = to_markdown(report)
    assert f"| {shown_comparable}（可比口径，1个单位） |" in markdown and shown_total not in markdown
    html = to_html(report)
    assert shown_comparable in html and shown_total not in html and "（可比口径，1个单位）" in html
    figures = {(f["scope"], f["indicator_code"]): f for f in json.loads(to_json(report))["figures"]}
    first_aid = figures["city", "first_aid_trained"]
    assert first_aid["yoy_growth_pct"] is None and first_aid["complete"] is False
    assert first_aid["comparable_growth_pct"] == str(round_half_up(comparable, 2))
    assert first_aid["comparable_units"] == 1
    assert [u["unit_name"] for u in first_aid["comparable_left_out"]] == OTHERS
    write_xlsx(report, tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["汇总"]
    (row,) = [r for r in sheet.iter_rows() if r[0].value == "救护员培训"][:1]
    assert Decimal(str(row[5].value)) == round_half_up(comparable, 2) / 100
    assert "可比口径，1个单位" in row[5].comment.text and "开发区（本期未报）" in row[5].comment.text


def test_a_unit_that_reported_this_year_and_not_the_last_is_left_out_and_named(home, reports):
    report = reports[2018, 6]
    city = report.city("first_aid_trained")
    assert city.total == 2300 and city.on_comparable_basis and city.comparable.units == 1
    prior = keqiao(home, 2017, 6)
    assert city.comparable.total == 2000 and city.comparable.prior_total == prior
    assert ("开发区", "prior") in city.comparable.left_out and ("越城区", "current") in city.comparable.left_out
    text = narrative(report)
    assert "开发区（上年同期未报）" in text and "同比（可比口径，1个单位）" in text


def test_no_unit_reporting_both_periods_says_growth_cannot_yet_be_given():
    basis = Comparable(0, None, None, False, (("柯桥区", "prior"),))
    complete = Comparable(8, Decimal(110), Decimal(100), True)
    report = Report(2018, 12, [Figure("first_aid_trained", "city", Decimal(300), None, Decimal(21810), comparable=basis),
                               Figure("hsc_donated", "city", Decimal(110), None, Decimal(100), comparable=complete)],
                    REGISTRY, [])
    text = narrative(report)
    assert text.startswith("2018年，全市红十字系统开展救护员培训300人；实现造血干细胞捐献110例，同比增长10.00%。")
    assert text.endswith("救护员培训没有单位两期均已报送，暂不能计算同比。")
    assert json.loads(to_json(report))["figures"][0]["comparable_growth_pct"] is None


def test_the_2017_report_shows_each_indicator_in_one_unit_in_every_format(home, reports, tmp_path):
    report = reports[2017, 12]
    write_xlsx(report, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    xlsx_text = "\n".join(str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r if c.value is not None)
    texts = {"md": to_markdown(report), "html": to_html(report), "xlsx": xlsx_text, "narrative": narrative(report)}
    for indicator in REGISTRY.indicators:
        other_units = {i.stored_unit for i in REGISTRY.indicators} | {i.shown_unit for i in REGISTRY.indicators}
        for fmt, text in texts.items():
            labelled = {unit for unit in other_units if f"{indicator.name}（{unit}）" in text}
            assert labelled <= {indicator.shown_unit}, (fmt, indicator.name, labelled)
            if indicator.kind == "money":  # money only in 万元: the stored 元 total appears nowhere
                assert f"{report.city(indicator.code).total}" not in text, (fmt, indicator.name)
        assert f"| {indicator.name} | {indicator.shown_unit} |" in texts["md"]
    assert "实现器官捐献14人" in texts["narrative"]
    csv_rows = [line.split(",") for line in to_csv(report).splitlines()[1:]]
    for indicator in REGISTRY.indicators:
        assert {row[5] for row in csv_rows if row[0] == indicator.code} == {indicator.shown_unit}


def test_the_report_says_one_thing_about_rounding_in_every_format(reports, tmp_path):
    report = reports[2017, 12]
    write_xlsx(report, tmp_path / "r.xlsx")
    note = openpyxl.load_workbook(tmp_path / "r.xlsx")["汇总"]["A2"].value
    for text in (to_markdown(report), to_html(report), note, json.loads(to_json(report))["precision"]):
        assert "表格保留两位小数" in text and "文字叙述" in text and "0至2位" in text
        assert "百分比四舍五入保留两位" not in text
    assert "完成省定指标的137%" in narrative(report)  # the text's precision (style.toml), as the note says
    assert "136.93%" in to_markdown(report)  # the table's
