"""The Prefect shell around the pipeline's steps, and the same steps run without it.

`@flow` marks a flow's body and `@step` each of its steps; the bodies are written once. Where a
Prefect server is in use (PREFECT_API_URL set and answering, or a Prefect flow run already under
way), a flow is a Prefect flow run and each step a task run, with its retries, as the UI shows
them. Where none is, the same body runs in this process as plain calls, steps retried the same
way, and Prefect is never imported: a small night then costs seconds, not the ten a temporary
Prefect server takes to start and stop. Either way the run is recorded in the warehouse.
"""

from __future__ import annotations

import contextvars
import functools
import importlib
import logging
import os
import sys
import time
import tomllib
import types
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from redcross.core.logs import quiet_terminal_handlers
from redcross.flows.plumbing.runners import executor, task_runner

LOG = logging.getLogger("redcross")
_local_runner: contextvars.ContextVar[Executor | None] = contextvars.ContextVar("local_runner", default=None)


def in_prefect_run() -> bool:
    """Whether this code runs inside a Prefect flow or task run."""
    if "prefect" not in sys.modules:
        return False
    from prefect.context import FlowRunContext, TaskRunContext

    return FlowRunContext.get() is not None or TaskRunContext.get() is not None


def run_logger() -> logging.Logger | logging.LoggerAdapter:
    """Prefect's run logger inside a Prefect run (its lines reach the UI), else the `redcross` logger."""
    if in_prefect_run():
        from prefect import get_run_logger

        return get_run_logger()
    return LOG


def prefect_api_url() -> str | None:
    """The Prefect API this process is configured for, read without importing Prefect if it is not
    imported already: $PREFECT_API_URL, else the active profile (`prefect config set ...`)."""
    if "prefect" in sys.modules:
        from prefect.settings import get_current_settings

        return get_current_settings().api.url
    if url := os.environ.get("PREFECT_API_URL"):
        return url
    home = Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()
    profiles_file = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml")
    try:
        profiles = tomllib.loads(profiles_file.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active", "ephemeral")
    return profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")


def answers(url: str, timeout: float = 3.0) -> bool:
    """Whether anything answers HTTP at the API's health check (a refusal for want of credentials counts)."""
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def prefect_server() -> str | None:
    """The URL of the Prefect server this run should report to, or None to run without Prefect."""
    url = prefect_api_url()
    if not url:
        return None
    if answers(url):
        return url
    LOG.warning("Prefect 服务器 %s 无应答，本次运行不经 Prefect / no Prefect server answers at %s; "
                "running without it", url, url)
    return None


def _by_name(module: str, name: str):
    return getattr(importlib.import_module(module), name)


class Step:
    """A step of a flow: a Prefect task inside a Prefect run, a plain call (retried alike) outside one."""

    def __init__(self, fn: Callable, retries: int = 0, retry_delay_seconds: float = 0) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.retries = retries
        self.retry_delay_seconds = retry_delay_seconds

    def __call__(self, *args, **kwargs):
        if in_prefect_run():
            from prefect.utilities.annotations import quote

            # quoted: Prefect would otherwise walk every form of a night looking for futures
            return self.task(*(quote(a) for a in args), **{k: quote(v) for k, v in kwargs.items()})
        return self.plain(*args, **kwargs)

    def submit(self, *args):
        """Run in the flow's task runner (Prefect) or its executor (without); `.result()` waits."""
        if in_prefect_run():
            return self.task.submit(*args)
        executor = _local_runner.get()
        if executor is None:
            raise RuntimeError(f"{self.__name__}.submit() outside a flow")
        return executor.submit(self.plain, *args)

    def plain(self, *args, **kwargs):
        """The step itself, retried as its task would be."""
        for attempt in range(self.retries + 1):
            try:
                return self.fn(*args, **kwargs)
            except Exception as exc:
                if attempt == self.retries:
                    raise
                LOG.warning("%s 失败，%s 秒后重试 / failed (%s); retrying in %s s",
                            self.__name__, self.retry_delay_seconds, exc, self.retry_delay_seconds)
                time.sleep(self.retry_delay_seconds)
        raise AssertionError("unreachable")

    @functools.cached_property
    def task(self):
        from prefect import task
        from prefect.cache_policies import NONE

        return task(self.fn, name=self.__name__, retries=self.retries,
                    retry_delay_seconds=self.retry_delay_seconds, cache_policy=NONE)

    def __reduce__(self):  # by name: a Prefect or Dask worker imports the module instead
        return _by_name, (self.__module__, self.__qualname__)


def step(retries: int = 0, retry_delay_seconds: float = 0) -> Callable[[Callable], Step]:
    """Mark a function as a step; only I/O steps retry."""
    return lambda fn: Step(fn, retries, retry_delay_seconds)


class Flow:
    """A flow: a Prefect flow run where a server is in use, the same body here where none is."""

    def __init__(self, fn: Callable, name: str, runner: str | None = None, dask_address: str | None = None) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.name = name
        self.runner = runner
        self.dask_address = dask_address

    def __call__(self, *args, **kwargs):
        if prefect_server():
            return self.prefect(*args, **kwargs)
        return self.local(*args, **kwargs)

    def local(self, *args, **kwargs):
        """The body in this process, without Prefect."""
        with local_executor(self.runner, self.dask_address):
            return self.fn(*args, **kwargs)

    @functools.cached_property
    def prefect(self):
        """The Prefect flow of the same body (for runs against a server, and `redcross serve`).

        Its function is a copy of the body named `<flow>.prefect`: a served run finds its flow
        again by the body's file and qualified name, and must find this, not the shell around it.
        """
        from prefect import flow

        quiet_terminal_handlers()  # Prefect has just set up its logging: into the run's log file, if it has one
        body = types.FunctionType(self.fn.__code__, self.fn.__globals__, self.fn.__name__, self.fn.__defaults__,
                                  self.fn.__closure__)
        functools.update_wrapper(body, self.fn)
        body.__kwdefaults__ = self.fn.__kwdefaults__
        body.__qualname__ = f"{self.__qualname__}.prefect"
        return flow(body, name=self.name, log_prints=False, task_runner=task_runner(self.runner, self.dask_address))

    def with_options(self, task_runner: str | None = None, dask_address: str | None = None) -> Flow:
        """The same flow reading with another task runner (threads, processes or dask)."""
        return Flow(self.fn, self.name, task_runner or self.runner, dask_address or self.dask_address)

    def __reduce__(self):
        return _by_name, (self.__module__, self.__qualname__)


def flow(name: str) -> Callable[[Callable], Flow]:
    return lambda fn: Flow(fn, name)


@contextmanager
def local_executor(kind: str | None = None, dask_address: str | None = None):
    """What `Step.submit` runs on without Prefect: threads, processes, or a Dask cluster."""
    with executor(kind, dask_address) as pool:
        token = _local_runner.set(pool)
        try:
            yield pool
        finally:
            _local_runner.reset(token)


def threads_read_here() -> bool:
    """Whether steps submitted now run on threads of this process (so reading processes pay)."""
    if in_prefect_run():
        from prefect.context import FlowRunContext
        from prefect.task_runners import ThreadPoolTaskRunner

        context = FlowRunContext.get()
        return context is not None and isinstance(context.task_runner, ThreadPoolTaskRunner)
    return isinstance(_local_runner.get(), ThreadPoolExecutor)


def artifact(key: str, markdown: str, description: str) -> None:
    """A Markdown artifact on the Prefect flow run; without Prefect the summary is printed instead."""
    if in_prefect_run():
        from prefect.artifacts import create_markdown_artifact

        create_markdown_artifact(key=key, markdown=markdown, description=description)
