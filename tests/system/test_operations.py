"""Operations against a real `prefect server start` on loopback: served deployments, a backfill
triggered through the API, two runs at once, and a run that fails half-way."""

import hashlib
import shutil
import signal
import subprocess
import sys

import httpx
import pytest
from filelock import FileLock
from prefect_server import BIN, REPO, api, child_env, free_port, wait_for
from support import SAMPLE, drop_samples, make_home, published_rows

from redcross.read.home import Home


def redcross(*args, url: str | None = None, **env) -> subprocess.CompletedProcess:
    extra = {"PREFECT_API_URL": url} if url else {}
    return subprocess.run([BIN / "redcross", *args], env=child_env(**extra, **env), cwd=REPO,
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def served(prefect_server, tmp_path_factory):
    """`redcross serve` in a subprocess, until both deployments are registered."""
    home = make_home(tmp_path_factory.mktemp("served") / "home")
    # the runner looks for runs to start every 2 s rather than 10: the tests wait for the runs, not the polling
    process = subprocess.Popen([BIN / "redcross", "serve", "--home", str(home)],
                               env=child_env(PREFECT_API_URL=prefect_server, PREFECT_RUNNER_POLL_FREQUENCY="2"),
                               cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def deployments():
        found = {}
        for name in ("nightly/nightly", "backfill/backfill"):
            response = httpx.get(f"{prefect_server}/deployments/name/{name}", timeout=5)
            if response.status_code != 200:
                return None
            found[name] = response.json()
        return found

    try:
        yield prefect_server, home, wait_for(deployments, 120, "deployments")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_serve_refuses_without_a_reachable_server(home):
    result = redcross("serve", "--home", str(home), url=f"http://127.0.0.1:{free_port()}/api")
    assert result.returncode == 2
    assert "prefect server start" in result.stderr and "cannot reach" in result.stderr


def test_both_deployments_are_served_nightly_at_two_in_shanghai(served):
    _, _, deployments = served
    (schedule,) = deployments["nightly/nightly"]["schedules"]
    assert (schedule["schedule"]["cron"], schedule["schedule"]["timezone"]) == ("0 2 * * *", "Asia/Shanghai")
    assert schedule["active"] is True
    assert deployments["backfill/backfill"]["schedules"] == []


def test_a_backfill_triggered_through_the_api_loads_the_years_asked_for(served, tmp_path):
    url, home, deployments = served
    source = tmp_path / "history"
    source.mkdir()
    for form in (SAMPLE / "inbox").glob("*2016*.xlsx"):
        shutil.copy2(form, source)
    run = api("POST", f"{url}/deployments/{deployments['backfill/backfill']['id']}/create_flow_run",
              json={"parameters": {"years": "2016", "source": str(source), "home": str(home)}}).json()

    def finished():
        state = api("GET", f"{url}/flow_runs/{run['id']}").json()["state"]["type"]
        return state if state in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"} else None

    assert wait_for(finished, 300, "backfill run") == "COMPLETED"
    assert published_rows(home, "select distinct year, units_reported from city_totals") == [(2016, 8)]
    assert published_rows(home, "select kind, status, files_accepted from runs") == [("backfill", "succeeded", 8)]
    artifacts = api("POST", f"{url}/artifacts/filter",
                    json={"artifacts": {"key": {"any_": ["redcross-backfill-summary"]}}}).json()
    assert artifacts and "accepted: **8**" in artifacts[0]["data"]


def flow_run_state(url: str, run_id: str) -> str | None:
    state = api("GET", f"{url}/flow_runs/{run_id}").json()["state"]["type"]
    return state if state in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"} else None


def test_each_served_deployment_triggered_three_times_on_a_busy_machine_completes(served, tmp_path):
    """Three nightly and three backfill runs asked for through the API at once, while two processes
    keep both cores busy: the served deployments take them one at a time and every one completes."""
    url, _, deployments = served
    home = make_home(tmp_path / "busy-home")
    for form in sorted((SAMPLE / "inbox").glob("*2017*.xlsx"))[:2]:  # few forms: the served runs are the point
        shutil.copy2(form, home / "inbox")
    source = tmp_path / "history"
    source.mkdir()
    for form in sorted((SAMPLE / "inbox").glob("*2016*.xlsx"))[:2]:
        shutil.copy2(form, source)
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        asked = []
        for _ in range(3):
            for name, parameters in (("nightly/nightly", {}), ("backfill/backfill", {"years": "2016", "source": str(source)})):
                asked.append(api("POST", f"{url}/deployments/{deployments[name]['id']}/create_flow_run",
                                 json={"parameters": {**parameters, "home": str(home)}}).json()["id"])
        states = [wait_for(lambda run_id=run_id: flow_run_state(url, run_id), 600, "served run") for run_id in asked]
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    assert states == ["COMPLETED"] * 6
    assert published_rows(home, "select kind, status, count(*) from runs group by all order by all") == [
        ("backfill", "succeeded", 3), ("nightly", "succeeded", 3)]
    assert published_rows(home, "select count(distinct year) from city_totals") == [(2,)]


def test_two_runs_at_once_take_each_file_exactly_once(prefect_server, home):
    drop_samples(home)
    processes = [subprocess.Popen([BIN / "redcross", "run", "--home", str(home)], cwd=REPO,
                                  env=child_env(PREFECT_API_URL=prefect_server), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=600) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert sorted(o[0].count("accepted: 16") for o in outputs) == [0, 1]
    assert published_rows(home, "select count(*), count(distinct sha256) from submissions") == [(16, 16)]
    assert published_rows(home, "select status, count(*) from runs group by all") == [("succeeded", 2)]
    assert len(list(Home(home).archive.iterdir())) == 16 and Home(home).arrivals() == []


def test_a_run_asked_not_to_wait_exits_with_a_clear_message(prefect_server, home):
    Home.resolve(home)
    with FileLock(Home(home).lock):
        result = redcross("run", "--home", str(home), "--no-wait", url=prefect_server)
    assert result.returncode == 3 and "another run is writing" in result.stderr


def test_a_run_that_fails_half_way_leaves_the_warehouse_and_the_inbox_as_they_were(prefect_server, home):
    drop_samples(home, years=(2016,))
    assert redcross("run", "--home", str(home), url=prefect_server).returncode == 0
    published = Home(home).published
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    dropped = sorted(p.name for p in drop_samples(home, years=(2017,)))
    failed = redcross("run", "--home", str(home), url=prefect_server, REDCROSS_INJECT_FAULT="load")
    assert failed.returncode != 0 and "fault injected in the load step" in failed.stderr
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in Home(home).arrivals()) == dropped
    assert redcross("run", "--home", str(home), url=prefect_server).returncode == 0
    assert published_rows(home, "select status from runs order by started_at") == [
        ("succeeded",), ("failed",), ("succeeded",)]
    assert published_rows(home, "select count(distinct year) from city_totals") == [(2,)]
