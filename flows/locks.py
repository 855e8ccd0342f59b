"""`redcross lock` and `redcross unlock`: the data manager closes a period once its figures are quoted
(封账), and opens it again.

Like `redcross review` each holds the home's one-writer lock, writes the writer's database and then
publishes the warehouse whole; no row in `runs`, no file read, no Prefect flow. A lock killed after
its write and before its publish is in force for every run at once (runs read the writer's file);
asked again, it says the period is locked and publishes what the killed one did not.
"""

from __future__ import annotations

from redcross.core.locks import Lock, LockRefused, period_named
from redcross.flows.plumbing.writing_run import fault_point, home_lock, utc_now
from redcross.read.home import Home
from redcross.warehouse import writer
from redcross.warehouse.publish import publish
from redcross.warehouse.snapshot import open_warehouse


def lock_period(home: Home, lock: Lock) -> None:
    """Close the period and publish. Raises LockRefused, changing nothing, if it is locked already."""
    with home_lock(home, wait=True):
        con = writer.open_writer(home.writer)
        try:
            held = writer.lock_in_force(con, lock.year, lock.month)
            if held is None:
                writer.insert_lock(con, lock, utc_now())
        finally:
            con.close()
        if held is not None:
            _publish_if_behind(home)
            zh, en = period_named(lock.year, lock.month)
            raise LockRefused(f"{zh}已封账（{held.reason}）", f"{en} is locked already ({held.reason})")
        fault_point("lock")
        publish(home.writer, home.published)


def unlock_period(home: Home, year: int, month: int | None, reason: str) -> str:
    """Open the period again and publish; the reason it had been locked for. Raises LockRefused,
    changing nothing, if it is not locked."""
    with home_lock(home, wait=True):
        con = writer.open_writer(home.writer)
        try:
            held = writer.lock_in_force(con, year, month)
            if held is not None:
                writer.unlock(con, year, month, reason, utc_now())
        finally:
            con.close()
        if held is None:
            _publish_if_behind(home)
            zh, en = period_named(year, month)
            raise LockRefused(f"{zh}未封账", f"{en} is not locked")
        fault_point("lock")
        publish(home.writer, home.published)
    return held.reason


def _publish_if_behind(home: Home) -> None:
    """Publish when the analysts' copy lacks a lock or unlock the writer has: one killed before its publish."""
    with open_warehouse(home.writer) as con:
        wanted = writer.locks_signature(con)
    published = None
    if home.published.exists():
        with open_warehouse(home.published) as con:
            published = writer.locks_signature(con)
    if published != wanted:
        publish(home.writer, home.published)
