"""The writer's own database: its raw tables, the runs' rows, and loading what a run accepted.

The writer never opens the analysts' file. A run loads into `redcross-writer.duckdb` inside one
transaction (a crash rolls it back); `warehouse.publish` then puts a copy where analysts read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb
import polars as pl

from redcross.core.calendar import Calendar
from redcross.core.forms import YEAR_TO_DATE_SCHEMA, Form, rows_of
from redcross.core.locks import Lock
from redcross.core.registry import Registry
from redcross.warehouse.models import build_models
from redcross.warehouse.sql import statement

MESSAGE_FIELDS = ("rule", "severity", "sheet", "cell", "indicator", "value", "expected", "message_zh", "message_en")
SUBMISSIONS_SCHEMA = {
    "submission_id": pl.String, "sha256": pl.String, "file_name": pl.String, "sheet": pl.String,
    "unit_code": pl.String, "year": pl.Int32, "month": pl.Int32, "received_at": pl.Datetime("us"),
    "arrived_at": pl.Datetime("us"), "precedence": pl.Datetime("us"), "outcome": pl.String, "run_id": pl.String,
    "messages": pl.List(pl.Struct({k: pl.String for k in MESSAGE_FIELDS})),
}
# what a message's struct has no field for, per message (raw.message_notes): a warehouse made before keeps its struct
NOTES_SCHEMA = {"submission_id": pl.String, "message_no": pl.Int32, "indicator_code": pl.String, "remark": pl.String}


def open_writer(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the writer's database with its raw tables and models in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    create_raw_tables(con)
    build_models(con)  # so a first run can already look up figures a year earlier (there are none)
    return con


def empty_warehouse() -> duckdb.DuckDBPyConnection:
    """A warehouse in memory with the raw tables and models and nothing in them: what a home that
    has published nothing yet holds (no files received, no figures in force)."""
    con = duckdb.connect()
    create_raw_tables(con)
    build_models(con)
    return con


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    for script in sorted(resources.files(__package__).joinpath("raw").iterdir(), key=lambda p: p.name):
        if script.name.endswith(".sql"):
            con.execute(script.read_text("utf-8"))


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, kind: str, started_at: datetime) -> set[int]:
    """Record the run before anything else, and mark runs that died without finishing.

    Returns the years of the figures that a run killed after its commit had taken in: their
    reports were perhaps never written.
    """
    (years,) = con.execute(statement("publishing_years")).fetchone()
    con.execute(statement("mark_interrupted"))
    con.execute(statement("insert_run"), {"run_id": run_id, "kind": kind, "started_at": started_at})
    return set(years)


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, finished_at: datetime | None,
               counts: dict[str, int]) -> None:
    con.execute(statement("finish_run"), {
        "run_id": run_id, "status": status, "finished_at": finished_at,
        **{key: counts.get(key, 0) for key in ("seen", "accepted", "rejected")},
    })


def load_registry(con: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    """Replace the units and indicators tables with the registry in force."""
    con.execute(statement("delete_units"))
    con.executemany(statement("insert_unit"), [[u.code, u.name, u.kind, u.admin_code] for u in registry.units])
    con.execute(statement("delete_indicators"))
    con.executemany(statement("insert_indicator"), [
        [i.code, i.name, i.stored_unit, i.shown_unit, i.kind, n] for n, i in enumerate(registry.indicators)])


def load_due_dates(con: duckdb.DuckDBPyConnection, calendar: Calendar, as_of: datetime) -> None:
    """Replace the due dates with the calendar's, for every month of each year the warehouse holds forms for."""
    years = [y for (y,) in con.execute(statement("years_received")).fetchall()]
    con.execute(statement("delete_due_dates"))
    if years:
        con.executemany(statement("insert_due_date"), [
            [y, m, calendar.due_date(y, m), calendar.due_at(y, m), calendar.expected(y, m, as_of), as_of]
            for y in years for m in range(1, 13)])


def known_files(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """SHA-256 -> outcome of every file already received, but a file rejected only because its period
    was locked, now open again: it counts as new when it comes back."""
    if not _keeps_locks(con):  # a warehouse published before locks were kept (a dry run reads it)
        return dict(con.execute(statement("known_files_before_locks")).fetchall())
    con.execute(statement("reopened_rejections"))
    return dict(con.execute(statement("known_files")).fetchall())


def city_figures(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, int, str], object]:
    """(year, month, indicator) -> city total, to say afterwards which figures a run changed."""
    return {(y, m, i): t for y, m, i, t in con.execute(statement("city_figures")).fetchall()}


def figures_for(con: duckdb.DuckDBPyConnection, periods: set[tuple[str, int, int]]) -> pl.DataFrame:
    """unit_code, year, month, indicator_code and the value in force, for the given units and periods."""
    wanted = pl.DataFrame(sorted(periods), schema={"unit_code": pl.String, "year": pl.Int32, "month": pl.Int32},
                          orient="row")
    con.register("wanted_periods", wanted)
    rows = con.sql(statement("figures_for")).pl()
    con.unregister("wanted_periods")
    return rows


