"""The legal groups (法定群体未参保) of a Spark match: the Polars stage on the workers, by person.

:func:`canbao.match.legal_groups.judge` reads, of the targets and linked records, only persons
with a linked record of an employee scheme and status of the rule (everyone else is in no legal
group), and judges each person from that person's rows alone. So on Spark:

- the target rows and linked records of those persons are split into parts by a hash of the
  person (``id_key``), the same part for both;
- each part is one task (``cogroup().applyInArrow``) that runs the Polars code of a Polars match
  (:func:`~canbao.match.legal_groups.judge_part`, :func:`~canbao.match.legal_groups.with_persons`)
  and returns the part's gap rows with their person columns and one row of its counts (members,
  members covered by each kind);
- the driver sums the counts and builds the files, the summary's ``legal_groups`` and its
  equations from the gap rows (:func:`~canbao.match.legal_groups.combine`), as a Polars match
  does.

A target row's place (``_t``, the last sort key of the gap rows) is its place in roster order
(household before floating, a kind's files by name, then the line): the file's rank among the
targets' files above 2**32 lines, which orders rows as a Polars match holds them. The driver
holds the gap rows (persons lacking a cover), not the employees.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import polars as pl
import pyarrow as pa

from canbao.match import legal_groups
from canbao.match.legal_groups import ROW, LegalGaps, Part
from canbao.match.legal_rule import LegalRule
from canbao.match.sets import LINKED
from canbao.match.spark._checks import to_polars
from canbao.match.spark._prepare import arrow_type
from canbao.match.vocabulary import LegalKind
from canbao.roster.kinds import HOUSEHOLD_KINDS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from canbao.match.spark._write import SparkSets

# What members() and with_persons() read of the target rows and of the linked records.
_TARGET_COLUMNS: Final = (
    *("id_key", "id_sex", "sex_col", "id_birth", "birth_col", "county", "township"),
    *("village", "person_number", "name", "id_norm", "_roster"),
)
_RECORD_COLUMNS: Final = ("id_key", "link", "scheme", "estatus", "employer_code", "active", "itype")
# The counts row of a part: members, and members covered by each kind (null on gap rows).
_COUNTS: Final = ("_members", *(f"_has_{k.value}" for k in LegalKind))
# Target rows per part at most (held by one worker with their records).
PART_ROWS: Final = 1_000_000
_LINE_BITS: Final = 32


def _table(data: pa.Table) -> pl.LazyFrame:
    frame = pl.from_arrow(data)
    assert isinstance(frame, pl.DataFrame)
    return frame.drop("_part").lazy()


def _judged(
    rule: LegalRule, as_of: date, judged: list[LegalKind], targets: pa.Table, records: pa.Table
) -> pl.DataFrame:
    """One part's gap rows with their person columns, and its counts row."""
    indexed = _table(targets)
    part = legal_groups.judge_part(indexed, _table(records), rule, as_of, judged)
    long = legal_groups.with_persons(part.long, indexed)
    counts = [part.persons, *(part.covered.get(k, 0) for k in LegalKind)]
    row = pl.DataFrame([pl.Series(c, [n], pl.Int64) for c, n in zip(_COUNTS, counts, strict=True)])
    return pl.concat([long, row], how="diagonal_relaxed")


def judge_group(
    step: Callable[[pa.Table, pa.Table], pl.DataFrame],
    target: pa.Schema,
    targets: pa.Table,
    records: pa.Table,
) -> pa.Table:
    """On a worker: :func:`_judged` of one part, as Arrow of ``target``."""
    out = step(targets, records).to_arrow(compat_level=pl.CompatLevel.oldest())
    return out.cast(target)


def _placed(targets: DataFrame) -> DataFrame:
    """The target rows with ``_t``: the rank of their roster and file, then their line."""
    from pyspark.sql import functions as F

    kinds = [k.value for k in HOUSEHOLD_KINDS]
    files = to_polars(targets.select("_roster", "_file").distinct()).sort(
        pl.col("_roster").replace_strict(kinds, list(range(len(kinds)))), "_file"
    )
    ranks = files.with_row_index("_file_rank").with_columns(pl.col("_file_rank").cast(pl.Int64))
    small = targets.sparkSession.createDataFrame(ranks.to_arrow())
    place = F.shiftleft(F.col("_file_rank"), _LINE_BITS) + F.col("_line")
    joined = targets.join(F.broadcast(small), on=["_roster", "_file"], how="inner")
    return joined.select(place.alias(ROW), *_TARGET_COLUMNS)


def _on_workers(
    found: SparkSets, rule: LegalRule, as_of: date, judged: list[LegalKind]
) -> pl.DataFrame:
    """The gap rows and counts rows of every part (see the module doc)."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    linked = found.linked.filter(F.col("link") == LINKED)
    keys = (
        linked.filter(F.col("scheme").isin(*rule.schemes) & F.col("estatus").isin(*rule.statuses))
        .select("id_key")
        .distinct()
    )
    records = linked.join(keys, on="id_key", how="left_semi").select(*_RECORD_COLUMNS)
    targets = _placed(found.targets.join(keys, on="id_key", how="left_semi"))
    spark = targets.sparkSession
    parts = max(spark.sparkContext.defaultParallelism, -(-found.targets.count() // PART_ROWS))
    part = F.pmod(F.xxhash64("id_key"), F.lit(parts)).alias("_part")
    left, right = targets.select(part, "*"), records.select(part, "*")
    step = partial(_judged, rule, as_of, judged)
    empty = [to_arrow_schema(f.schema).empty_table() for f in (left, right)]
    shape = step(*empty).to_arrow(compat_level=pl.CompatLevel.oldest()).schema
    target = pa.schema([pa.field(f.name, arrow_type(f.type)) for f in shape])
    run: Any = partial(judge_group, step, target)
    grouped = left.groupBy("_part").cogroup(right.groupBy("_part"))
    return to_polars(grouped.applyInArrow(run, from_arrow_schema(target)))


def judge_on_spark(
    rosters: Mapping[str, Sequence[object]],
    found: SparkSets,
    rule: LegalRule | None,
    *,
    as_of: date,
    out: Path,
    progress: Callable[[str], None],
) -> LegalGaps:
    """:func:`canbao.match.legal_groups.judge` of a Spark match (see the module doc)."""
    empty = pl.LazyFrame()

    def on_workers(given: list[str]) -> LegalGaps:
        assert rule is not None  # judge() calls this only with a rule
        judged = legal_groups.judged_kinds(rule, given)
        rows = _on_workers(found, rule, as_of, judged)
        counted = rows.filter(pl.col("_members").is_not_null())
        long = rows.filter(pl.col("_members").is_null()).drop(_COUNTS)
        covered = {k: int(counted.get_column(f"_has_{k.value}").sum()) for k in judged}
        part = Part(int(counted.get_column("_members").sum()), covered, long)
        return legal_groups.combine([part], long, rule, judged)

    return legal_groups.judge(
        rosters,
        empty,
        empty,
        rule,
        as_of=as_of,
        fmt="parquet",
        out=out,
        progress=progress,
        judged_by=on_workers,
    )
