"""Cumulative figures do not fall: a form's figure for months 1..m is checked against the
same unit's figures for the other periods 1..k of the year, in force in the warehouse or sent
tonight, whichever of the two arrives last. One table over the night, validated once by the
`form_cumulative` suite; a failure warns (`cumulative_decrease`) naming both files and cells.
"""

from __future__ import annotations

import polars as pl

from redcross.core.decimals import plain_amount
from redcross.core.forms import FIGURE_KEYS, YEAR_TO_DATE_SCHEMA, Form, accepted_forms, rows_for
from redcross.core.periods import period_label, period_label_en
from redcross.core.problems import Problem, problem
from redcross.core.registry import Registry
from redcross.expectations.forms import as_typed
from redcross.expectations.suites import Checker

OTHER = {"month": "other_month", "value": "other_value", "file_name": "other_file", "sheet": "other_sheet",
         "cell": "other_cell"}


def year_keys(forms: list[Form]) -> set[tuple[str, int]]:
    """(unit, year) of each accepted form: the periods of those its figures are compared with."""
    return {(f.unit_code, f.period.year) for f in forms if not f.rejected and f.period and f.unit_code}


def check_cumulative(forms: list[Form], in_force: pl.DataFrame, registry: Registry, runner: Checker,
                     rows: pl.DataFrame | None = None) -> None:
    """Warn where an accepted form's figure is below a shorter period's, or above a longer one's (a
    late 1-5月 above the 1-6月 in force), for the same unit, year and indicator.

    `in_force`: the warehouse's figures of those units and years (writer.year_to_date_figures);
    tonight's accepted forms count too, the latest file winning. `rows`: as for check_forms.
    """
    accepted = accepted_forms(forms)
    if not accepted:
        return
    own = _own_figures(accepted, rows)
    compared = _beside_other_periods(own, _reference(own, in_force))
    if compared.is_empty():
        return
    later = compared["month"] > compared["other_month"]
    values, others = compared["value"].to_list(), compared["other_value"].to_list()
    table = pl.DataFrame({
        "row_key": compared["row_key"],
        "longer_period": pl.Series([v if is_later else o for v, o, is_later in zip(values, others, later, strict=True)],
                                   dtype=pl.Object),
        "shorter_period": pl.Series([o if is_later else v for v, o, is_later in zip(values, others, later, strict=True)],
                                    dtype=pl.Object),
    })
    failures = runner.check("form_cumulative", table)
    if not failures:
        return
    wanted = compared.filter(pl.col("row_key").is_in([f.row_key for f in failures]))
    for row in wanted.iter_rows(named=True):
        forms[row["form"]].problems.append(_decrease(row, forms[row["form"]], registry))


def _own_figures(accepted: list[tuple[int, Form]], rows: pl.DataFrame | None) -> pl.DataFrame:
    """Tonight's accepted figures, each with its form's unit, period, arrival, file and sheet."""
    periods = pl.DataFrame(
        {"form": [i for i, _ in accepted], "unit_code": [f.unit_code for _, f in accepted],
         "year": [f.period.year for _, f in accepted], "month": [f.period.month for _, f in accepted],
         "received_at": [f.arrival.received_at for _, f in accepted],
         "file_name": [f.arrival.name for _, f in accepted], "sheet": [f.sheet for _, f in accepted]},
        schema={"form": pl.Int64, "unit_code": pl.String, "year": pl.Int32, "month": pl.Int32,
                "received_at": pl.Datetime("us"), "file_name": pl.String, "sheet": pl.String},
    )
    stacked = rows_for(accepted, rows)
    remark = [pl.col("remark")] if "remark" in stacked.columns else [pl.lit(None, pl.String).alias("remark")]
    return (
        stacked.filter(pl.col("indicator_code").is_not_null() & pl.col("value").is_not_null())
        .select("form", "indicator_code", "value", pl.col("value_cell").alias("cell"), "money_unit", *remark)
        .join(periods, on="form")
    )


def _beside_other_periods(own: pl.DataFrame, reference: pl.DataFrame) -> pl.DataFrame:
    """Each of tonight's figures beside the highest figure of a shorter period and the lowest of a
    longer one (the nearest where several are equal): it is below some shorter period's exactly when
    it is below the highest, so two rows per figure say what a row per other period would."""
    group = ["unit_code", "year", "indicator_code"]
    ordered = reference.sort([*group, "month"])
    highest_so_far = ordered.filter(pl.col("value") == pl.col("value").cum_max().over(group))
    lowest_from_here = ordered.filter(pl.col("value") == pl.col("value").cum_min(reverse=True).over(group))
    mine = own.sort("month")
    beside = [
        mine.join_asof(others.rename(OTHER).sort("other_month"), left_on="month", right_on="other_month", by=group,
                       strategy=strategy, allow_exact_matches=False, check_sortedness=False)
        for others, strategy in ((highest_so_far, "backward"), (lowest_from_here, "forward"))
    ]
    return pl.concat(beside).filter(pl.col("other_month").is_not_null()).with_columns(
        pl.format("{}:{}:{}", "form", "indicator_code", "other_month").alias("row_key"))


def _reference(own: pl.DataFrame, in_force: pl.DataFrame) -> pl.DataFrame:
    """The figure of each unit, year, period and indicator a form is compared with: tonight's latest
    file's, else the warehouse's in force."""
    tonight = own.sort("received_at", maintain_order=True).unique(subset=FIGURE_KEYS, keep="last", maintain_order=True)
    both = pl.concat([in_force.select(list(YEAR_TO_DATE_SCHEMA)).cast(YEAR_TO_DATE_SCHEMA),
                      tonight.select(list(YEAR_TO_DATE_SCHEMA)).cast(YEAR_TO_DATE_SCHEMA)])
    return both.unique(subset=FIGURE_KEYS, keep="last", maintain_order=True)


def _decrease(row: dict, form: Form, registry: Registry) -> Problem:
    """The warning on `form`'s figure, naming its cell and the other period's file and cell."""
    indicator = registry.indicator(row["indicator_code"])
    typed = row["money_unit"] if indicator.kind == "money" else None
    this = (row["year"], row["month"], row["value"], row["file_name"], row["sheet"], row["cell"])
    other = (row["year"], row["other_month"], row["other_value"], row["other_file"], row["other_sheet"],
             row["other_cell"])
    later, earlier = (this, other) if row["month"] > row["other_month"] else (other, this)
    fields = {}
    for name, (year, month, value, file, sheet, cell) in (("later", later), ("earlier", earlier)):
        fields |= {
            f"{name}_period": period_label(year, month), f"{name}_period_en": period_label_en(year, month),
            f"{name}_value": as_typed(value, indicator.kind, typed),
            f"{name}_where": f"文件“{file}”工作表“{sheet}”单元格 {cell}",
            f"{name}_where_en": f"file '{file}', sheet '{sheet}', cell {cell}",
        }
    return problem(
        "cumulative_decrease", file=form.arrival.name, sheet=form.sheet, cell=row["cell"], indicator=indicator.name,
        value=plain_amount(row["value"], indicator.kind), expected=plain_amount(row["other_value"], indicator.kind),
        remark=row["remark"], indicator_code=indicator.code, **fields,
    )

