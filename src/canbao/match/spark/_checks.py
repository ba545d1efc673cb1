"""The checks of the prepare stage on Spark: the Polars checks, on the few rows they look at.

Each check of :mod:`canbao.match.prepare` and :mod:`canbao.match.damage` reads a small part of
the prepared frames: the rows with an unknown code, the IDs' reasons counted per file. Spark
computes that part; the check itself is the Polars function that a Polars match runs, so the
messages (file, line, value, count) are the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from canbao.match.area import default_area
from canbao.match.damage import check_id_damage
from canbao.match.prepare import check_codes

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def to_polars(frame: DataFrame) -> pl.DataFrame:
    """A small Spark result as a Polars frame (through Arrow)."""
    out = pl.from_arrow(frame.toArrow())
    assert isinstance(out, pl.DataFrame)
    return out


def check_damage(prepared: DataFrame, *, accept: bool) -> None:
    """:func:`canbao.match.damage.check_id_damage` on the counts per file and reason."""
    if accept:
        return
    counts = to_polars(prepared.groupBy("_file", "id_reason").count())
    rows = counts.select(
        pl.col("_file").repeat_by("count").explode(),
        pl.col("id_reason").repeat_by("count").explode(),
    )
    check_id_damage(rows.lazy(), accept=False)


def check_unknown_codes(household: DataFrame, enrolment: DataFrame) -> None:
    """:func:`canbao.match.prepare.check_codes` on the rows with an unknown code."""
    from pyspark.sql import functions as F

    bad_h = household.filter(F.col("hstatus").isNull()).select(
        "_file", "_line", "hstatus", "hstatus_raw"
    )
    bad_e = enrolment.filter(F.col("scheme").isNull() | F.col("estatus").isNull()).select(
        "_file", "_line", "scheme", "scheme_raw", "estatus", "estatus_raw"
    )
    check_codes(to_polars(bad_h).lazy(), to_polars(bad_e).lazy())


def area_of(household: DataFrame) -> list[str]:
    """:func:`canbao.match.area.default_area` on the distinct counties written."""
    counties = to_polars(household.select("county_given").distinct())
    return default_area(counties.lazy())
