"""Report periods: a year, or January to a month of it (the forms report the year to date)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    year: int
    first_month: int
    month: int


def period_label(year: int, month: int) -> str:
    """`2017年` for the full year, `2017年1-6月` for January to June."""
    return f"{year}年" if month == 12 else f"{year}年1-{month}月"
