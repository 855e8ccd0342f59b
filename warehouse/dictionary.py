"""The analysts' data dictionary, read back from the COMMENTs in a warehouse."""

from __future__ import annotations

import duckdb

from redcross.warehouse.models import MARTS
from redcross.warehouse.queries import view_columns, view_comment


def data_dictionary(con: duckdb.DuckDBPyConnection) -> str:
    """Markdown: per view, its comment, then each column with its type and comment."""
    lines = []
    for view in MARTS:
        comment, columns = view_comment(con, "main", view), view_columns(con, "main", view)
        lines += [f"### `{view}`", "", comment, "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{name}` | {kind.split('(')[0] if kind.startswith('STRUCT') else kind} | {text} |"
                  for name, kind, text in columns]
        lines.append("")
    return "\n".join(lines)


def fresh_dictionary() -> str:
    """The dictionary of an empty warehouse built from this checkout's SQL and docs."""
    from redcross.warehouse.models import build_models
    from redcross.warehouse.writer import create_raw_tables

    con = duckdb.connect(":memory:")
    create_raw_tables(con)
    build_models(con)
    return data_dictionary(con)
