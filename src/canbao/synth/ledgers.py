"""Village ledgers (台账) of the synthetic city, and which persons they must confirm.

Drawn from a random stream of its own (a seed derived from the city's), so that adding the
ledgers changed no byte of any other file of a city. Among the persons needing a survey whose
household ID is valid (forms/ledgers.py never confirms an invalid one):

- ``LEDGER_EXACT`` are in a ledger with the same ID and name: confirmed by ledger;
- ``LEDGER_MESSY_ID`` are there with the ID written with a space inside or a lowercase ``x``:
  still confirmed, after the normalisation of docs/ids.md;
- ``LEDGER_OTHER_NAME`` are there with their ID under another name: *not* confirmed.

Besides, ``LEDGER_SETTLED`` of the persons who need no survey are in a ledger too (a ledger lists
everyone; they change nothing). Two files: ``ledger_village.csv`` (a 台账 column naming each
row's ledger) and ``ledger_census.csv`` (人口普查 rows, no source column: ``--ledger-source
人口普查``). ``expected/ledger_confirmed.csv`` and ``expected/ledger_name_differs.csv`` hold the
truth (公民身份号码 as normalised, 台账).
"""

from __future__ import annotations

import zlib
from typing import Final

import polars as pl

from canbao.rng import Rng
from canbao.synth.writers import RosterFile

LEDGER_EXACT: Final = 0.10
LEDGER_MESSY_ID: Final = 0.05
LEDGER_OTHER_NAME: Final = 0.04
LEDGER_SETTLED: Final = 0.02
CENSUS: Final = "人口普查"
# The census has a file of its own; the other ledgers of 淮人社秘〔2017〕166号 三(三) share one.
VILLAGE_SOURCES: Final = ("居民医保", "城居保", "新生儿登记", "低保", "暂住证")
SOURCES: Final = (*VILLAGE_SOURCES, CENSUS)
_STREAM_SALT: Final = zlib.crc32(b"canbao.synth.ledgers")

LEDGER_OUTPUTS: Final = {
    "ledger_village": RosterFile(
        "ledger_village", "ledger_village.csv", "ledger", "csv", "utf-8-sig"
    ),
    "ledger_census": RosterFile("ledger_census", "ledger_census.csv", "ledger", "csv", "utf-8"),
    "ledger_confirmed": RosterFile(
        "ledger_confirmed", "expected/ledger_confirmed.csv", "expected", "csv", "utf-8"
    ),
    "ledger_name_differs": RosterFile(
        "ledger_name_differs", "expected/ledger_name_differs.csv", "expected", "csv", "utf-8"
    ),
}


def ledger_rng(seed: int) -> Rng:
    """The ledgers' own generator: a seed derived from the city's, never the city's streams."""
    return Rng((seed * 0x9E3779B1 + _STREAM_SALT) & ((1 << 63) - 1))


def _other_name() -> pl.Expr:
    # Another surname in front of the same given name: another person to every name rule.
    first = pl.col("name").str.slice(0, 1)
    return pl.concat_str(
        [
            pl.when(first == "李").then(pl.lit("张")).otherwise(pl.lit("李")),
            pl.col("name").str.slice(1),
        ]
    )


def _messy_id() -> pl.Expr:
    # A lowercase x where the ID ends in X, else a space after the region code.
    text = pl.col("id")
    return (
        pl.when(text.str.ends_with("X"))
        .then(text.str.to_lowercase())
        .otherwise(pl.concat_str([text.str.slice(0, 6), pl.lit(" "), text.str.slice(6)]))
    )


def plant_ledgers(seed: int, people: pl.DataFrame, needs: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The ledger rows and their truth for one block of a city (keys of ``LEDGER_OUTPUTS``).

    ``people`` is the block's persons (``pid``, ``id``, ``id_written``, ``name``, places, group,
    status), ``needs`` the block's expected needs_survey (公民身份号码 as written, 原因代码).
    """
    rng = ledger_rng(seed)
    rostered = people.filter(pl.col("group").is_in(["household", "floating"]))
    keyed = rostered.with_columns(pl.col("id_written").str.strip_chars().alias("公民身份号码"))
    valid = ~pl.col("原因代码").str.split(";").list.contains("invalid_id")
    needing = keyed.join(needs.filter(valid), on="公民身份号码", how="inner")
    settled = keyed.filter(pl.col("status") == "正常").join(needs, on="公民身份号码", how="anti")
    u = rng.uniform("ledger_pick")
    cut1, cut2 = LEDGER_EXACT, LEDGER_EXACT + LEDGER_MESSY_ID
    cut3 = cut2 + LEDGER_OTHER_NAME
    planted = needing.with_columns(
        pl.when(u < cut1)
        .then(pl.lit("exact"))
        .when(u < cut2)
        .then(pl.lit("messy_id"))
        .when(u < cut3)
        .then(pl.lit("other_name"))
        .alias("plant")
    ).filter(pl.col("plant").is_not_null())
    listed = settled.filter(rng.uniform("ledger_settled") < LEDGER_SETTLED).with_columns(
        pl.lit("settled").alias("plant")
    )
    rows = pl.concat([planted.drop("原因代码"), listed]).with_columns(
        rng.pick("ledger_source", SOURCES).alias("台账"),
        pl.when(pl.col("plant") == "messy_id").then(_messy_id()).otherwise("id").alias("id_out"),
        pl.when(pl.col("plant") == "other_name")
        .then(_other_name())
        .otherwise("name")
        .alias("name_out"),
        rng.bits("ledger_order").alias("_order"),
    )
    rows = rows.sort("county", "township", "village", "_order", nulls_last=True)
    village = rows.filter(pl.col("台账") != CENSUS).select(
        "台账",
        pl.col("county").alias("县区"),
        pl.col("township").alias("乡镇(街道)"),
        pl.col("village").alias("村(社区)"),
        pl.col("name_out").alias("姓名"),
        pl.col("id_out").alias("身份证号码"),
    )
    census = rows.filter(pl.col("台账") == CENSUS).select(
        pl.col("id_out").alias("公民身份号码"),
        pl.col("name_out").alias("姓名"),
        pl.col("township").alias("乡镇"),
        pl.col("village").alias("村"),
    )

    def truth(kinds: list[str]) -> pl.DataFrame:
        return (
            rows.filter(pl.col("plant").is_in(kinds))
            .select(pl.col("id").alias("公民身份号码"), "台账")
            .sort("公民身份号码")
        )

    return {
        "ledger_village": village,
        "ledger_census": census,
        "ledger_confirmed": truth(["exact", "messy_id"]),
        "ledger_name_differs": truth(["other_name"]),
    }
