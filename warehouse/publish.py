"""Publishing: the analysts' file replaced whole by a copy of the (committed) writer's file.

A reader holding the old file open keeps a whole snapshot; new readers get the new one whole
(see `warehouse.snapshot.open_warehouse` for the moment of the swap itself).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from redcross.core.files import written_whole


def publish(writer: Path, published: Path) -> None:
    """Replace the analysts' file whole with a copy of the writer's file."""
    with written_whole(published) as staging:
        shutil.copyfile(writer, staging)
