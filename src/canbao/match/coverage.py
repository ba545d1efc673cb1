"""Coverage rates on the hukou basis (户籍口径), per county and in total
(docs/match.md, "Coverage rates").

The pension coverage rate of the eligible is the share of household target persons aged 16 or
more with an active pension record (淮人社发〔2016〕53号 aims at 90 %); the medical coverage rate
is the share of all household target persons with an active medical record. Floating persons
are not counted (docs/match.md, "Household and floating persons"). A person whose household
ID is invalid cannot be linked to a record, so they count in the denominator and not in the
numerator until the survey settles their cover.

Rates are exact: the summary carries numerator and denominator as integers and the percentage
rounded half-up once, to two decimals, from the exact ratio (``rate_text``).
"""

from __future__ import annotations

from fractions import Fraction

import polars as pl

from canbao.match.keyed_counts import counted
from canbao.match.summary_model import CountyCoverage, Coverage, Rate
from canbao.regions import county_name_expr

# (key, Chinese heading stem, who is eligible, who is covered)
RATES = (
    ("pension", "养老保险", pl.col("requires_pension"), pl.col("p_active") == 1),
    ("medical", "医疗保险", pl.col("is_target"), pl.col("m_active") == 1),
)


def is_household() -> pl.Expr:
    """The target persons of the household roster, not of the floating one (户籍口径)."""
    return pl.col("_roster") != "floating"


def rate_text(numerator: int, denominator: int) -> str | None:
    """``numerator / denominator`` as a percentage rounded half-up to two decimals ("93.21%").

    None when nobody is eligible. The exact ratio is rounded once, in integers.
    """
    if denominator == 0:
        return None
    ratio = Fraction(numerator, denominator) * 10000
    hundredths = int(ratio + Fraction(1, 2))  # floor(x + 1/2): half-up, as x >= 0
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def rate_expr(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """Vectorised :func:`rate_text` for integer columns (null where the denominator is 0)."""
    hundredths = (numerator * 20000 + denominator) // (denominator * 2)
    text = pl.format("{}.{}%", hundredths // 100, (hundredths % 100).cast(pl.String).str.zfill(2))
    return pl.when(denominator > 0).then(text)


def counts_per_county(targets: pl.DataFrame) -> pl.DataFrame:
    """Per county of the household targets: eligible (应参) and covered (已参) per insurance.

    ``targets``: the target persons' keyed counts (:attr:`KeyedCounts.targets`).
    """
    aggs = []
    for key, _, eligible, covered in RATES:
        aggs += [
            counted(eligible.fill_null(True)).alias(f"{key}_denominator"),
            counted(eligible.fill_null(True) & covered).alias(f"{key}_numerator"),
        ]
    return (
        targets.filter(is_household()).group_by("county").agg(*aggs).sort("county", nulls_last=True)
    )


def _ratio(numerator: int, denominator: int) -> Rate:
    return Rate(numerator, denominator, rate_text(numerator, denominator))


def coverage_summary(targets: pl.DataFrame) -> Coverage:
    """The summary's ``coverage``: each rate in total and per county, as exact ratios, from the
    target persons' keyed counts (:attr:`KeyedCounts.targets`)."""
    counts = counts_per_county(targets)
    named = counts.with_columns(county_name_expr(pl.col("county")).alias("name"))
    total = {
        key: _ratio(int(counts[f"{key}_numerator"].sum()), int(counts[f"{key}_denominator"].sum()))
        for key, *_ in RATES
    }
    per_county = {
        (row["county"] or "未知"): CountyCoverage(
            row["name"],
            *(_ratio(row[f"{key}_numerator"], row[f"{key}_denominator"]) for key, *_ in RATES),
        )
        for row in named.iter_rows(named=True)
    }
    return Coverage("户籍", total["pension"], total["medical"], per_county)


def task_columns() -> list[pl.Expr]:
    """The task table's coverage columns over a frame with ``counts_per_county``'s columns."""
    columns = []
    for key, stem, *_ in RATES:
        numerator, denominator = pl.col(f"{key}_numerator"), pl.col(f"{key}_denominator")
        columns += [
            denominator.alias(f"{stem}应参人数"),
            numerator.alias(f"{stem}已参人数"),
            rate_expr(numerator, denominator).alias(f"{stem}参保率"),
        ]
    return columns
