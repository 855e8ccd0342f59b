"""The report as text: JSON (SPEC §8), Markdown (what `redcross report` prints) and CSV (every
unit figure with the file, sheet and cell it came from)."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction

from core.decimals import percent, plain_amount, round_half_up
from core.periods import period_label
from report.model import Report
from report.narrative import narrative

# A cell starting with one of these is read as a formula by Excel, LibreOffice and WPS (and by
# their CSV import); a tab or carriage return in front hides the same trick.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str | None) -> str:
    """Text from an input file, made safe to show in a spreadsheet: a leading formula character gets a ' in front."""
    text = text or ""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def pct(value: Fraction | None, places: int = 2) -> str | None:
    return None if value is None else str(round_half_up(value, places))


def to_json(report: Report) -> str:
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
        }
        for f in report.figures
    ]
    return json.dumps({"year": report.year, "month": report.month, "figures": figures}, ensure_ascii=False, indent=2)


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
    lines = [f"# 绍兴市红十字会工作统计 {period_label(report.year, report.month)}", "", narrative(report), "",
             "## 全市指标 / City figures", "",
             "| 指标 | 本期 | 省定指标 | 完成率 | 上年同期 | 同比增长 |", "|---|---:|---:|---:|---:|---:|"]
    for ind in reg.indicators:
        f = report.city(ind.code)
        if f is None:
            continue
        unit = ind.stored_unit
        lines.append(
            f"| {ind.name} | {plain_amount(f.total, ind.kind)} {unit} | {plain_amount(f.target, ind.kind) or '—'} "
            f"| {_pct_cell(f.completion)} | {plain_amount(f.prior_total, ind.kind) or '—'} | {_pct_cell(f.growth)} |"
        )
    lines += ["", "## 各单位 / By unit", "", "| 单位 | " + " | ".join(i.name for i in reg.indicators) + " |",
              "|---|" + "---:|" * len(reg.indicators)]
    for unit in reg.units:
        cells = [plain_amount(f.total, i.kind) if (f := report.unit(i.code, unit.code)) else "缺报" for i in reg.indicators]
        lines.append(f"| {unit.name} | " + " | ".join(cells) + " |")
    share = _city_office_share(report)
    if share:
        lines += ["", f"市本级捐赠收入占全市的 {share}%。"]
    return "\n".join(lines) + "\n"


def _pct_cell(value: Fraction | None) -> str:
    return "—" if value is None else f"{pct(value)}%"


def _city_office_share(report: Report) -> str | None:
    city, own = report.city("donation_income"), report.unit("donation_income", "city_office")
    return pct(percent(own.total, city.total)) if city and own else None
