"""The models over the raw tables: staging views (renamed and cast, nothing more) and the marts
analysts query, each with its COMMENTs from docs.toml, in the way dbt's persist_docs writes them."""

from __future__ import annotations

import tomllib

import duckdb

from redcross.warehouse.queries import view_columns
from redcross.warehouse.sql import text

STAGING = ("units", "indicators", "submissions", "form_values", "message_notes", "reviews", "targets", "unit_targets",
           "runs", "due_dates", "locks")
MARTS = ("units", "indicators", "submissions", "indicator_values", "city_totals", "unit_progress", "revisions", "coverage",
         "reporting_rates", "data_issues", "runs", "locks")


def build_models(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the staging views in schema `staging` and the marts in `main`, with their comments."""
    docs = tomllib.loads(text("docs.toml"))
    con.execute(text("macros.sql"))
    con.execute("create schema if not exists staging")
    for name in STAGING:
        _view(con, f"staging.{name}", text("staging", f"{name}.sql"), docs["staging"][name]["comment"],
              _staging_columns(docs, name))
    for name in MARTS:
        _view(con, name, text("marts", f"{name}.sql"), docs[name]["comment"], docs[name]["columns"])


def _staging_columns(docs: dict, name: str) -> dict[str, str]:
    """A staging column means what the marts' column of that name means, unless docs.toml says more."""
    meanings: dict[str, str] = {}
    for mart in (m for m in (name, *MARTS) if m in MARTS):
        meanings = docs[mart]["columns"] | meanings
    return meanings | docs["staging"][name].get("columns", {})


def _view(con: duckdb.DuckDBPyConnection, name: str, select: str, comment: str, columns: dict[str, str]) -> None:
    con.execute(f"create or replace view {name} as\n{select}")
    con.execute(f"comment on view {name} is {_literal(comment)}")
    schema, _, view = name.rpartition(".")
    present = {column for column, _, _ in view_columns(con, schema or "main", view)}
    for column, meaning in columns.items():
        if column in present:
            con.execute(f"comment on column {name}.{column} is {_literal(meaning)}")


def _literal(text_: str) -> str:
    # COMMENT ON takes no parameters; these texts are the project's own docs, never input.
    return "'" + text_.replace("'", "''") + "'"
