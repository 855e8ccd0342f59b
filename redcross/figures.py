"""The report's figures, computed from exact totals, and their display (half-up, 四舍五入)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

import duckdb

WAN = Decimal(10_000)


def round_half_up(value: Fraction | Decimal, places: int) -> Decimal:
    """Round an exact value half away from zero, as 四舍五入 does, at `places` decimals.

    The result is built from its digits, so no decimal context (28 digits by default) can round it.
    """
    if isinstance(value, Decimal) and value.is_finite():  # the common case, ~10x faster than by Fraction
        digits = max(len(value.as_tuple().digits), value.adjusted() + 1) + places + 2
        rounded = value.quantize(Decimal(1).scaleb(-places), context=Context(prec=digits, rounding=ROUND_HALF_UP))
        return rounded.copy_abs() if rounded.is_zero() else rounded
    exact = Fraction(value)
    whole, rest = divmod(abs(exact.numerator) * 10**places, exact.denominator)  # in whole numbers: no Fractions
    if 2 * rest >= exact.denominator:
        whole += 1
    sign = "-" if exact < 0 and whole else ""
    return Decimal(f"{sign}{whole}E-{places}")


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


@dataclass(frozen=True)
class Source:
    """Where one unit's figure came from: the submission's file and the cell that held it."""

    indicator_code: str
    unit_code: str
    unit_name: str
    value: Decimal
    file_name: str
    sha256: str
    sheet: str
    cell: str
    messages: str  # the submission's warnings, in Chinese; empty when there were none


def load_sources(con: duckdb.DuckDBPyConnection, year: int, month: int) -> list[Source]:
    """The submission, sheet and cell behind every unit figure of a period, in registry order."""
    rows = con.execute(
        """select v.indicator_code, v.unit_code, u.unit_name, v.value, s.file_name, s.sha256, f.sheet, f.cell,
                  array_to_string(list_transform(s.messages, lambda m: m.message_zh), '；')
           from indicator_values v
           join submissions s using (submission_id)
           join raw.form_values f using (submission_id, indicator_code)
           join raw.indicators i using (indicator_code)
           join raw.units u on u.unit_code = v.unit_code
           where v.year = ? and v.month = ?
           order by i.display_order, u.rowid""",
        [year, month],
    ).fetchall()
    return [Source(*row) for row in rows]


def in_wan(value: Decimal) -> Decimal:
    """An amount in 元 as 万元, exact (dividing by 10^4 only moves the decimal point)."""
    return value.scaleb(-4)
