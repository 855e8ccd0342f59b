"""Exact arithmetic for figures: half-up rounding (四舍五入) at display, percentages, 万元.

Nothing here uses binary floating point: values are `Decimal` or `Fraction` until they are shown.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

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
    """numerator / denominator x 100, exact; None without a denominator (or a zero one)."""
    if denominator is None or denominator == 0:
        return None
    return Fraction(numerator) * 100 / Fraction(denominator)


def in_wan(value: Decimal) -> Decimal:
    """An amount in 元 as 万元, exact (dividing by 10^4 only moves the decimal point)."""
    return value.scaleb(-4)


def shown_value(value: Decimal | None, kind: str) -> str | None:
    """A stored figure as the report shows it: money in 万元 with two places, counts whole (half-up)."""
    if value is None:
        return None
    return str(round_half_up(in_wan(value), 2)) if kind == "money" else str(round_half_up(value, 0))


def plain_amount(value: Decimal | None, kind: str) -> str | None:
    """A stored figure as text, as a clerk writes it: counts whole, money in 元 with two places."""
    if value is None:
        return None
    return str(round_half_up(value, 2 if kind == "money" else 0))
