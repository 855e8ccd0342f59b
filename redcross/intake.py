"""From a file in the inbox to a checked form: read it, clean it, and say what is wrong with it.

`read_form(path)` is the edge; `check_forms` runs the validation suites over all of a night's
forms at once and turns each failure into a `Problem` naming file, sheet, cell, indicator and
value.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from expectations.rules import Problem, problem, threshold
from expectations.suites import SuiteRunner
from redcross.figures import round_half_up
from redcross.registry import Registry
from redcross.workbook import SPREADSHEET_SUFFIXES, SheetGrid, UnreadableFile, read_sheets
from transforms.forms import (
    RAW_ROW_SCHEMA,
    FormLayout,
    Labelled,
    Period,
    clean_form_rows,
    form_rows,
    locate_form,
    parse_period,
)
from transforms.summary import SummaryLayout, is_total_row, locate_summary, summary_rows


@dataclass(frozen=True)
class Arrival:
    """A file as it arrived: where it is, its bytes' SHA-256 and its modification time."""

    path: Path
    sha256: str
    received_at: datetime  # UTC, naive

    @property
    def name(self) -> str:
        """The file's name as text; bytes that are not UTF-8 (a name from a GBK machine) show as �."""
        return os.fsencode(self.path.name).decode("utf-8", "replace")

    @property
    def submission_id(self) -> str:
        return self.sha256[:16]


def arrival(path: Path) -> Arrival:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
    return Arrival(path, digest.hexdigest(), mtime)


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
    raw_rows: dict[str, list] | None = None  # read, not yet cleaned: columns of RAW_ROW_SCHEMA (see clean_forms)
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


@dataclass
class Intake:
    """What a run read: new forms, forms from files already received, and summary sheets' 合计 checks."""

    forms: list = field(default_factory=list)
    repeats: list = field(default_factory=list)
    total_checks: list = field(default_factory=list)


@dataclass(frozen=True)
class TotalCheck:
    """A summary sheet's 合计 for one indicator beside the sum of its unit rows."""

    forms: tuple[Form, ...]
    sheet: str
    cell: str
    indicator_code: str
    given: object
    summed: object


def indicator_keys_frame(registry: Registry) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "key": list(registry.indicator_keys),
            "indicator_code": list(registry.indicator_keys.values()),
            "kind": [registry.indicator(c).kind for c in registry.indicator_keys.values()],
        }
    )


def read_form(path: Path, registry: Registry, max_bytes: int | None = None) -> Form:
    """The district form in a file (the first visible sheet holding one)."""
    return read_file(path, registry, max_bytes)[0][0]


def read_file(path: Path, registry: Registry, max_bytes: int | None = None) -> tuple[list[Form], list[TotalCheck]]:
    """Every form a file holds, read and cleaned (see `read_file_raw` and `clean_forms`)."""
    forms, checks = read_file_raw(path, registry, max_bytes)
    clean_forms(forms, registry)
    return forms, checks


def clean_forms(forms: list[Form], registry: Registry) -> None:
    """Clean the rows of many forms in one polars query: per-form queries cost more than their rows."""
    waiting = [(i, f) for i, f in enumerate(forms) if f.raw_rows is not None]
    if not waiting:
        return
    columns: dict[str, list] = {name: [] for name in (*RAW_ROW_SCHEMA, "is_formula", "_form")}
    for i, form in waiting:
        for name, values in form.raw_rows.items():
            columns[name] += values
        columns["_form"] += [i] * len(form.raw_rows["row"])
    together = pl.DataFrame(columns, schema={**RAW_ROW_SCHEMA, "is_formula": pl.Boolean, "_form": pl.UInt32})
    cleaned = (
        clean_form_rows(together.lazy(), indicator_keys_frame(registry))
        .sort("_form", "row")
        .collect()
        .rechunk()
    )
    counts = dict(cleaned.group_by("_form").len().iter_rows())
    offset, rows = 0, cleaned.drop("_form")
    for i, form in waiting:
        length = counts.get(i, 0)
        form.rows_at = RowsAt(rows, offset, length)
        form.raw_rows = None
        offset += length


