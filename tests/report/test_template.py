"""The blank form: the standard layout, validated and protected cells, and a filled-in copy reads back unchanged."""

from decimal import Decimal

import openpyxl
import pytest
from keqiao import KEQIAO_2017
from support import REGISTRY, TODAY, make_home

from redcross.cli.main import main
from redcross.expectations.forms import check_forms
from redcross.expectations.suites import SuiteRunner
from redcross.flows.plumbing.intake import read_form
from redcross.report.template import write_template


@pytest.fixture
def blank(tmp_path):
    return write_template(REGISTRY, REGISTRY.unit("keqiao"), 2017, tmp_path / "柯桥区-2017.xlsx")


def fill(path, rows=KEQIAO_2017):
    """Type the figures into the value cells with openpyxl, as a district would in Excel."""
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for offset, (_, _, value, prior) in enumerate(rows):
        sheet.cell(row=5 + offset, column=4, value=value)
        sheet.cell(row=5 + offset, column=5, value=prior)
    book.save(path)
    return path


def test_the_blank_form_has_the_spec_layout(blank):
    sheet = openpyxl.load_workbook(blank).active
    assert sheet["A1"].value == "绍兴市红十字会工作统计表" and "A1:F1" in sheet.merged_cells
    assert (sheet["A2"].value, sheet["D2"].value) == ("填报单位：柯桥区", "报告期：2017年")
    assert [c.value for c in sheet[4]] == ["序号", "指标名称", "计量单位", "本期数", "上年同期数", "备注"]
    rows = list(sheet.iter_rows(min_row=5, max_row=16, max_col=4, values_only=True))
    assert [r[1] for r in rows] == [i.name for i in REGISTRY.indicators]
    assert {r[1]: r[2] for r in rows}["捐赠收入"] == "万元"
    assert all(r[3] is None for r in rows)
    footer = [c.value for row in sheet.iter_rows(min_row=18) for c in row if c.value]
    assert footer == ["填表人：", "联系电话：", "填报日期：", "单位负责人："]


def test_value_cells_are_validated_and_the_rest_is_locked(blank):
    sheet = openpyxl.load_workbook(blank).active
    assert sheet.protection.sheet
    assert sheet["D5"].protection.locked is False and sheet["E16"].protection.locked is False
    assert sheet["B5"].protection.locked and sheet["D4"].protection.locked and sheet["A2"].protection.locked
    rules = {str(v.sqref): (v.type, v.operator, v.formula1) for v in sheet.data_validations.dataValidation}
    assert rules["D5:E5"] == ("whole", "greaterThanOrEqual", "0")  # 救护员培训: a count
    assert rules["D12:E12"] == ("decimal", "greaterThanOrEqual", "0")  # 捐赠收入: money
    assert len(rules) == 12


def test_a_filled_template_reads_back_unchanged(blank):
    form = read_form(fill(blank), REGISTRY)
    check_forms([form], REGISTRY, SuiteRunner(), TODAY)
    assert form.problems == []
    assert (form.unit_code, form.period.year, form.period.month) == ("keqiao", 2017, 12)
    values = {code: (value, prior) for code, value, prior in
              form.rows.select("indicator_code", "value", "prior_value").iter_rows()}
    expected = {}
    for indicator, (_, _, value, prior) in zip(REGISTRY.indicators, KEQIAO_2017, strict=True):
        scale = 10_000 if indicator.kind == "money" else 1
        expected[indicator.code] = (Decimal(str(value)) * scale, Decimal(str(prior)) * scale)
    assert values == expected


def test_template_command_writes_the_form_for_a_unit_named_by_code_or_alias(tmp_path, capsys):
    out = tmp_path / "forms" / "shangyu-2018.xlsx"
    home = str(make_home(tmp_path / "home"))
    assert main(["template", "--home", home, "--year", "2018", "--unit", "上虞市", "--out", str(out)]) == 0
    assert openpyxl.load_workbook(out).active["A2"].value == "填报单位：上虞区"
    assert main(["template", "--home", home, "--year", "2018", "--unit", "杭州", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "unknown unit" in capsys.readouterr().err
