"""Every format and quirk of the forms as a real file (tests/fixtures/formats/, made by
scripts/make_fixtures.py with openpyxl and LibreOffice), read, cleaned and checked as a night would."""

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from keqiao import KEQIAO_2017
from support import FIXTURES, REGISTRY, TODAY, write_form

from redcross.core.sheets import UnreadableFile
from redcross.expectations.forms import check_forms
from redcross.expectations.suites import SuiteRunner
from redcross.flows.plumbing.intake import read_form
from redcross.read.sheets import read_sheets

FORMATS = FIXTURES / "formats"  # made by scripts/make_fixtures.py

# 柯桥区, 2017 (tests/conftest.py KEQIAO_2017), money in 元.
KEQIAO = {
    "first_aid_trained": Decimal(3951),
    "public_trained": Decimal(31240),
    "hsc_registered": Decimal(107),
    "hsc_donated": Decimal(1),
    "organ_registered": Decimal(58),
    "organ_donated": Decimal(3),
    "body_cornea_donated": Decimal(5),
    "donation_income": Decimal("2403200.00"),
    "donation_expenditure": Decimal("1797000.00"),
    "aid_beneficiaries": Decimal(7188),
    "volunteer_events": Decimal(264),
    "volunteer_beneficiaries": Decimal(22717),
}
FOOTER = ("王小明", "13900001111")


@pytest.fixture(scope="module")
def runner():
    return SuiteRunner()


def checked(path: Path, runner):
    form = read_form(path, REGISTRY)
    check_forms([form], REGISTRY, runner, TODAY)
    return form


@pytest.mark.parametrize(
    ("name", "sheet", "unit", "year", "first_cell", "changed"),
    [
        # formats
        ("keqiao_2017_openpyxl.xlsx", "统计表", "keqiao", 2017, "D5", {}),
        ("keqiao_2017_libreoffice.xlsx", "统计表", "keqiao", 2017, "D5", {}),
        ("keqiao_2017.xls", "统计表", "keqiao", 2017, "D5", {}),
        ("keqiao_2017.ods", "统计表", "keqiao", 2017, "D5", {}),
        ("keqiao_2017_xls_named.xlsx", "统计表", "keqiao", 2017, "D5", {}),  # read by content, not name
        ("keqiao_2017_utf8.csv", "keqiao_2017_utf8", "keqiao", 2017, "D4", {}),
        ("keqiao_2017_utf8_bom.csv", "keqiao_2017_utf8_bom", "keqiao", 2017, "D4", {}),
        ("keqiao_2017_gb18030.csv", "keqiao_2017_gb18030", "keqiao", 2017, "D4", {}),
        # layout
        ("title_merged.xlsx", "统计表", "keqiao", 2017, "D6", {}),
        ("header_row_15.xlsx", "统计表", "keqiao", 2017, "D16", {}),
        ("blank_and_note_rows.xlsx", "统计表", "keqiao", 2017, "D7", {}),
        # names
        ("historic_shaoxingxian_2012.xlsx", "统计表", "keqiao", 2012, "D5", {}),
        ("historic_shangyushi_2012.xlsx", "统计表", "shangyu", 2012, "D5", {}),
        ("indicator_names.xlsx", "统计表", "keqiao", 2017, "D5", {}),
        # numbers
        ("money_yuan.xlsx", "统计表", "keqiao", 2017, "D5", {"donation_expenditure": Decimal("1797000.50")}),
        ("money_wan_note.xlsx", "统计表", "keqiao", 2017, "D6", {}),
        ("unit_in_cell.xlsx", "统计表", "keqiao", 2017, "D5",
         {"donation_income": Decimal("14595500.00"), "donation_expenditure": Decimal("9983600.00")}),
        ("fullwidth_digits.xlsx", "统计表", "keqiao", 2017, "D5", {}),
        ("thousands_separator.xlsx", "统计表", "keqiao", 2017, "D5",
         {"first_aid_trained": Decimal(21810), "public_trained": Decimal(173554)}),
        ("zero_marks.xlsx", "统计表", "keqiao", 2017, "D5",
         {"hsc_donated": Decimal(0), "organ_donated": Decimal(0), "body_cornea_donated": Decimal(0),
          "volunteer_events": Decimal(0)}),
        # formulas and sheets
        ("formula_cached.xlsx", "统计表", "keqiao", 2017, "D5", {}),
        ("hidden_first_sheet.xlsx", "统计表", "keqiao", 2017, "D5", {}),
        ("hidden_first_sheet.xls", "统计表", "keqiao", 2017, "D5", {}),
        ("hidden_first_sheet.ods", "统计表", "keqiao", 2017, "D5", {}),
        ("instructions_first.xlsx", "统计表", "keqiao", 2017, "D5", {}),
    ],
)
def test_every_format_and_quirk_reads_to_the_exact_figures(runner, name, sheet, unit, year, first_cell, changed):
    form = checked(FORMATS / name, runner)
    assert form.problems == []
    assert (form.sheet, form.unit_code) == (sheet, unit)
    assert (form.period.year, form.period.first_month, form.period.month) == (year, 1, 12)
    assert dict(form.rows.select("indicator_code", "value").iter_rows()) == KEQIAO | changed
    priors = dict(form.rows.select("indicator_code", "prior_value").iter_rows())
    assert (priors["first_aid_trained"], priors["donation_income"]) == (Decimal(3100), Decimal("1305000.00"))
    assert dict(form.rows.select("indicator_code", "value_cell").iter_rows())["first_aid_trained"] == first_cell


