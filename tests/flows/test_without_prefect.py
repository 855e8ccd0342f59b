"""With no Prefect server configured, a run takes the same steps in its own process, imports no
Prefect, starts no temporary server, and is recorded like any other."""

import subprocess
import sys

import duckdb
import pytest
from prefect_server import child_env, free_port
from support import REPO, TODAY, drop_samples, make_home, published_rows

from redcross.flows.backfill import backfill
from redcross.flows.nightly import nightly
from redcross.read.home import Home

pytestmark = pytest.mark.usefixtures("prefect_harness")  # its flows run as Prefect flow runs

RUN = """
import sys
from redcross.cli.main import main
code = main(sys.argv[1:])
print("prefect imported" if "prefect" in sys.modules else "prefect not imported")
sys.exit(code)
"""
SAME = {
    "city_totals": "select * from city_totals order by all",
    "indicator_values": "select * from indicator_values order by all",
    # arrived_at: when each home's copy landed in its inbox, a moment apart; that both have one is the same
    "submissions": "select * exclude (run_id, arrived_at) from submissions order by all",
    "landed": "select count(arrived_at) from submissions",
    "runs": "select kind, status, files_seen, files_accepted, files_rejected from runs order by all",
}


def redcross(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", RUN, *args], env=child_env(**env), cwd=REPO,
                          capture_output=True, text=True, timeout=600, check=False)


def warehouse(root):
    with duckdb.connect(str(Home(root).published), read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in SAME.items()}


def test_a_run_without_a_server_imports_no_prefect_and_starts_no_server(tmp_path):
    home, prefect_home = make_home(tmp_path / "home"), tmp_path / "prefect-home"
    prefect_home.mkdir()
    drop_samples(home)
    result = redcross("run", "--home", str(home), PREFECT_HOME=str(prefect_home))
    assert result.returncode == 0, result.stderr
    assert "accepted: 16" in result.stdout and "prefect not imported" in result.stdout
    assert list(prefect_home.iterdir()) == []  # a temporary server would have made its database here
    assert published_rows(home, "select kind, status, files_seen, files_accepted from runs") == [
        ("nightly", "succeeded", 16, 16)]
    assert published_rows(home, "select count(*) from city_totals where year = 2017") == [(12,)]


def test_a_configured_server_that_does_not_answer_is_said_and_the_run_goes_on(tmp_path):
    home = make_home(tmp_path / "home")
    drop_samples(home, years=(2017,))
    result = redcross("run", "--home", str(home), PREFECT_API_URL=f"http://127.0.0.1:{free_port()}/api",
                      PREFECT_HOME=str(tmp_path / "prefect-home"))
    assert result.returncode == 0, result.stderr
    assert "no Prefect server answers" in result.stderr and "prefect not imported" in result.stdout
    assert published_rows(home, "select status from runs") == [("succeeded",)]


def test_the_same_steps_with_and_without_prefect_build_the_same_warehouse(tmp_path):
    with_prefect, without = make_home(tmp_path / "with"), make_home(tmp_path / "without")
    for root in (with_prefect, without):
        drop_samples(root)
    nightly(home=str(with_prefect), today=TODAY)  # the session's Prefect harness: a Prefect flow run
    summary = nightly.local(home=str(without), today=TODAY)
    assert len(summary.accepted) == 16 and not summary.rejected
    assert warehouse(without) == warehouse(with_prefect)


def test_a_backfill_without_prefect_reads_its_folder_on_the_executor(tmp_path):
    source = tmp_path / "history"
    source.mkdir()
    home = make_home(tmp_path / "home")
    for form in drop_samples(home, years=(2016,)):
        form.rename(source / form.name)
    summary = backfill.local(years="2016", source=str(source), home=str(home), today=TODAY)
    assert len(summary.accepted) == 8
    assert published_rows(home, "select kind, status, files_accepted from runs") == [("backfill", "succeeded", 8)]
