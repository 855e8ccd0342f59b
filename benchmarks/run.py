"""The benchmark of issues 7 and 14: what runs cost as a user runs them, on clean and on messy forms.

Two modes, each one run whose rows are measured side by side:

    uv run python benchmarks/run.py scale --units 420 --work /tmp/b10k     # 420 x 2 years x 12 = 10,080 files
    uv run python benchmarks/run.py small --work /tmp/bsmall               # the sample data, medians of 5

`scale` generates (benchmarks/generate.py) a year of history and three corpora of the same two
years after it: clean; messy (every form revises three 上年同期数, 5% carry a 3x jump: warnings);
rejected (20% of the files carry an error); and audit (issue 21: every form breaks two audit
formulas, and in even months falls below the month before: cumulative_decrease). Each corpus is
taken in by `redcross run` on its own copy of a home that already holds the history, so that every
form is checked against a year before (audit's history breaks the same formulas, so that only the
audit checks warn). `--corpora clean,audit` measures some of them. Then: a night with nothing new on the clean home, the pandas/openpyxl baseline and the
calamine floor over the clean corpus.

`small` measures what a new user sees after `uv sync`: `uv run redcross demo`, a night of the 16
sample forms, and a night with nothing new, with no Prefect server configured; and the
nothing-new night against a running `prefect server start`.

Every run is a child process (the `redcross` command, from this checkout's environment): wall
time from here, peak RSS of its largest process (wait4) and of it with its helper processes
(sampled every 0.25 s). Start-up, work and Data Docs come from the home's log file
(logs/redcross.log): start-up ends at "files to take in", the work at the run summary, and the
validation process logs how long its Data Docs took. Measure a committed tree: the code is read
where it is.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import suppress
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
SAMPLE = REPO / "cli" / "sample_data"
STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")
LOG_MARKS = {"start": "files to take in", "summary": "运行 / run ", "docs": "Data Docs:"}


# --- children ------------------------------------------------------------------------------------

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


CHILDREN = {"baseline": child_baseline, "floor": child_floor}


# --- measuring -----------------------------------------------------------------------------------

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


def tree_rss_mib(root: int) -> float:
    """VmRSS summed over a process and its descendants (Linux /proc)."""
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        with suppress(OSError):  # a process that ended since it was listed
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
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
            self.peak_mib = max(self.peak_mib, tree_rss_mib(self._pid))

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def user_env(**extra) -> dict:
    """The environment a user's shell has: none of this process's Prefect settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.pop("VIRTUAL_ENV", None)
    return {**env, **{k: v for k, v in extra.items() if v is not None}}


def measure(label: str, command: list, log: Path, env: dict | None = None, home: Path | None = None) -> dict:
    """Run one child; its wall time, peak memory, and (for a run in `home`) the times its log gives."""
    launched = time.time()
    with log.open("w") as out:
        started = time.perf_counter()
        process = subprocess.Popen([str(c) for c in command], cwd=REPO, env=env or user_env(), stdout=out,
                                   stderr=subprocess.STDOUT)
        peak = TreePeak(process.pid)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        peak.stop()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{label} failed (exit {code}); see {log}")
    # CPU of the run and of the helper processes it waited for: steadier than wall time on a shared machine
    result = {"label": label, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
              "peak_rss_mib": usage.ru_maxrss / 1024, "tree_peak_rss_mib": peak.peak_mib}
    if home is not None:
        result.update(log_times(home / "logs" / "redcross.log", launched))
    output = log.read_text("utf-8")
    if found := re.findall(r"BENCH-RESULT (.*)", output):
        result.update(json.loads(found[-1]))
    return result


def log_times(path: Path, launched: float) -> dict:
    """Start-up, work and Data Docs seconds of the last run written into a home's log file."""
    lines = path.read_text("utf-8").splitlines()
    last_start = max(i for i, line in enumerate(lines) if LOG_MARKS["start"] in line)
    stamps: dict[str, float] = {}
    docs = 0.0
    for line in lines[last_start:]:
        stamp = STAMP.match(line)
        if not stamp:
            continue
        at = datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
        for mark, text in LOG_MARKS.items():
            if text in line and mark not in stamps:
                stamps[mark] = at
        if found := re.search(r"Data Docs: \d+ pages in ([\d.]+) s", line):
            docs += float(found.group(1))
    return {"startup": stamps["start"] - launched, "work": stamps.get("summary", stamps["start"]) - stamps["start"],
            "docs": docs}


