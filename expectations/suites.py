"""Running the Great Expectations suites kept beside this module over a night's forms at once.

One ephemeral GX context per run and one validation per suite, over the rows of every file
together; GX's COMPLETE results, indexed by the `row_key` column, say which rows failed, and the
caller maps each back to its file and cell.
"""

from __future__ import annotations

import atexit
import json
import logging
import subprocess
import sys
import threading
from dataclasses import dataclass
from importlib import resources
from multiprocessing.connection import Connection
from typing import Self

import polars as pl

SUITES = ("form_headers", "form_rows", "form_coverage", "form_history", "summary_totals", "targets")
INDEX_COLUMN = "row_key"
CHECK_ROWS = 200_000  # rows validated at a time in the validation process


@dataclass(frozen=True)
class Failure:
    """A row that broke a rule: which rule, which row, and the value GX found there."""

    rule: str
    row_key: str
    value: object


def load_suite_definition(name: str) -> dict:
    return json.loads(resources.files(__package__).joinpath(f"{name}.json").read_text("utf-8"))


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
        """Nothing to let go of in process (see SuiteProcess)."""

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


class SuiteProcess:
    """The checks of `SuiteRunner`, made in a process of their own.

    Importing Great Expectations costs about six seconds of one core. Started before a run reads
    its files, the import happens on the machine's other core while this process reads; in a
    thread of this process it would only take turns with the reading. The results and the Data
    Docs stay in that process too, and it exits when closed or when this process goes away.
    """

    def __init__(self, die_with_this_thread: bool = False) -> None:
        from redcross.processes import start_helper

        self._process, self._conn = start_helper(__name__, die_with_this_thread)
        self._checked = False

    @property
    def checked_anything(self) -> bool:
        return self._checked

    def check(self, name: str, table: pl.DataFrame, parameters: dict | None = None) -> list[Failure]:
        """As SuiteRunner.check, a slice of rows at a time: GX holds a table as pandas objects, several
        times its size, and a province's night has near a million rows. Every expectation of the
        suites judges a row by itself, so the slices fail exactly the rows the whole would."""
        if table.is_empty():
            return []
        self._checked = True
        failures = []
        for start in range(0, table.height, CHECK_ROWS):
            failures += self._call("check", name, _pack(table.slice(start, CHECK_ROWS)), parameters)
        return failures

    def write_docs(self, folder, files: dict[str, str]) -> None:
        self._call("docs", folder, files)

    @classmethod
    def start_early(cls) -> None:
        """Start the process now, for the run this command is about to make (see `early`).

        A command line run spends seconds importing Prefect and creating its flow run before it
        reads a file; the GX import runs meanwhile on the other core instead of after.
        """
        global _early
        if _early is None:
            _early = cls(die_with_this_thread=threading.active_count() == 1)  # only the main thread
            atexit.register(_early.discard)  # a run that never took it (nothing to check, another run busy)

    @classmethod
    def early(cls) -> SuiteProcess | None:
        """The process `start_early` started, handed over once; None if there is none."""
        global _early
        taken, _early = _early, None
        return taken

    def discard(self) -> None:
        """Stop a process that is no longer wanted, without waiting for its import to finish."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._conn.close()

    def close(self) -> None:
        try:
            self._conn.send(None)
            self._process.wait(30)
        except (OSError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def _call(self, *request):
        try:
            self._conn.send(request)
            ok, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise RuntimeError(f"the validation process stopped (exit code {self._process.poll()})") from exc
        if not ok:
            raise value
        return value


_early: SuiteProcess | None = None


def _serve(conn) -> None:
    """The validation process: answer `check` and `docs` requests until told to stop or orphaned."""
    runner, broken = SuiteRunner(), None
    try:
        _ = runner.context  # import GX and make its context now, while the parent reads files
    except Exception as exc:  # noqa: BLE001 - said in answer to the first request
        broken = exc
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        op, *args = request
        try:
            if broken is not None:
                raise broken
            if op == "check":
                name, packed, parameters = args
                answer = (True, runner.check(name, _unpack(packed), parameters))
            else:
                runner.write_docs(*args)
                answer = (True, None)
        except Exception as exc:  # noqa: BLE001 - raised again in the parent
            answer = (False, exc)
        try:
            conn.send(answer)
        except Exception as exc:  # noqa: BLE001 - an answer that does not pickle
            conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}; answering {answer[1]!r:.500}")))


def _pack(table: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, list], list[str]]:
    """A table for the pipe: polars cannot serialise Object columns (exact Fractions, Decimals), so
    they travel as lists beside the rest."""
    objects = [name for name, dtype in table.schema.items() if dtype == pl.Object]
    return table.drop(objects), {name: table[name].to_list() for name in objects}, table.columns


def _unpack(packed: tuple[pl.DataFrame, dict[str, list], list[str]]) -> pl.DataFrame:
    frame, objects, order = packed
    return frame.with_columns(pl.Series(name, values, dtype=pl.Object) for name, values in objects.items()).select(order)


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


def write_runs_index(folder) -> None:
    """A plain page linking each run's Data Docs, newest first (GX rebuilds a site whole each time)."""
    import html

    runs = sorted((p.parent.name for p in folder.glob("*/index.html")), reverse=True)
    items = "\n".join(f'<li><a href="{html.escape(r)}/index.html">{html.escape(r)}</a></li>' for r in runs)
    (folder / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><title>校验报告 / validation reports</title>'
        f"<h1>校验报告 / validation reports</h1><ul>\n{items}\n</ul>\n",
        encoding="utf-8",
    )


if __name__ == "__main__":  # the validation process of SuiteProcess, given its end of the pipe
    from expectations.suites import _serve as serve  # the module by its name, so answers unpickle as such

    serve(Connection(int(sys.argv[1])))
