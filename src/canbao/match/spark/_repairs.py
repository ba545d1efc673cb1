"""Suggested links of a Spark match: the Polars repair step on the driver, on what it reads.

The repair step (:func:`canbao.match._repairs_in_match.suggest`, rapidfuzz and Polars) scores
the invalid and not-in-household records, a small share of a city, against the valid household
persons. On Spark:

- the records it scores are selected on Spark and collected to the driver (a few per cent of
  the enrolment, eight text columns), in ``e_row`` order (the sources as given, then the line:
  the order of a Polars match);
- the valid household persons (ID, name, county, birth date) are written by Spark as Parquet
  into a hidden folder of the output being staged (a folder the driver and the executors share,
  as the person tables need), in roster order (household before floating, a kind's files by
  name, then the line), and scanned by Polars on the driver;
- the step itself is the Polars function of a Polars match, unchanged, so the proposals are the
  same; the hidden folder is removed before the output is published.

So the driver holds what the Polars repair step holds on one machine (the household persons'
four columns, about 80 MB per million persons): the repair's memory does not scale out on a
cluster (docs/scale.md).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final

import polars as pl

from canbao.match._repairs_in_match import Suggestions, suggest
from canbao.match.sets import INVALID, NOT_IN_HOUSEHOLD
from canbao.match.spark._checks import to_polars
from canbao.roster.kinds import RosterKind

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

# What repair_records and suggest read of the records and of the household rows.
_RECORD_COLUMNS: Final = ("e_row", "link", "id_raw", "id_norm", "name", "region", "birth_col")
_PERSON_COLUMNS: Final = ("id_norm", "name", "county", "id_birth", "id_reason")
_FOLDER: Final = ".suggest-persons"


def suggest_on_spark(
    linked: DataFrame, household: DataFrame, *, as_of: date, out: Path
) -> Suggestions:
    """The suggested links of a Spark match (see the module doc); ``out``: the staged output."""
    from pyspark.sql import functions as F

    wanted = linked.filter(F.col("link").isin(INVALID, NOT_IN_HOUSEHOLD))
    records = to_polars(wanted.select(*_RECORD_COLUMNS, "_file", "_line")).sort("e_row")
    later = (F.col("_roster") != RosterKind.HOUSEHOLD.value).cast("int")
    persons = household.filter(F.col("id_reason").isNull()).orderBy(later, "_file", "_line")
    folder = out / _FOLDER
    try:
        persons.select(*_PERSON_COLUMNS).write.parquet(str(folder))
        scanned = pl.scan_parquet(folder / "*.parquet")
        return suggest(records.lazy(), scanned, as_of=as_of)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
