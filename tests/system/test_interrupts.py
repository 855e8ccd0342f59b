"""Ctrl-C and SIGTERM during a run: one line saying what was kept, exit 130 or 143, no
traceback, and `runs` showing the run as interrupted with the files it had seen.

The run is stopped at a known point (REDCROSS_INJECT_FAULT=pause:<step>: it says so on stderr and
waits) and then sent the signal, as a terminal's Ctrl-C or a service manager's stop would."""

import signal
import subprocess

import duckdb
import pytest
from prefect_server import BIN, REPO, child_env
from support import drop_samples, published_rows

from redcross.core.interrupts import NOTHING_CHANGED
from redcross.flows.plumbing.writing_run import COMMITTED_THEN_INTERRUPTED


def interrupted_run(home, step: str, signum: int) -> subprocess.CompletedProcess:
    """`redcross run` stopped at `step`, then sent `signum`."""
    run = subprocess.Popen([BIN / "redcross", "run", "--home", str(home)], cwd=REPO, text=True,
                           env=child_env(REDCROSS_INJECT_FAULT=f"pause:{step}"),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = []
    for line in run.stderr:  # wait until it stands at the step
        seen.append(line)
        if line.startswith("paused at"):
            break
    else:
        pytest.fail(f"the run ended before pausing at {step}: {''.join(seen)}")
    run.send_signal(signum)
    out, err = run.communicate(timeout=120)
    return subprocess.CompletedProcess(run.args, run.returncode, out, "".join(seen) + err)


def writer_runs(home) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse" / "writer" / "redcross-writer.duckdb"), read_only=True) as con:
        return con.execute("select status, files_seen from raw.runs order by started_at").fetchall()


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupt_before_the_commit_changes_nothing_and_says_so_once(home, signum, status):
    dropped = drop_samples(home, years=(2017,))
    stopped = interrupted_run(home, "load", signum)

    assert stopped.returncode == status
    assert stopped.stderr.splitlines()[-1] == NOTHING_CHANGED
    assert "Traceback" not in stderr_and_out(stopped)
    assert sorted(p.name for p in (home / "inbox").iterdir()) == sorted(p.name for p in dropped)
    assert not (home / "warehouse" / "redcross.duckdb").exists()  # nothing was ever published
    assert writer_runs(home) == [("interrupted", len(dropped))]


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupt_after_the_commit_says_the_next_run_finishes_and_it_does(home, signum, status):
    dropped = drop_samples(home, years=(2017,))
    stopped = interrupted_run(home, "filing", signum)

    assert stopped.returncode == status
    assert stopped.stderr.splitlines()[-1] == COMMITTED_THEN_INTERRUPTED
    assert "Traceback" not in stderr_and_out(stopped)
    assert len(list((home / "inbox").iterdir())) == len(dropped)  # not yet filed away

    finished = subprocess.run([BIN / "redcross", "run", "--home", str(home)], cwd=REPO, env=child_env(),
                              capture_output=True, text=True, timeout=300, check=False)
    assert finished.returncode == 0, finished.stderr
    assert list((home / "inbox").iterdir()) == []
    assert len(list((home / "archive").iterdir())) == len(dropped)
    # the second run found the same files in the inbox, already received, and filed them away
    assert published_rows(home, "select status, files_seen, files_accepted from runs order by started_at") == [
        ("interrupted", len(dropped), len(dropped)), ("succeeded", len(dropped), 0)]
    assert published_rows(home, "select total from city_totals where indicator_code = 'first_aid_trained' "
                                "and year = 2017 and month = 12") == [(21810,)]


def stderr_and_out(done: subprocess.CompletedProcess) -> str:
    return done.stderr + done.stdout
