"""From a workbook's sheets to the forms they hold: a district's form, or a summary's unit rows."""

from __future__ import annotations

from collections.abc import Iterable

from redcross.core.forms import Arrival, Form, TotalCheck
from redcross.core.problems import problem
from redcross.core.registry import Registry
from redcross.core.sheets import SheetGrid, UnreadableFile
from redcross.transforms.forms import district_form, locate_form
from redcross.transforms.summary import locate_summary, summary_forms


def forms_in_workbook(
    source: Arrival, sheets: Iterable[SheetGrid], registry: Registry
) -> tuple[list[Form], list[TotalCheck]]:
    """Every form the sheets hold: the first sheet holding a district form is the form; otherwise
    each summary sheet gives a form per unit row, year by year.

    The sheets are taken one at a time, so a district form's later sheets are never read. A file
    that cannot be read (the sheets raise `UnreadableFile`) or holds no form comes back as one form
    carrying the problem, so every file is accounted for. District forms' rows are left to
    `transforms.forms.clean_forms`, which cleans a whole batch at once.
    """
    forms: list[Form] = []
    checks: list[TotalCheck] = []
    try:
        for grid in sheets:
            layout = locate_form(grid.cells)
            if layout is not None:
                if not forms:
                    forms = [district_form(source, grid, layout, registry)]
                break
            summary = locate_summary(grid.cells, registry.indicator_keys)
            if summary is not None:
                sheet_forms, sheet_checks = summary_forms(source, grid, summary, registry)
                forms += sheet_forms
                checks += sheet_checks
    except UnreadableFile as exc:
        return [unreadable(source, exc.zh, exc.en)], []
    if not forms:
        return [Form(source, problems=[problem("no_form_found", file=source.name)])], []
    return forms, checks


def unreadable(source: Arrival, why_zh: str, why_en: str) -> Form:
    """A file that gave no form at all, carrying the reason: each language's text in its own message,
    both in `value` (what the warehouse keeps)."""
    return Form(source, problems=[problem("unreadable_file", file=source.name, value=f"{why_zh} / {why_en}",
                                          why_zh=why_zh, why_en=why_en)])
