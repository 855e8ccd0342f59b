"""Where a flow spreads its reading: threads (default), processes, or Dask, with Prefect or without."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager

from redcross.core.logs import follow_parent

RUNNERS = ("threads", "processes", "dask")


def runner_kind(kind: str | None, dask_address: str | None = None) -> str:
    """The runner asked for, else $REDCROSS_TASK_RUNNER, else threads; an address alone means dask."""
    kind = kind or ("dask" if dask_address else None) or os.environ.get("REDCROSS_TASK_RUNNER") or "threads"
    if kind not in RUNNERS:
        raise ValueError(f"unknown task runner {kind!r}: one of {', '.join(RUNNERS)}")
    return kind


def task_runner(kind: str | None = None, dask_address: str | None = None):
    """A Prefect task runner by name (default from REDCROSS_TASK_RUNNER, else threads).

    `dask` runs on a local cluster (in-process workers, one per core) unless `dask_address`
    (or REDCROSS_DASK_ADDRESS) names an existing scheduler, e.g. tcp://10.0.0.5:8786.
    """
    kind = runner_kind(kind, dask_address)
    if kind == "threads":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=os.cpu_count())
    if kind == "processes":
        from prefect.task_runners import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner(max_workers=os.cpu_count())
    from prefect_dask import DaskTaskRunner

    address = dask_address or os.environ.get("REDCROSS_DASK_ADDRESS")
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs=_local_cluster())


@contextmanager
def executor(kind: str | None = None, dask_address: str | None = None):
    """The same choice without Prefect: a concurrent.futures executor, or a Dask client."""
    kind = runner_kind(kind, dask_address)
    if kind == "threads":
        with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
            yield pool
    elif kind == "processes":
        import multiprocessing

        with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=multiprocessing.get_context("spawn"),
                                 initializer=follow_parent) as pool:
            yield pool
    else:
        from distributed import Client, LocalCluster

        address = dask_address or os.environ.get("REDCROSS_DASK_ADDRESS")
        if address:
            with Client(address) as client:
                yield client
        else:
            with LocalCluster(**_local_cluster()) as cluster, Client(cluster) as client:
                yield client


def _local_cluster() -> dict:
    return {"n_workers": 1, "threads_per_worker": os.cpu_count(), "processes": False}
