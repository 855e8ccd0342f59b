"""Ctrl-C (SIGINT) and SIGTERM as exceptions a run can answer: it says what it kept and exits as a
shell expects (128 + the signal's number), with no traceback.

Python turns SIGINT into KeyboardInterrupt; `terminate_on_sigterm` makes SIGTERM raise `Terminated`
the same way (Prefect's flow engine, where one runs, raises its own TerminationSignal instead).
"""

from __future__ import annotations

import signal
import sys
import threading


class Terminated(BaseException):
    """SIGTERM arrived (a service manager or `kill` stopping the command)."""


class Interrupted(BaseException):
    """A command stopped by a signal, with the one line that says what was kept."""

    def __init__(self, signum: int, line: str) -> None:
        super().__init__(line)
        self.signum, self.line = signum, line


NOTHING_CHANGED = ("已中断，未做任何改动（数据库和收件箱照旧）/ "
                   "interrupted; nothing was changed (the warehouse and the inbox are as they were)")


def terminate_on_sigterm() -> None:
    """From now on SIGTERM raises `Terminated` in the main thread, as Ctrl-C raises KeyboardInterrupt
    (called from another thread, as a test may call the command, it leaves the signal as it is)."""
    def raise_terminated(signum, frame):
        raise Terminated()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, raise_terminated)


def interrupt_signal(exc: BaseException) -> int | None:
    """The signal an exception stands for (SIGINT, SIGTERM), or None for any other exception."""
    if isinstance(exc, Interrupted):
        return exc.signum
    if isinstance(exc, KeyboardInterrupt):
        return signal.SIGINT
    if isinstance(exc, Terminated):
        return signal.SIGTERM
    prefect_exceptions = sys.modules.get("prefect.exceptions")  # only where Prefect is in use
    if prefect_exceptions is not None and isinstance(exc, prefect_exceptions.TerminationSignal):
        return exc.signal
    return None
