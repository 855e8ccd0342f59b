"""A night with nothing new, run the way the data manager's manual says (`redcross run --home ...`), prints its
summary and nothing else: Prefect's own logs go to the home's log file, named once."""

import re
import shutil
import subprocess

import pytest
from prefect_server import BIN, REPO, child_env

from redcross.read.home import Home


def redcross(*args, **env) -> subprocess.CompletedProcess:
    """As a user runs it: no Prefect logging settings of the test session's own."""
    env = {k: v for k, v in child_env(**env).items() if k != "PREFECT_LOGGING_LEVEL"}
    return subprocess.run([BIN / "redcross", *args], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=600, check=False)


@pytest.fixture
def quiet_home(sample_night, tmp_path):
    """A copy of the sample night's home: everything in its inbox already taken in."""
    root, _ = sample_night
    return shutil.copytree(root, tmp_path / "home", symlinks=True)


def assert_quiet(result, root):
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "ERROR" not in result.stderr, result.stderr
    log = Home(root).log_file
    assert result.stderr.splitlines() == [f"日志 / log: {log}"]
    assert "接收 / accepted: 0" in result.stdout and "已处理过 / already received: 0" in result.stdout
    return log.read_text("utf-8")


def test_a_night_with_nothing_new_and_no_server_says_only_its_summary(quiet_home):
    log = assert_quiet(redcross("run", "--home", str(quiet_home)), quiet_home)
    assert "0 files to take in" in log


def test_with_a_server_prefects_own_lines_go_to_the_log_file(quiet_home, prefect_server):
    log = assert_quiet(redcross("run", "--home", str(quiet_home), PREFECT_API_URL=prefect_server), quiet_home)
    assert re.search(r"INFO prefect.flow_runs: Flow run '[\w-]+' - Finished in state Completed\(\)", log)
    assert re.search(r"INFO prefect.task_runs: Task run 'take_inbox-[0-9a-f]+' - Finished in state Completed", log)


def test_verbose_keeps_prefects_lines_on_the_terminal(quiet_home, prefect_server):
    result = redcross("run", "--home", str(quiet_home), "--verbose", PREFECT_API_URL=prefect_server)
    assert result.returncode == 0, result.stderr
    assert "Finished in state Completed()" in result.stderr and "redcross.log" not in result.stderr
    assert not Home(quiet_home).log_file.exists()
