"""The annual report as one self-contained HTML page: readable on a phone, printable on A4.

Beside the city's and the units' figures: where units have targets, their ranking with a chart
against the calendar; the period's revisions; the year's coverage grid.

Inline CSS and inline SVG charts (`report.svg`), nothing fetched from anywhere. Every figure links
to its indicator's breakdown, where each unit's figure names the file, sheet, cell and SHA-256 it
was read from; the appendix lists them all. All text taken from the warehouse is escaped.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from html import escape

from redcross.core.decimals import in_wan, round_half_up
from redcross.core.registry import Indicator
from redcross.report.model import (
    CONTRIBUTION_CHART_UNITS,
    COVERAGE_LEGEND,
    LOCK_MARK,
    STATE_LABELS,
    Figure,
    Report,
    Revision,
    Source,
    UnitRow,
    lock_notes,
    month_label,
)
from redcross.report.narrative import narrative, precision_note
from redcross.report.svg import Bar, Segment, bar_chart, stacked_chart
from redcross.report.text_formats import GAP_HEADER, points

NONE = "—"
HEADER_NOTE = "绍兴市红十字会 · 数据来自统计数据库中已接收的各单位报表。"

CSS = """
:root { --red: #B00000; --ink: #1a1a1a; --muted: #5f5f5f; --rule: #d9d9d9; --band: #f7eeee; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.6;
  font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
    "WenQuanYi Micro Hei", sans-serif; font-size: 16px; }
