"""The nightly run: what landed in the inbox is read, cleaned, checked, loaded, built and published.

    extract -> clean -> validate -> load -> build -> publish -> file away

Everything between `begin_run` and `publish` happens in one transaction on the writer's own
database, so a failure at any step leaves the warehouse (and the inbox) as they were.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
from filelock import FileLock
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from expectations.suites import SuiteRunner, write_data_docs, write_runs_index
from redcross.home import Home, archive_original, quarantine_original
from redcross.intake import Form, check_forms, check_history, history_keys, read_form, same_night_figures
from redcross.registry import Registry, load_registry
from redcross.summary import RunSummary, summarise
from redcross.targets import read_targets
from warehouse import store

LOCK_WAIT_SECONDS = 6 * 3600


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@task(retries=2, retry_delay_seconds=5, cache_policy=NONE)
def take_inbox(home: Home) -> list[Path]:
    """List the files waiting in the inbox."""
    return home.arrivals()


@task(cache_policy=NONE)
def read_forms(paths: list[Path], registry: Registry, known: dict[str, str]) -> tuple[list[Form], list[Form]]:
    """Read and clean every new file; files whose bytes were seen before are only filed away again."""
    new, repeats = [], []
    for path in paths:
        form = read_form(path, registry)
        (repeats if form.arrival.sha256 in known else new).append(form)
    return new, repeats


@task(cache_policy=NONE)
def validate_forms(con, forms: list[Form], registry: Registry, today: date) -> SuiteRunner | None:
    """Check the night's forms together against the suites: errors first, then the year-on-year warnings."""
    if not any(f.layout is not None for f in forms):
        return None
    runner = SuiteRunner()
    check_forms(forms, registry, runner, today)
    priors = store.figures_for(con, history_keys(forms)) | same_night_figures(forms)
    check_history(forms, priors, registry, runner)
    return runner


@task(cache_policy=NONE)
def write_validation_docs(runner: SuiteRunner | None, home: Home, forms: list[Form], run_id: str) -> None:
    """Great Expectations Data Docs under reports/validation/<run>/, a page per file and suite."""
    if runner is None:
        return
    names = {str(i): f"{f.arrival.name} ({f.arrival.submission_id})" for i, f in enumerate(forms)}
    try:
        write_data_docs(runner, home.reports / "validation" / run_id, names)
        write_runs_index(home.reports / "validation")
    except Exception as exc:  # the night's data is committed and published; the pages are a courtesy
        get_run_logger().warning("校验报告页面未能生成 / Data Docs could not be written: %s", exc)


@task(cache_policy=NONE)
def load_submissions(con, forms: list[Form], run_id: str) -> None:
    """Record every new file as a submission and load the figures of the accepted ones."""
    store.insert_submissions(con, _submissions_table(forms, run_id), _values_table([f for f in forms if not f.rejected]))


@task(cache_policy=NONE)
def load_targets(con, home: Home, registry: Registry):
    """Replace the province's targets with what the targets/ folder holds now."""
    targets = read_targets(home.targets, registry)
    store.replace_targets(con, targets.table, [f for f in targets.files if f not in {p.file for p in targets.problems}])
    return targets.problems


@task(cache_policy=NONE)
def build_figures(con, registry: Registry) -> None:
    """Rebuild the analysts' views: submissions, indicator values, city totals."""
    store.load_registry(con, registry)
    store.build_models(con)


@task(retries=2, retry_delay_seconds=5, cache_policy=NONE)
def publish_warehouse(home: Home) -> None:
    """Replace the analysts' database whole with the writer's."""
    store.publish(home.writer, home.published)


@task(retries=2, retry_delay_seconds=5, cache_policy=NONE)
def file_away(home: Home, forms: list[Form]) -> None:
    """Archive accepted originals under their SHA-256; quarantine rejected ones with their reasons."""
    for form in forms:
        if not form.arrival.path.exists():
            continue
        if form.rejected:
            quarantine_original(home, form.arrival.path, form.arrival.submission_id, form.problems)
        else:
            archive_original(home, form.arrival.path, form.arrival.sha256)


@flow(name="nightly", log_prints=False)
def nightly(home: str | None = None, today: date | None = None) -> RunSummary:
    """Take in whatever landed in the inbox and republish the warehouse."""
    return run_pipeline(Home.resolve(home), "nightly", today or date.today())


def run_pipeline(home: Home, kind: str, today: date) -> RunSummary:
    log = get_run_logger()
    registry = load_registry()
    run_id = f"{kind}-{_now():%Y%m%dT%H%M%S%f}"
    with FileLock(home.lock, timeout=LOCK_WAIT_SECONDS):
        con = store.open_writer(home.writer)
        try:
            store.start_run(con, run_id, kind, _now())
            before = _city_figures(con)
            con.begin()
            paths = take_inbox(home)
            log.info("收件箱有 %d 个文件 / %d files in the inbox", len(paths), len(paths))
            new, repeats = read_forms(paths, registry, store.known_files(con))
            runner = validate_forms(con, new, registry, today)
            load_submissions(con, new, run_id)
            target_problems = load_targets(con, home, registry)
            build_figures(con, registry)
            counts = {"seen": len(paths), "accepted": sum(not f.rejected for f in new),
                      "rejected": sum(f.rejected for f in new)}
            store.finish_run(con, run_id, "succeeded", _now(), counts)
            con.commit()
            summary = summarise(con, run_id, new, repeats, target_problems, before)
        except BaseException:
            con.rollback()
            store.finish_run(con, run_id, "failed", _now(), {})
            con.close()
            raise
        con.close()
        publish_warehouse(home)
        file_away(home, new + repeats)
        write_validation_docs(runner, home, new, run_id)
    for line in summary.text().splitlines():
        log.info(line)
    return summary


def _city_figures(con) -> dict:
    if "city_totals" not in {r[0] for r in con.execute("select view_name from duckdb_views()").fetchall()}:
        return {}
    rows = con.execute("select year, month, indicator_code, total from city_totals").fetchall()
    return {(y, m, i): t for y, m, i, t in rows}


def _submissions_table(forms: list[Form], run_id: str) -> pl.DataFrame:
    rows = [
        {
            "submission_id": f.arrival.submission_id,
            "sha256": f.arrival.sha256,
            "file_name": f.arrival.name,
            "sheet": f.sheet,
            "unit_code": f.unit_code,
            "year": f.period.year if f.period else None,
            "month": f.period.month if f.period else None,
            "received_at": f.arrival.received_at,
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
              "outcome": pl.String, "run_id": pl.String, "messages": pl.List(message)}
    return pl.DataFrame(rows, schema=schema)


def _values_table(forms: list[Form]) -> pl.DataFrame:
    frames = [
        f.rows.filter(pl.col("indicator_code").is_not_null()).select(
            pl.lit(f.arrival.submission_id).alias("submission_id"),
            "indicator_code",
            "value",
            "prior_value",
            pl.lit(f.sheet).alias("sheet"),
            pl.col("value_cell").alias("cell"),
        )
        for f in forms
    ]
    return pl.concat(frames) if frames else pl.DataFrame()
