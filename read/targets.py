"""The province's targets files under the home's targets/ folder (.csv or .xlsx, one per year)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

TARGET_SUFFIXES = {".csv", ".xlsx"}


def target_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in TARGET_SUFFIXES)


def fingerprint(folder: Path, *decisive: bytes) -> str:
    """What decides the outcome of reading the folder: its files' names and bytes, and whatever else
    the caller names (the indicators the files may name, the suite that checks them)."""
    digest = hashlib.sha256()
    for path in target_files(folder):
        digest.update(os.fsencode(path.name) + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    for part in decisive:
        digest.update(part)
    return digest.hexdigest()
