"""``run_match_spark``: the match's read, prepare and set stages on Spark, the results as Parquet.

The same steps as :func:`canbao.match.run_match` up to the result sets, each on Spark:

read (:mod:`._read`) -> prepare on the workers (:mod:`._prepare`, the Polars code unchanged)
-> the code and ID checks on the few rows they name (collected, the Polars checks) -> the set
logic (:mod:`canbao.match.sets`, narwhals, the same code as on Polars) -> the results
(:mod:`._write`): person tables and linked records as Parquet partitioned by county, the
duplicates collected -> the keyed counts (:mod:`canbao.match.keyed_counts`, the same narwhals
code as on Polars), collected, from which the Polars writers write the task table, the national
tables and summary.json with its conservation checks (:mod:`._summary`). Nothing here depends on
the order of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from canbao.atomic import atomic_directory
from canbao.dates import read_optional_date, read_path
from canbao.errors import UsageError
from canbao.i18n import _
from canbao.match.api import MatchResult
from canbao.match.assumptions import assumed
from canbao.match.legal_rule import DEFAULT_LEGAL_GROUPS, load_legal_rule
from canbao.match.output_stages import tables_step
from canbao.match.spark._checks import area_of, check_damage, check_unknown_codes
from canbao.match.spark._legal import judge_on_spark
from canbao.match.spark._prepare import (
    prepare_enrolment_on_workers,
    prepare_household_on_workers,
)
from canbao.match.spark._read import Source, missing_local, read_source
from canbao.match.spark._repairs import suggest_on_spark
from canbao.match.spark._session import masked_spark_errors, spark_session
from canbao.match.spark._summary import Inputs, spark_counts, write_small_results
from canbao.match.spark._write import result_sets, write_results
from canbao.roster import ColumnMap, Roster, load_column_map
from canbao.roster.fields import KIND_FIELDS
from canbao.roster.kinds import ENROLMENT_KINDS, HOUSEHOLD_KINDS, RosterKind
from canbao.workdir import work_folder

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def _sources(rosters: Mapping[str, Sequence[str | Path]]) -> dict[str, list[Source]]:
    """The sources of every person kind, checked whole (UsageError naming every problem)."""
    kinds = {k.value for k in (*HOUSEHOLD_KINDS, *ENROLMENT_KINDS)}
    problems = [
        _("roster kind {kind!r} is not read on Spark").format(kind=k)
        for k in rosters
        if k not in kinds
    ]
    found = {k: [Source(str(p), k) for p in rosters.get(k, ())] for k in sorted(kinds)}
    if not found[RosterKind.HOUSEHOLD.value]:
        problems.append(_("no household roster given"))
    missing = missing_local([s for group in found.values() for s in group])
    problems += [_("no such file: {path}").format(path=path) for path in missing]
    if problems:
        raise UsageError(
            _("; ").join(problems),
            fix=_(
                "give household, floating and enrolment rosters as local files, URIs "
                "(hdfs://…) or tables (table:db.name); employers are matched on Polars"
            ),
        )
    return found


def _union(frames: list[DataFrame]) -> DataFrame:
    first = frames[0]
    for frame in frames[1:]:
        first = first.unionByName(frame, allowMissingColumns=True)
    return first


def _read_group(
    spark: SparkSession,
    sources: dict[str, list[Source]],
    kinds: Sequence[RosterKind],
    columns: ColumnMap | None,
    work: Path,
    read: dict[str, list[Roster]],
) -> DataFrame | None:
    """The sources of ``kinds`` (RosterKind order, files as given) as one frame with
    ``_roster`` and ``_source`` (the place of the source in that order); the local rosters
    read are added to ``read``."""
    from pyspark.sql import functions as F

    frames: list[DataFrame] = []
    for kind in kinds:
        for source in sources[kind.value]:
            index = len(frames)
            frame = read_source(spark, source, columns=columns, work=work, index=index, read=read)
            tag = {"_roster": F.lit(kind.value), "_source": F.lit(index)}
            frames.append(frame.withColumns(tag))
    return _union(frames) if frames else None


def _prepared(
    spark: SparkSession,
    sources: dict[str, list[Source]],
    options: _Options,
    work: Path,
    read: dict[str, list[Roster]],
) -> tuple[DataFrame, DataFrame, list[str]]:
    """Read and prepare the person rosters on Spark; the checks of a Polars match on them."""
    household_raw = _read_group(spark, sources, HOUSEHOLD_KINDS, options.columns, work, read)
    assert household_raw is not None  # _sources requires a household roster
    household = prepare_household_on_workers(household_raw.drop("_source"), as_of=options.as_of)
    household = household.persist()
    check_damage(household, accept=options.accept_damaged_ids)
    area = options.area or area_of(household)
    enrolment_raw = _read_group(spark, sources, ENROLMENT_KINDS, options.columns, work, read)
    assumed(read)  # refuses an enrolment roster without status, as on Polars
    if enrolment_raw is None:
        enrolment_raw = _empty_enrolment(spark)
    enrolment = prepare_enrolment_on_workers(
        enrolment_raw, as_of=options.as_of, area=area, explicit=bool(options.area)
    ).persist()
    check_damage(enrolment, accept=options.accept_damaged_ids)
    check_unknown_codes(household, enrolment)
    return household, enrolment, area


def _empty_enrolment(spark: SparkSession) -> DataFrame:
    """No enrolment roster given: no records, with the columns a roster would have."""
    text = [*KIND_FIELDS[ENROLMENT_KINDS[0].value], "_file"]
    columns = [f"`{f}` string" for f in text] + ["_line long", "_roster string", "_source long"]
    return spark.createDataFrame([], ", ".join(columns))


@dataclass(frozen=True)
class _Options:
    as_of: date
    area: list[str] | None
    columns: ColumnMap | None
    accept_damaged_ids: bool


def run_match_spark(
    rosters: Mapping[str, Sequence[str | Path]],
    *,
    output: str | Path,
    as_of: str | date | None = None,
    area: Sequence[str] | None = None,
    columns: str | Path | None = None,
    accept_damaged_ids: bool = False,
    legal_groups: str | Path | None = DEFAULT_LEGAL_GROUPS,
    spark: SparkSession | None = None,
    master: str | None = None,
    driver_memory: str = "1g",
    progress: Progress = _quiet,
) -> MatchResult:
    """Match the person rosters on Spark and write the results under ``output``.

    ``rosters``: kind -> sources (local files, ``hdfs://…`` URIs, ``table:db.name``).
    ``spark``: a session to use (left running); else one is started (``master``, default
    ``local[2]``; under ``spark-submit`` its own) and stopped at the end. ``output`` is a local
    (or shared) folder, published whole as on Polars. ``legal_groups``: the legal-group rule, as
    for :func:`canbao.match.run_match`. See docs/scale.md.
    """
    day = read_optional_date(as_of, "as_of") or date.today()
    rule = load_legal_rule(legal_groups)  # the whole rule file, before any roster
    target = read_path(output, "output")
    colmap = load_column_map(read_path(columns, "columns")) if columns else None
    sources = _sources(rosters)
    options = _Options(day, list(area) if area else None, colmap, accept_damaged_ids)
    local = [Path(s.text) for group in sources.values() for s in group if not s.is_remote]
    with (
        work_folder("match") as work,
        atomic_directory(target, command="match", inputs=local) as staging,
        spark_session(work, session=spark, master=master, driver_memory=driver_memory) as run,
        masked_spark_errors(),
    ):
        progress(_("reading and preparing the rosters on Spark"))
        read: dict[str, list[Roster]] = {k.value: [] for k in (*HOUSEHOLD_KINDS, *ENROLMENT_KINDS)}
        household, enrolment, found_area = _prepared(run, sources, options, work, read)
        progress(_("linking records to persons and assessing the targets on Spark"))
        found = result_sets(household, enrolment)
        progress(_("writing result files"))
        write_results(found, household, staging)
        progress(_("suggesting links for invalid and unmatched records"))
        proposals = suggest_on_spark(found.linked, household, as_of=day)
        legal = judge_on_spark(sources, found, rule, as_of=day, out=staging, progress=progress)
        progress(tables_step())
        counts = spark_counts(found, household)
        inputs = Inputs(read, sources, day, found_area, bool(options.area))
        summary = write_small_results(counts, inputs, (proposals, legal), staging, progress)
        for kept in (household, enrolment, found.linked, found.targets, found.duplicates):
            kept.unpersist()
    files: dict[str, Path] = {}
    for path in sorted(p for p in target.iterdir() if not p.name.startswith(".")):
        name = path.stem if path.stem not in files else path.stem + path.suffix.replace(".", "_")
        files[name] = path  # task_table (Parquet) and task_table_xlsx, as on Polars
    return MatchResult(summary, target, files)
