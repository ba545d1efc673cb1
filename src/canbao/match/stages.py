"""The stages of a match, in the order :func:`canbao.match.api.run_match` runs them.

read -> prepare -> link and assess -> suggest (and apply) links -> employers -> result files ->
national tables -> summary and conservation (the last three in
:mod:`canbao.match.output_stages`). Each stage is a function that takes what it needs
and returns what it made (a small frozen class when that is more than one frame), so the
orchestrator reads as the list of stages and nothing passes between them on the side.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Final

import polars as pl

from canbao.i18n import _, term
from canbao.match import (
    _repairs_in_match,
    _shards,
    _summary_counts,
    sets,
)
from canbao.match._linked_sets import LinkedSets, Links
from canbao.match._staging import added_in_memory, stage, stage_added
from canbao.match._threads import in_background
from canbao.match.area import default_area
from canbao.match.damage import check_id_damage
from canbao.match.prepare import check_codes, prepare_enrolment, prepare_household
from canbao.match.units import match_units_counted, units_per_county
from canbao.match.vocabulary import ConflictKind
from canbao.roster import ColumnMap, Roster, read_roster
from canbao.roster.fields import KIND_FIELDS
from canbao.roster.kinds import ENROLMENT_KINDS, HOUSEHOLD_KINDS, UNIT_KINDS, RosterFiles
from canbao.shown_path import shown_by_name, shown_path

__all__ = [
    "Employers",
    "LinkedSets",
    "Links",
    "Prepared",
    "link_and_assess",
    "match_employers",
    "prepare",
    "read_rosters",
    "suggest_links",
]

Progress = Callable[[str], None]
Rosters = dict[str, list[Roster]]


def _concat(rosters: dict[str, list[Roster]], kinds: Sequence[str]) -> pl.LazyFrame:
    fields = KIND_FIELDS[kinds[0]]
    frames = [
        r.frame.with_columns(pl.lit(kind).alias("_roster")) for kind in kinds for r in rosters[kind]
    ]
    if not frames:
        schema = {f: pl.String for f in fields} | {
            "_file": pl.String,
            "_line": pl.Int64,
            "_roster": pl.String,
        }
        return pl.LazyFrame(schema=schema)
    return pl.concat(frames, how="diagonal_relaxed")


# Raw texts the prepare step has folded into typed fields (id_raw, sex_col, birth_col, the
# statuses and their *_raw for messages) or no later step reads: not staged.
HOUSEHOLD_UNSTAGED: Final = ("id", "birth_date", "status")
ENROLMENT_UNSTAGED: Final = ("id", "sex", "birth_date", "status", "person_number")
# The columns of linked records that the later steps read (sets, tables, conflicts, repairs,
# summary): the raw texts already folded into typed fields are not written again.
LINKED_COLUMNS: Final = (
    *("e_row", "_roster", "_file", "_line", "link", "link_score"),
    *("id_raw", "id_norm", "id_key", "id_reason", "id_sex", "id_birth"),
    *("name", "hh_name", "name_mismatch", "sex_col", "sex_mismatch", "birth_col"),
    *("birth_mismatch", "scheme", "region", "estatus", "itype", "active", "in_area"),
    *("repeated_record", "deceased_enrolled", "employer_code"),
)


def read_rosters(
    files: RosterFiles, *, columns: ColumnMap | None, work: Path, progress: Progress
) -> Rosters:
    """Read every file of every kind (kinds in :class:`RosterKind` order, files as given)."""
    rosters: Rosters = {}
    total, done = sum(len(paths) for paths in files.values()), 0
    for kind, paths in files.items():
        rosters[kind.value] = []
        for path in paths:
            done += 1
            progress(
                _("reading roster {done}/{total} ({kind}): {path}").format(
                    done=done, total=total, kind=term(kind.label, kind.value), path=shown_path(path)
                )
            )
            rosters[kind.value].append(read_roster(path, kind.value, columns=columns, workdir=work))
    return rosters


@dataclass(frozen=True)
class Prepared:
    """The staged household and enrolment frames, and the area they were prepared for."""

    household: pl.LazyFrame
    enrolment: pl.LazyFrame
    area: list[str]
    area_explicit: bool  # --area was given (else: the household roster's counties)
    shards: int = 1  # the set logic runs in this many shards of persons (canbao.match._shards)
    work: Path | None = None  # the work folder, for the steps that stage more as they go
    # Set when the enrolment is not staged (``enrolment`` reads the rosters): the checks of the
    # records, run on the staged linked records (:func:`link_and_assess`).
    check_records: Callable[[pl.LazyFrame], None] | None = None
    records: int | None = None  # the enrolment's rows when it is not staged (counted cheaply)
    as_of: date | None = None  # the reference date: the repair step starts during the link

    def persons(self) -> int:
        """The household's rows (the staged Parquet's metadata: nothing read again)."""
        return int(self.household.select(pl.len()).collect().item())


def prepare(
    rosters: Rosters,
    *,
    as_of: date,
    area: list[str] | None,
    accept_damaged_ids: bool,
    work: Path,
    progress: Progress,
    shards: int = 1,
    stage_enrolment: bool = True,
) -> Prepared:
    """Type and check the household and enrolment rosters and stage them as Parquet.

    Without ``stage_enrolment`` (one piece, no applied links) the enrolment is left as the
    prepared scan of its rosters: the link reads it once and stages the linked records, which
    carry every column of it that a later step reads (:data:`FUSED_COLUMNS`). Staging it too
    cost 0.85 CPU-s of writing at 1 M persons (docs/performance.md). Its checks (damaged IDs,
    unknown codes) then run on the staged linked records, in the same order.
    """
    household_raw = _concat(rosters, HOUSEHOLD_KINDS)
    where = shown_by_name(r.info.path for rs in rosters.values() for r in rs)
    progress(_("checking ids and codes"))
    # In shards, each row's shard is staged with it (canbao.match._shards.SHARD).
    household_rows = prepare_household(household_raw, as_of=as_of).drop(HOUSEHOLD_UNSTAGED)
    household = stage(_shards.with_shard(household_rows, None, shards), work / "household.parquet")
    check_id_damage(household, accept=accept_damaged_ids, where=where)
    # From the staged household, not the export: one read of the export is enough.
    chosen = area if area else default_area(household)
    enrolment_raw = _concat(rosters, ENROLMENT_KINDS)
    enrolment = (
        prepare_enrolment(enrolment_raw, as_of=as_of, area=chosen, explicit_area=bool(area))
        .drop(ENROLMENT_UNSTAGED)
        .with_row_index("e_row")
    )

    def check_records(records: pl.LazyFrame) -> None:
        check_id_damage(records, accept=accept_damaged_ids, where=where)
        check_codes(household, records, where=where)

    if not stage_enrolment:
        # Counted on the rosters as read (the prepare step keeps every row): Polars counts a
        # CSV's lines in 0.03 CPU-s at 1 M persons, the prepared scan in 0.5.
        records = int(enrolment_raw.select(pl.len()).collect().item())
        return Prepared(
            household, enrolment, chosen, bool(area), shards, work, check_records, records, as_of
        )
    enrolment = stage(_shards.with_shard(enrolment, "e_row", shards), work / "enrolment.parquet")
    check_records(enrolment)
    return Prepared(household, enrolment, chosen, bool(area), shards, work, as_of=as_of)


def _sets(
    work: Path,
    household: pl.LazyFrame,
    enrolment: pl.LazyFrame,
    tag: str,
    shards: int = 1,
    progress: Progress = lambda _: None,
) -> LinkedSets:
    """Link records to persons and assess the targets (staged as linked{tag}, targets{tag}).

    With ``shards`` above one, shard by shard and merged (:mod:`canbao.match._shards`).
    """
    if shards > 1:
        split, targets, found, parts = _shards.sharded_sets(
            work,
            household,
            enrolment,
            tag=tag,
            shards=shards,
            columns=LINKED_COLUMNS,
            stage=stage,
            progress=progress,
        )
        return LinkedSets(split.frame(), targets, found, split=split, shard_records=parts)
    # The set functions take and return native frames (narwhals at their edges): Polars here.
    link = sets.link_records(enrolment, sets.household_persons(household))
    linked = stage(link.select(LINKED_COLUMNS), work / f"linked{tag}.parquet")
    assessed = sets.assess_targets(household, sets.coverage(linked))
    targets = stage_added(
        work, household.filter(pl.col("is_target")), assessed, f"targets{tag}.parquet"
    )
    found = sets.duplicates(linked).collect()
    return LinkedSets(linked, targets, found)


def link_and_assess(prepared: Prepared, work: Path, progress: Progress) -> LinkedSets:
    """Link the enrolment records to persons and assess the targets (staged as Parquet)."""
    persons = prepared.persons()
    records = prepared.records
    if records is None:
        records = prepared.enrolment.select(pl.len()).collect().item()
    progress(
        _("linking {records:,} enrolment records to {persons:,} household rows").format(
            records=records, persons=persons
        )
    )
    household, enrolment, shards = prepared.household, prepared.enrolment, prepared.shards
    if prepared.check_records is not None:
        as_of = prepared.as_of

        def suggest(linked: pl.LazyFrame) -> _repairs_in_match.Suggestions:
            assert as_of is not None
            return _repairs_in_match.suggest(linked, household, as_of=as_of)

        return _fused_sets(work, household, enrolment, prepared.check_records, suggest)
    if shards > 1 and prepared.as_of is not None:
        return _sharded_sets(work, prepared, progress)
    return _sets(work, household, enrolment, "", shards, progress)


def _sharded_sets(work: Path, prepared: Prepared, progress: Progress) -> LinkedSets:
    """:func:`_sets` in shards, with the repair step begun on a thread once the shards are
    linked (before their merge): its records are the invalid and unmatched ones, found by the
    shards' link classes in the staged enrolment (the merged linked records are that enrolment
    beside the classes), so it runs beside the merge and the record tables, and the result
    files wait for it only when they write the suggested links (:attr:`Links.proposals`).
    At 10 M persons the repair step beside the merge peaked at 1.6-1.7 GB, under the result
    files' 1.9 GB (docs/scale-measurements.md, sixth round)."""
    household, enrolment, as_of = prepared.household, prepared.enrolment, prepared.as_of
    shards = prepared.shards
    assert as_of is not None
    pending: list[Future[_repairs_in_match.Suggestions]] = []

    def suggest(parts: Sequence[Path]) -> _repairs_in_match.Suggestions:
        classes = pl.scan_parquet(list(parts)).select("e_row", "link")
        records = _repairs_in_match.records_by_class(classes, enrolment)
        return _repairs_in_match.suggest_for(records, household, as_of=as_of, shards=shards)

    def begin(parts: Sequence[Path]) -> None:
        pending.append(in_background(lambda: suggest(parts)))

    try:
        split, targets, found, parts = _shards.sharded_sets(
            work,
            household,
            enrolment,
            tag="",
            shards=shards,
            columns=LINKED_COLUMNS,
            stage=stage,
            progress=progress,
            linked=begin,
        )
    except BaseException:
        wait(pending)  # it reads the work folder: let it end
        raise
    # Not waited for here: the caller waits for it on every way out (run_match).
    suggestions = pending[0] if pending else None
    return LinkedSets(split.frame(), targets, found, suggestions, split, parts)


