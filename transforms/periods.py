"""The 报告期 as districts write it, to the months it covers."""

from __future__ import annotations

import re

from core.periods import Period
from core.text import fold

_PERIOD = re.compile(
    r"^(?P<year>\d{4})年度?(?:(?P<first>\d{1,2})月?(?:[-~—–至到](?P<last>\d{1,2}))?月)?(?:份|累计)?$"
)


def parse_period(text: str | None) -> Period | None:
    """`2017年` is the full year; `2017年1-6月` January to June; `2017年6月` the same, cumulative."""
    if not text:
        return None
    match = _PERIOD.match(fold(text))
    if not match:
        return None
    year = int(match["year"])
    if match["first"] is None:
        return Period(year, 1, 12)
    if match["last"] is None:
        return Period(year, 1, int(match["first"]))
    return Period(year, int(match["first"]), int(match["last"]))
