"""The analysts' data dictionary, read back from the COMMENTs in a warehouse."""

from __future__ import annotations

import duckdb

from warehouse.store import MODELS


def data_dictionary(con: duckdb.DuckDBPyConnection) -> str:
    """Markdown: per view, its comment, then each column with its type and comment."""
    lines = []
    for view in MODELS:
        (comment,) = con.execute("select comment from duckdb_views() where view_name = ?", [view]).fetchone()
        columns = con.execute(
            """select column_name, data_type, comment from duckdb_columns()
               where table_name = ? and schema_name = 'main' order by column_index""",
            [view],
        ).fetchall()
        lines += [f"### `{view}`", "", comment, "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{name}` | {kind.split('(')[0] if kind.startswith('STRUCT') else kind} | {text} |"
                  for name, kind, text in columns]
        lines.append("")
    return "\n".join(lines)


def fresh_dictionary() -> str:
    """The dictionary of an empty warehouse built from this checkout's SQL and docs."""
    from warehouse.store import build_models, create_raw_tables

    con = duckdb.connect(":memory:")
    create_raw_tables(con)
    build_models(con)
    return data_dictionary(con)
