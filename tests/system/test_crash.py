"""A run killed at any moment loses nothing: `redcross run` as a subprocess against a real Prefect
server, SIGKILLed at a random moment, then run again to completion (issue 8).

The inbox is the 16 bundled forms and one bad file. A clean run (two, at once, which must agree)
gives the reference and the duration D of a run; each trial restores the home from a pristine
copy, starts a run, kills it at a moment drawn uniformly from [0.5 s, D] (seeded; 14 trials) or
right after one of six steps has finished (the short steps from loading to publishing, which a
uniform draw would rarely hit; 6 trials), runs again with
`--no-wait` (a stale lock would make it exit 3) and compares with the reference.

"The same warehouse" means: every row of units, indicators, indicator_values and city_totals
equal, and every row of submissions equal except run_id — the run that received a file is by
design whichever run committed it, the killed one or the next — and arrived_at, when the file
landed in that trial's inbox (each trial copies the pristine home anew; it must be there, though);
received_at is the file's modification time, which the pristine copy keeps. The runs view differs by design (the killed run
has a row of its own), so it is checked for what it must say instead: the last run succeeded, the
killed run is interrupted or failed (succeeded only if the kill came after the run had finished
its work), nothing is left `running`, and the runs together took in 16 files and rejected 1.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest
from prefect_server import BIN, REPO, child_env
from support import FIXTURES, drop_samples, make_home

BAD_FILE = FIXTURES / "hostile" / "negative_value.xlsx"
TRIALS = int(os.environ.get("REDCROSS_CRASH_TRIALS", "14"))  # uniform moments; AFTER_STEPS adds six
PARALLEL = 2  # trials at once, each on its own home; CI machines have two cores or more
SEED = 20180115
# The flow's tasks in the order a run reaches them: a kill lands in the step after the last finished.
STEPS = ["take_inbox", "read", "validate_forms", "load_submissions", "load_targets", "build_figures",
         "file_away", "write_validation_docs", "write_reports", "mark_succeeded", "publish_warehouse"]
# Besides the uniform moments: kill as soon as each of these steps has finished (lands in the next).
AFTER_STEPS = ["read_batch", "validate_forms", "load_submissions", "build_figures", "file_away", "mark_succeeded"]
COMPARED = {
    "units": "select * from units order by all",
    "indicators": "select * from indicators order by all",
    "indicator_values": "select * from indicator_values order by all",
    "city_totals": "select * from city_totals order by all",
    "submissions": "select * exclude (run_id, arrived_at) from submissions order by submission_id",
    "landed": "select count(*) filter (where arrived_at is null) from submissions",  # every file's landing kept
}


def start_run(home: Path, url: str, log: Path, *args: str) -> subprocess.Popen:
    """`redcross run --verbose` printing Prefect's task states (INFO) into `log`, so a kill can be placed
    in a step."""
    with log.open("w") as out:
        return subprocess.Popen([BIN / "redcross", "run", "--home", str(home), "--verbose", *args], cwd=REPO, stdout=out,
                                stderr=subprocess.STDOUT, env=child_env(PREFECT_API_URL=url, PREFECT_LOGGING_LEVEL="INFO"))


def run_to_end(home: Path, url: str, log: Path, *args: str) -> tuple[int, float]:
    started = time.monotonic()
    process = start_run(home, url, log, *args)
    return process.wait(600), time.monotonic() - started


# --- what a home holds after a run ------------------------------------------------------------

def pristine_home(root: Path) -> Path:
    """Targets, and an inbox of the 16 bundled forms and one bad file, mtimes kept."""
    make_home(root)
    drop_samples(root)
    shutil.copy2(BAD_FILE, root / "inbox" / "柯桥区 2017 负数.xlsx")
    return root


def warehouse(home: Path) -> dict:
    with duckdb.connect(str(home / "warehouse" / "redcross.duckdb"), read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in COMPARED.items()}


def runs(home: Path) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse" / "redcross.duckdb"), read_only=True) as con:
        return con.execute("select run_id, status, files_accepted, files_rejected, finished_at from runs "
                           "order by started_at").fetchall()


def tree(home: Path) -> set[str]:
    """Every file of the home but the per-run Data Docs, run ids made anonymous."""
    return {re.sub(r"nightly-\d{8}T\d+", "RUN", str(p.relative_to(home))) for p in home.rglob("*")
            if p.is_file() and "validation" not in p.relative_to(home).parts}


def whole_reports(home: Path) -> list[str]:
    """Report files that are not whole (a kill while one was written must not leave it half)."""
    broken = []
    for path in (home / "reports").rglob("report-*"):
        if path.suffix == ".xlsx":
            try:
                with zipfile.ZipFile(path) as book:
                    if book.testzip() is not None:
                        broken.append(path.name)
            except zipfile.BadZipFile:
                broken.append(path.name)
        elif path.suffix == ".html" and "</html>" not in path.read_text("utf-8", "replace"):
            broken.append(path.name)
    return broken


def step_reached(log: str) -> str:
    finished = re.findall(r"Task run '(\w+?)-[0-9a-f]+' - Finished in state Completed", log)
    done = [("read" if name.startswith("read") else name) for name in finished]
    last = max((STEPS.index(s) for s in done if s in STEPS), default=-1)
    if re.search(r"Flow run '[^']+' - Finished in state Completed", log):
        return "finished"  # the flow had returned; only the process's own teardown was left
    if last == -1:
        return "starting" if "Beginning flow run" not in log else "take_inbox"
    # once publish_warehouse has finished the run is done: only the flow's own return was left
    return STEPS[last + 1] if last + 1 < len(STEPS) else "finished"


# --- the trials -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reference(prefect_server, tmp_path_factory):
    """Two clean runs at once on copies of the pristine home: they must agree; D is their duration."""
    base = tmp_path_factory.mktemp("crash")
    pristine = pristine_home(base / "pristine")
    homes = [base / f"clean{n}" for n in range(PARALLEL)]
    for home in homes:
        shutil.copytree(pristine, home, copy_function=shutil.copy2)
    with ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(lambda h: run_to_end(h, prefect_server, base / f"{h.name}.log"), homes))
    assert [code for code, _ in results] == [0] * PARALLEL, [(base / f"{h.name}.log").read_text() for h in homes]
    snapshots = [warehouse(h) for h in homes]
    assert all(s == snapshots[0] for s in snapshots)
    assert [[r[1:4] for r in runs(h)] for h in homes] == [[("succeeded", 16, 1)]] * PARALLEL
    duration = max(seconds for _, seconds in results)
    return base, pristine, snapshots[0], tree(homes[0]), duration


def wait_for_step(process: subprocess.Popen, log: Path, step: str) -> bool:
    """Wait until the log says `step` finished; False if the run ended first."""
    pattern = re.compile(rf"Task run '{step}-[0-9a-f]+' - Finished")
    while process.poll() is None:
        if pattern.search(log.read_text("utf-8", "replace")):
            return False
        time.sleep(0.005)
    return True


def trial(number: int, moment: float | str, url: str, base: Path, pristine: Path) -> dict:
    """Kill a run `moment` seconds in, or (a step's name) as soon as that step has finished."""
    home = base / f"trial{number:02d}"
    shutil.copytree(pristine, home, copy_function=shutil.copy2)
    killed_log = base / f"trial{number:02d}-killed.log"
    process = start_run(home, url, killed_log)
    try:
        if isinstance(moment, str):
            finished_first = wait_for_step(process, killed_log, moment)
        else:
            process.wait(moment)
            finished_first = True
    except subprocess.TimeoutExpired:
        finished_first = False
    if not finished_first:
        process.send_signal(signal.SIGKILL)
        process.wait(60)
    log = killed_log.read_text("utf-8", "replace")
    step = "finished" if finished_first else step_reached(log)
    code, _ = run_to_end(home, url, base / f"trial{number:02d}-rerun.log", "--no-wait")
    return {"number": number, "moment": moment, "step": step, "rerun_exit": code, "home": home,
            "rerun_log": (base / f"trial{number:02d}-rerun.log").read_text("utf-8", "replace")}


def problems_of(result: dict, expected_warehouse: dict, expected_tree: set[str]) -> list[str]:
    home, found = result["home"], []
    if result["rerun_exit"] != 0:
        return [f"the run after the kill exited {result['rerun_exit']}: {result['rerun_log'][-2000:]}"]
    got = warehouse(home)
    found += [f"view {name} differs from a clean run's" for name in COMPARED if got[name] != expected_warehouse[name]]
    inbox = sorted(p.name for p in (home / "inbox").iterdir())
    if inbox:
        found.append(f"left in the inbox: {inbox}")
    originals = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in (pristine_inbox(home)).iterdir()}
    archived = [p for p in (home / "archive").iterdir()]
    quarantined = [p for p in (home / "quarantine").iterdir() if not p.name.endswith((".reason.txt", ".reason.json"))]
    filed = [hashlib.sha256(p.read_bytes()).hexdigest() for p in archived + quarantined]
    if sorted(filed) != sorted(originals):
        found.append(f"not every file archived or quarantined exactly once: {len(archived)} archived, "
                     f"{len(quarantined)} quarantined of {len(originals)}")
    for original in quarantined:
        if not all(Path(f"{original}{ext}").exists() for ext in (".reason.txt", ".reason.json")):
            found.append(f"{original.name} quarantined without its reasons")
    got_tree = tree(home)
    if got_tree != expected_tree:
        found.append(f"files differ from a clean run's: extra {sorted(got_tree - expected_tree)}, "
                     f"missing {sorted(expected_tree - got_tree)}")
    if broken := whole_reports(home):
        found.append(f"reports not whole: {broken}")
    history = runs(home)
    statuses = [status for _, status, *_ in history]
    if not history or statuses[-1] != "succeeded" or "running" in statuses:
        found.append(f"runs: {statuses}")
    killed = history[:-1]
    # mark_succeeded's own work may be done when the kill lands, before Prefect logs the task's end;
    # killed in publish_warehouse, the run was recorded as succeeded and the next run publishes that
    done_by_then = result["step"] in ("finished", "mark_succeeded", "publish_warehouse")
    if not done_by_then and any(status == "succeeded" for _, status, *_ in killed):
        found.append(f"the run killed in step {result['step']} shows as succeeded: {statuses}")
    if sum(r[2] or 0 for r in history) != 16 or sum(r[3] or 0 for r in history) != 1:
        found.append(f"runs took in {sum(r[2] or 0 for r in history)} accepted, "
                     f"{sum(r[3] or 0 for r in history)} rejected files (16 and 1 expected)")
    return found