def read_file_raw(
    path: Path, registry: Registry, max_bytes: int | None = None
) -> tuple[list[Form], list[TotalCheck]]:
    """Every form a file holds: a district form, or a summary workbook's unit rows, year by year.

    A district form's rows are left to `clean_forms`; problems that stop reading (an unreadable
    file, no form at all) come back as one form carrying the problem, so every file is accounted for.
    """
    unreadable = Form(arrival(path))
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        unreadable.problems.append(problem("unreadable_file", file=path.name,
                                           value=f"不支持的文件类型 {path.suffix or '(无扩展名)'} / unsupported file type"))
        return [unreadable], []
    forms: list[Form] = []
    checks: list[TotalCheck] = []
    try:
        for grid in read_sheets(path, **({"max_bytes": max_bytes} if max_bytes else {})):
            layout = locate_form(grid.cells)
            if layout is not None:
                if not forms:  # a district form: the first sheet holding one is the form
                    forms = [_district_form(unreadable.arrival, grid, layout, registry)]
                break
            summary = locate_summary(grid.cells, registry.indicator_keys)
            if summary is not None:
                sheet_forms, sheet_checks = _summary_forms(unreadable.arrival, grid, summary, registry)
                forms += sheet_forms
                checks += sheet_checks
    except UnreadableFile as exc:
        unreadable.problems.append(problem("unreadable_file", file=path.name, value=f"{exc.zh} / {exc.en}"))
        return [unreadable], []
    if not forms:
        unreadable.problems.append(problem("no_form_found", file=path.name))
        return [unreadable], []
    return forms, checks


def _marking_formulas(rows: pl.LazyFrame, grid: SheetGrid) -> pl.LazyFrame:
    formulas = pl.lit(sorted(grid.formulas_without_value), pl.List(pl.String))
    return rows.with_columns(pl.col("value_cell").is_in(formulas).alias("is_formula"))


def _district_form(source: Arrival, grid: SheetGrid, layout: FormLayout, registry: Registry) -> Form:
    unit = registry.unit_for(layout.unit.text) if layout.unit.text else None
    rows = form_rows(grid.cells, layout)
    rows["is_formula"] = [cell in grid.formulas_without_value for cell in rows["value_cell"]]
    return Form(
        source, grid.sheet, layout.unit, layout.period, unit.code if unit else None,
        parse_period(layout.period.text), raw_rows=rows, formulas=grid.formulas_without_value,
    )


def _summary_forms(source: Arrival, grid: SheetGrid, layout: SummaryLayout, registry: Registry):
    """A form per unit row of a year's sheet, and the sheet's 合计 checks."""
    raw = _marking_formulas(summary_rows(grid.cells, layout), grid)
    rows = clean_form_rows(raw, indicator_keys_frame(registry)).collect().sort("row")
    period = parse_period(grid.sheet if "年" in grid.sheet else f"{grid.sheet}年")
    period_written = Labelled(grid.sheet, None)
    forms, total_rows = [], None
    for (row_number, unit_name, unit_cell), unit_rows in rows.group_by(
        "row", "unit_name", "unit_name_cell", maintain_order=True
    ):
        if is_total_row(unit_name):
            total_rows = unit_rows
            continue
        unit = registry.unit_for(unit_name)
        forms.append(Form(
            source, grid.sheet, Labelled(unit_name, unit_cell), period_written, unit.code if unit else None,
            period, RowsAt.whole(unit_rows.drop("unit_name", "unit_name_cell")), part=f"{grid.sheet}!{row_number}",
            formulas=grid.formulas_without_value,
        ))
    checks = []
    if total_rows is not None:
        summed = rows.filter(~pl.col("row").is_in([total_rows["row"][0]])).group_by("indicator_code").agg(
            pl.col("value").sum())
        sums = dict(summed.iter_rows())
        for code, value, cell in total_rows.select("indicator_code", "value", "value_cell").iter_rows():
            if code is not None:
                checks.append(TotalCheck(tuple(forms), grid.sheet, cell, code, value, sums.get(code)))
    return forms, checks


def check_totals(checks: list[TotalCheck], registry: Registry, runner: SuiteRunner) -> None:
    """A 合计 row that differs from the sum of its units rejects every unit row of that sheet."""
    if not checks:
        return
    table = pl.DataFrame(
        {"row_key": [str(i) for i in range(len(checks))], "given": [c.given for c in checks],
         "summed": [c.summed for c in checks]},
        schema={"row_key": pl.String, "given": pl.Object, "summed": pl.Object},
    )
    for failure in runner.check("summary_totals", table):
        check = checks[int(failure.row_key)]
        kind = registry.indicator(check.indicator_code).kind
        found = problem(
            "total_mismatch", file=check.forms[0].arrival.name if check.forms else "", sheet=check.sheet,
            cell=check.cell, indicator=registry.indicator(check.indicator_code).name,
            value=_plain(check.given, kind), expected=_plain(check.summed, kind),
        )
        for form in check.forms:
            form.problems.append(found)


