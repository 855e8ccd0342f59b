"""The home folder: where files arrive, are archived or quarantined, and where the warehouse lives."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from expectations.rules import Problem

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

    def arrivals(self) -> list[Path]:
        """Files waiting in the inbox (hidden files and folders are left alone)."""
        return sorted(p for p in self.inbox.iterdir() if p.is_file() and not p.name.startswith("."))


def archive_original(home: Home, path: Path, sha256: str) -> Path:
    """Move an accepted file to archive/<sha256><suffix>, bytes unchanged; a known original stays."""
    target = home.archive / f"{sha256}{path.suffix.lower()}"
    if target.exists():
        path.unlink()
    else:
        shutil.move(path, target)
    return target


def quarantine_original(home: Home, path: Path, submission_id: str, problems: list[Problem]) -> Path:
    """Move a rejected file to quarantine/, with its reasons beside it as JSON and as text."""
    stem = f"{submission_id}-{path.name}"
    target = home.quarantine / stem
    shutil.move(path, target)
    (home.quarantine / f"{stem}.reason.json").write_text(
        json.dumps({"file": path.name, "problems": [p.as_dict() for p in problems]}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    lines = [f"文件 / file: {path.name}", "未予接收，原因如下 / rejected for these reasons:", ""]
    lines += [p.line() + "\n" for p in problems]
    (home.quarantine / f"{stem}.reason.txt").write_text("\n".join(lines), encoding="utf-8")
    return target
