"""Opening the published warehouse as one whole snapshot, while runs may be replacing it.

DuckDB opens a database file three times while it connects: once for its first bytes, once
for its headers, and once for good. A publish swaps the file by rename, so if a publish lands
between those opens, the connection pairs the headers of one night's file with the blocks of
the next: it fails with an IO error ("Could not read enough bytes", "Metadata block index ...
exceeds"), at once or on its first query (benchmarks/RESULTS.md has how often). Once connected,
every read goes through the last handle, which keeps the file it opened whole however often the
path is replaced.

So a safe open notes which file the path names, connects, and looks again: if the path named
the same file throughout, every open saw that file; if not, the connection is thrown away and
made again. `open_warehouse` is the function docs/analyst.md gives analysts, word for word (a test
checks it); the CLI's commands use it too.
"""

import os
import time

import duckdb


def open_warehouse(path="redcross-data/warehouse/redcross.duckdb", tries=20):
    """The published warehouse, read-only, opened from one file from start to end.

    Connects again if a publish replaced the file while DuckDB was opening it.
    """

    def which_file():
        found = os.stat(path)
        return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns

    for attempt in range(tries):
        before = which_file()
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error:
            if which_file() == before or attempt == tries - 1:
                raise  # the same file throughout: a real fault, not a publish mid-open
        else:
            if which_file() == before:
                return con
            con.close()
        time.sleep(0.05 * (attempt + 1))  # publishes come seconds apart; the next try sees a settled file
    raise OSError(f"{path} was replaced during each of {tries} tries to open it")
