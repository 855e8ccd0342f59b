"""The steps of a run, nightly or backfill, each a Prefect task when a server is in use (flows.plumbing.orchestration).

Each step is a few lines calling its layer: read, transforms, expectations, warehouse, report.
`read_forms` and `publish_figures` string steps together in the order every run takes them; a
flow's body is the steps and little else.
"""

from __future__ import annotations

import html
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from redcross.core.forms import night_rows
from redcross.core.problems import Problem
from redcross.core.registry import Registry
from redcross.expectations.cumulative import check_cumulative, year_keys
from redcross.expectations.forms import (
    check_forms,
    check_history,
    check_totals,
    history_keys,
    prefer_later,
    same_night_figures,
)
from redcross.expectations.formulas import check_formulas
from redcross.expectations.locks import check_locks
from redcross.expectations.suites import Checker, load_suite_definition, write_runs_index
from redcross.flows.plumbing.intake import Intake, ReadScope, read_paths, read_targets
from redcross.flows.plumbing.night import Night
from redcross.flows.plumbing.orchestration import artifact, run_logger, step, threads_read_here
from redcross.flows.plumbing.processes import Readers
from redcross.flows.plumbing.writing_run import Run, fault_point, utc_now
from redcross.read.arrivals import settle_seconds, spreadsheets_under, still_arriving
from redcross.read.filing import file_away as file_originals
from redcross.read.home import Home
from redcross.read.targets import fingerprint
from redcross.report.files import write_report
from redcross.report.model import build_report
from redcross.report.run_summary import RunSummary, summarise
from redcross.warehouse import queries, writer
from redcross.warehouse.models import build_models
from redcross.warehouse.publish import publish

READ_BATCH = 200  # files per reading task: enough to keep Prefect's per-task cost small, few enough to spread
DATA_DOCS_FILE_PAGES = 20  # files with problems given pages of their own; the night's pages show them all


# --- take and read -------------------------------------------------------------------------------

@step(retries=2, retry_delay_seconds=5)
def take_inbox(home: Home) -> tuple[list[Path], list[Path]]:
    """The files waiting in the inbox: those to take in now, and those still arriving (a copy cut short
    that changed within REDCROSS_SETTLE_SECONDS), which are left where they are for the next run."""
    now, settle = time.time(), settle_seconds()
    ready, arriving = [], []
    for path in home.arrivals():
        (arriving if still_arriving(path, now, settle) else ready).append(path)
    if arriving:
        run_logger().info("仍在传入，留待下次运行 / still arriving, left for the next run: %s",
                          "、".join(p.name for p in arriving))
    return ready, arriving


@step(retries=2, retry_delay_seconds=5)
def take_folder(folder: Path) -> list[Path]:
    """Every spreadsheet under a backfill's folder (hidden files left alone), in a stable order."""
    return spreadsheets_under(folder)


@step()
def read_batch(paths: list[Path], scope: ReadScope) -> Intake:
    """Read and clean a batch of files: in a reading process of this run if it has them, else here."""
    if scope.readers is not None:
        return scope.readers.read(paths)
    return read_paths(paths, scope)


def read_forms(paths: list[Path], night: Night) -> Intake:
    """Read every file, in batches the flow's task runner may spread over threads, processes or Dask.

    `night` is a run, or a dry run (`redcross check`): both read alike (flows.plumbing.night). The
    validation process is started first, so GX imports while the files are read. On threads, a
    night of more than one batch is read by reading processes of its own (see flows.plumbing.processes).
    """
    night.check_with(paths)
    night.files_seen = len(paths)
    run_logger().info("待处理 %d 个文件 / %d files to take in", len(paths), len(paths))
    scope = night.scope()
    intake = Intake(known=frozenset() if night.plan.rerun_known else frozenset(night.known), files_seen=len(paths))
    with ExitStack() as cleanup:
        if len(paths) > READ_BATCH and threads_read_here():
            scope.readers = cleanup.enter_context(Readers(scope))
        starts = range(0, len(paths), READ_BATCH)
        futures = [read_batch.submit(paths[i : i + READ_BATCH], scope) for i in starts]
        with reading_progress(len(paths)) as advance:
            for future, first in zip(futures, starts, strict=True):
                intake.add(future.result())
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
    log, done = run_logger(), 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        line = f"已读取 {done}/{total} 个文件 / read {done} of {total} files"
        log.debug(line)  # for the Prefect UI; the plain line below is for cron mail and CI logs
        print(line, file=sys.stderr, flush=True)

    yield advance


