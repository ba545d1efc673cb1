"""The conflicts (信息错误) and non-local tables of a Spark match, as Parquet by county.

Both are rows of records picked row by row (:func:`canbao.match.conflicts.household_conflicts`,
:func:`~canbao.match.conflicts.record_conflicts`, :func:`~canbao.match.conflicts.non_local_table`):
Spark keeps the rows that can be one (a conflict flag, an invalid, not-in-household or
non-local class) and the columns those functions read, the Polars functions run unchanged on
the workers (``mapInArrow``, name verdicts included), and the rows are written as the person
tables are, one folder partitioned by 县区, sorted within a county as the Polars table is:

- ``conflicts/``: 县区 is the county of the row's valid ID, else of its 参保地 (null for a
  household row with an invalid ID: ``县区=__HIVE_DEFAULT_PARTITION__``); sorted by kind
  (deceased: receiving records first), file and line.
- ``non_local/``: 县区 is the county of the record's 参保地 (the ID's own is outside the area by
  definition); sorted by file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

import polars as pl

from canbao.match import conflicts
from canbao.match.sets import INVALID, NON_LOCAL, NOT_IN_HOUSEHOLD
from canbao.match.spark._prepare import on_workers
from canbao.match.vocabulary import ConflictKind

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

    from canbao.match.spark._write import SparkSets

COUNTY: Final = "县区"
_K: Final = ConflictKind
# What household_conflicts and record_conflicts read (a flag column is named as its kind).
_HOUSEHOLD: Final = (
    *("id_norm", "name", "_roster", "_file", "_line", "id_reason", "id_raw"),
    *("sex_col", "id_sex", "birth_col", "id_birth", _K.SEX_MISMATCH.value, _K.BIRTH_MISMATCH.value),
)
_RECORD: Final = (
    *_HOUSEHOLD,
    *("link", "link_score", "scheme", "region", "estatus", "hh_name", _K.NAME_MISMATCH.value),
    *(_K.DECEASED_ENROLLED.value, _K.REPEATED_RECORD.value),
)
_NON_LOCAL: Final = ("id_norm", "name", "_roster", "scheme", "region", "estatus", "_file", "_line")


def _flagged(*kinds: ConflictKind) -> Column:
    """A row with any of the conflict flags ``kinds`` set."""
    from pyspark.sql import functions as F

    flags = [F.coalesce(F.col(k.value), F.lit(False)) for k in kinds]
    first = flags[0]
    for flag in flags[1:]:
        first = first | flag
    return first


def _conflict_rows(found: SparkSets, household: DataFrame) -> DataFrame:
    """Every conflict row, with the order columns, from the Polars functions on the workers."""
    from pyspark.sql import functions as F

    k = ConflictKind
    hh = household.filter(
        F.col("id_reason").isNotNull() | _flagged(k.SEX_MISMATCH, k.BIRTH_MISMATCH)
    ).select(*_HOUSEHOLD)
    flags = (k.NAME_MISMATCH, k.SEX_MISMATCH, k.BIRTH_MISMATCH, k.DECEASED_ENROLLED)
    records = found.linked.filter(
        F.col("link").isin(INVALID, NOT_IN_HOUSEHOLD) | _flagged(*flags, k.REPEATED_RECORD)
    ).select(*_RECORD)
    from_household = on_workers(hh, conflicts.household_conflicts)
    from_records = on_workers(records, conflicts.record_conflicts)
    return from_household.unionByName(from_records, allowMissingColumns=True)


def _county(code: str) -> Column:
    from pyspark.sql import functions as F

    return F.substring(F.col(code), 1, 6)


def _write_by_county(frame: DataFrame, path: Path, order: list[str], keep: list[str]) -> None:
    """``keep`` and 县区, one folder per county, sorted within it by ``order``."""
    from pyspark.sql import functions as F

    ordered = frame.repartition(COUNTY).sortWithinPartitions(
        F.asc_nulls_last(COUNTY), *(F.asc_nulls_last(c) for c in order)
    )
    ordered.select(*keep, COUNTY).write.partitionBy(COUNTY).parquet(str(path))


def write_conflicts(found: SparkSets, household: DataFrame, out: Path) -> None:
    """``conflicts/``: the conflicts table (see the module doc)."""
    from pyspark.sql import functions as F

    rows = _conflict_rows(found, household)
    valid_id = F.col("无效原因代码").isNull()
    county = F.when(valid_id, _county("公民身份号码")).otherwise(_county("参保地"))
    order = list(conflicts.CONFLICT_ORDER)
    _write_by_county(rows.withColumn(COUNTY, county), out / "conflicts", order, conflicts.COLUMNS)


def _non_local_step(frame: pl.LazyFrame) -> pl.LazyFrame:
    """On a worker: the non-local table of a batch of non-local records."""
    return conflicts.non_local_table(frame.with_columns(pl.lit(NON_LOCAL).alias("link")))


def write_non_local(found: SparkSets, out: Path) -> None:
    """``non_local/``: the records of non-local persons (see the module doc)."""
    from pyspark.sql import functions as F

    records = found.linked.filter(F.col("link") == NON_LOCAL).select(*_NON_LOCAL)
    rows = on_workers(records, _non_local_step)
    columns = rows.columns
    order = ["来源文件", "行号"]
    folder = out / NON_LOCAL  # the table is named as the class it lists, as on Polars
    _write_by_county(rows.withColumn(COUNTY, _county("参保地")), folder, order, columns)
