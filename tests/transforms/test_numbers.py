from decimal import Decimal

import polars as pl
import pytest

from redcross.transforms.numbers import parse_figure


def parsed(text):
    return pl.DataFrame({"t": [text]}, schema={"t": pl.String}).select(parse_figure("t")).item()


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [
        ("21810", "21810", None),
        ("21,810", "21810", None),
        ("２１８１０", "21810", None),
        ("２１，８１０", "21810", None),
        ("1459.55万元", "1459.55", "万元"),
        (" 300 人 ", "300", "人"),
        ("-", "0", None),
        ("—", "0", None),
        ("/", "0", None),
        ("0", "0", None),
        ("-5", "-5", None),
        ("0.123456", "0.123456", None),
    ],
)
def test_figures_parse_exactly(text, number, unit):
    result = parsed(text)
    assert result["status"] == "ok"
    assert result["number"] == Decimal(number)
    assert result["unit"] == unit


@pytest.mark.parametrize(
    ("text", "status"),
    [(None, "empty"), ("   ", "empty"), ("abc", "not_a_number"), ("12,34", "not_a_number"),
     ("1e5", "not_a_number"), ("1.1234567", "too_many_places"), ("5人民币", "not_a_number")],
)
def test_bad_figures_are_named_not_guessed(text, status):
    result = parsed(text)
    assert result["status"] == status
    assert result["number"] is None
