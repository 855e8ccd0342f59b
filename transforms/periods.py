"""The 报告期 as districts write it, to the months it covers.

A period is a year followed by one of the wordings of `PERIOD_WORDINGS`, the one table of what
offices write: the first row that matches the whole rest of the text decides. A row gives its
months outright, or takes them from the numbers written (`1-6月`, `1-3季度`). What a row gives is
not judged here: `2017年4-6月` reads as April to June, and the validation rejects it as not
cumulative, as it rejects month 13.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redcross.core.labels import fold
from redcross.core.periods import Period
from redcross.core.sheets import CellDate

_YEAR = re.compile(r"^(?P<year>\d{4})(?P<rest>.*)$")
_TO = r"(?:-|~|—|–|−|至|到)"  # full-width forms are folded to these first
_END = r"(?:份)?(?:累计)?"


@dataclass(frozen=True)
class Wording:
    """A way of writing the part after the year: a regular expression for all of it, and its months.

    `months` is (first, last) when the wording names them; else they come from the groups
    `first` (January where absent) and `last`, counted in months, or in quarters when `per` is 3.
    """

    pattern: str
    months: tuple[int, int] | None = None
    per: int = 1


PERIOD_WORDINGS: tuple[Wording, ...] = (
    Wording(rf"年度?{_END}", (1, 12)),
    Wording(r"年?全年", (1, 12)),
    Wording(r"年?上半年", (1, 6)),
    Wording(r"年?下半年", (7, 12)),
    Wording(r"年?第?一季度", (1, 3)),
    Wording(r"年?第?二季度", (4, 6)),
    Wording(r"年?第?三季度", (7, 9)),
    Wording(r"年?第?四季度", (10, 12)),
    Wording(r"年?前三季度", (1, 9)),
    Wording(rf"年?第?(?P<first>\d)(?:季度)?{_TO}第?(?P<last>\d)季度{_END}", per=3),
    Wording(rf"年度?(?P<last>\d{{1,2}})月{_END}"),
    Wording(rf"年度?(?P<first>\d{{1,2}})月?{_TO}(?P<last>\d{{1,2}})月{_END}"),
)
_COMPILED = tuple((re.compile(w.pattern), w) for w in PERIOD_WORDINGS)


def _read(text: str) -> tuple[int, Wording, re.Match] | None:
    """The year, the first row of `PERIOD_WORDINGS` that reads the rest, and its match."""
    match = _YEAR.match(fold(text))
    if not match:
        return None
    for pattern, wording in _COMPILED:
        if (found := pattern.fullmatch(match["rest"])) is not None:
            return int(match["year"]), wording, found
    return None


def wording_of(text: str) -> Wording | None:
    """The row of `PERIOD_WORDINGS` that reads the text, or None."""
    read = _read(text)
    return read[1] if read else None


def parse_period(text: str | None) -> Period | None:
    """`2017年` is the full year; `2017年1-6月` January to June; `2017年6月` the same, cumulative;
    `2017年上半年`, `2017年前三季度` and the other wordings of `PERIOD_WORDINGS` as they say."""
    read = _read(text) if text else None
    if read is None:
        return None
    year, wording, found = read
    if wording.months is not None:
        return Period(year, *wording.months)
    first = int(found["first"]) if "first" in found.groupdict() else 1
    return Period(year, (first - 1) * wording.per + 1, int(found["last"]) * wording.per)


def period_of_date(cell: CellDate) -> Period:
    """A date given as the 报告期: its year where the cell shows only the year, else January to its month."""
    if cell.shows == "year":
        return Period(cell.value.year, 1, 12)
    return Period(cell.value.year, 1, cell.value.month)
