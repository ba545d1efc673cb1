"""Horizontal bar charts as inline SVG, drawn by canbao itself (no JavaScript, no library).

A chart is data (:class:`BarChart`: categories down the side, one or more series of bars) and
:func:`bar_chart_svg` turns it into an ``<svg>`` element with its text in the page's own fonts.
Why our own SVG and not a charting library: docs/report.md ("Charts"). Geometry uses floats
(pixels); every number shown is the caller's text (rates rounded once, half up, by the match).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape as _escape
from typing import Final

from canbao.print_layout import text_points

# Colours that stay apart in print and for the common colour-vision deficiencies (Okabe-Ito).
PALETTE: Final = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
FONT_PX: Final = 13
BAR_PX: Final = 14
GAP_PX: Final = 8
PLOT_PX: Final = 420  # the length of a full bar
LEGEND_PX: Final = 24
AXIS_PX: Final = 22
VALUE_ROOM_PX: Final = 72
TICKS: Final = 4  # grid lines past zero, about


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def escape(text: str) -> str:
    """``text`` as XML/HTML text: special characters escaped, control characters dropped."""
    return _escape(_NOT_XML.sub("", text))


@dataclass(frozen=True)
class Series:
    """One series of bars: its name (the legend) and a value and shown text per category."""

    name: str
    values: Sequence[float | None]
    texts: Sequence[str]


@dataclass(frozen=True)
class BarChart:
    """Categories down the side, a bar per series for each; ``full``: the value of a full bar
    (100 for percentages), else the largest value rounded up to a tidy number."""

    key: str  # an identifier, unique in the report (the element's id)
    title: str
    categories: Sequence[str]
    series: Sequence[Series]
    unit: str = ""
    full: float | None = None
    note: str = ""
    colours: Sequence[str] = field(default=PALETTE)


def nice_step(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^k at or above ``value`` (at least 1: counts are whole)."""
    if value <= 1:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in (1.0, 2.0, 5.0, 10.0) if step * power >= value)


def axis_end(largest: float, ticks: int = TICKS) -> float:
    """A full bar: ``ticks`` tidy steps reaching at least ``largest``."""
    step = nice_step(largest / ticks)
    return step * max(1, math.ceil(largest / step))


def _label_px(categories: Sequence[str]) -> float:
    """Room for the longest category label (CJK full width), at least 60 px."""
    longest = max((text_points(c, FONT_PX) for c in categories), default=0.0)
    return max(60.0, longest + 12)


def _ticks(full: float) -> list[float]:
    step = full / TICKS if full == 100.0 else nice_step(full / TICKS)
    count = round(full / step)
    return [step * i for i in range(count + 1)]


def _tick_text(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:g}"


def bar_chart_svg(chart: BarChart) -> str:
    """The chart as one ``<svg>`` element (its own width and height, text as text)."""
    values = [v for s in chart.series for v in s.values if v is not None]
    full = chart.full if chart.full is not None else axis_end(max(values, default=0.0))
    label_px = _label_px(chart.categories)
    group_px = BAR_PX * len(chart.series) + GAP_PX
    top = LEGEND_PX if len(chart.series) > 1 else 6
    plot_h = group_px * len(chart.categories)
    width = label_px + PLOT_PX + VALUE_ROOM_PX
    height = top + plot_h + AXIS_PX
    parts = [
        f'<svg class="chart" id="{escape(chart.key)}" '
        f'role="img" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" aria-label="{escape(chart.title)}">',
        f"<title>{escape(chart.title)}</title>",
    ]
    parts += _legend(chart, label_px)
    parts += _grid(full, label_px, top, plot_h, chart.unit)
    for i, category in enumerate(chart.categories):
        y = top + i * group_px + GAP_PX / 2
        parts.append(
            f'<text x="{label_px - 6:.0f}" y="{y + group_px / 2 - GAP_PX / 2 + 4:.1f}" '
            f'text-anchor="end">{escape(category)}</text>'
        )
        for j, series in enumerate(chart.series):
            parts += _bar(chart, series, j, i, full, label_px, y + j * BAR_PX)
    parts.append("</svg>")
    return "\n".join(parts)


def _legend(chart: BarChart, label_px: float) -> list[str]:
    if len(chart.series) < 2:
        return []
    out, x = [], label_px
    for j, series in enumerate(chart.series):
        colour = chart.colours[j % len(chart.colours)]
        out.append(f'<rect x="{x:.0f}" y="4" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 16:.0f}" y="15">{escape(series.name)}</text>')
        x += 16 + text_points(series.name, FONT_PX) + 20
    return out


def _grid(full: float, label_px: float, top: float, plot_h: float, unit: str) -> list[str]:
    out = []
    for tick in _ticks(full):
        x = label_px + PLOT_PX * tick / full
        out.append(
            f'<line x1="{x:.1f}" y1="{top:.0f}" x2="{x:.1f}" y2="{top + plot_h:.0f}" '
            'stroke="#d0d0d0" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16:.0f}" text-anchor="middle" '
            f'class="tick">{escape(_tick_text(tick) + unit)}</text>'
        )
    return out


def _bar(
    chart: BarChart, series: Series, j: int, i: int, full: float, label_px: float, y: float
) -> list[str]:
    value = series.values[i]
    if value is None:
        return []
    colour = chart.colours[j % len(chart.colours)]
    length = PLOT_PX * min(max(value, 0.0), full) / full
    text = series.texts[i]
    tip = f"{chart.categories[i]} {series.name}：{text}"
    return [
        f'<rect class="bar" x="{label_px:.0f}" y="{y:.1f}" width="{length:.1f}" '
        f'height="{BAR_PX - 2}" fill="{colour}"><title>{escape(tip)}</title></rect>',
        f'<text x="{label_px + length + 4:.1f}" y="{y + BAR_PX / 2 + 3:.1f}" '
        f'class="value">{escape(text)}</text>',
    ]