def stack_rows(numbered: list[tuple[int, Form]]) -> pl.DataFrame:
    """Many forms' rows as one frame, with `form` (the number given) and `row_key` ("form:row").

    The keys are built as plain lists: one polars call per form would cost more than the rows.
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
        .with_columns(pl.format("{}:{}", pl.col("form"), pl.col("row")).alias("row_key"))
    )


def _headers_table(forms: list[Form], today: date) -> pl.DataFrame:
    def unit_status(form: Form) -> str:
        if not form.unit_written.text:
            return "missing"
        return "ok" if form.unit_code else "unknown"

    return pl.DataFrame(
        {
            "row_key": [str(i) for i, _ in forms],
            "unit_status": [unit_status(f) for _, f in forms],
            "year": [f.period.year if f.period else None for _, f in forms],
            "month": [f.period.month if f.period else None for _, f in forms],
            "first_month": [f.period.first_month if f.period else None for _, f in forms],
            "months_ahead": [
                (f.period.year * 12 + f.period.month) - (today.year * 12 + today.month) if f.period else None
                for _, f in forms
            ],
        },
        schema={"row_key": pl.String, "unit_status": pl.String, "year": pl.Int64, "month": pl.Int64,
                "first_month": pl.Int64, "months_ahead": pl.Int64},
    )


def check_forms(forms: list[Form], registry: Registry, runner: SuiteRunner, today: date) -> None:
    """Run the three form suites over every readable form together; add what fails to each form."""
    readable = [(i, f) for i, f in enumerate(forms) if f.readable]
    if not readable:
        return
    by_key = dict(readable)
    for failure in runner.check("form_headers", _headers_table(readable, today)):
        form = by_key[int(failure.row_key)]
        form.problems.append(_header_problem(failure.rule, form, registry))

    rows = stack_rows(readable)
    checked = rows.select("row_key", "indicator_code", "value_status", "number", "count_is_whole", "money_unit")
    failures = runner.check("form_rows", checked)
    located = _rows_named(rows, failures)
    for failure in failures:
        row = located[failure.row_key]
        form = by_key[row["form"]]
        form.problems.append(_row_problem(failure.rule, form, row, registry))

    coverage = (
        pl.DataFrame({"form": [i for i, _ in readable]})
        .join(pl.DataFrame({"indicator_code": [ind.code for ind in registry.indicators]}), how="cross")
        .join(
            rows.filter(pl.col("indicator_code").is_not_null())
            .group_by("form", "indicator_code")
            .agg(pl.len().alias("rows_found"), pl.col("value_cell").sort_by("row").str.join(", ").alias("cells")),
            on=["form", "indicator_code"], how="left",
        )
        .with_columns(pl.col("rows_found").fill_null(0), pl.format("{}:{}", "form", "indicator_code").alias("row_key"))
    )
    failures = runner.check("form_coverage", coverage.select("row_key", "rows_found"))
    located = _rows_named(coverage, failures)
    for failure in failures:
        row = located[failure.row_key]
        form = by_key[row["form"]]
        form.problems.append(problem(
            failure.rule, file=form.arrival.name, sheet=form.sheet, cell=row["cells"],
            indicator=registry.indicator(row["indicator_code"]).name, value=row["rows_found"],
        ))


def _rows_named(table: pl.DataFrame, failures: list) -> dict[str, dict]:
    """The rows that failed, by row_key, as dicts: a night has hundreds of thousands of rows and few failures."""
    if not failures:
        return {}
    wanted = table.filter(pl.col("row_key").is_in(list({f.row_key for f in failures})))
    return {row["row_key"]: row for row in wanted.iter_rows(named=True)}


def _header_problem(rule: str, form: Form, registry: Registry) -> Problem:
    if rule in {"missing_unit", "unknown_unit"}:
        return problem(rule, file=form.arrival.name, sheet=form.sheet, cell=form.unit_written.cell,
                       value=form.unit_written.text, expected="、".join(u.name for u in registry.units))
    expected = f"{form.period.year}年1-{form.period.month}月" if form.period else None
    return problem(rule, file=form.arrival.name, sheet=form.sheet, cell=form.period_written.cell,
                   value=form.period_written.text, expected=expected)


def _row_problem(rule: str, form: Form, row: dict, registry: Registry) -> Problem:
    code = row["indicator_code"]
    indicator = registry.indicator(code).name if code else row["label"]
    cell = row["label_cell"] if rule == "unknown_indicator" else row["value_cell"]
    value = row["label"] if rule == "unknown_indicator" else row["value_text"]
    if rule == "formula_without_value":
        value = form.formulas.get(cell)
    if rule == "money_unit":
        value = row["money_unit"] or "（空 / empty）"
    return problem(rule, file=form.arrival.name, sheet=form.sheet, cell=cell, indicator=indicator, value=value)


def history_keys(forms: list[Form]) -> set[tuple[str, int, int]]:
    """(unit, year, month) of the period a year before each accepted form's."""
    return {(f.unit_code, f.period.year - 1, f.period.month) for f in forms if not f.rejected and f.period and f.unit_code}