def pristine_inbox(home: Path) -> Path:
    return home.parent / "pristine" / "inbox"


def test_a_run_killed_at_any_moment_loses_nothing(prefect_server, reference):
    base, pristine, expected_warehouse, expected_tree, duration = reference
    rng = random.Random(SEED)
    moments: list[float | str] = [rng.uniform(0.5, duration) for _ in range(TRIALS)]
    moments += AFTER_STEPS  # the short steps a uniform draw would rarely land in
    with ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(lambda args: trial(*args, prefect_server, base, pristine), enumerate(moments)))
    failures = {}
    for result in results:
        found = problems_of(result, expected_warehouse, expected_tree)
        if found:
            when = f"after {m}" if isinstance(m := result["moment"], str) else f"at {m:.1f} s"
            failures[f"trial {result['number']} killed {when}, in {result['step']}"] = found
        shutil.rmtree(result["home"])
    steps = sorted({r["step"] for r in results}, key=lambda s: (STEPS + ["finished"]).index(s)
                   if s in STEPS + ["finished"] else -1)
    print(f"\ncrash trials: {len(results)} over a {duration:.1f} s run; steps hit: {steps}; "
          f"survived: {len(results) - len(failures)}")
    assert failures == {}, "\n".join(f"{k}: {v}" for k, v in failures.items())
    assert len(results) >= 20 or TRIALS < 14
    assert len({r["step"] for r in results} - {"finished"}) >= 4  # kills landed in several different steps


