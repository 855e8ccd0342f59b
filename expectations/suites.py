"""Running the Great Expectations suites kept beside this module over a night's forms at once.

One ephemeral GX context per run and one validation per suite, over the rows of every file
together; GX's COMPLETE results, indexed by the `row_key` column, say which rows failed, and the
caller maps each back to its file and cell.
"""

from __future__ import annotations

import html
import json
import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Protocol

import polars as pl

SUITES = ("form_headers", "form_locks", "form_rows", "form_coverage", "form_history", "form_formulas", "form_cumulative",
          "summary_totals", "targets", "target_breakdown")
INDEX_COLUMN = "row_key"


@dataclass(frozen=True)
class Failure:
    """A row that broke a rule: which rule, which row, and the value GX found there."""

    rule: str
    row_key: str
    value: object


def load_suite_definition(name: str) -> dict:
    return json.loads(resources.files(__package__).joinpath(f"{name}.json").read_text("utf-8"))


class Checker(Protocol):
    """What validates a night's tables: `SuiteRunner` here, or the validation process of flows.plumbing.processes."""

    @property
    def checked_anything(self) -> bool: ...

    def check(self, name: str, table: pl.DataFrame, parameters: dict | None = None) -> list[Failure]: ...

    def write_docs(self, folder: Path, files: dict[str, str]) -> None:
        """Start writing the Data Docs (a process may write them while the run goes on)."""

    def docs_written(self) -> None:
        """Wait until the Data Docs are written; raise what went wrong."""


class SuiteRunner:
    """One GX context for a whole run; `check` validates one cleaned table against its suite.

    Great Expectations is imported and its context made at the first check, so a run with
    nothing to check never pays for it.
    """

    def __init__(self) -> None:
        self._context = None
        self._definitions: dict = {}
        self._checked: dict[str, list[tuple[dict[str, int] | None, object]]] = {}  # rows per form, result

    @property
    def checked_anything(self) -> bool:
        return bool(self._checked)

    @property
    def context(self):
        if self._context is None:
            logging.getLogger("great_expectations").setLevel(logging.WARNING)
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
            self._gx = gx
            self._context = gx.get_context(mode="ephemeral")
            self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
            self._source = self._context.data_sources.add_pandas("forms")
        return self._context

    def write_docs(self, folder, files: dict[str, str]) -> None:
        write_data_docs(self, folder, files)

    def docs_written(self) -> None:
        """Written already: in process, write_docs does it there and then."""

    def close(self) -> None:
        """Nothing to let go of in process (the validation process of flows.plumbing.processes has)."""

    def _definition(self, name: str):
        """The suite and its batch definition; an unknown expectation type fails here, loudly."""
        if name not in self._definitions:
            context = self.context
            from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

            raw = load_suite_definition(name)
            expectations = [ExpectationConfiguration(**e).to_domain_obj() for e in raw["expectations"]]
            suite = context.suites.add(
                self._gx.ExpectationSuite(name=name, expectations=expectations, meta=raw.get("meta"))
            )
            batch = self._source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
            self._definitions[name] = (suite, batch)
        return self._definitions[name]

    def check(self, name: str, table: pl.DataFrame, parameters: dict | None = None) -> list[Failure]:
        """Validate `table` (which has a row_key column) against suite `name`."""
        if table.is_empty():
            return []
        suite, batch_definition = self._definition(name)
        # batch.validate, not ValidationDefinition.run: the latter stores every result and is
        # slow to serialise Decimal values when many rows fail
        result = batch_definition.get_batch(batch_parameters={"dataframe": table.to_pandas()}).validate(
            suite,
            expectation_parameters=parameters,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [INDEX_COLUMN]},
        )
        self._checked.setdefault(name, []).append((_rows_per_form(table) if name in FORM_SUITES else None, result))
        failures = []
        for outcome in result.results:
            errors = _raised(outcome.exception_info or {})
            if errors:
                raise RuntimeError(f"suite {name}, rule {outcome.expectation_config.meta.get('rule')}: {errors}")
            if outcome.success:
                continue
            rule = outcome.expectation_config.meta["rule"]
            column = outcome.expectation_config.kwargs.get("column") or outcome.expectation_config.kwargs.get("column_A")
            for index in outcome.result.get("unexpected_index_list") or []:
                failures.append(Failure(rule, index[INDEX_COLUMN], index.get(column)))
        return failures


def _rows_per_form(table: pl.DataFrame) -> dict[str, int]:
    """How many of a form suite's rows each form has (row_key "form:..." or "form")."""
    forms = table.select(pl.col(INDEX_COLUMN).str.split(":").list.first().alias("form"))
    return dict(forms.group_by("form").len().iter_rows())


def _raised(info: dict) -> str | None:
    """GX reports an expectation that could not run either flat or keyed by metric."""
    infos = [info] if "raised_exception" in info else [i for i in info.values() if isinstance(i, dict)]
    messages = [i.get("exception_message") or "?" for i in infos if i.get("raised_exception")]
    return "; ".join(messages) or None


FORM_SUITES = ("form_headers", "form_locks", "form_rows", "form_coverage", "form_history", "form_formulas",
               "form_cumulative")  # row_key starts with the form
PAGE_ROWS = 20  # failing rows a page lists, as GX's own SUMMARY format does


