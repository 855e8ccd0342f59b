"""The home folder: where files arrive, are archived or quarantined, and where the warehouse lives."""

from __future__ import annotations

import json
import os
import shutil
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


def _place(path: Path, target: Path, move: bool) -> None:
    """Move (inbox) or copy (a backfill's source folder) a file, keeping its bytes and times."""
    if target.exists():
        if move:
            path.unlink()
    elif move:
        shutil.move(path, target)
    else:
        shutil.copy2(path, target)
    if target.exists():  # a file keeps the mode it arrived with; nothing in the home is world-writable
        target.chmod(target.stat().st_mode & ~0o022)


def archive_original(home: Home, path: Path, sha256: str, move: bool = True) -> Path:
    """File an accepted original as archive/<sha256><suffix>, bytes unchanged; a known original stays."""
    target = home.archive / f"{sha256}{path.suffix.lower()}"
    _place(path, target, move)
    return target


def quarantine_original(home: Home, path: Path, submission_id: str, problems: list[Problem], move: bool = True) -> Path:
    """File a rejected original in quarantine/, with its reasons beside it as JSON and as text."""
    stem = f"{submission_id}-{path.name}"
    target = home.quarantine / stem
    _place(path, target, move)
    name = os.fsencode(path.name).decode("utf-8", "replace")
    (home.quarantine / f"{stem}.reason.json").write_text(
        json.dumps({"file": name, "problems": [p.as_dict() for p in problems]}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    lines = [f"文件 / file: {name}", "未予接收，原因如下 / rejected for these reasons:", ""]
    lines += [p.line() + "\n" for p in problems]
    (home.quarantine / f"{stem}.reason.txt").write_text("\n".join(lines), encoding="utf-8")
    return target
