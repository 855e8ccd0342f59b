"""The named queries return named rows, and a query whose columns drift from its row is refused."""

import duckdb
import pytest

from redcross.read.home import Home
from redcross.warehouse import queries


def test_rows_are_named_and_a_drifted_query_is_refused(sample_night):
    root, summary = sample_night
    with duckdb.connect(str(Home(root).published), read_only=True) as con:
        (city,) = [c for c in queries.city_figures(con, 2017, 12) if c.indicator_code == "first_aid_trained"]
        assert (city.total, city.complete, city.comparable_units) == (21810, True, 8)
        (run,) = queries.recent_runs(con, 1)
        assert run.run_id == summary.run_id and run.status == "succeeded"
        assert [(row.unit_name, row.state) for row in queries.coverage(con, 2017)][:1] == [("市本级", "accepted")]
        with pytest.raises(RuntimeError, match="query coverage gives columns"):
            queries._rows(con, "coverage", queries.UnitTarget, {"year": 2017})
