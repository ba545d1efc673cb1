"""The output stages of a match: result files, national tables, summary and conservation.

They follow the stages of :mod:`canbao.match.stages` (read, prepare, link and assess, suggest
links, employers) in :func:`canbao.match.api.run_match`, and take what those made.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Final

import polars as pl

from canbao.errors import ConservationError
from canbao.i18n import _
from canbao.match import _person_tables, _summary_build, present, tables
from canbao.match import conflicts as conflict_tables
from canbao.match._kept_tables import Kept
from canbao.match._person_csv import write_person_csv
from canbao.match._person_tables import (
    write_person_tables_by_county,
    write_person_tables_sorted_once,
)
from canbao.match.assumptions import assumed
from canbao.match.county_lists import write_county_lists
from canbao.match.keyed_counts import KeyedCounts, keyed_counts
from canbao.match.legal_groups import LegalGaps
from canbao.match.national_book import write_basic_tables
from canbao.match.stages import Employers, LinkedSets, Links, Prepared, Progress, Rosters
from canbao.match.summary_model import MatchSummary
from canbao.match.task_book import write_task_table
from canbao.match.writers import OutputFormat, write_table, write_tables
from canbao.roster.unreadable import TOTAL_ROW

__all__ = [
    "ResultFiles",
    "count_sets",
    "national_tables",
    "summary_and_conservation",
    "write_result_files",
    "write_summary",
]


@dataclass(frozen=True)
class ResultFiles:
    """The files written so far by name, and the frames the later stages count from."""

    written: dict[str, Path]
    schemes: present.Schemes
    conflicts: pl.LazyFrame
    unreadable: pl.LazyFrame


def write_result_files(
    rosters: Rosters,
    prepared: Prepared,
    links: Links,
    employers: Employers,
    *,
    fmt: OutputFormat,
    out: Path,
    lists: bool = False,
) -> ResultFiles:
    """Write the record tables (duplicates, conflicts, links, units), the person tables and,
    with ``lists``, the lists per county (:mod:`canbao.match.county_lists`).

    A sharded match, and one piece of a large city (:func:`_batched_persons`), writes CSV and
    Parquet person tables batch by batch of townships, never whole
    (:mod:`canbao.match._person_tables`); below that size one piece sorts them once (Parquet: a
    row group per batch all the same, so the bytes are those of any shards). xlsx person
    tables likewise, row by row (:mod:`canbao.match._person_xlsx`)."""
    household, work = prepared.household, prepared.work
    linked, targets, found = links.sets.linked, links.sets.targets, links.sets.found
    # Sharded, or one piece of a large city: the person tables by batches, the schemes staged.
    persons = _batched_persons(prepared) if work is not None else None
    if work is not None and persons is not None:
        # Not held through the person tables, legal groups and counts.
        schemes: present.Schemes = _staged_schemes(links.sets, persons, work / "schemes")
    else:
        schemes = present.current_schemes(links.sets.without_texts(), parts=prepared.shards)
    where = links.sets.rows_where  # None: one file, read by filters
    conflicts = conflict_tables.conflicts_table(linked, household, where)
    unreadable = _summary_build.unreadable_table(rosters)
    outputs: dict[str, pl.LazyFrame | pl.DataFrame] = {
        "duplicates": present.duplicates_table(found.lazy(), linked, where),
        "conflicts": conflicts,
        "non_local": conflict_tables.non_local_table(linked, where),
        "unreadable": unreadable,
    }
    if links.applied is not None:
        outputs["applied_links"] = links.applied
    if employers.found is not None:
        outputs["units_needing_survey"] = employers.found
    written = write_tables(outputs, out, fmt)
    # After the other record tables: the repair step may still be running on a thread beside
    # them (stages.Links.proposals waits for it).
    written |= write_tables({"suggested_links": links.proposals.links}, out, fmt)
    kept: Kept | None = None
    if lists:  # the person tables the lists for field teams are cut from, kept as written
        kept = {"needs_survey": pl.DataFrame(), "uninsured": pl.DataFrame()}
    if work is not None and persons is not None:
        written |= write_person_tables_by_county(
            targets, schemes, out=out, work=work, kept=kept, fmt=fmt
        )
    elif fmt == "csv":
        written |= write_person_csv(targets, schemes, out, kept)
    else:
        written |= write_person_tables_sorted_once(targets, schemes, out=out, kept=kept, fmt=fmt)
    if kept is not None:
        if employers.found is not None:
            kept["units_needing_survey"] = employers.found
        # The lists for field teams, one workbook per county (listed in the folder's marker);
        # asked for, since at 1 M persons they took a 9 s match to 21-23 s (xlsx is slow to write).
        write_county_lists(kept, out)
    return ResultFiles(written, schemes, conflicts, unreadable)


# Persons aggregated at a time for the staged schemes per person (one piece from 8 M persons;
# in shards at least one part per shard).
SCHEME_PART_PERSONS: Final = 2_500_000


def _staged_schemes(sets: LinkedSets, persons: int, folder: Path) -> pl.LazyFrame:
    """The schemes per person, staged in parts of at most :data:`SCHEME_PART_PERSONS` persons
    (one piece's one aggregation held about 1 GB at 10 M): a sharded match's from each shard's
    own linked records, where every record of its persons is, one piece's from its linked
    records, read once per part."""
    if sets.shard_records:
        per_shard = -(-persons // len(sets.shard_records))
        groups = [pl.scan_parquet(path) for path in sets.shard_records]
        parts = -(-per_shard // SCHEME_PART_PERSONS)
        return present.stage_schemes_by_group(groups, parts, folder)
    parts = -(-persons // SCHEME_PART_PERSONS)
    return present.stage_current_schemes(sets.without_texts(), parts, folder)


def _batched_persons(prepared: Prepared) -> int | None:
    """The household's rows when the person tables are written batch by batch of townships
    (in shards, and in one piece from :data:`~canbao.match._person_tables.ONE_PIECE_BATCHES_FROM`
    persons), else None. Read from the staged household's Parquet metadata."""
    persons = prepared.persons()
    batched = prepared.shards > 1 or persons >= _person_tables.ONE_PIECE_BATCHES_FROM
    return persons if batched else None


def tables_step() -> str:
    """The progress message of the tables' step, which starts with counting (count_sets)."""
    return _("computing the task table and the national basic data tables")


def count_sets(
    prepared: Prepared, sets: LinkedSets, schemes: present.Schemes, progress: Progress
) -> KeyedCounts:
    """The keyed counts the tables and the summary sum (:mod:`canbao.match.keyed_counts`),
    announced as the tables' step (:func:`tables_step`), which they start."""
    progress(tables_step())
    every_row = sets.without_texts()
    frames = (prepared.household, every_row, sets.targets, sets.found.lazy(), schemes.lazy())
    # A sharded match counts the persons in parts, as many as its shards (bounded memory), each
    # part's records read from its shard's own file.
    shards = [pl.scan_parquet(path) for path in sets.shard_records]
    return keyed_counts(*frames, parts=prepared.shards, linked_parts=shards)


def national_tables(
    counts: KeyedCounts,
    units_per_county: pl.DataFrame | None,
    *,
    fmt: OutputFormat,
    out: Path,
    progress: Progress,
    legal: pl.DataFrame | None = None,
) -> tuple[tables.BasicTables, dict[str, Path]]:
    """Write the task table and the national basic data tables (人社厅发〔2017〕28号 附件2)
    from the match's keyed counts (on Polars and on Spark; announced with :func:`tables_step`
    before the counts are computed)."""
    written: dict[str, Path] = {}
    task = tables.task_table(counts, units=units_per_county, legal=legal)
    # The print-ready workbook is for people, always; CSV or Parquet beside it for programs.
    printed = out / "task_table.xlsx"
    write_task_table(task, printed)
    if fmt == "xlsx":
        written["task_table"] = printed
    else:
        written["task_table"] = write_table(task, out, "task_table", fmt)
        written["task_table_xlsx"] = printed
    basic = tables.basic_tables(counts, legal=legal)
    written["basic_data_tables"] = out / "basic_data_tables.xlsx"
    write_basic_tables(basic, written["basic_data_tables"])
    return basic, written


def summary_and_conservation(
    rosters: Rosters,
    prepared: Prepared,
    links: Links,
    employers: Employers,
    files: ResultFiles,
    basic: tables.BasicTables,
    *,
    counts: KeyedCounts,
    as_of: date,
    out: Path,
    progress: Progress,
    legal: LegalGaps | None = None,
) -> MatchSummary:
    """Count the summary, write summary.json and refuse to publish counts that do not add up."""
    unreadable = files.unreadable
    proposals, applied, before = links.proposals, links.applied, links.before
    unit_counts, unit_frames, area = employers.counts, employers.frames, prepared.area
    progress(_("counting for the summary and checking conservation"))
    result = _summary_build.build_summary(
        rosters,
        _summary_build.Frames(counts, unreadable),
        repairs=_summary_build.Repairs(
            proposals.records_with_links, None if applied is None else applied.height, before
        ),
        units=unit_counts,
        unit_frames=unit_frames,
        relations=basic.relations,
        as_of=as_of,
        area=area,
        area_explicit=prepared.area_explicit,
    )
    if legal is not None:
        conservation = [*result.conservation, *legal.equations]
        result = replace(result, legal_groups=legal.summary, conservation=conservation)
    return write_summary(result, rosters, unreadable, out)


def write_summary(
    result: MatchSummary, rosters: Rosters, unreadable: pl.LazyFrame, out: Path
) -> MatchSummary:
    """summary.json with the total rows and the assumptions; refused (ConservationError, no
    result published) when its counts do not add up."""
    totals = unreadable.filter(pl.col("原因代码") == TOTAL_ROW).select(pl.len()).collect().item()
    result = replace(result, total_rows=int(totals), warnings=assumed(rosters))
    (out / "summary.json").write_text(result.to_json(), encoding="utf-8")
    failed = result.failed()
    if failed:
        detail = "; ".join(f"{eq.equation}: {eq.left} != {eq.right}" for eq in failed)
        raise ConservationError(
            _("the counts do not add up ({detail}); no result was published").format(detail=detail),
            fix=_("this is a bug in canbao: rerun with --verbose and report it with the summary"),
        )
    return result
