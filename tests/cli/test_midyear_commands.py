"""`redcross status --year` and `redcross report --month` over the mid-year review's night
(conftest `midyear_night`), and the demo home that shows the same with the bundled data."""

import json
import os

import openpyxl
import pytest

from redcross.cli.main import DEMO_LATER, main, make_demo_home

GRID = """\
2017年报送情况 / who has reported in 2017:
单位    1-5月  1-6月  1-7月
市本级  缺报   已报   缺报
越城区  缺报   已报   缺报
柯桥区  已报   已报   已报
上虞区  缺报   已报   缺报
新昌县  缺报   退回   缺报
诸暨市  缺报   已报   缺报
嵊州市  缺报   已报   缺报
开发区  缺报   缺报   缺报
合计 / totals: 已报 8，退回 1，缺报 15
迟报 / reported late: 市本级 1-6月 3433天；越城区 1-6月 3433天；柯桥区 1-5月 3463天；柯桥区 1-6月 3433天；柯桥区 1-7月 3402天；上虞区 1-6月 3433天；诸暨市 1-6月 3433天；嵊州市 1-6月 3433天
按时报送率 / reported on time: 1-5月 0.00%（0/8）；1-6月 0.00%（0/8）；1-7月 0.00%（0/8）
图例 / legend: 已报 = 已接收 accepted；退回 = 只收到被退回的报表 rejected；缺报 = 未报送 missing
"""


def test_status_with_a_year_prints_the_coverage_grid(midyear_night, capsys):
    root, _ = midyear_night
    assert main(["status", "--home", str(root), "--year", "2017"]) == 0
    out = capsys.readouterr().out
    assert out.endswith("\n\n" + GRID)
    assert main(["status", "--home", str(root)]) == 0
    assert "报送情况" not in capsys.readouterr().out  # without --year, as before


def test_status_for_a_year_with_no_forms_says_so(midyear_night, capsys):
    root, _ = midyear_night
    assert main(["status", "--home", str(root), "--year", "2016"]) == 0
    assert capsys.readouterr().out.endswith("2016年报送情况 / who has reported in 2016: 无已接收的报表 / no accepted forms\n")


@pytest.mark.parametrize("fmt", ["json", "md", "html", "xlsx"])
def test_the_mid_year_report_in_each_format_shows_schedule_ranking_revisions_and_coverage(midyear_night, tmp_path,
                                                                                       fmt):
    root, _ = midyear_night
    out = tmp_path / f"report.{fmt}"
    assert main(["report", "--home", str(root), "--year", "2017", "--month", "6", "--format", fmt,
                 "--out", str(out)]) == 0
    if fmt == "json":
        report = json.loads(out.read_text("utf-8"))
        assert report["time_progress_pct"] == "50.00" and report["revisions"] and report["coverage"]
        assert {f["rank"] for f in report["figures"]} == {None, 1, 2, 3, 5, 6}
    elif fmt == "xlsx":
        book = openpyxl.load_workbook(out)
        assert "超序时进度25.28个百分点" in book["汇总"]["A3"].value
        assert book["各单位目标"]["B6"].value == "嵊州市" and book["本期修订"]["A5"].value == "诸暨市"
        assert book["报送情况"]["C8"].value == "退回"
    else:
        text = out.read_text("utf-8")
        for shown in ("超序时进度25.28个百分点", "各单位目标完成情况", "本期修订", "2017年报送情况", "退回",
                      "诸暨市-2017-h1（更正）.xlsx"):
            assert shown in text, shown


def test_the_demo_home_holds_the_mid_year_forms_and_the_units_targets(tmp_path):
    root = tmp_path / "demo"
    make_demo_home(root)
    waiting = {p.name: p for p in (root / "sample").rglob("*.xlsx")}
    assert len(waiting) == 16 + 8 and not any((root / "inbox").iterdir())  # they land night by night
    assert sorted(p.name for p in (root / "sample" / "later").iterdir()) == sorted(DEMO_LATER)
    first, correction = (waiting[f"诸暨市红十字会2017年1-6月工作统计表{s}.xlsx"] for s in ("", "（更正）"))
    assert os.stat(correction).st_mtime - os.stat(first).st_mtime == 7 * 86400 - 3.5 * 3600
    assert sorted(p.name for p in (root / "targets").iterdir()) == ["2017.csv", "2017年各单位目标.csv"]
    assert (root / "targets" / "2017年各单位目标.csv").read_text("utf-8").startswith("年度,单位,指标,目标值\n")
