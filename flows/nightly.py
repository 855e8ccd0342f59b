"""The nightly run: whatever landed in the inbox is taken in and the warehouse republished."""

from __future__ import annotations

from datetime import date

from redcross.core import clock
from redcross.flows.plumbing.night import NIGHTLY
from redcross.flows.plumbing.orchestration import flow
from redcross.flows.plumbing.writing_run import writing_run
from redcross.flows.steps import (
    build_figures,
    commit_figures,
    load_submissions,
    load_targets,
    publish_figures,
    read_forms,
    stack_night_rows,
    take_inbox,
    validate_forms,
)
from redcross.read.home import Home
from redcross.report.run_summary import RunSummary


@flow(name="nightly")
def nightly(home: str | None = None, today: date | None = None, wait: bool = True) -> RunSummary:
    """Take in whatever landed in the inbox and republish the warehouse (waiting for a run in progress)."""
    with writing_run(Home.resolve(home), NIGHTLY, wait) as run:
        paths, arriving = take_inbox(run.home)
        intake = read_forms(paths, run)
        rows = stack_night_rows(intake)
        validate_forms(intake, rows, run.con, run.registry, run.checks, today or clock.today())
        load_submissions(intake, rows, run)
        target_problems = load_targets(run)
        build_figures(run)
        summary = commit_figures(intake, target_problems, run)
        summary.still_arriving = [p.name for p in arriving]
        publish_figures(intake, run)
    return summary
