"""The steps every run takes, nightly or backfill, as Prefect tasks, and the run that strings them:

    take -> read and clean -> validate -> load -> build -> publish -> file away

Everything from loading to building happens in one transaction on the writer's own database,
so a failure at any step leaves the warehouse (and the inbox) as they were.
"""

from __future__ import annotations

import html
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
from filelock import FileLock, Timeout
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.context import FlowRunContext
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from expectations.rules import Problem
from expectations.suites import SuiteProcess, SuiteRunner, write_runs_index
from flows.readers import Readers, ReadScope, read_paths
from redcross.home import Home, archive_original, quarantine_original, sweep_partials
from redcross.intake import (
    Form,
    Intake,
    check_forms,
    check_history,
    check_totals,
    history_keys,
    prefer_later,
    same_night_figures,
    stack_rows,
)
from redcross.registry import Registry
from redcross.report import build_report, write_report
from redcross.summary import RunSummary, summarise
from redcross.targets import fingerprint as targets_fingerprint
from redcross.targets import read_targets
from warehouse import store
from warehouse.snapshot import open_warehouse

LOCK_WAIT_SECONDS = 6 * 3600
DATA_DOCS_FILE_PAGES = 100  # per-file validation pages cost ~0.3 s each; beyond this, only files with problems
READ_BATCH = 200  # files per reading task: enough to keep Prefect's per-task cost small, few enough to spread


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Plan:
    """What a run takes in and what it does with the originals.

    nightly: the inbox; every form counts; originals are moved to archive/ or quarantine/.
    backfill: a folder (or the archive); only forms of `years` (and `unit`) count; originals are
    copied, never moved; with `rerun_known` files already received are read and loaded again.
    """

    kind: str
    take: Callable[[Home], list[Path]] | None
    years: frozenset[int] | None = None
    unit: str | None = None
    move_originals: bool = True
    rerun_known: bool = False
    wins_over_earlier_loads: bool = False



@task(retries=2, retry_delay_seconds=5, cache_policy=NONE)
def take_inbox(home: Home) -> list[Path]:
    """List the files waiting in the inbox."""
    return home.arrivals()


@task(cache_policy=NONE)
def read_batch(paths: list[Path], scope: ReadScope) -> Intake:
    """Read and clean a batch of files: in a reading process of this run if it has them, else here."""
    if scope.readers is not None:
        return scope.readers.read(paths)
    return read_paths(paths, scope)


def read_forms(paths: list[Path], registry: Registry, known: dict[str, str], plan: Plan) -> Intake:
    """Read every file, in batches the flow's task runner may spread over threads, processes or Dask.

    Under the thread runner a night of more than one batch is read by reading processes of its
    own (see flows/readers.py). The tasks below that run in this process take their large
    arguments `quote`d: Prefect would otherwise walk every form of a night looking for futures.
    """
    accepted = frozenset(sha for sha, outcome in known.items() if outcome == "accepted")
    scope = ReadScope(registry, accepted, plan.years, plan.unit, plan.rerun_known)
    context = FlowRunContext.get()
    intake = Intake()
    with ExitStack() as cleanup:
        if len(paths) > READ_BATCH and context and isinstance(context.task_runner, ThreadPoolTaskRunner):
            scope.readers = cleanup.enter_context(Readers(scope))
        starts = range(0, len(paths), READ_BATCH)
        futures = [read_batch.submit(paths[i : i + READ_BATCH], scope) for i in starts]
        with reading_progress(len(paths)) as advance:
            for future, first in zip(futures, starts, strict=True):
                batch = future.result()
                intake.forms += batch.forms
                intake.repeats += batch.repeats
                intake.total_checks += batch.total_checks
                advance(min(READ_BATCH, len(paths) - first))
    return intake


