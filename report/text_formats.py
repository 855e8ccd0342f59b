"""The report as text: JSON, Markdown (what `redcross report` prints) and CSV (every
unit figure with the file, sheet and cell it came from)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from fractions import Fraction

from redcross.core.decimals import in_wan, percent, plain_amount, round_half_up
from redcross.core.periods import period_label
from redcross.core.registry import Indicator
from redcross.report.model import (
    COVERAGE_LEGEND,
    STATE_LABELS,
    Figure,
    Report,
    lock_marked,
    lock_notes,
    month_label,
)
from redcross.report.narrative import narrative, precision_note, shown_number

# A cell starting with one of these is read as a formula by Excel, LibreOffice and WPS (and by
# their CSV import); a tab or carriage return in front hides the same trick.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str | None) -> str:
    """Text from an input file, made safe to show in a spreadsheet: a leading formula character gets a ' in front."""
    text = text or ""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def pct(value: Fraction | None, places: int = 2) -> str | None:
    return None if value is None else str(round_half_up(value, places))


def points(value: Fraction | None) -> str:
    """A gap to the calendar in percentage points, signed: +6.20 ahead, -2.23 behind; — without a target."""
    if value is None:
        return "—"
    shown = round_half_up(value, 2)
    return f"+{shown}" if shown > 0 else str(shown)


def to_json(report: Report) -> str:
    """The figures (city and units, with targets, schedule gaps and ranks), the
    period's revisions and the year's coverage; amounts and percentages as strings, half-up."""
    kinds = {i.code: i.kind for i in report.registry.indicators}
    figures = [
        {
            "indicator_code": f.indicator_code,
            "scope": f.scope,
            "total": plain_amount(f.total, kinds[f.indicator_code]),
            "target": plain_amount(f.target, kinds[f.indicator_code]),
            "completion_pct": pct(f.completion),
            "prior_total": plain_amount(f.prior_total, kinds[f.indicator_code]),
            "yoy_growth_pct": pct(None if f.on_comparable_basis else f.growth),
            "schedule_gap_pts": pct(f.schedule_gap),
            "rank": f.rank,
            **_comparable_json(f, kinds[f.indicator_code]),
        }
        for f in report.figures
    ]
    revisions = [
        {"unit_code": r.unit_code, "indicator_code": r.indicator_code,
         "old_value": plain_amount(r.old_value, kinds[r.indicator_code]),
         "new_value": plain_amount(r.new_value, kinds[r.indicator_code]),
         "old_submission_id": r.old_submission_id, "new_submission_id": r.new_submission_id,
         "revised_at": r.revised_at.isoformat(),
         **({"after_lock": True, "reason": r.reason} if r.after_lock else {})}
        for r in report.revisions
    ]
    late = {(code, month): days for code, month, days in (report.coverage.days_late if report.coverage else ())}
    coverage = [{"unit_code": code, "month": month, "state": state,
                 **({"late": True, "days_late": late[code, month]} if (code, month) in late else {})}
                for code, _, states in (report.coverage.rows if report.coverage else ())
                for month, state in zip(report.coverage.months, states, strict=True)]
    rates = [{"month": r.month, "expected": r.expected, "reported": r.reported, "on_time": r.on_time,
              "on_time_pct": pct(r.on_time_pct)} for r in (report.coverage.rates if report.coverage else ())]
    return json.dumps({"year": report.year, "month": report.month, "time_progress_pct": pct(report.time_progress),
                       "precision": precision_note(), "figures": figures, "revisions": revisions, "coverage": coverage,
                       "reporting_rates": rates},
                      ensure_ascii=False, indent=2)


def _comparable_json(figure: Figure, kind: str) -> dict:
    """A city figure's growth basis: yoy_growth_pct is given only where `complete`, the comparable growth always."""
    basis = figure.comparable
    if basis is None:
        return {}
    return {"complete": basis.complete, "comparable_units": basis.units,
            "comparable_total": plain_amount(basis.total, kind),
            "comparable_prior_total": plain_amount(basis.prior_total, kind),
            "comparable_growth_pct": pct(basis.growth),
            "comparable_left_out": [{"unit_name": name, "missing": why} for name, why in basis.left_out]}


SOURCE_COLUMNS = ["指标代码 indicator_code", "指标 indicator", "单位代码 unit_code", "单位 unit", "数值 value",
                  "计量单位 measure", "文件名 file_name", "SHA-256", "工作表 sheet", "单元格 cell", "提示 messages"]