@pytest.mark.parametrize("name", ["keqiao_2017_openpyxl.xlsx", "keqiao_2017.xls", "keqiao_2017.ods",
                                  "keqiao_2017_gb18030.csv", "blank_and_note_rows.xlsx"])
def test_the_footer_never_reaches_the_rows(runner, name):
    form = checked(FORMATS / name, runner)
    assert form.rows.height == 12
    text = " ".join(str(v) for row in form.rows.iter_rows() for v in row)
    assert not any(personal in text for personal in FOOTER)
    assert "填表人" not in text and "联系电话" not in text


@pytest.mark.parametrize(
    ("name", "problems"),
    [
        ("empty_value.xlsx", [("empty_value", "D6", "普及培训", None)]),
        ("fractional_count.xlsx", [("fractional_count", "D10", "器官捐献", "1.5")]),
        ("formula_without_value.xlsx", [("formula_without_value", "D5", "救护员培训", "=3000+951"),
                                        ("formula_without_value", "D6", "普及培训", "=D5+27289"),
                                        ("formula_without_value", "D12", "捐赠收入", "=SUM(200,40.32)")]),
    ],
)
def test_a_bad_figure_rejects_the_file_naming_its_cell(runner, name, problems):
    form = checked(FORMATS / name, runner)
    assert form.rejected
    assert sorted((p.rule, p.cell, p.indicator, p.value) for p in form.problems) == sorted(problems)
    assert {(p.severity, p.file, p.sheet) for p in form.problems} == {("error", name, "统计表")}


def test_a_formula_without_a_value_tells_the_clerk_to_recalculate(runner):
    (first, *_) = checked(FORMATS / "formula_without_value.xlsx", runner).problems
    assert "单元格 D5" in first.line() and "cell D5" in first.line()
    assert "重新计算" in first.message_zh and "recalculate" in first.message_en


@pytest.mark.parametrize(
    ("name", "zh", "en"),
    [
        ("empty.xlsx", "文件是空的", "the file is empty (0 bytes)"),
        ("truncated.xlsx", "压缩包不完整", "not a valid .xlsx workbook: it is damaged"),
        ("word_document.xlsx", "而是Word 文档", "not a spreadsheet but a Word document named .xlsx"),
        ("text_file.xlsx", "纯文本文件", "not a valid .xlsx workbook: it is plain text"),
        ("password_protected.xlsx", "密码保护", "password-protected; remove the password"),
    ],
)
def test_unreadable_input_is_rejected_with_a_clear_message(runner, name, zh, en):
    form = checked(FORMATS / name, runner)
    assert [(p.rule, p.severity, p.file, p.sheet, p.cell) for p in form.problems] == [
        ("unreadable_file", "error", name, None, None)]
    (problem,) = form.problems
    assert zh in problem.message_zh and en in problem.message_en
    assert "Traceback" not in problem.value and "calamine" not in problem.value


@pytest.mark.parametrize(("name", "sheets"), [
    ("hidden_first_sheet.xlsx", ["统计表"]), ("hidden_first_sheet.xls", ["统计表"]),
    ("hidden_first_sheet.ods", ["统计表"]), ("instructions_first.xlsx", ["填表说明", "统计表"]),
])
def test_only_visible_sheets_are_read(name, sheets):
    assert [grid.sheet for grid in read_sheets(FORMATS / name)] == sheets


