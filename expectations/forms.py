"""The night's forms checked together against the form suites: what fails becomes a `Problem`
on its form, naming file, sheet, cell, indicator and value.

Each check builds one table over every form of the night (a row per form, per indicator row, or
per form and indicator), runs its suite once, and maps each failing row back by its `row_key`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl

from redcross.core.decimals import in_wan, plain_amount, round_half_up
from redcross.core.forms import FIGURE_KEYS, FIGURES_SCHEMA, Form, TotalCheck, accepted_forms, rows_for, stack_rows
from redcross.core.problems import Problem, problem, threshold
from redcross.core.registry import Registry
from redcross.expectations.suites import Checker


def check_totals(checks: list[TotalCheck], registry: Registry, runner: Checker) -> None:
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
            value=plain_amount(check.given, kind), expected=plain_amount(check.summed, kind),
        )
        for form in check.forms:
            form.problems.append(found)


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


def check_forms(forms: list[Form], registry: Registry, runner: Checker, today: date,
                rows: pl.DataFrame | None = None) -> None:
    """Run the three form suites over every readable form together; add what fails to each form.

    `rows`: the forms' rows already stacked (`core.forms.night_rows(forms)`); stacked here if not given.
    """
    readable = [(i, f) for i, f in enumerate(forms) if f.readable]
    if not readable:
        return
    by_key = dict(readable)
    for failure in runner.check("form_headers", _headers_table(readable, today)):
        form = by_key[int(failure.row_key)]
        form.problems.append(_header_problem(failure.rule, form, registry))

    rows = stack_rows(readable) if rows is None else rows
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


def same_night_figures(forms: list[Form], rows: pl.DataFrame | None = None) -> pl.DataFrame:
    """Figures of tonight's accepted forms, the latest file winning, as a year-earlier lookup would see them
    (FIGURES_SCHEMA). `rows`: as for `check_forms`."""
    accepted = accepted_forms(forms)
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
        rows_for(accepted, rows).select("form", "indicator_code", "value").join(periods, on="form")
        .sort("received_at", maintain_order=True)
        .unique(subset=FIGURE_KEYS, keep="last", maintain_order=True)
        .select(list(FIGURES_SCHEMA)).cast(FIGURES_SCHEMA)
    )


def prefer_later(earlier: pl.DataFrame, later: pl.DataFrame) -> pl.DataFrame:
    """Two sets of figures as one, the later's figure where both have one."""
    both = pl.concat([earlier.select(list(FIGURES_SCHEMA)).cast(FIGURES_SCHEMA), later.cast(FIGURES_SCHEMA)])
    return both.unique(subset=FIGURE_KEYS, keep="last", maintain_order=True)


def as_typed(value: Decimal, kind: str, money_unit: str | None) -> str:
    """A figure as the clerk's form gives it: money in the form's own unit (270.68万元 on a form in
    万元, 2706800.00元 on one in 元), exact; counts whole."""
    if kind != "money" or money_unit not in ("万元", "元"):
        return plain_amount(value, kind)
    shown = in_wan(value) if money_unit == "万元" else value
    text = format(shown.normalize(), "f")
    if len(text.partition(".")[2]) < 2:  # at least the fen's two places, as money is written
        text = format(shown.quantize(Decimal("0.01")), "f")
    return f"{text}{money_unit}"


def check_history(forms: list[Form], priors: pl.DataFrame, registry: Registry, runner: Checker,
                  rows: pl.DataFrame | None = None) -> None:
    """Warn where an accepted form's figure strays from the unit's own figure a year earlier; each
    warning carries the row's remark (its 备注), where it has one.

    `priors` holds (unit, year, month, indicator, value) as the warehouse (or tonight's forms)
    hold them. Only rows with such a figure are checked (without one neither rule can fail); the
    ratio is an exact Decimal quotient used only for the comparison. `rows`: as for `check_forms`.
    """
    limit = threshold("yoy_ratio")
    accepted = accepted_forms(forms)
    if not accepted:
        return
    year_before = pl.DataFrame(
        {"form": [i for i, _ in accepted], "unit_code": [f.unit_code for _, f in accepted],
         "year": [f.period.year - 1 for _, f in accepted], "month": [f.period.month for _, f in accepted]},
        schema={"form": pl.Int64, "unit_code": pl.String, "year": pl.Int32, "month": pl.Int32},
    )
    compared = (
        rows_for(accepted, rows)
        .select("row_key", "form", "indicator_code", "value", "value_cell", "prior_value", "prior_cell", "money_unit",
                "remark")
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
        # the clerk's 备注 on the row explains the warning (it is then `explained`, not `open`)
        where = {"file": form.arrival.name, "sheet": form.sheet, "indicator": indicator.name,
                 "indicator_code": indicator.code, "remark": row["remark"]}
        if failure.rule == "yoy_outlier":
            typed = row["money_unit"] if indicator.kind == "money" else None
            form.problems.append(problem(
                "yoy_outlier", cell=row["value_cell"], value=plain_amount(row["value"], indicator.kind),
                expected=plain_amount(prior, indicator.kind), typed_value=as_typed(row["value"], indicator.kind, typed),
                typed_expected=as_typed(prior, indicator.kind, typed), ratio=round_half_up(row["value"] / prior, 2), limit=limit,
                **where))
        else:
            typed = row["money_unit"] if indicator.kind == "money" else None
            form.problems.append(problem(
                "prior_mismatch", cell=row["prior_cell"], value=plain_amount(row["prior_value"], indicator.kind),
                expected=plain_amount(prior, indicator.kind), typed_value=as_typed(row["prior_value"], indicator.kind, typed),
                typed_expected=as_typed(prior, indicator.kind, typed), **where))