def write_data_docs(runner: SuiteRunner, folder: Path, files: dict[str, str]) -> None:
    """Data Docs in `folder`: each suite's result over the whole night, and for each form in `files`
    (its index, the part of row_key before ':', to its page's run name) a page per form suite it
    failed (the night's pages show the forms that passed).

    Every page is drawn from the night's own results, never validated again, lists at most
    PAGE_ROWS failing rows, and carries exact values as text: GX turns each Decimal it stores
    into a float by a path that inspects the call stack, and a night of warnings has one per row.
    """
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    started = time.perf_counter()
    context = runner.context
    context.add_data_docs_site(site_name="validation", site_config={
        "class_name": "SiteBuilder",
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(folder)},
    })
    pages = []

    def page(name: str, run_name: str, batch: str, result) -> None:
        run_id = RunIdentifier(run_name=run_name)
        result.meta["run_id"] = run_id
        identifier = ValidationResultIdentifier(ExpectationSuiteIdentifier(name=name), run_id, batch)
        context.validation_results_store.set(identifier, result)
        pages.append(identifier)

    for name, checked in runner._checked.items():
        for number, (rows_per_form, combined) in enumerate(checked):
            page(name, "全部文件 all files", f"{name}-{number}", _page(combined, _first_rows(combined)))
            if not rows_per_form:
                continue
            grouped = _rows_by_form(combined)
            for form in sorted(set().union(*grouped) & set(files)):
                page(name, files[form], name,
                     _page(combined, [g.get(form, []) for g in grouped], form, rows_per_form.get(form, 0)))
    if pages:
        context.build_data_docs(site_names=["validation"], resource_identifiers=pages)
    logging.getLogger("redcross").info("校验报告页面 / Data Docs: %d pages in %.2f s", len(pages),
                                       time.perf_counter() - started)


BULKY = ("unexpected_list", "unexpected_index_list", "partial_unexpected_list", "partial_unexpected_index_list",
         "partial_unexpected_counts", "unexpected_index_query")  # every failing row of the night: not on a page


def _form_of(index: dict) -> str:
    return str(index[INDEX_COLUMN]).split(":", 1)[0]


def _pairs(outcome) -> tuple[list, list]:
    found = outcome.result
    index, values = found.get("unexpected_index_list") or [], found.get("unexpected_list") or []
    return index, values if len(values) == len(index) else [None] * len(index)


def _first_rows(result) -> list[list[tuple]]:
    """For each expectation, its first failing rows (index, value) over the whole night."""
    return [list(zip(*(part[:PAGE_ROWS] for part in _pairs(outcome)), strict=True)) for outcome in result.results]


def _rows_by_form(result) -> list[dict[str, list[tuple]]]:
    """For each expectation, its failing rows (index, value) by form: one pass over the night's rows,
    however many forms get a page."""
    grouped = []
    for outcome in result.results:
        forms: dict[str, list[tuple]] = {}
        for i, v in zip(*_pairs(outcome), strict=True):
            forms.setdefault(_form_of(i), []).append((i, v))
        grouped.append(forms)
    return grouped


def _page(combined, rows_per_outcome: list[list[tuple]], form: str | None = None, element_count: int | None = None):
    """The night's result (or one form's part of it: `form`, its rows in `rows_per_outcome`) as a
    page shows it: few rows, values as text."""
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    results = []
    for outcome, rows in zip(combined.results, rows_per_outcome, strict=True):
        found = {k: v for k, v in outcome.result.items() if k not in BULKY}
        success = outcome.success
        if form is not None:
            success = not rows
            share = 100 * len(rows) / element_count if element_count else 0.0
            for key in ("missing_count", "missing_percent", "unexpected_percent_nonmissing"):
                found.pop(key, None)
            found |= {"element_count": element_count, "unexpected_count": len(rows),
                      "unexpected_percent": share, "unexpected_percent_total": share}
        shown = rows[:PAGE_ROWS]
        counts: list[dict] = []  # a value may be a pair (a list): counted by looking, not hashing
        for value in (_as_text(v) for _, v in shown):
            same = next((c for c in counts if c["value"] == value), None)
            if same:
                same["count"] += 1
            else:
                counts.append({"value": value, "count": 1})
        found |= {"partial_unexpected_list": [v for _, v in shown], "unexpected_list": [v for _, v in shown],
                  "partial_unexpected_index_list": [i for i, _ in shown],
                  "unexpected_index_list": [i for i, _ in shown],
                  "partial_unexpected_counts": counts}
        config = outcome.expectation_config
        results.append(ExpectationValidationResult(
            success=success, result=_as_text(found), meta=outcome.meta, exception_info=outcome.exception_info,
            expectation_config=ExpectationConfiguration(type=config.type, kwargs=_as_text(dict(config.kwargs)),
                                                        meta=config.meta),
        ))
    passed = sum(1 for r in results if r.success)
    statistics = {"evaluated_expectations": len(results), "successful_expectations": passed,
                  "unsuccessful_expectations": len(results) - passed,
                  "success_percent": 100 * passed / len(results) if results else None}
    return ExpectationSuiteValidationResult(
        success=passed == len(results), results=results, suite_name=combined.suite_name,
        suite_parameters=_as_text(dict(combined.suite_parameters or {})), statistics=statistics,
        meta=dict(combined.meta), batch_id=combined.batch_id)


def _as_text(value):
    """Exact numbers as their text, through dicts, lists and tuples."""
    if isinstance(value, Decimal | Fraction):
        return str(value)
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_as_text(v) for v in value]
    return value


def write_runs_index(folder: Path) -> None:
    """A plain page linking each run's Data Docs, newest first (GX rebuilds a site whole each time)."""
    runs = sorted((p.parent.name for p in folder.glob("*/index.html")), reverse=True)
    items = "\n".join(f'<li><a href="{html.escape(r)}/index.html">{html.escape(r)}</a></li>' for r in runs)
    (folder / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><title>校验报告 / validation reports</title>'
        f"<h1>校验报告 / validation reports</h1><ul>\n{items}\n</ul>\n",
        encoding="utf-8",
    )
