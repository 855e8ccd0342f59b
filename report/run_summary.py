"""What a run did, in words a data manager reads: accepted, warned, rejected and why, who is missing,
what the night's resubmissions changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

from redcross.core.decimals import plain_amount, shown_value
from redcross.core.forms import Form
from redcross.core.periods import BEIJING, period_label
from redcross.core.problems import Problem
from redcross.warehouse import queries

SHOWN = 20  # files (rejected, warned) and lines (revisions, figures) a summary lists; the rest are counted
MORE_FILES = ("  … 另有 {n} 个文件，原因见 quarantine/*.reason.txt 与 `redcross status` / "
              "{n} more files: their reasons are in quarantine/*.reason.txt and `redcross status`")
MORE_WARNED = "  … 另有 {n} 个文件有提示，见 `redcross status` / {n} more files with warnings: see `redcross status`"


def overdue_lines(unreported: list[queries.Unreported], now: datetime, shown: int = SHOWN) -> list[str]:
    """The units whose due time has passed by `now` (UTC) with no form accepted, each with the due date
    and the days overdue (北京时间), oldest period first; the first `shown` and a count of the rest."""
    today = now.replace(tzinfo=UTC).astimezone(BEIJING).date()
    late = [u for u in unreported if u.due_at <= now]
    if not late:
        return []
    lines = [f"逾期未报 / overdue (截至 / as of {today} 北京时间): {len(late)}"]
    lines += [f"  {u.unit_name} {period_label(u.year, u.month)}：应于 {u.due_date} 前报送，已逾期 {(today - u.due_date).days} 天"
              f" / due by {u.due_date}, {(today - u.due_date).days} days overdue" for u in late[:shown]]
    if len(late) > shown:
        lines.append(f"  … 另有 {len(late) - shown} 个，见 coverage 视图 / {len(late) - shown} more: see the coverage view")
    return lines


def _first(items: list, more: str) -> tuple[list, list[str]]:
    """The first SHOWN items, and a line counting the rest (none when nothing is left out)."""
    return items[:SHOWN], [more.format(n=len(items) - SHOWN)] if len(items) > SHOWN else []


@dataclass
class RunSummary:
    run_id: str
    accepted: list[str] = field(default_factory=list)
    warned: dict[str, list[Problem]] = field(default_factory=dict)
    rejected: dict[str, list[Problem]] = field(default_factory=dict)
    already_received: list[str] = field(default_factory=list)
    target_problems: list[Problem] = field(default_factory=list)
    missing_units: dict[str, list[str]] = field(default_factory=dict)  # "2017年1-12月" -> unit names
    changed_figures: list[str] = field(default_factory=list)
    revisions: list[str] = field(default_factory=list)  # "诸暨市 2017年 救护员培训 4375 → 4400"
    still_arriving: list[str] = field(default_factory=list)  # inbox files cut short that changed a moment ago: next run
    overdue: list[str] = field(default_factory=list)  # 逾期未报, as overdue_lines gives them

    def headline(self) -> str:
        """The run in one line: what it took in."""
        return (f"接收 {len(self.accepted)}，退回 {len(self.rejected)}，已收到过 {len(self.already_received)} / "
                f"accepted {len(self.accepted)}, rejected {len(self.rejected)}, "
                f"already received {len(self.already_received)}")

    def missing_lines(self) -> list[str]:
        """缺报 for the periods some unit has not reported, the first SHOWN of them and a count of the rest."""
        gaps = [(period, units) for period, units in self.missing_units.items() if units]
        if not gaps and self.missing_units:
            return ["缺报 / not yet reported: 无 / none"]
        shown, more = _first(gaps, "  … 另有 {n} 个报告期有缺报，见 coverage 视图 / {n} more periods with units missing: "
                                   "see the coverage view")
        return [f"缺报 / not yet reported for {period}: {'、'.join(units)}" for period, units in shown] + more

    def arriving_lines(self) -> list[str]:
        if not self.still_arriving:
            return []
        shown, more = _first(self.still_arriving, "  … {n} more")
        return ([f"仍在传入，留待下次运行 / still arriving, left for the next run: {len(self.still_arriving)}"]
                + [f"  {name}" for name in shown] + more)

    def text(self) -> str:
        lines = [
            f"运行 / run {self.run_id}",
            f"接收 / accepted: {len(self.accepted)}（其中有提示 / with warnings: {len(self.warned)}）",
            f"退回 / rejected: {len(self.rejected)}",
            f"重复报送、已处理过 / already received: {len(self.already_received)}",
            *self.arriving_lines(),
        ]
        shown, more = _first(list(self.rejected.items()), MORE_FILES)
        for name, problems in shown:
            lines.append(f"  退回 / rejected {name}:")
            lines += [f"    {p.cell or ''} {p.indicator or ''} {p.message_zh} / {p.message_en}".replace("  ", " ")
                      for p in problems]
        lines += more
        shown, more = _first(list(self.warned.items()), MORE_WARNED)
        for name, problems in shown:
            lines.append(f"  提示 / warnings {name}:")
            for p in problems:
                lines.append(f"    {p.cell or ''} {p.indicator or ''} {p.message_zh} / {p.message_en}")
                if p.remark:  # the form explains it: the data manager reads the clerk's words beside it
                    lines.append(f"      {p.explanation()}")
        lines += more
        for problem in self.target_problems:
            label = "" if problem.severity == "error" else "提示 / warning "
            lines.append(f"  指标目标文件 / targets file {problem.file}: {label}{problem.message_zh} / {problem.message_en}")
        lines += self.missing_lines()
        lines += self.overdue
        lines.append(f"修订 / revisions (a later form changed these figures): {len(self.revisions)}")
        shown, more = _first(self.revisions, "  … {n} more: see the revisions view")
        lines += [f"  {r}" for r in shown] + more
        lines.append(f"变动的全市数字 / city figures changed: {len(self.changed_figures)}")
        shown, more = _first(self.changed_figures, "  … {n} more")
        lines += [f"  {c}" for c in shown] + more
        return "\n".join(lines)


    def markdown(self) -> str:
        """The same, as Markdown for the Prefect artifact."""
        lines = [f"# {self.run_id}", "",
                 f"- 接收 accepted: **{len(self.accepted)}** (warnings: {len(self.warned)})",
                 f"- 退回 rejected: **{len(self.rejected)}**",
                 f"- 已收到过 already received: {len(self.already_received)}", ""]
        if self.rejected or self.warned:
            lines += ["| file | severity | cell | indicator | message |", "|---|---|---|---|---|"]
            rejected, more_rejected = _first(list(self.rejected.items()), MORE_FILES)
            warned, more_warned = _first(list(self.warned.items()), MORE_WARNED)
            for name, problems in [*rejected, *warned]:
                lines += [f"| {_md(name)} | {p.severity} | {p.cell or ''} | {_md(p.indicator or '')} "
                          f"| {_md(p.message_zh)} / {_md(p.message_en)}{_md(_explained(p))} |" for p in problems]
            lines += ["", *(line.strip() for line in more_rejected + more_warned)]
        lines += [f"- {line.strip()}" for line in self.missing_lines() + self.arriving_lines()]
        lines += [f"- {self.overdue[0]}", *(f"  - {line.strip()}" for line in self.overdue[1:])] if self.overdue else []
        for problem in self.target_problems:
            lines.append(f"- 指标目标文件 targets file {_md(problem.file)} ({problem.severity}): "
                         f"{_md(problem.message_zh)} / {_md(problem.message_en)}")
        lines += ["", f"## 修订 / revisions: {len(self.revisions)}", ""]
        shown, more = _first(self.revisions, "… {n} more: see the revisions view")
        lines += [f"- {_md(r)}" for r in shown] + more
        lines += ["", f"## 变动的全市数字 / city figures changed: {len(self.changed_figures)}", ""]
        shown, more = _first(self.changed_figures, "… {n} more")
        lines += [f"- {c}" for c in shown] + more
        return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _explained(problem: Problem) -> str:
    """The form's explanation after a message in a table cell: `（说明 / explanation: …）`, or nothing."""
    return f"（{problem.explanation()}）" if problem.remark else ""