def year_to_date_figures(con: duckdb.DuckDBPyConnection, unit_years: set[tuple[str, int]]) -> pl.DataFrame:
    """The figures in force for the given units and years, every period (YEAR_TO_DATE_SCHEMA): each
    with the file_name, sheet and cell it came from."""
    wanted = pl.DataFrame(sorted(unit_years), schema={"unit_code": pl.String, "year": pl.Int32}, orient="row")
    with _registered(con, "wanted_years", wanted):
        return con.sql(statement("year_to_date_figures")).pl().cast(YEAR_TO_DATE_SCHEMA)


def load_submissions(con: duckdb.DuckDBPyConnection, forms: list[tuple[int, Form]], rows: pl.DataFrame, run_id: str,
                     loaded_at: datetime | None, replace: bool = False, arrived: bool = True) -> None:
    """Record every form as a submission and load the figures of the accepted ones.

    `rows` are the night's rows, stacked once (`core.forms.night_rows`); each form comes with the
    number its rows carry there. `loaded_at` (a backfill from a folder) makes the forms win over
    earlier loads for their unit and period; `replace` (a backfill re-reading the archive) reads
    known submissions anew: see `insert_submissions`. Without `arrived` (a backfill: its files never
    landed in the inbox) the new submissions have no arrival time.
    """
    values = _values_table([(i, f) for i, f in forms if not f.rejected], rows)
    every = [f for _, f in forms]
    insert_submissions(con, _submissions_table(every, run_id, loaded_at, arrived), values, replace, _notes_table(every))


def insert_submissions(
    con: duckdb.DuckDBPyConnection, submissions: pl.DataFrame, values: pl.DataFrame, replace: bool = False,
    notes: pl.DataFrame | None = None,
) -> None:
    """Add submissions (the figures of the accepted ones, and the notes on their messages); a known
    submission is left as it is.

    With `replace` known submissions are read anew: their figures, outcome, messages and notes
    replaced; the name they arrived under, when they landed and their place in the order of precedence
    kept (the archive holds them under their SHA-256). The data manager's reviews are never touched: they
    hold for the submission, whichever run reads it.
    """
    if replace and not submissions.is_empty():
        with _registered(con, "rerun_submissions", submissions.select("submission_id", "file_name", "precedence", "arrived_at")):
            con.execute(statement("keep_rerun_submissions"))
        con.execute(statement("delete_kept_values"))
        con.execute(statement("delete_kept_notes"))
        con.execute(statement("delete_kept_submissions"))
        submissions = submissions.drop("file_name", "precedence", "arrived_at").join(
            con.sql(statement("kept_submissions")).pl(), on="submission_id")
    if not replace and not submissions.is_empty():  # a file rejected only for a lock, back after the unlock
        con.execute(statement("reopened_rejections"))
        with _registered(con, "incoming_submissions", submissions):
            con.execute(statement("forget_reopened_notes"))
            con.execute(statement("forget_reopened_submissions"))
    if notes is not None and not notes.is_empty():  # before the submissions: only a new submission's notes go in
        with _registered(con, "incoming_notes", notes):
            con.execute(statement("insert_notes"))
    if not submissions.is_empty():
        with _registered(con, "incoming_submissions", submissions):
            con.execute(statement("insert_submissions"))
    if not values.is_empty():
        with _registered(con, "incoming_values", values):
            con.execute(statement("insert_values"))


def replace_targets(con: duckdb.DuckDBPyConnection, targets: pl.DataFrame, source_files: list[str]) -> None:
    """Replace the targets (the city's and its units') that came from these files with what they hold now."""
    con.execute(statement("delete_targets_of"), {"files": source_files})
    con.execute(statement("delete_unit_targets_of"), {"files": source_files})
    if not targets.is_empty():
        with _registered(con, "incoming_targets", targets):
            con.execute(statement("insert_targets"))
            con.execute(statement("insert_unit_targets"))


def targets_read(con: duckdb.DuckDBPyConnection, fingerprint: str) -> list[dict] | None:
    """The problems found when the targets folder was last read, if it held what it holds now."""
    row = con.execute(statement("targets_read"), [fingerprint]).fetchone()
    return json.loads(row[0]) if row else None


def remember_targets_read(con: duckdb.DuckDBPyConnection, fingerprint: str, problems: list[dict]) -> None:
    con.execute(statement("forget_targets_read"))
    con.execute(statement("remember_targets_read"), [fingerprint, json.dumps(problems, ensure_ascii=False)])


@dataclass(frozen=True)
class Review:
    """The data manager's decision on one warning: confirmed (the figure stands) or queried (the unit
    was asked to correct it), for the unit's submission in force for the period."""

    unit_code: str
    year: int
    month: int
    indicator_code: str
    rule: str
    decision: str  # confirmed or queried
    note: str


