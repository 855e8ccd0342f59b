"""Property tests (hypothesis): the number parser reads back exactly what was written, in every way
districts write figures; rounding is the textbook half-away-from-zero (四舍五入) for every input."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from redcross.core.decimals import round_half_up
from redcross.core.labels import MEASURE_UNITS
from redcross.transforms.numbers import MAX_PLACES, parse_figure

FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789,.+-"}


def parse_all(texts: list[str]) -> list[dict]:
    return pl.DataFrame({"t": texts}, schema={"t": pl.String}).select(parse_figure("t").alias("p"))["p"].to_list()


def grouped(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    return separator.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


@st.composite
def written_figures(draw):
    """(text as a district might write it, the exact number it means, the unit written in the cell)."""
    whole = draw(st.integers(min_value=0, max_value=10**15))
    places = draw(st.integers(min_value=0, max_value=MAX_PLACES))
    fraction = draw(st.integers(min_value=0, max_value=10**places - 1)) if places else 0
    negative = draw(st.booleans())
    digits = str(whole)
    if whole >= 1000 and draw(st.booleans()):
        digits = grouped(digits, ",")
    text = digits + (f".{fraction:0{places}d}" if places else "")
    if draw(st.booleans()) and places:  # 0.5 written .5
        text = text.removeprefix("0") if text.startswith("0.") else text
    sign = "-" if negative else draw(st.sampled_from(["", "+"]))
    text = sign + text
    if draw(st.booleans()):
        text = "".join(FULL_WIDTH.get(c, c) for c in text)
    unit = draw(st.sampled_from([None, *MEASURE_UNITS]))
    space = draw(st.sampled_from(["", " ", "\u3000", "\t"]))
    text = f"{space}{text}{draw(st.sampled_from(['', ' ', '　']))}{unit or ''}{space}"
    exact = Decimal(whole) + Decimal(fraction).scaleb(-places)
    return text, -exact if negative else exact, unit


@settings(max_examples=400, deadline=None)
@given(st.lists(written_figures(), min_size=1, max_size=25))
@example([("２１，８１０", Decimal(21810), None)])
@example([("1459.55万元", Decimal("1459.55"), "万元")])
@example([("-0.000001", Decimal("-0.000001"), None)])
def test_every_way_of_writing_a_figure_parses_to_the_exact_decimal(figures):
    parsed = parse_all([text for text, _, _ in figures])
    for (text, number, unit), result in zip(figures, parsed, strict=True):
        assert (result["status"], result["number"], result["unit"]) == ("ok", number, unit), text


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1000, max_value=10**15), st.integers(min_value=0, max_value=2))
def test_misplaced_separators_are_not_a_number_never_a_guess(number, shift):
    text = grouped(str(number), ",")
    digits = text.replace(",", "")
    wrong = digits[: 3 - shift + 1] + "," + digits[3 - shift + 1:] if shift else text + ",5"
    if wrong.count(",") == 1 and len(wrong.split(",")[1]) == 3 and not wrong.split(",")[0].startswith("0"):
        return  # still a correct grouping
    (result,) = parse_all([wrong])
    assert result["status"] == "not_a_number" and result["number"] is None, wrong


# --- rounding half away from zero --------------------------------------------------------------

def textbook(value: Fraction, places: int) -> Fraction:
    """Shift the point, add one half to the magnitude, cut the fraction off, shift back; keep the sign."""
    magnitude = abs(value) * 10**places
    whole = int(magnitude + Fraction(1, 2))  # int() floors a non-negative Fraction
    return Fraction(whole if value >= 0 else -whole, 10**places)


# Decimals a warehouse column can hold: DECIMAL(38, s), up to 38 digits and 10 places.
warehouse_decimals = st.decimals(min_value=Decimal("-1e27"), max_value=Decimal("1e27"), places=10,
                                 allow_nan=False, allow_infinity=False)


@settings(max_examples=1000, deadline=None)
@given(warehouse_decimals, st.integers(min_value=0, max_value=10))
@example(Decimal("0.5"), 0)
@example(Decimal("-0.5"), 0)
@example(Decimal("2.675"), 2)
@example(Decimal("150.745"), 2)
@example(Decimal("-1.0049999999"), 2)
@example(Decimal("99999999999999999999999999.995"), 2)
def test_rounding_is_half_away_from_zero_on_exact_decimals(value, places):
    rounded = round_half_up(value, places)
    assert Fraction(rounded) == textbook(Fraction(value), places)
    with localcontext() as ctx:
        ctx.prec = 80
        assert rounded == value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    assert rounded.as_tuple().exponent == -places  # shown with exactly `places` decimals


@settings(max_examples=1000, deadline=None)
@given(st.integers(min_value=-(10**20), max_value=10**20), st.integers(min_value=1, max_value=10**12),
       st.integers(min_value=0, max_value=6))
@example(1, 3, 2)
@example(-2, 3, 0)
@example(15075, 100, 1)
@example(-5, 2, 0)
def test_rounding_an_exact_quotient_is_half_away_from_zero(numerator, denominator, places):
    value = Fraction(numerator, denominator)  # completion and growth are such quotients
    rounded = round_half_up(value, places)
    assert Fraction(rounded) == textbook(value, places)
    assert rounded.as_tuple().exponent == -places
