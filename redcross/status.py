"""`redcross status`: what the last runs did, the warnings waiting for a look, who has not reported."""

from __future__ import annotations

import duckdb

from redcross.summary import period_label


def status_text(con: duckdb.DuckDBPyConnection, last_runs: int = 5) -> str:
    lines = ["最近的运行 / recent runs:"]
    runs = con.execute(
        """select run_id, kind, started_at, finished_at, status, files_seen, files_accepted, files_rejected
           from runs order by started_at desc limit ?""",
        [last_runs],
    ).fetchall()
    for run_id, kind, started, finished, status, seen, accepted, rejected in runs:
        lines.append(f"  {started:%Y-%m-%d %H:%M} UTC  {kind:<8} {status:<11} "
                     f"收到 seen {seen or 0}, 接收 accepted {accepted or 0}, 退回 rejected {rejected or 0}  ({run_id})")
        for file_name, outcome, messages in con.execute(
            "select file_name, status, messages from submissions where run_id = ? order by file_name", [run_id]
        ).fetchall():
            lines.append(f"    {outcome:<10} {file_name}")
            if outcome == "rejected":
                lines += [f"      {m['cell'] or ''} {m['message_zh']} / {m['message_en']}" for m in messages]
    warnings = con.execute(
        """select file_name, unit_code, year, month, unnest(messages) as m from submissions
           where status = 'accepted' and len(messages) > 0 order by year desc, month desc, file_name"""
    ).fetchall()
    lines.append(f"待核实的提示 / warnings waiting for a look: {len(warnings)}")
    for file_name, unit, year, month, m in warnings:
        lines.append(f"  {period_label(year, month)} {unit} {file_name} {m['cell'] or ''} {m['indicator'] or ''}: "
                     f"{m['message_zh']} / {m['message_en']}")
    latest = con.execute("select year, month from indicator_values order by year desc, month desc limit 1").fetchone()
    if latest:
        missing = con.execute(
            """select unit_name from units where unit_code not in
               (select unit_code from indicator_values where year = ? and month = ?) order by unit_code""",
            list(latest),
        ).fetchall()
        shown = "、".join(m[0] for m in missing) or "无 / none"
        lines.append(f"本期缺报 / not yet reported for {period_label(*latest)}: {shown}")
    return "\n".join(lines)
