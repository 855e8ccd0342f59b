"""What the read layer hands on: each sheet as a grid of cell text, or why the file cannot be read."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl


@dataclass(frozen=True)
class SheetGrid:
    """The cells of one sheet as text, and the formula cells that carry no cached value.

    `cells` has one string column per sheet column, named by its letter, and a `row` column holding
    the sheet's own row number, so a value can always be traced to its cell.
    """

    sheet: str
    cells: pl.DataFrame
    formulas_without_value: dict[str, str] = field(default_factory=dict)  # cell -> formula text


class UnreadableFile(Exception):
    """A file that cannot be read as a spreadsheet; the message is for the district clerk."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en
