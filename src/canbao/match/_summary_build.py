"""Assemble the :class:`MatchSummary`: counts, repairs, employers, conservation, and the inputs.

The equations themselves live in :mod:`canbao.match._summary_counts` and are called through
the module (``_summary_counts.conservation``) so that a test can replace them and see a failing
run publish nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from canbao import __version__
from canbao.match import _summary_counts
from canbao.match.area import area_basis
from canbao.match.coverage import coverage_summary
from canbao.match.keyed_counts import KeyedCounts, N
from canbao.match.summary_model import InputFile, MatchSummary, Relation, TableChecks
from canbao.roster import Roster


@dataclass(frozen=True)
class Repairs:
    """What the repair step did: records with a proposal, links applied, counts before applying."""

    suggested: int
    applied: int | None  # None: --apply-links was not given
    before: _summary_counts.EnrolmentCounts | None  # count_enrolment before the links were applied


@dataclass(frozen=True)
class Frames:
    """What a summary counts from (after any applied links): the match's keyed counts
    (:mod:`canbao.match.keyed_counts`) and the unreadable rows of its inputs."""

    counts: KeyedCounts
    unreadable: pl.LazyFrame


def unreadable_table(rosters: dict[str, list[Roster]]) -> pl.LazyFrame:
    """Every unreadable row of every input file, with the official headings."""
    frames = [r.unreadable for rs in rosters.values() for r in rs]
    schema = {
        "file": pl.String,
        "line": pl.Int64,
        "reason": pl.String,
        "原因": pl.String,
        "raw": pl.String,
    }
    if not frames:
        return pl.LazyFrame(schema=schema)
    return pl.concat(frames, how="diagonal_relaxed").select(
        pl.col("file").alias("来源文件"),
        pl.col("line").alias("行号"),
        pl.col("reason").alias("原因代码"),
        pl.col("原因"),
        pl.col("raw").alias("原始内容"),
    )


def build_summary(
    rosters: dict[str, list[Roster]],
    frames: Frames,
    *,
    repairs: Repairs,
    units: dict[str, int] | None,
    unit_frames: Sequence[pl.LazyFrame],
    relations: Sequence[Relation],
    as_of: date,
    area: Sequence[str],
    area_explicit: bool = False,
) -> MatchSummary:
    """The summary with every count and conservation equation (docs/match.md "Summary").

    ``relations``: the logic relations of the national basic data tables, as checked.
    """
    keyed = frames.counts
    hh = _summary_counts.count_household(keyed.household)
    enrol = _summary_counts.enrolment_counts(keyed.records)
    counts = _summary_counts.count_targets(keyed.targets)
    equations = _summary_counts.conservation(counts, hh, enrol)
    if repairs.applied is not None and repairs.before is not None:
        equations += _summary_counts.link_equations(repairs.before, enrol, repairs.applied)
    if units is not None:
        equations += _summary_counts.unit_equations(units)
    return MatchSummary(
        household_rows=hh.household_rows,
        floating_rows=hh.floating_rows,
        target=counts.target,
        excluded=hh.excluded,
        confirmed=counts.confirmed,
        needs_survey=counts.needs_survey,
        uninsured=counts.uninsured,
        uninsured_flags=counts.uninsured_flags,
        duplicates=_summary_counts.count_duplicates(keyed.duplicate_kinds),
        conflicts=_summary_counts.count_conflicts(keyed),
        non_local=enrol.non_local,
        invalid_ids=enrol.invalid_ids,
        household_invalid_ids=hh.household_invalid_ids,
        not_in_household=enrol.not_in_household,
        linked=enrol.linked,
        unreadable_rows=int(frames.unreadable.select(pl.len()).collect().item()),
        enrolment_rows=enrol.enrolment_rows,
        suggested_links=repairs.suggested,
        applied_links=repairs.applied or 0,
        units=units,
        coverage=coverage_summary(keyed.targets),
        conservation=equations,
        inputs=_inputs(rosters, frames, unit_frames),
        as_of=as_of,
        area=list(area),
        area_basis=area_basis(area, explicit=area_explicit),
        canbao_version=__version__,
        tables=TableChecks(list(relations)),
    )


def _inputs(
    rosters: dict[str, list[Roster]], frames: Frames, unit_frames: Sequence[pl.LazyFrame]
) -> list[InputFile]:
    keyed = frames.counts
    parts = [keyed.household.select("_file", N), keyed.records.select("_file", N)]
    per_file = pl.len().cast(pl.Int64).alias(N)
    parts += [f.group_by("_file").agg(per_file).collect() for f in unit_frames]
    rows = dict(pl.concat(parts).group_by("_file").agg(pl.col(N).sum()).iter_rows())
    bad = dict(frames.unreadable.group_by("来源文件").len().collect().iter_rows())
    out = []
    for kind, items in rosters.items():
        for roster in items:
            info = roster.info
            name = Path(info.path).name
            out.append(
                InputFile(
                    file=str(info.path),
                    kind=kind,
                    format=info.format,
                    encoding=info.encoding,
                    sha256=info.sha256,
                    rows=int(rows.get(name, 0)),
                    unreadable_rows=int(bad.get(name, 0)),
                )
            )
    return out
