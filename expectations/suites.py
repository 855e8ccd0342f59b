"""Running the Great Expectations suites kept beside this module over a night's forms at once.

One ephemeral GX context per run and one validation per suite, over the rows of every file
together; GX's COMPLETE results, indexed by the `row_key` column, say which rows failed, and the
caller maps each back to its file and cell.
"""

from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

import polars as pl

SUITES = ("form_headers", "form_rows", "form_coverage", "form_history", "summary_totals", "targets",
          "target_breakdown")
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
    """What validates a night's tables: `SuiteRunner` here, or the validation process of flows.helpers."""

    @property
    def checked_anything(self) -> bool: ...

    def check(self, name: str, table: pl.DataFrame, parameters: dict | None = None) -> list[Failure]: ...

    def write_docs(self, folder: Path, files: dict[str, str]) -> None: ...


class SuiteRunner:
    """One GX context for a whole run; `check` validates one cleaned table against its suite.

    Great Expectations is imported and its context made at the first check, so a run with
    nothing to check never pays for it.
    """

    def __init__(self) -> None:
        self._context = None
        self._definitions: dict = {}
        self._checked: dict[str, list[tuple[pl.DataFrame, dict | None, object]]] = {}

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

    def close(self) -> None:
        """Nothing to let go of in process (the validation process of flows.helpers has)."""

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
        self._checked.setdefault(name, []).append((table, parameters, result))
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


def _raised(info: dict) -> str | None:
    """GX reports an expectation that could not run either flat or keyed by metric."""
    infos = [info] if "raised_exception" in info else [i for i in info.values() if isinstance(i, dict)]
    messages = [i.get("exception_message") or "?" for i in infos if i.get("raised_exception")]
    return "; ".join(messages) or None


def write_data_docs(runner: SuiteRunner, folder, files: dict[str, str]) -> None:
    """Data Docs in `folder`: each suite's result over the whole night, and a page per suite for
    each file in `files` over that file's rows alone.

    `files` maps a form's index (the part of row_key before ':') to its page's run name. The
    night's decisions came from the combined runs; the per-file validations only draw pages,
    at a fraction of a second each, which is why a large night pages only some files.
    """
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

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
        suite, batch_definition = runner._definition(name)
        for number, (table, parameters, combined) in enumerate(checked):
            page(name, "全部文件 all files", f"{name}-{number}", combined)
            keyed = table.with_columns(pl.col(INDEX_COLUMN).str.split(":").list.first().alias("_form"))
            for form, rows in keyed.filter(pl.col("_form").is_in(list(files))).group_by("_form"):
                result = batch_definition.get_batch(batch_parameters={"dataframe": rows.drop("_form").to_pandas()}) \
                    .validate(suite, expectation_parameters=parameters,
                              result_format={"result_format": "SUMMARY",
                                             "unexpected_index_column_names": [INDEX_COLUMN]})
                page(name, files[form[0]], name, result)
    if pages:
        context.build_data_docs(site_names=["validation"], resource_identifiers=pages)


def write_runs_index(folder: Path) -> None:
    """A plain page linking each run's Data Docs, newest first (GX rebuilds a site whole each time)."""
    runs = sorted((p.parent.name for p in folder.glob("*/index.html")), reverse=True)
    items = "\n".join(f'<li><a href="{html.escape(r)}/index.html">{html.escape(r)}</a></li>' for r in runs)
    (folder / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><title>校验报告 / validation reports</title>'
        f"<h1>校验报告 / validation reports</h1><ul>\n{items}\n</ul>\n",
        encoding="utf-8",
    )
