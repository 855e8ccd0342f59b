"""Impossible arguments: a month outside 1-12, or a year the warehouse holds nothing for, is
one line and exit 2, and no file is written."""

import shutil
import subprocess

import pytest
from prefect_server import BIN, REPO, child_env


def redcross(*args) -> subprocess.CompletedProcess:
    return subprocess.run([BIN / "redcross", *args], env=child_env(), cwd=REPO, capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.fixture
def home(sample_night, tmp_path):
    root, _ = sample_night
    return shutil.copytree(root, tmp_path / "home", symlinks=True)


def files_under(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("month", ["13", "0", "-1"])
def test_a_month_outside_the_year_is_one_line_and_exit_2(home, month, tmp_path):
    before = files_under(home)
    for args in (["report", "--home", str(home), "--year", "2017", "--month", month, "--format", "html"],
                 ["template", "--home", str(home), "--unit", "keqiao", "--year", "2017", "--month", month,
                  "--out", str(tmp_path / "blank.xlsx")],
                 ["review", "--home", str(home), "--unit", "越城区", "--year", "2017", "--month", month,
                  "--indicator", "捐赠支出受益人数", "--rule", "prior_mismatch", "--confirm", "--note", "x"]):
        result = redcross(*args)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().splitlines() == [f"月份应为1-12 / --month must be 1-12, not {month}"]
        assert result.stdout == ""
    assert files_under(home) == before and not (tmp_path / "blank.xlsx").exists()


@pytest.mark.parametrize("fmt", ["md", "html", "xlsx"])
def test_a_year_the_warehouse_holds_nothing_for_is_one_line_and_exit_2(home, fmt):
    before = files_under(home)
    result = redcross("report", "--home", str(home), "--year", "2030", "--format", fmt)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "2030" in line and "2016、2017" in line and "no report written" in line
    assert result.stdout == "" and files_under(home) == before
    assert not (home / "reports" / "2030").exists()


def test_a_year_it_holds_still_reports(home):
    result = redcross("report", "--home", str(home), "--year", "2016")
    assert result.returncode == 0 and "2016年" in result.stdout
