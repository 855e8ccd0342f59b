"""The home folder: where files arrive, are archived or quarantined, and where the warehouse lives."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from redcross.core.calendar import Calendar, load_calendar
from redcross.core.files import PARTIAL, abandoned
from redcross.core.registry import Registry, load_registry
from redcross.read.arrivals import is_not_a_form

DEFAULT_HOME = "./redcross-data"


class NotAHome(ValueError):
    """A --home (or $REDCROSS_HOME) that is not a home folder: said in one line, zh and en."""

    @classmethod
    def a_file(cls, path: Path) -> NotAHome:
        return cls(f"{path} 是一个文件，不是数据目录 / is a file, not a home folder")


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def named(cls, given: str | os.PathLike | None = None) -> Home:
        """--home, else $REDCROSS_HOME, else ./redcross-data, as `resolve` finds it; nothing is created."""
        return cls(Path(given or os.environ.get("REDCROSS_HOME") or DEFAULT_HOME).absolute())

    @classmethod
    def resolve(cls, given: str | os.PathLike | None = None) -> Home:
        """--home, else $REDCROSS_HOME, else ./redcross-data, which must be a home (`create` makes one):
        a mistyped path must not become a new empty home whose nights report nothing, green, forever.
        Any of its folders that is missing is made again."""
        return cls.found(given)._with_folders()

    @classmethod
    def found(cls, given: str | os.PathLike | None = None) -> Home:
        """The home `resolve` finds, refused (NotAHome) where it is not one; nothing is created."""
        home = cls.named(given)
        if home.root.is_file():
            raise NotAHome.a_file(home.root)
        if not home.inbox.is_dir():
            raise NotAHome(f"{home.root} 不是数据目录（没有 inbox 文件夹）；新建请用 redcross init {home.root} / "
                           f"is not a home (it has no inbox folder); to make one: redcross init {home.root}")
        return home

    @classmethod
    def create(cls, root: str | os.PathLike) -> Home:
        """A new home at `root` (a folder that does not exist yet, or is empty, or is a home already)."""
        home = cls(Path(root).absolute())
        if home.root.is_file():
            raise NotAHome.a_file(home.root)
        if home.root.is_dir() and not home.inbox.is_dir() and any(home.root.iterdir()):
            raise NotAHome(f"{home.root} 已有其他文件，未改作数据目录 / already holds other files; "
                           "not made a home (choose an empty or new folder)")
        home.inbox.mkdir(parents=True, exist_ok=True)
        return home._with_folders()

    def _with_folders(self) -> Home:
        os.umask(0o022)  # nothing in the home is world-writable
        for folder in (self.inbox, self.archive, self.quarantine, self.targets, self.reports, self.writer.parent):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    inbox = property(lambda self: self.root / "inbox")
    archive = property(lambda self: self.root / "archive")
    quarantine = property(lambda self: self.root / "quarantine")
    targets = property(lambda self: self.root / "targets")
    reports = property(lambda self: self.root / "reports")
    validation_pages = property(lambda self: self.root / "reports" / "validation")
    published = property(lambda self: self.root / "warehouse" / "redcross.duckdb")
    writer = property(lambda self: self.root / "warehouse" / "writer" / "redcross-writer.duckdb")
    lock = property(lambda self: self.root / "warehouse" / "writer" / "run.lock")
    log_file = property(lambda self: self.root / "logs" / "redcross.log")
    registry_folder = property(lambda self: self.root / "registry")

    def registry(self) -> Registry:
        """The home's own units.csv / indicators.csv / unit_names.toml where it has them, else the bundled
        defaults; the audit formulas of its own rules.toml (at the top of the home) added to the bundled
        ones (core.formulas)."""
        files = [self.registry_folder / name for name in ("units.csv", "indicators.csv", "unit_names.toml")]
        files.append(self.root / "rules.toml")
        return load_registry(*(path if path.exists() else None for path in files))

    def calendar(self) -> Calendar:
        """The reporting calendar: the home's own calendar.toml (at its top) over the bundled defaults."""
        own = self.root / "calendar.toml"
        return load_calendar(own if own.exists() else None)

    def arrivals(self) -> list[Path]:
        """Files waiting in the inbox: hidden files, folders, and what people's tools leave beside a
        form (owner and lock files, partial downloads: read.arrivals.NOT_FORMS) are left alone."""
        return sorted(p for p in self.inbox.iterdir()
                      if p.is_file() and not p.name.startswith(".") and not is_not_a_form(p))

    def report_path(self, year: int, month: int, fmt: str) -> Path:
        """Where the report of a period is kept: reports/<year>/report-<year>-<month>.<format>."""
        return self.reports / str(year) / f"report-{year}-{month:02d}.{fmt}"


def sweep_partials(home: Home) -> list[Path]:
    """Remove the half-written files of processes that died (run under the home's lock, at a run's start)."""
    removed = []
    # the folders written_whole writes in: all flat but reports/<year>/ (not the many validation pages)
    places = [(home.published.parent, PARTIAL), (home.archive, PARTIAL), (home.quarantine, PARTIAL),
              (home.reports, PARTIAL), (home.reports, f"*/{PARTIAL}")]
    for folder, pattern in places:
        for path in folder.glob(f"{pattern}*"):
            if abandoned(path):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed
