"""Writing a file whole: a reader, or a process killed at any moment, sees the old file or the new one."""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PARTIAL = ".partial-"  # `.partial-<pid>-<name>`: a file being written, renamed to <name> once whole


@contextmanager
def written_whole(target: Path, sync: bool = True) -> Iterator[Path]:
    """A path beside `target` to write to; once the block ends it becomes `target` in one rename.

    With `sync`, the file and the rename are on disk when the block ends; without, the caller
    makes many files durable at once with `sync_disk` (a fsync each costs a night of a thousand
    rejected files seconds).
    What a killed process leaves behind is removed by the next run (`read.home.sweep_partials`).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f"{PARTIAL}{os.getpid()}-{target.name}")
    try:
        yield temp
        if sync:
            with temp.open("rb+") as handle:
                os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if sync:
        _fsync_folder(target.parent)  # the rename itself survives a power cut


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def sync_disk(folder: Path) -> None:
    """Everything written to the file system holding `folder` is on disk when this returns: one
    syncfs(2) where the C library has it, else os.sync()."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        handle = os.open(folder, os.O_RDONLY)
    except (OSError, AttributeError):
        os.sync()
        return
    try:
        if not hasattr(libc, "syncfs") or libc.syncfs(handle) != 0:
            os.sync()
    finally:
        os.close(handle)


def abandoned(partial: Path) -> bool:
    """Whether a `.partial-<pid>-` file's writer is gone (its file will never be finished)."""
    pid = partial.name[len(PARTIAL):].split("-", 1)[0]
    return not (pid.isdigit() and _alive(int(pid)))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal sent; PermissionError also means the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True