def to_csv(report: Report) -> str:
    """Every unit figure of the period with the file, sheet and cell it was read from, one per line.

    The value is in the indicator's shown unit, exact (counts whole, money in 万元 to the fen: 1459.5500);
    text that came in with a file (its name, sheet, messages quoting cells) cannot act as a formula when
    the CSV is opened.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SOURCE_COLUMNS)
    for s in report.sources:
        indicator = report.registry.indicator(s.indicator_code)
        writer.writerow([s.indicator_code, indicator.name, s.unit_code, inert(s.unit_name), _exact_shown(s.value, indicator),
                         indicator.shown_unit, *(inert(t) for t in (s.file_name, s.sha256, s.sheet, s.cell, s.messages))])
    return out.getvalue()


def _exact_shown(value: Decimal, indicator: Indicator) -> str:
    """A unit figure in its shown unit with nothing rounded away: 万元 to the fen for money, counts whole."""
    return str(in_wan(value)) if indicator.kind == "money" else plain_amount(value, indicator.kind)


def to_markdown(report: Report) -> str:
    reg = report.registry
    calendar = report.before_december
    lines = [f"# 绍兴市红十字会工作统计 {period_label(report.year, report.month)}", "", narrative(report), "",
             f"*{precision_note()}*", "", "## 全市指标 / City figures", "",
             "| 指标 | 计量单位 | 本期 | 省定指标 | 完成率 | 上年同期 | 同比增长 |" + (f" {GAP_HEADER} |" if calendar else ""),
             "|---|---|---:|---:|---:|---:|---:|" + ("---:|" if calendar else "")]
    for ind in reg.indicators:
        f = report.city(ind.code)
        if f is None:
            continue
        lines.append(
            f"| {ind.name} | {ind.shown_unit} | {shown_number(f.total, ind)} | {shown_number(f.target, ind) or '—'} "
            f"| {_pct_cell(f.completion)} | {shown_number(f.prior_total, ind) or '—'} | {_growth_cell(f)} |"
            + (f" {points(f.schedule_gap)} |" if calendar else "")
        )
    lines += ["", "## 各单位 / By unit", "", "| 单位 | " + " | ".join(f"{i.name}（{i.shown_unit}）" for i in reg.indicators) + " |",
              "|---|" + "---:|" * len(reg.indicators)]
    for unit in reg.units:
        cells = [shown_number(f.total, i) if (f := report.unit(i.code, unit.code)) else "缺报" for i in reg.indicators]
        lines.append(f"| {unit.name} | " + " | ".join(cells) + " |")
    share = _city_office_share(report)
    if share:
        lines += ["", f"市本级捐赠收入占全市的 {share}%。"]
    lines += _ranking_markdown(report) + _revisions_markdown(report) + _coverage_markdown(report)
    return "\n".join(lines) + "\n"


GAP_HEADER = "超(+)/落后(-)序时进度(百分点)"


def _ranking_markdown(report: Report) -> list[str]:
    """Per indicator the city set units targets for: the units by rank, those not reported last."""
    if not report.targeted_indicators:
        return []
    calendar = report.before_december
    lines = ["", "## 各单位目标完成情况 / Units against their targets"]
    for code in report.targeted_indicators:
        ind = report.registry.indicator(code)
        lines += ["", f"### {ind.name}（{ind.shown_unit}）", "",
                  "| 排名 | 单位 | 本期 | 全年目标 | 完成率 |" + (f" {GAP_HEADER} |" if calendar else "") + " 同比增长 |",
                  "|---:|---|---:|---:|---:|" + ("---:|" if calendar else "") + "---:|"]
        for row in report.ranking(code):
            f, target = row.figure, shown_number(row.target, ind)
            if f is None:
                lines.append(f"| — | {row.unit_name} | 缺报 | {target} | — |" + (" — |" if calendar else "") + " — |")
                continue
            lines.append(f"| {f.rank or '—'} | {row.unit_name} | {shown_number(f.total, ind)} | {target} "
                         f"| {_pct_cell(f.completion)} |" + (f" {points(f.schedule_gap)} |" if calendar else "")
                         + f" {_pct_cell(f.growth)} |")
    return lines


def _revisions_markdown(report: Report) -> list[str]:
    lines = ["", "## 本期修订 / Revisions", ""]
    if not report.revisions:
        return [*lines, "本期没有单位修订已报数字。"]
    lines += ["| 单位 | 指标 | 计量单位 | 原数 | 新数 | 原报表 | 新报表 | 收到新报表 (UTC) |", "|---|---|---|---:|---:|---|---|---|"]
    for r in report.revisions:
        ind = report.registry.indicator(r.indicator_code)
        lines.append(f"| {r.unit_name} | {ind.name} | {ind.shown_unit} | {shown_number(r.old_value, ind) or '—'} "
                     f"| {lock_marked(shown_number(r.new_value, ind) or '—', r)} | {_md(r.old_file)} | {_md(r.new_file)} "
                     f"| {r.revised_at:%Y-%m-%d %H:%M} |")
    notes = lock_notes(report.revisions)
    return [*lines, "", *(_md(note) for note in notes)] if notes else lines


def _coverage_markdown(report: Report) -> list[str]:
    coverage = report.coverage
    if coverage is None or not coverage.months:
        return []
    lines = ["", f"## {report.year}年报送情况 / Who has reported", "",
             "| 单位 | " + " | ".join(month_label(m) for m in coverage.months) + " |",
             "|---|" + ":---:|" * len(coverage.months)]
    lines += [f"| {name} | " + " | ".join(STATE_LABELS[s] for s in states) + " |" for _, name, states in coverage.rows]
    timeliness = [line for line in (coverage.late_line(), coverage.on_time_line()) if line]
    return [*lines, "", *(part for line in timeliness for part in (line, "")), f"图例 / legend：{COVERAGE_LEGEND}"]


def _md(text: str) -> str:
    """Text from an input file (a file name) inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _pct_cell(value: Fraction | None) -> str:
    return "—" if value is None else f"{pct(value)}%"


def _growth_cell(figure: Figure) -> str:
    """The quoted growth; on a comparable basis 5.00%（可比口径，1个单位）."""
    if figure.on_comparable_basis and figure.growth is not None:
        return f"{_pct_cell(figure.growth)}（{figure.comparable.label}）"
    return _pct_cell(figure.growth)


def _city_office_share(report: Report) -> str | None:
    city, own = report.city("donation_income"), report.unit("donation_income", "city_office")
    return pct(percent(own.total, city.total)) if city and own else None
