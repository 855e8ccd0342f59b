"""The pipeline's clock: the time of a run, of a decision or a lock, and when a file landed.

It is the wall clock, unless `REDCROSS_NOW` sets it: an ISO 8601 moment (北京时间 when it gives no
offset), at which the clock then stands still. That is for trials and replays (the tests' fixed
clocks, the demo replaying the office's 2017): a file's arrival is then measured back from that
moment by the time since it really landed, so a file copied in a second before a run landed a
second before `REDCROSS_NOW`. Every process of a run (its reading processes too) reads the same
variable, so they agree.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime

from redcross.core.periods import BEIJING

NOW_VARIABLE = "REDCROSS_NOW"


def fixed_now() -> datetime | None:
    """The moment REDCROSS_NOW sets (aware), or None on the wall clock."""
    given = os.environ.get(NOW_VARIABLE, "").strip()
    if not given:
        return None
    try:
        moment = datetime.fromisoformat(given)
    except ValueError:
        raise ValueError(f"{NOW_VARIABLE} 应为 ISO 8601 时间，如 2017-07-05T23:59:00+08:00 / "
                         f"must be an ISO 8601 moment such as 2017-07-05T23:59:00+08:00: {given!r}") from None
    return moment.replace(tzinfo=BEIJING) if moment.tzinfo is None else moment


def utc_now() -> datetime:
    """Now, in UTC without a zone (as the warehouse keeps its times)."""
    moment = fixed_now() or datetime.now(UTC)
    return moment.astimezone(UTC).replace(tzinfo=None)


def today() -> date:
    """Today's date in Beijing (the office's calendar day)."""
    return (fixed_now() or datetime.now(UTC)).astimezone(BEIJING).date()


def landed_at(status_changed: float) -> datetime:
    """When a file landed, from its status-change time (seconds since the epoch), in UTC without a zone.

    On a fixed clock the time since it landed is kept and counted back from REDCROSS_NOW.
    """
    fixed = fixed_now()
    if fixed is None:
        return datetime.fromtimestamp(status_changed, UTC).replace(tzinfo=None)
    since = max(0.0, time.time() - status_changed)
    return datetime.fromtimestamp(fixed.timestamp() - since, UTC).replace(tzinfo=None)
