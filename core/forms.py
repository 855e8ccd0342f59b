"""A form as the pipeline carries it: the file it came from, its unit and period, its clean rows,
and the problems found in it as it is read, cleaned and checked."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from redcross.core.periods import Period
from redcross.core.problems import Problem


@dataclass(frozen=True)
class Arrival:
    """A file as it arrived: where it is, its bytes' SHA-256, its modification time, and when it landed
    where the run found it (its status-change time there, which a copy or a move sets)."""

    path: Path
    sha256: str
    received_at: datetime  # UTC, naive: the modification time the file carries (which form supersedes which)
    landed_at: datetime | None = None  # UTC, naive

    @property
    def name(self) -> str:
        """The file's name as text; bytes that are not UTF-8 (a name from a GBK machine) show as �."""
        return os.fsencode(self.path.name).decode("utf-8", "replace")

    @property
    def submission_id(self) -> str:
        return self.sha256[:16]


@dataclass(frozen=True)
class Labelled:
    """A labelled value above the table (填报单位, 报告期): its text and the cell it came from."""

    text: str | None
    cell: str | None


@dataclass(frozen=True)
class RowsAt:
    """A form's clean rows as a stretch of a frame it shares with the other forms of its batch.

    A frame object per form (even a zero-copy slice) costs several kilobytes of bookkeeping, more
    than its dozen rows: at tens of thousands of forms that decides the run's memory.
    """

    frame: pl.DataFrame
    offset: int
    length: int

    @classmethod
    def whole(cls, frame: pl.DataFrame) -> RowsAt:
        return cls(frame, 0, frame.height)


@dataclass
class Form:
    """One unit's figures for one period, as read from a file; `problems` fills in as it is checked.

    A district's form gives one; a city summary workbook gives one per unit row of each year's
    sheet (`part` then names the sheet and row, and keeps submission ids apart).
    """

    arrival: Arrival
    sheet: str | None = None
    unit_written: Labelled = field(default_factory=lambda: Labelled(None, None))
    period_written: Labelled = field(default_factory=lambda: Labelled(None, None))
    unit_code: str | None = None
    period: Period | None = None
    rows_at: RowsAt | None = None  # the clean rows (see `rows`)
    raw_rows: dict[str, list] | None = None  # read, not yet cleaned (see transforms.forms.clean_forms)
    part: str | None = None
    formulas: dict[str, str] = field(default_factory=dict)  # cell -> formula text, where no result was saved
    problems: list[Problem] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    @property
    def rows(self) -> pl.DataFrame | None:
        """The clean rows: indicator, exact value in the stored unit, and the cells they came from."""
        at = self.rows_at
        return None if at is None else at.frame.slice(at.offset, at.length)

    @property
    def readable(self) -> bool:
        return self.rows_at is not None or self.raw_rows is not None

    @property
    def submission_id(self) -> str:
        if self.part is None:
            return self.arrival.submission_id
        return hashlib.sha256(f"{self.arrival.sha256}:{self.part}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class TotalCheck:
    """A summary sheet's 合计 for one indicator beside the sum of its unit rows."""

    forms: tuple[Form, ...]
    sheet: str
    cell: str
    indicator_code: str
    given: object
    summed: object


def stack_rows(numbered: list[tuple[int, Form]]) -> pl.DataFrame:
    """Many forms' rows as one frame, with `form` (the number given) and `row_key` ("form:place").

    `row_key` numbers each row by its place in the stack, after its form's number: it must tell
    every row apart, and a sheet row does not (a unit's row of a summary workbook gives one row per
    indicator column, each with the same sheet row). The keys are built as plain lists: one polars
    call per form would cost more than the rows.
    """
    if not numbered:
        return pl.DataFrame()
    by_frame: dict[int, tuple[pl.DataFrame, list[int], list[int]]] = {}
    for i, f in numbered:
        at = f.rows_at
        _, take, form = by_frame.setdefault(id(at.frame), (at.frame, [], []))
        take += range(at.offset, at.offset + at.length)
        form += [i] * at.length
    parts = [frame[take].with_columns(pl.Series("form", form, pl.Int64)) for frame, take, form in by_frame.values()]
    return (
        pl.concat(parts, how="vertical_relaxed")
        .sort("form", maintain_order=True)
        .with_columns(pl.format("{}:{}", pl.col("form"), pl.int_range(pl.len())).alias("row_key"))
    )


def night_rows(forms: list[Form]) -> pl.DataFrame:
    """The clean rows of every form that has them, stacked once (`stack_rows`), `form` numbering each
    by its place in `forms`: validation and loading each take the forms they need from it (`rows_of`)."""
    return stack_rows([(i, f) for i, f in enumerate(forms) if f.rows_at is not None])


def accepted_forms(forms: list[Form]) -> list[tuple[int, Form]]:
    """The forms the warnings are checked on (accepted so far, with a period and rows), each with its
    place in `forms`: the number its rows carry in the night's stack."""
    return [(i, f) for i, f in enumerate(forms) if not f.rejected and f.period and f.rows_at is not None]


def rows_for(numbered: list[tuple[int, Form]], rows: pl.DataFrame | None) -> pl.DataFrame:
    """The rows of these numbered forms: taken from the night's stack (`night_rows`) where given, else stacked."""
    return stack_rows(numbered) if rows is None else rows_of(rows, [i for i, _ in numbered])


def rows_of(rows: pl.DataFrame, numbers: list[int]) -> pl.DataFrame:
    """The stacked rows of the forms numbered `numbers`, as `stack_rows` would give them for those forms alone."""
    if "form" not in rows.columns:  # nothing was stacked
        return rows
    return rows.filter(pl.col("form").is_in(numbers))


# A unit's figures, as the warehouse holds them and a year-on-year check compares them.
FIGURE_KEYS = ["unit_code", "year", "month", "indicator_code"]
FIGURES_SCHEMA = {"unit_code": pl.String, "year": pl.Int32, "month": pl.Int32, "indicator_code": pl.String,
                  "value": pl.Decimal(18, 2)}
# A unit's figures in force with where each came from, as a cumulative figure is compared with them.
YEAR_TO_DATE_SCHEMA = FIGURES_SCHEMA | {"file_name": pl.String, "sheet": pl.String, "cell": pl.String}
