"""Reading spread over a local Dask cluster gives the same warehouse as the default thread runner."""

import shutil
from datetime import date

import duckdb
import pytest
from conftest import SAMPLE

from flows.backfill import backfill
from flows.runners import task_runner
from redcross.home import Home

TODAY = date(2026, 11, 28)
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
    by_threads, by_dask = tmp_path / "threads", tmp_path / "dask"
    backfill(years="2016-2017", source=str(history), home=str(by_threads), today=TODAY)
    dask_backfill = backfill.with_options(task_runner=task_runner("dask"))
    summary = dask_backfill(years="2016-2017", source=str(history), home=str(by_dask), today=TODAY)
    assert len(summary.accepted) == 16
    assert warehouse(by_dask) == warehouse(by_threads)
    assert len(warehouse(by_dask)["city_totals"]) == 24


def test_an_unknown_runner_is_refused():
    with pytest.raises(ValueError, match="one of threads, processes, dask"):
        task_runner("spark")
