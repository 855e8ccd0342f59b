"""A dry run (`redcross check FILE...`): each file's verdict as the next nightly run would give it,
and nothing changed.

It reads, stacks and validates the files with the nightly run's own steps (read_forms,
stack_night_rows, validate_forms), against the home's registry and rules and the published
warehouse's history, so its verdicts and messages are the run's. The files given are checked
together, as one night of them would be (a 2018 form is compared with a 2017 form given beside
it); files waiting in the inbox but not named are not part of it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from redcross.core import clock
from redcross.flows.plumbing.night import looking_night
from redcross.flows.plumbing.orchestration import local_executor
from redcross.flows.steps import read_forms, stack_night_rows, validate_forms
from redcross.read.home import Home
from redcross.report.verdicts import Verdict, file_verdicts


def check_files(paths: list[Path], home: Home, today: date | None = None) -> list[Verdict]:
    """The verdict the next nightly run would give each file, with every problem; nothing is written.

    Not a Prefect flow, on purpose: a clerk's phone call is no run of the pipeline, and a flow run
    on the data manager's server for each would crowd the runs that are (and need a server to
    answer first). The steps run as the plain calls they are without a server (see
    flows.plumbing.orchestration: `Step.plain`, with the same retries), their reading on threads of
    this process. No lock is taken (a night may be running: the published warehouse stays whole
    while it is replaced), no row goes into `runs`, and the files stay where they are.

    A file whose bytes were received before is 已接收过, as the run says; the history and the files
    received are those the last run published (a run killed after its commit and before publishing
    has not published its night yet, and the next run catches it up first).
    """
    with looking_night(home) as night, local_executor("threads"):
        intake = read_forms(paths, night)
        rows = stack_night_rows(intake)
        validate_forms(intake, rows, night.con, night.registry, night.checks, today or clock.today())
        return file_verdicts(paths, intake.every_form, night.known, night.registry)
