"""Files as they arrive: their bytes' SHA-256, modification time and when they landed, the spreadsheets
in a folder, and whether a file that has only just changed is whole yet (a copy into the inbox may still be under way)."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import struct
from datetime import UTC, datetime
from pathlib import Path

from redcross.core.clock import landed_at
from redcross.core.forms import Arrival
from redcross.read.sheets import SPREADSHEET_SUFFIXES


def arrival(path: Path) -> Arrival:
    """The file at `path`, its SHA-256 read in chunks (a hostile file may be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    stat = path.stat()
    mtime = datetime.fromtimestamp(stat.st_mtime, UTC).replace(tzinfo=None)
    return Arrival(path, digest.hexdigest(), mtime, landed_at(stat.st_ctime))


def spreadsheets_under(folder: Path) -> list[Path]:
    """Every spreadsheet under the folder (hidden files left alone), in a stable order."""
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in SPREADSHEET_SUFFIXES and not p.name.startswith(".")
    )


def is_spreadsheet(path: Path) -> bool:
    return path.suffix.lower() in SPREADSHEET_SUFFIXES


# Files people's tools leave beside a form, never forms themselves: Excel's and WPS's owner file while
# the form is open (~$name.xlsx), LibreOffice's lock file, and browsers' and copiers' partial downloads.
NOT_FORMS = ("~$*", ".~lock.*#", "*.tmp", "*.part", "*.crdownload")
SETTLE_SECONDS = 60  # REDCROSS_SETTLE_SECONDS: how recent a change may be for a file to be still arriving


def is_not_a_form(path: Path) -> bool:
    name = path.name.lower()
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in NOT_FORMS)


def settle_seconds() -> float:
    """REDCROSS_SETTLE_SECONDS (default 60; 0 turns the check off)."""
    given = os.environ.get("REDCROSS_SETTLE_SECONDS", "").strip()
    try:
        seconds = float(given) if given else SETTLE_SECONDS
    except ValueError:
        raise ValueError(f"REDCROSS_SETTLE_SECONDS 应为秒数 / must be a number of seconds: {given!r}") from None
    if seconds < 0:
        raise ValueError(f"REDCROSS_SETTLE_SECONDS 不能为负 / cannot be negative: {given!r}")
    return seconds


def still_arriving(path: Path, now: float, settle: float) -> bool:
    """A file changed within the last `settle` seconds that is not whole yet: a copy still under way.

    A whole file is taken at once however recent (a clerk's form saved a moment ago, a test's); one
    that only just changed and is cut short (empty, a zip without its end record, an OLE2 file shorter
    than its own sector table says, a CSV stopping mid-line) is left for the next run.
    """
    if settle <= 0:
        return False
    try:
        stat = path.stat()
    except FileNotFoundError:
        return False
    return now - stat.st_mtime < settle and not looks_whole(path, stat.st_size)


def looks_whole(path: Path, size: int) -> bool:
    """Whether the bytes look complete for the file's kind (an unknown kind is taken as whole)."""
    if size == 0:
        return False
    suffix = path.suffix.lower()
    with path.open("rb") as handle:
        head = handle.read(512)
        if head.startswith(b"PK"):  # xlsx, xlsm, ods: a zip ends with its end-of-central-directory record
            start = max(0, size - (1 << 16) - 22)
            handle.seek(start)
            tail = handle.read()
            end = tail.rfind(b"PK\x05\x06")
            # the record is 22 bytes and its comment, and nothing comes after it
            return end >= 0 and len(tail) - end >= 22 and end + 22 + struct.unpack_from("<H", tail, end + 20)[0] == len(tail)
        if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # xls: OLE2
            return _ole2_whole(handle, head, size)
        if suffix == ".csv":
            handle.seek(size - 1)
            return handle.read(1) == b"\n"
    return True


def _ole2_whole(handle, head: bytes, size: int) -> bool:
    """An OLE2 file reaches its last sector in use: every FAT sector the header lists is in the file,
    and so is the highest sector those tables mark as used."""
    if len(head) < 512:
        return False
    sector = 1 << struct.unpack_from("<H", head, 0x1E)[0]
    fat_sectors = [n for n in struct.unpack_from("<109I", head, 0x4C) if n < 0xFFFFFFFA]
    last_used = -1
    for number in fat_sectors:
        offset = (number + 1) * sector
        if offset + sector > size:
            return False
        handle.seek(offset)
        entries = struct.unpack(f"<{sector // 4}I", handle.read(sector))
        base = fat_sectors.index(number) * (sector // 4)
        used = [base + i for i, entry in enumerate(entries) if entry != 0xFFFFFFFF]
        if used:
            last_used = max(last_used, used[-1])
    return (last_used + 2) * sector <= size
