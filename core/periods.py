"""Report periods: a year, or January to a month of it (the forms report the year to date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone


@dataclass(frozen=True)
class Period:
    year: int
    first_month: int
    month: int


def period_label(year: int, month: int) -> str:
    """`2017年` for the full year, `2017年1-6月` for January to June."""
    return f"{year}年" if month == 12 else f"{year}年1-{month}月"


def period_label_en(year: int, month: int) -> str:
    """`the year 2017`, `January 2017`, `January-June 2017` (months 1-6)."""
    months = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
    if month == 12:
        return f"the year {year}"
    return f"January {year}" if month == 1 else f"January-{months[month - 1]} {year}"


BEIJING = timezone(timedelta(hours=8), "北京时间")  # Asia/Shanghai: UTC+8 all year, no summer time since 1991


def beijing_time(moment: datetime) -> str:
    """A moment the warehouse keeps in UTC (naive or aware) as people read it: 2026-12-03 02:49 北京时间."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return f"{aware.astimezone(BEIJING):%Y-%m-%d %H:%M} 北京时间"
