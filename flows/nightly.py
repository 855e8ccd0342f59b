"""The nightly run: whatever landed in the inbox is taken in and the warehouse republished."""

from __future__ import annotations

from datetime import date

from prefect import flow

from flows.pipeline import Plan, run_pipeline, take_inbox
from flows.runners import task_runner
from redcross.home import Home
from redcross.summary import RunSummary

NIGHTLY = Plan(kind="nightly", take=take_inbox)


@flow(name="nightly", log_prints=False, task_runner=task_runner())
def nightly(home: str | None = None, today: date | None = None, wait: bool = True) -> RunSummary:
    """Take in whatever landed in the inbox and republish the warehouse (waiting for a run in progress)."""
    return run_pipeline(Home.resolve(home), NIGHTLY, today or date.today(), wait)
