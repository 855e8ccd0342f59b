"""The report's figures, computed from exact totals, and their display (half-up, 四舍五入)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import duckdb

WAN = Decimal(10_000)


def round_half_up(value: Fraction | Decimal, places: int) -> Decimal:
    """Round an exact value half away from zero, as 四舍五入 does, at `places` decimals."""
    exact = Fraction(value)
    scaled = abs(exact) * 10**places
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return (Decimal(whole if exact >= 0 else -whole) / Decimal(10**places)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )


def percent(numerator: Decimal, denominator: Decimal | None) -> Fraction | None:
    if denominator is None or denominator == 0:
        return None
    return Fraction(numerator) * 100 / Fraction(denominator)


@dataclass(frozen=True)
class Figure:
    indicator_code: str
    scope: str  # "city" or a unit_code
    total: Decimal
    target: Decimal | None
    prior_total: Decimal | None

    @property
    def completion(self) -> Fraction | None:
        return percent(self.total, self.target)

    @property
    def growth(self) -> Fraction | None:
        if self.prior_total is None:
            return None
        return percent(self.total - self.prior_total, self.prior_total)


def load_figures(con: duckdb.DuckDBPyConnection, year: int, month: int) -> list[Figure]:
    """City and per-unit figures for a period, in registry order."""
    city = con.execute(
        """select c.indicator_code, c.total, c.target, c.prior_total
           from city_totals c join raw.indicators i using (indicator_code)
           where c.year = ? and c.month = ? order by i.display_order""",
        [year, month],
    ).fetchall()
    units = con.execute(
        """select v.indicator_code, v.unit_code, v.value, p.value
           from indicator_values v
           join raw.indicators i using (indicator_code)
           join raw.units u using (unit_code)
           left join indicator_values p
             on p.unit_code = v.unit_code and p.indicator_code = v.indicator_code
            and p.year = v.year - 1 and p.month = v.month
           where v.year = ? and v.month = ?
           order by i.display_order, u.rowid""",
        [year, month],
    ).fetchall()
    figures = [Figure(code, "city", total, target, prior) for code, total, target, prior in city]
    figures += [Figure(code, unit, value, None, prior) for code, unit, value, prior in units]
    return figures
