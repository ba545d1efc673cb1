"""Work-injury, unemployment and maternity rosters of the synthetic city, with planted gaps.

The legal group (法定群体) of the default rule: target persons with a valid household ID who pay
into an employee scheme (11 or 21) and are below the statutory retirement age, computed here
from the 2024 decision's arithmetic (not from canbao's rule file, so the two check each other).
Each member gets a record of each kind, or is planted without one (a gap), or with a suspended or
terminated record only (a gap too: cover means an active record). Draws come from a random
stream of their own (a seed derived from the city's), so the other rosters stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import polars as pl

from canbao.codes import ENROLMENT_STATUS_LABELS
from canbao.rng import Rng
from canbao.synth.writers import RosterFile

KINDS: Final = ("injury", "unemployment", "maternity")
FLAGS: Final = {k: f"missing_{k}" for k in KINDS}
SCHEME: Final = {"injury": "30", "unemployment": "40", "maternity": "50"}
# Share of members planted without cover of each kind; a third of those keep a lapsed record.
GAP_SHARE: Final = {"injury": 0.10, "unemployment": 0.16, "maternity": 0.12}
EXPECTED: Final = "legal_group_gaps"
# The derived seed: the same city seed gives the same rosters, apart from every other stream.
_SEED_SALT: Final = 0x1E6A1


def legal_files() -> dict[str, RosterFile]:
    """The three rosters (UTF-8 CSV; the scheme as a code, a label, and no column at all)."""
    return {k: RosterFile(k, f"{k}.csv", k, "csv", "utf-8") for k in KINDS}


def retirement_months(sex_male: pl.Expr, birth: pl.Expr) -> pl.Expr:
    """Statutory retirement age in months (全国人大常委会 2024 决定, from 2025-01-01).

    Men 60, rising one month per four months of birth from January 1965 to 63; women 50 (the
    default rule's workers), one month per two months of birth from January 1975 to 55.
    """
    month = birth.dt.year().cast(pl.Int32) * 12 + birth.dt.month().cast(pl.Int32) - 1
    men = 720 + ((month - (1965 * 12)) // 4 + 1).clip(0, 36)
    women = 600 + ((month - (1975 * 12)) // 2 + 1).clip(0, 60)
    return pl.when(sex_male).then(men).otherwise(women)


def _age_months(birth: pl.Expr, as_of: date) -> pl.Expr:
    month = birth.dt.year().cast(pl.Int32) * 12 + birth.dt.month().cast(pl.Int32) - 1
    return (as_of.year * 12 + as_of.month - 1) - month - (birth.dt.day() > as_of.day).cast(pl.Int32)


@dataclass(frozen=True)
class LegalPlanting:
    """Plants the three rosters block by block (see :func:`canbao.synth.city.generate_city`)."""

    seed: int
    as_of: date

    @property
    def rng(self) -> Rng:
        """The stream of its own: nothing else in the city draws from it."""
        return Rng(self.seed * 1_000_003 + _SEED_SALT)

    def members(self, people: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
        """The legal group of a block: one row per member with the employer the matcher shows."""
        employee = (
            records.filter(
                pl.col("linked")
                & pl.col("scheme").is_in(["11", "21"])
                & (pl.col("enrol_status") == "paying")
            )
            .sort("scheme", "employer", nulls_last=True)
            .group_by("pid", maintain_order=True)
            .agg(pl.col("employer").drop_nulls().first(), pl.col("region").first())
        )
        target = (
            pl.col("group").is_in(["household", "floating"])
            & (pl.col("status") == "正常")
            & pl.col("damage_kind").is_null()
        )
        male = pl.col("id").str.slice(16, 1).cast(pl.Int32) % 2 == 1
        return (
            people.filter(target)
            .join(employee, on="pid", how="inner")
            .filter(
                _age_months(pl.col("birth"), self.as_of) < retirement_months(male, pl.col("birth"))
            )
            .select("pid", "id", "name", "employer", "region")
            .sort("pid")
        )

    def plant(
        self, people: pl.DataFrame, records: pl.DataFrame
    ) -> tuple[dict[str, pl.DataFrame], pl.DataFrame, dict[str, Any]]:
        """(rows of each roster, expected gaps, summary counts) for one block."""
        rng = self.rng
        group = self.members(people, records)
        rosters: dict[str, pl.DataFrame] = {}
        gaps: list[pl.DataFrame] = []
        counts: dict[str, Any] = {"legal_group": group.height}
        for kind in KINDS:
            u = rng.uniform(f"legal_{kind}")
            share = GAP_SHARE[kind]
            lapsed = (
                pl.when(rng.uniform(f"lapse_{kind}") < 0.5)
                .then(pl.lit("suspended"))
                .otherwise(pl.lit("terminated"))
            )
            state = (
                pl.when(u < share * 2 / 3)
                .then(pl.lit("none"))
                .when(u < share)
                .then(lapsed)
                # A few members are covered while drawing benefits (an injury pension): active.
                .when(u < share + (1 - share) * 0.05)
                .then(pl.lit("receiving"))
                .otherwise(pl.lit("paying"))
            )
            drawn = group.with_columns(state=state)
            missing = drawn.filter(pl.col("state").is_in(["none", "suspended", "terminated"]))
            gaps.append(
                missing.select(
                    pl.col("id").alias("公民身份号码"),
                    pl.lit(FLAGS[kind]).alias("类别代码"),
                    pl.col("employer").alias("单位编号"),
                )
            )
            counts[FLAGS[kind]] = missing.height
            rosters[kind] = drawn.filter(pl.col("state") != "none").select(_columns(kind))
        expected = pl.concat(gaps).sort("公民身份号码", "类别代码")
        counts["enrolment_rows"] = sum(r.height for r in rosters.values())
        return rosters, expected, counts


def _columns(kind: str) -> list[pl.Expr]:
    """The file's columns: each agency writes the scheme its own way (or not at all)."""
    status = pl.col("state").replace_strict(ENROLMENT_STATUS_LABELS, return_dtype=pl.String)
    scheme = {
        "injury": [pl.lit(SCHEME[kind]).alias("险种")],
        "unemployment": [pl.lit("失业保险").alias("险种类型")],
        "maternity": [],  # no scheme column: the roster kind says 50
    }[kind]
    return [
        pl.col("id").alias("公民身份号码"),
        pl.col("name").alias("姓名"),
        *scheme,
        pl.col("region").alias("参保地"),
        status.alias("参保状态"),
        pl.col("employer").alias("单位编号"),
    ]