def redcross(*args) -> list:
    return [BIN / "redcross", *args]


# --- scale -----------------------------------------------------------------------------------------

CORPORA = {  # label -> (revised priors, share with a 3x jump, share rejected, share breaking the audit checks)
    "clean": (False, 0.0, 0.0, 0.0),
    "messy": (True, 0.05, 0.0, 0.0),
    "rejected": (False, 0.0, 0.20, 0.0),
    "audit": (False, 0.0, 0.0, 1.0),
}


def link_tree(source: Path, target: Path) -> None:
    """A copy of a home: forms hard-linked (never written again), the warehouse and the rest copied."""
    def copy(src, dst):
        if src.endswith((".xlsx", ".xls", ".csv")) and "/warehouse/" not in src:
            os.link(src, dst)
        else:
            shutil.copy2(src, dst)
    shutil.copytree(source, target, copy_function=copy)


def scale(args: argparse.Namespace) -> dict:
    sys.path.insert(0, str(HERE))
    from generate import FIRST_YEAR, Mess, generate, write_registry

    work = args.work.absolute()
    if work.exists():
        shutil.rmtree(work)
    logs = work / "logs"
    logs.mkdir(parents=True)
    registry = work / "registry" / "units.csv"
    write_registry(registry, args.units)
    chosen = {label: CORPORA[label] for label in args.corpora}
    started = time.perf_counter()
    histories = {}  # audit share -> the folder of that history's forms
    for *_, audit in chosen.values():
        if audit not in histories:
            histories[audit] = work / f"history-{audit}"
            generate(histories[audit], args.units, 1, 12, FIRST_YEAR - 1, mess=Mess(audit_share=audit))
    corpora = {}
    for label, (revised, jumps, errors, audit) in chosen.items():
        corpora[label] = work / f"corpus-{label}"
        files = generate(corpora[label], args.units, 2, 12, FIRST_YEAR, mess=Mess(revised, jumps, errors, audit))
    print(f"{files} forms per corpus, {len(list(histories[0.0].iterdir()))} of history, generated in "
          f"{time.perf_counter() - started:.0f} s", flush=True)

    runs, bases = {}, {}
    for audit, history in histories.items():
        bases[audit] = base = work / f"home-history-{audit}"
        (base / "registry").mkdir(parents=True)
        shutil.copy2(registry, base / "registry" / "units.csv")
        shutil.copytree(history, base / "inbox", copy_function=os.link)
        label = "history" if audit == 0.0 else f"history (audit {audit})"
        runs[label] = measure(label, redcross("run", "--home", base), logs / f"history-{audit}.log", home=base)
        print(f"  {label} loaded in {runs[label]['wall']:.1f} s", flush=True)
    for label, corpus in corpora.items():
        home = work / f"home-{label}"
        link_tree(bases[chosen[label][3]], home)
        shutil.copytree(corpus, home / "inbox", copy_function=os.link, dirs_exist_ok=True)
        runs[f"backfill/{label}"] = measure(label, redcross("run", "--home", home), logs / f"{label}.log", home=home)
        runs[f"backfill/{label}"]["summary"] = summary_counts(logs / f"{label}.log")
        print(f"  backfill/{label}: {runs[f'backfill/{label}']['wall']:.1f} s", flush=True)
    home = work / "home-clean"
    runs["nothing new"] = measure("nothing new", redcross("run", "--home", home), logs / "nothing-new.log", home=home)
    for label, child_args in (("baseline", [corpora["clean"], work / "baseline.duckdb"]),
                              ("floor", [corpora["clean"]])):
        runs[label] = measure(label, [sys.executable, Path(__file__), "child", label, *child_args],
                              logs / f"{label}.log")
        print(f"  {label}: {runs[label]['wall']:.1f} s", flush=True)
    return {"mode": "scale", "files": files, "units": args.units, "runs": runs}


