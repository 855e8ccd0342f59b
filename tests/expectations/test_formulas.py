"""Audit formulas: rules between a form's figures, as data, checked by Great Expectations on
the night's forms together; each failure names every cell involved and its figure as typed."""

from decimal import Decimal

import pytest
from keqiao import KEQIAO_2017
from support import TODAY, make_home, published_rows, write_form

from redcross.cli.main import main
from redcross.core.formulas import FormulaError
from redcross.core.registry import load_registry
from redcross.read.home import Home

BASE = [(label, unit, value, None) for label, unit, value, _ in KEQIAO_2017]
ROW = {label: 5 + i for i, (label, *_) in enumerate(BASE)}  # write_form's sheet row of each indicator


def rows_with(**figures):
    """柯桥区's 2017 figures, some replaced (by indicator name); a figure given as None drops its row."""
    return [(label, unit, figures.get(label, value), None) for label, unit, value, _ in BASE
            if not (label in figures and figures[label] is None)]


def by_rule(problems):
    return {p.rule: p for p in problems}


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """One night, a unit per case: every default formula failing once, both-zero, and a missing row."""
    from redcross.flows.nightly import nightly

    home = make_home(tmp_path_factory.mktemp("formulas") / "home")
    cases = {
        "keqiao.xlsx": ("柯桥区", rows_with()),
        "yuecheng.xlsx": ("越城区", rows_with(志愿服务场次=0, 志愿服务受益人次=500)),
        "shangyu.xlsx": ("上虞区", rows_with(志愿服务场次=12, 志愿服务受益人次=10)),
        "zhuji.xlsx": ("诸暨市", rows_with(捐赠支出="0")),
        "shengzhou.xlsx": ("嵊州市", rows_with(志愿服务场次=0, 志愿服务受益人次=0, 捐赠支出=0, 捐赠支出受益人数=0)),
        "xinchang.xlsx": ("新昌县", rows_with(志愿服务场次=None, 志愿服务受益人次=500)),
    }
    for name, (unit, rows) in cases.items():
        write_form(home / "inbox" / name, rows, unit, "2017年")
    summary = nightly.local(home=str(home), today=TODAY)
    return home, summary


def test_figures_that_keep_every_formula_load_without_a_word(night):
    _, summary = night
    assert "keqiao.xlsx" in summary.accepted and "keqiao.xlsx" not in summary.warned
    assert "shengzhou.xlsx" in summary.accepted and "shengzhou.xlsx" not in summary.warned  # all zero: together


def test_events_without_beneficiaries_break_volunteer_together(night):
    _, summary = night
    (found,) = summary.warned["yuecheng.xlsx"]
    assert (found.rule, found.severity, found.sheet, found.cell, found.indicator, found.value) == (
        "volunteer_together", "warning", "统计表", f"D{ROW['志愿服务场次']}、D{ROW['志愿服务受益人次']}",
        "志愿服务场次、志愿服务受益人次", "0、500")
    assert found.message_zh == ("志愿服务场次和受益人次应同时为 0 或同时大于 0，表中为 志愿服务场次 D15 = 0, "
                                "志愿服务受益人次 D16 = 500。请核实后说明原因。")
    assert "志愿服务场次 D15 = 0, 志愿服务受益人次 D16 = 500" in found.message_en


def test_fewer_beneficiaries_than_events_break_volunteer_reach(night):
    _, summary = night
    (found,) = summary.warned["shangyu.xlsx"]
    assert (found.rule, found.cell, found.value, found.expected) == (
        "volunteer_reach", "D16、D15", "10、12", "志愿服务受益人次 >= 志愿服务场次")
    assert found.message_zh.startswith("志愿服务受益人次 10 少于志愿服务场次 12（志愿服务受益人次 D16 = 10, 志愿服务场次 D15 = 12）")
    assert found.message_en.startswith("the volunteer beneficiaries (10) are fewer than the volunteer events (12)")


def test_money_in_wan_yuan_is_quoted_as_the_form_gives_it(night):
    home, summary = night
    (found,) = summary.warned["zhuji.xlsx"]
    assert (found.rule, found.cell, found.indicator, found.value) == (
        "aid_together", "D13、D14", "捐赠支出、捐赠支出受益人数", "0.00万元、7188")
    assert "捐赠支出 D13 = 0.00万元, 捐赠支出受益人数 D14 = 7188" in found.message_zh
    stored = published_rows(home, "select m.rule, m.cell, m.value from (select unnest(messages) as m "
                                  "from submissions where file_name = 'zhuji.xlsx')")
    assert stored == [("aid_together", "D13、D14", "0.00万元、7188")]


