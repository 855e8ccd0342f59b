"""The helper processes of a run, behind one protocol: validation (Great Expectations) and reading.

A helper is a fresh interpreter on this module (`python -P -m redcross.flows.plumbing.processes <fd> <service>`; `-P`
keeps the current folder off `sys.path`, so a folder holding a `redcross/` of its own cannot shadow ours), given
its end of a socket pair. The run sends requests `(operation, *arguments)` and gets back
`(True, value)` or `(False, exception)`; `None` tells the helper to stop, and a helper whose pipe
closes stops too. Not multiprocessing's spawn: that imports the caller's `__main__` again, and a
caller's script is not ours to run twice.

- validation: imports Great Expectations as soon as it starts (seconds of one core), so
  a run that starts it before reading its files has it ready when they are read; then `check`
  and `docs` requests (see expectations.suites.SuiteRunner).
- reading: `scope` once, then `read` requests of batches of files (see flows.plumbing.intake.read_paths);
  one per core, since reading is mostly Python and threads of one process take turns.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import nullcontext, suppress
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Self

import polars as pl

from redcross.core.logs import follow_parent

CHECK_ROWS = 200_000  # rows validated at a time: GX holds a table as pandas objects, several times its size
PR_SET_PDEATHSIG = 1


class HelperStopped(RuntimeError):
    """A helper process that stopped answering: it died, or was killed."""


class Helper:
    """One helper process and this process's end of its pipe."""

    def __init__(self, service: str, die_with_this_thread: bool = False) -> None:
        """Start `service`. With `die_with_this_thread` (Linux; for a helper started while the main
        thread is the only one, as `redcross run` does first thing) the kernel kills the helper the
        moment that thread ends: one busy importing GX would otherwise notice a killed run only
        when it next reads its pipe, seconds later."""
        ours, theirs = socket.socketpair()
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-P", "-m", __name__, str(theirs.fileno()), service],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},  # see cli.main
                # asked for only while this process has no other thread, so the fork is safe
                preexec_fn=_killed_with_parent(os.getpid()) if die_with_this_thread else None,  # noqa: PLW1509
            )
        self.conn = Connection(ours.detach())
        self.service = service

    def call(self, operation: str, *arguments):
        """Send a request and wait for its answer; an exception in the helper is raised here."""
        self.send(operation, *arguments)
        return self.answer()

    def send(self, operation: str, *arguments) -> None:
        """Send a request; its answer is read by `answer`, in the order requests were sent."""
        try:
            self.conn.send((operation, *arguments))
        except OSError as exc:
            raise self._stopped() from exc

    def answer(self):
        try:
            ok, value = self.conn.recv()
        except (EOFError, OSError) as exc:
            raise self._stopped() from exc
        if not ok:
            raise value
        return value

    def _stopped(self) -> HelperStopped:
        return HelperStopped(f"the {self.service} process stopped (exit code {self.process.poll()})")

    def close(self) -> None:
        """Ask the helper to stop, and wait for it (killing it after 30 s)."""
        with suppress(OSError):  # a helper that already stopped
            self.conn.send(None)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()
        self.conn.close()

    def kill(self) -> None:
        """Stop a helper that is no longer wanted, without waiting for what it is doing."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.conn.close()


def _killed_with_parent(parent: int) -> Callable[[], None] | None:
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def in_the_child() -> None:  # between fork and exec: only async-signal-safe work
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)

    return in_the_child


# --- validation --------------------------------------------------------------------------------

class ValidationProcess:
    """`expectations.suites.SuiteRunner`'s checks, made in the validation process.

    The results and the Data Docs stay in that process; every expectation of the suites judges a
    row by itself, so a table checked a slice at a time fails exactly the rows the whole would.
    """

    def __init__(self, helper: Helper | None = None) -> None:
        self._helper = helper or Helper("validation")
        self._checked = False
        self._docs_pending = False

    @property
    def checked_anything(self) -> bool:
        return self._checked

    def check(self, name: str, table: pl.DataFrame, parameters: dict | None = None) -> list:
        if table.is_empty():
            return []
        self._checked = True
        failures = []
        for start in range(0, table.height, CHECK_ROWS):
            failures += self._helper.call("check", name, _pack(table.slice(start, CHECK_ROWS)), parameters)
        return failures

    def write_docs(self, folder: Path, files: dict[str, str]) -> None:
        """Have the process write the Data Docs while this one files away and writes the reports."""
        self._helper.send("docs", folder, files)
        self._docs_pending = True

    def docs_written(self) -> None:
        if self._docs_pending:
            self._docs_pending = False
            self._helper.answer()

    def close(self) -> None:
        self._helper.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, failed, *_) -> None:
        if _kept_between_runs and failed is None and not self._docs_pending:
            self._helper.call("renew")  # a fresh runner, GX imported already: the next run's early process
            _hand_over(self._helper)
            return
        self.close()


_early: Helper | None = None  # a validation process waiting for the next run of this command
_kept_between_runs = False


@atexit.register
def _kill_early() -> None:
    """The command ends: a validation process no run took (nothing to check, another run busy, no next night)."""
    if _early is not None:
        _early.kill()


def keep_validation_between_runs() -> None:
    """Keep the validation process when a run ends, for the next run of this command (the demo's
    nights, one after another): GX is imported once, not once a night. Each run still has a runner
    of its own."""
    global _kept_between_runs
    _kept_between_runs = True


def _hand_over(helper: Helper) -> None:
    global _early
    if _early is None:
        _early = helper
    else:
        helper.close()


def start_validation_early() -> None:
    """Start the validation process now, for the run this command is about to make.

    A command line run spends a second or more importing its own code and opening the warehouse
    before it reads a file; GX imports meanwhile on the other core instead of after.
    """
    global _early
    if _early is None:
        _early = Helper("validation", die_with_this_thread=threading.active_count() == 1)


def take_early() -> Helper | None:
    """The validation process `start_validation_early` started, handed over once; None if there is none."""
    global _early
    early, _early = _early, None
    return early


def validation_for(paths: list[Path]):
    """Where a run with these files checks them, as a context manager.

    With files to check, GX is imported in a process of its own while they are read (the one
    started early, if any); a process that has GX already (a test session, say) checks here at no
    start-up cost, and a run with nothing to check needs neither.
    """
    early = take_early()
    fresh = bool(paths) and "great_expectations" not in sys.modules
    if early is not None and not fresh:
        early.kill()
    if fresh:
        return ValidationProcess(early)
    from redcross.expectations.suites import SuiteRunner

    return nullcontext(SuiteRunner())


def _pack(table: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, list], list[str]]:
    """A table for the pipe: polars cannot serialise Object columns (exact Decimals), so they
    travel as lists beside the rest."""
    objects = [name for name, dtype in table.schema.items() if dtype == pl.Object]
    return table.drop(objects), {name: table[name].to_list() for name in objects}, table.columns


def _unpack(packed: tuple[pl.DataFrame, dict[str, list], list[str]]) -> pl.DataFrame:
    frame, objects, order = packed
    return frame.with_columns(pl.Series(name, values, dtype=pl.Object) for name, values in objects.items()).select(order)


def _validation_service() -> dict[str, Callable]:
    from redcross.expectations.suites import SuiteRunner

    runners = [SuiteRunner()]
    _ = runners[0].context  # import GX and make its context now, while the parent reads files

    def renew() -> None:  # the next run's: nothing of the last run's results or pages kept
        runners[0] = SuiteRunner()
        _ = runners[0].context

    return {"check": lambda name, packed, parameters: runners[0].check(name, _unpack(packed), parameters),
            "docs": lambda folder, files: runners[0].write_docs(folder, files), "renew": renew}


# --- reading -----------------------------------------------------------------------------------

class Readers:
    """`count` reading processes, each told the run's scope once; `read` uses whichever is idle."""

    def __init__(self, scope, count: int | None = None) -> None:
        self._all: list[Helper] = []
        self._idle: queue.Queue[Helper] = queue.Queue()
        try:
            for _ in range(count or os.cpu_count() or 1):
                helper = Helper("reading")
                self._all.append(helper)
                helper.call("scope", scope)
                self._idle.put(helper)
        except BaseException:
            self.close()
            raise

    def read(self, paths: list[Path]):
        helper = self._idle.get()
        try:
            return helper.call("read", paths)
        except HelperStopped as exc:
            raise HelperStopped(f"a reading process stopped while reading {paths[0].name} … {paths[-1].name}") from exc
        finally:
            self._idle.put(helper)

    def close(self) -> None:
        for helper in self._all:
            helper.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _reading_service() -> dict[str, Callable]:
    from redcross.flows.plumbing.intake import read_paths

    state = {}
    return {"scope": lambda scope: state.update(scope=scope),
            "read": lambda paths: read_paths(paths, state["scope"])}


SERVICES = {"validation": _validation_service, "reading": _reading_service}


def serve(conn: Connection, service: str) -> None:
    """A helper: answer requests until told to stop or orphaned.

    Ctrl-C reaches every process of the terminal's group: the run that started a helper decides
    what an interrupt means, and stops it; the helper itself ignores SIGINT.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    follow_parent()
    try:
        handlers, broken = SERVICES[service](), None
    except Exception as exc:  # noqa: BLE001 - said in answer to the first request
        handlers, broken = {}, exc
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        operation, *arguments = request
        try:
            if broken is not None:
                raise broken
            answer = (True, handlers[operation](*arguments))
        except Exception as exc:  # noqa: BLE001 - raised again in the run's process
            answer = (False, exc)
        try:
            conn.send(answer)
        except Exception as exc:  # noqa: BLE001 - an answer that does not pickle
            conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}; answering {answer[1]!r:.500}")))


if __name__ == "__main__":  # a helper, given its end of the pipe and its service
    from redcross.flows.plumbing.processes import (
        serve as serve_by_name,  # the module by its name, so answers unpickle as such
    )

    serve_by_name(Connection(int(sys.argv[1])), sys.argv[2])
