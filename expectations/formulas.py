"""Audit formulas checked on every accepted form of the night together: one table, a row
per form and formula, validated once by the `form_formulas` suite; each failure becomes a Problem
of the formula's severity naming every cell involved and its figure as the form gives it.

Each side is summed exactly (Decimal, in the stored units) and put in the pair of columns of its
operator, the other pairs left empty; GX compares the pair. A side with a missing figure stays
empty, so GX leaves that row unchecked (a missing row is an error of another rule).
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from redcross.core.forms import Form, accepted_forms, rows_for
from redcross.core.formulas import Formula, Side, side_total
from redcross.core.problems import Problem, problem
from redcross.core.registry import Registry
from redcross.expectations.forms import as_typed
from redcross.expectations.suites import Checker

# op -> the pair of columns of form_formulas.json that compares it, and whether the sides swap there
COMPARED = {"==": ("equal", False), "!=": ("unequal", False), ">": ("greater", False), "<": ("greater", True),
            ">=": ("at_least", False), "<=": ("at_least", True), "together": ("together", False)}
PAIRS = ("equal", "unequal", "greater", "at_least", "together")
FIGURE_COLUMNS = ("form", "indicator_code", "value", "value_cell", "money_unit", "remark")


def check_formulas(forms: list[Form], registry: Registry, runner: Checker, rows: pl.DataFrame | None = None) -> None:
    """Add to each accepted form a problem for every audit formula its figures break.

    `rows`: the forms' rows already stacked (`core.forms.night_rows(forms)`), as for check_forms.
    """
    accepted = accepted_forms(forms)
    if not accepted or not registry.formulas:
        return
    figures = _formula_figures(accepted, rows, registry.formulas)
    values: dict[int, dict[str, Decimal]] = {i: {} for i, _ in accepted}
    for form, code, value in figures.select("form", "indicator_code", "value").iter_rows():
        values[form][code] = value
    failures = runner.check("form_formulas", formulas_table(values, registry.formulas))
    if not failures:
        return
    failed = [tuple(f.row_key.split(":", 1)) for f in failures]
    located = _figures_of(figures, {int(form) for form, _ in failed})
    by_id = {formula.id: formula for formula in registry.formulas}
    for form, formula_id in failed:
        number = int(form)
        forms[number].problems.append(
            _formula_problem(by_id[formula_id], forms[number], located[number], registry))


def _formula_figures(accepted: list[tuple[int, Form]], rows: pl.DataFrame | None,
                     formulas: tuple[Formula, ...]) -> pl.DataFrame:
    """The accepted forms' rows of the indicators some formula names (with their 备注 where rows carry one)."""
    stacked = rows_for(accepted, rows)
    named = {code for formula in formulas for code in formula.codes}
    return (stacked.filter(pl.col("indicator_code").is_in(list(named)))
            .select([c for c in FIGURE_COLUMNS if c in stacked.columns]))


def formulas_table(values: dict[int, dict[str, Decimal]], formulas: tuple[Formula, ...]) -> pl.DataFrame:
    """form_formulas' table: row_key "form:formula id", and each side's sum in its operator's pair of columns."""
    columns: dict[str, list] = {"row_key": []} | {f"{pair}_{side}": [] for pair in PAIRS for side in ("left", "right")}
    for form, figures in values.items():
        for formula in formulas:
            pair, swapped = COMPARED[formula.op]
            left, right = side_total(formula.left, figures), side_total(formula.right, figures)
            if formula.op == "together":  # compared: whether each side is above zero
                left, right = (None if s is None else s > 0 for s in (left, right))
            if swapped:
                left, right = right, left
            columns["row_key"].append(f"{form}:{formula.id}")
            for name in PAIRS:
                columns[f"{name}_left"].append(left if name == pair else None)
                columns[f"{name}_right"].append(right if name == pair else None)
    return pl.DataFrame({name: pl.Series(name, found, dtype=pl.String if name == "row_key" else pl.Object)
                         for name, found in columns.items()})


def _figures_of(figures: pl.DataFrame, numbers: set[int]) -> dict[int, dict[str, dict]]:
    """For the forms numbered, their figures' rows by indicator code (only failing forms are looked up)."""
    found: dict[int, dict[str, dict]] = {n: {} for n in numbers}
    for row in figures.filter(pl.col("form").is_in(list(numbers))).iter_rows(named=True):
        found[row["form"]][row["indicator_code"]] = row
    return found


def _formula_problem(formula: Formula, form: Form, figures: dict[str, dict], registry: Registry) -> Problem:
    """The failure of `formula` on `form`: every cell and figure involved, as the form gives them."""
    involved = [figures[code] for code in formula.codes]
    names = [registry.indicator(code).name for code in formula.codes]
    typed = [_typed(row, registry) for row in involved]
    remarks = [row["remark"] for row in involved if row.get("remark")]
    return problem(
        formula.id, spec=formula.spec, file=form.arrival.name, sheet=form.sheet,
        cell="、".join(row["value_cell"] for row in involved), indicator="、".join(names), value="、".join(typed),
        indicator_code=next(iter(formula.codes), None),  # data_issues and `review` know it by its first indicator
        expected=_with_names(formula, registry), remark="；".join(dict.fromkeys(remarks)) or None,
        left=_typed_side(formula.left, figures, registry), right=_typed_side(formula.right, figures, registry),
        figures=", ".join(f"{name} {row['value_cell']} = {shown}" for name, row, shown in zip(names, involved, typed,
                                                                                             strict=True)),
    )


def _typed(row: dict, registry: Registry) -> str:
    kind = registry.indicator(row["indicator_code"]).kind
    return as_typed(row["value"], kind, row["money_unit"] if kind == "money" else None)


def _typed_side(side: Side, figures: dict[str, dict], registry: Registry) -> str:
    """A side's sum as the form would give it: in the form's money unit where it adds up money."""
    total = side_total(side, {code: figures[code]["value"] for code in side.codes})
    money = [code for code in side.codes if registry.indicator(code).kind == "money"]
    return as_typed(total, "money" if money else "count", figures[money[0]]["money_unit"] if money else None)


def _with_names(formula: Formula, registry: Registry) -> str:
    """The formula as people read it: 志愿服务受益人次 >= 志愿服务场次."""
    def named(side: Side) -> str:
        terms = [registry.indicator(code).name for code in side.codes]
        return " + ".join(terms + ([str(side.constant)] if side.constant or not terms else []))

    return f"{named(formula.left)} {formula.op} {named(formula.right)}"
