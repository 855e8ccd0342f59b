"""`redcross demo` as a new user runs it: the office's 2017 replayed night by night, one unit late and
one still overdue for 2017年1-6月, the 2017 figures of the work report, and Great Expectations imported
once for the four nights (one validation process, a runner of its own per night)."""

from __future__ import annotations

import re
import subprocess

import pytest
from prefect_server import BIN, REPO, child_env

pytestmark = pytest.mark.system


def test_the_demo_replays_the_year_marks_the_late_unit_and_the_overdue_one(tmp_path):
    root = tmp_path / "demo"
    result = subprocess.run([BIN / "redcross", "demo", "--home", str(root)], cwd=REPO, env=child_env(),
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    nights = re.findall(r"^(\d{4}-\d\d-\d\d) 22:00 北京时间: 接收 (\d+)，退回 0", out, re.MULTILINE)
    assert nights == [("2017-01-12", "8"), ("2017-07-10", "6"), ("2017-07-17", "2"), ("2018-01-21", "8")]
    assert "逾期未报 / overdue (截至 / as of 2018-01-21 北京时间): 1" in out
    assert "  开发区 2017年1-6月：应于 2017-07-10 前报送，已逾期 195 天 / due by 2017-07-10, 195 days overdue" in out
    assert "救护员培训21810人，完成省定指标的150.75%，同比增长25%" in out
    assert "按时报送率 / reported on time: 1-6月 75.00%（6/8）；全年 100.00%（8/8）" in out  # 2018-01-22: past the weekend
    mid_year = subprocess.run([BIN / "redcross", "report", "--home", str(root), "--year", "2017", "--month", "6",
                               "--format", "md"], cwd=REPO, env=child_env(), capture_output=True, text=True,
                              timeout=300, check=False).stdout
    assert "迟报 / reported late: 新昌县 1-6月 7天" in mid_year and "| 开发区 | 缺报 |" in mid_year
    log = (root / "logs" / "redcross.log").read_text("utf-8")
    pages = re.findall(r"^\S+ \S+ (\d+) INFO redcross: 校验报告页面 / Data Docs: (\d+) pages", log, re.MULTILINE)
    assert len(pages) == 4 and len({pid for pid, _ in pages}) == 1  # one validation process, kept night to night
    assert [n for _, n in pages] == ["6", "4", "4", "7"]  # each night's pages only: a fresh runner a night
    assert sorted(p.name for p in (root / "reports" / "validation").iterdir() if p.is_dir()) == [
        "nightly-20170112T140000000000", "nightly-20170710T140000000000", "nightly-20170717T140000000000",
        "nightly-20180121T140000000000"]