# The staged linked records of an unstaged enrolment: repeated_record comes after (from the
# staged records), and the raw codes are kept for the message about unknown codes.
FUSED_COLUMNS: Final = (
    *(c for c in LINKED_COLUMNS if c != ConflictKind.REPEATED_RECORD),
    *("scheme_raw", "estatus_raw"),
)


def _fused_sets(
    work: Path,
    household: pl.LazyFrame,
    enrolment: pl.LazyFrame,
    check_records: Callable[[pl.LazyFrame], None],
    suggest: Callable[[pl.LazyFrame], _repairs_in_match.Suggestions] | None = None,
) -> LinkedSets:
    """:func:`_sets` of one piece from the prepared scan of the rosters, read once.

    The records are linked as they are read and staged with their classes; the repeated
    records are found in the staged file (the same rows as in the enrolment) and flagged by
    their row numbers, a short list, so later filters still reach the staged file.
    ``suggest``: the repair step, begun on a thread as soon as the staged records are checked
    (it reads only their classes and IDs): mostly one core's work, it runs beside the rest of
    this step, which leaves the other core idle part of the time.
    """
    link = sets.link_classes(enrolment, sets.household_persons(household))
    staged = stage(link.select(FUSED_COLUMNS), work / "linked.parquet")
    check_records(staged)
    pending = None if suggest is None else in_background(lambda: suggest(staged))
    try:
        rows = sets.repeated_rows(staged).collect().get_column("e_row")
        repeated = pl.col("e_row").is_in(rows.implode()).alias(ConflictKind.REPEATED_RECORD)
        linked = staged.with_columns(repeated).select(LINKED_COLUMNS)
        assessed = sets.assess_targets(household, sets.coverage(linked))
        targets = added_in_memory(household.filter(pl.col("is_target")), assessed)
        found = sets.duplicates(linked).collect()
    except BaseException:
        wait([pending] if pending is not None else [])  # it reads the work folder: let it end
        raise
    return LinkedSets(linked, targets, found, pending)


