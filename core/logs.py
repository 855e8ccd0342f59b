"""Where log records go: the libraries' own (Prefect, Great Expectations, Python warnings) to a log
file in the home, and what the pipeline itself has to say to the terminal as well.

The command line sets the file once (`log_to_file`); it is passed on to helper processes in the
environment, and each of them follows it (`follow_parent`) before importing its libraries.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

LOG_FILE_VAR = "REDCROSS_LOG_FILE"
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
CHATTY = ("httpx", "httpcore", "urllib3", "asyncio")  # a line for every request: kept at WARNING


def log_to_file(path: Path) -> Path:
    """Send every log record and Python warning of this process and its helpers to `path`; the
    `redcross` logger's warnings also reach stderr. Call before importing Prefect: it leaves a
    root logger with handlers of its own alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ[LOG_FILE_VAR] = str(path)
    _attach(path)
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.WARNING)
    terminal.setFormatter(logging.Formatter("%(message)s"))
    terminal.redcross_terminal = True
    logging.getLogger("redcross").addHandler(terminal)
    return path


def log_to_terminal() -> None:
    """--verbose: the `redcross` logger's lines (INFO and up) on stderr, once. Prefect, when it is
    imported, prints its own there in its own format: the root logger is left to it."""
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setFormatter(logging.Formatter(FORMAT))
    ours = logging.getLogger("redcross")
    ours.addHandler(terminal)
    ours.setLevel(logging.INFO)
    ours.propagate = False


def follow_parent() -> None:
    """In a helper process: log where the run that started it logs, if it logs to a file."""
    if path := os.environ.get(LOG_FILE_VAR):
        _attach(Path(path))


def quiet_terminal_handlers() -> None:
    """After a library has set up its own logging: its handlers that write to the terminal go, and a
    logger that does not pass its records up gets the log file instead."""
    if not (path := os.environ.get(LOG_FILE_VAR)):
        return
    loggers = [logging.getLogger(), *(v for v in logging.Logger.manager.loggerDict.values()
                                      if isinstance(v, logging.Logger))]
    for logger in loggers:
        noisy = [h for h in logger.handlers if _to_terminal(h)]
        for handler in noisy:
            logger.removeHandler(handler)
        if noisy and not logger.propagate:
            logger.addHandler(_file_handler(Path(path)))
    _attach(Path(path))  # a process Prefect started (a served run) has no file on its root logger yet


def _attach(path: Path) -> None:
    root = logging.getLogger()
    if any(getattr(h, "baseFilename", None) == str(path.absolute()) for h in root.handlers):
        return
    for handler in [h for h in root.handlers if _to_terminal(h)]:
        root.removeHandler(handler)
    root.addHandler(_file_handler(path))
    root.setLevel(logging.INFO)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)


class _RunFormatter(logging.Formatter):
    """Prefect's flow and task run lines carry the run's name, as its own console shows them."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        text = super().formatMessage(record)
        for kind, attribute in (("Task run", "task_run_name"), ("Flow run", "flow_run_name")):
            if name := getattr(record, attribute, None):
                head, _, message = text.partition(": ")
                return f"{head}: {kind} '{name}' - {message}"
        return text


def _file_handler(path: Path) -> logging.Handler:
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(_RunFormatter(FORMAT))
    return handler


def _to_terminal(handler: logging.Handler) -> bool:
    return (isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)
            and getattr(handler, "stream", None) in (sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__)
            and not getattr(handler, "redcross_terminal", False))
