"""The annual report: the city's figures, the narrative in Chinese, per-unit tables; JSON, Markdown, CSV.

The xlsx and HTML renderings live in `report_xlsx` and `report_html`; both take the `Report` built
here, so every format shows the same figures, rounded half-up once, at display.
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

import duckdb

from redcross.figures import WAN, Figure, Source, load_figures, load_sources, percent, round_half_up
from redcross.registry import Indicator, Registry
from redcross.summary import period_label

# The chart of each unit's share of the city totals (a bar segment per unit, in the xlsx a series
# per unit): a city's handful reads well, a province's thousands would not, and Excel refuses a
# chart of more than 255 series. Both formats leave it out beyond this many units.
CONTRIBUTION_CHART_UNITS = 40

# A cell starting with one of these is read as a formula by Excel, LibreOffice and WPS (and by
# their CSV import); a tab or carriage return in front hides the same trick.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str | None) -> str:
    """Text from an input file, made safe to show in a spreadsheet: a leading formula character gets a ' in front."""
    text = text or ""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


@dataclass(frozen=True)
class UnitRow:
    """One unit's line in an indicator's breakdown; `figure` is None for a unit that has not reported."""

    rank: int | None
    unit_code: str
    unit_name: str
    figure: Figure | None
    share: Fraction | None  # of the city total, x 100


@dataclass(frozen=True)
class Report:
    year: int
    month: int
    figures: list[Figure]
    registry: Registry
    missing_units: list[str]
    sources: tuple[Source, ...] = ()

    @property
    def period(self) -> str:
        return period_label(self.year, self.month)

    @cached_property
    def _by_scope(self) -> dict[tuple[str, str], Figure]:
        """(scope, indicator) -> figure: a province's report looks up thousands of units' figures."""
        found: dict[tuple[str, str], Figure] = {}
        for figure in self.figures:
            found.setdefault((figure.scope, figure.indicator_code), figure)
        return found

    @cached_property
    def _sources_by_scope(self) -> dict[tuple[str, str], list[Source]]:
        """(scope, indicator) -> the unit figures behind it; the city's scope holds every unit's."""
        found: dict[tuple[str, str], list[Source]] = {}
        for source in self.sources:
            found.setdefault(("city", source.indicator_code), []).append(source)
            found.setdefault((source.unit_code, source.indicator_code), []).append(source)
        return found

    def city(self, code: str) -> Figure | None:
        return self._by_scope.get(("city", code))

    def unit(self, code: str, unit: str) -> Figure | None:
        return self._by_scope.get((unit, code))

    def sources_for(self, code: str, scope: str = "city") -> list[Source]:
        """The unit figures (file, sheet, cell) that make up a figure: all units' for the city."""
        return list(self._sources_by_scope.get((scope, code), []))

    def breakdown(self, code: str) -> list[UnitRow]:
        """Every unit's figure for an indicator, largest first; units that have not reported last."""
        city = self.city(code)
        reported = [(u, f) for u in self.registry.units if (f := self.unit(code, u.code))]
        reported.sort(key=lambda pair: -pair[1].total)  # stable: ties keep registry order
        rows = [UnitRow(rank, u.code, u.name, f, percent(f.total, city.total if city else None))
                for rank, (u, f) in enumerate(reported, start=1)]
        rows += [UnitRow(None, u.code, u.name, None, None)
                 for u in self.registry.units if not self.unit(code, u.code)]
        return rows


def build_report(con: duckdb.DuckDBPyConnection, registry: Registry, year: int, month: int) -> Report:
    missing = con.execute(
        """select unit_name from units
           where unit_code not in (select unit_code from indicator_values where year = ? and month = ?)""",
        [year, month],
    ).fetchall()
    return Report(year, month, load_figures(con, year, month), registry, [m[0] for m in missing],
                  tuple(load_sources(con, year, month)))


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
        writer.writerow([s.indicator_code, indicator.name, s.unit_code, inert(s.unit_name), amount(s.value, indicator.kind),
                         indicator.stored_unit, *(inert(t) for t in (s.file_name, s.sha256, s.sheet, s.cell, s.messages))])
    return out.getvalue()


# --- narrative ----------------------------------------------------------------------------------

@cache
def _style() -> dict:
    return tomllib.loads(resources.files(__package__).joinpath("report_style.toml").read_text("utf-8"))


def places(table: str, key: str) -> int:
    """Decimal places the narrative gives a percentage (report_style.toml), else the default."""
    style = _style()
    return style.get(table, {}).get(key, style["default_places"])


