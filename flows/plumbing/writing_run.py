"""One writer at a time: the home's lock, the run's row in the warehouse, and one transaction.

Every flow's body runs inside `writing_run`. It holds the home's lock (a second run waits, or
with `wait=False` does not start), removes what a killed run left half-written, records the run,
and opens the writer's database in a transaction that the body commits once its figures are
built. A failure before that rolls everything back and marks the run failed; the published
warehouse and the inbox stay as they were. After the commit every step can be repeated: a run
killed then stays `publishing`, and the next run marks it interrupted and catches up.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime

import duckdb
from filelock import FileLock, Timeout

from redcross.core.clock import utc_now
from redcross.core.interrupts import NOTHING_CHANGED, Interrupted, interrupt_signal
from redcross.core.locks import period_named
from redcross.core.periods import beijing_time
from redcross.flows.plumbing.night import Night, Plan
from redcross.flows.plumbing.orchestration import run_logger
from redcross.read.home import Home, sweep_partials
from redcross.report.run_summary import RunSummary
from redcross.warehouse import writer

LOCK_WAIT_SECONDS = 6 * 3600


class RunInProgress(RuntimeError):
    """Another run holds the home's lock and this one was asked not to wait."""


class InjectedFault(RuntimeError):
    """A failure made on purpose, to prove a run that dies half-way changes nothing."""


def fault_point(step: str) -> None:
    """Fail here when REDCROSS_INJECT_FAULT names this step: the tests' way to break a run mid-way.

    `pause:<step>` stops here instead (saying so on stderr) for a test to interrupt the run at that point.
    """
    fault = os.environ.get("REDCROSS_INJECT_FAULT")
    if fault == step:
        raise InjectedFault(f"fault injected in the {step} step (REDCROSS_INJECT_FAULT={step})")
    if fault == f"pause:{step}":
        print(f"paused at {step} (REDCROSS_INJECT_FAULT={fault})", file=sys.stderr, flush=True)
        time.sleep(600)


class PeriodsLocked(RuntimeError):
    """A backfill over years with a period locked: it did not start, and nothing changed."""


def refuse_locked_years(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Raise PeriodsLocked, naming them, when a lock in force closes a period of the years a backfill
    loads again: it would change figures the office has quoted."""
    if plan.years is None:
        return
    locked = [lock for lock in writer.locks_in_force(con) if lock.year in plan.years]
    if not locked:
        return
    named = [period_named(lock.year, lock.month) for lock in locked]
    raise PeriodsLocked(f"补录会改动已封账的报告期，未开始：{'、'.join(zh for zh, _ in named)}；请先解锁（redcross unlock）"
                        f" / the backfill would change locked periods and did not start: {'; '.join(en for _, en in named)};"
                        " unlock them first (redcross unlock)")


COMMITTED_THEN_INTERRUPTED = ("已中断：本次的数字已提交，归档和发布将由下次运行完成 / interrupted: this run's figures "
                              "were committed; filing away and publishing will be finished by the next run")


class Run(Night):
    """A run writing to a home: a night (flows.plumbing.night) with its id, its connection inside the
    run's one transaction, the city figures it started with, and, once committed, its summary."""

    def __init__(self, home: Home, plan: Plan, con: duckdb.DuckDBPyConnection, cleanup: ExitStack) -> None:
        super().__init__(home, plan, con, cleanup)
        self.started_at = utc_now()
        self.id = f"{plan.kind}-{self.started_at:%Y%m%dT%H%M%S%f}"
        self.unreported_years = writer.start_run(con, self.id, plan.kind, self.started_at)
        self.figures_before = writer.city_figures(con)
        self.counts: dict[str, int] = {}
        self.summary: RunSummary | None = None
        self.committed = False

    def commit(self, counts: dict[str, int], summary: RunSummary) -> None:
        """Commit the figures; from here on every step can be repeated."""
        self.counts, self.summary = counts, summary
        writer.finish_run(self.con, self.id, "publishing", None, counts)
        self.con.commit()
        self.committed = True
        self.con.close()


@contextmanager
def home_lock(home: Home, wait: bool) -> Iterator[None]:
    """Hold the home's one-writer lock for the block; say so in the log when another run holds it."""
    lock = FileLock(home.lock)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise RunInProgress(
                "另一个运行正在写入该数据目录，本次未运行 / another run is writing to this home; this one did not start"
            ) from None
        holder = _holder(home)
        line = (f"另一个运行（{holder}）正在写入该数据目录，等待其结束 / "
                f"another run ({holder}) is writing to this home; waiting for it to finish")
        run_logger().info(line)
        print(line, file=sys.stderr, flush=True)  # on the terminal too, once: a silent wait looks like a hang
        lock.acquire(timeout=LOCK_WAIT_SECONDS)
    holder_file = home.lock.with_name(HOLDER)
    try:
        holder_file.write_text(f"pid {os.getpid()}, {beijing_time(datetime.now(UTC))} 起 / since then", encoding="utf-8")
        yield
    finally:
        holder_file.unlink(missing_ok=True)
        lock.release()


HOLDER = "run.lock.holder"  # who holds the lock, for a run that waits to name


def _holder(home: Home) -> str:
    try:
        return home.lock.with_name(HOLDER).read_text("utf-8").strip() or "未知 / unknown"
    except OSError:
        return "未知 / unknown"


@contextmanager
def writing_run(home: Home, plan: Plan, wait: bool = True) -> Iterator[Run]:
    """The run of a flow's body: locked, recorded, and loading in one transaction (see the module)."""
    with home_lock(home, wait), ExitStack() as cleanup:
        for leftover in sweep_partials(home):  # a killed run's half-written copy, never seen by anyone
            run_logger().info("删除未写完的文件 / removed a half-written file: %s", leftover)
        con = writer.open_writer(home.writer)
        cleanup.callback(con.close)
        refuse_locked_years(con, plan)  # before the run's row: a refused backfill leaves no trace
        run = Run(home, plan, con, cleanup)  # its row is written at once, outside the transaction
        con.begin()
        try:
            yield run
        except BaseException as exc:
            signum = interrupt_signal(exc)
            if not run.committed:
                con.rollback()
                status = "failed" if signum is None else "interrupted"
                writer.finish_run(con, run.id, status, utc_now(), {"seen": run.files_seen})
            if signum is None:
                raise
            # committed: the run stays `publishing`, and the next run marks it interrupted and catches up
            raise Interrupted(signum, COMMITTED_THEN_INTERRUPTED if run.committed else NOTHING_CHANGED) from None
        if not run.committed:
            con.rollback()
            raise RuntimeError("a run's body ended without committing its figures")
