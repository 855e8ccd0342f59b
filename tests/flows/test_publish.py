"""A night publishes the analysts' file once, after the run is recorded as done: the copy analysts
get holds the night's figures and its run as succeeded. Run without Prefect (the same steps; the
flows' own tests cover Prefect); the real publish is counted, not replaced."""

import duckdb
from support import TODAY, drop_samples, published_rows

from redcross.flows import steps
from redcross.flows.nightly import nightly
from redcross.read.home import Home


def test_a_night_publishes_once_and_the_copy_shows_the_run_succeeded(home, monkeypatch):
    published, real_publish = [], steps.publish  # the runs' statuses in the writer's file at each publish

    def counted(writer, target):
        with duckdb.connect(str(writer), read_only=True) as con:
            published.append(con.execute("select status from raw.runs order by started_at").fetchall())
        real_publish(writer, target)

    monkeypatch.setattr(steps, "publish", counted)
    drop_samples(home, years=(2017,))
    summary = nightly.local(home=str(home), today=TODAY)
    assert len(summary.accepted) == 8
    assert published == [[("succeeded",)]]
    assert published_rows(home, "select kind, status, files_accepted from runs") == [("nightly", "succeeded", 8)]
    assert published_rows(home, "select count(*) from city_totals where year = 2017") == [(12,)]

    nightly.local(home=str(home), today=TODAY)  # nothing new: published once all the same
    assert published == [[("succeeded",)], [("succeeded",), ("succeeded",)]]
    assert published_rows(home, "select status, count(*) from runs group by all") == [("succeeded", 2)]
    assert not list(Home(home).published.parent.glob(".partial-*"))