main { max-width: 1000px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5rem; margin: 0.2em 0; color: var(--red); }
h2 { font-size: 1.2rem; border-bottom: 2px solid var(--red); padding-bottom: 4px; margin-top: 1.8em; }
h3 { font-size: 1.05rem; margin: 1.4em 0 0.4em; }
.meta, .note { color: var(--muted); font-size: 0.85rem; }
.narrative { text-indent: 2em; text-align: justify; }
.missing { background: #fff4e5; border-left: 4px solid #e69500; padding: 6px 10px; }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border: 1px solid var(--rule); padding: 4px 6px; vertical-align: top; }
th { background: var(--band); font-weight: 600; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.none { text-align: center; color: var(--muted); }
td.source { font-size: 0.8rem; word-break: break-all; min-width: 12em; }
code { font-size: 0.75rem; color: var(--muted); word-break: break-all; }
a { color: var(--red); }
details summary { cursor: pointer; }
.charts { display: grid; grid-template-columns: 1fr; gap: 20px; }
.charts figure { margin: 0; overflow-x: auto; }
svg.chart { width: 100%; height: auto; display: block; }
td.name { min-width: 7em; }
table.grid { width: auto; }
td.state { text-align: center; white-space: nowrap; min-width: 5em; }
td.state-accepted { background: #e8f3e8; color: #1e5e1e; }
td.state-rejected { background: #fde8e8; color: #9b0000; font-weight: 600; }
td.state-missing { background: #fff4e5; color: #8a5a00; font-weight: 600; }
svg .chart-title { font-size: 15px; font-weight: 600; fill: var(--ink); }
svg .label { font-size: 12px; fill: var(--ink); }
svg .value { font-size: 12px; fill: var(--muted); }
svg .axis { stroke: #999; stroke-width: 1; }
svg .reference { stroke: #333; stroke-width: 1.5; stroke-dasharray: 5 4; fill: none; }
@media (max-width: 600px) {
  body { font-size: 15px; }
  main { padding: 10px; }
  th, td { padding: 3px 4px; }
  .wide { display: none; }
  svg.chart { min-width: 600px; }  /* scroll sideways rather than shrink the labels below reading size */
}
@page { size: A4; margin: 16mm 14mm 18mm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  section.indicator, figure, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  .table-wrap { overflow: visible; }
  .wide { display: table-cell; }
  svg.chart { min-width: 0; }
}
"""


def number(value: Decimal, indicator: Indicator) -> str:
    """An amount as the tables print it: 万元 with two places for money, counts whole; grouped by thousands."""
    if indicator.kind == "money":
        return f"{round_half_up(in_wan(value), 2):,}"
    return f"{round_half_up(value, 0):,}"


def percent_text(value: Fraction | None) -> str:
    return NONE if value is None else f"{round_half_up(value, 2)}%"


def _cell(html_text: str, css: str = "num", title: str | None = None) -> str:
    """A table cell holding markup already escaped; a missing value is a centred dash."""
    attr = f' title="{escape(title)}"' if title else ""
    css = css.replace("num", "none") if html_text == NONE else css
    return f'<td class="{css}"{attr}>{html_text}</td>'


def _amount_cell(value: Decimal | None, indicator: Indicator, title: str | None = None, css: str = "num") -> str:
    return _cell(NONE if value is None else escape(number(value, indicator)), css, title)


def _source_line(source: Source) -> str:
    return f"{source.unit_name}：{source.file_name}，{source.sheet}!{source.cell}，SHA-256 {source.sha256}"


def to_html(report: Report) -> str:
    """The whole page as a string."""
    title = f"绍兴市红十字会工作统计 {report.period}"
    parts = [
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body><main>",
        f'<header><h1>{escape(title)}</h1><p class="meta">{HEADER_NOTE}{escape(precision_note())}</p></header>',
        _narrative_section(report),
        _city_section(report),
        _charts_section(report),
        _ranking_section(report),
        _breakdown_section(report),
        _revisions_section(report),
        _coverage_section(report),
        _sources_section(report),
        "</main></body></html>",
    ]
    return "\n".join(parts)


def _narrative_section(report: Report) -> str:
    missing = ""
    if report.missing_units:
        missing = (f'<p class="missing">本期尚未报送：{escape("、".join(report.missing_units))}。'
                   f"全市数为已报单位合计。</p>")
    return f'<section id="narrative"><h2>工作概述</h2><p class="narrative">{escape(narrative(report))}</p>{missing}</section>'


def _city_section(report: Report) -> str:
    calendar = report.before_december
    head = ("<tr><th>指标</th><th class=\"wide\">计量单位</th><th>本期数</th><th>省定指标</th><th>完成率</th>"
            "<th>上年同期数</th><th>同比增长</th>" + (f"<th>{GAP_HEADER}</th>" if calendar else "") + "</tr>")
    rows = []
    for indicator in report.registry.indicators:
        figure = report.city(indicator.code)
        if figure is None:
            continue
        behind = report.sources_for(indicator.code)
        tip = f"{len(behind)}个单位报表合计：" + ("；".join(f"{s.unit_name} {s.file_name} {s.sheet}!{s.cell}"
                                                        for s in behind) if not _province_sized(report)
                                                else "各单位的数字见下表，来源见附录及 CSV 报表")
        total = f'<a href="#ind-{indicator.code}">{escape(number(figure.total, indicator))}</a>'
        rows.append(
            f'<tr id="city-{indicator.code}"><td class="name"><a href="#ind-{indicator.code}">'
            f'{escape(indicator.name)}</a></td><td class="wide">{escape(indicator.shown_unit)}</td>'
            f"{_cell(total, title=tip)}"
            f"{_amount_cell(figure.target, indicator)}{_cell(percent_text(figure.completion))}"
            f"{_amount_cell(figure.prior_total, indicator)}{_growth_cell(figure)}"
            + (_cell(points(figure.schedule_gap)) if calendar else "") + "</tr>"
        )
    return (f'<section id="city"><h2>全市指标</h2><p class="note">点击数字可查看构成该数字的各单位报表。</p>'
            f'<div class="table-wrap"><table><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table></div>'
            f"</section>")


def _growth_cell(figure: Figure) -> str:
    """The quoted growth; on a comparable basis marked so, with the units left out on hover."""
    if not figure.on_comparable_basis or figure.growth is None:
        return _cell(percent_text(figure.growth))
    basis = figure.comparable
    return _cell(f'{percent_text(figure.growth)}<br><span class="note">（{escape(basis.label)}）</span>',
                 title=f"{basis.label}，不含{basis.left_out_text}")


def _charts_section(report: Report) -> str:
    city = [(i, f) for i in report.registry.indicators if (f := report.city(i.code))]
    completion = [Bar(i.name, round_half_up(f.completion, 2), f"{number(f.total, i)} / {number(f.target, i)}")
                  for i, f in city if f.completion is not None]
    growth = [Bar(i.name + ("（可比口径）" if f.on_comparable_basis else ""), round_half_up(f.growth, 2),
                  " → ".join(number(v, i) for v in f.growth_pair))
              for i, f in city if f.growth is not None]
    charts = []
    if completion and report.before_december:  # the line a period short of the year is read against
        reference = round_half_up(report.time_progress, 2)
        charts.append(bar_chart(f"全年目标完成率（虚线为序时进度{reference}%）", completion, reference=reference))
    elif completion:
        charts.append(bar_chart("省定指标完成率", completion, reference=Decimal(100)))
    if growth:
        charts.append(bar_chart("各项指标同比增长", growth, color="#1F4E79"))
    if len(report.registry.units) <= CONTRIBUTION_CHART_UNITS:
        charts.append(_contribution_chart(report, city))
    figures = "".join(f"<figure>{chart}</figure>" for chart in charts)
    return f'<section id="charts"><h2>图表</h2><div class="charts">{figures}</div></section>'


def _contribution_chart(report: Report, city: list[tuple[Indicator, Figure]]) -> str:
    names = [u.name for u in report.registry.units]
    order = {name: i for i, name in enumerate(names)}
    rows = []
    for indicator, _ in city:
        segments = [Segment(line.unit_name, round_half_up(line.share, 2))
                    for line in report.breakdown(indicator.code) if line.share is not None]
        segments.sort(key=lambda s: order[s.name])
        rows.append((indicator.name, segments))
    return stacked_chart("各单位对全市总量的贡献", rows, names)


def _province_sized(report: Report) -> bool:
    """A registry too large for a table per indicator with every figure's source on one page: a province's
    thousands of units get one table of their figures and an appendix of their forms instead, and
    each figure's cell is in the CSV and the xlsx (their per-indicator sheets also rank the units)."""
    return len(report.registry.units) > CONTRIBUTION_CHART_UNITS


def _breakdown_section(report: Report) -> str:
    if _province_sized(report):
        return _units_grid_section(report)
    sections = [_indicator_table(report, i) for i in report.registry.indicators if report.city(i.code)]
    return f'<section id="units"><h2>各单位明细</h2>{"".join(sections)}</section>'


def _units_grid_section(report: Report) -> str:
    """Units down, indicators across, each unit's figure (— where it has not reported), in registry order."""
    shown = [i for i in report.registry.indicators if report.city(i.code)]
    head = "<tr><th>单位</th>" + "".join(f'<th id="ind-{i.code}">{escape(i.name)}（{escape(i.shown_unit)}）</th>'
                                         for i in shown) + "</tr>"
    rows = []
    for unit in report.registry.units:
        cells = "".join(_amount_cell(f.total if (f := report.unit(i.code, unit.code)) else None, i) for i in shown)
        rows.append(f"<tr><td>{escape(unit.name)}</td>{cells}</tr>")
    return (f'<section id="units"><h2>各单位明细</h2><p class="note">{len(report.registry.units)}个单位，按单位名录顺序；'
            f"各单位的排名、占全市比重和同比增长见 xlsx 报表的各指标工作表，每个数字读自的单元格见 CSV 报表；"
            f"报表文件与 SHA-256 见附录。</p>"
            f'<div class="table-wrap"><table><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table></div></section>')


def _indicator_table(report: Report, indicator: Indicator) -> str:
    head = ("<tr><th>排名</th><th>单位</th><th>本期数</th><th>占全市</th><th class=\"wide\">上年同期数</th>"
            "<th>同比增长</th><th>来源报表（文件、单元格、SHA-256）</th></tr>")
    rows = "".join(_unit_row(report, indicator, line) for line in report.breakdown(indicator.code))
    city = report.city(indicator.code)
    return (f'<section class="indicator" id="ind-{indicator.code}"><h3>{escape(indicator.name)}'
            f"（{escape(indicator.shown_unit)}）：全市 {escape(number(city.total, indicator))}</h3>"
            f'<div class="table-wrap"><table><thead>{head}</thead><tbody>{rows}</tbody></table></div></section>')


def _unit_row(report: Report, indicator: Indicator, line: UnitRow) -> str:
    name = f"<td>{escape(line.unit_name)}</td>"
    if line.figure is None:
        return f'<tr><td class="none">{NONE}</td>{name}<td class="none" colspan="5">缺报（尚未报送）</td></tr>'
    sources = report.sources_for(indicator.code, line.unit_code)
    tip = "；".join(_source_line(s) for s in sources)
    where = "".join(
        f"<div>{escape(s.file_name)}<br>{escape(s.sheet)}!{escape(s.cell)}"
        f"<details><summary>SHA-256</summary><code>{escape(s.sha256)}</code></details></div>"
        for s in sources
    )
    prior = _amount_cell(line.figure.prior_total, indicator, css="num wide")
    return (f"<tr><td class=\"num\">{line.rank}</td>{name}{_amount_cell(line.figure.total, indicator, tip)}"
            f"{_cell(percent_text(line.share))}{prior}"
            f"{_cell(percent_text(line.figure.growth))}<td class=\"source\">{where}</td></tr>")


def _ranking_section(report: Report) -> str:
    """Per indicator the city set units targets for: the units by exact completion, and a chart of
    their completions against the calendar (序时进度) or, for the full year, 100%."""
    if not report.targeted_indicators:
        return ""
    calendar = report.before_december
    reference = round_half_up(report.time_progress, 2)
    line = f"序时进度 {reference}%" if calendar else "全年目标 100%"
    intro = (f'<section id="ranking"><h2>各单位目标完成情况</h2><p class="note">按完成率（精确值）排名，'
             f"相同者并列；虚线为{escape(line)}。</p>")
    parts = [intro]
    for code in report.targeted_indicators:
        indicator = report.registry.indicator(code)
        head = ("<tr><th>排名</th><th>单位</th><th>本期数</th><th>全年目标</th><th>完成率</th>"
                + (f"<th>{GAP_HEADER}</th>" if calendar else "") + "<th>同比增长</th></tr>")
        rows, bars = [], []
        for row in report.ranking(code):
            f = row.figure
            target = _amount_cell(row.target, indicator)
            if f is None:
                rows.append(f'<tr><td class="none">{NONE}</td><td>{escape(row.unit_name)}</td>'
                            f'<td class="none">缺报</td>{target}<td class="none" colspan="{3 if calendar else 2}">'
                            f"尚未报送</td></tr>")
                continue
            rank = NONE if f.rank is None else str(f.rank)
            rows.append(f"<tr>{_cell(rank)}<td>{escape(row.unit_name)}</td>{_amount_cell(f.total, indicator)}"
                        f"{target}{_cell(percent_text(f.completion))}"
                        + (_cell(points(f.schedule_gap)) if calendar else "") + f"{_cell(percent_text(f.growth))}</tr>")
            if f.completion is not None:
                bars.append(Bar(row.unit_name, round_half_up(f.completion, 2),
                                f"{number(f.total, indicator)} / {number(row.target, indicator)}"))
        chart = bar_chart(f"{indicator.name}：各单位完成全年目标", bars, reference=reference) if bars else ""
        parts.append(f'<section class="indicator" id="rank-{code}"><h3>{escape(indicator.name)}'
                     f"（{escape(indicator.shown_unit)}）</h3>"
                     f'<div class="table-wrap"><table><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table></div>'
                     f'<figure>{chart}</figure></section>')
    return "".join(parts) + "</section>"


def _revisions_section(report: Report) -> str:
    """What the units' later forms for the period changed, with both files."""
    if not report.revisions:
        return '<section id="revisions"><h2>本期修订</h2><p class="note">本期没有单位修订已报数字。</p></section>'
    head = ("<tr><th>单位</th><th>指标</th><th>原数</th><th>新数</th><th>原报表</th><th>新报表</th>"
            "<th>收到新报表（UTC）</th></tr>")
    rows = []
    for r in report.revisions:
        indicator = report.registry.indicator(r.indicator_code)
        rows.append(f'<tr><td class="name">{escape(r.unit_name)}</td><td>{escape(indicator.name)}</td>'
                    f"{_amount_cell(r.old_value, indicator)}{_revised_cell(r, indicator)}"
                    f'<td class="source">{escape(r.old_file)}<br><code>{escape(r.old_submission_id)}</code></td>'
                    f'<td class="source">{escape(r.new_file)}<br><code>{escape(r.new_submission_id)}</code></td>'
                    f'<td class="num">{r.revised_at:%Y-%m-%d %H:%M}</td></tr>')
    notes = "".join(f'<p class="note">{escape(note)}</p>' for note in lock_notes(report.revisions))
    return (f'<section id="revisions"><h2>本期修订</h2><p class="note">单位重报本期报表后变动的数字；'
            f"以后收到的报表为准。</p>"
            f'<div class="table-wrap"><table><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table></div>'
            f"{notes}</section>")


def _revised_cell(revision: Revision, indicator: Indicator) -> str:
    """The new figure of a revision, marked † when it came after the period was locked."""
    if not revision.after_lock:
        return _amount_cell(revision.new_value, indicator)
    shown = NONE if revision.new_value is None else escape(number(revision.new_value, indicator))
    return _cell(f"{shown}{LOCK_MARK}", "num", f"封账后修订 / revised after the period was locked: {revision.reason or '—'}")


def _coverage_section(report: Report) -> str:
    """The year's grid: units down, the periods across, each cell 已报, 退回 or 缺报; then 迟报 and 按时报送率."""
    coverage = report.coverage
    if coverage is None or not coverage.months:
        return ""
    head = "<tr><th>单位</th>" + "".join(f"<th>{escape(month_label(m))}</th>" for m in coverage.months) + "</tr>"
    rows = "".join(
        f"<tr><td>{escape(name)}</td>"
        + "".join(f'<td class="state state-{state}">{STATE_LABELS[state]}</td>' for state in states) + "</tr>"
        for _, name, states in coverage.rows)
    timeliness = "".join(f'<p class="timeliness">{escape(line)}</p>'
                         for line in (coverage.late_line(), coverage.on_time_line()) if line)
    return (f'<section id="coverage"><h2>{report.year}年报送情况</h2>'
            f'<div class="table-wrap"><table class="grid"><thead>{head}</thead><tbody>{rows}</tbody></table></div>'
            f'{timeliness}<p class="note">图例：{escape(COVERAGE_LEGEND)}</p></section>')


def _forms_section(report: Report) -> str:
    """A province's appendix: each unit's form once (file, sheet, SHA-256, its warnings); the cells are in the CSV."""
    head = "<tr><th>单位</th><th>文件名</th><th>工作表</th><th>SHA-256</th><th>提示</th></tr>"
    forms = {}
    for source in report.sources:
        forms.setdefault((source.unit_code, source.sha256, source.sheet), source)
    order = {u.code: n for n, u in enumerate(report.registry.units)}
    rows = [f"<tr><td>{escape(s.unit_name)}</td><td class=\"source\">{escape(s.file_name)}</td><td>{escape(s.sheet)}</td>"
            f"<td><code>{escape(s.sha256)}</code></td><td class=\"source\">{escape(s.messages)}</td></tr>"
            for s in sorted(forms.values(), key=lambda s: order.get(s.unit_code, len(order)))]
    return (f'<section id="sources"><h2>附：数据来源</h2><p class="note">每个单位的数字读自的报表文件和工作表；'
            f"SHA-256 为归档原件的指纹；提示为该报表的提示，附报表备注中的说明。每个数字的单元格见 CSV 报表。</p>"
            f'<div class="table-wrap"><table><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table></div>'
            f"</section>")


def _sources_section(report: Report) -> str:
    if _province_sized(report):
        return _forms_section(report)
    head = ("<tr><th>指标</th><th>单位</th><th>数值</th><th>文件名</th><th>工作表!单元格</th><th>SHA-256</th>"
            "<th>提示</th></tr>")
    rows = []
    for s in report.sources:
        indicator = report.registry.indicator(s.indicator_code)
        rows.append(f"<tr><td>{escape(indicator.name)}</td><td>{escape(s.unit_name)}</td>"
                    f"{_amount_cell(s.value, indicator)}<td class=\"source\">{escape(s.file_name)}</td>"
                    f"<td>{escape(s.sheet)}!{escape(s.cell)}</td><td><code>{escape(s.sha256)}</code></td>"
                    f"<td class=\"source\">{escape(s.messages)}</td></tr>")
    return (f'<section id="sources"><h2>附：数据来源</h2><p class="note">每个单位数字读自的报表文件、工作表和单元格；'
            f"SHA-256 为归档原件的指纹；提示为该报表的提示，附报表备注中的说明。</p>"
            f'<div class="table-wrap"><table><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table></div>'
            f"</section>")
