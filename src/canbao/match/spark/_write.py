"""The results of a Spark match: big tables as Parquet by county, small ones by the Polars writers.

- ``needs_survey/``, ``uninsured/``, ``confirmed/``: the person tables of
  :func:`canbao.match.present.person_tables` (the Polars code, on the workers), one folder
  each, partitioned by 县区 (``县区=340602/part-….parquet``), sorted within a county as the
  Polars tables are (县区, 乡镇(街道), 村(社区), 公民身份号码).
- ``linked_records/``: every enrolment record with its link class and conflicts
  (``stages.LINKED_COLUMNS``), partitioned by the county of its valid ID (``县区``; null for an
  invalid one).
- ``duplicates.parquet``: :func:`canbao.match.present.duplicates_table` on the duplicates found
  and their persons' records, collected (a few per thousand persons).
- ``conflicts/``, ``non_local/``: the conflicts and non-local tables, by county
  (:mod:`._record_tables`).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import polars as pl

from canbao.match import present, sets
from canbao.match.spark._checks import to_polars
from canbao.match.spark._prepare import on_workers
from canbao.match.spark._record_tables import write_conflicts, write_non_local
from canbao.match.stages import LINKED_COLUMNS
from canbao.match.vocabulary import LinkClass, PersonState
from canbao.match.writers import write_table

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

# The tables of present.person_tables, named as the person states they list.
PERSON_TABLES: Final = tuple(
    s.value for s in (PersonState.NEEDS_SURVEY, PersonState.UNINSURED, PersonState.CONFIRMED)
)
COUNTY: Final = "县区"
_TABLE: Final = "表"
_CODES: Final = list(present.SCHEME_BITS)  # sorted scheme codes, the order schemes_now spells


@dataclass(frozen=True)
class SparkSets:
    """The result sets as Spark DataFrames (the set functions' outputs, native Spark)."""

    persons: DataFrame
    linked: DataFrame
    coverage: DataFrame
    targets: DataFrame
    duplicates: DataFrame


def result_sets(household: DataFrame, enrolment: DataFrame) -> SparkSets:
    """The five set functions of :mod:`canbao.match.sets` chained as the Polars match does."""
    persons = sets.household_persons(household)
    # Kept (memory, then the private local folder) for the files and counts that read them.
    linked = sets.link_records(enrolment, persons).persist()
    cover = sets.coverage(linked)
    targets = sets.assess_targets(household, cover).persist()
    return SparkSets(persons, linked, cover, targets, sets.duplicates(linked).persist())


def _scheme_flags(linked: DataFrame) -> DataFrame:
    """Per person key with an active linked record: one 0/1 column per scheme code."""
    from pyspark.sql import functions as F

    active = linked.filter((F.col("link") == LinkClass.LINKED.value) & F.col("active"))
    flags = [F.max((F.col("scheme") == code).cast("int")).alias(f"_s{code}") for code in _CODES]
    return active.groupBy("id_key").agg(*flags, F.lit(True).alias("_has"))


def _person_rows(frame: pl.LazyFrame) -> pl.LazyFrame:
    """On a worker: the three person tables of a batch of targets with their scheme flags."""
    spelled = pl.concat_str(
        [pl.when(pl.col(f"_s{c}") == 1).then(pl.lit(c)) for c in _CODES],
        separator=";",
        ignore_nulls=True,
    )
    schemes = (
        frame.filter(pl.col("_has").fill_null(False))
        .select("id_key", spelled.alias("schemes_now"))
        .unique("id_key")
        .collect()
    )
    targets = frame.drop("_has", *(f"_s{c}" for c in _CODES))
    tables = present.person_tables(targets, schemes)
    return pl.concat(
        [t.with_columns(pl.lit(name).alias(_TABLE)) for name, t in tables.items()],
        how="diagonal_relaxed",
    )


def _write_partitioned(frame: DataFrame, path: Path, by: list[str], order: list[str]) -> None:
    """One sorted Parquet file per value of ``by`` (nulls last, as the Polars tables).

    Sorted by ``by`` first: a partitioned write sorts its rows by ``by`` unless they already
    are, and that sort did not keep ``order`` (Spark 4.3: the files were unsorted)."""
    from pyspark.sql import functions as F

    keys = (F.asc_nulls_last(c) for c in (*by, *order))
    ordered = frame.repartition(*by).sortWithinPartitions(*keys)
    ordered.write.partitionBy(*by).parquet(str(path))


def write_person_tables(found: SparkSets, out: Path) -> None:
    """needs_survey, uninsured and confirmed, each a folder of Parquet partitioned by 县区."""
    joined = found.targets.join(_scheme_flags(found.linked), on="id_key", how="left")
    rows = on_workers(joined, _person_rows)
    folder = out / "_person_tables"
    _write_partitioned(rows, folder, [_TABLE, COUNTY], present.SORT_KEYS[1:])
    for name in PERSON_TABLES:
        part = folder / f"{_TABLE}={name}"
        if part.exists():
            part.rename(out / name)
        else:  # an empty table: a folder without files
            (out / name).mkdir()
    shutil.rmtree(folder)


def write_linked(found: SparkSets, out: Path) -> None:
    """The linked records, partitioned by the county of their valid ID."""
    from pyspark.sql import functions as F

    county = F.when(F.col("id_reason").isNull(), F.substring("id_norm", 1, 6))
    records = found.linked.select(*LINKED_COLUMNS, county.alias(COUNTY))
    _write_partitioned(records, out / "linked_records", [COUNTY], ["e_row"])


def write_duplicates(found: SparkSets, out: Path) -> Path:
    """duplicates.parquet: the Polars duplicates table on the collected duplicates."""
    from pyspark.sql import functions as F

    dups = to_polars(found.duplicates)
    keys = F.broadcast(found.duplicates.select("id_key").distinct())
    records = found.linked.join(keys, on="id_key", how="left_semi")
    table = present.duplicates_table(dups.lazy(), to_polars(records).lazy())
    return write_table(table, out, "duplicates", "parquet")


def write_results(found: SparkSets, household: DataFrame, out: Path) -> None:
    """Every result file of a Spark match under ``out`` (see the module doc), the conflicts
    and non-local tables too (:mod:`._record_tables`)."""
    write_person_tables(found, out)
    write_linked(found, out)
    write_duplicates(found, out)
    write_conflicts(found, household, out)
    write_non_local(found, out)
