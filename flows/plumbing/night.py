"""What reading and checking a night's files needs, whether the night is real or a dry run.

A run (flows.plumbing.writing_run.Run) and a dry run (`redcross check`, flows.check) read, stack
and check their files with the same steps, against the same things: the home's registry, the files
received before, the figures in force (for the year-on-year checks) and where the forms are checked.
`Night` holds those. A run adds its lock, its row in `runs` and its transaction; a dry run
(`looking_night`) reads them from the published warehouse and writes nothing anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from redcross.core.calendar import Calendar
from redcross.core.registry import Registry
from redcross.expectations.suites import Checker
from redcross.flows.plumbing.intake import ReadScope
from redcross.flows.plumbing.processes import validation_for
from redcross.read.home import Home
from redcross.warehouse import writer
from redcross.warehouse.snapshot import open_warehouse


@dataclass(frozen=True)
class Plan:
    """What a run takes in and what it does with the originals.

    nightly: the inbox; every form counts; originals are moved to archive/ or quarantine/.
    backfill: a folder (or the archive); only forms of `years` (and `unit`) count; originals are
    copied, never moved; with `rerun_known` files already received are read and loaded again;
    with `wins_over_earlier_loads` its files count as received when they are loaded.
    """

    kind: str
    folder: Path | None = None  # None: the inbox
    years: frozenset[int] | None = None
    unit: str | None = None
    move_originals: bool = True
    rerun_known: bool = False
    wins_over_earlier_loads: bool = False

    @property
    def from_inbox(self) -> bool:
        """Whether the files landed in the inbox, so that when they did is known (a backfill's did not)."""
        return self.folder is None


NIGHTLY = Plan(kind="nightly")


class Night:
    """A night's footing: the home and its registry, the plan, the warehouse the figures in force
    are read from (`con`), the files received before (`known`: SHA-256 -> outcome), and, once
    `check_with` has chosen it, where the forms are checked."""

    def __init__(self, home: Home, plan: Plan, con: duckdb.DuckDBPyConnection, cleanup: ExitStack) -> None:
        self.home, self.plan, self.con = home, plan, con
        self.registry: Registry = home.registry()
        self.calendar: Calendar = home.calendar()
        self.known = writer.known_files(con)
        self.checks: Checker | None = None
        self.files_seen = 0  # set once its files are known, for a run that is interrupted to record
        self._cleanup = cleanup

    def scope(self) -> ReadScope:
        """What reading needs to know of this night (see flows.plumbing.intake.ReadScope)."""
        accepted = frozenset(sha for sha, outcome in self.known.items() if outcome == "accepted")
        return ReadScope(self.registry, accepted, self.plan.years, self.plan.unit, self.plan.rerun_known)

    def check_with(self, paths: list[Path]) -> None:
        """Choose where this night's forms are checked, now, so GX can import while they are read."""
        self.checks = self._cleanup.enter_context(validation_for(paths))


@contextmanager
def looking_night(home: Home) -> Iterator[Night]:
    """The next nightly run's footing, only looked at: no lock, no row in `runs`, nothing written.

    The files received and the figures in force are the published warehouse's, opened read-only
    (a run may be holding the writer's file); a home with nothing published yet has an empty
    warehouse in memory, so no history, as its first run has none.
    """
    with ExitStack() as cleanup:
        con = open_warehouse(home.published) if home.published.exists() else writer.empty_warehouse()
        cleanup.callback(con.close)
        yield Night(home, NIGHTLY, con, cleanup)
