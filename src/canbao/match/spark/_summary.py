"""The small results of a Spark match, written by the Polars code: tables and summary.json.

The keyed counts (:mod:`canbao.match.keyed_counts`) are computed on Spark by the same narwhals
code as on Polars and collected (a few hundred rows); from them the Polars writers of a Polars
match write the task table (``task_table.parquet`` and the print-ready ``task_table.xlsx``),
the national basic data tables (``basic_data_tables.xlsx``) and ``summary.json`` with its
conservation equations, which refuse to publish counts that do not add up; beside them the
suggested links of the repair step (:mod:`._repairs`, ``suggested_links.parquet``). The legal
groups (:mod:`._legal`) add their counts per county, summary part and equations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from canbao.match import _summary_build, output_stages
from canbao.match._repairs_in_match import Suggestions
from canbao.match.keyed_counts import KeyedCounts, N, keyed_counts, scheme_masks
from canbao.match.legal_groups import LegalGaps
from canbao.match.spark._read import PARQUET, Source
from canbao.match.summary_model import InputFile, MatchSummary
from canbao.match.writers import write_table
from canbao.roster import Roster

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from canbao.match.spark._write import SparkSets


@dataclass(frozen=True)
class Inputs:
    """What a Spark match read: the local rosters (canbao's reader) and every source."""

    rosters: dict[str, list[Roster]]
    sources: Mapping[str, Sequence[Source]]
    as_of: date
    area: list[str]
    area_explicit: bool


def spark_counts(found: SparkSets, household: DataFrame) -> KeyedCounts:
    """The keyed counts of a Spark match (the schemes per person by :func:`scheme_masks`)."""
    schemes = scheme_masks(found.linked)
    return keyed_counts(household, found.linked, found.targets, found.duplicates, schemes)


def _shape(source: Source) -> str:
    """How Spark read a source: a catalog table, Parquet (by its name) or CSV."""
    if source.is_table:
        return "table"
    return "parquet" if source.text.lower().endswith(PARQUET) else "csv"


def _remote_inputs(inputs: Inputs, counts: KeyedCounts) -> list[InputFile]:
    """The summary's inputs read by Spark itself: no hash, encoding or unreadable rows."""
    rows = pl.concat([f.select("_file", N) for f in (counts.household, counts.records)])
    per_file = dict(rows.group_by("_file").agg(pl.col(N).sum()).iter_rows())
    return [
        InputFile(source.text, kind, _shape(source), None, "", int(per_file.get(source.name, 0)), 0)
        for kind, sources in inputs.sources.items()
        for source in sources
        if source.is_remote
    ]


def write_small_results(
    counts: KeyedCounts,
    inputs: Inputs,
    found: tuple[Suggestions, LegalGaps],
    out: Path,
    progress: Callable[[str], None],
) -> MatchSummary:
    """The suggested links, the task table, the national tables, unreadable rows and
    summary.json under ``out``, with the legal groups judged (:mod:`._legal`)."""
    proposals, legal = found
    write_table(proposals.links, out, "suggested_links", "parquet")
    basic, _ = output_stages.national_tables(
        counts, None, fmt="parquet", out=out, progress=progress, legal=legal.per_county
    )
    progress("counting for the summary and checking conservation")
    unreadable = _summary_build.unreadable_table(inputs.rosters)
    write_table(unreadable, out, "unreadable", "parquet")
    result = _summary_build.build_summary(
        inputs.rosters,
        _summary_build.Frames(counts, unreadable),
        repairs=_summary_build.Repairs(proposals.records_with_links, None, None),
        units=None,
        unit_frames=[],
        relations=basic.relations,
        as_of=inputs.as_of,
        area=inputs.area,
        area_explicit=inputs.area_explicit,
    )
    remote = _remote_inputs(inputs, counts)
    conservation = [*result.conservation, *legal.equations]
    result = replace(
        result,
        inputs=[*result.inputs, *remote],
        legal_groups=legal.summary,
        conservation=conservation,
    )
    return output_stages.write_summary(result, inputs.rosters, unreadable, out)
