"""Reading and cleaning strung together: files through the read layer into forms, cleaned a batch
at a time; and the targets folder into checked targets. Plain functions, run in the run's own
process or in its reading processes (flows.plumbing.processes), which import no Prefect."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from redcross.core.forms import Form, TotalCheck
from redcross.core.problems import Problem, problem
from redcross.core.registry import Registry
from redcross.core.sheets import UnreadableFile
from redcross.expectations.suites import Checker
from redcross.expectations.targets import check_breakdown, check_targets
from redcross.read.arrivals import arrival, is_spreadsheet
from redcross.read.sheets import read_sheets
from redcross.read.targets import target_files
from redcross.transforms.forms import clean_forms
from redcross.transforms.targets import accepted_targets, breakdown_totals, target_rows
from redcross.transforms.workbooks import forms_in_workbook, unreadable


class ReadScope:
    """What every reading batch of a run shares: the registry, the SHA-256s accepted before, and
    the plan's years and unit. A plain class on purpose: Prefect walks a task's dataclass and
    collection arguments looking for futures, and walking a province's registry and tens of
    thousands of hashes for every batch would cost more than reading it (`quote`, which stops
    that walk, does not survive the trip to a Dask worker).
    """

    def __init__(self, registry: Registry, accepted: frozenset[str], years: frozenset[int] | None,
                 unit: str | None, rerun_known: bool) -> None:
        self.registry = registry
        self.accepted = accepted
        self.years = years
        self.unit = unit
        self.rerun_known = rerun_known
        self.readers = None  # this process's reading processes (flows.plumbing.processes.Readers), if it started any

    def __getstate__(self) -> dict:
        return {**self.__dict__, "readers": None}  # a process of its own reads for itself

    def in_scope(self, form: Form) -> bool:
        """Forms outside the chosen years or unit are left alone; unreadable ones are always reported."""
        if self.years is not None and form.period is not None and form.period.year not in self.years:
            return False
        return self.unit is None or form.unit_code is None or form.unit_code == self.unit


@dataclass
class Intake:
    """What a run read: forms to check tonight, forms of files accepted before (only filed away
    again), and summary sheets' 合计 checks. `known` holds the SHA-256 of every file received
    before: a file rejected before is checked again (so it goes back to quarantine with its
    reasons) but is not a new submission."""

    forms: list[Form] = field(default_factory=list)
    accepted_before: list[Form] = field(default_factory=list)
    total_checks: list[TotalCheck] = field(default_factory=list)
    known: frozenset[str] = frozenset()
    files_seen: int = 0

    def add(self, batch: Intake) -> None:
        self.forms += batch.forms
        self.accepted_before += batch.accepted_before
        self.total_checks += batch.total_checks

    @property
    def new(self) -> list[Form]:
        """The forms of files never received before: tonight's submissions."""
        return [f for _, f in self.new_numbered]

    @property
    def new_numbered(self) -> list[tuple[int, Form]]:
        """Tonight's submissions, each with its place in `forms` (the number its rows carry in
        `core.forms.night_rows(forms)`)."""
        return [(i, f) for i, f in enumerate(self.forms) if f.arrival.sha256 not in self.known]

    @property
    def already_received(self) -> list[Form]:
        """The forms of files received before, accepted or rejected."""
        return self.accepted_before + [f for f in self.forms if f.arrival.sha256 in self.known]

    @property
    def every_form(self) -> list[Form]:
        return self.forms + self.accepted_before

    def counts(self) -> dict[str, int]:
        """Files seen, and of the new ones how many had something accepted and how many nothing."""
        outcome: dict[Path, bool] = {}
        for form in self.new:
            outcome[form.arrival.path] = outcome.get(form.arrival.path, False) or not form.rejected
        return {"seen": self.files_seen, "accepted": sum(outcome.values()),
                "rejected": sum(not v for v in outcome.values())}


def read_form(path: Path, registry: Registry, max_bytes: int | None = None) -> Form:
    """The form in a file, read and cleaned: a district's form (or a summary's first unit row)."""
    return read_file(path, registry, max_bytes)[0][0]


def read_file(path: Path, registry: Registry, max_bytes: int | None = None) -> tuple[list[Form], list[TotalCheck]]:
    """Every form a file holds, read and cleaned, with a summary's 合计 checks."""
    forms, checks = read_file_raw(path, registry, max_bytes)
    clean_forms(forms, registry)
    return forms, checks


def read_file_raw(path: Path, registry: Registry,
                  max_bytes: int | None = None) -> tuple[list[Form], list[TotalCheck]]:
    """Every form a file holds, its rows not yet cleaned; a file that gives none, as one form with the reason."""
    source = arrival(path)
    if not is_spreadsheet(path):
        return [unreadable(source, f"不支持的文件类型 {path.suffix or '(无扩展名)'}",
                           f"unsupported file type {path.suffix or '(no extension)'}")], []
    return forms_in_workbook(source, read_sheets(path, **({"max_bytes": max_bytes} if max_bytes else {})), registry)


def read_paths(paths: list[Path], scope: ReadScope) -> Intake:
    """Read and clean a batch of files, here and now.

    Files whose bytes were accepted before are only filed away again; a file rejected before is
    checked again (nothing of it is loaded twice), so it goes back to quarantine with its reasons.
    """
    intake = Intake()
    for path in paths:
        forms, checks = read_file_raw(path, scope.registry)
        forms = [f for f in forms if scope.in_scope(f)]
        if forms and forms[0].arrival.sha256 in scope.accepted and not scope.rerun_known:
            intake.accepted_before += forms
        else:
            intake.forms += forms
            kept = {id(f) for f in forms}
            intake.total_checks += [c for c in checks if all(id(f) in kept for f in c.forms)]
    clean_forms(intake.forms, scope.registry)
    return intake


@dataclass
class Targets:
    table: pl.DataFrame  # year, unit_code (null for the city), indicator_code, target, source_file
    files: list[str]
    problems: list[Problem] = field(default_factory=list)

    @property
    def rejected_files(self) -> set[str]:
        """The files with an error: they give nothing (a warning, such as 分解不足, loads them)."""
        return {p.file for p in self.problems if p.severity == "error"}


def read_targets(folder: Path, registry: Registry, checker: Checker) -> Targets:
    """Every targets file in the folder, checked together; a file with any error gives nothing.

    The units' targets of the files that load are then held against the city's (分解不足).
    """
    files, problems, tables = target_files(folder), [], []
    for index, path in enumerate(files):
        try:
            grid = next(read_sheets(path))
        except (UnreadableFile, StopIteration) as exc:
            zh, en = (exc.zh, exc.en) if isinstance(exc, UnreadableFile) else ("没有工作表", "no sheet")
            problems.append(problem("unreadable_file", file=path.name, value=f"{zh} / {en}", why_zh=zh, why_en=en))
            continue
        rows = target_rows(index, path.name, grid, registry)
        if rows is None:
            problems.append(problem("no_form_found", file=path.name))
        else:
            tables.append(rows)
    rows = pl.concat(tables, how="vertical_relaxed") if tables else None
    if rows is not None:
        problems += check_targets(rows, registry, checker)
    rejected = {p.file for p in problems}  # every problem so far is an error
    problems += check_breakdown(breakdown_totals(rows, rejected), registry, checker)
    return Targets(accepted_targets(rows, rejected), [p.name for p in files], problems)
