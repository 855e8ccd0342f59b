"""The report as text: JSON (SPEC §8), Markdown (what `redcross report` prints) and CSV (every
unit figure with the file, sheet and cell it came from)."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction

from redcross.core.decimals import percent, plain_amount, round_half_up
from redcross.core.periods import period_label
from redcross.report.model import COVERAGE_LEGEND, STATE_LABELS, Report, month_label
from redcross.report.narrative import narrative

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
    """SPEC §8 and §9: the figures (city and units, with targets, schedule gaps and ranks), the
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
            "yoy_growth_pct": pct(f.growth),
            "schedule_gap_pts": pct(f.schedule_gap),
            "rank": f.rank,
        }
        for f in report.figures
    ]
    revisions = [
        {"unit_code": r.unit_code, "indicator_code": r.indicator_code,
         "old_value": plain_amount(r.old_value, kinds[r.indicator_code]),
         "new_value": plain_amount(r.new_value, kinds[r.indicator_code]),
         "old_submission_id": r.old_submission_id, "new_submission_id": r.new_submission_id,
         "revised_at": r.revised_at.isoformat()}
        for r in report.revisions
    ]
    coverage = [{"unit_code": code, "month": month, "state": state}
                for code, _, states in (report.coverage.rows if report.coverage else ())
                for month, state in zip(report.coverage.months, states, strict=True)]
    return json.dumps({"year": report.year, "month": report.month, "time_progress_pct": pct(report.time_progress),
                       "figures": figures, "revisions": revisions, "coverage": coverage},
                      ensure_ascii=False, indent=2)


SOURCE_COLUMNS = ["指标代码 indicator_code", "指标 indicator", "单位代码 unit_code", "单位 unit", "数值 value",
                  "计量单位 measure", "文件名 file_name", "SHA-256", "工作表 sheet", "单元格 cell", "提示 messages"]


def to_csv(report: Report) -> str:
    """Every unit figure of the period with the file, sheet and cell it was read from, one per line.

    The value is in the unit the warehouse keeps (counts whole, 元 with two places); text that came in with a
    file (its name, sheet, messages quoting cells) cannot act as a formula when the CSV is opened.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SOURCE_COLUMNS)
    for s in report.sources:
        indicator = report.registry.indicator(s.indicator_code)
        writer.writerow([s.indicator_code, indicator.name, s.unit_code, inert(s.unit_name), plain_amount(s.value, indicator.kind),
                         indicator.stored_unit, *(inert(t) for t in (s.file_name, s.sha256, s.sheet, s.cell, s.messages))])
    return out.getvalue()


def to_markdown(report: Report) -> str:
    reg = report.registry
    calendar = report.before_december
    lines = [f"# 绍兴市红十字会工作统计 {period_label(report.year, report.month)}", "", narrative(report), "",
             "## 全市指标 / City figures", "",
             "| 指标 | 本期 | 省定指标 | 完成率 | 上年同期 | 同比增长 |" + (f" {GAP_HEADER} |" if calendar else ""),
             "|---|---:|---:|---:|---:|---:|" + ("---:|" if calendar else "")]
    for ind in reg.indicators:
        f = report.city(ind.code)
        if f is None:
            continue
        unit = ind.stored_unit
        lines.append(
            f"| {ind.name} | {plain_amount(f.total, ind.kind)} {unit} | {plain_amount(f.target, ind.kind) or '—'} "
            f"| {_pct_cell(f.completion)} | {plain_amount(f.prior_total, ind.kind) or '—'} | {_pct_cell(f.growth)} |"
            + (f" {points(f.schedule_gap)} |" if calendar else "")
        )
    lines += ["", "## 各单位 / By unit", "", "| 单位 | " + " | ".join(i.name for i in reg.indicators) + " |",
              "|---|" + "---:|" * len(reg.indicators)]
    for unit in reg.units:
        cells = [plain_amount(f.total, i.kind) if (f := report.unit(i.code, unit.code)) else "缺报" for i in reg.indicators]
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
        lines += ["", f"### {ind.name}（{ind.stored_unit}）", "",
                  "| 排名 | 单位 | 本期 | 全年目标 | 完成率 |" + (f" {GAP_HEADER} |" if calendar else "") + " 同比增长 |",
                  "|---:|---|---:|---:|---:|" + ("---:|" if calendar else "") + "---:|"]
        for row in report.ranking(code):
            f, target = row.figure, plain_amount(row.target, ind.kind)
            if f is None:
                lines.append(f"| — | {row.unit_name} | 缺报 | {target} | — |" + (" — |" if calendar else "") + " — |")
                continue
            lines.append(f"| {f.rank or '—'} | {row.unit_name} | {plain_amount(f.total, ind.kind)} | {target} "
                         f"| {_pct_cell(f.completion)} |" + (f" {points(f.schedule_gap)} |" if calendar else "")
                         + f" {_pct_cell(f.growth)} |")
    return lines


def _revisions_markdown(report: Report) -> list[str]:
    lines = ["", "## 本期修订 / Revisions", ""]
    if not report.revisions:
        return [*lines, "本期没有单位修订已报数字。"]
    lines += ["| 单位 | 指标 | 原数 | 新数 | 原报表 | 新报表 | 收到新报表 (UTC) |", "|---|---|---:|---:|---|---|---|"]
    for r in report.revisions:
        ind = report.registry.indicator(r.indicator_code)
        lines.append(f"| {r.unit_name} | {ind.name} | {plain_amount(r.old_value, ind.kind) or '—'} "
                     f"| {plain_amount(r.new_value, ind.kind) or '—'} | {_md(r.old_file)} | {_md(r.new_file)} "
                     f"| {r.revised_at:%Y-%m-%d %H:%M} |")
    return lines


def _coverage_markdown(report: Report) -> list[str]:
    coverage = report.coverage
    if coverage is None or not coverage.months:
        return []
    lines = ["", f"## {report.year}年报送情况 / Who has reported", "",
             "| 单位 | " + " | ".join(month_label(m) for m in coverage.months) + " |",
             "|---|" + ":---:|" * len(coverage.months)]
    lines += [f"| {name} | " + " | ".join(STATE_LABELS[s] for s in states) + " |" for _, name, states in coverage.rows]
    return [*lines, "", f"图例 / legend：{COVERAGE_LEGEND}"]


def _md(text: str) -> str:
    """Text from an input file (a file name) inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _pct_cell(value: Fraction | None) -> str:
    return "—" if value is None else f"{pct(value)}%"


def _city_office_share(report: Report) -> str | None:
    city, own = report.city("donation_income"), report.unit("donation_income", "city_office")
    return pct(percent(own.total, city.total)) if city and own else None
