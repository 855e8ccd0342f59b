"""The reporting calendar (报送日历): which periods the office collects, when each is due, and
how late a form came.

A period 1..m is due by the end of day `due_day` of month m+1, the full year by `annual_due` of
the next year, both in Beijing; a due date on a listed holiday moves to the next day that is not
one (遇节假日顺延). A period the office collects is expected once it has ended; without `months` only
the periods some unit has reported are. The bundled `calendar.toml` holds the defaults; a home's own
`calendar.toml` replaces what it gives.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from pathlib import Path

from redcross.core.periods import BEIJING

KEYS = ("months", "due_day", "annual_due", "holidays")


class CalendarError(ValueError):
    """A calendar.toml that cannot be used: it names the file and the key."""


@dataclass(frozen=True)
class Calendar:
    months: tuple[int, ...] | None  # None: only the periods in use are expected
    due_day: int
    annual_due: tuple[int, int]  # (month, day) of the next year
    holidays: frozenset[date]

    def due_date(self, year: int, month: int) -> date:
        """The last day (Beijing) on which period 1..month of `year` is on time."""
        if month == 12:
            day = date(year + 1, *self.annual_due)
        else:
            day = date(year, month + 1, self.due_day)
        while day in self.holidays:
            day += timedelta(days=1)
        return day

    def due_at(self, year: int, month: int) -> datetime:
        """The moment period 1..month becomes late: the end of its due day in Beijing, in UTC without a zone."""
        return _utc(self.due_date(year, month) + timedelta(days=1))

    @staticmethod
    def ended_at(year: int, month: int) -> datetime:
        """The end of the period (the end of its last month in Beijing), in UTC without a zone."""
        return _utc(date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1))

    def expected(self, year: int, month: int, now: datetime) -> bool:
        """Whether the office collects this period and it has ended by `now` (UTC, without a zone)."""
        return self.months is not None and month in self.months and self.ended_at(year, month) <= now


def _utc(day: date) -> datetime:
    """Midnight at the start of `day` in Beijing, in UTC without a zone."""
    return datetime.combine(day, time(), BEIJING).astimezone(UTC).replace(tzinfo=None)


def load_calendar(own: Path | None = None) -> Calendar:
    """The bundled calendar, with what the home's own file gives in its place."""
    given = tomllib.loads(resources.files(__package__).joinpath("calendar.toml").read_text("utf-8"))
    name = "core/calendar.toml"
    if own is not None:
        name = str(own)
        try:
            theirs = tomllib.loads(own.read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CalendarError(f"{own}: 不是有效的 TOML / is not valid TOML: {exc}") from None
        unknown = sorted(set(theirs) - set(KEYS))
        if unknown:
            raise CalendarError(f"{own}: 不认识的设置 / unknown key(s): {', '.join(unknown)} "
                                f"(可用 / known: {', '.join(KEYS)})")
        given |= theirs
    return _calendar(given, name)


def _calendar(given: dict, name: str) -> Calendar:
    months = given.get("months")
    if months is not None and (
            not isinstance(months, list) or not months
            or not all(isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12 for m in months)):
        raise CalendarError(f"{name}: months 应为 1 至 12 的月份列表，如 [6, 12] / "
                            f"months must be a list of months 1 to 12, such as [6, 12]: {months!r}")
    due_day = given["due_day"]
    if not isinstance(due_day, int) or isinstance(due_day, bool) or not 1 <= due_day <= 28:
        raise CalendarError(f"{name}: due_day 应为 1 至 28 的日 / due_day must be a day from 1 to 28: {due_day!r}")
    annual = _month_day(given["annual_due"], name)
    holidays = given["holidays"]
    if not isinstance(holidays, list):
        raise CalendarError(f"{name}: holidays 应为日期列表 / holidays must be a list of dates: {holidays!r}")
    return Calendar(None if months is None else tuple(sorted(set(months))), due_day, annual, frozenset(_date(d, name) for d in holidays))


def _month_day(text: object, name: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in str(text).split("-"))
        date(2001, month, day)  # a year without 29 February
    except ValueError:
        raise CalendarError(f"{name}: annual_due 应为 \"MM-DD\"，如 \"01-20\" / annual_due must be "
                            f"\"MM-DD\", such as \"01-20\": {text!r}") from None
    return month, day


def _date(given: object, name: str) -> date:
    if isinstance(given, date) and not isinstance(given, datetime):
        return given
    try:
        return date.fromisoformat(str(given))
    except ValueError:
        raise CalendarError(f"{name}: holidays 中的日期应为 YYYY-MM-DD / a holiday must be a date "
                            f"YYYY-MM-DD: {given!r}") from None
