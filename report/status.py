"""`redcross status`: what the last runs did, the warnings waiting for a look (open or queried; the
explained and confirmed ones counted), the periods locked, who has not reported, and with a year, the
grid of who has reported which period."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import duckdb

from redcross.core.clock import utc_now
from redcross.core.locks import period_named
from redcross.core.periods import beijing_time, period_label
from redcross.report.model import COVERAGE_LEGEND, STATE_LABELS, Coverage, month_label
from redcross.report.run_summary import overdue_lines
from redcross.warehouse import queries

OVERDUE_SHOWN = 100  # overdue units `redcross status` lists; the rest are counted (the coverage view has all)


def status_text(con: duckdb.DuckDBPyConnection, last_runs: int = 5, year: int | None = None,
                now: datetime | None = None) -> str:
    """`now` (UTC, without a zone; the clock's by default) is when overdue is judged: a unit may have
    become overdue since the last run."""
    lines = ["最近的运行 / recent runs:"]
    for run in queries.recent_runs(con, last_runs):
        lines.append(f"  {beijing_time(run.started_at)}  {run.kind:<8} {run.status:<11} "
                     f"收到 seen {run.files_seen or 0}, 接收 accepted {run.files_accepted or 0}, "
                     f"退回 rejected {run.files_rejected or 0}  ({run.run_id})")
        for file_name, outcome, messages in queries.run_submissions(con, run.run_id):
            lines.append(f"    {outcome:<10} {file_name}")
            if outcome == "rejected":
                lines += [f"      {m['cell'] or ''} {m['message_zh']} / {m['message_en']}" for m in messages]
    if queries.view_comment(con, "main", "data_issues") is None:  # published before reviews were kept
        lines.append("提示的处理情况在下次运行后可见 / the warnings' states show after the next `redcross run`")
    else:
        lines += issue_lines(queries.waiting_issues(con), queries.settled_issues(con))
    if locks := queries.locks_in_force(con):
        lines.append("已封账 / locked periods: " + "；".join(_locked(lock) for lock in locks))
    if latest := queries.latest_period(con):
        shown = "、".join(queries.missing_units(con, *latest)) or "无 / none"
        lines.append(f"本期缺报 / not yet reported for {period_label(*latest)}: {shown}")
    calendar_known = queries.view_comment(con, "main", "reporting_rates") is not None
    if calendar_known:
        lines += overdue_lines(queries.unreported(con), now or utc_now(), shown=OVERDUE_SHOWN)
    else:  # published before the reporting calendar
        lines.append("报送时限在下次运行后可见 / due dates and overdue units show after the next `redcross run`")
    if year is not None and calendar_known:
        lines += ["", coverage_grid(Coverage.from_rows(year, queries.coverage(con, year), queries.reporting_rates(con, year)))]
    return "\n".join(lines)


def _locked(lock: queries.LockInForce) -> str:
    zh, en = period_named(lock.year, lock.month)
    return f"{zh} / {en}（{lock.reason}，{beijing_time(lock.locked_at)}）"


ISSUE_STATES = {"open": "待核实 open", "queried": "已要求更正 queried"}


def issue_lines(waiting: list[queries.WaitingIssue], settled: dict[str, int]) -> list[str]:
    """The warnings still waiting (open, or queried from the unit), each with the form's explanation
    or the data manager's note where there is one; the settled ones only counted."""
    explained, confirmed = settled["explained"], settled["confirmed"]
    head = (f"待核实的提示 / warnings waiting for a look: {len(waiting)}（另有已说明 {explained}、已确认 {confirmed}，"
            f"不再列出 / besides {explained} explained and {confirmed} confirmed, not listed）")
    lines = [head]
    for w in waiting:
        lines.append(f"  [{ISSUE_STATES[w.state]}] {period_label(w.year, w.month)} {w.unit_name} {w.file_name} "
                     f"{w.cell or ''} {w.indicator_name or ''}: {w.message_zh} / {w.message_en}")
        if w.remark:
            lines.append(f"      说明 / explanation: {w.remark}")
        if w.review_note:
            lines.append(f"      审核意见 / review note ({beijing_time(w.reviewed_at)}): {w.review_note}")
    return lines


def coverage_grid(coverage: Coverage) -> str:
    """Units down, the periods in use across, each cell 已报, 退回 or 缺报, aligned for a terminal
    (a Chinese character takes two columns), with the legend."""
    title = f"{coverage.year}年报送情况 / who has reported in {coverage.year}:"
    if not coverage.months:
        return f"{title} 无已接收的报表 / no accepted forms"
    names = [name for _, name, _ in coverage.rows]
    first = max(_width(n) for n in [*names, "单位"]) + 2
    columns = [max(_width(month_label(m)), _width("已报")) + 2 for m in coverage.months]
    lines = [title, _pad("单位", first) + "".join(_pad(month_label(m), w) for m, w in zip(coverage.months, columns, strict=True))]
    for _, name, states in coverage.rows:
        lines.append(_pad(name, first) + "".join(_pad(STATE_LABELS[s], w) for s, w in zip(states, columns, strict=True)))
    counts = {label: sum(states.count(state) for _, _, states in coverage.rows) for state, label in STATE_LABELS.items()}
    lines.append("合计 / totals: " + "，".join(f"{label} {n}" for label, n in counts.items()))
    lines += [line for line in (coverage.late_line(), coverage.on_time_line()) if line]
    lines.append(f"图例 / legend: {COVERAGE_LEGEND}")
    return "\n".join(line.rstrip() for line in lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