def test_a_missing_figure_is_another_rules_error_and_no_formula_is_evaluated(night):
    _, summary = night
    assert [(p.rule, p.indicator) for p in summary.rejected["xinchang.xlsx"]] == [("missing_indicator", "志愿服务场次")]


HOME_FORMULA = """
[[formulas]]
id = "income_covers_spending"
severity = "error"
left = "donation_income + 100"
op = ">="
right = "donation_expenditure"
zh = "捐赠收入 {left}（含 100 元零头）少于捐赠支出 {right}（{figures}）。"
en = "the donation income {left} (with 100 yuan of slack) is less than the spending {right} ({figures})."
"""


def test_a_homes_own_formula_of_error_severity_rejects_the_form(tmp_path):
    from redcross.flows.nightly import nightly

    home = make_home(tmp_path / "home")
    (home / "rules.toml").write_text(HOME_FORMULA, encoding="utf-8")
    write_form(home / "inbox" / "short.xlsx", rows_with(捐赠收入="100.00", 捐赠支出="100.02"), "柯桥区", "2017年")
    write_form(home / "inbox" / "covered.xlsx", rows_with(捐赠收入="100.00", 捐赠支出="100.01"), "越城区", "2017年")
    summary = nightly.local(home=str(home), today=TODAY)
    assert "covered.xlsx" in summary.accepted and "covered.xlsx" not in summary.warned  # 1000100 >= 1000100
    (found,) = summary.rejected["short.xlsx"]
    assert (found.rule, found.severity, found.cell, found.value) == (
        "income_covers_spending", "error", "D12、D13", "100.00万元、100.02万元")
    assert found.message_zh == ("捐赠收入 100.01万元（含 100 元零头）少于捐赠支出 100.02万元（捐赠收入 D12 = 100.00万元, "
                                "捐赠支出 D13 = 100.02万元）。")
    (reason,) = (home / "quarantine").glob("*-short.xlsx.reason.txt")
    assert "捐赠收入 100.01万元（含 100 元零头）少于捐赠支出 100.02万元" in reason.read_text("utf-8-sig")


BAD = """
[[formulas]]
id = "events_counted"
severity = "warning"
left = "volunteer_event"
op = ">="
right = "0"
zh = "x"
en = "x"
"""


