"""`core.labels`'s folding as polars expressions, for whole columns of labels at once."""

from __future__ import annotations

import polars as pl

from redcross.core.labels import FULLWIDTH, NUMBERING, TRAILING_MEASURE


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """`core.labels.fold` as a polars expression."""
    return expr.str.replace_many(FULLWIDTH).str.replace_all(r"\s+", "")


def label_key_expr(expr: pl.Expr) -> pl.Expr:
    """The lookup key of `core.labels.split_label`, as a polars expression."""
    return fold_expr(expr).str.replace(NUMBERING, "").str.replace(TRAILING_MEASURE, "")


def label_unit_expr(expr: pl.Expr) -> pl.Expr:
    """The unit in brackets at the end of a label, or null."""
    return fold_expr(expr).str.replace(NUMBERING, "").str.extract(TRAILING_MEASURE, 1)