def summary_counts(log: Path) -> dict:
    text = log.read_text("utf-8")
    found = re.search(r"接收 / accepted: (\d+)（其中有提示 / with warnings: (\d+)）", text)
    rejected = re.search(r"退回 / rejected: (\d+)", text)
    return {"accepted": int(found.group(1)), "warned": int(found.group(2)), "rejected": int(rejected.group(1))}


def scale_table(results: dict) -> str:
    runs, files = results["runs"], results["files"]
    clean, base, floor = runs["backfill/clean"], runs["baseline"], runs["floor"]
    lines = [f"### {files:,} files ({results['units']} units x 2 years x 12 months, a year of history loaded first)", "",
             ("| measured | wall s | CPU s | files/s | start-up s | work s | Data Docs s (share) | accepted / warned / "
             "rejected | × clean, wall | × clean, CPU | peak MiB, largest process | peak MiB, with helpers |"),
             "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"]
    for label, r in runs.items():
        if label.startswith("history"):
            continue
        rate = f"{files / r['wall']:.0f}" if label != "nothing new" else "–"
        counts = r.get("summary")
        lines.append(
            f"| {label} | {r['wall']:.1f} | {r['cpu']:.1f} | {rate} | "
            f"{r.get('startup', 0):.1f} | {r.get('work', 0):.1f} | "
            + (f"{r['docs']:.1f} ({100 * r['docs'] / r['wall']:.1f}%)" if "docs" in r else "–") + " | "
            + (f"{counts['accepted']:,} / {counts['warned']:,} / {counts['rejected']:,}" if counts else "–") + " | "
            + (f"{r['wall'] / clean['wall']:.2f} | {r['cpu'] / clean['cpu']:.2f}" if label.startswith("backfill/")
               else "– | –") + " | "
            f"{r['peak_rss_mib']:.0f} | {r['tree_peak_rss_mib']:.0f} |")
    within = {"messy": "messy", "rejected": "20% rejected", "audit": "audit checks tripped (formulas, cumulative)"}
    lines += ["", "| target | measured |", "|---|---|"]
    lines += [f"| {what} within 1.3x of clean (wall; CPU) | {runs[f'backfill/{label}']['wall'] / clean['wall']:.2f}x; "
              f"{runs[f'backfill/{label}']['cpu'] / clean['cpu']:.2f}x |"
              for label, what in within.items() if f"backfill/{label}" in runs]
    lines += [
              "| Data Docs at most 10% of the run | " + ", ".join(
                  f"{label.split('/')[1]} {100 * r['docs'] / r['wall']:.1f}%" for label, r in runs.items()
                  if label.startswith("backfill/")) + " |",
              f"| speed vs baseline (5x at 10k, 10x at 70k) | {base['wall'] / clean['wall']:.2f}x |",
              f"| work (first file read to summary) vs floor (within 2x) | {clean['work'] / floor['wall']:.2f}x |",
              (f"| peak memory with helpers (under 2 GiB at 70k) | {clean['tree_peak_rss_mib']:.0f} MiB clean"
               + "".join(f", {runs[f'backfill/{label}']['tree_peak_rss_mib']:.0f} MiB {label}"
                         for label in ("messy", "audit") if f"backfill/{label}" in runs) + " |")]
    return "\n".join(lines)


