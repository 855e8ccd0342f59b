"""A lock on a period: what the warehouse keeps of it, validation checks forms
against, and the data manager's commands name."""

from __future__ import annotations

from dataclasses import dataclass

from redcross.core.periods import period_label, period_label_en


@dataclass(frozen=True)
class Lock:
    """A period closed by the data manager (`redcross lock`): 1..month of the year, or with no month the
    whole year, every period of it."""

    year: int
    month: int | None
    reason: str


class LockRefused(ValueError):
    """Locking a period locked already, or unlocking one that is not: nothing was changed."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh}，未做改动 / {en}; nothing changed")


def period_named(year: int, month: int | None) -> tuple[str, str]:
    """The period a lock is on, in Chinese and English: `2017年（全年各期）`, `2017年1-6月`."""
    if month is None:
        return f"{year}年（全年各期）", f"{year} (the whole year, every period)"
    return period_label(year, month), period_label_en(year, month)


def lock_closing(locks: list[Lock], year: int, month: int) -> Lock | None:
    """The lock in force that closes the period 1..month of the year: the period's own, else its year's."""
    own = [lock for lock in locks if lock.year == year and lock.month == month]
    whole_year = [lock for lock in locks if lock.year == year and lock.month is None]
    return (own or whole_year or [None])[0]
