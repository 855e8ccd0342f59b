"""What the read layer hands on: each sheet as a grid of cell text, or why the file cannot be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the names the grids give their columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class CellDate:
    """A cell holding a date (a spreadsheet program makes one of a typed `2017年6月`), as it is shown.

    `shows` is the finest part its number format shows: "year" (`yyyy"年"`), "month"
    (`yyyy"年"m"月"`) or "day"; `shown` is the text the clerk sees in the cell.
    """

    value: date
    shows: str
    shown: str


@dataclass(frozen=True)
class SheetGrid:
    """The cells of one sheet as text, and the formula cells that carry no cached value.

    `cells` has one string column per sheet column, named by its letter, and a `row` column holding
    the sheet's own row number, so a value can always be traced to its cell. A date cell's text in
    `cells` is what the cell shows; `dates` says which cells hold dates, and which date.
    """

    sheet: str
    cells: pl.DataFrame
    formulas_without_value: dict[str, str] = field(default_factory=dict)  # cell -> formula text
    dates: dict[str, CellDate] = field(default_factory=dict)  # cell -> the date it holds


class UnreadableFile(Exception):
    """A file that cannot be read as a spreadsheet; the message is for the district clerk."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en