# --- small nights --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(work: Path) -> tuple[subprocess.Popen, str]:
    """`prefect server start` on loopback with its own PREFECT_HOME; returns once /api/health answers."""
    port = free_port()
    env = user_env(PREFECT_HOME=str(work / "prefect-server-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                   PREFECT_UI_ENABLED="false")
    server = subprocess.Popen([BIN / "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=(work / "prefect-server.log").open("w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    url, started = f"http://127.0.0.1:{port}/api", time.perf_counter()
    while time.perf_counter() - started < 180 and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.25)
    stop_server(server)
    raise SystemExit(f"prefect server did not answer; see {work / 'prefect-server.log'}")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def small(args: argparse.Namespace) -> dict:
    work = args.work.absolute()
    if work.exists():
        shutil.rmtree(work)
    logs = work / "logs"
    logs.mkdir(parents=True)
    uv = shutil.which("uv") or "uv"
    demo, rows = work / "redcross-demo", {}

    def five(label: str, command: list, prepare=None, env: dict | None = None) -> None:
        walls = []
        for attempt in range(args.repeat):
            if prepare:
                prepare()
            walls.append(measure(label, command, logs / f"{label}-{attempt}.log", env)["wall"])
        rows[label] = {"median": statistics.median(walls), "runs": walls}
        print(f"  {label}: median {rows[label]['median']:.2f} s of {[round(w, 2) for w in walls]}", flush=True)

    def fresh_sample_home() -> None:
        home = work / "sample-home"
        if home.exists():
            shutil.rmtree(home)
        for folder in ("inbox", "targets"):
            shutil.copytree(SAMPLE / folder, home / folder, ignore=shutil.ignore_patterns("README*"))

    five("uv run redcross demo", [uv, "run", "redcross", "demo", "--home", demo])
    five("uv run redcross run, 16 sample forms", [uv, "run", "redcross", "run", "--home", work / "sample-home"],
         prepare=fresh_sample_home)
    five("uv run redcross run, nothing new", [uv, "run", "redcross", "run", "--home", demo])
    server, url = start_server(work)
    try:
        five("uv run redcross run, nothing new, running Prefect server",
             [uv, "run", "redcross", "run", "--home", demo], env=user_env(PREFECT_API_URL=url))
    finally:
        stop_server(server)
    return {"mode": "small", "runs": rows}


def small_table(results: dict) -> str:
    targets = {"uv run redcross demo": 15, "uv run redcross run, 16 sample forms": 8,
               "uv run redcross run, nothing new": 3, "uv run redcross run, nothing new, running Prefect server": 5}
    lines = ["| run | median s | the 5 runs, s | target s | met? |", "|---|---:|---|---:|---|"]
    for label, row in results["runs"].items():
        limit = targets[label]
        lines.append(f"| `{label}` | {row['median']:.2f} | {', '.join(f'{w:.2f}' for w in row['runs'])} | "
                     f"{limit} | {'yes' if row['median'] <= limit else 'no'} |")
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] == ["table"]:  # the tables again, from a run's results.json
        results = json.loads(Path(sys.argv[2]).read_text("utf-8"))
        print(scale_table(results) if results["mode"] == "scale" else small_table(results))
        return
    if sys.argv[1:2] == ["child"]:
        result = CHILDREN[sys.argv[2]](*sys.argv[3:])
        print("BENCH-RESULT " + json.dumps(result), flush=True)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    at_scale = modes.add_parser("scale", help="clean, messy and rejected backfills side by side")
    at_scale.add_argument("--units", type=int, required=True, help="420 for 10,080 files, 2920 for 70,080")
    at_scale.add_argument("--corpora", type=lambda text: text.split(","), default=list(CORPORA),
                          help=f"which corpora, clean first (default: {','.join(CORPORA)})")
    small_nights = modes.add_parser("small", help="the sample data, as a new user runs it")
    small_nights.add_argument("--repeat", type=int, default=5)
    for sub in (at_scale, small_nights):
        sub.add_argument("--work", type=Path, required=True, help="scratch folder (forms, homes, logs)")
    args = parser.parse_args()
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], check=False,
                            capture_output=True, text=True).stdout.strip()
    results = scale(args) if args.mode == "scale" else small(args)
    results.update(commit=commit, nproc=os.cpu_count(), python=platform.python_version(),
                   finished=datetime.now().isoformat(timespec="seconds"))
    text = scale_table(results) if args.mode == "scale" else small_table(results)
    (args.work / "results.json").write_text(json.dumps(results, indent=2, default=str))
    (args.work / "results.md").write_text(text + "\n")
    print(f"\ncommit {commit}, {os.cpu_count()} cores\n\n{text}")


if __name__ == "__main__":
    main()
