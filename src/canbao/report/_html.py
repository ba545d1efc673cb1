"""The report as one self-contained HTML page: inline CSS and SVG, no script, no link out.

A Content-Security-Policy forbids the page every load (``default-src 'none'``), so even an
edited copy cannot reach the network; fonts come from the reader's machine (a stack of the
CJK fonts of Windows, macOS, Linux and the domestic systems). The ``generator`` meta tag marks
the file as canbao's, so that a rerun may replace it (:func:`canbao.outputs.check_single_file`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from canbao import __version__
from canbao.report._sections import Section
from canbao.report._svg import BarChart, bar_chart_svg, escape

GENERATOR: Final = "canbao"
FONTS: Final = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
    '"Hiragino Sans GB", "WenQuanYi Micro Hei", "SimHei", "SimSun", sans-serif'
)
CSS: Final = f"""
body {{ font-family: {FONTS}; margin: 2em auto; max-width: 60em; color: #222;
  padding: 0 1em; line-height: 1.5; }}
h1 {{ font-size: 1.6em; margin-bottom: 0.2em; }}
h2 {{ font-size: 1.25em; border-bottom: 2px solid #0072B2; padding-bottom: 0.2em;
  margin-top: 2em; break-after: avoid; page-break-after: avoid; }}
.meta {{ color: #555; }}
figure {{ margin: 1.5em 0; break-inside: avoid; page-break-inside: avoid; }}
figcaption {{ font-weight: bold; margin-bottom: 0.4em; }}
svg.chart text {{ font-family: {FONTS}; font-size: 13px; fill: #222; }}
svg.chart text.tick {{ fill: #666; font-size: 11px; }}
svg.chart text.value {{ font-size: 11px; }}
table {{ border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }}
th, td {{ border: 1px solid #bbb; padding: 0.15em 0.6em; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
details summary {{ cursor: pointer; color: #0072B2; }}
.figures {{ display: flex; flex-wrap: wrap; gap: 0 1.5em; }}
.note {{ color: #555; font-size: 0.9em; }}
@page {{ size: A4; margin: 15mm; }}
@media print {{ body {{ margin: 0; max-width: none; }} details {{ display: none; }} }}
"""
CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def chart_table(chart: BarChart) -> str:
    """The chart's numbers as a table (for reading aloud, copying and checking)."""
    head = "".join(f"<th>{escape(s.name)}</th>" for s in chart.series)
    rows = []
    for i, category in enumerate(chart.categories):
        cells = "".join(f'<td class="n">{escape(s.texts[i])}</td>' for s in chart.series)
        rows.append(f"<tr><th>{escape(category)}</th>{cells}</tr>")
    return f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"


def figure(chart: BarChart) -> str:
    """A chart with its caption, note and (folded) numbers."""
    note = f'<p class="note">{escape(chart.note)}</p>' if chart.note else ""
    return (
        f'<figure data-chart="{escape(chart.key)}"><figcaption>{escape(chart.title)}'
        f"</figcaption>{bar_chart_svg(chart)}{note}"
        f"<details><summary>数据</summary>{chart_table(chart)}</details></figure>"
    )


def section_html(section: Section) -> str:
    """A section: its heading, charts and notes."""
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in section.notes)
    charts = "".join(figure(c) for c in section.charts)
    return (
        f'<section id="{escape(section.key)}"><h2>{escape(section.title)}</h2>'
        f'<div class="figures">{charts}</div>{notes}</section>'
    )


def key_figures(rows: Sequence[tuple[str, str]]) -> str:
    """The headline numbers as a small table."""
    cells = "".join(f'<tr><th>{escape(k)}</th><td class="n">{escape(v)}</td></tr>' for k, v in rows)
    return f'<table class="figures-table">{cells}</table>'


def page(title: str, meta: str, figures: Sequence[tuple[str, str]], body: Sequence[str]) -> str:
    """The whole HTML document."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="zh-CN">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta name="generator" content="{GENERATOR} {escape(__version__)}">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            f"<h1>{escape(title)}</h1>",
            f'<p class="meta">{escape(meta)}</p>',
            key_figures(figures),
            *body,
            f'<p class="note">由 canbao {escape(__version__)} 生成；本报告只含按地区和类别'
            "汇总的人数，不含任何人的身份证号码或姓名。</p>",
            "</body>",
            "</html>",
            "",
        ]
    )
