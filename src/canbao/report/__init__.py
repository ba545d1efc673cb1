"""``canbao report``: one self-contained HTML page of charts from a match (and score) output.

:func:`write_report` reads a ``canbao match`` output directory (in any ``--format``) and any
``canbao score`` output directories, and writes one HTML file that opens offline in any
browser: inline SVG charts drawn by :mod:`canbao.report._svg`, no script, no font or style
fetched. It holds counts by area and by kind only, never an ID or a name (docs/report.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from canbao.match.vocabulary import PersonState
from canbao.regions import display_name
from canbao.report._html import page, section_html
from canbao.report._inputs import ReportInputs
from canbao.report._sections import SECTIONS, Section

__all__ = [
    "ReportInputs",
    "ReportResult",
    "Section",
    "build_sections",
    "default_output",
    "write_report",
]

TITLE = "全民参保登记工作报告"


@dataclass(frozen=True)
class ReportResult:
    """Where the report went and what it shows."""

    path: Path
    sections: tuple[Section, ...]

    @property
    def charts(self) -> list[str]:
        """The key of every chart, in the page's order."""
        return [c.key for s in self.sections for c in s.charts]

    def as_json(self) -> dict[str, Any]:
        """The summary ``--json`` prints."""
        return {
            "report": str(self.path),
            "sections": [s.key for s in self.sections],
            "charts": self.charts,
        }


def build_sections(inputs: ReportInputs) -> tuple[Section, ...]:
    """Every section that has something to show, in the report's order."""
    made = (fn(inputs) for fn in SECTIONS)
    return tuple(s for s in made if s is not None)


def _figures(summary: dict[str, Any]) -> list[tuple[str, str]]:
    def n(key: str) -> str:
        value = summary.get(key)
        return "—" if value is None else f"{int(value):,}"

    rows = [
        ("户籍人口", n("household_rows")),
        ("应参保对象", n("target")),
        ("直接确认登记", n("confirmed")),
        ("需入户调查", n("needs_survey")),
        (PersonState.UNINSURED.label, n(PersonState.UNINSURED)),
    ]
    for key, label in (("duplicates", "重复参保（按类别合计）"), ("conflicts", "信息错误（条）")):
        rows.append((label, f"{sum((summary.get(key) or {}).values()):,}"))
    coverage = summary.get("coverage") or {}
    for key, label in (("pension", "养老保险参保率"), ("medical", "医疗保险参保率")):
        if key in coverage:
            rows.append((label, str(coverage[key]["rate"])))
    return rows


def default_output(match: Path) -> Path:
    """Beside the match directory: ``<match>-report.html``."""
    match = Path(match).resolve()
    return match.parent / f"{match.name}-report.html"


def write_report(
    match: Path,
    *,
    scores: Sequence[Path] = (),
    changes: Path | None = None,
    progress: Path | None = None,
    output: Path | None = None,
    force: bool = False,
) -> ReportResult:
    """Write the report of ``match`` (and ``scores``, ``changes``, ``progress``) to ``output``
    atomically."""
    from canbao.atomic import atomic_file

    inputs = ReportInputs(
        Path(match),
        tuple(Path(s) for s in scores),
        None if changes is None else Path(changes),
        None if progress is None else Path(progress),
    )
    given = [p for p in (changes, progress) if p is not None]
    sections = build_sections(inputs)
    summary = inputs.summary
    meta = f"数据截至 {summary.get('as_of', '—')}"
    area = summary.get("area")
    if area:
        codes = area if isinstance(area, list) else [str(area)]
        meta += "；地区：" + "、".join(display_name(str(c).ljust(6, "0")) for c in codes)
    text = page(TITLE, meta, _figures(summary), [section_html(s) for s in sections])
    target = Path(output) if output is not None else default_output(Path(match))
    with atomic_file(target, force=force, inputs=[Path(match), *inputs.scores, *given]) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return ReportResult(target, sections)
