"""The work report's paragraph for a period, in Chinese, each percentage at the precision
style.toml sets for it (the default reads like the 2018 article: 150.75%, 133.3%, 25%). Before
December each target figure is also read against the calendar (序时进度)."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from fractions import Fraction
from functools import cache
from importlib import resources

from redcross.core.decimals import percent, round_half_up, shown_value
from redcross.core.registry import Indicator, Registry
from redcross.report.model import Figure, Report


@cache
def _style() -> dict:
    return tomllib.loads(resources.files(__package__).joinpath("style.toml").read_text("utf-8"))


def places(table: str, key: str) -> int:
    """Decimal places the narrative gives a percentage (style.toml), else the default."""
    style = _style()
    return style.get(table, {}).get(key, style["default_places"])


def shown_number(value: Decimal | None, indicator: Indicator) -> str | None:
    """An amount as a number in its shown unit (registry's shown_unit): 万元 with two places for money, counts whole."""
    return shown_value(value, indicator.kind)


def shown_amount(value: Decimal, indicator: Indicator) -> str:
    """An amount in its shown unit, with the unit: 1459.55万元, 14人."""
    return f"{shown_number(value, indicator)}{indicator.shown_unit}"


def narrative_places() -> tuple[int, int]:
    """The fewest and most decimal places the narrative gives a percentage (style.toml)."""
    style = _style()
    found = [style["default_places"]] + [v for table in style.values() if isinstance(table, dict) for v in table.values()]
    return min(found), max(found)


def precision_note() -> str:
    """What the report says about rounding, true of every figure in every format."""
    low, high = narrative_places()
    span = f"{low}至{high}位" if low != high else f"{low}位"
    return (f"金额以万元计，保留两位小数；百分比均四舍五入：表格保留两位小数，文字叙述沿用工作报告的写法保留{span}小数，"
            "故同一百分比在文字与表格中位数可能不同。"
            f"Amounts in 万元 to two places; percentages rounded half-up, to two places in tables and "
            f"{span.replace('至', '-').replace('位', '')} places in the text.")


def shown(figure: Figure, registry: Registry) -> str:
    """A figure in its shown unit: 万元 for money (two places), counts as they are."""
    return shown_amount(figure.total, registry.indicator(figure.indicator_code))


def growth_phrase(figure: Figure | None, key: str) -> str | None:
    """同比增长/下降 x%, at the style's precision; 同比（可比口径，n个单位）增长 x% where the totals do
    not compare; None when there is no growth to give."""
    if figure is None or figure.growth is None:
        return None
    value = round_half_up(figure.growth, places("growth_places", key))
    basis = f"（{figure.comparable.label}）" if figure.on_comparable_basis else ""
    if value == 0:
        return f"同比{basis}持平" if basis else "与上年持平"
    return f"同比{basis}{'增长' if value > 0 else '下降'}{abs(value)}%"


def completion_phrase(figure: Figure | None, key: str) -> str | None:
    """完成省定指标的 x% for the full year; before December 完成全年目标的 x% and how that stands
    against the calendar. None where no target was set."""
    if figure is None or figure.completion is None:
        return None
    shown = round_half_up(figure.completion, places("completion_places", key))
    if figure.month == 12:
        return f"完成省定指标的{shown}%"
    return f"完成全年目标的{shown}%，{schedule_phrase(figure, key)}"


def schedule_phrase(figure: Figure, key: str) -> str | None:
    """超序时进度 / 落后序时进度 x 个百分点 (or 与序时进度持平), at the precision of the completion it
    follows; the exact gap rounded once. None where no target was set."""
    if figure.schedule_gap is None:
        return None
    gap = round_half_up(figure.schedule_gap, places("completion_places", key))
    if gap == 0:
        return "与序时进度持平"
    return f"{'超' if gap > 0 else '落后'}序时进度{abs(gap)}个百分点"


def progress_text(value: Fraction) -> str:
    """The calendar's share as the work report writes it: 50%, 25%, 41.67% (half-up, two places at most)."""
    shown = round_half_up(value, 2)
    return f"{shown.quantize(Decimal(1)) if shown == shown.to_integral_value() else shown}%"


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


def _not_yet_comparable(figure: Figure) -> bool:
    """A prior total exists, but no unit reported both periods: growth cannot yet be given."""
    return figure.growth is None and figure.on_comparable_basis and figure.prior_total is not None


def _without_prior(report: Report) -> str:
    """Which city figures have no growth, said once rather than left out silently."""
    city = [f for f in report.figures if f.scope == "city"]
    text = ""
    for chosen, ending in (([f for f in city if f.growth is None and not _not_yet_comparable(f)], "上年同期无可比数据，未计算同比。"),
                           ([f for f in city if _not_yet_comparable(f)], "没有单位两期均已报送，暂不能计算同比。")):
        names = [report.registry.indicator(f.indicator_code).name for f in chosen]
        if names:
            text += ending if len(names) == len(city) else f"{'、'.join(names)}{ending}"
    return text


def _comparable_basis(report: Report) -> str:
    """Which units each comparable growth leaves out, and why: one sentence per set of units left out."""
    groups: dict[str, list[str]] = {}
    for f in report.figures:
        if f.scope == "city" and f.on_comparable_basis and f.growth is not None:
            groups.setdefault(f.comparable.left_out_text, []).append(report.registry.indicator(f.indicator_code).name)
    if len(groups) == 1:
        (left_out,) = groups
        return f"同比按可比口径计算，只计本期与上年同期均已报送的单位，不含{left_out}。"
    return "".join(f"{'、'.join(names)}的同比按可比口径计算，不含{left_out}。" for left_out, names in groups.items())


def narrative(report: Report) -> str:
    """The work report's paragraph for the period, each percentage at the style's precision."""
    codes = [i.code for i in report.registry.indicators]
    body = "；".join(c for code in codes if (c := _clause(report, code)))
    if not body:
        return f"{report.period}尚无已接收的报表。"
    calendar = f"（序时进度{progress_text(report.time_progress)}）" if report.before_december else ""
    text = f"{report.period}{calendar}，全市红十字系统{body}。"
    if report.missing_units:
        text += f"截至目前，{'、'.join(report.missing_units)}尚未报送本期报表，以上为已报单位合计。"
    return text + _comparable_basis(report) + _without_prior(report)
