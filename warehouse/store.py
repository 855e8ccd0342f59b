"""The DuckDB warehouse: the writer's own file, its raw tables, the analysts' views, publishing.

The writer never opens the analysts' file. It loads into `writer.duckdb` inside one
transaction (a crash rolls it back), then copies the closed file over the published one with an
atomic rename, so a reader holding the old file open keeps a whole snapshot and new readers
get the new one whole.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb
import polars as pl

from redcross.home import written_whole
from redcross.registry import Registry

MODELS = ("units", "indicators", "submissions", "indicator_values", "city_totals", "runs")


def _sql(*parts: str) -> str:
    return resources.files(__package__).joinpath(*parts).read_text("utf-8")


def open_writer(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the writer's database with its raw tables in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    create_raw_tables(con)
    build_models(con)  # so a first run can already look up figures a year earlier (there are none)
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
    (years,) = con.execute(
        """select coalesce(list(distinct s.year) filter (where s.year is not null), [])
           from raw.submissions s join raw.runs r using (run_id) where r.status = 'publishing'"""
    ).fetchone()
    con.execute("update raw.runs set status = 'interrupted' where status in ('running', 'publishing')")
    con.execute(
        "insert into raw.runs (run_id, kind, started_at, status) values (?, ?, ?, 'running')",
        [run_id, kind, started_at],
    )
    return set(years)


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, status: str, finished_at: datetime | None, counts: dict[str, int]
) -> None:
    con.execute(
        """update raw.runs
           set status = ?, finished_at = ?, files_seen = ?, files_accepted = ?, files_rejected = ?
           where run_id = ?""",
        [status, finished_at, counts.get("seen", 0), counts.get("accepted", 0), counts.get("rejected", 0), run_id],
    )


def load_registry(con: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    """Replace the units and indicators tables with the registry in force."""
    con.execute("delete from raw.units")
    con.executemany(
        "insert into raw.units values (?, ?, ?, ?)",
        [[u.code, u.name, u.kind, u.admin_code] for u in registry.units],
    )
    con.execute("delete from raw.indicators")
    con.executemany(
        "insert into raw.indicators values (?, ?, ?, ?, ?, ?)",
        [[i.code, i.name, i.stored_unit, i.shown_unit, i.kind, n] for n, i in enumerate(registry.indicators)],
    )


def known_files(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """SHA-256 -> outcome of every file already received."""
    return dict(con.execute("select sha256, min(outcome) from raw.submissions group by sha256").fetchall())


def figures_for(con: duckdb.DuckDBPyConnection, periods: set[tuple[str, int, int]]) -> pl.DataFrame:
    """unit_code, year, month, indicator_code and the value in force, for the given units and periods."""
    wanted = pl.DataFrame(sorted(periods), schema={"unit_code": pl.String, "year": pl.Int32, "month": pl.Int32},
                          orient="row")
    con.register("wanted_periods", wanted)
    rows = con.sql(
        """select v.unit_code, v.year, v.month, v.indicator_code, v.value
           from indicator_values v join wanted_periods w using (unit_code, year, month)"""
    ).pl()
    con.unregister("wanted_periods")
    return rows


def insert_submissions(
    con: duckdb.DuckDBPyConnection, submissions: pl.DataFrame, values: pl.DataFrame, replace: bool = False
) -> None:
    """Add submissions (and the figures of the accepted ones); a known submission is left as it is.

    With `replace` (a backfill re-reading the archive) known submissions are read anew: their
    figures, outcome and messages replaced; the name they arrived under and their place in the
    order of precedence kept (the archive holds them under their SHA-256).
    """
    if replace and not submissions.is_empty():
        con.register("rerun_submissions", submissions.select("submission_id", "file_name", "precedence"))
        con.execute(
            """create or replace temp table kept as
               select r.submission_id,
                      coalesce(s.file_name, r.file_name) as file_name,
                      coalesce(s.precedence, r.precedence) as precedence
               from rerun_submissions r left join raw.submissions s using (submission_id)"""
        )
        con.unregister("rerun_submissions")
        con.execute("delete from raw.form_values where submission_id in (select submission_id from kept)")
        con.execute("delete from raw.submissions where submission_id in (select submission_id from kept)")
        submissions = submissions.drop("file_name", "precedence").join(
            con.sql("select * from kept").pl(), on="submission_id"
        )
    if not submissions.is_empty():
        con.register("incoming_submissions", submissions)
        con.execute(
            """insert into raw.submissions by name
               select * from incoming_submissions
               where submission_id not in (select submission_id from raw.submissions)"""
        )
        con.unregister("incoming_submissions")
    if not values.is_empty():
        con.register("incoming_values", values)
        con.execute(
            """insert into raw.form_values by name
               select * from incoming_values
               where submission_id not in (select distinct submission_id from raw.form_values)"""
        )
        con.unregister("incoming_values")


def replace_targets(con: duckdb.DuckDBPyConnection, targets: pl.DataFrame, source_files: list[str]) -> None:
    """Replace the targets that came from these files with what they hold now."""
    con.execute("delete from raw.targets where list_contains(?, source_file)", [source_files])
    if not targets.is_empty():
        con.register("incoming_targets", targets)
        con.execute("insert into raw.targets by name select * from incoming_targets")
        con.unregister("incoming_targets")


def targets_read(con: duckdb.DuckDBPyConnection, fingerprint: str) -> list[dict] | None:
    """The problems found when the targets folder was last read, if it held what it holds now."""
    row = con.execute("select problems from raw.targets_read where fingerprint = ?", [fingerprint]).fetchone()
    return json.loads(row[0]) if row else None


def remember_targets_read(con: duckdb.DuckDBPyConnection, fingerprint: str, problems: list[dict]) -> None:
    con.execute("delete from raw.targets_read")
    con.execute("insert into raw.targets_read values (?, ?)", [fingerprint, json.dumps(problems, ensure_ascii=False)])


def build_models(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the analysts' views, each with its COMMENTs from docs.toml."""
    docs = tomllib.loads(_sql("docs.toml"))
    for name in MODELS:
        con.execute(f"create or replace view {name} as\n{_sql('models', name + '.sql')}")
        con.execute(f"comment on view {name} is {_literal(docs[name]['comment'])}")
        for column, text in docs[name]["columns"].items():
            con.execute(f"comment on column {name}.{column} is {_literal(text)}")


def _literal(text: str) -> str:
    # COMMENT ON takes no parameters; these texts are the project's own docs, never input.
    return "'" + text.replace("'", "''") + "'"


def publish(writer: Path, published: Path) -> None:
    """Replace the analysts' file whole with a copy of the (closed) writer's file."""
    with written_whole(published) as staging:
        shutil.copyfile(writer, staging)
