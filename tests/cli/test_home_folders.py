"""A home is made on purpose: `redcross init` makes one, and every other command refuses
a folder that is not a home, or a file, in one line and exit 2, changing nothing."""

import subprocess

import pytest
from prefect_server import BIN, REPO, child_env


def redcross(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([BIN / "redcross", *args], env=child_env(**env), cwd=REPO, capture_output=True,
                          text=True, timeout=300, check=False)


def test_init_makes_a_home_that_run_then_takes(tmp_path):
    made = redcross("init", str(tmp_path / "office"))
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in (tmp_path / "office").iterdir()) == [
        "archive", "inbox", "quarantine", "reports", "targets", "warehouse"]
    assert f"redcross run --home {tmp_path / 'office'}" in made.stdout
    again = redcross("init", str(tmp_path / "office"))
    assert again.returncode == 0 and "nothing changed" in again.stdout
    night = redcross("run", "--home", str(tmp_path / "office"))
    assert night.returncode == 0, night.stderr
    assert "接收 / accepted: 0" in night.stdout


@pytest.mark.parametrize("command", [["run"], ["status"], ["report", "--year", "2017"], ["backfill", "--years", "2017"],
                                     ["template", "--year", "2018", "--unit", "keqiao", "--out", "x.xlsx"]])
def test_a_folder_that_is_not_a_home_is_refused_in_one_line(tmp_path, command):
    missing = tmp_path / "redcross-dta"  # mistyped
    done = redcross(*command, "--home", str(missing))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        (f"{missing} 不是数据目录（没有 inbox 文件夹）；新建请用 redcross init {missing} / "
         f"is not a home (it has no inbox folder); to make one: redcross init {missing}")]
    assert not missing.exists()  # nothing made


def test_a_mistyped_redcross_home_and_a_default_that_is_not_there_are_refused(tmp_path):
    done = redcross("run", REDCROSS_HOME=str(tmp_path / "nowhere"))
    assert done.returncode == 2 and "redcross init" in done.stderr and not (tmp_path / "nowhere").exists()
    elsewhere = subprocess.run([BIN / "redcross", "run"], env=child_env(), cwd=tmp_path, capture_output=True,
                               text=True, timeout=300, check=False)
    assert elsewhere.returncode == 2 and not (tmp_path / "redcross-data").exists()


def test_a_home_that_is_a_file_says_so(tmp_path):
    afile = tmp_path / "home.txt"
    afile.write_text("not a folder", encoding="utf-8")
    for args in (["run", "--home", str(afile)], ["init", str(afile)]):
        done = redcross(*args)
        assert done.returncode == 2
        assert done.stderr.strip().splitlines() == [f"{afile} 是一个文件，不是数据目录 / is a file, not a home folder"]


def test_init_leaves_a_folder_of_other_files_alone(tmp_path):
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "letter.docx").write_bytes(b"x")
    done = redcross("init", str(tmp_path / "papers"))
    assert done.returncode == 2 and "not made a home" in done.stderr
    assert [p.name for p in (tmp_path / "papers").iterdir()] == ["letter.docx"]