def summarise(con: duckdb.DuckDBPyConnection, run_id: str, new: list[Form], repeats: list[Form],
              target_problems: list[Problem], before: dict, started_at: datetime) -> RunSummary:
    """What a run did, read once its figures are built: `before` holds the city totals it started with;
    the units overdue are those overdue when it started."""
    summary = RunSummary(run_id, target_problems=target_problems, overdue=overdue_lines(queries.unreported(con), started_at))
    summary.already_received = [f.arrival.name for f in repeats]
    for form in new:  # a summary workbook gives many forms of one file: their problems are the file's
        if form.rejected:
            summary.rejected.setdefault(form.arrival.name, []).extend(form.problems)
            continue
        summary.accepted.append(form.arrival.name)
        if form.problems:
            summary.warned.setdefault(form.arrival.name, []).extend(form.problems)
    # each problem once: a 合计 mismatch is every unit row's
    summary.rejected = {name: list(dict.fromkeys(found)) for name, found in summary.rejected.items()}
    summary.warned = {name: list(dict.fromkeys(found)) for name, found in summary.warned.items()}
    periods = sorted({(f.period.year, f.period.month) for f in new if not f.rejected and f.period})
    if not periods and (latest := queries.latest_period(con)):
        periods = [latest]
    for (year, month), units in queries.missing_units_of_periods(con, periods).items():
        summary.missing_units[period_label(year, month)] = units
    summary.revisions = [
        f"{unit} {period_label(year, month)} {indicator} {plain_amount(old, kind) or '—'} → {plain_amount(new, kind) or '—'}"
        + (f"（封账后修订 / revised after the period was locked: {reason or '—'}）" if after_lock else "")
        for unit, year, month, indicator, kind, old, new, after_lock, reason in queries.run_revisions(con, run_id)]
    for year, month, code, name, shown_unit, kind, total in queries.city_totals(con):
        old = before.get((year, month, code))
        if old != total:
            summary.changed_figures.append(
                f"{period_label(year, month)} {name}（{shown_unit}）: {shown_value(old, kind) or '—'} → {shown_value(total, kind)}")
    return summary

