"""Filing originals away once a run has committed: accepted ones to archive/, rejected ones to
quarantine/ with their reasons beside them. Every file appears whole or not at all."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

from redcross.core.files import PARTIAL, sync_disk, written_whole
from redcross.core.forms import Form
from redcross.core.problems import Problem
from redcross.read.home import Home


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


CLOSING = "请改正后重新报送。/ Please correct the form and send it again."


def write_reasons(home: Home, path: Path, submission_id: str, problems: list[Problem], sync: bool) -> Path:
    """A rejected file's reasons in quarantine/, as JSON and as text; returns where the original goes."""
    stem = _fitting(f"{submission_id}-{path.name}", NAME_MAX - len(".reason.json") - len(f"{PARTIAL}{os.getpid()}-"))
    name = os.fsencode(path.name).decode("utf-8", "replace")
    lines = [f"文件 / file: {name}", "未予接收，原因如下 / rejected for these reasons:", ""]
    lines += [p.line() + "\n" for p in problems]
    lines.append(CLOSING)
    # the text as Windows Notepad of any age reads it: UTF-8 with a BOM, CRLF line ends
    reasons = {".reason.json": (json.dumps({"file": name, "problems": [p.as_dict() for p in problems]},
                                           ensure_ascii=False, indent=2), "utf-8"),
               ".reason.txt": ("\r\n".join("\n".join(lines).splitlines()) + "\r\n", "utf-8-sig")}
    for suffix, (text, encoding) in reasons.items():
        with written_whole(home.quarantine / f"{stem}{suffix}", sync=sync) as temp:
            temp.write_text(text, encoding=encoding, newline="")
    return home.quarantine / stem


def file_away(home: Home, forms: list[Form], move: bool) -> None:
    """Archive each original with anything accepted under its SHA-256; quarantine the rest with reasons.

    Every rejected file's reasons are written first and made durable together (one sync of the
    disk, not two per file); only then are the originals moved, so that even a power cut never
    leaves an original in quarantine without its reasons.
    """
    by_file: dict[Path, list[Form]] = {}
    for form in forms:
        by_file.setdefault(form.arrival.path, []).append(form)
    targets: dict[Path, Path] = {}
    for path, file_forms in by_file.items():
        if path.exists() and all(f.rejected for f in file_forms):
            problems = list(dict.fromkeys(p for f in file_forms for p in f.problems))
            targets[path] = write_reasons(home, path, file_forms[0].arrival.submission_id, problems, sync=False)
    if targets:
        sync_disk(home.quarantine)
    for path, file_forms in by_file.items():
        if not path.exists():
            continue
        if path in targets:
            _place(path, targets[path], move)
        else:
            archive_original(home, path, file_forms[0].arrival.sha256, move=move)
