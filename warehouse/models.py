"""The models over the raw tables: staging views (renamed and cast, nothing more) and the marts
analysts query, each with its COMMENTs from docs.toml, in the way dbt's persist_docs writes them."""

from __future__ import annotations

import re
import tomllib
from graphlib import TopologicalSorter

import duckdb

from redcross.warehouse.queries import view_columns
from redcross.warehouse.sql import text

STAGING = ("units", "indicators", "submissions", "form_values", "message_notes", "reviews", "targets", "unit_targets",
           "runs", "due_dates", "locks")
# The marts in the order the data dictionary lists them; they are built in the order their SQL
# needs (`build_order`): each after the marts it reads.
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
    sql = {name: text("marts", f"{name}.sql") for name in MARTS}
    for name in build_order(sql):
        _view(con, name, sql[name], docs[name]["comment"], docs[name]["columns"])


def marts_read(select: str, marts: set[str]) -> set[str]:
    """The marts a view's SQL reads: the names after `from` or `join` that are marts (a mart is read by
    its bare name; staging views and raw tables have a schema in front, CTEs are not marts)."""
    named = re.findall(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)\b(?!\.)", re.sub(r"--[^\n]*", "", select), re.IGNORECASE)
    return {name for name in named if name in marts}


def build_order(sql: dict[str, str]) -> list[str]:
    """The marts, each after those it reads (ties in the order given); a cycle is an error."""
    graph = {name: marts_read(select, set(sql)) - {name} for name, select in sql.items()}
    order: list[str] = []
    sorter = TopologicalSorter(graph)
    sorter.prepare()
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=list(sql).index)
        order += ready
        sorter.done(*ready)
    return order


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
