"""Publishing: the analysts' file replaced whole by a copy of the (committed) writer's file.

A reader holding the old file open keeps a whole snapshot; new readers get the new one whole
(see `warehouse.snapshot.open_warehouse` for the moment of the swap itself).

The copy is written in DuckDB's storage format of version 1.1 (`PUBLISHED_STORAGE`), not in the
format of the DuckDB this project writes with: analysts open the file with the DuckDB CLI as pip
packages it, an older Python package, or the JDBC driver DBeaver bundles, and a file in a newer
format is refused by all of them ("Trying to read a database file with version number ...").
`COPY FROM DATABASE` carries the tables, views, macros and their comments across.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from redcross.core.files import written_whole

PUBLISHED_STORAGE = "v1.1.0"  # the oldest DuckDB that opens the published file (tests/warehouse/test_old_clients.py)


def publish(writer: Path, published: Path) -> None:
    """Replace the analysts' file whole with a copy of the writer's file, in the published storage format."""
    with written_whole(published) as staging, duckdb.connect() as con:
        con.execute("attach ? as source (read_only)", [str(writer)])
        con.execute("attach ? as target (storage_version ?)", [str(staging), PUBLISHED_STORAGE])
        con.execute("copy from database source to target")
        con.execute("detach target")
