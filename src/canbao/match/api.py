"""``run_match``: read the rosters, compute the result sets, write them atomically.

Data flow: readers (native Polars, streamed) -> prepare (typed fields, id checks) -> staged
Parquet in a work directory -> engine-neutral set logic (narwhals) -> tables -> writers.
Staging the prepared frames once keeps memory flat: every later step scans them.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import narwhals as nw
import polars as pl

from canbao import __version__
from canbao.atomic import atomic_directory
from canbao.errors import ConservationError, InputError
from canbao.match import conflicts as conflict_tables
from canbao.match import present, sets, summary, tables
from canbao.match.prepare import check_codes, prepare_enrolment, prepare_household
from canbao.match.writers import OutputFormat, write_table, write_xlsx
from canbao.roster import Roster, load_column_map, read_roster
from canbao.roster.fields import KIND_FIELDS

HOUSEHOLD_KINDS = ("household", "floating")
ENROLMENT_KINDS = ("pension", "medical", "injury", "unemployment", "maternity")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class MatchResult:
    """What a match produced: the summary (as written to summary.json) and the files."""

    summary: dict[str, Any]
    output: Path
    files: dict[str, Path] = field(default_factory=dict)


def _quiet(_: str) -> None:
    return None


def run_match(
    household: Sequence[Path],
    *,
    floating: Sequence[Path] = (),
    pension: Sequence[Path] = (),
    medical: Sequence[Path] = (),
    injury: Sequence[Path] = (),
    unemployment: Sequence[Path] = (),
    maternity: Sequence[Path] = (),
    as_of: date | None = None,
    area: Sequence[str] | None = None,
    columns: Path | None = None,
    output: Path,
    format: OutputFormat = "csv",
    progress: Progress = _quiet,
) -> MatchResult:
    """Match the rosters into the campaign's result sets and write them under ``output``."""
    as_of = as_of or date.today()
    if not household:
        raise InputError("no household roster given", fix="name one or more files with --household")
    files = {
        "household": household,
        "floating": floating,
        "pension": pension,
        "medical": medical,
        "injury": injury,
        "unemployment": unemployment,
        "maternity": maternity,
    }
    colmap = load_column_map(columns) if columns else None
    with tempfile.TemporaryDirectory(prefix="canbao-match-") as tmp:
        work = Path(tmp)
        rosters: dict[str, list[Roster]] = {}
        for kind, paths in files.items():
            rosters[kind] = []
            for path in paths:
                progress(f"reading {kind} roster {Path(path).name}")
                rosters[kind].append(read_roster(Path(path), kind, columns=colmap, workdir=work))
        with atomic_directory(output) as staging:
            result_summary, written = _match(rosters, as_of, area, work, staging, format, progress)
        return MatchResult(
            result_summary, Path(output), {k: Path(output) / v.name for k, v in written.items()}
        )


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
    """The counties found in the household roster (6-digit codes), used when --area is not given."""
    counties = (
        household.select(pl.col("county").str.strip_chars().unique())
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


def _match(
    rosters: dict[str, list[Roster]],
    as_of: date,
    area: Sequence[str] | None,
    work: Path,
    out: Path,
    fmt: OutputFormat,
    progress: Progress,
) -> tuple[dict[str, Any], dict[str, Path]]:
    household_raw = _concat(rosters, HOUSEHOLD_KINDS)
    area = list(area) if area else default_area(household_raw.with_columns(pl.col("county")))
    progress("checking ids and codes")
    prepare_household(household_raw, as_of=as_of).with_row_index("h_row").sink_parquet(
        work / "household.parquet"
    )
    enrolment_raw = _concat(rosters, ENROLMENT_KINDS)
    prepare_enrolment(enrolment_raw, as_of=as_of, area=area).with_row_index("e_row").sink_parquet(
        work / "enrolment.parquet"
    )
    household = pl.scan_parquet(work / "household.parquet")
    enrolment = pl.scan_parquet(work / "enrolment.parquet")
    check_codes(household, enrolment)

    progress("linking records to persons")
    persons = sets.household_persons(nw.from_native(household))
    nw.to_native(sets.link_records(nw.from_native(enrolment), persons)).sink_parquet(
        work / "linked.parquet"
    )
    linked = pl.scan_parquet(work / "linked.parquet")
    cover = sets.coverage(nw.from_native(linked))
    nw.to_native(sets.assess_targets(nw.from_native(household), cover)).sink_parquet(
        work / "targets.parquet"
    )
    targets = pl.scan_parquet(work / "targets.parquet")
    found: pl.DataFrame = nw.to_native(sets.duplicates(nw.from_native(linked))).collect()

    progress("writing result files")
    schemes = present.current_schemes(linked)
    conflicts = conflict_tables.conflicts_table(linked, household)
    unreadable = _unreadable(rosters)
    outputs = {
        "needs_survey": present.needs_survey_table(targets, schemes),
        "uninsured": present.uninsured_table(targets, schemes),
        "duplicates": present.duplicates_table(found.lazy(), linked),
        "conflicts": conflicts,
        "confirmed": present.confirmed_table(targets, schemes),
        "non_local": conflict_tables.non_local_table(linked),
        "unreadable": unreadable,
    }
    written = {name: write_table(frame, out, name, fmt) for name, frame in outputs.items()}
    task = tables.task_table(targets)
    written["task_table"] = write_table(task, out, "task_table", fmt)
    basic = tables.basic_tables(targets, linked, found)
    written["basic_data_tables"] = out / "basic_data_tables.xlsx"
    write_xlsx(
        {
            "基础数据情况表(一)": basic.table1,
            "基础数据情况表(二)": basic.table2,
            "逻辑关系校验": pl.DataFrame(basic.relations),
        },
        written["basic_data_tables"],
    )

    result = _summary(
        rosters, household, linked, targets, found, conflicts, unreadable, as_of, area
    )
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


def _unreadable(rosters: dict[str, list[Roster]]) -> pl.LazyFrame:
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


def _summary(
    rosters: dict[str, list[Roster]],
    household: pl.LazyFrame,
    linked: pl.LazyFrame,
    targets: pl.LazyFrame,
    found: pl.DataFrame,
    conflicts: pl.LazyFrame,
    unreadable: pl.LazyFrame,
    as_of: date,
    area: Sequence[str],
) -> dict[str, Any]:
    hh = summary.count_household(household)
    enrol = summary.count_enrolment(linked)
    counts = summary.count_targets(targets)
    result: dict[str, Any] = {
        "household_rows": hh["household_rows"],
        "floating_rows": hh["floating_rows"],
        **{k: counts[k] for k in ("target",)},
        "excluded": hh["excluded"],
        **{k: v for k, v in counts.items() if k != "target"},
        "duplicates": summary.count_duplicates(found),
        "conflicts": summary.count_conflicts(conflicts),
        "non_local": enrol["non_local"],
        "invalid_ids": enrol["invalid_ids"],
        "household_invalid_ids": hh["household_invalid_ids"],
        "not_in_household": enrol["not_in_household"],
        "linked": enrol["linked"],
        "unreadable_rows": int(unreadable.select(pl.len()).collect().item()),
        "enrolment_rows": enrol["enrolment_rows"],
    }
    result["conservation"] = summary.conservation(result, enrol)
    result["inputs"] = _inputs(rosters, household, linked, unreadable)
    result["as_of"] = as_of.isoformat()
    result["area"] = list(area)
    result["canbao_version"] = __version__
    return result


def _inputs(
    rosters: dict[str, list[Roster]],
    household: pl.LazyFrame,
    linked: pl.LazyFrame,
    unreadable: pl.LazyFrame,
) -> list[dict[str, Any]]:
    rows = dict(
        pl.concat([household.select("_file"), linked.select("_file")])
        .group_by("_file")
        .len()
        .collect()
        .iter_rows()
    )
    bad = dict(unreadable.group_by("来源文件").len().collect().iter_rows())
    out = []
    for kind, items in rosters.items():
        for roster in items:
            info = roster.info
            name = Path(info.path).name
            out.append(
                {
                    "file": str(info.path),
                    "kind": kind,
                    "format": info.format,
                    "encoding": info.encoding,
                    "sha256": info.sha256,
                    "rows": int(rows.get(name, 0)),
                    "unreadable_rows": int(bad.get(name, 0)),
                }
            )
    return out
