"""How often opening the published warehouse collides with a publish (issue 8), and open_warehouse.

    uv run python benchmarks/publish_race.py --seconds 60 --pause 0.05 0.5 --work /tmp/publish-race

Two snapshots of different shapes are published in turn (`warehouse.store.publish`, the run's own
copy-and-rename), with `--pause` seconds between publishes (far more often than runs publish,
which is a few times a night), while `--readers` processes open the file and check that what they
read is whole. For each pause it is done twice: with a plain `duckdb.connect(path, read_only=True)`,
then with `warehouse.snapshot.open_warehouse`. Prints the opens tried, the errors met and the reads
that were not whole.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redcross.warehouse.publish import publish
from redcross.warehouse.snapshot import open_warehouse

SIZES = (2_000, 300_000)
CHECK = """select (select v from total) = (select sum(v) from t) and (select n from total) = count(*), count(*)
           from t"""


def make_snapshot(path: Path, rows: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select range as i, (range * 3)::decimal(18, 2) as v from range(?)", [rows])
        con.execute("create table total as select sum(v) as v, count(*) as n from t")


def read(published: str, safe: bool, stop, results) -> None:
    opens, errors, not_whole, first = 0, 0, 0, []
    while not stop.is_set():
        opens += 1
        try:
            con = open_warehouse(published) if safe else duckdb.connect(published, read_only=True)
            with con:
                whole, rows = con.execute(CHECK).fetchone()
        except Exception as exc:  # noqa: BLE001 - counted and shown
            errors += 1
            if len(first) < 3:
                first.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
            continue
        not_whole += not whole or rows not in SIZES
    results.put((opens, errors, not_whole, first))


def race(work: Path, safe: bool, seconds: float, pause: float, readers: int) -> dict:
    sources = [work / f"{rows}.duckdb" for rows in SIZES]
    published = work / "warehouse" / "redcross.duckdb"
    publish(sources[0], published)
    context = multiprocessing.get_context("spawn")
    stop, results = context.Event(), context.Queue()
    processes = [context.Process(target=read, args=(str(published), safe, stop, results)) for _ in range(readers)]
    for process in processes:
        process.start()
    time.sleep(2)  # let them import and start reading
    swaps, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        publish(sources[swaps % 2], published)
        swaps += 1
        time.sleep(pause)
    stop.set()
    counts = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(30)
    return {"swaps": swaps, "opens": sum(c[0] for c in counts), "errors": sum(c[1] for c in counts),
            "not_whole": sum(c[2] for c in counts), "first_errors": [e for c in counts for e in c[3]][:3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--pause", type=float, nargs="+", default=[0.05, 0.5])
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--work", type=Path, default=Path("/tmp/publish-race"))
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    for rows in SIZES:
        make_snapshot(args.work / f"{rows}.duckdb", rows)
    print(f"{args.readers} readers, {args.seconds} s for each line\n")
    print("| pause s | open with | publishes | opens | errors | not whole | one in |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    errors = []
    for pause in args.pause:
        for safe in (False, True):
            r = race(args.work, safe, args.seconds, pause, args.readers)
            one_in = f"{r['opens'] // r['errors']:,}" if r["errors"] else "–"
            name = "open_warehouse" if safe else "duckdb.connect"
            print(f"| {pause} | {name} | {r['swaps']:,} | {r['opens']:,} | {r['errors']} | {r['not_whole']} | {one_in} |",
                  flush=True)
            errors += [f"{pause} s, {name}: {e}" for e in r["first_errors"]]
    print("\nfirst errors met:" if errors else "\nno errors met", *errors, sep="\n")


if __name__ == "__main__":
    main()
