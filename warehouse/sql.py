"""The warehouse's SQL, kept in .sql files beside the Python that runs it.

`writer.sql` and `queries.sql` hold named statements, each under a `-- name: <name>` line; the
models are one view per file under `staging/` and `marts/`. Values always travel as parameters.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_NAME = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)


def text(*parts: str) -> str:
    """A file of this package, e.g. text("marts", "city_totals.sql")."""
    return resources.files(__package__).joinpath(*parts).read_text("utf-8")


@cache
def _named(file: str) -> dict[str, str]:
    pieces = _NAME.split(text(file))
    return {name: body.strip().rstrip(";") for name, body in zip(pieces[1::2], pieces[2::2], strict=True)}


def statement(name: str) -> str:
    """A statement of writer.sql: what the runs read and write in the writer's database."""
    return _named("writer.sql")[name]


def query(name: str) -> str:
    """A query of queries.sql: what reports, the status command and the run summary read."""
    return _named("queries.sql")[name]
