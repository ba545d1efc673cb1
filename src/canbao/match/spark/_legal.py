"""The legal groups (法定群体未参保) of a Spark match: the Polars stage on the employees' rows.

:func:`canbao.match.legal_groups.judge` reads, of the targets and linked records, only persons
with a linked record of an employee scheme and status of the rule (everyone else is in no
legal group). Spark selects those persons' target rows and linked records, keyed by the
person (``id_key``), collects them to the driver and the Polars stage of a Polars match runs
on them unchanged, writing ``legal_group_gaps.parquet`` and ``legal_group_units.parquet`` and
giving the summary's ``legal_groups``, its equations and the counts per county of the task and
national tables. The target rows are collected in roster order (household before floating, a
kind's files by name, then the line), the order a Polars match holds them in, so ties in the
gap table's sort fall as there.

So the driver holds the employees' target rows and records (in a city, a few in ten persons):
this stage does not scale out on a cluster (docs/scale.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from canbao.match import legal_groups
from canbao.match.legal_groups import LegalGaps
from canbao.match.legal_rule import LegalRule
from canbao.match.sets import LINKED
from canbao.match.spark._checks import to_polars
from canbao.match.stages import LINKED_COLUMNS
from canbao.roster.kinds import HOUSEHOLD_KINDS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from canbao.match.spark._write import SparkSets


def _employees(found: SparkSets, rule: LegalRule) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The target rows and linked records of the persons with an employee record of ``rule``."""
    from pyspark.sql import functions as F

    linked = found.linked.filter(F.col("link") == LINKED)
    keys = (
        linked.filter(F.col("scheme").isin(*rule.schemes) & F.col("estatus").isin(*rule.statuses))
        .select("id_key")
        .distinct()
    )
    records = linked.join(keys, on="id_key", how="left_semi").select(*LINKED_COLUMNS)
    targets: DataFrame = found.targets.join(keys, on="id_key", how="left_semi")
    kinds = [k.value for k in HOUSEHOLD_KINDS]
    rows = to_polars(targets).sort(
        pl.col("_roster").cast(pl.String).replace_strict(kinds, list(range(len(kinds)))),
        "_file",
        "_line",
    )
    return rows.lazy(), to_polars(records).lazy()


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
    if rule is None:
        empty = pl.LazyFrame()
        return legal_groups.judge(
            rosters, empty, empty, None, as_of=as_of, fmt="parquet", out=out, progress=progress
        )
    targets, linked = _employees(found, rule)
    return legal_groups.judge(
        rosters, targets, linked, rule, as_of=as_of, fmt="parquet", out=out, progress=progress
    )
