from decimal import Decimal

import pytest
from support import REGISTRY, UNIT_TARGET_ROWS, write_unit_targets

from redcross.expectations.suites import SuiteRunner
from redcross.flows.plumbing.intake import read_targets

RUNNER = SuiteRunner()


def test_targets_by_name_or_code(tmp_path):
    (tmp_path / "2017.csv").write_text("年度,指标,目标值\n2017,救护员培训,\"14,468\"\n2017,public_trained,144680\n",
                                       encoding="utf-8")
    targets = read_targets(tmp_path, REGISTRY, RUNNER)
    assert targets.problems == []
    assert targets.table.select("year", "indicator_code", "target").rows() == [
        (2017, "first_aid_trained", Decimal("14468.00")), (2017, "public_trained", Decimal("144680.00"))]


def test_a_bad_targets_file_contributes_nothing_and_says_why(tmp_path):
    (tmp_path / "2018.csv").write_text(
        "年度,指标,目标值\n2018,救护员培训,100\n2018,救护员培训,200\n2018,献血,5\n2018,普及培训,-1\n", encoding="gb18030")
    targets = read_targets(tmp_path, REGISTRY, RUNNER)
    assert targets.table.is_empty()
    assert sorted((p.rule, p.cell, p.value) for p in targets.problems) == [
        ("duplicate_indicator", "C2, C3", "2"),
        ("negative_value", "C5", "-1"), ("unknown_indicator", "B4", "献血")]
    assert {p.file for p in targets.problems} == {"2018.csv"}


def test_a_bad_targets_file_does_not_stop_a_good_one(tmp_path):
    (tmp_path / "2017.csv").write_text("年度,指标,目标值\n2017,救护员培训,14468\n", encoding="utf-8")
    (tmp_path / "2018.csv").write_text("年度,指标,目标值\n2018,救护员培训,很多\n", encoding="utf-8")
    targets = read_targets(tmp_path, REGISTRY, RUNNER)
    assert [(p.rule, p.file, p.cell, p.value) for p in targets.problems] == [("not_a_number", "2018.csv", "C2", "很多")]
    assert targets.table.select("year", "indicator_code").rows() == [(2017, "first_aid_trained")]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_targets_file_with_a_unit_column_gives_the_city_s_and_the_units_targets(tmp_path, suffix):
    write_unit_targets(tmp_path / f"2017{suffix}")
    targets = read_targets(tmp_path, REGISTRY, RUNNER)
    rows = targets.table.select("unit_code", "indicator_code", "target").rows()
    assert len(rows) == len(UNIT_TARGET_ROWS)
    # an empty 单位 and 全市 are both the city; units by name
    assert rows[:4] == [(None, "first_aid_trained", Decimal("14468.00")), (None, "donation_income", Decimal("5000000.00")),
                        ("city_office", "first_aid_trained", Decimal("1500.00")),
                        ("yuecheng", "first_aid_trained", Decimal("300.00"))]
    assert ("keqiao", "donation_income", Decimal("1500000.07")) in rows
    # 捐赠收入's three unit targets add up to less than the city's: a warning, and the file still loads
    (short,) = targets.problems
    assert (short.rule, short.severity, short.file, short.cell, short.indicator, short.value, short.expected) == (
        "breakdown_short", "warning", f"2017{suffix}", "D12, D13, D14", "捐赠收入", "4975028.98", "5000000.00")
    assert "分解不足" in short.message_zh


def test_an_unknown_unit_in_a_targets_file_is_an_error_naming_its_cell(tmp_path):
    write_unit_targets(tmp_path / "2017.csv", [(2017, None, "救护员培训", 100), (2017, "柯桥区红十字会", "救护员培训", 60),
                                              (2017, "keqiao", "普及培训", 10), (2017, "镜湖新区", "救护员培训", 40)])
    targets = read_targets(tmp_path, REGISTRY, RUNNER)
    assert [(p.rule, p.severity, p.cell, p.value) for p in targets.problems] == [
        ("unknown_target_unit", "error", "B5", "镜湖新区")]
    assert targets.table.is_empty()  # a file with an error keeps the targets loaded before it