def shown_amount(value: Decimal, indicator: Indicator) -> str:
    """An amount in its shown unit: 万元 with two places for money, counts as whole numbers."""
    if indicator.shown_unit == "万元":
        return f"{round_half_up(value / WAN, 2)}万元"
    return f"{round_half_up(value, 0)}{indicator.shown_unit}"


def shown(figure: Figure, registry: Registry) -> str:
    """A figure in its shown unit: 万元 for money (two places), counts as they are."""
    return shown_amount(figure.total, registry.indicator(figure.indicator_code))


def growth_phrase(figure: Figure | None, key: str) -> str | None:
    """同比增长/下降 x%, at the style's precision; None when there is no prior to compare with."""
    if figure is None or figure.growth is None:
        return None
    value = round_half_up(figure.growth, places("growth_places", key))
    if value == 0:
        return "与上年持平"
    return f"同比{'增长' if value > 0 else '下降'}{abs(value)}%"


def completion_phrase(figure: Figure | None, key: str) -> str | None:
    """完成省定指标的 x%; None where the province set no target."""
    if figure is None or figure.completion is None:
        return None
    return f"完成省定指标的{round_half_up(figure.completion, places('completion_places', key))}%"


# How each indicator opens its clause in the narrative, in the order the work report reads.
NARRATIVE_LEADS = {
    "first_aid_trained": "开展救护员培训", "public_trained": "普及培训", "hsc_registered": "造血干细胞捐献登记入库",
    "hsc_donated": "实现造血干细胞捐献", "organ_registered": "器官遗体角膜捐献登记", "organ_donated": "实现器官捐献",
    "body_cornea_donated": "遗体(角膜)捐献", "donation_income": "捐赠收入", "donation_expenditure": "捐赠支出",
    "aid_beneficiaries": "捐赠支出受益", "volunteer_events": "开展志愿服务", "volunteer_beneficiaries": "志愿服务受益",
}


def _clause(report: Report, code: str) -> str | None:
    figure = report.city(code)
    if figure is None:
        return None
    lead = NARRATIVE_LEADS.get(code, report.registry.indicator(code).name)
    parts = [f"{lead}{shown(figure, report.registry)}", completion_phrase(figure, code), growth_phrase(figure, code)]
    if code == "donation_income":
        parts.append(_city_office_clause(report))
    return "，".join(p for p in parts if p)


def _city_office_clause(report: Report) -> str | None:
    """其中市本级 x万元，占全市的 y%，同比增长 z%."""
    city, own = report.city("donation_income"), report.unit("donation_income", "city_office")
    if city is None or own is None:
        return None
    key = "city_office_donation_income"
    parts = [f"其中市本级{shown(own, report.registry)}"]
    share = percent(own.total, city.total)
    if share is not None:
        parts.append(f"占全市的{round_half_up(share, places('share_places', key))}%")
    parts.append(growth_phrase(own, key))
    return "，".join(p for p in parts if p)


def _without_prior(report: Report) -> str | None:
    """Which city figures have no growth, said once rather than left out silently."""
    city = [f for f in report.figures if f.scope == "city"]
    missing = [report.registry.indicator(f.indicator_code).name for f in city if f.growth is None]
    if not missing:
        return None
    if len(missing) == len(city):
        return "上年同期无可比数据，未计算同比。"
    return f"{'、'.join(missing)}上年同期无可比数据，未计算同比。"


def narrative(report: Report) -> str:
    """The work report's paragraph for the period, each percentage at the style's precision."""
    codes = [i.code for i in report.registry.indicators]
    body = "；".join(c for code in codes if (c := _clause(report, code)))
    if not body:
        return f"{report.period}尚无已接收的报表。"
    text = f"{report.period}，全市红十字系统{body}。"
    if report.missing_units:
        text += f"截至目前，{'、'.join(report.missing_units)}尚未报送本期报表，以上为已报单位合计。"
    if no_prior := _without_prior(report):
        text += no_prior
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


def write_report(report: Report, fmt: str, path: Path) -> Path:
    """Write the report in a file format (xlsx, html, md, json, csv) to `path`; the folder is made if missing."""
    from redcross.home import written_whole
    from redcross.report_html import to_html
    from redcross.report_xlsx import write_xlsx

    with written_whole(path) as temp:  # someone opening the report meanwhile gets the last one whole
        if fmt == "xlsx":
            write_xlsx(report, temp)
        else:
            text = {"html": to_html, "md": to_markdown, "json": to_json, "csv": to_csv}[fmt](report)
            temp.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")  # Excel reads a BOM'd CSV
    return path
    return path
