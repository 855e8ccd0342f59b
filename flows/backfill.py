"""A backfill: chosen years (and perhaps one unit) loaded again, from a folder of historical files
(district forms or the city's summary workbooks) or from the archive of accepted originals."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from redcross.core import clock
from redcross.flows.plumbing.orchestration import flow
from redcross.flows.plumbing.writing_run import Plan, writing_run
from redcross.flows.steps import (
    build_figures,
    commit_figures,
    load_submissions,
    load_targets,
    publish_figures,
    read_forms,
    stack_night_rows,
    take_folder,
    validate_forms,
)
from redcross.read.home import Home
from redcross.report.run_summary import RunSummary


def parse_years(text: str) -> frozenset[int]:
    """`2015-2017`, `2015,2017` or `2016`."""
    years: set[int] = set()
    for part in re.split(r"[,，\s]+", str(text).strip()):
        if match := re.fullmatch(r"(\d{4})\s*[-–~]\s*(\d{4})", part):
            first, last = int(match[1]), int(match[2])
            if first > last:
                raise ValueError(f"years run backwards: {part}")
            years.update(range(first, last + 1))
        elif re.fullmatch(r"\d{4}", part):
            years.add(int(part))
        elif part:
            raise ValueError(f"not a year or a range of years: {part!r} (write 2015-2017 or 2015,2017)")
    if not years:
        raise ValueError("no years given")
    return frozenset(years)


def backfill_plan(home: Home, years: str, unit: str | None, source: str | None) -> Plan:
    """From `source` its files' figures replace those years' (the folder is left untouched); from the
    archive, the accepted originals are read and checked again with today's registries and rules."""
    folder = Path(source).absolute() if source else home.archive
    if not folder.is_dir():
        raise FileNotFoundError(f"没有这个文件夹 / no such folder: {folder}")
    return Plan(kind="backfill", folder=folder, years=parse_years(years), unit=unit, move_originals=False,
                rerun_known=source is None, wins_over_earlier_loads=source is not None)


@flow(name="backfill")
def backfill(years: str, unit: str | None = None, source: str | None = None, home: str | None = None,
             today: date | None = None) -> RunSummary:
    """Load the chosen years again: from `source` (a folder) if given, else from the archive."""
    where = Home.resolve(home)
    plan = backfill_plan(where, years, unit, source)
    with writing_run(where, plan) as run:
        intake = read_forms(take_folder(plan.folder), run)
        rows = stack_night_rows(intake)
        validate_forms(intake, rows, run.con, run.registry, run.checks, today or clock.today())
        load_submissions(intake, rows, run)
        target_problems = load_targets(run)
        build_figures(run)
        summary = commit_figures(intake, target_problems, run)
        publish_figures(intake, run)
    return summary
