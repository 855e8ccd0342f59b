"""A backfill: chosen years (and perhaps one unit) loaded again, from a folder of historical files
(district forms or the city's summary workbooks) or from the archive of accepted originals."""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NONE

from flows.pipeline import Plan, run_pipeline
from flows.runners import task_runner
from redcross.home import Home
from redcross.summary import RunSummary
from redcross.workbook import SPREADSHEET_SUFFIXES


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


@task(retries=2, retry_delay_seconds=5, cache_policy=NONE)
def take_folder(home: Home, folder: Path) -> list[Path]:
    """Every spreadsheet under the folder (hidden files left alone), in a stable order."""
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in SPREADSHEET_SUFFIXES and not p.name.startswith(".")
    )


@flow(name="backfill", log_prints=False, task_runner=task_runner())
def backfill(
    years: str,
    unit: str | None = None,
    source: str | None = None,
    home: str | None = None,
    today: date | None = None,
) -> RunSummary:
    """Load the chosen years again: from `source` (a folder) if given, else from the archive.

    From a folder, its files' figures replace those years' figures (the earlier ones stay in
    history as superseded); the folder itself is left untouched. From the archive, the accepted
    originals are read and checked again with today's registries and rules.
    """
    where = Home.resolve(home)
    folder = Path(source).absolute() if source else where.archive
    if not folder.is_dir():
        raise FileNotFoundError(f"没有这个文件夹 / no such folder: {folder}")
    plan = Plan(
        kind="backfill",
        take=partial(take_folder, folder=folder),
        years=parse_years(years),
        unit=unit,
        move_originals=False,
        rerun_known=source is None,
        wins_over_earlier_loads=source is not None,
    )
    return run_pipeline(where, plan, today or date.today())
