"""`redcross review`: the data manager's decision on a warning, recorded and published.

Like a run it holds the home's one-writer lock and writes the writer's database, then publishes the
warehouse whole so analysts see the decision in `data_issues`. It is no run: no row in `runs`, no
file read, and no Prefect flow (a decision takes a second, not a flow run's start-up).
"""

from __future__ import annotations

from redcross.flows.plumbing.writing_run import home_lock, utc_now
from redcross.read.home import Home
from redcross.warehouse import writer
from redcross.warehouse.publish import publish
from redcross.warehouse.writer import Review


class NoSuchWarning(LookupError):
    """The submission in force for the unit and period has no warning of that indicator and rule."""

    def __init__(self, review: Review, in_force: list[tuple[str, str]]) -> None:
        super().__init__(review)
        self.review, self.in_force = review, in_force


def record_review(home: Home, review: Review) -> str:
    """Record the decision on the warning in force it names and publish; the submission's id.

    Raises NoSuchWarning, recording and publishing nothing, when there is no such warning.
    """
    with home_lock(home, wait=True):
        con = writer.open_writer(home.writer)
        try:
            submission_id = writer.record_review(con, review, utc_now())
            in_force = [] if submission_id else writer.issues_of_period(con, review.unit_code, review.year,
                                                                         review.month)
        finally:
            con.close()
        if submission_id is None:
            raise NoSuchWarning(review, in_force)
        publish(home.writer, home.published)
    return submission_id
