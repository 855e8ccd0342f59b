"""Files as they arrive: their bytes' SHA-256 and modification time, and the spreadsheets in a folder."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from redcross.core.forms import Arrival
from redcross.read.sheets import SPREADSHEET_SUFFIXES


def arrival(path: Path) -> Arrival:
    """The file at `path`, its SHA-256 read in chunks (a hostile file may be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
    return Arrival(path, digest.hexdigest(), mtime)


def spreadsheets_under(folder: Path) -> list[Path]:
    """Every spreadsheet under the folder (hidden files left alone), in a stable order."""
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in SPREADSHEET_SUFFIXES and not p.name.startswith(".")
    )


def is_spreadsheet(path: Path) -> bool:
    return path.suffix.lower() in SPREADSHEET_SUFFIXES
