"""Suggested links of a Spark match: the Polars repair scoring on the workers, by household part.

The repair step (:mod:`canbao.match.repairs`, rapidfuzz and Polars) scores the invalid and
not-in-household records, a small share of a city, against the valid household persons. Its
blocks (docs/repairs.md) are not all within a county: the ID block pairs a record with a
person whose ID is two edits away wherever that person lives. What the step allows is a split
of the *household* (any split finds the same pairs, when every record meets every part), which
is how one machine holds a province's household in parts. On Spark:

- the records and the household persons are prepared on the workers by the Polars functions
  (:func:`~canbao.match.repairs.prepare_records`, keyed by ``e_row``, the order of a Polars
  match; :func:`~canbao.match.repairs.prepare_household`);
- the name blocks small enough (at most ``MAX_NAME_BLOCK`` namesakes in a county) are counted
  by Spark over the whole household and marked on the records;
- the household is split into parts by a hash of the ID (a person listed twice stays in one
  part), every record is sent to every part (the records are few), and each part is scored on a
  worker (``cogroup().applyInArrow``) by :func:`~canbao.match.repairs.part_tops`, the code of a
  Polars match, which keeps each record's ranked top of that part;
- only those tops (a few rows per record) are collected; the driver ranks them again
  (:func:`~canbao.match.repairs.link_table`), which gives the proposals of one pass over every
  pair, the same file in the same order as on Polars.

So the driver holds the proposals only; a worker holds one household part (at most
``PART_ROWS`` persons) and the records.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, Final

import polars as pl
import pyarrow as pa

from canbao.match._repair_candidates import MAX_NAME_BLOCK, parse_household_ids
from canbao.match._repairs_in_match import Suggestions, repair_columns
from canbao.match.repairs import (
    MAX_CANDIDATES,
    RECORD_CHUNK,
    link_table,
    part_tops,
    prepare_household,
    prepare_records,
)
from canbao.match.sets import INVALID, NOT_IN_HOUSEHOLD
from canbao.match.spark._checks import to_polars
from canbao.match.spark._prepare import on_workers
from canbao.roster.kinds import RosterKind

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

# What repair_columns reads of the records.
_RECORD_COLUMNS: Final = ("e_row", "link", "id_raw", "id_norm", "name", "region", "birth_col")
# The household rows' order within a part (household before floating, files, line): a person
# listed twice is scored once, from the row a Polars match meets first.
_ORDER: Final = ("_later", "_file", "_line")
# Household persons per part at most (the part and the records are held by one worker).
PART_ROWS: Final = 1_000_000
# What a part gives back: each record's ranked top of that part (link_table's input).
TOPS: Final = pa.schema(
    [
        ("_rec", pa.int64()),
        ("_hid", pa.string()),
        ("_score", pa.int64()),
        ("_evidence", pa.string()),
        ("_id_raw", pa.string()),
        ("_file", pa.string()),
        ("_line", pa.int64()),
    ]
)


def _table(data: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(data)
    assert isinstance(frame, pl.DataFrame)
    return frame


def score_part(step: int, records: pa.Table, persons: pa.Table) -> pa.Table:
    """On a worker: the tops of every record against one household part (see the module doc)."""
    rec = _table(records)
    small = rec.filter(pl.col("_small")).select("_name", "_county").unique().lazy()
    rec = rec.drop("_part", "_small").sort("_rec")
    ordered = _table(persons).sort(*_ORDER).drop("_part", *_ORDER).with_row_index("_hrow")
    side = parse_household_ids(ordered.lazy()).collect()
    found = part_tops(rec, side, small, MAX_CANDIDATES, step) if side.height else []
    names = TOPS.names
    tops = [frame.select(names) for frame in found]
    empty = _table(TOPS.empty_table())
    out = pl.concat([empty, *tops], how="vertical_relaxed") if tops else empty
    return out.to_arrow(compat_level=pl.CompatLevel.oldest()).cast(TOPS)


def _records(linked: DataFrame, as_of: date) -> DataFrame:
    """The records to score, prepared on the workers, with ``_small`` (no rows yet)."""
    from pyspark.sql import functions as F

    wanted = linked.filter(F.col("link").isin(INVALID, NOT_IN_HOUSEHOLD))
    selected = wanted.select(*_RECORD_COLUMNS, "_file", "_line")
    return on_workers(selected, lambda lf: prepare_records(repair_columns(lf), as_of, key="e_row"))


def _persons(household: DataFrame) -> DataFrame:
    """The valid household persons, prepared on the workers, with their rows' order."""
    from pyspark.sql import functions as F

    later = (F.col("_roster") != RosterKind.HOUSEHOLD.value).cast("int").alias("_later")
    valid = household.filter(F.col("id_reason").isNull()).select(
        "id_norm", "name", "county", F.col("id_birth").alias("birth"), later, "_file", "_line"
    )
    # _hrow, the row's place, is the part's own (score_part): Spark keeps no row order.
    return on_workers(valid, lambda lf: prepare_household(lf, keep=_ORDER).drop("_hrow"))


def _mark_small(records: DataFrame, persons: DataFrame) -> DataFrame:
    """``_small``: the record's (name, county) block holds at most MAX_NAME_BLOCK persons of
    the whole household (counted for the name block's records only, as on Polars)."""
    from pyspark.sql import functions as F

    keys = ["_name", "_county"]
    by_name = records.filter(F.col("_id18").isNull()).select(*keys).dropna().distinct()
    counted = persons.select(*keys).join(by_name, on=keys, how="left_semi").groupBy(*keys)
    small = counted.count().filter(F.col("count") <= MAX_NAME_BLOCK).select(*keys)
    flagged = records.join(small.withColumn("_small", F.lit(True)), on=keys, how="left")
    return flagged.fillna(False, subset=["_small"])


def suggest_on_spark(linked: DataFrame, household: DataFrame, *, as_of: date) -> Suggestions:
    """The suggested links of a Spark match (see the module doc)."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    spark = linked.sparkSession
    records = _records(linked, as_of).persist()
    persons = _persons(household).persist()
    try:
        total = persons.count()
        parts = max(spark.sparkContext.defaultParallelism, -(-total // PART_ROWS), 1)
        marked = _mark_small(records, persons)
        numbers = spark.range(parts).withColumnRenamed("id", "_part")
        sent = marked.crossJoin(numbers)
        split = persons.withColumn("_part", F.pmod(F.xxhash64("_hid"), F.lit(parts)))
        run: Any = partial(score_part, RECORD_CHUNK * parts)
        grouped = sent.groupBy("_part").cogroup(split.groupBy("_part"))
        tops = to_polars(grouped.applyInArrow(run, from_arrow_schema(TOPS)))
    finally:
        records.unpersist()
        persons.unpersist()
    # Suggestions.records serve --apply-links, which a Spark match refuses: none are kept.
    return Suggestions(pl.DataFrame(), link_table(tops, MAX_CANDIDATES))