@contextmanager
def reading_progress(total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal; otherwise a plain log line per batch read."""
    if total and sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress("读取 reading", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True) as bar:
            task_id = bar.add_task("read", total=total)
            yield lambda n: bar.advance(task_id, n)
        return
    log, done = get_run_logger(), 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        line = f"已读取 {done}/{total} 个文件 / read {done} of {total} files"
        log.debug(line)  # for the Prefect UI; the plain line below is for cron mail and CI logs
        print(line, file=sys.stderr, flush=True)

    yield advance


@task(cache_policy=NONE)
def validate_forms(con, intake: Intake, registry: Registry, today: date, runner: SuiteRunner) -> None:
    """Check the night's forms together against the suites: errors first, then the year-on-year warnings."""
    forms = intake.forms
    if not any(f.readable for f in forms):
        return
    check_forms(forms, registry, runner, today)
    check_totals(intake.total_checks, registry, runner)
    priors = prefer_later(store.figures_for(con, history_keys(forms)), same_night_figures(forms))
    check_history(forms, priors, registry, runner)


@task(cache_policy=NONE)
def write_validation_docs(runner: SuiteRunner, home: Home, forms: list[Form], run_id: str) -> None:
    """Great Expectations Data Docs under reports/validation/<run>/, a page per file and suite."""
    if not runner.checked_anything:
        return
    paged = list(enumerate(forms))
    if len(paged) > DATA_DOCS_FILE_PAGES:  # a large night: pages for the files with something to say
        paged = [(i, f) for i, f in paged if f.problems][:DATA_DOCS_FILE_PAGES]
    # GX writes run names into its pages unescaped, and a file's name is the district's text
    names = {str(i): html.escape(f"{f.arrival.name} ({f.submission_id})") for i, f in paged}
    try:
        runner.write_docs(home.reports / "validation" / run_id, names)
        write_runs_index(home.reports / "validation")
    except Exception as exc:  # noqa: BLE001 - the night's data is committed and published; pages are extra
        get_run_logger().warning("校验报告页面未能生成 / Data Docs could not be written: %s", exc)


@task(cache_policy=NONE)
def load_submissions(con, forms: list[Form], run_id: str, plan: Plan, started_at: datetime) -> None:
    """Record every new form as a submission and load the figures of the accepted ones."""
    submissions = _submissions_table(forms, run_id, started_at if plan.wins_over_earlier_loads else None)
    values = _values_table([f for f in forms if not f.rejected])
    store.insert_submissions(con, submissions, values, replace=plan.rerun_known)
    fault_point("load")


class InjectedFault(RuntimeError):
    """A failure made on purpose, to prove a run that dies half-way changes nothing."""


def fault_point(step: str) -> None:
    """Fail here when REDCROSS_INJECT_FAULT names this step: the tests' way to break a run mid-way."""
    if os.environ.get("REDCROSS_INJECT_FAULT") == step:
        raise InjectedFault(f"fault injected in the {step} step (REDCROSS_INJECT_FAULT={step})")


class RunInProgress(RuntimeError):
    """Another run holds the home's lock and this one was asked not to wait."""


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
        get_run_logger().info("另一个运行正在写入，等待其结束 / another run is writing to this home; waiting for it")
        lock.acquire(timeout=LOCK_WAIT_SECONDS)
    try:
        yield
    finally:
        lock.release()


@task(cache_policy=NONE)
def load_targets(con, home: Home, registry: Registry, runner: SuiteRunner):
    """Replace the province's targets with what the targets/ folder holds now (files with errors keep theirs).

    A folder unchanged since it was last read is left alone, and what was wrong with it then is
    said again: a night with nothing new then never needs Great Expectations.
    """
    seen = targets_fingerprint(home.targets, registry)
    remembered = store.targets_read(con, seen)
    if remembered is not None:
        return [Problem(**p) for p in remembered]
    targets = read_targets(home.targets, registry, runner)
    store.replace_targets(con, targets.table, [f for f in targets.files if f not in {p.file for p in targets.problems}])
    store.remember_targets_read(con, seen, [p.as_dict() for p in targets.problems])
    return targets.problems


@task(cache_policy=NONE)
def build_figures(con, registry: Registry) -> None:
    """Rebuild the analysts' views: submissions, indicator values, city totals."""
    store.load_registry(con, registry)
    store.build_models(con)


@task(retries=2, retry_delay_seconds=5, cache_policy=NONE)
def mark_succeeded(home: Home, run_id: str, counts: dict[str, int]) -> None:
    """Record the run as done, now that its files are filed away, and publish that too."""
    with duckdb.connect(str(home.writer)) as con:
        store.finish_run(con, run_id, "succeeded", _now(), counts)
    store.publish(home.writer, home.published)


@task(retries=2, retry_delay_seconds=5, cache_policy=NONE)
def publish_warehouse(home: Home) -> None:
    """Replace the analysts' database whole with the writer's."""
    store.publish(home.writer, home.published)


@task(retries=2, retry_delay_seconds=5, cache_policy=NONE)
def file_away(home: Home, forms: list[Form], plan: Plan) -> None:
    """Archive originals with anything accepted under their SHA-256; quarantine the rest with reasons."""
    by_file: dict[Path, list[Form]] = {}
    for form in forms:
        by_file.setdefault(form.arrival.path, []).append(form)
    for path, file_forms in by_file.items():
        if not path.exists():
            continue
        if all(f.rejected for f in file_forms):
            problems = [p for f in file_forms for p in f.problems]
            quarantine_original(home, path, file_forms[0].arrival.submission_id, list(dict.fromkeys(problems)),
                                move=plan.move_originals)
        else:
            archive_original(home, path, file_forms[0].arrival.sha256, move=plan.move_originals)


@task(cache_policy=NONE)
def write_reports(home: Home, registry: Registry, forms: list[Form], also: set[int]) -> list[Path]:
    """The report of each year this run took figures for (and the years in `also`), as HTML and xlsx."""
    years = sorted({f.period.year for f in forms if not f.rejected and f.period} | also)
    if not years:
        return []
    written = []
    with open_warehouse(home.published) as con:
        for year in years:
            (month,) = con.execute("select max(month) from city_totals where year = ?", [year]).fetchone()
            if month is None:
                continue
            report = build_report(con, registry, year, month)
            for fmt in ("html", "xlsx"):
                written.append(write_report(report, fmt, home.reports / str(year) / f"report-{year}-{month:02d}.{fmt}"))
    return written


def run_pipeline(home: Home, plan: Plan, today: date, wait: bool = True) -> RunSummary:
    """One run: take, read, validate, load and build in one transaction; then publish and file away."""
    log = get_run_logger()
    registry = home.registry()
    with home_lock(home, wait), ExitStack() as cleanup:
        for leftover in sweep_partials(home):  # a killed run's half-written copy, never seen by anyone
            log.info("删除未写完的文件 / removed a half-written file: %s", leftover)
        started_at = _now()
        run_id = f"{plan.kind}-{started_at:%Y%m%dT%H%M%S%f}"
        con = store.open_writer(home.writer)
        try:
            unreported_years = store.start_run(con, run_id, plan.kind, started_at)
            before = _city_figures(con)
            con.begin()
            paths = plan.take(home)
            log.info("待处理 %d 个文件 / %d files to take in", len(paths), len(paths))
            # with files to check, GX is imported in a process of its own while they are read; a
            # process that has GX already (a test session, say) checks here at no start-up cost
            fresh = paths and "great_expectations" not in sys.modules
            early = SuiteProcess.early()  # started by `redcross run` before Prefect was imported
            if early and not fresh:
                early.discard()
            runner = cleanup.enter_context(early or SuiteProcess()) if fresh else SuiteRunner()
            known = store.known_files(con)
            intake = read_forms(paths, registry, known, plan)
            validate_forms(con, quote(intake), quote(registry), today, runner)
            new, repeats = settle_resent(intake, known, plan)
            load_submissions(con, quote(new), run_id, plan, started_at)
            target_problems = load_targets(con, home, quote(registry), runner)
            build_figures(con, quote(registry))
            counts = files_counted(paths, new)
            store.finish_run(con, run_id, "publishing", None, counts)
            con.commit()
            summary = summarise(con, run_id, new, repeats, target_problems, before)
        except BaseException:
            con.rollback()
            store.finish_run(con, run_id, "failed", _now(), {})
            con.close()
            raise
        con.close()
        # The figures are committed; what follows is repeatable. A run killed here stays
        # 'publishing' in the writer's database and the next run marks it 'interrupted'.
        publish_warehouse(home)
        file_away(home, quote(new + repeats), plan)
        write_validation_docs(runner, home, quote(new), run_id)
        write_reports(home, quote(registry), quote(new + repeats), unreported_years)
        mark_succeeded(home, run_id, counts)
    for line in summary.text().splitlines():
        log.info(line)
    create_markdown_artifact(key=f"redcross-{plan.kind}-summary", markdown=summary.markdown(),
                             description="接收、退回及原因、缺报、变动的数字 / accepted, rejected and why, missing, changes")
    return summary


def settle_resent(intake: Intake, known: dict[str, str], plan: Plan) -> tuple[list[Form], list[Form]]:
    """New forms, and forms of files received before: a file rejected before was checked again
    (so it goes back to quarantine with its reasons) but is not a new submission."""
    if plan.rerun_known:
        return intake.forms, intake.repeats
    resent = [f for f in intake.forms if f.arrival.sha256 in known]
    return [f for f in intake.forms if f.arrival.sha256 not in known], intake.repeats + resent


def files_counted(paths: list[Path], forms: list[Form]) -> dict[str, int]:
    """Files seen, and of the new ones how many had something accepted and how many had nothing."""
    outcome: dict[Path, bool] = {}
    for form in forms:
        outcome[form.arrival.path] = outcome.get(form.arrival.path, False) or not form.rejected
    return {"seen": len(paths), "accepted": sum(outcome.values()), "rejected": sum(not v for v in outcome.values())}


def _city_figures(con) -> dict:
    if "city_totals" not in {r[0] for r in con.execute("select view_name from duckdb_views()").fetchall()}:
        return {}
    rows = con.execute("select year, month, indicator_code, total from city_totals").fetchall()
    return {(y, m, i): t for y, m, i, t in rows}


def _submissions_table(forms: list[Form], run_id: str, loaded_at: datetime | None) -> pl.DataFrame:
    rows = [
        {
            "submission_id": f.submission_id,
            "sha256": f.arrival.sha256,
            "file_name": f.arrival.name,
            "sheet": f.sheet,
            "unit_code": f.unit_code,
            "year": f.period.year if f.period else None,
            "month": f.period.month if f.period else None,
            "received_at": f.arrival.received_at,
            "precedence": max(f.arrival.received_at, loaded_at) if loaded_at else f.arrival.received_at,
            "outcome": "rejected" if f.rejected else "accepted",
            "run_id": run_id,
            "messages": [{k: v for k, v in p.as_dict().items() if k != "file"} for p in f.problems],
        }
        for f in forms
    ]
    message = pl.Struct({k: pl.String for k in
                         ("rule", "severity", "sheet", "cell", "indicator", "value", "expected", "message_zh", "message_en")})
    schema = {"submission_id": pl.String, "sha256": pl.String, "file_name": pl.String, "sheet": pl.String,
              "unit_code": pl.String, "year": pl.Int32, "month": pl.Int32, "received_at": pl.Datetime("us"),
              "precedence": pl.Datetime("us"),
              "outcome": pl.String, "run_id": pl.String, "messages": pl.List(message)}
    return pl.DataFrame(rows, schema=schema)


def _values_table(forms: list[Form]) -> pl.DataFrame:
    """The accepted forms' figures, one row per submission and indicator, with the cell each came from."""
    numbered = [(i, f) for i, f in enumerate(forms) if f.rows_at is not None]
    if not numbered:
        return pl.DataFrame()
    submissions = pl.DataFrame(
        {"form": [i for i, _ in numbered], "submission_id": [f.submission_id for _, f in numbered],
         "sheet": [f.sheet for _, f in numbered]},
        schema={"form": pl.Int64, "submission_id": pl.String, "sheet": pl.String},
    )
    return (
        stack_rows(numbered)
        .filter(pl.col("indicator_code").is_not_null())
        .join(submissions, on="form")
        .select("submission_id", "indicator_code", "value", "prior_value", "sheet", pl.col("value_cell").alias("cell"))
    )
