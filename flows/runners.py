"""The task runner a flow spreads its reading over: threads (default), processes, or Dask."""

from __future__ import annotations

import os

RUNNERS = ("threads", "processes", "dask")


def task_runner(kind: str | None = None, dask_address: str | None = None):
    """A Prefect task runner by name (default from REDCROSS_TASK_RUNNER, else threads).

    `dask` runs on a local cluster (in-process workers, one per core) unless `dask_address`
    (or REDCROSS_DASK_ADDRESS) names an existing scheduler, e.g. tcp://10.0.0.5:8786.
    """
    kind = kind or os.environ.get("REDCROSS_TASK_RUNNER") or "threads"
    if kind == "threads":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=os.cpu_count())
    if kind == "processes":
        from prefect.task_runners import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner(max_workers=os.cpu_count())
    if kind == "dask":
        from prefect_dask import DaskTaskRunner

        address = dask_address or os.environ.get("REDCROSS_DASK_ADDRESS")
        if address:
            return DaskTaskRunner(address=address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": 1, "threads_per_worker": os.cpu_count(), "processes": False})
    raise ValueError(f"unknown task runner {kind!r}: one of {', '.join(RUNNERS)}")
