"""`redcross status`: what the last runs did, the warnings waiting for a look, who has not reported."""

from __future__ import annotations

import duckdb

from core.periods import period_label
from warehouse import queries


def status_text(con: duckdb.DuckDBPyConnection, last_runs: int = 5) -> str:
    lines = ["最近的运行 / recent runs:"]
    for run_id, kind, started, finished, status, seen, accepted, rejected in queries.recent_runs(con, last_runs):
        lines.append(f"  {started:%Y-%m-%d %H:%M} UTC  {kind:<8} {status:<11} "
                     f"收到 seen {seen or 0}, 接收 accepted {accepted or 0}, 退回 rejected {rejected or 0}  ({run_id})")
        for file_name, outcome, messages in queries.run_submissions(con, run_id):
            lines.append(f"    {outcome:<10} {file_name}")
            if outcome == "rejected":
                lines += [f"      {m['cell'] or ''} {m['message_zh']} / {m['message_en']}" for m in messages]
    warnings = queries.waiting_warnings(con)
    lines.append(f"待核实的提示 / warnings waiting for a look: {len(warnings)}")
    for file_name, unit, year, month, m in warnings:
        lines.append(f"  {period_label(year, month)} {unit} {file_name} {m['cell'] or ''} {m['indicator'] or ''}: "
                     f"{m['message_zh']} / {m['message_en']}")
    if latest := queries.latest_period(con):
        shown = "、".join(queries.missing_units(con, *latest)) or "无 / none"
        lines.append(f"本期缺报 / not yet reported for {period_label(*latest)}: {shown}")
    return "\n".join(lines)
