"""Exact parsing of the figures districts write: `21,810`, `２１８１０`, `1459.55万元`, `-` for zero.

A figure becomes a polars Decimal straight from its text; it never passes through a float.
"""

from __future__ import annotations

import polars as pl

from redcross.core.labels import MEASURE_UNITS
from redcross.transforms.labels import fold_expr

NUMBER_DTYPE = pl.Decimal(38, 6)
MAX_PLACES = 6
ZERO_MARKS = ["0", "-", "--", "—", "——", "–", "/", "\\"]
_NUMBER = (
    r"^(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)"
    r"(?P<unit>" + "|".join(MEASURE_UNITS) + r")?$"
)


def parse_figure(text: str) -> pl.Expr:
    """A struct of the figure in column `text`: number, unit written in the cell, places, status.

    status is "ok", "empty" (nothing in the cell), "not_a_number", or "too_many_places"
    (more than six decimal places, which no form has reason to carry).
    """
    folded = fold_expr(pl.col(text))
    parts = folded.str.extract_groups(_NUMBER)
    digits = (
        pl.when(folded.is_in(ZERO_MARKS)).then(pl.lit("0"))
        .otherwise(parts.struct.field("num").str.replace_all(",", ""))
    )
    places = digits.str.extract(r"\.(\d+)$", 1).str.len_chars().fill_null(0)
    status = (
        pl.when(folded.is_null() | (folded == "")).then(pl.lit("empty"))
        .when(digits.is_null()).then(pl.lit("not_a_number"))
        .when(places > MAX_PLACES).then(pl.lit("too_many_places"))
        .otherwise(pl.lit("ok"))
    )
    number = pl.when(status == "ok").then(digits.cast(NUMBER_DTYPE, strict=False))
    return pl.struct(
        number=number,
        unit=parts.struct.field("unit"),
        places=places,
        status=status,
    )
