"""The long-layout statistics form: where its parts are, and its indicator rows made clean.

`locate_form` finds 填报单位, 报告期 and the header row wherever the district put them;
`form_rows` cuts out the indicator rows (never the footer, which carries names and phone
numbers); `clean_form_rows` matches the indicators and turns every figure into an exact
Decimal in the stored unit. Nothing here reads files or judges the figures: the validation
suites do that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from redcross.core.forms import Arrival, Form, Labelled, RowsAt
from redcross.core.labels import fold
from redcross.core.registry import Registry
from redcross.core.remarks import kept_remark
from redcross.core.sheets import SheetGrid
from redcross.transforms.labels import fold_expr, label_key_expr, label_unit_expr
from redcross.transforms.numbers import parse_figure
from redcross.transforms.periods import parse_period, period_of_date

HEADER_SEARCH_ROWS = 30
NAME_HEADERS = {"指标名称", "指标", "项目", "指标项目"}
VALUE_HEADERS = {"本期数", "本年数", "本年累计", "本年累计数", "本期", "本期累计"}
UNIT_HEADERS = {"计量单位", "单位"}
PRIOR_HEADERS = {"上年同期数", "上年同期", "上年同期累计", "上年同期累计数"}
REMARK_HEADERS = {"备注", "说明", "备注说明"}
FOOTER_LABELS = ("填表人", "联系电话", "填报日期", "单位负责人", "负责人", "审核人", "制表人", "联系人")
UNIT_LABEL = "填报单位"
PERIOD_LABEL = "报告期"
_MONEY_HINT = re.compile(r"(?:金额)?单位[:]?(万元|元)$")


@dataclass(frozen=True)
class FormLayout:
    header_row: int
    end_row: int  # the last row that can hold an indicator
    name_column: str
    value_column: str
    unit_column: str | None
    prior_column: str | None
    remark_column: str | None  # 备注 (or 说明): a clerk's explanation of a figure, per indicator row
    unit: Labelled
    period: Labelled
    money_unit: str | None  # 万元 or 元 from a note such as 金额单位：万元 above the table


def cells_of(grid: pl.DataFrame) -> list[tuple[int, str, str]]:
    """(row, column letter, folded text) of every non-empty cell, in reading order.

    A form is a few hundred cells: a plain pass over them costs far less than a polars query.
    """
    letters, rows = _plain_rows(grid)
    cells = []
    for values in rows:
        row = values[0]
        for letter, value in zip(letters, values[1:], strict=True):
            if value is not None and (text := fold(value)):
                cells.append((row, letter, text))
    return cells


def _plain_rows(grid: pl.DataFrame) -> tuple[list[str], list[tuple]]:
    """The grid's column letters and its rows as tuples (row number first), with no polars query."""
    letters = [c for c in grid.columns if c != "row"]
    if grid.columns[0] != "row":
        grid = grid.select("row", *letters)
    return letters, grid.rows()


def _spaced(label: str) -> str:
    """A pattern for a label as typed, spaces allowed between its characters (`报 告 期`)."""
    return r"\s*".join(map(re.escape, label))


_AFTER_LABEL = {label: re.compile(_spaced(label) + r"[\s:：]*") for label in (UNIT_LABEL, PERIOD_LABEL)}
_NEXT_LABEL = re.compile(r"[\s:：]*(?:" + _spaced(UNIT_LABEL) + "|" + _spaced(PERIOD_LABEL) + ")")


def _as_written(grid: pl.DataFrame, row: int, column: str, label: str | None = None) -> str:
    """A cell's text as the clerk wrote it (not folded), without the label in front of it, for
    messages that quote it; the grid's rows are numbered one after another."""
    text = grid.get_column(column)[row - grid.get_column("row")[0]].strip()
    if label is not None and (found := _AFTER_LABEL[label].search(text)):
        text = _NEXT_LABEL.split(text[found.end():], maxsplit=1)[0]
    return text.strip()


