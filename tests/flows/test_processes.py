"""The helper processes: validation gives the failures the suites give in process, slice by slice or
whole; one started early is handed over once and dies with a killed run."""

import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from support import REPO

from redcross.expectations.suites import SuiteRunner
from redcross.flows.plumbing import processes
from redcross.flows.plumbing.processes import ValidationProcess, start_validation_early, take_early
from redcross.read.home import Home

pytestmark = pytest.mark.usefixtures("prefect_harness")  # its flows run as Prefect flow runs


def test_checking_in_slices_in_the_validation_process_fails_the_same_rows(monkeypatch):
    found = [1, 0, 1, 2, 1, 1, 3, 0, 1, 1, 1, 2, 1, 0, 1, 1, 1, 1, 2, 1, 0, 1, 1]
    table = pl.DataFrame({"row_key": [f"{i}:coverage" for i in range(len(found))], "rows_found": found})
    in_process = SuiteRunner().check("form_coverage", table)
    monkeypatch.setattr(processes, "CHECK_ROWS", 5)  # five slices, failures in each
    with ValidationProcess() as process:
        sliced = process.check("form_coverage", table)
        assert process.checked_anything
    def as_set(failures):
        return {(f.rule, f.row_key, f.value) for f in failures}
    assert as_set(sliced) == as_set(in_process)
    assert {key for _, key, _ in as_set(sliced)} == {f"{i}:coverage" for i, n in enumerate(found) if n != 1}


def test_an_error_in_the_validation_process_is_raised_in_the_run():
    with ValidationProcess() as process, pytest.raises(FileNotFoundError, match="no_such_suite"):
        process.check("no_such_suite", pl.DataFrame({"row_key": ["0"], "x": [1]}))


def test_a_process_started_early_is_handed_over_once_and_checks_like_any():
    start_validation_early()
    early = take_early()
    assert early is not None and take_early() is None
    with ValidationProcess(early) as process:
        failures = process.check("form_coverage", pl.DataFrame({"row_key": ["a", "b"], "rows_found": [1, 2]}))
    assert [(f.row_key, f.value) for f in failures] == [("b", 2)]


def test_a_run_with_nothing_to_check_stops_the_process_started_early(tmp_path):
    from redcross.flows.nightly import nightly

    start_validation_early()
    started = processes._early.process
    summary = nightly(home=str(Home.create(tmp_path / "home").root))  # an empty inbox: nothing to validate
    assert summary.accepted == [] and summary.rejected == {}
    assert started.poll() is not None  # killed, not left importing GX for nobody
    assert processes._early is None


KILLED_RUN = """
import os, signal
from redcross.flows.plumbing import processes
processes.start_validation_early()
print(processes._early.process.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's")
def test_the_early_process_dies_with_a_killed_run_instead_of_finishing_its_import():
    parent = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN],
        stdout=subprocess.PIPE, text=True, cwd=REPO)
    helper = int(parent.stdout.readline())
    parent.wait(30)
    deadline = time.monotonic() + 3  # GX's import alone takes longer than this
    while time.monotonic() < deadline and running(helper):
        time.sleep(0.05)
    assert not running(helper)


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False