FIGURE_KEYS = ["unit_code", "year", "month", "indicator_code"]
FIGURES_SCHEMA = {"unit_code": pl.String, "year": pl.Int32, "month": pl.Int32, "indicator_code": pl.String,
                  "value": pl.Decimal(18, 2)}


def same_night_figures(forms: list[Form]) -> pl.DataFrame:
    """Figures of tonight's accepted forms, the latest file winning, as a year-earlier lookup would see them
    (FIGURES_SCHEMA)."""
    accepted = [(i, f) for i, f in enumerate(forms) if not f.rejected and f.period and f.rows_at is not None]
    if not accepted:
        return pl.DataFrame(schema=FIGURES_SCHEMA)
    periods = pl.DataFrame(
        {"form": [i for i, _ in accepted], "unit_code": [f.unit_code for _, f in accepted],
         "year": [f.period.year for _, f in accepted], "month": [f.period.month for _, f in accepted],
         "received_at": [f.arrival.received_at for _, f in accepted]},
        schema={"form": pl.Int64, "unit_code": pl.String, "year": pl.Int32, "month": pl.Int32,
                "received_at": pl.Datetime("us")},
    )
    return (
        stack_rows(accepted).select("form", "indicator_code", "value").join(periods, on="form")
        .sort("received_at", maintain_order=True)
        .unique(subset=FIGURE_KEYS, keep="last", maintain_order=True)
        .select(list(FIGURES_SCHEMA)).cast(FIGURES_SCHEMA)
    )


def prefer_later(earlier: pl.DataFrame, later: pl.DataFrame) -> pl.DataFrame:
    """Two sets of figures as one, the later's figure where both have one."""
    both = pl.concat([earlier.select(list(FIGURES_SCHEMA)).cast(FIGURES_SCHEMA), later.cast(FIGURES_SCHEMA)])
    return both.unique(subset=FIGURE_KEYS, keep="last", maintain_order=True)


def check_history(forms: list[Form], priors: pl.DataFrame, registry: Registry, runner: SuiteRunner) -> None:
    """Warn where an accepted form's figure strays from the unit's own figure a year earlier.

    `priors` holds (unit, year, month, indicator, value) as the warehouse (or tonight's forms)
    hold them. Only rows with such a figure are checked (without one neither rule can fail); the
    ratio is an exact Decimal quotient used only for the comparison.
    """
    limit = threshold("yoy_ratio")
    accepted = [(i, f) for i, f in enumerate(forms) if not f.rejected and f.period and f.rows_at is not None]
    if not accepted:
        return
    year_before = pl.DataFrame(
        {"form": [i for i, _ in accepted], "unit_code": [f.unit_code for _, f in accepted],
         "year": [f.period.year - 1 for _, f in accepted], "month": [f.period.month for _, f in accepted]},
        schema={"form": pl.Int64, "unit_code": pl.String, "year": pl.Int32, "month": pl.Int32},
    )
    compared = (
        stack_rows(accepted)
        .select("row_key", "form", "indicator_code", "value", "value_cell", "prior_value", "prior_cell")
        .join(year_before, on="form")
        .join(priors.cast(FIGURES_SCHEMA).rename({"value": "warehouse_prior"}), on=FIGURE_KEYS, how="inner")
    )
    if compared.is_empty():
        return
    values, earlier = compared["value"].to_list(), compared["warehouse_prior"].to_list()
    checked = pl.DataFrame({
        "row_key": compared["row_key"],
        "ratio": pl.Series([v / p if p else None for v, p in zip(values, earlier, strict=True)], dtype=pl.Object),
        "form_prior": pl.Series(compared["prior_value"].to_list(), dtype=pl.Object),
        "warehouse_prior": pl.Series(earlier, dtype=pl.Object),
    })
    failures = runner.check("form_history", checked, {"yoy_ratio_min": 1 / limit, "yoy_ratio_max": limit})
    located = _rows_named(compared, failures)
    for failure in failures:
        row = located[failure.row_key]
        form, prior = forms[row["form"]], row["warehouse_prior"]
        indicator = registry.indicator(row["indicator_code"])
        where = {"file": form.arrival.name, "sheet": form.sheet, "indicator": indicator.name}
        if failure.rule == "yoy_outlier":
            form.problems.append(problem(
                "yoy_outlier", cell=row["value_cell"], value=_plain(row["value"], indicator.kind),
                expected=_plain(prior, indicator.kind), ratio=round_half_up(row["value"] / prior, 2), limit=limit,
                **where))
        else:
            form.problems.append(problem(
                "prior_mismatch", cell=row["prior_cell"], value=_plain(row["prior_value"], indicator.kind),
                expected=_plain(prior, indicator.kind), **where))


def _plain(value, kind: str) -> str:
    """A stored figure as a clerk wrote it: counts whole, money in 元 with two places."""
    return str(round_half_up(value, 0 if kind == "count" else 2))
