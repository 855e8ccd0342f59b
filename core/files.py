"""Writing a file whole: a reader, or a process killed at any moment, sees the old file or the new one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PARTIAL = ".partial-"  # `.partial-<pid>-<name>`: a file being written, renamed to <name> once whole


@contextmanager
def written_whole(target: Path) -> Iterator[Path]:
    """A path beside `target` to write to; once the block ends it becomes `target` in one rename.

    What a killed process leaves behind is removed by the next run (`read.home.sweep_partials`).
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