def record_review(con: duckdb.DuckDBPyConnection, review: Review, reviewed_at: datetime) -> str | None:
    """Record the decision on the warning in force it names; its submission's id, or None when the
    submission in force for the unit and period has no such warning (nothing is recorded)."""
    where = {"unit_code": review.unit_code, "year": review.year, "month": review.month,
             "indicator_code": review.indicator_code, "rule": review.rule}
    found = con.execute(statement("issue_in_force"), where).fetchone()
    if found is None:
        return None
    con.execute(statement("insert_review"), {
        "submission_id": found[0], "indicator_code": review.indicator_code, "rule": review.rule,
        "decision": review.decision, "note": review.note, "reviewed_at": reviewed_at,
    })
    return found[0]


def issues_of_period(con: duckdb.DuckDBPyConnection, unit_code: str, year: int, month: int) -> list[tuple[str, str]]:
    """(indicator_code, rule) of each warning in force for the unit and period."""
    where = {"unit_code": unit_code, "year": year, "month": month}
    return con.execute(statement("issues_of_period"), where).fetchall()


def lock_in_force(con: duckdb.DuckDBPyConnection, year: int, month: int | None) -> Lock | None:
    """The lock in force on exactly this period (no month: the year's own lock), if there is one."""
    found = con.execute(statement("lock_in_force"), {"year": year, "month": month}).fetchone()
    return None if found is None else Lock(year, month, found[1])


def insert_lock(con: duckdb.DuckDBPyConnection, lock: Lock, locked_at: datetime) -> None:
    con.execute(statement("insert_lock"), {"year": lock.year, "month": lock.month, "locked_at": locked_at,
                                           "reason": lock.reason})


def unlock(con: duckdb.DuckDBPyConnection, year: int, month: int | None, reason: str, unlocked_at: datetime) -> None:
    """Open the period again: its lock in force gains the time and the reason."""
    con.execute(statement("unlock"), {"year": year, "month": month, "reason": reason, "unlocked_at": unlocked_at})


def locks_in_force(con: duckdb.DuckDBPyConnection) -> list[Lock]:
    """Every lock in force, by year and month (a year's own lock first)."""
    if not _keeps_locks(con):
        return []
    return [Lock(*row) for row in con.execute(statement("locks_in_force")).fetchall()]


def locks_signature(con: duckdb.DuckDBPyConnection) -> tuple:
    """What the locks are, in short: two warehouses with the same have the same locks."""
    return con.execute(statement("locks_signature")).fetchone() if _keeps_locks(con) else (0, None, None)


def _keeps_locks(con: duckdb.DuckDBPyConnection) -> bool:
    """A warehouse published before locks were kept has no raw.locks until its next run."""
    return con.execute(statement("keeps_locks")).fetchone()[0] > 0


class _registered:
    """A frame visible to SQL under `name` for the block."""

    def __init__(self, con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
        self.con, self.name, self.frame = con, name, frame

    def __enter__(self) -> None:
        self.con.register(self.name, self.frame)

    def __exit__(self, *_) -> None:
        self.con.unregister(self.name)


def _submissions_table(forms: list[Form], run_id: str, loaded_at: datetime | None, arrived: bool) -> pl.DataFrame:
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
            "arrived_at": f.arrival.landed_at if arrived else None,
            "precedence": max(f.arrival.received_at, loaded_at) if loaded_at else f.arrival.received_at,
            "outcome": "rejected" if f.rejected else "accepted",
            "run_id": run_id,
            "messages": [{k: getattr(p, k) for k in MESSAGE_FIELDS} for p in f.problems],
        }
        for f in forms
    ]
    return pl.DataFrame(rows, schema=SUBMISSIONS_SCHEMA)


def _notes_table(forms: list[Form]) -> pl.DataFrame:
    """Per message that concerns an indicator of the registry or carries a remark: its place among its
    submission's messages (from 1, as raw.submissions.messages lists them), the indicator's code and the remark."""
    rows = [
        {"submission_id": f.submission_id, "message_no": n, "indicator_code": p.indicator_code, "remark": p.remark}
        for f in forms
        for n, p in enumerate(f.problems, start=1)
        if p.indicator_code or p.remark
    ]
    return pl.DataFrame(rows, schema=NOTES_SCHEMA)


def _values_table(forms: list[tuple[int, Form]], rows: pl.DataFrame) -> pl.DataFrame:
    """The accepted forms' figures, one row per submission and indicator, with the cell each came from."""
    numbered = [(i, f) for i, f in forms if f.rows_at is not None]
    if not numbered:
        return pl.DataFrame()
    submissions = pl.DataFrame(
        {"form": [i for i, _ in numbered], "submission_id": [f.submission_id for _, f in numbered],
         "sheet": [f.sheet for _, f in numbered]},
        schema={"form": pl.Int64, "submission_id": pl.String, "sheet": pl.String},
    )
    return (
        rows_of(rows, [i for i, _ in numbered])
        .filter(pl.col("indicator_code").is_not_null())
        .join(submissions, on="form")
        .select("submission_id", "indicator_code", "value", "prior_value", "sheet", pl.col("value_cell").alias("cell"),
                "remark")
    )
