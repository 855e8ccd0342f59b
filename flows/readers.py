"""Reading processes for the thread runner: every core reads, not one at a time.

Reading a form is mostly Python (cutting out its rows, locating its labels), so the threads of
Prefect's thread runner take turns on one interpreter lock and a night reads on one core. With
more than one batch to read, a run starts one reading process per core: each thread's
`read_batch` task hands its batch to an idle process and waits. The processes import only the
reading code (no Prefect), are told the run's scope once, and exit when the run closes them or
goes away. Process and Dask runners already read in parallel and read in their own workers.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
from contextlib import suppress
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Self

from redcross.intake import Intake, clean_forms, read_file_raw
from redcross.processes import start_helper


class ReadScope:
    """What every reading batch of a run shares: the registry, the SHA-256s accepted before, and
    the plan's years and unit. A plain class on purpose: Prefect walks a task's dataclass and
    collection arguments looking for futures, and walking a province's registry and tens of
    thousands of hashes for every batch would cost more than reading it (`quote`, which stops
    that walk, does not survive the trip to a Dask worker).
    """

    def __init__(self, registry, accepted: frozenset[str], years: frozenset[int] | None, unit: str | None,
                 rerun_known: bool) -> None:
        self.registry = registry
        self.accepted = accepted
        self.years = years
        self.unit = unit
        self.rerun_known = rerun_known
        self.readers: Readers | None = None  # this process's reading processes, if it started any

    def __getstate__(self) -> dict:
        return {**self.__dict__, "readers": None}  # a process of its own reads for itself

    def in_scope(self, form) -> bool:
        """Forms outside the chosen years or unit are left alone; unreadable ones are always reported."""
        if self.years is not None and form.period is not None and form.period.year not in self.years:
            return False
        return self.unit is None or form.unit_code is None or form.unit_code == self.unit


def read_paths(paths: list[Path], scope: ReadScope) -> Intake:
    """Read and clean a batch of files, here and now.

    Files whose bytes were accepted before are only filed away again; a file rejected before is
    checked again (nothing of it is loaded twice), so it goes back to quarantine with its reasons.
    """
    intake = Intake()
    for path in paths:
        forms, checks = read_file_raw(path, scope.registry)
        forms = [f for f in forms if scope.in_scope(f)]
        if forms and forms[0].arrival.sha256 in scope.accepted and not scope.rerun_known:
            intake.repeats += forms
        else:
            intake.forms += forms
            kept = {id(f) for f in forms}
            intake.total_checks += [c for c in checks if all(id(f) in kept for f in c.forms)]
    clean_forms(intake.forms, scope.registry)
    return intake


class Readers:
    """`count` reading processes, each told `scope` once; `read` uses whichever is idle."""

    def __init__(self, scope: ReadScope, count: int | None = None) -> None:
        self._processes: list[subprocess.Popen] = []
        self._idle: queue.Queue[Connection] = queue.Queue()
        self._all: list[Connection] = []
        try:
            for _ in range(count or os.cpu_count() or 1):
                process, conn = start_helper(__name__)
                self._processes.append(process)
                conn.send(scope)
                self._all.append(conn)
                self._idle.put(conn)
        except BaseException:
            self.close()
            raise

    def read(self, paths: list[Path]) -> Intake:
        conn = self._idle.get()
        try:
            conn.send(paths)
            ok, value = conn.recv()
        except (EOFError, OSError) as exc:
            raise RuntimeError(f"a reading process stopped while reading {paths[0].name} … {paths[-1].name}") from exc
        finally:
            self._idle.put(conn)
        if not ok:
            raise value
        return value

    def close(self) -> None:
        for conn in self._all:
            with suppress(OSError):  # a reading process that already stopped
                conn.send(None)
        for process in self._processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for conn in self._all:
            conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _serve(conn: Connection) -> None:
    """A reading process: take the scope, then read each batch sent until told to stop or orphaned."""
    try:
        scope = conn.recv()
        while (paths := conn.recv()) is not None:
            try:
                answer = (True, read_paths(paths, scope))
            except Exception as exc:  # noqa: BLE001 - raised again in the run's process
                answer = (False, exc)
            conn.send(answer)
    except (EOFError, OSError):
        return


if __name__ == "__main__":  # a reading process of Readers, given its end of the pipe
    from flows.readers import _serve as serve  # the module by its name, so answers unpickle as such

    serve(Connection(int(sys.argv[1])))