def stack_night_rows(intake: Intake) -> pl.DataFrame:
    """The night's clean rows as one frame, stacked once for validation and loading (`form` numbers
    `intake.forms`; see core.forms.night_rows)."""
    return night_rows(intake.forms)


# --- validate --------------------------------------------------------------------------------------

@step()
def validate_forms(intake: Intake, rows: pl.DataFrame, con: duckdb.DuckDBPyConnection, registry: Registry,
                   checks: Checker, today: date) -> None:
    """Check the night's forms together against the suites: errors first (a locked period's among them),
    then the year-on-year warnings.

    `con` is the warehouse the figures in force are read from: a run's writer, or the published
    file a dry run looks at; `checks` is where the forms are checked (the night's `checks`).
    """
    forms = intake.forms
    if not any(f.readable for f in forms):
        return
    check_forms(forms, registry, checks, today, rows)
    check_totals(intake.total_checks, registry, checks)
    check_locks(forms, writer.locks_in_force(con), checks)
    check_formulas(forms, registry, checks, rows)
    priors = prefer_later(writer.figures_for(con, history_keys(forms)), same_night_figures(forms, rows))
    check_history(forms, priors, registry, checks, rows)
    check_cumulative(forms, writer.year_to_date_figures(con, year_keys(forms)), registry, checks, rows)


# --- load and build, in the run's transaction --------------------------------------------------------

@step()
def load_submissions(intake: Intake, rows: pl.DataFrame, run: Run) -> None:
    """Record every new form as a submission and load the figures of the accepted ones."""
    loaded_at = run.started_at if run.plan.wins_over_earlier_loads else None
    writer.load_submissions(run.con, intake.new_numbered, rows, run.id, loaded_at, replace=run.plan.rerun_known,
                            arrived=run.plan.from_inbox)
    fault_point("load")


@step()
def load_targets(run: Run) -> list[Problem]:
    """Replace the targets (the city's and its units') with what the targets/ folder holds now (files
    with errors keep theirs).

    A folder unchanged since it was last read is left alone, and what was wrong with it then is
    said again: a night with nothing new then never needs Great Expectations.
    """
    suites = [load_suite_definition(name) for name in ("targets", "target_breakdown")]
    seen = fingerprint(run.home.targets, repr(run.registry.indicators).encode(), repr(run.registry.units).encode(),
                       json.dumps(suites, sort_keys=True).encode())
    remembered = writer.targets_read(run.con, seen)
    if remembered is not None:
        return [Problem(**p) for p in remembered]
    targets = read_targets(run.home.targets, run.registry, run.checks)
    writer.replace_targets(run.con, targets.table, [f for f in targets.files if f not in targets.rejected_files])
    writer.remember_targets_read(run.con, seen, [p.as_dict() for p in targets.problems])
    return targets.problems


@step()
def build_figures(run: Run) -> None:
    """Rebuild the analysts' views: submissions, indicator values, city totals, coverage and when each period is due."""
    writer.load_registry(run.con, run.registry)
    writer.load_due_dates(run.con, run.calendar, run.started_at)
    build_models(run.con)


def commit_figures(intake: Intake, target_problems: list[Problem], run: Run) -> RunSummary:
    """Say what the run did, from the views just built, and commit it all in the run's one transaction."""
    summary = summarise(run.con, run.id, intake.new, intake.already_received, target_problems, run.figures_before,
                        run.started_at)
    run.commit(intake.counts(), summary)
    return summary


