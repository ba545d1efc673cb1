"""The report's sections: each is one function from the inputs to its charts.

:data:`SECTIONS` lists them in the report's order. A section that has nothing to show (no
score directory given, nobody to survey) returns None and is left out. Adding a
section (the changes and the progress of a campaign came so) is one function here and one entry in
:data:`SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

import polars as pl

from canbao.match.vocabulary import (
    ChangeDirection,
    ConflictKind,
    DuplicateKind,
    PersonState,
    UninsuredFlag,
)
from canbao.regions import county_name_expr
from canbao.report._inputs import TOWNSHIP, VILLAGE, ReportInputs, ScoreRun
from canbao.report._svg import BarChart, Series

TOP_PLACES: Final = 30  # townships and villages shown in a chart; the rest are counted in a note


@dataclass(frozen=True)
class Section:
    """A heading, its charts (each with its numbers as a table) and notes in Chinese."""

    key: str
    title: str
    charts: Sequence[BarChart]
    notes: Sequence[str] = field(default=())


SectionFn = Callable[[ReportInputs], "Section | None"]


def counts(name: str, values: Sequence[int | None]) -> Series:
    """A series of whole numbers shown with thousands separators."""
    return Series(
        name,
        [None if v is None else float(v) for v in values],
        ["" if v is None else f"{v:,}" for v in values],
    )


def _rate(entry: dict[str, Any] | None) -> tuple[float | None, str]:
    if not entry:
        return None, "—"
    numerator, denominator = int(entry["numerator"]), int(entry["denominator"])
    if denominator == 0:
        return None, "—"
    return 100.0 * numerator / denominator, str(entry["rate"])


def coverage(inputs: ReportInputs) -> Section | None:
    """参保率 (pension, medical) per county and in total, on the hukou basis."""
    cov = inputs.summary.get("coverage")
    if not cov or not cov.get("per_county"):
        return None
    rows = [(str(c.get("name") or code), c) for code, c in sorted(cov["per_county"].items())]
    rows.append(("合计", cov))
    series = []
    for key, name in (("pension", "养老保险参保率"), ("medical", "医疗保险参保率")):
        pairs = [_rate(entry.get(key)) for _, entry in rows]
        series.append(Series(name, [v for v, _ in pairs], [t for _, t in pairs]))
    chart = BarChart(
        "coverage", "各县区参保率（户籍口径）", [n for n, _ in rows], series, unit="%", full=100.0
    )
    return Section("coverage", "参保率", [chart], [f"口径：{cov.get('basis', '户籍')}人口。"])


def uninsured(inputs: ReportInputs) -> Section | None:
    """应参未参 per county: the persons (each once) and the two insurances' gaps."""
    frame = inputs.uninsured
    if frame.height == 0:
        return None
    series = [counts("应参未参人数", frame["persons"].to_list())]
    for flag in (UninsuredFlag.MISSING_PENSION, UninsuredFlag.MISSING_MEDICAL):
        series.append(counts(flag.label, frame[flag.value].to_list()))
    chart = BarChart(
        "uninsured_county", "各县区应参未参人数", frame["county_name"].to_list(), series
    )
    note = "一人可同时应参未参养老和医疗保险：应参未参人数每人只计一次。"
    return Section("uninsured_county", PersonState.UNINSURED.label, [chart], [note])


def survey_load(inputs: ReportInputs) -> Section | None:
    """需入户调查 per county, and the townships and villages with the most persons."""
    load = inputs.survey_load
    if load.height == 0:
        return None
    by_county = load.group_by("county_name").agg(persons=pl_sum()).sort("county_name")
    townships = (
        load.group_by("county_name", TOWNSHIP)
        .agg(persons=pl_sum())
        .sort("persons", "county_name", TOWNSHIP, descending=[True, False, False])
    )
    charts = [
        BarChart(
            "survey_county",
            "各县区需入户调查人数",
            by_county["county_name"].to_list(),
            [counts("需入户调查人数", by_county["persons"].to_list())],
        ),
        _places("survey_township", "乡镇(街道)", townships, ["county_name", TOWNSHIP]),
        _places("survey_village", "村(社区)", load, ["county_name", TOWNSHIP, VILLAGE]),
    ]
    notes = [
        f"共 {townships.height:,} 个乡镇(街道)、{load.height:,} 个村(社区)有需入户调查人员；"
        f"图中为人数最多的 {TOP_PLACES} 个，完整名单见各县区的需入户调查人员名单。"
    ]
    return Section("survey", "入户调查工作量", charts, notes)


