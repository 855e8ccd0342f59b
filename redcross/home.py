"""The home folder: where files arrive, are archived or quarantined, and where the warehouse lives."""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from expectations.rules import Problem
from redcross.registry import Registry, load_registry

DEFAULT_HOME = "./redcross-data"


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def resolve(cls, given: str | os.PathLike | None = None) -> Home:
        """--home, else $REDCROSS_HOME, else ./redcross-data; its folders are created."""
        home = cls(Path(given or os.environ.get("REDCROSS_HOME") or DEFAULT_HOME).absolute())
        os.umask(0o022)  # nothing in the home is world-writable
        for folder in (home.inbox, home.archive, home.quarantine, home.targets, home.reports, home.writer.parent):
            folder.mkdir(parents=True, exist_ok=True)
        return home

    inbox = property(lambda self: self.root / "inbox")
    archive = property(lambda self: self.root / "archive")
    quarantine = property(lambda self: self.root / "quarantine")
    targets = property(lambda self: self.root / "targets")
    reports = property(lambda self: self.root / "reports")
    published = property(lambda self: self.root / "warehouse" / "redcross.duckdb")
    writer = property(lambda self: self.root / "warehouse" / "writer" / "redcross-writer.duckdb")
    lock = property(lambda self: self.root / "warehouse" / "writer" / "run.lock")
    registry_folder = property(lambda self: self.root / "registry")

    def registry(self) -> Registry:
        """The home's own units.csv / indicators.csv where it has them, else the bundled defaults."""
        units, indicators = self.registry_folder / "units.csv", self.registry_folder / "indicators.csv"
        return load_registry(units if units.exists() else None, indicators if indicators.exists() else None)

    def arrivals(self) -> list[Path]:
        """Files waiting in the inbox (hidden files and folders are left alone)."""
        return sorted(p for p in self.inbox.iterdir() if p.is_file() and not p.name.startswith("."))


PARTIAL = ".partial-"  # `.partial-<pid>-<name>`: a file being written, renamed to <name> once whole


@contextmanager
def written_whole(target: Path) -> Iterator[Path]:
    """A path beside `target` to write to; once the block ends it becomes `target` in one rename.

    A reader, or a run killed at any moment, sees the old file or the new one, never half of one.
    What a killed process leaves behind is removed by the next run (`sweep_partials`).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f"{PARTIAL}{os.getpid()}-{target.name}")
    try:
        yield temp
        with temp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power cut
    finally:
        os.close(folder)


def sweep_partials(home: Home) -> list[Path]:
    """Remove the half-written files of processes that died (run under the home's lock, at a run's start)."""
    removed = []
    # the folders written_whole writes in: all flat but reports/<year>/ (not the many validation pages)
    places = [(home.published.parent, PARTIAL), (home.archive, PARTIAL), (home.quarantine, PARTIAL),
              (home.reports, PARTIAL), (home.reports, f"*/{PARTIAL}")]
    for folder, pattern in places:
        for path in folder.glob(f"{pattern}*"):
            pid = path.name[len(PARTIAL):].split("-", 1)[0]
            if not (pid.isdigit() and _alive(int(pid))):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal sent; PermissionError also means the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _place(path: Path, target: Path, move: bool) -> None:
    """Move (inbox) or copy (a backfill's source folder) a file, keeping its bytes and times.

    The target appears whole or not at all, so one that exists is the original: a file already
    filed (the same bytes, named by their hash) is not filed twice, and its inbox copy is dropped.
    """
    if target.exists():
        if move:
            path.unlink()
    elif not (move and _renamed(path, target)):
        with written_whole(target) as temp:
            shutil.copy2(path, temp)
        if move:
            path.unlink()
    if target.exists():  # a file keeps the mode it arrived with; nothing in the home is world-writable
        target.chmod(target.stat().st_mode & ~0o022)


def _renamed(path: Path, target: Path) -> bool:
    """Rename `path` to `target`; False, leaving it, when they are on different disks (an inbox mounted from a share)."""
    try:
        os.replace(path, target)
    except OSError as exc:
        if exc.errno == errno.EXDEV:
            return False
        raise
    return True


NAME_MAX = 255  # bytes in one file name, on the file systems Linux uses


def _fitting(name: str, limit: int) -> str:
    """`name`, shortened in the middle with … if its bytes exceed `limit`; the suffix stays."""
    if len(os.fsencode(name)) <= limit:
        return name
    suffix = Path(name).suffix if len(Path(name).suffix) <= 10 else ""
    stem = name[: len(name) - len(suffix)]
    while stem and len(os.fsencode(f"{stem}…{suffix}")) > limit:
        stem = stem[:-1]
    return f"{stem}…{suffix}"


def archive_original(home: Home, path: Path, sha256: str, move: bool = True) -> Path:
    """File an accepted original as archive/<sha256><suffix>, bytes unchanged; a known original stays."""
    target = home.archive / f"{sha256}{path.suffix.lower()}"
    _place(path, target, move)
    return target


def quarantine_original(home: Home, path: Path, submission_id: str, problems: list[Problem], move: bool = True) -> Path:
    """File a rejected original in quarantine/, with its reasons beside it as JSON and as text.

    The reasons are written first: if anything fails before the original is moved, it is still in
    the inbox and the whole is done again (a retry, or the next run); never an original without them.
    """
    stem = _fitting(f"{submission_id}-{path.name}", NAME_MAX - len(".reason.json") - len(f"{PARTIAL}{os.getpid()}-"))
    target = home.quarantine / stem
    name = os.fsencode(path.name).decode("utf-8", "replace")
    lines = [f"文件 / file: {name}", "未予接收，原因如下 / rejected for these reasons:", ""]
    lines += [p.line() + "\n" for p in problems]
    reasons = {".reason.json": json.dumps({"file": name, "problems": [p.as_dict() for p in problems]},
                                          ensure_ascii=False, indent=2),
               ".reason.txt": "\n".join(lines)}
    for suffix, text in reasons.items():
        with written_whole(home.quarantine / f"{stem}{suffix}") as temp:
            temp.write_text(text, encoding="utf-8")
    _place(path, target, move)
    return target
