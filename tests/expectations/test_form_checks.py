"""Real workbooks through the reader and the Great Expectations suites, down to the message fields."""

from datetime import datetime
from decimal import Decimal

import pytest
from keqiao import KEQIAO_2017
from support import REGISTRY, SAMPLE, TODAY, set_cells, write_form

from redcross.expectations.forms import check_forms
from redcross.expectations.suites import SuiteRunner
from redcross.flows.plumbing.intake import read_form


@pytest.fixture(scope="module")
def runner():
    return SuiteRunner()


def checked(paths, runner):
    forms = [read_form(p, REGISTRY) for p in paths]
    check_forms(forms, REGISTRY, runner, TODAY)
    return forms


def replace_row(label, value, measure=None):
    return [(lbl, (measure or m) if lbl == label else m, value if lbl == label else v, p)
            for lbl, m, v, p in KEQIAO_2017]


def test_the_bundled_forms_sum_to_the_reference_totals(runner):
    forms = checked(sorted((SAMPLE / "inbox").glob("*.xlsx")), runner)
    assert [f.arrival.name for f in forms if f.problems] == []
    totals = {}
    for form in forms:
        for code, value in form.rows.select("indicator_code", "value").iter_rows():
            totals[(form.period.year, code)] = totals.get((form.period.year, code), 0) + value
    assert totals[(2017, "first_aid_trained")] == Decimal(21810)
    assert totals[(2017, "public_trained")] == Decimal(173554)
    assert totals[(2017, "donation_income")] == Decimal("14595500.00")
    assert totals[(2017, "donation_expenditure")] == Decimal("9983600.00")
    assert totals[(2016, "volunteer_beneficiaries")] == Decimal(43220)
    assert {f.unit_code for f in forms} == {u.code for u in REGISTRY.units}


def test_table_may_start_anywhere_and_money_in_wan_yuan_is_exact(tmp_path, runner):
    path = write_form(tmp_path / "b.xlsx", header_row=9, first_column=3)
    (form,) = checked([path], runner)
    assert form.problems == []
    values = dict(form.rows.select("indicator_code", "value").iter_rows())
    assert values["donation_income"] == Decimal("2403200.00")
    assert values["first_aid_trained"] == Decimal(3951)
    cells = dict(form.rows.select("indicator_code", "value_cell").iter_rows())
    assert cells["first_aid_trained"] == "F10"


@pytest.mark.parametrize(
    ("rows", "unit", "period", "rule", "cell", "indicator", "value"),
    [
        (KEQIAO_2017, "杭州市红十字会", "2017年", "unknown_unit", "A2", None, "杭州市红十字会"),
        (KEQIAO_2017, None, "2017年", "missing_unit", None, None, None),
        (KEQIAO_2017, "柯桥区", "2027年", "future_period", "D2", None, "2027年"),
        (KEQIAO_2017, "柯桥区", "2017年13月", "invalid_month", "D2", None, "2017年13月"),
        (KEQIAO_2017, "柯桥区", "去年", "missing_period", "D2", None, "去年"),
        (KEQIAO_2017, "柯桥区", "2017年4-6月", "not_cumulative", "D2", None, "2017年4-6月"),
        (replace_row("捐赠收入", "12.345", measure="元"), "柯桥区", "2017年", "too_many_places", "D12", "捐赠收入",
         "12.345"),
        (replace_row("普及培训", None), "柯桥区", "2017年", "empty_value", "D6", "普及培训", None),
        (replace_row("普及培训", -3), "柯桥区", "2017年", "negative_value", "D6", "普及培训", "-3"),
        (replace_row("普及培训", 12.5), "柯桥区", "2017年", "fractional_count", "D6", "普及培训", "12.5"),
        (replace_row("普及培训", "很多"), "柯桥区", "2017年", "not_a_number", "D6", "普及培训", "很多"),
        (replace_row("捐赠收入", 100, measure="美元"), "柯桥区", "2017年", "money_unit", "D12", "捐赠收入", "美元"),
        (KEQIAO_2017[:-1], "柯桥区", "2017年", "missing_indicator", None, "志愿服务受益人次", "0"),
        (KEQIAO_2017 + [KEQIAO_2017[0]], "柯桥区", "2017年", "duplicate_indicator", "D5, D17", "救护员培训", "2"),
        (KEQIAO_2017 + [("献血宣传", "次", 4, None)], "柯桥区", "2017年", "unknown_indicator", "B17", "献血宣传",
         "献血宣传"),
    ],
)
def test_each_error_rejects_the_file_naming_the_cell(tmp_path, runner, rows, unit, period, rule, cell, indicator, value):
    (form,) = checked([write_form(tmp_path / "bad.xlsx", rows=rows, unit=unit, period=period)], runner)
    assert form.rejected
    assert [(p.rule, p.severity, p.file, p.cell, p.indicator, p.value) for p in form.problems] == [
        (rule, "error", "bad.xlsx", cell, indicator, value)
    ]
    assert form.problems[0].sheet == "统计表"
    assert "bad.xlsx" in form.problems[0].line() and form.problems[0].message_zh and form.problems[0].message_en


def test_a_formula_without_a_cached_value_names_its_cell(tmp_path, runner):
    rows = replace_row("普及培训", "=D4*8")  # openpyxl saves formulas with no cached value
    (form,) = checked([write_form(tmp_path / "f.xlsx", rows=rows)], runner)
    assert [(p.rule, p.cell, p.indicator, p.value) for p in form.problems] == [
        ("formula_without_value", "D6", "普及培训", "=D4*8")]
    assert "=D4*8" in form.problems[0].message_zh and "=D4*8" in form.problems[0].message_en


def test_every_problem_in_a_file_is_reported(tmp_path, runner):
    rows = [(lbl, m, {"普及培训": -1, "器官捐献": 1.5, "捐赠支出": "n/a"}.get(lbl, v), p) for lbl, m, v, p in KEQIAO_2017]
    (form,) = checked([write_form(tmp_path / "three.xlsx", rows=rows)], runner)
    assert sorted((p.rule, p.cell) for p in form.problems) == [
        ("fractional_count", "D10"), ("negative_value", "D6"), ("not_a_number", "D13")]


@pytest.mark.parametrize(
    ("content", "name", "fragment"),
    [(b"", "empty.xlsx", "0 bytes"), (b"just some text", "notes.xlsx", "not a valid .xlsx"),
     (b"PK\x03\x04broken", "cut.xlsx", "not a valid .xlsx"), (b"a,b", "x.pdf", "unsupported file type")],
)
def test_unreadable_files_are_rejected_with_a_message_not_a_traceback(tmp_path, runner, content, name, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    (form,) = checked([path], runner)
    assert [p.rule for p in form.problems] == ["unreadable_file"]
    assert fragment in form.problems[0].value


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_forms_in_any_of_the_encodings_districts_use(tmp_path, runner, encoding):
    lines = ["填报单位：诸暨市红十字会,,报告期：2017年", "序号,指标名称,计量单位,本期数,上年同期数,备注"]
    lines += [f"{n},{lbl},{m},\"{v}\",{p}," for n, (lbl, m, v, p) in enumerate(KEQIAO_2017, 1)]
    path = tmp_path / "zhuji.csv"
    path.write_bytes("\n".join(lines).encode(encoding))
    (form,) = checked([path], runner)
    assert form.problems == [] and form.unit_code == "zhuji"
    assert dict(form.rows.select("indicator_code", "value").iter_rows())["donation_income"] == Decimal("2403200.00")


# --- what clerks' spreadsheets hold (issue 15): dates Excel made, official names, messages as seen ---

def test_a_date_in_a_figure_cell_is_rejected_saying_it_is_a_date(tmp_path, runner):
    path = set_cells(write_form(tmp_path / "d.xlsx"), {"D6": datetime(2017, 6, 1)}, {"D6": 'yyyy"年"m"月"'})
    (form,) = checked([path], runner)
    assert [(p.rule, p.severity, p.cell, p.indicator, p.value) for p in form.problems] == [
        ("date_in_value", "error", "D6", "普及培训", "2017年6月")]
    assert "本期数“2017年6月”是日期" in form.problems[0].message_zh
    assert "the figure '2017年6月' is a date, not a number" in form.problems[0].message_en


@pytest.mark.parametrize(
    ("cells", "formats", "rule", "value"),
    [
        # a date the clerk sees as 2027年3月, still to come: quoted as shown, not as 2027-03-01 00:00:00
        ({"D2": "报告期：", "E2": datetime(2027, 3, 1)}, {"E2": 'yyyy"年"m"月"'}, "future_period", "2027年3月"),
        ({"D2": "报告期：", "E2": datetime(2027, 3, 1)}, {"E2": "yyyy-mm-dd"}, "future_period", "2027-03-01"),
        # typed text keeps its spaces and full-width digits in the message
        ({"D2": "报告期：２０１７年 4-6 月"}, {}, "not_cumulative", "２０１７年 4-6 月"),
        ({"D2": "报告期： 上个月 "}, {}, "missing_period", "上个月"),
    ],
)
def test_a_message_quotes_the_period_as_the_clerk_sees_it(tmp_path, runner, cells, formats, rule, value):
    path = set_cells(write_form(tmp_path / "p.xlsx", period=None), cells, formats)
    (form,) = checked([path], runner)
    assert [(p.rule, p.value) for p in form.problems] == [(rule, value)]
    assert f"“{value}”" in form.problems[0].message_zh and f"'{value}'" in form.problems[0].message_en


def test_forms_the_way_clerks_fill_them_load(tmp_path, runner):
    """The three forms of issue 15: a 报告期 Excel made a date, an official full name, 全年."""
    dated = set_cells(write_form(tmp_path / "dated.xlsx", period=None), {"D2": "报告期：", "E2": datetime(2018, 12, 1)},
                      {"E2": 'yyyy"年"m"月"'})
    named = write_form(tmp_path / "named.xlsx", unit="绍兴市越城区红十字会")
    whole_year = write_form(tmp_path / "year.xlsx", period="2017年全年")
    forms = checked([dated, named, whole_year], runner)
    assert [(f.problems, f.unit_code, f.period.year, f.period.first_month, f.period.month) for f in forms] == [
        ([], "keqiao", 2018, 1, 12), ([], "yuecheng", 2017, 1, 12), ([], "keqiao", 2017, 1, 12)]

