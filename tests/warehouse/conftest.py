"""An empty warehouse in memory: the writer's raw tables and the models over them, made by the
project's own code (warehouse.writer, warehouse.models), so marts can be tested on a few inline rows."""

from __future__ import annotations

import duckdb
import pytest

from redcross.warehouse.models import build_models
from redcross.warehouse.writer import create_raw_tables


@pytest.fixture
def memory_warehouse():
    """`duckdb.connect(":memory:")` holding the raw tables, the staging views and the marts, with no rows."""
    con = duckdb.connect(":memory:")
    create_raw_tables(con)
    build_models(con)
    yield con
    con.close()
