"""The benchmark of issue 7: the pipeline, the pandas baseline and the calamine floor on the same files.

    uv run python benchmarks/run.py --units 10 --years 2 --months 12 --work /tmp/bench-240

generates the forms once (benchmarks/generate.py) and then measures, each in its own child
process (wall time from the parent; peak RSS from os.wait4, which is the largest single process of
that child and its helpers, and sampled every 0.25 s over all of them together):

  backfill/temp     a nightly run over every file, Prefect's temporary server (no PREFECT_API_URL)
  backfill/server   the same on a fresh home, against `prefect server start` on 127.0.0.1
  baseline          pandas.read_excel (openpyxl) per file, concat, insert into DuckDB
  floor             fastexcel (calamine) load_sheet of every file, nothing else
  nochange/server   a nightly run with an empty inbox over the full archive (also /temp)
  changed/server    a nightly run after 1% of the forms came again in a corrected version

The code measured is a snapshot of the repository copied into <work>/code before anything runs,
so edits made meanwhile do not change what is measured (--code DIR measures another tree).
Stage times come from the Prefect API: the task runs of the child's flow run.
Start-up = child process launch -> start of the first read_batch task; steady state = first read_batch
start -> flow run end; teardown = flow run end -> process exit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TODAY = date(2026, 11, 28)
STAGES = {  # task name prefix -> stage
    "take_inbox": "read", "read_batch": "read", "validate_forms": "validate",
    "write_validation_docs": "validation docs", "load_submissions": "load", "load_targets": "load",
    "build_figures": "build", "publish_warehouse": "publish", "file_away": "publish", "mark_succeeded": "publish",
    "write_reports": "reports",
}
STAGE_ORDER = ["read", "validate", "validation docs", "load", "build", "publish", "reports", "other tasks",
               "orchestration"]


# --- children: each measured thing runs in its own process -----------------------------------

def child_pipeline(home: str) -> dict:
    t_import = time.time()
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.nightly import nightly

    imported = time.time()
    state = nightly(home=home, today=TODAY, return_state=True)
    returned = time.time()
    summary = state.result()
    flow_run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
        tasks, page = [], True
        while page:  # the API answers 200 task runs at a time; a 70k-file run has more
            page = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                                         offset=len(tasks), limit=200)
            tasks += page
    return {
        "import_start": t_import, "import_end": imported, "returned": returned,
        "flow_start": flow_run.start_time.timestamp(), "flow_end": flow_run.end_time.timestamp(),
        "state": state.type.value,
        "summary_head": summary.text().splitlines()[:4],
        "tasks": [{"name": t.name, "start": t.start_time.timestamp(), "end": t.end_time.timestamp(),
                   "run": t.total_run_time.total_seconds()} for t in tasks if t.start_time and t.end_time],
    }


def child_baseline(corpus: str, database: str) -> dict:
    """What an analyst would write: pandas + openpyxl per file, concat, one insert into DuckDB."""
    import duckdb
    import pandas as pd

    frames = []
    for path in sorted(Path(corpus).glob("*.xlsx")):
        sheet = pd.read_excel(path, header=None, engine="openpyxl", dtype=str)
        unit = sheet.iat[1, 0].split("：", 1)[1]
        period = sheet.iat[1, 3].split("：", 1)[1]
        header = sheet.index[sheet[1] == "指标名称"][0]
        body = sheet.iloc[header + 1: header + 13, 1:5].copy()
        body.columns = ["indicator", "measure", "value", "prior"]
        body["unit"], body["period"], body["file"] = unit, period, path.name
        frames.append(body)
    values = pd.concat(frames, ignore_index=True)
    con = duckdb.connect(database)
    con.register("incoming", values)
    con.execute("create or replace table form_values as select * from incoming")
    rows = con.execute("select count(*) from form_values").fetchone()[0]
    con.close()
    return {"rows": rows}


def child_floor(corpus: str) -> dict:
    """The fastest reader and nothing else: calamine through fastexcel, every cell as text."""
    import fastexcel

    cells = 0
    for path in sorted(Path(corpus).glob("*.xlsx")):
        sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, dtypes="string").to_arrow()
        cells += sheet.num_rows * sheet.num_columns
    return {"cells": cells}


def child_main(args: list[str]) -> None:
    kind, *rest = args
    result = {"pipeline": child_pipeline, "baseline": child_baseline, "floor": child_floor}[kind](*rest)
    print("BENCH-RESULT " + json.dumps(result, default=str), flush=True)


# --- the parent ------------------------------------------------------------------------------

def measure(label: str, args: list[str], code: Path, env: dict, log: Path) -> dict:
    """Run one child; wall time, peak RSS (its own process, from wait4) and what it reported."""
    child_env = {k: v for k, v in {**os.environ, **env, "PYTHONPATH": str(code)}.items() if v is not None}
    with log.open("w") as out:
        launched = time.time()
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--child", *args],
                                   cwd=code, env=child_env, stdout=subprocess.PIPE, stderr=out, text=True)
        tree_peak = TreePeak(process.pid)
        stdout = process.stdout.read()
        tree_peak.stop()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.write(stdout)
    lines = [line for line in stdout.splitlines() if line.startswith("BENCH-RESULT ")]
    if process.returncode != 0 or not lines:
        raise SystemExit(f"{label} failed (exit {process.returncode}); see {log}")
    result = json.loads(lines[-1].removeprefix("BENCH-RESULT "))
    # wait4's figure is the largest single process (the run's own, or one of its helpers); the
    # sampled one is all of them at once: the run, its validation process and its reading processes
    result.update(label=label, wall=wall, launched=launched, peak_rss_mib=usage.ru_maxrss / 1024,
                  tree_peak_rss_mib=tree_peak.peak_mib)
    print(f"  {label:<18} {wall:8.1f} s   peak RSS {result['peak_rss_mib']:7.0f} MiB, with its helper processes "
          f"{tree_peak.peak_mib:7.0f} MiB", flush=True)
    return result


def pipeline_figures(result: dict, files: int) -> dict:
    """Start-up, steady state and the stage shares of one pipeline run."""
    tasks = result["tasks"]
    reading = [t for t in tasks if t["name"].startswith("read_batch")]
    read_start = min((t["start"] for t in reading), default=result["flow_start"])
    stages = dict.fromkeys(STAGE_ORDER, 0.0)
    for t in tasks:
        stage = STAGES.get(t["name"].rsplit("-", 1)[0], "other tasks")
        if t["name"].startswith("read_batch"):
            continue  # batches overlap on the task runner: reading counts as the span they cover
        stages[stage] = stages.get(stage, 0.0) + t["end"] - t["start"]
    if reading:
        stages["read"] += max(t["end"] for t in reading) - read_start
    flow_wall = result["flow_end"] - result["flow_start"]
    stages["orchestration"] = flow_wall - sum(stages.values())
    startup = read_start - result["launched"]
    steady = result["flow_end"] - read_start
    return {
        "files": files, "wall": result["wall"], "startup": startup,
        "import": result["import_end"] - result["launched"],
        "before_flow": result["flow_start"] - result["import_end"],
        "steady": steady, "teardown": result["launched"] + result["wall"] - result["flow_end"],
        "files_per_s": files / result["wall"], "steady_files_per_s": files / steady if steady > 0 else None,
        "stages": stages, "flow_wall": flow_wall, "peak_rss_mib": result["peak_rss_mib"],
        "tree_peak_rss_mib": result["tree_peak_rss_mib"],
        "summary_head": result.get("summary_head"),
    }


def make_home(root: Path, corpus: Path | None, registry: Path) -> Path:
    """A home with the synthetic registry and (hard links to) the corpus in its inbox."""
    if root.exists():
        shutil.rmtree(root)
    (root / "inbox").mkdir(parents=True)
    (root / "targets").mkdir()
    (root / "registry").mkdir()
    shutil.copy2(registry, root / "registry" / "units.csv")
    if corpus is not None:
        for path in corpus.iterdir():
            os.link(path, root / "inbox" / path.name)
    return root


def snapshot(code: Path, registry: Path) -> Path:
    """Copy the repository's code (not .venv, .git, demo homes) so concurrent edits cannot leak in."""
    if code.exists():
        shutil.rmtree(code)
    shutil.copytree(REPO, code, ignore=shutil.ignore_patterns(
        ".venv", ".git", "redcross-demo", "redcross-data", "benchmarks", "__pycache__", ".pytest_cache"))
    home_py = (code / "redcross" / "home.py").read_text("utf-8")
    if "registry_folder" not in home_py:  # older code has no per-home registry: the snapshot's data file
        shutil.copy2(registry, code / "redcross" / "registry" / "units.csv")
    return code


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(work: Path) -> tuple[subprocess.Popen, str, float]:
    """`prefect server start` on loopback with its own PREFECT_HOME; returns once /api/health answers."""
    port = free_port()
    prefect_home = work / "prefect-server-home"
    prefect_home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(prefect_home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_ENABLED": "false", "PREFECT_SERVER_LOGGING_LEVEL": "WARNING"}
    env.pop("PREFECT_API_URL", None)
    started = time.perf_counter()
    server = subprocess.Popen([str(Path(sys.executable).parent / "prefect"), "server", "start",
                               "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=(work / "prefect-server.log").open("w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    while time.perf_counter() - started < 180:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return server, url, time.perf_counter() - started
        except OSError:
            time.sleep(0.25)
        if server.poll() is not None:
            break
    stop_server(server)
    raise SystemExit(f"prefect server did not answer; see {work / 'prefect-server.log'}")


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def tree_memory_mib(root: int, field: str) -> float:
    """The sum of one /proc status field (VmRSS, VmHWM) over a process and its descendants."""
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
        todo += _children(pid)
    return total


class TreePeak:
    """The largest total RSS of a process and its descendants, sampled four times a second."""

    def __init__(self, pid: int) -> None:
        import threading

        self.peak_mib, self._pid, self._done = 0.0, pid, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.25):
            self.peak_mib = max(self.peak_mib, tree_memory_mib(self._pid, "VmRSS"))

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def server_peak_rss_mib(server: subprocess.Popen) -> float:
    """VmHWM of the server and its descendants (Linux /proc), before it is stopped."""
    return tree_memory_mib(server.pid, "VmHWM")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)  # the session this script started for the server
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def drop_changed_forms(corpus: Path, inbox: Path, share: float, units: int) -> int:
    """Corrected versions of `share` of the forms (every Nth), newer mtime, into the inbox."""
    sys.path.insert(0, str(HERE))
    from generate import FormWriter, Unit

    writer = FormWriter()
    paths = sorted(corpus.iterdir())
    step = max(1, round(1 / share))
    chosen = paths[::step]
    now = time.time()
    for path in chosen:
        code, year, month = path.stem.split("-")
        target = inbox / f"{path.stem}-corrected.xlsx"
        target.write_bytes(writer.form_bytes(Unit(int(code[1:])), int(year), int(month), revision=1))
        os.utime(target, (now, now))
    return len(chosen)


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "n/a"


def report(results: dict) -> str:
    """The figures and the ratios as Markdown tables."""
    files = results["files"]
    runs = results["runs"]
    lines = [f"### {files} files ({results['scale']})", "",
             ("| measured | wall s | files/s | start-up s | steady s | steady files/s | peak RSS MiB, largest process "
             "| peak RSS MiB, all its processes |"),
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for label, r in runs.items():
        n = r.get("files", files)
        if "startup" in r:
            steady_rate = f"{r['steady_files_per_s']:.1f}" if r.get("steady_files_per_s") else "-"
            lines.append(f"| {label} | {r['wall']:.1f} | {n / r['wall']:.1f} | {r['startup']:.1f} | "
                         f"{r['steady']:.1f} | {steady_rate} | {r['peak_rss_mib']:.0f} | {r['tree_peak_rss_mib']:.0f} |")
        else:
            lines.append(f"| {label} | {r['wall']:.1f} | {n / r['wall']:.1f} | - | - | - | {r['peak_rss_mib']:.0f} | "
                         f"{r['tree_peak_rss_mib']:.0f} |")
    if results.get("server_start_s") is not None:
        lines.append(f"| (prefect server start, to /api/health) | {results['server_start_s']:.1f} | | | | | "
                     f"{results.get('server_peak_rss_mib', 0):.0f} | |")
    base, floor = runs.get("baseline"), runs.get("floor")
    lines += ["", "| ratio | value |", "|---|---:|"]
    for label in ("backfill/temp", "backfill/server"):
        r = runs.get(label)
        if not r:
            continue
        lines.append(f"| {label} end-to-end speed vs baseline (>= 5x at 10k, 10x at 70k) | "
                     f"{ratio(base['wall'], r['wall'])} |")
        lines.append(f"| {label} end-to-end time vs floor | {ratio(r['wall'], floor['wall'])} |")
        lines.append(f"| {label} steady-state time vs floor (target <= 2x) | {ratio(r['steady'], floor['wall'])} |")
    full = runs.get("backfill/server") or runs.get("backfill/temp") or {"wall": results.get("backfill_wall")}
    for label in ("nochange/server", "nochange/temp", "changed-1%/server"):
        if label in runs:
            lines.append(f"| {label} time vs full backfill/server (target < 5%) | "
                         f"{100 * runs[label]['wall'] / full['wall']:.1f}% |")
    lines.append(f"| baseline vs floor | {ratio(base['wall'], floor['wall'])} |")
    lines += ["", "Stage shares (seconds and % of the process's wall time; start-up = launch -> first read_batch):", "",
              "| run | start-up | " + " | ".join(STAGE_ORDER) + " | teardown |",
              "|---|" + "---:|" * (len(STAGE_ORDER) + 2)]
    for label, r in runs.items():
        if "stages" not in r:
            continue
        before_read = r["startup"]
        cells = [f"{before_read:.1f} ({100 * before_read / r['wall']:.0f}%)"]
        # the read stage is counted from the first read_batch: take_inbox is inside start-up
        for stage in STAGE_ORDER:
            seconds = r["stages"][stage]
            cells.append(f"{seconds:.1f} ({100 * seconds / r['wall']:.0f}%)")
        cells.append(f"{r['teardown']:.1f} ({100 * r['teardown'] / r['wall']:.0f}%)")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", ("Orchestration = the flow run's wall time less the sum of its task runs: Prefect's per-task "
                   "overhead plus the untasked flow code (lock, opening DuckDB, the run summary). Start-up overlaps "
                   "the first part of the flow run (before the first read_batch); the columns are not meant to add up exactly.")]
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, required=True)
    parser.add_argument("--years", type=int, required=True)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--work", type=Path, required=True, help="scratch folder (forms, homes, logs); under /tmp")
    parser.add_argument("--code", type=Path, help="the tree to measure (default: a snapshot of this repository)")
    parser.add_argument("--changed", type=float, default=0.01, help="share of forms sent again, corrected")
    parser.add_argument("--backfill-wall", type=float, help="a skipped backfill's wall time, for the ratios")
    parser.add_argument("--skip", default="", help="comma list of runs to skip: backfill/temp,nochange/temp,...")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    work = args.work.absolute()
    work.mkdir(parents=True, exist_ok=True)
    corpus, registry = work / "corpus", work / "registry" / "units.csv"

    sys.path.insert(0, str(HERE))
    from generate import generate, write_registry

    if corpus.exists():
        shutil.rmtree(corpus)
    started = time.perf_counter()
    write_registry(registry, args.units)
    files = generate(corpus, args.units, args.years, args.months)
    generated = time.perf_counter() - started
    code = args.code.absolute() if args.code else snapshot(work / "code", registry)
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], check=False,
                            capture_output=True,
                            text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                                check=False, capture_output=True, text=True).stdout.strip())
    print(f"{files} forms generated in {generated:.1f} s; measuring {code} "
          f"(HEAD {commit}{' + uncommitted changes' if dirty else ''})", flush=True)
    quiet = {"PREFECT_LOGGING_LEVEL": "WARNING", "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
             "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    temp_env = {**quiet, "PREFECT_API_URL": None, "PREFECT_HOME": str(work / "prefect-temp-home")}
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    runs: dict[str, dict] = {}
    results = {"files": files, "scale": f"{args.units} units x {args.years} years x {args.months} months",
               "machine": {"nproc": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform()},
               "commit": commit, "dirty": dirty, "generate_s": generated, "runs": runs,
               "started": datetime.now().isoformat(timespec="seconds"), "backfill_wall": args.backfill_wall}

    def pipeline(label: str, home: Path, env: dict, count: int) -> None:
        if label in skip:
            return
        raw = measure(label, ["pipeline", str(home)], code, env, logs / f"{label.replace('/', '-')}.log")
        (logs / f"{label.replace('/', '-')}.json").write_text(json.dumps(raw, default=str))
        runs[label] = pipeline_figures(raw, count)
        runs[label]["summary_head"] = raw.get("summary_head")

    if "backfill/temp" not in skip:
        pipeline("backfill/temp", make_home(work / "home-temp", corpus, registry), temp_env, files)
        shutil.rmtree(work / "home-temp")
    for label, args_ in (("baseline", ["baseline", str(corpus), str(work / "baseline.duckdb")]),
                         ("floor", ["floor", str(corpus)])):
        raw = measure(label, args_, code, quiet, logs / f"{label}.log")
        runs[label] = {"files": files, "wall": raw["wall"], "peak_rss_mib": raw["peak_rss_mib"],
                       "tree_peak_rss_mib": raw["tree_peak_rss_mib"]}

    server, url, server_start = start_server(work)
    results["server_start_s"] = server_start
    print(f"  prefect server answered in {server_start:.1f} s at {url}", flush=True)
    try:
        server_env = {**quiet, "PREFECT_API_URL": url}
        home = work / "home-server"
        if "backfill/server" not in skip or not (home / "archive").exists():  # else: measure on the archive there
            home = make_home(home, corpus, registry)
        pipeline("backfill/server", home, server_env, files)
        pipeline("nochange/server", home, server_env, 0)
        pipeline("nochange/temp", home, temp_env, 0)
        changed = drop_changed_forms(corpus, home / "inbox", args.changed, args.units)
        pipeline("changed-1%/server", home, server_env, changed)
        results["changed_files"] = changed
        results["server_peak_rss_mib"] = server_peak_rss_mib(server)
    finally:
        stop_server(server)
    out = work / "results.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    text = report(results)
    (work / "results.md").write_text(text + "\n")
    print()
    print(text)
    print(f"\nresults: {out}, {work / 'results.md'}, logs in {logs}")


if __name__ == "__main__":
    main()