# --- locks: a kill during `redcross lock`, and during a run that quarantines a locked
# period's form, leaves each warehouse as before or as after, never between -------------------------

LOCKED_FOR = "2017年报已报市政府"
LOCK_VIEWS = {
    "city_totals": "select * from city_totals order by all",
    "revisions": "select * from revisions order by all",
    "locks": "select year, month, reason, unlocked_at from locks order by all",
    "submissions": "select submission_id, outcome, [m.rule for m in messages] from raw.submissions order by all",
}


def lock_views(home: Path) -> dict:
    """The quoted views of the writer's file and of the analysts' copy."""
    found = {}
    for name, path in (("writer", home / "warehouse" / "writer" / "redcross-writer.duckdb"),
                       ("published", home / "warehouse" / "redcross.duckdb")):
        with duckdb.connect(str(path), read_only=True) as con:
            found[name] = {view: con.execute(sql).fetchall() for view, sql in LOCK_VIEWS.items()}
    return found


def killed_at(step: str, *args: str) -> None:
    """`redcross <args>` SIGKILLed where it stands at `step` (REDCROSS_INJECT_FAULT=pause:<step>)."""
    process = subprocess.Popen([BIN / "redcross", *args], cwd=REPO, text=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=child_env(REDCROSS_INJECT_FAULT=f"pause:{step}"))
    seen = []
    for line in process.stderr:
        seen.append(line)
        if line.startswith("paused at"):
            break
    else:
        pytest.fail(f"`redcross {args[0]}` ended before pausing at {step}: {''.join(seen)}")
    process.send_signal(signal.SIGKILL)
    process.wait(60)


