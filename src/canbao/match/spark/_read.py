"""Rosters as Spark DataFrames: the canonical fields of their kind, ``_file`` and ``_line``.

A source is a local file, a URI that Spark reads (``hdfs://…``, ``s3a://…``, ``file://…``:
CSV with a header row, or Parquet when the name ends in ``.parquet`` or ``.parq``) or a table of
the session's catalog (``table:db.name``, a Hive table on a cluster).

- A **local file** is read by canbao's own reader (:func:`canbao.roster.read_roster`: every
  encoding, workbooks, total rows and unreadable lines as on Polars), staged as Parquet in the
  private work folder and scanned by Spark: the same rows, files and lines as a Polars match.
- A **URI or a table** is read by Spark itself, its headers mapped by the same rules
  (:func:`canbao.roster.mapping.map_headers`, ``--columns``); the values stay text. ``_line`` is
  the record's place in its source (CSV: + 2 for the header, as a text file's physical line when
  no cell spans lines; Parquet and tables: + 1), numbered in the source's own order from the
  partition offsets, in the JVM, without a row passing through Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Final

from canbao.match.spark._prepare import on_workers
from canbao.roster import ColumnMap, Roster, read_roster
from canbao.roster.fields import KIND_FIELDS
from canbao.roster.mapping import map_headers
from canbao.roster.reader import mapped_values

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

TABLE_PREFIX: Final = "table:"
_URI: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
PARQUET: Final = (".parquet", ".parq")


@dataclass(frozen=True)
class Source:
    """One roster source and how Spark reaches it."""

    text: str  # as given
    kind: str

    @property
    def is_table(self) -> bool:
        """A table of the session's catalog (``table:db.name``)."""
        return self.text.startswith(TABLE_PREFIX)

    @property
    def is_remote(self) -> bool:
        """Read by Spark itself: a URI or a table."""
        return self.is_table or bool(_URI.match(self.text))

    @property
    def name(self) -> str:
        """``_file`` of its rows: the file name, or the table's name."""
        if self.is_table:
            return self.text[len(TABLE_PREFIX) :]
        return PurePosixPath(self.text.rstrip("/")).name


def _columns_of(kind: str) -> list[str]:
    return [*KIND_FIELDS[kind], "_file", "_line"]


def read_source(
    spark: SparkSession,
    source: Source,
    *,
    columns: ColumnMap | None,
    work: Path,
    index: int,
    read: dict[str, list[Roster]] | None = None,
) -> DataFrame:
    """The roster ``source`` as a Spark DataFrame (fields as text, ``_file``, ``_line``).

    ``read``: where a local file's :class:`~canbao.roster.Roster` (its hash, encoding, mapping,
    unreadable rows: what the summary reports of an input) is added under its kind.
    """
    if source.is_remote:
        return _read_remote(spark, source, columns)
    roster = read_roster(Path(source.text), source.kind, columns=columns, workdir=work)
    if read is not None:
        read.setdefault(source.kind, []).append(roster)
    staged = work / f"roster-{index}.parquet"
    roster.frame.select(_columns_of(source.kind)).sink_parquet(staged, compression="uncompressed")
    return spark.read.parquet(str(staged))


def _read_remote(spark: SparkSession, source: Source, columns: ColumnMap | None) -> DataFrame:
    """A URI or a table read by Spark, its headers mapped to fields, numbered by line."""
    from pyspark.sql import functions as F

    if source.is_table:
        raw, first_line = spark.read.table(source.name), 1
    elif source.text.lower().endswith(PARQUET):
        raw, first_line = spark.read.parquet(source.text), 1
    else:
        raw = spark.read.options(header=True, inferSchema=False, multiLine=False).csv(source.text)
        first_line = 2
    headers = raw.columns
    mapping = map_headers(Path(source.name), headers, source.kind, columns)
    fields = [
        (
            F.col(_quoted(headers[mapping.columns[f]])).cast("string")
            if f in mapping.columns
            else F.lit(None).cast("string")
        ).alias(f)
        for f in KIND_FIELDS[source.kind]
    ]
    numbered = _with_lines(raw.select(*fields), first_line)
    if columns is not None and columns.values:  # the words of --columns' values:, on the workers
        numbered = on_workers(numbered, partial(mapped_values, columns=columns))
    return numbered.withColumn("_file", F.lit(source.name)).select(_columns_of(source.kind))


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _with_lines(frame: DataFrame, first_line: int) -> DataFrame:
    """``frame`` with ``_line``: its place in the source's order, from ``first_line`` on.

    ``monotonically_increasing_id`` numbers the rows of each partition from partition << 33; the
    rows before each partition are counted once (a small aggregate) and added.
    """
    from pyspark.sql import functions as F

    tagged = frame.withColumns(
        {"_part": F.spark_partition_id(), "_mono": F.monotonically_increasing_id()}
    )
    counts: dict[int, int] = dict(tagged.groupBy("_part").count().collect())
    offsets, before = [], first_line
    for part in range(max(counts, default=-1) + 1):
        offsets.append(before)
        before += int(counts.get(part, 0))
    if not offsets:
        return tagged.withColumn("_line", F.lit(None).cast("long")).drop("_part", "_mono")
    start = F.element_at(F.array(*(F.lit(o).cast("long") for o in offsets)), F.col("_part") + 1)
    inside = F.col("_mono") - F.shiftleft(F.col("_part").cast("long"), 33)
    return tagged.withColumn("_line", start + inside).drop("_part", "_mono")


def missing_local(sources: list[Source]) -> list[str]:
    """The local sources among ``sources`` that do not exist, for one message."""
    return [s.text for s in sources if not s.is_remote and not Path(s.text).exists()]
