from decimal import Decimal

from support import REGISTRY

from expectations.suites import SuiteRunner
from flows.reading import read_targets

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