@pytest.fixture
def quoted_home(home):
    """柯桥区's 2017 form taken in and published."""
    from keqiao import KEQIAO_2017
    from support import TODAY, dated, write_form

    from redcross.flows.nightly import nightly

    dated(write_form(home / "inbox" / "keqiao-2017.xlsx", KEQIAO_2017, "柯桥区", "2017年"), "2018-01-10T09:00")
    nightly.local(home=str(home), today=TODAY)
    return home


def test_a_lock_killed_before_its_publish_is_in_force_and_asked_again_publishes(quoted_home):
    from redcross.cli.main import main

    before = lock_views(quoted_home)
    killed_at("lock", "lock", "--home", str(quoted_home), "--year", "2017", "--reason", LOCKED_FOR)
    locked = [(2017, None, LOCKED_FOR, None)]
    for copy in lock_views(quoted_home).values():
        assert copy in (before["writer"], {**before["writer"], "locks": locked})  # as before or as after
    again = main(["lock", "--home", str(quoted_home), "--year", "2017", "--reason", LOCKED_FOR])
    assert again == 2  # the killed lock had written: the period is locked already, and now published too
    assert lock_views(quoted_home) == {name: {**before["writer"], "locks": locked} for name in before}


def test_a_run_killed_while_quarantining_a_locked_periods_form_changes_no_figure(quoted_home):
    from keqiao import KEQIAO_2017
    from support import TODAY, dated, write_form

    from redcross.cli.main import main
    from redcross.flows.nightly import nightly

    assert main(["lock", "--home", str(quoted_home), "--year", "2017", "--reason", LOCKED_FOR]) == 0
    before = lock_views(quoted_home)
    corrected = [("救护员培训", "人", 4100, 3100), *KEQIAO_2017[1:]]
    dated(write_form(quoted_home / "inbox" / "corrected.xlsx", corrected, "柯桥区", "2017年"), "2018-03-01T09:00")
    killed_at("filing", "run", "--home", str(quoted_home))  # its verdict committed, the file not yet filed away
    for copy in lock_views(quoted_home).values():
        assert {k: v for k, v in copy.items() if k != "submissions"} == \
            {k: v for k, v in before["writer"].items() if k != "submissions"}
        added = [row for row in copy["submissions"] if row not in before["writer"]["submissions"]]
        assert len(copy["submissions"]) - len(added) == len(before["writer"]["submissions"])
        assert [rules for _, _, rules in added] in ([], [["period_locked"]])  # the verdict, or nothing yet
    nightly.local(home=str(quoted_home), today=TODAY)
    after = lock_views(quoted_home)
    assert after["writer"] == after["published"]
    assert sorted(rules for _, _, rules in after["published"]["submissions"]) == [[], ["period_locked"]]
    assert {k: v for k, v in after["published"].items() if k != "submissions"} == \
        {k: v for k, v in before["writer"].items() if k != "submissions"}
    assert list((quoted_home / "inbox").iterdir()) == []
    assert len(list((quoted_home / "quarantine").glob("*corrected.xlsx.reason.txt"))) == 1