def suggest_links(
    sets: LinkedSets,
    prepared: Prepared,
    *,
    apply_links: Decimal | None,
    as_of: date,
    work: Path,
    progress: Progress,
) -> Links:
    """Propose links for invalid and unmatched records; apply the sure ones if asked."""
    progress(_("suggesting links for invalid and unmatched records"))
    if sets.suggestions is not None and apply_links is None:
        return Links(sets.suggestions, sets)  # still being found on a thread: waited for later
    if sets.suggestions is not None:
        proposals = sets.suggestions.result()
    else:
        proposals = _repairs_in_match.suggest(
            sets.linked, prepared.household, as_of=as_of, shards=prepared.shards
        )
    if apply_links is None:
        return Links(proposals, sets)
    progress(_("applying suggested links scoring {score} or more").format(score=apply_links))
    before = _summary_counts.count_enrolment(sets.without_texts())
    applied = _repairs_in_match.apply_to_enrolment(
        # Without the staged shard numbers: the links change keys, so the shards are found again.
        prepared.enrolment.select(pl.exclude(_shards.SHARD)),
        proposals,
        min_score=apply_links,
        as_of=as_of,
        path=work / "enrolment_linked.parquet",
    )
    # The sets are recomputed from the repaired records: nothing downstream needs to know.
    enrolment = pl.scan_parquet(work / "enrolment_linked.parquet")
    repaired = _sets(work, prepared.household, enrolment, "_applied", prepared.shards, progress)
    return Links(proposals, repaired, applied, before)


@dataclass(frozen=True)
class Employers:
    """The unit rosters and, when given, the units needing a survey and their counts."""

    frames: list[pl.LazyFrame]  # the market registry and the insured units, or nothing
    found: pl.DataFrame | None = None  # units_needing_survey
    counts: dict[str, int] | None = None  # UNIT_COUNT_KEYS for the summary
    per_county: pl.DataFrame | None = None  # for the task table


def match_employers(rosters: Rosters, progress: Progress) -> Employers:
    """Match the market registry against the insured units, when both were given."""
    frames = [_concat(rosters, (kind,)) for kind in UNIT_KINDS if rosters[kind]]
    if not frames:
        return Employers(frames)
    progress(_("matching employers"))
    registry, insured = frames  # both or neither: run_match checked
    found, counts = match_units_counted(registry, insured)
    return Employers(frames, found, counts, units_per_county(found).rename({"县区": "county"}))
