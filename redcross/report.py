"""The annual report: the city's figures, the narrative in Chinese, per-unit tables; JSON and Markdown."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from importlib import resources

import duckdb

from redcross.figures import WAN, Figure, load_figures, percent, round_half_up
from redcross.registry import Registry
from redcross.summary import period_label


@dataclass(frozen=True)
class Report:
    year: int
    month: int
    figures: list[Figure]
    registry: Registry
    missing_units: list[str]

    def city(self, code: str) -> Figure | None:
        return next((f for f in self.figures if f.scope == "city" and f.indicator_code == code), None)

    def unit(self, code: str, unit: str) -> Figure | None:
        return next((f for f in self.figures if f.scope == unit and f.indicator_code == code), None)


def build_report(con: duckdb.DuckDBPyConnection, registry: Registry, year: int, month: int) -> Report:
    missing = con.execute(
        """select unit_name from units
           where unit_code not in (select unit_code from indicator_values where year = ? and month = ?)""",
        [year, month],
    ).fetchall()
    return Report(year, month, load_figures(con, year, month), registry, [m[0] for m in missing])


# --- figures as text ----------------------------------------------------------------------------

def amount(figure_value: Decimal | None, kind: str) -> str | None:
    """Counts as whole numbers, money in 元 with two places."""
    if figure_value is None:
        return None
    return str(round_half_up(figure_value, 2 if kind == "money" else 0))


def pct(value: Fraction | None, places: int = 2) -> str | None:
    return None if value is None else str(round_half_up(value, places))


def to_json(report: Report) -> str:
    kinds = {i.code: i.kind for i in report.registry.indicators}
    figures = [
        {
            "indicator_code": f.indicator_code,
            "scope": f.scope,
            "total": amount(f.total, kinds[f.indicator_code]),
            "target": amount(f.target, kinds[f.indicator_code]),
            "completion_pct": pct(f.completion),
            "prior_total": amount(f.prior_total, kinds[f.indicator_code]),
            "yoy_growth_pct": pct(f.growth),
        }
        for f in report.figures
    ]
    return json.dumps({"year": report.year, "month": report.month, "figures": figures}, ensure_ascii=False, indent=2)


# --- narrative ----------------------------------------------------------------------------------

def _style() -> dict:
    return tomllib.loads(resources.files(__package__).joinpath("report_style.toml").read_text("utf-8"))


def shown(figure: Figure, registry: Registry) -> str:
    """A figure in its shown unit: 万元 for money (two places), counts as they are."""
    indicator = registry.indicator(figure.indicator_code)
    if indicator.shown_unit == "万元":
        return f"{round_half_up(figure.total / WAN, 2)}万元"
    return f"{round_half_up(figure.total, 0)}{indicator.shown_unit}"


def narrative(report: Report) -> str:
    """The work report's paragraph for the period, each percentage at the style's precision."""
    style = _style()
    reg = report.registry

    def places(table: str, key: str) -> int:
        return style.get(table, {}).get(key, style["default_places"])

    def growth(code: str, figure: Figure | None = None, key: str | None = None) -> str | None:
        figure = figure or report.city(code)
        if figure is None or figure.growth is None:
            return None
        value = round_half_up(figure.growth, places("growth_places", key or code))
        if value == 0:
            return "与上年持平"
        return f"同比{'增长' if value > 0 else '下降'}{abs(value)}%"

    def completion(code: str) -> str | None:
        figure = report.city(code)
        if figure is None or figure.completion is None:
            return None
        return f"完成省定指标的{round_half_up(figure.completion, places('completion_places', code))}%"

    def clause(code: str, verb: str = "") -> str | None:
        figure = report.city(code)
        if figure is None:
            return None
        parts = [f"{verb}{reg.indicator(code).name}{shown(figure, reg)}", completion(code), growth(code)]
        return "，".join(p for p in parts if p)

    sentences = [
        clause("first_aid_trained", "开展"), clause("public_trained"),
        clause("hsc_registered"), clause("hsc_donated", "实现"),
        clause("organ_registered"), clause("organ_donated", "实现"), clause("body_cornea_donated"),
    ]
    income = clause("donation_income")
    city_office = report.unit("donation_income", "city_office")
    if income and city_office:
        own = [f"其中市本级{shown(city_office, reg)}", growth("donation_income", city_office, "city_office_donation_income")]
        income += "，" + "，".join(p for p in own if p)
    sentences += [income, clause("donation_expenditure"), clause("aid_beneficiaries"),
                  clause("volunteer_events", "开展"), clause("volunteer_beneficiaries")]
    body = "；".join(s for s in sentences if s)
    if not body:
        return f"{period_label(report.year, report.month)}尚无已接收的报表。"
    text = f"{period_label(report.year, report.month)}，全市红十字系统{body}。"
    if report.missing_units:
        text += f"（{'、'.join(report.missing_units)}尚未报送本期报表，以上为已报单位合计。）"
    return text


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
            f"| {ind.name} | {amount(f.total, ind.kind)} {unit} | {amount(f.target, ind.kind) or '—'} "
            f"| {_pct_cell(f.completion)} | {amount(f.prior_total, ind.kind) or '—'} | {_pct_cell(f.growth)} |"
        )
    lines += ["", "## 各单位 / By unit", "", "| 单位 | " + " | ".join(i.name for i in reg.indicators) + " |",
              "|---|" + "---:|" * len(reg.indicators)]
    for unit in reg.units:
        cells = [amount(f.total, i.kind) if (f := report.unit(i.code, unit.code)) else "缺报" for i in reg.indicators]
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
