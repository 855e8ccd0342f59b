"""Readers under load (issue 8): while five consecutive runs publish, eight processes query the
published warehouse read-only in a loop. Every snapshot a reader sees is whole — each city total
equals the sum of indicator_values for its year, month and indicator, in the same connection — no
run fails because of the readers, and every reader query is counted.

Readers open the file with `open_warehouse`, the function docs/analyst.md gives analysts: DuckDB opens
a file three times while connecting, and a publish landing in between pairs one night's headers
with the next night's blocks (this test failed once that way in CI, before the function existed).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from pathlib import Path

import duckdb
from keqiao import KEQIAO_2017
from prefect_server import BIN, REPO, child_env
from support import SAMPLE, write_form

from redcross.warehouse.snapshot import open_warehouse

READERS = 8
RUNS = 5

# Per (year, month, indicator): the city total beside the sum of the units' figures; rows returned
# are snapshots that are not whole.
NOT_WHOLE = """
    with summed as (
        select year, month, indicator_code, sum(value) as total, count(*) as units
        from indicator_values group by all)
    select year, month, indicator_code, c.total, s.total
    from city_totals c full join summed s using (year, month, indicator_code)
    where c.total is distinct from s.total or c.units_reported is distinct from s.units
"""


def read_in_a_loop(published: str, stop, results) -> None:
    """One analyst's process: open read-only the way docs/analyst.md says, check the snapshot, close; again,
    until told to stop. Any error is kept and reported, so that the test names it."""
    queries, errors, runs_seen, not_whole = 0, [], set(), []
    while not stop.is_set():
        if not os.path.exists(published):
            time.sleep(0.05)
            continue
        try:
            with open_warehouse(published) as con:
                bad = con.execute(NOT_WHOLE).fetchall()
                (runs, running) = con.execute(
                    "select count(*), count(*) filter (status = 'running') from runs").fetchone()
            queries += 2
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
            errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
            time.sleep(0.1)
            continue
        if bad or running:
            not_whole.append((runs, running, bad[:3]))
        runs_seen.add(runs)
        time.sleep(0.1)  # an analyst clicking, not a busy loop that would starve the run
    results.put({"queries": queries, "errors": errors[:5], "runs_seen": sorted(runs_seen),
                 "not_whole": not_whole[:5]})


def drops(inbox: Path) -> list:
    """What lands in the inbox before each of the five runs."""
    samples = sorted((SAMPLE / "inbox").glob("*.xlsx"))

    def later(path: Path, seconds: int) -> Path:
        stamp = time.time() + seconds
        os.utime(path, (stamp, stamp))
        return path

    return [
        lambda: [shutil.copy2(s, inbox) for s in samples if "2016" in s.name],
        lambda: [shutil.copy2(s, inbox) for s in samples if "2016" not in s.name],
        lambda: later(write_form(inbox / "柯桥区 2017 更正.xlsx",
                                 rows=[(lbl, m, v + 1 if isinstance(v, int) else v, p) for lbl, m, v, p in KEQIAO_2017]),
                      60),
        lambda: [write_form(inbox / "柯桥区 2018.xlsx", period="2018年"),
                 write_form(inbox / "坏文件.xlsx", unit="杭州市红十字会")],
        lambda: [write_form(inbox / "越城区 2018.xlsx", unit="越城区", period="2018年"),
                 later(write_form(inbox / "柯桥区 2018 更正.xlsx", period="2018年",
                                  rows=[(lbl, m, v * 2 if isinstance(v, int) else v, p) for lbl, m, v, p in KEQIAO_2017]),
                       60)],
    ]


def test_eight_readers_never_see_a_half_loaded_warehouse(prefect_server, home):
    published = home / "warehouse" / "redcross.duckdb"
    context = multiprocessing.get_context("spawn")
    stop, results = context.Event(), context.Queue()
    readers = [context.Process(target=read_in_a_loop, args=(str(published), stop, results)) for _ in range(READERS)]
    for reader in readers:
        reader.start()
    outcomes = []
    try:
        for drop in drops(home / "inbox"):
            drop()
            done = os_run(home, prefect_server)
            outcomes.append(done)
            assert done.returncode == 0, done.stderr[-3000:]
            time.sleep(1)  # let the readers see this night before the next publishes
    finally:
        stop.set()
        reports = [results.get(timeout=120) for _ in readers]
        for reader in readers:
            reader.join(30)
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select status, count(*) from runs group by all").fetchall() == [("succeeded", RUNS)]
        assert con.execute("select status, count(*) from submissions group by all order by 1").fetchall() == [
            ("accepted", 18), ("rejected", 1), ("superseded", 2)]
    queries = sum(r["queries"] for r in reports)
    print(f"\nreaders: {READERS} processes, {queries} queries over {RUNS} runs; "
          f"runs seen per reader: {[r['runs_seen'] for r in reports]}")
    assert [r["errors"] for r in reports] == [[]] * READERS
    assert [r["not_whole"] for r in reports] == [[]] * READERS
    assert all(r["queries"] > 0 for r in reports)
    assert all(len(r["runs_seen"]) >= 3 for r in reports)  # each read through several publishes


def os_run(home: Path, url: str):
    import subprocess

    return subprocess.run([BIN / "redcross", "run", "--home", str(home)], cwd=REPO, capture_output=True, text=True,
                          env=child_env(PREFECT_API_URL=url), timeout=600, check=False)