# --- file away, report, publish: after the commit, each can be done again -----------------------------

@step(retries=2, retry_delay_seconds=5)
def publish_warehouse(home: Home) -> None:
    """Replace the analysts' database whole with the writer's."""
    publish(home.writer, home.published)


@step(retries=2, retry_delay_seconds=5)
def file_away(intake: Intake, run: Run) -> None:
    """Archive originals with anything accepted under their SHA-256; quarantine the rest with reasons."""
    file_originals(run.home, intake.every_form, move=run.plan.move_originals)


@step()
def write_validation_docs(intake: Intake, run: Run) -> None:
    """Start the Great Expectations Data Docs of the night under reports/validation/<run>/.

    A page per suite over the whole night, and one per suite a file failed, for the first files
    with problems; the validation process writes them while the run files away and reports.
    """
    if not run.checks.checked_anything:
        return
    paged = [(i, f) for i, f in enumerate(intake.new) if f.problems][:DATA_DOCS_FILE_PAGES]
    # GX writes run names into its pages unescaped, and a file's name is the district's text
    names = {str(i): html.escape(f"{f.arrival.name} ({f.submission_id})") for i, f in paged}
    try:
        run.checks.write_docs(run.home.validation_pages / run.id, names)
    except Exception as exc:  # noqa: BLE001 - the night's data is committed and published; pages are extra
        run_logger().warning("校验报告页面未能生成 / Data Docs could not be written: %s", exc)


def validation_docs_written(run: Run) -> None:
    """Wait for the Data Docs, and list the runs' pages; a failure is said, not raised (pages are extra)."""
    if not run.checks.checked_anything:
        return
    try:
        run.checks.docs_written()
        write_runs_index(run.home.validation_pages)
    except Exception as exc:  # noqa: BLE001 - the night's data is committed and published; pages are extra
        run_logger().warning("校验报告页面未能生成 / Data Docs could not be written: %s", exc)


@step()
def write_reports(intake: Intake, run: Run) -> list[Path]:
    """The report of each year this run took figures for (and any a killed run left), as HTML and xlsx.

    Read from the writer's committed file, which the run publishes once it is done (publish_warehouse).
    """
    years = sorted({f.period.year for f in intake.every_form if not f.rejected and f.period} | run.unreported_years)
    if not years:
        return []
    written = []
    with duckdb.connect(str(run.home.writer), read_only=True) as con:
        if len(years) > 1:
            queries.hold_marts(con)  # read each view once, not once a year
        for year in years:
            month = queries.latest_month(con, year)
            if month is None:
                continue
            report = build_report(con, run.registry, year, month)
            for fmt in ("html", "xlsx"):
                written.append(write_report(report, fmt, run.home.report_path(year, month, fmt)))
    return written


@step(retries=2, retry_delay_seconds=5)
def mark_succeeded(run: Run) -> None:
    """Record the run as done, now that its files are filed away and its reports written."""
    with duckdb.connect(str(run.home.writer)) as con:
        writer.finish_run(con, run.id, "succeeded", utc_now(), run.counts)


def publish_figures(intake: Intake, run: Run) -> None:
    """File the originals away, write the pages and the reports, record the run as done, and publish
    the warehouse once, holding all of it.

    A run killed before its publish leaves the analysts' file as the last run published it; the
    next run marks this one interrupted (unless it was already marked succeeded) and publishes.
    """
    fault_point("filing")
    file_away(intake, run)
    write_validation_docs(intake, run)
    write_reports(intake, run)
    validation_docs_written(run)
    mark_succeeded(run)
    publish_warehouse(run.home)
    for line in run.summary.text().splitlines():
        run_logger().info(line)
    artifact(f"redcross-{run.plan.kind}-summary", run.summary.markdown(),
             "接收、退回及原因、缺报、变动的数字 / accepted, rejected and why, missing, changes")
