"""``run_match``: read the rosters, compute the result sets, write them atomically.

Data flow: readers (native Polars, streamed) -> prepare (typed fields, id checks) -> staged
Parquet in a work directory -> engine-neutral set logic (narwhals) -> tables -> writers.
Staging the prepared frames once keeps memory flat: every later step scans them.
Repairs (suggested links) score only the invalid and unmatched records; applied links rewrite the
staged enrolment and the set logic runs again on it. Employers are matched on the side.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import narwhals as nw
import polars as pl

from canbao.atomic import atomic_directory
from canbao.errors import ConservationError, InputError, UsageError
from canbao.match import conflicts as conflict_tables
from canbao.match import legal_groups, present, repairs_step, report, sets, summary, tables
from canbao.match.damage import check_id_damage
from canbao.match.legal_rule import DEFAULT_LEGAL_GROUPS, LegalRule, load_legal_rule
from canbao.match.prepare import check_codes, prepare_enrolment, prepare_household
from canbao.match.repairs import APPLY_THRESHOLD
from canbao.match.units import match_units_counted, units_per_county
from canbao.match.writers import (
    OutputFormat,
    write_sorted_tables,
    write_table,
    write_tables,
    write_xlsx,
)
from canbao.roster import Roster, load_column_map, read_roster
from canbao.roster.fields import KIND_FIELDS
from canbao.workdir import work_folder
from canbao.write_errors import write_failure

# Staged frames are temporary: fast to write beats small on disk (zstd cost 1.7x the time).
STAGING: Final = "uncompressed"
HOUSEHOLD_KINDS = ("household", "floating")
ENROLMENT_KINDS = ("pension", "medical", "injury", "unemployment", "maternity")
UNIT_KINDS = ("units", "insured_units")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class MatchResult:
    """What a match produced: the summary (as written to summary.json) and the files."""

    summary: dict[str, Any]
    output: Path
    files: dict[str, Path] = field(default_factory=dict)


def _quiet(_: str) -> None:
    return None


def import_in_background(module: str) -> None:
    """Import ``module`` on a thread, for a library needed only at the end of the match.

    The main thread spends the match in Polars, without the GIL, so xlsxwriter (0.3 s) loads
    meanwhile. Python's import lock makes a later ``import`` wait for it, never load it twice.
    """
    threading.Thread(target=importlib.import_module, args=(module,), daemon=True).start()


def run_match(
    household: Sequence[Path],
    *,
    floating: Sequence[Path] = (),
    pension: Sequence[Path] = (),
    medical: Sequence[Path] = (),
    injury: Sequence[Path] = (),
    unemployment: Sequence[Path] = (),
    maternity: Sequence[Path] = (),
    units: Sequence[Path] = (),
    insured_units: Sequence[Path] = (),
    as_of: date | None = None,
    area: Sequence[str] | None = None,
    columns: Path | None = None,
    output: Path,
    format: OutputFormat = "csv",
    apply_links: Decimal | int | None = None,
    progress: Progress = _quiet,
    accept_damaged_ids: bool = False,
    legal_groups: str | Path | None = DEFAULT_LEGAL_GROUPS,
) -> MatchResult:
    """Match the rosters into the campaign's result sets and write them under ``output``.

    ``units`` / ``insured_units``: the market registry and the insured units (both or neither);
    ``apply_links``: apply the unique top suggested links scoring at least this (0-100) and
    compute the sets with them; ``None`` (the default) only proposes. ``accept_damaged_ids``:
    run even when most IDs of a roster are invalid (:mod:`canbao.match.damage`).
    ``legal_groups``: the legal-group rule's file or bundled name (:mod:`canbao.match.legal_rule`);
    ``"none"`` or None switches the legal-group gaps off.
    """
    as_of = as_of or date.today()
    if not household:
        raise InputError("no household roster given", fix="name one or more files with --household")
    if bool(units) != bool(insured_units):
        raise UsageError(
            "employers need both the market registry and the insured units",
            fix="give --units FILE and --insured-units FILE together",
        )
    if apply_links is not None and not 0 <= apply_links <= 100:
        raise UsageError(
            f"--apply-links {apply_links} is not a score",
            fix=f"give a score from 0 to 100; {APPLY_THRESHOLD} is the documented threshold",
        )
    # The whole rule file is checked before any roster is read.
    legal_rule = load_legal_rule(legal_groups)
    files = {
        "household": household,
        "floating": floating,
        "pension": pension,
        "medical": medical,
        "injury": injury,
        "unemployment": unemployment,
        "maternity": maternity,
        "units": units,
        "insured_units": insured_units,
    }
    colmap = load_column_map(columns) if columns else None
    import_in_background("xlsxwriter")
    inputs = [Path(p) for paths in files.values() for p in paths] + ([columns] if columns else [])
    # The output is checked and locked before the rosters are read, so a wrong --output fails
    # at once; the work folder goes after the results are in place, however the run ends.
    with (
        work_folder("match") as work,
        atomic_directory(output, command="match", inputs=inputs) as staging,
    ):
        rosters: dict[str, list[Roster]] = {}
        for kind, paths in files.items():
            rosters[kind] = []
            for path in paths:
                progress(f"reading {kind} roster {Path(path).name}")
                rosters[kind].append(read_roster(Path(path), kind, columns=colmap, workdir=work))
        options = _Options(
            as_of, area, format, apply_links, progress, accept_damaged_ids, legal_rule
        )
        result_summary, written = _match(rosters, options, work, staging)
    return MatchResult(
        result_summary, Path(output), {k: Path(output) / v.name for k, v in written.items()}
    )


@dataclass(frozen=True)
class _Options:
    as_of: date
    area: Sequence[str] | None
    fmt: OutputFormat
    apply_links: Decimal | int | None
    progress: Progress
    accept_damaged_ids: bool = False
    legal_rule: LegalRule | None = None


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


def default_area(household: pl.LazyFrame) -> list[str]:
    """The counties written in the household roster (6-digit codes): the default --area.

    ``household`` is the prepared frame, whose ``county_given`` is the roster's own 县区 value
    (``county`` falls back to the ID's region, which is the birthplace, not the area).
    """
    counties = (
        household.select(pl.col("county_given").alias("county").unique())
        .filter(pl.col("county").str.contains(r"^[0-9]{4,6}$"))
        .collect()
        .get_column("county")
        .sort()
        .to_list()
    )
    if not counties:
        raise InputError(
            "the household roster has no county codes (县区), so the area cannot be derived",
            fix="give the area's region-code prefixes with --area, e.g. --area 3406",
        )
    return [str(c) for c in counties]


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


def _stage(frame: pl.LazyFrame, path: Path) -> pl.LazyFrame:
    """Write a prepared frame to the work directory and return a scan of it."""
    try:
        frame.sink_parquet(path, compression=STAGING)
    except pl.exceptions.PolarsError as exc:
        failure = write_failure(exc, path)
        if failure is not None:
            raise failure from exc
        raise
    return pl.scan_parquet(path)


def _stage_added(work: Path, base: pl.LazyFrame, derived: pl.LazyFrame, name: str) -> pl.LazyFrame:
    """Stage only the columns ``derived`` adds to ``base``; return ``base`` beside them.

    ``derived`` must keep the rows of ``base`` in their order and only add columns (the set
    logic does: order-keeping left joins and with_columns; the examples' golden files would
    change otherwise). For the targets that is 15 narrow columns instead of the household's
    30-odd again. Not for linked records: their readers filter on the link class, and a frame
    beside its added columns is read whole where one file is read only for the kept rows.
    """
    have = set(base.collect_schema().names())
    added = [c for c in derived.collect_schema().names() if c not in have]
    return pl.concat([base, _stage(derived.select(added), work / name)], how="horizontal")


def _sets(
    work: Path, household: pl.LazyFrame, enrolment: pl.LazyFrame, tag: str
) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.DataFrame]:
    """Link records to persons and assess the targets (staged as linked{tag}, targets{tag})."""
    persons = sets.household_persons(nw.from_native(household))
    link = nw.to_native(sets.link_records(nw.from_native(enrolment), persons))
    linked = _stage(link.select(LINKED_COLUMNS), work / f"linked{tag}.parquet")
    cover = sets.coverage(nw.from_native(linked))
    assessed = nw.to_native(sets.assess_targets(nw.from_native(household), cover))
    targets = _stage_added(
        work, household.filter(pl.col("is_target")), assessed, f"targets{tag}.parquet"
    )
    found: pl.DataFrame = nw.to_native(sets.duplicates(nw.from_native(linked))).collect()
    return linked, targets, found


def _match(
    rosters: dict[str, list[Roster]], opts: _Options, work: Path, out: Path
) -> tuple[dict[str, Any], dict[str, Path]]:
    as_of, progress = opts.as_of, opts.progress
    household_raw = _concat(rosters, HOUSEHOLD_KINDS)
    progress("checking ids and codes")
    household = _stage(
        prepare_household(household_raw, as_of=as_of).drop(HOUSEHOLD_UNSTAGED),
        work / "household.parquet",
    )
    check_id_damage(household, accept=opts.accept_damaged_ids)
    # From the staged household, not the export: one read of the export is enough.
    area = list(opts.area) if opts.area else default_area(household)
    enrolment_raw = _concat(rosters, ENROLMENT_KINDS)
    enrolment = _stage(
        prepare_enrolment(enrolment_raw, as_of=as_of, area=area, explicit_area=bool(opts.area))
        .drop(ENROLMENT_UNSTAGED)
        .with_row_index("e_row"),
        work / "enrolment.parquet",
    )
    check_id_damage(enrolment, accept=opts.accept_damaged_ids)
    check_codes(household, enrolment)

    progress("linking records to persons")
    linked, targets, found = _sets(work, household, enrolment, "")
    progress("suggesting links for invalid and unmatched records")
    proposals = repairs_step.suggest(linked, household, as_of=as_of)
    applied: pl.DataFrame | None = None
    before: dict[str, int] | None = None
    if opts.apply_links is not None:
        progress(f"applying suggested links scoring {opts.apply_links} or more")
        before = summary.count_enrolment(linked)
        applied = repairs_step.apply_to_enrolment(
            enrolment,
            proposals,
            min_score=opts.apply_links,
            as_of=as_of,
            path=work / "enrolment_linked.parquet",
        )
        # The sets are recomputed from the repaired records: nothing downstream needs to know.
        enrolment = pl.scan_parquet(work / "enrolment_linked.parquet")
        linked, targets, found = _sets(work, household, enrolment, "_applied")

    progress("writing result files")
    schemes = present.current_schemes(linked)
    conflicts = conflict_tables.conflicts_table(linked, household)
    unreadable = report.unreadable_table(rosters)
    outputs: dict[str, pl.LazyFrame | pl.DataFrame] = {
        "duplicates": present.duplicates_table(found.lazy(), linked),
        "conflicts": conflicts,
        "non_local": conflict_tables.non_local_table(linked),
        "unreadable": unreadable,
        "suggested_links": proposals.links,
    }
    if applied is not None:
        outputs["applied_links"] = applied
    unit_frames = [_concat(rosters, (k,)) for k in UNIT_KINDS if rosters[k]]
    unit_counts: dict[str, int] | None = None
    per_county: pl.DataFrame | None = None
    if unit_frames:
        progress("matching employers")
        registry, insured = unit_frames  # both or neither: run_match checked
        found_units, unit_counts = match_units_counted(registry, insured)
        outputs["units_needing_survey"] = found_units
        per_county = units_per_county(found_units).rename({"县区": "county"})
    legal = None
    if opts.legal_rule is not None:
        progress("judging the legal groups of injury, unemployment and maternity")
        given = [kind for kind, items in rosters.items() if items]
        legal = legal_groups.assess(targets, linked, opts.legal_rule, given=given, as_of=as_of)
        outputs[legal_groups.GAP_FILE] = legal.gaps
        outputs[legal_groups.UNIT_FILE] = legal.per_unit
    written = write_tables(outputs, out, opts.fmt)
    person_tables = present.person_tables(targets, schemes)
    written |= write_sorted_tables(person_tables, out, opts.fmt, by=present.SORT_KEYS)
    progress("computing the task table and the national basic data tables")
    legal_counts = None if legal is None else legal.per_county
    task = tables.task_table(targets, units=per_county, legal=legal_counts)
    written["task_table"] = write_table(task, out, "task_table", opts.fmt)
    basic = tables.basic_tables(targets, linked, found, schemes, legal=legal_counts)
    written["basic_data_tables"] = out / "basic_data_tables.xlsx"
    write_xlsx(
        {
            "基础数据情况表(一)": basic.table1,
            "基础数据情况表(二)": basic.table2,
            "逻辑关系校验": pl.DataFrame(basic.relations),
        },
        written["basic_data_tables"],
    )

    progress("counting for the summary and checking conservation")
    result = report.build_summary(
        rosters,
        report.Frames(household, linked, targets, found, conflicts, unreadable),
        repairs=report.Repairs(
            proposals.records_with_links, None if applied is None else applied.height, before
        ),
        units=unit_counts,
        unit_frames=unit_frames,
        as_of=as_of,
        area=area,
        area_explicit=bool(opts.area),
    )
    result["legal_groups"] = legal_groups.off_summary() if legal is None else legal.summary
    result["conservation"] += [] if legal is None else legal.equations
    result["tables"] = {"basic_data_table_relations": basic.relations}
    (out / "summary.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    failed = [eq for eq in result["conservation"] if not eq["ok"]]
    if failed:
        detail = "; ".join(f"{eq['equation']}: {eq['left']} != {eq['right']}" for eq in failed)
        raise ConservationError(
            f"the counts do not add up ({detail}); no result was published",
            fix="this is a bug in canbao: rerun with --verbose and report it with the summary",
        )
    return result, written
