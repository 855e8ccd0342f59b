"""The analysts' tools: the published warehouse opens read-only in DuckDB 1.1 (the oldest docs/analyst.md
names) and in the DuckDB CLI as pip packages it, each installed by uv in a throwaway environment from
the package registry, and every view answers the same rows there as in the DuckDB this project writes with.

Rows are compared as one fingerprint per view: the row count and an MD5 over the sorted rows, each
value cast to text, computed by each client itself.
"""

import json
import subprocess
import sys

import duckdb
import pytest

from redcross.read.home import Home

OLD_PYTHON = "duckdb==1.1.3"
CLI = "duckdb-cli"  # the newest the registry has (its DuckDB is older than ours)
VIEWS_QUERY = ("select schema_name, view_name from duckdb_views() where not internal and database_name = current_database() "
               "order by all")


def fingerprint_sql(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(view, SQL of its fingerprint) for every view of the warehouse; names come from its own catalog."""
    out = []
    for schema, view in con.execute(VIEWS_QUERY).fetchall():
        columns = con.execute("select column_name, data_type from duckdb_columns() where schema_name = ? and table_name = ? "
                              "order by column_index", [schema, view]).fetchall()
        row = ", ".join(f"coalesce({_as_text(c, kind)}, '<null>')" for c, kind in columns)
        # identifiers from the warehouse's own catalog, not input: a view cannot be a parameter
        sql = (f"select '{schema}.{view}', count(*), md5(coalesce(string_agg(r, chr(10) order by r), '')) "
               f"from (select concat_ws('|', {row}) as r from \"{schema}\".\"{view}\")")
        out.append((f"{schema}.{view}", sql))
    return out


def _as_text(column: str, kind: str) -> str:
    """A value as text the same way in every client: nested values (submissions.messages) as JSON, since
    DuckDB's cast of a struct to text quotes and escapes its strings differently from version to version
    (1.1 writes year's, 2.0 'year\\'s') while the values are the same."""
    if kind.startswith(("STRUCT", "MAP")) or kind.endswith("]"):
        return f"cast(to_json(\"{column}\") as varchar)"
    return f"cast(\"{column}\" as varchar)"


@pytest.fixture(scope="module")
def warehouse(sample_night):
    home, _ = sample_night
    path = Home(home).published
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("set timezone = 'UTC'")
        queries = fingerprint_sql(con)
        ours = {name: con.execute(sql).fetchone()[1:] for name, sql in queries}
    assert len(ours) >= 9 and ours["main.city_totals"][0] > 0
    return path, queries, ours


def parse(lines: str) -> dict[str, tuple]:
    found = {}
    for line in lines.strip().splitlines():
        name, count, digest = line.split(",")
        found[name] = (int(count), digest)
    return found


def test_the_duckdb_python_package_1_1_reads_every_view_alike(warehouse):
    path, queries, ours = warehouse
    script = (
        "import duckdb, sys, json\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "con.execute(\"set timezone = 'UTC'\")\n"
        "print(duckdb.__version__, file=sys.stderr)\n"
        "for sql in json.loads(sys.stdin.read()):\n"
        "    print(','.join(str(v) for v in con.execute(sql).fetchone()))\n"
    )
    result = subprocess.run(["uv", "run", "--isolated", "--no-project", "--with", OLD_PYTHON, "python", "-c", script, str(path)],
                            input=json.dumps([sql for _, sql in queries]), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "1.1.3" in result.stderr
    assert parse(result.stdout) == ours


def test_the_duckdb_cli_from_pip_reads_every_view_alike(warehouse, tmp_path):
    path, queries, ours = warehouse
    script = tmp_path / "fingerprints.sql"
    script.write_text("set timezone = 'UTC';\n" + ";\n".join(sql for _, sql in queries) + ";\n", encoding="utf-8")
    result = subprocess.run(["uv", "run", "--isolated", "--no-project", "--with", CLI, "duckdb", "-readonly", "-csv", "-noheader",
                             str(path), "-f", str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, (result.stdout + result.stderr)[-2000:]
    assert parse(result.stdout) == ours
    version = subprocess.run(["uv", "run", "--isolated", "--no-project", "--with", CLI, "duckdb", "-version"],
                             capture_output=True, text=True, check=False).stdout
    assert version.startswith("v1.") or sys.platform != "linux", version  # older than the DuckDB we write with
