"""What `redcross check` says of each file: the verdict the next run would give it, with every
problem, as text a clerk reads on the phone or as JSON a program reads.

A file's verdict follows from what the run's own steps found in its forms (see flows.check):
接收 accepted (no problem), 接收（有提示）accepted with warnings, 退回 rejected (an error in any of
its forms), or 已接收过 already received (the same bytes were received before: the run only files
it away, or, if it was rejected then, puts it back in quarantine with its reasons).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from redcross.core.forms import Form
from redcross.core.periods import period_label
from redcross.core.problems import Problem
from redcross.core.registry import Registry

ACCEPTED, WARNED, REJECTED, ALREADY_RECEIVED = "accepted", "accepted_with_warnings", "rejected", "already_received"
WORDS = {  # verdict -> (Chinese, English), in the order the total counts them
    ACCEPTED: ("接收", "accepted"),
    WARNED: ("接收（有提示）", "accepted with warnings"),
    REJECTED: ("退回", "rejected"),
    ALREADY_RECEIVED: ("已接收过", "already received"),
}
EXIT_STATUS = {ACCEPTED: 0, WARNED: 1, REJECTED: 2}  # the worst file decides
BEFORE = {"accepted": "（曾接收 / accepted then）", "rejected": "（曾退回 / rejected then）"}


@dataclass(frozen=True)
class FormVerdict:
    """One form of a file (a district's form is the file's only one; a summary workbook has one per unit row)."""

    sheet: str | None
    unit_code: str | None
    unit_name: str | None
    unit_written: str | None  # 填报单位 as the form gives it (a unit the registry does not know keeps only this)
    year: int | None
    month: int | None
    verdict: str
    problems: list[Problem]

    @property
    def period(self) -> str | None:
        return None if self.year is None else period_label(self.year, self.month)

    def about(self) -> str:
        """`柯桥区 2017年`, as the verdict line names the form."""
        return (f"{self.unit_name or self.unit_written or '单位不明 / no unit'} "
                f"{self.period or '报告期不明 / no period'}")

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "unit": self.unit_code, "unit_name": self.unit_name,
                "unit_written": self.unit_written, "year": self.year, "month": self.month, "period": self.period,
                "verdict": self.verdict, "problems": [p.as_dict() for p in self.problems]}


@dataclass(frozen=True)
class Verdict:
    """A file's verdict, its forms', and every problem the run would give it (each said once)."""

    file: str
    path: str
    sha256: str  # as `submissions` and the archive name the file
    verdict: str
    received_before: str | None  # the outcome it had then, for a file already received
    forms: list[FormVerdict]
    problems: list[Problem]

    @property
    def exit_status(self) -> int:
        """0, 1 or 2 as the dry run counts this file; one already received counts as what the run does
        with it: nothing (0), or quarantine again (2)."""
        if self.verdict == ALREADY_RECEIVED:
            return 2 if any(p.severity == "error" for p in self.problems) else 0
        return EXIT_STATUS[self.verdict]

    def headline(self) -> str:
        """The verdict line: `退回 / rejected: 新昌县-2017.xlsx（新昌县 2017年）`."""
        zh, en = WORDS[self.verdict]
        about = "、".join(dict.fromkeys(f.about() for f in self.forms))
        return f"{zh} / {en}: {self.file}（{about}）{BEFORE.get(self.received_before, '')}"

    def text(self) -> str:
        return "\n".join([self.headline(), *(p.line() for p in self.problems)])

    def as_dict(self) -> dict:
        only = self.forms[0] if len(self.forms) == 1 else None
        return {"file": self.file, "path": self.path, "sha256": self.sha256, "verdict": self.verdict,
                "verdict_zh": WORDS[self.verdict][0], "verdict_en": WORDS[self.verdict][1],
                "unit": only and only.unit_code, "unit_name": only and only.unit_name,
                "year": only and only.year, "month": only and only.month, "period": only and only.period,
                "received_before": self.received_before, "exit_status": self.exit_status,
                "problems": [p.as_dict() for p in self.problems], "forms": [f.as_dict() for f in self.forms]}


def verdict_of(form: Form, received_before: str | None) -> str:
    """What the run does with one form."""
    if received_before is not None:
        return ALREADY_RECEIVED
    if form.rejected:
        return REJECTED
    return WARNED if form.problems else ACCEPTED


def form_verdict(form: Form, registry: Registry, received_before: str | None) -> FormVerdict:
    unit = registry.unit(form.unit_code) if form.unit_code else None
    period = form.period
    return FormVerdict(form.sheet, form.unit_code, unit and unit.name, form.unit_written.text,
                       period and period.year, period and period.month, verdict_of(form, received_before),
                       list(form.problems))


def file_verdicts(paths: list[Path], forms: list[Form], known: dict[str, str], registry: Registry) -> list[Verdict]:
    """Each file's verdict, in the order given: the worst of its forms' (a summary workbook with one
    rejected unit row is 退回, its `forms` saying which rows would load).

    A file already received shows the problems the run would write in its reason file, where it
    would be quarantined again, and none where the run only files it away.
    """
    by_file: dict[Path, list[Form]] = {}
    for form in forms:
        by_file.setdefault(form.arrival.path, []).append(form)
    verdicts = []
    for path in paths:
        file_forms = by_file[path]
        before = known.get(file_forms[0].arrival.sha256)
        parts = [form_verdict(f, registry, before) for f in file_forms]
        problems = list(dict.fromkeys(p for f in file_forms for p in f.problems))
        if before is not None:
            verdict = ALREADY_RECEIVED
            problems = problems if all(f.rejected for f in file_forms) else []
        else:
            verdict = max((p.verdict for p in parts), key=list(EXIT_STATUS).index)
        shown_path = os.fsencode(path).decode("utf-8", "replace")  # as Arrival.name shows a name not in UTF-8
        verdicts.append(Verdict(file_forms[0].arrival.name, shown_path, file_forms[0].arrival.sha256, verdict,
                                before, parts, problems))
    return verdicts


def exit_status(verdicts: list[Verdict]) -> int:
    """0 when every file would be accepted without warnings, 1 with warnings only, 2 when any would be rejected."""
    return max((v.exit_status for v in verdicts), default=0)


def verdict_counts(verdicts: list[Verdict]) -> dict[str, int]:
    return {v: sum(1 for x in verdicts if x.verdict == v) for v in WORDS}


def total_line(verdicts: list[Verdict]) -> str:
    """`合计 / total: 3 个文件：接收 1，…` counting each verdict."""
    counts = verdict_counts(verdicts)
    zh = "，".join(f"{WORDS[v][0]} {n}" for v, n in counts.items())
    en = ", ".join(f"{n} {WORDS[v][1]}" for v, n in counts.items())
    return f"合计 / total: {len(verdicts)} 个文件：{zh} / {len(verdicts)} files: {en}"


def verdicts_text(verdicts: list[Verdict]) -> str:
    """Each file's verdict line and problems, a blank line between files, then the total."""
    return "\n\n".join([*(v.text() for v in verdicts), total_line(verdicts)])


def verdicts_json(verdicts: list[Verdict]) -> str:
    """The JSON of `redcross check --format json` (README, "Checking a form before it is taken in")."""
    return json.dumps({"exit_status": exit_status(verdicts), "counts": verdict_counts(verdicts),
                       "files": [v.as_dict() for v in verdicts]}, ensure_ascii=False, indent=2)