def pl_sum() -> pl.Expr:
    """The sum of the persons column."""
    return pl.col("persons").sum()


def _places(key: str, what: str, frame: pl.DataFrame, columns: list[str]) -> BarChart:
    top = frame.head(TOP_PLACES)
    names = [" ".join(str(v or "") for v in row) for row in top.select(columns).iter_rows()]
    return BarChart(
        key,
        f"需入户调查人数最多的{what}（前 {min(TOP_PLACES, frame.height)} 个）",
        names,
        [counts("需入户调查人数", top["persons"].to_list())],
    )


def findings(inputs: ReportInputs) -> Section | None:
    """重复参保 (persons) and 信息错误 (records) by kind, as counted by the match."""
    summary = inputs.summary
    dup, con = summary.get("duplicates") or {}, summary.get("conflicts") or {}
    charts = [
        BarChart(
            "duplicates",
            "重复参保人数（按类别）",
            [k.label for k in DuplicateKind],
            [counts("人数", [int(dup.get(k.value, 0)) for k in DuplicateKind])],
        ),
        BarChart(
            "conflicts",
            "信息错误记录数（按类别）",
            [k.label for k in ConflictKind],
            [counts("记录数", [int(con.get(k.value, 0)) for k in ConflictKind])],
        ),
    ]
    return Section("findings", "重复参保与信息错误", charts)


def _points_series(name: str, values: Sequence[Decimal | None]) -> Series:
    """Points as bars, shown as the rule set writes them (93, 94.5)."""
    return Series(
        name,
        [None if v is None else float(v) for v in values],
        ["" if v is None else f"{v.normalize():f}" for v in values],
    )


def _ranking_chart(run: ScoreRun, index: int) -> BarChart:
    ranked = sorted(run.counties, key=lambda c: (c.total is None, -(c.total or Decimal(0)), c.code))
    series = [_points_series("评估总分", [c.total for c in ranked])]
    if any(c.self_total is not None for c in ranked):
        series.append(_points_series("自评总分", [c.self_total for c in ranked]))
    totals = [c.total for c in ranked]
    names = [f"{_rank(c.total, totals)}. {c.name}" for c in ranked]
    return BarChart(f"ranking_{index}", f"{run.title}：总分排名", names, series, full=100.0)


def _rank(total: Decimal | None, totals: Sequence[Decimal | None]) -> str:
    """1 + the counties scoring more (ties share a rank); ``—`` without a total."""
    if total is None:
        return "—"
    return str(1 + sum(1 for t in totals if t is not None and t > total))


def _fee_chart(run: ScoreRun, index: int) -> BarChart | None:
    paid = [c for c in run.counties if c.fee is not None]
    if not paid:
        return None
    values = [float(c.fee or 0) for c in paid]
    texts = [f"{c.fee:,.2f}" for c in paid]
    return BarChart(
        f"fees_{index}",
        f"{run.title}：各县区考核费用（元）",
        [c.name for c in paid],
        [Series("考核费用（元）", values, texts)],
    )


def scores(inputs: ReportInputs) -> Section | None:
    """The ranking (review against self) and the fees per county of every rule set given."""
    runs = inputs.score_runs
    if not runs:
        return None
    charts: list[BarChart] = []
    for index, run in enumerate(runs, start=1):
        if any(c.total is not None for c in run.counties):  # not a rule set of checks only
            charts.append(_ranking_chart(run, index))
        fee = _fee_chart(run, index)
        if fee is not None:
            charts.append(fee)
    if not charts:
        return None
    note = "评估总分为审核后的得分；自评总分为县区自评。名次按评估总分，同分同名次。"
    return Section("scores", "评估得分与考核费用", charts, [note])


