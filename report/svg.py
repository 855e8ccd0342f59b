"""Charts for the HTML report, drawn as inline SVG: no script, no network, the same on a phone and on paper.

Each chart is a `viewBox` drawing that scales to the width of the page. Values arrive already
rounded for display (Decimal percentages); positions are computed from them with Decimal and
written with one decimal place, which is all a drawing needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

WIDTH = 720
LABEL_WIDTH = 190
VALUE_WIDTH = 80
ROW_HEIGHT = 30
BAR_HEIGHT = 18
TOP = 34
PALETTE = ["#C00000", "#1F4E79", "#548235", "#BF8F00", "#7030A0", "#2E75B6", "#C55A11", "#7F7F7F",
           "#00B0A0", "#E377C2"]


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal  # a percentage, e.g. 150.75
    note: str = ""  # shown on hover (title), e.g. the figure behind the percentage


@dataclass(frozen=True)
class Segment:
    name: str
    value: Decimal  # share of the bar, in percent


def _px(value: Decimal | int) -> str:
    return f"{Decimal(value).quantize(Decimal('0.1'))}"


def _svg(height: int, title: str, body: list[str]) -> str:
    return (f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
            f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
            f'<title>{escape(title)}</title>'
            f'<text x="0" y="18" class="chart-title">{escape(title)}</text>{"".join(body)}</svg>')


def bar_chart(title: str, bars: list[Bar], reference: Decimal | None = None, color: str = PALETTE[0]) -> str:
    """Horizontal bars of percentages from a zero line; an optional dashed reference line (100%)."""
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    values = [b.value for b in bars] + ([reference] if reference is not None else [])
    low, high = min([Decimal(0), *values]), max([Decimal(0), *values])
    span = (high - low) or Decimal(1)

    def x(value: Decimal) -> Decimal:
        return LABEL_WIDTH + (value - low) * plot / span

    height = TOP + ROW_HEIGHT * len(bars) + 10
    zero = _px(x(Decimal(0)))
    body = [f'<line x1="{zero}" y1="{TOP - 4}" x2="{zero}" y2="{height - 6}" class="axis"/>']
    for index, bar in enumerate(bars):
        y = TOP + index * ROW_HEIGHT
        left, right = sorted([x(Decimal(0)), x(bar.value)])
        tip = escape(f"{bar.label}：{bar.value}%" + (f"（{bar.note}）" if bar.note else ""))
        body.append(
            f'<g class="bar"><title>{tip}</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 4}" text-anchor="end" class="label">'
            f'{escape(bar.label)}</text>'
            f'<rect x="{_px(left)}" y="{y}" width="{_px(max(right - left, Decimal("0.5")))}" '
            f'height="{BAR_HEIGHT}" fill="{color if bar.value >= 0 else "#7F7F7F"}"/>'
            f'<text x="{_px(right + 6)}" y="{y + BAR_HEIGHT - 4}" class="value">{bar.value}%</text></g>'
        )
    if reference is not None:
        rx = _px(x(reference))
        body.append(f'<path d="M{rx} {TOP - 6} V{height - 6}" class="reference"/>'
                    f'<text x="{rx}" y="{TOP - 9}" text-anchor="middle" class="label">{reference}%</text>')
    return _svg(height, title, body)


def stacked_chart(title: str, rows: list[tuple[str, list[Segment]]], names: list[str]) -> str:
    """100% stacked horizontal bars (each unit's share of each indicator), with a legend below."""
    plot = WIDTH - LABEL_WIDTH - 20
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    body = []
    for index, (label, segments) in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        body.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 4}" text-anchor="end" class="label">'
                    f'{escape(label)}</text>')
        start = Decimal(0)
        for segment in segments:
            width = segment.value * plot / 100
            body.append(
                f'<rect x="{_px(LABEL_WIDTH + start)}" y="{y}" width="{_px(width)}" height="{BAR_HEIGHT}" '
                f'fill="{colors[segment.name]}"><title>{escape(f"{label} · {segment.name}：{segment.value}%")}'
                f'</title></rect>'
            )
            start += width
    legend_top = TOP + ROW_HEIGHT * len(rows) + 8
    per_row = 4
    for index, name in enumerate(names):
        lx = LABEL_WIDTH + (index % per_row) * (plot // per_row)
        ly = legend_top + (index // per_row) * 22
        body.append(f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{colors[name]}"/>'
                    f'<text x="{lx + 18}" y="{ly + 11}" class="label">{escape(name)}</text>')
    height = legend_top + 22 * ((len(names) + per_row - 1) // per_row) + 6
    return _svg(height, title, body)