def _labelled(grid: pl.DataFrame, cells: list[tuple[int, str, str]], label: str, stop: int) -> Labelled:
    """The value written after a label (in its cell or the next one on the row), as written."""
    for index, (row, column, text) in enumerate(cells):
        if row >= stop or label not in text:
            continue
        after = text.split(label, 1)[1].lstrip(":")
        after = re.split(UNIT_LABEL + "|" + PERIOD_LABEL, after)[0].strip(":")
        if after:
            return Labelled(_as_written(grid, row, column, label) or after, f"{column}{row}")
        following = cells[index + 1] if index + 1 < len(cells) else None
        if following and following[0] == row:
            return Labelled(_as_written(grid, row, following[1]), f"{following[1]}{row}")
        return Labelled(None, f"{column}{row}")
    return Labelled(None, None)


def locate_form(grid: pl.DataFrame) -> FormLayout | None:
    """Where the parts of the form are, or None when the sheet holds no form."""
    cells = cells_of(grid)
    header = next(
        (
            row for row in sorted({c[0] for c in cells})[:HEADER_SEARCH_ROWS]
            if {c[2] for c in cells if c[0] == row} & NAME_HEADERS
            and {c[2] for c in cells if c[0] == row} & VALUE_HEADERS
        ),
        None,
    )
    if header is None:
        return None
    columns = {text: column for row, column, text in cells if row == header}

    def column_of(names: set[str]) -> str | None:
        return next((columns[n] for n in columns if n in names), None)

    footer = next(
        (row for row, _, text in cells if row > header and text.startswith(FOOTER_LABELS)),
        None,
    )
    hints = [m.group(1) for row, _, text in cells if row < header and (m := _MONEY_HINT.search(text))]
    return FormLayout(
        header_row=header,
        end_row=(footer - 1) if footer else int(grid["row"].max()),
        name_column=column_of(NAME_HEADERS),
        value_column=column_of(VALUE_HEADERS),
        unit_column=column_of(UNIT_HEADERS),
        prior_column=column_of(PRIOR_HEADERS),
        remark_column=column_of(REMARK_HEADERS),
        unit=_labelled(grid, cells, UNIT_LABEL, header),
        period=_labelled(grid, cells, PERIOD_LABEL, header),
        money_unit=hints[0] if hints else None,
    )


RAW_ROW_SCHEMA = {
    "row": pl.Int64, "label": pl.String, "label_cell": pl.String, "unit_text": pl.String, "unit_cell": pl.String,
    "value_text": pl.String, "value_cell": pl.String, "prior_text": pl.String, "prior_cell": pl.String,
    "money_hint": pl.String, "remark": pl.String,
}


def form_rows(grid: pl.DataFrame, layout: FormLayout) -> dict[str, list]:
    """The rows between the header and the footer that name an indicator or hold a figure, as
    columns of plain lists (`RAW_ROW_SCHEMA`), each row's 备注 as `core.remarks.kept_remark` keeps it:
    a form has a few dozen rows, and a night's forms are made one frame together (see
    `clean_form_rows`), so no polars query is spent per form."""
    picked = [layout.name_column, layout.unit_column, layout.value_column, layout.prior_column]
    letters, rows = _plain_rows(grid)
    out: dict[str, list] = {name: [] for name in RAW_ROW_SCHEMA}
    fields = (("label", "label_cell"), ("unit_text", "unit_cell"), ("value_text", "value_cell"),
              ("prior_text", "prior_cell"))
    for values in rows:
        if not layout.header_row < values[0] <= layout.end_row:
            continue
        texts = dict(zip(letters, values[1:], strict=True))
        label, value = texts.get(layout.name_column), texts.get(layout.value_column)
        if label is None and value is None:
            continue
        row = values[0]
        out["row"].append(row)
        for column, (text_name, cell_name) in zip(picked, fields, strict=True):
            out[text_name].append(texts.get(column) if column else None)
            out[cell_name].append(f"{column}{row}" if column else None)
        out["money_hint"].append(layout.money_unit)
        # masked here, before the row goes anywhere: a 备注 may carry a phone or ID number
        out["remark"].append(kept_remark(texts.get(layout.remark_column)) if layout.remark_column else None)
    return out