def changes(inputs: ReportInputs) -> Section | None:
    """Between two snapshots (``canbao changes``): entries and departures per list, and why."""
    found = inputs.change_counts
    if found is None or found[1].height == 0:
        return None
    period, frame = found
    lists = frame.group_by("名单", maintain_order=True).agg(
        *(
            pl.col("人数").filter(pl.col("变动") == d.label).sum().alias(d.label)
            for d in ChangeDirection
        )
    )
    reasons = (
        frame.group_by("变动原因", maintain_order=True)
        .agg(pl.col("人数").sum())
        .sort("人数", descending=True, maintain_order=True)
    )
    charts = [
        BarChart(
            "changes_lists",
            f"各名单新增与减少人数（{period}）",
            lists["名单"].to_list(),
            [counts(d.label, lists[d.label].to_list()) for d in ChangeDirection],
        ),
        BarChart(
            "changes_reasons",
            f"变动原因（{period}）",
            reasons["变动原因"].to_list(),
            [counts("人次", reasons["人数"].to_list())],
        ),
    ]
    note = "一人可在同一期间进出多个名单：按名单和原因分别计数。名单详见各县区的变动名单。"
    return Section("changes", "本期变动", charts, [note])


# The rates drawn per county (the survey and the register) and for the area per period (the
# survey, corrections and expansion), by their number in 人社厅发〔2017〕28号.
COUNTY_RATES: Final = (5, 6, 7)
PERIOD_RATES: Final = (6, 8, 9)
WHOLE_CAMPAIGN: Final = "累计"


def _rate_series(frame: pl.DataFrame, number: int) -> Series:
    """One rate's percentages from its 分子 and 分母 columns (none where either is unknown)."""
    name = next(
        c for c in frame.columns if c.startswith(f"{number}.") and c[-2:] not in ("分子", "分母")
    )
    values: list[float | None] = []
    for numerator, denominator in zip(
        frame[f"{number}.分子"].to_list(), frame[f"{number}.分母"].to_list(), strict=True
    ):
        known = numerator not in (None, "") and denominator not in (None, "", "0")
        values.append(100.0 * int(numerator) / int(denominator) if known else None)
    texts = [
        "—" if v is None else str(t) for v, t in zip(values, frame[name].to_list(), strict=True)
    ]
    return Series(name.split(".", 1)[1], values, texts)


def progress(inputs: ReportInputs) -> Section | None:
    """The rates of ``canbao progress``: per county over the campaign, for the area per period."""
    rates = inputs.progress_rates
    if rates is None or rates.height == 0:
        return None
    county = pl.col("县区代码").fill_null("")
    counties = rates.filter((pl.col("期间") == WHOLE_CAMPAIGN) & (county != "")).sort("县区代码")
    area = rates.filter((pl.col("期间") != WHOLE_CAMPAIGN) & (county == ""))
    charts: list[BarChart] = []
    if counties.height:
        names = counties.select(county_name_expr(pl.col("县区代码")))["县区代码"].to_list()
        charts.append(
            BarChart(
                "progress_counties",
                "各县区累计进度（%）",
                names,
                [_rate_series(counties, n) for n in COUNTY_RATES],
            )
        )
    if area.height:
        charts.append(
            BarChart(
                "progress_periods",
                "全市各期进度（%）",
                area["期间"].to_list(),
                [_rate_series(area, n) for n in PERIOD_RATES],
            )
        )
    if not charts:
        return None
    note = (
        "比率的分子、分母及九项比率见进度表和比率明细；入户率、入户调查完成率按期间内的入户计，"
        "累计为整个登记工作至截止日期。"
    )
    return Section("progress", "工作进度", charts, [note])


SECTIONS: Final[tuple[SectionFn, ...]] = (
    coverage,
    uninsured,
    survey_load,
    findings,
    scores,
    changes,
    progress,
)
