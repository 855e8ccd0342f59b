"""Reading spread over a local Dask cluster gives the same warehouse as the default thread runner."""

import shutil

import duckdb
import pytest
from support import SAMPLE, TODAY, make_home

from redcross.flows import steps
from redcross.flows.backfill import backfill
from redcross.flows.plumbing.processes import Readers
from redcross.flows.plumbing.runners import task_runner
from redcross.read.home import Home

pytestmark = pytest.mark.usefixtures("prefect_harness")  # its flows run as Prefect flow runs

SAME = {
    "city_totals": "select * from city_totals order by all",
    "indicator_values": "select * from indicator_values order by all",
    "submissions": "select submission_id, file_name, sha256, unit_code, year, month, status, received_at, messages "
                   "from submissions order by all",
}


def warehouse(root):
    with duckdb.connect(str(Home(root).published), read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in SAME.items()}


@pytest.fixture
def history(tmp_path):
    folder = tmp_path / "history"
    shutil.copytree(SAMPLE / "inbox", folder)
    return folder


def test_a_backfill_on_a_local_dask_cluster_builds_the_same_warehouse(tmp_path, history):
    by_threads, by_dask = make_home(tmp_path / "threads"), make_home(tmp_path / "dask")
    backfill(years="2016-2017", source=str(history), home=str(by_threads), today=TODAY)
    dask_backfill = backfill.with_options(task_runner="dask")
    summary = dask_backfill(years="2016-2017", source=str(history), home=str(by_dask), today=TODAY)
    assert len(summary.accepted) == 16
    assert warehouse(by_dask) == warehouse(by_threads)
    assert len(warehouse(by_dask)["city_totals"]) == 24


def test_reading_processes_build_the_same_warehouse_as_reading_in_the_flows_process(tmp_path, history, monkeypatch):
    in_process, by_readers = make_home(tmp_path / "in-process"), make_home(tmp_path / "readers")
    backfill(years="2016-2017", source=str(history), home=str(in_process), today=TODAY)  # one batch: no readers
    started = []
    monkeypatch.setattr(steps, "READ_BATCH", 5)  # 16 files, four batches: reading processes
    monkeypatch.setattr(steps, "Readers", lambda scope: started.append(scope) or Readers(scope))
    summary = backfill(years="2016-2017", source=str(history), home=str(by_readers), today=TODAY)
    assert len(started) == 1 and len(summary.accepted) == 16
    assert warehouse(by_readers) == warehouse(in_process)


def test_a_reading_process_that_dies_fails_the_run_and_leaves_the_warehouse_as_it_was(tmp_path, history, monkeypatch):
    home = make_home(tmp_path / "home")
    monkeypatch.setattr(steps, "READ_BATCH", 5)

    class Killed(Readers):
        def read(self, paths):
            for helper in self._all:
                helper.process.kill()
                helper.process.wait()
            return super().read(paths)

    monkeypatch.setattr(steps, "Readers", Killed)
    with pytest.raises(RuntimeError, match="a reading process stopped while reading"):
        backfill(years="2016-2017", source=str(history), home=str(home), today=TODAY)
    assert not Home(home).published.exists()
    with duckdb.connect(str(Home(home).writer), read_only=True) as con:
        assert con.execute("select count(*) from raw.submissions").fetchone() == (0,)
        assert con.execute("select status from raw.runs").fetchall() == [("failed",)]


def test_an_unknown_runner_is_refused():
    with pytest.raises(ValueError, match="one of threads, processes, dask"):
        task_runner("spark")