def test_the_hidden_sheet_holds_another_units_form():  # else the hidden-sheet case could not fail
    book = openpyxl.load_workbook(FORMATS / "hidden_first_sheet.xlsx")
    hidden = book.worksheets[0]
    assert (hidden.sheet_state, hidden["A2"].value, hidden["D5"].value) == ("hidden", "填报单位：诸暨市红十字会", 7902)


def test_every_fixture_is_small():
    sizes = {path.name: path.stat().st_size for path in FORMATS.iterdir()}
    assert len(sizes) == 33 and max(sizes.values()) < 30_000


# --- bounds: generated files, not fixtures ----------------------------------------------------

def book_with_sheets(path: Path, filler: int, hidden: int = 0, tall_row: int | None = None) -> Path:
    """`hidden` hidden sheets, `filler` visible sheets of notes, then the form (A{tall_row} far below)."""
    form = openpyxl.load_workbook(write_form(path))
    sheet = form.active
    for n in range(hidden):
        form.create_sheet(f"隐藏{n}", n).sheet_state = "hidden"
    for n in range(filler):
        form.create_sheet(f"说明{n}", hidden + n)["A1"] = "说明"
    if tall_row:
        sheet.cell(row=tall_row, column=1, value="（完）")
    form.save(path)
    return path


@pytest.mark.parametrize(("filler", "hidden", "readable"), [(49, 0, True), (50, 0, False), (20, 40, True)])
def test_a_form_is_looked_for_in_the_first_50_visible_sheets(tmp_path, runner, filler, hidden, readable):
    form = checked(book_with_sheets(tmp_path / "many.xlsx", filler, hidden), runner)
    if readable:
        assert form.problems == [] and form.sheet == "统计表"
    else:
        assert [p.rule for p in form.problems] == ["unreadable_file"]
        assert "more than 50 visible sheets; only the first 50 are read" in form.problems[0].message_en


@pytest.mark.parametrize(("tall_row", "readable"), [(10_000, True), (10_001, False)])
def test_a_sheet_of_more_than_10000_rows_is_refused(tmp_path, runner, tall_row, readable):
    form = checked(book_with_sheets(tmp_path / "tall.xlsx", 0, tall_row=tall_row), runner)
    if readable:
        assert form.problems == []
    else:
        refusal = ("工作表“统计表”有 10001 行，超过上限 10000 行；统计表只需几十行，请删去多余内容 / "
                   "sheet '统计表' has 10001 rows, over the limit of 10000; a form needs a few dozen")
        assert [(p.rule, p.value) for p in form.problems] == [("unreadable_file", refusal)]


def test_a_tall_hidden_sheet_does_not_count(tmp_path, runner):
    path = book_with_sheets(tmp_path / "lookup.xlsx", 0, hidden=1)
    book = openpyxl.load_workbook(path)
    book.worksheets[0].cell(row=20_000, column=1, value="x")
    book.save(path)
    assert checked(path, runner).problems == []


def test_a_csv_of_more_than_10000_rows_is_refused(tmp_path, runner):
    path = tmp_path / "long.csv"
    path.write_text("填报单位：柯桥区\n" + "x,1\n" * 10_000, encoding="utf-8")
    (problem,) = checked(path, runner).problems
    assert problem.rule == "unreadable_file"
    assert "the CSV file has 10001 rows, over the limit of 10000" in problem.value


def test_excel_unicode_text_renamed_csv_reads(tmp_path, runner):
    lines = ["填报单位：\t柯桥区红十字会\t\t报告期：2017年", "序号\t指标名称\t计量单位\t本期数\t上年同期数\t备注"]
    lines += [f"{n}\t{lbl}\t{m}\t{v}\t{p}\t" for n, (lbl, m, v, p) in enumerate(KEQIAO_2017, 1)]
    path = tmp_path / "keqiao.csv"
    path.write_bytes("\r\n".join(lines).encode("utf-16"))  # UTF-16 with its BOM, tab-separated
    form = checked(path, runner)
    assert form.problems == [] and form.unit_code == "keqiao"
    assert dict(form.rows.select("indicator_code", "value").iter_rows()) == KEQIAO


@pytest.mark.parametrize(("limits", "en"), [
    ({"max_bytes": 4096}, "bytes; the limit is 4096)"),
    ({"max_inflated_bytes": 4096}, "refused as a possible zip bomb"),
])
def test_oversized_and_inflating_workbooks_are_refused_before_reading(limits, en):
    with pytest.raises(UnreadableFile) as refused:
        next(read_sheets(FORMATS / "keqiao_2017_openpyxl.xlsx", **limits))
    assert en in refused.value.en