def clean_form_rows(rows: pl.LazyFrame, indicators: pl.LazyFrame) -> pl.LazyFrame:
    """Match each row to an indicator and make its figure exact, in the stored unit (元 for money).

    `rows` may hold many forms' rows at once (cleaning them together is what makes a night fast);
    `money_hint` carries a form's 金额单位 note, `is_formula` marks a formula cell whose result
    was never saved, and `is_date` a cell holding a date. `indicators` has one row per accepted label: key, indicator_code, kind. Rows whose label
    matches no indicator and carry no figure (section headings, notes) are dropped; rows whose
    label matches nothing but carry a figure stay, with a null indicator_code, for validation.
    """
    parsed = (
        rows.with_columns(
            label_key_expr(pl.col("label")).fill_null("").alias("key"),
            label_unit_expr(pl.col("label")).alias("label_unit"),
            parse_figure("value_text").alias("value_parsed"),
            parse_figure("prior_text").alias("prior_parsed"),
        )
        .join(indicators, on="key", how="left")
        .filter(pl.col("indicator_code").is_not_null() | (pl.col("value_parsed").struct.field("status") != "empty"))
    )
    measure = pl.coalesce(
        pl.col("value_parsed").struct.field("unit"),
        fold_expr(pl.col("unit_text")).replace("", None),
        pl.col("label_unit"),
        pl.col("money_hint"),
    )
    multiplier = pl.when(measure == "万元").then(pl.lit(10_000)).when(measure == "元").then(pl.lit(1))
    is_money = pl.col("kind") == "money"
    scale = pl.when(is_money).then(multiplier).otherwise(pl.lit(1))
    number = pl.col("value_parsed").struct.field("number")
    value = number * scale
    return parsed.with_columns(
        number.alias("number"),
        pl.when(is_money).then(measure.fill_null("")).alias("money_unit"),
        pl.when(pl.col("is_formula")).then(pl.lit("formula_without_value"))
        .when(pl.col("is_date")).then(pl.lit("date"))
        .when(is_money & (((value * 100) % 1) != 0)).then(pl.lit("too_many_places"))
        .otherwise(pl.col("value_parsed").struct.field("status")).alias("value_status"),
        pl.when(pl.col("kind") == "count").then((number % 1) == 0).alias("count_is_whole"),
        value.cast(pl.Decimal(18, 2), strict=False).alias("value"),
        (pl.col("prior_parsed").struct.field("number") * scale).cast(pl.Decimal(18, 2), strict=False).alias("prior_value"),
    ).drop("value_parsed", "prior_parsed", "key", "money_hint", "is_formula", "is_date")


def indicator_keys_frame(registry: Registry) -> pl.LazyFrame:
    """One row per accepted label: its folded key, the indicator it names, and that indicator's kind."""
    return pl.LazyFrame(
        {
            "key": list(registry.indicator_keys),
            "indicator_code": list(registry.indicator_keys.values()),
            "kind": [registry.indicator(c).kind for c in registry.indicator_keys.values()],
        }
    )


def district_form(source: Arrival, grid: SheetGrid, layout: FormLayout, registry: Registry) -> Form:
    """The form a sheet holds, its rows cut out but not yet cleaned (see `clean_forms`)."""
    unit = registry.unit_for(layout.unit.text) if layout.unit.text else None
    rows = form_rows(grid.cells, layout)
    rows["is_formula"] = [cell in grid.formulas_without_value for cell in rows["value_cell"]]
    rows["is_date"] = [cell in grid.dates for cell in rows["value_cell"]]
    period_date = grid.dates.get(layout.period.cell) if layout.period.cell else None
    period = period_of_date(period_date) if period_date else parse_period(layout.period.text)
    return Form(
        source, grid.sheet, layout.unit, layout.period, unit.code if unit else None,
        period, raw_rows=rows, formulas=grid.formulas_without_value,
    )


def clean_forms(forms: list[Form], registry: Registry) -> None:
    """Clean the rows of many forms in one polars query: per-form queries cost more than their rows."""
    waiting = [(i, f) for i, f in enumerate(forms) if f.raw_rows is not None]
    if not waiting:
        return
    columns: dict[str, list] = {name: [] for name in (*RAW_ROW_SCHEMA, "is_formula", "is_date", "_form")}
    for i, form in waiting:
        for name, values in form.raw_rows.items():
            columns[name] += values
        columns["_form"] += [i] * len(form.raw_rows["row"])
    together = pl.DataFrame(columns, schema={**RAW_ROW_SCHEMA, "is_formula": pl.Boolean, "is_date": pl.Boolean,
                                             "_form": pl.UInt32})
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