def test_a_formula_naming_an_unknown_indicator_stops_the_run_before_any_file_is_read(tmp_path, capsys):
    from redcross.flows.nightly import nightly

    home = make_home(tmp_path / "home")
    (home / "registry").mkdir()
    rules = home / "rules.toml"
    rules.write_text(BAD, encoding="utf-8")
    form = write_form(home / "inbox" / "keqiao.xlsx", rows_with(), "柯桥区", "2017年")
    with pytest.raises(FormulaError, match="events_counted"):
        nightly.local(home=str(home), today=TODAY)
    assert main(["run", "--home", str(home)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert main(["backfill", "--years", "2017", "--home", str(home)]) == 2
    assert capsys.readouterr().err.strip() == line
    assert line == (f"审核公式有误（{rules}，id = events_counted）：left 中的“volunteer_event”不在指标目录中（应为指标代码，"
                    f"如 volunteer_events） / bad audit formula ({rules}, id = events_counted): left names "
                    "'volunteer_event', which is not a known indicator code (such as volunteer_events)")
    assert form.exists() and sorted(p.name for p in (home / "inbox").iterdir()) == ["keqiao.xlsx"]
    assert not (home / "quarantine").exists() or not any((home / "quarantine").iterdir())
    assert not Home(home).published.exists()


@pytest.mark.parametrize(("entry", "said"), [
    ('id = "x1"\nseverity = "warning"\nleft = "volunteer_events"\nop = "=>"\nright = "0"\nzh = "a"\nen = "a"',
     "op must be one of ==, !=, <, <=, >, >=, together, not '=>'"),
    ('id = "x2"\nseverity = "warning"\nleft = "volunteer_events +"\nop = ">="\nright = "0"\nzh = "a"\nen = "a"',
     "left 'volunteer_events +' has an empty term"),
    ('id = "x3"\nseverity = "fatal"\nleft = "volunteer_events"\nop = ">="\nright = "0"\nzh = "a"\nen = "a"',
     "severity must be warning or error, not 'fatal'"),
    ('id = "x4"\nseverity = "warning"\nleft = "1"\nop = ">="\nright = "0"\nzh = "a"\nen = "a"',
     "neither side names an indicator"),
    ('id = "x5"\nseverity = "warning"\nleft = "volunteer_events"\nop = ">="\nright = "0"\nzh = "{lft}"\nen = "a"',
     "zh text quotes an unknown {lft}"),
    ('id = "volunteer_reach"\nseverity = "warning"\nleft = "volunteer_events"\nop = ">="\nright = 0\nzh = "a"\nen = "a"',
     "its id is already used by another rule or formula"),
])
def test_a_formula_that_cannot_be_read_is_refused_naming_its_entry(tmp_path, entry, said):
    rules = tmp_path / "rules.toml"
    rules.write_text(f"[[formulas]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(FormulaError) as refused:
        load_registry(rules_toml=rules)
    message = str(refused.value)
    assert said in message and str(rules) in message and "\n" not in message
    assert message.split("）：")[0].endswith(entry.split('"')[1])  # the entry's id


def test_the_default_formulas_are_the_three_of_the_spec():
    assert [(f.id, f.severity, f.text) for f in load_registry().formulas] == [
        ("volunteer_reach", "warning", "volunteer_beneficiaries >= volunteer_events"),
        ("volunteer_together", "warning", "volunteer_events together volunteer_beneficiaries"),
        ("aid_together", "warning", "donation_expenditure together aid_beneficiaries"),
    ]


@pytest.mark.parametrize("with_remarks", [True, False])
def test_the_remark_of_the_rows_involved_goes_with_the_warning(tmp_path, with_remarks):
    """Where the clean rows carry the form's 备注 (`remark`), the warning carries it; where they do not, nothing breaks."""
    import polars as pl
    from support import REGISTRY, set_cells

    from redcross.core.forms import night_rows
    from redcross.expectations.formulas import check_formulas
    from redcross.expectations.suites import SuiteRunner
    from redcross.flows.plumbing.intake import read_form

    path = write_form(tmp_path / "f.xlsx", rows_with(志愿服务场次=0, 志愿服务受益人次=500), "越城区", "2017年")
    set_cells(path, {"F16": "敬老院慰问，场次计在市本级"})
    forms = [read_form(path, REGISTRY)]
    rows = night_rows(forms)
    if with_remarks and "remark" not in rows.columns:  # as the cleaning of 备注 gives it, from the cell written above
        rows = rows.with_columns(pl.when(pl.col("row") == 16).then(pl.lit("敬老院慰问，场次计在市本级")).alias("remark"))
    if not with_remarks:
        rows = rows.drop("remark", strict=False)
    check_formulas(forms, REGISTRY, SuiteRunner(), rows)
    (found,) = forms[0].problems
    assert (found.rule, found.remark) == ("volunteer_together", "敬老院慰问，场次计在市本级" if with_remarks else None)


@pytest.mark.parametrize(("events", "warned"), [(Decimal(0), True), (None, False)])
def test_zero_is_a_figure_and_a_missing_one_leaves_the_formula_unchecked(tmp_path, events, warned):
    """The suite itself tells them apart: 0 and 500 break `together`; a figure missing (null in the
    rows, as no accepted form has it today) leaves that formula's row unchecked by GX."""
    import polars as pl
    from support import REGISTRY

    from redcross.core.forms import night_rows
    from redcross.expectations.formulas import check_formulas
    from redcross.expectations.suites import SuiteRunner
    from redcross.flows.plumbing.intake import read_form

    forms = [read_form(write_form(tmp_path / "f.xlsx", rows_with(志愿服务受益人次=500), "越城区", "2017年"), REGISTRY)]
    rows = night_rows(forms).with_columns(
        pl.when(pl.col("indicator_code") == "volunteer_events").then(pl.lit(events, pl.Decimal(18, 2)))
        .otherwise(pl.col("value")).alias("value"))
    check_formulas(forms, REGISTRY, SuiteRunner(), rows)
    assert [p.rule for p in forms[0].problems] == (["volunteer_together"] if warned else [])
