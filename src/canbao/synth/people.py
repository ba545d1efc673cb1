"""Persons of the synthetic city: stories, ages, citizen IDs, names and addresses.

One frame holds every person: the household roster's persons, the floating persons and the
``extra`` persons who appear only in enrolment rosters. Every column is a polars expression over
the whole frame; per-person randomness comes from :class:`~canbao.rng.Rng` keyed by pid.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import polars as pl

from canbao import regions
from canbao.i18n import _
from canbao.rng import Rng, take
from canbao.synth import pools
from canbao.synth.area import HUAIBEI, Area
from canbao.synth.idgen import check_char, damage
from canbao.synth.stories import DEAD, STORIES

GROUPS = ("household", "floating", "extra")


def plan_counts(
    persons: int,
    household: Mapping[str, float],
    floating: Mapping[str, float],
    groups: Mapping[str, float],
) -> dict[str, int]:
    """Exact number of persons per story: round(fraction × size), ``full`` takes the rest."""
    counts: dict[str, int] = {}

    def fill(prefix: str, size: int, shares: Mapping[str, float]) -> None:
        named = {k: round(v * size) for k, v in shares.items()}
        rest = size - sum(named.values())
        if rest < 0:
            problem = _("the {group} story fractions add up to more than 1")
            raise ValueError(problem.format(group=prefix or "household"))
        counts[f"{prefix}full"] = rest
        counts.update(named)

    fill("", persons, household)
    fill("floating_", round(groups["floating"] * persons), floating)
    counts["not_in_household"] = round(groups["not_in_household"] * persons)
    counts["non_local"] = round(groups["non_local"] * persons)
    return counts


def _variant_table() -> pl.DataFrame:
    rows = [
        {
            "story": name,
            "variant": i,
            "group": story.group,
            "age_lo": v.ages[0],
            "age_hi": v.ages[1],
            "hh_status": v.status,
            "birth_rule": v.birth,
            "damage_kind": v.damage,
            "blank": v.blank,
        }
        for name, story in STORIES.items()
        for i, v in enumerate(story.variants)
    ]
    return pl.DataFrame(rows, schema_overrides={"variant": pl.Int64})


def _assign_stories(rng: Rng, counts: Mapping[str, int], first_pid: int = 0) -> pl.DataFrame:
    """Give each person exactly one story: shuffled blocks of the exact counts, per group."""
    frames: list[pl.DataFrame] = []
    start = first_pid
    for group in GROUPS:
        names = [n for n, s in STORIES.items() if s.group == group and counts.get(n, 0) > 0]
        sizes = [counts[n] for n in names]
        size = sum(sizes)
        if size == 0:
            continue
        bounds = pl.Series([sum(sizes[: i + 1]) for i in range(len(sizes))], dtype=pl.Int64)
        lows = [b - s for b, s in zip(bounds.to_list(), sizes, strict=True)]
        nvar = [len(STORIES[n].variants) for n in names]
        frame = pl.DataFrame(
            {"pid": pl.int_range(start, start + size, eager=True, dtype=pl.UInt64)}
        )
        frame = frame.with_columns(
            rank=rng.bits(f"perm:{group}").rank("ordinal").cast(pl.Int64) - 1
        )
        frame = frame.with_columns(
            idx=bounds.search_sorted(frame["rank"], side="right").cast(pl.Int64)
        )
        frame = frame.with_columns(
            story=take(names, pl.col("idx")),
            # Round robin inside a story, so even three persons cover three variants.
            variant=(pl.col("rank") - take([str(x) for x in lows], pl.col("idx")).cast(pl.Int64))
            % take([str(x) for x in nvar], pl.col("idx")).cast(pl.Int64),
        ).drop("rank", "idx")
        frames.append(frame)
        start += size
    return pl.concat(frames)


def _years_before(as_of: date, years: pl.Expr) -> pl.Expr:
    """The as-of date ``years`` years earlier (29 February falls back to the 28th)."""
    if (as_of.month, as_of.day) != (2, 29):
        return pl.date(as_of.year - years, as_of.month, as_of.day)
    return pl.lit(as_of).dt.offset_by(pl.format("-{}y", years))  # rare: string durations are slow


def _birth(rng: Rng, as_of: date) -> pl.Expr:
    upper = _years_before(as_of, pl.col("age"))
    lower = _years_before(as_of, pl.col("age") + 1)
    span = (upper - lower).dt.total_days()
    random_birth = lower + pl.duration(days=1 + rng.below("birth", span))
    sixteen = _years_before(as_of, pl.lit(16))
    return (
        pl.when(pl.col("birth_rule") == "sixteen_today")
        .then(sixteen)
        .when(pl.col("birth_rule") == "sixteen_tomorrow")
        .then(sixteen + pl.duration(days=1))
        .otherwise(random_birth)
    )


def _county(rng: Rng, area: Area) -> pl.Expr:
    u = rng.uniform("county")
    weights = list(zip(area.counties, area.weights, strict=True))
    expr: pl.Expr = pl.lit(weights[-1][0])
    edges = [sum(w for _, w in weights[: i + 1]) for i in range(len(weights))]
    for (code, _weight), edge in reversed(list(zip(weights[:-1], edges[:-1], strict=True))):
        expr = pl.when(u < edge).then(pl.lit(code)).otherwise(expr)
    return expr


def _id_region(rng: Rng, area: Area) -> pl.Expr:
    elsewhere = rng.pick("idreg_else", area.id_elsewhere)
    anywhere = rng.pick("idreg_any", area.counties + area.id_elsewhere)
    retired = pl.col("county") if area.retired is None else pl.lit(area.retired)
    native = rng.uniform("idreg_native")
    group, story = pl.col("group"), pl.col("story")
    return (
        pl.when(story == "turns16")  # many share one birthday: spread them over regions
        .then(anywhere)
        .when(group == "floating")
        .then(elsewhere)
        .when(story == "non_local")
        .then(elsewhere)
        .when((group == "household") & (native < 0.85))
        .then(pl.col("county"))
        # A person of the area missing from the police roster holds a local ID (docs/match.md,
        # "The area"), a few of them issued under 340611, a code of the city retired in 1984.
        .when((story == "not_in_household") & (native < 0.8))
        .then(pl.col("county"))
        .when(story == "not_in_household")
        .then(retired)
        .otherwise(elsewhere)
    )


def _sequence(rng: Rng) -> pl.Expr:
    """Sequence numbers unique within (region, birth date, sex); odd for men."""
    # One integer key: grouping on it is much cheaper than on a string, a date and a string.
    days = pl.col("birth").cast(pl.Int32).cast(pl.Int64) + 100_000
    male = (pl.col("sex") == "男").cast(pl.Int64)
    key = (pl.col("id_region").cast(pl.Int64) * 1_000_000 + days) * 2 + male
    rank = pl.int_range(pl.len(), dtype=pl.Int64).over(key)
    offset = pl.min_horizontal(rng.below("seq", 400).min().over(key), 500 - pl.len().over(key))
    return 2 * (offset.clip(lower_bound=0) + rank) + male


def _name(rng: Rng) -> pl.Expr:
    surname = take(
        pools.SURNAMES, (rng.uniform("sur") ** 2 * len(pools.SURNAMES)).floor().cast(pl.Int64)
    )
    given = pools.GIVEN_CHARS
    g1 = take(list(given), (rng.uniform("g1") ** 1.5 * len(given)).floor().cast(pl.Int64))
    g2 = take(list(given), (rng.uniform("g2") ** 1.5 * len(given)).floor().cast(pl.Int64))
    homophone_key = rng.pick("g_homo", list(pools.HOMOPHONES))
    last = pl.when(pl.col("story") == "name_mismatch").then(homophone_key).otherwise(g2)
    two = rng.uniform("glen") < 0.7
    han = pl.concat_str([surname, pl.when(two).then(g1).otherwise(pl.lit("")), last])
    minority = pl.concat_str(
        [rng.pick("m1", pools.MINORITY_FIRST), pl.lit("·"), rng.pick("m2", pools.MINORITY_SECOND)]
    )
    # name_mismatch persons need a Han name whose last character has a homophone.
    is_minority = (rng.uniform("minority") < 0.004) & (pl.col("story") != "name_mismatch")
    return pl.when(is_minority).then(minority).otherwise(han)


def _geography(area: Area) -> pl.DataFrame:
    return pl.DataFrame(
        area.geography(), schema=["county", "geo", "township", "village", "urban"], orient="row"
    ).with_columns(pl.col("geo").cast(pl.Int64))


def place_key() -> pl.Expr:
    """County and village as one sortable integer (villages are numbered in township order)."""
    return pl.col("county").cast(pl.Int64) * 1000 + pl.col("geo")


def build_core(
    rng: Rng, counts: Mapping[str, int], as_of: date, area: Area = HUAIBEI, first_pid: int = 0
) -> pl.DataFrame:
    """Every person's story, age, sex, place and citizen ID: what must be drawn city-wide.

    Sequence numbers must be unique over the whole city, so this runs on all persons at once
    with narrow columns; :func:`add_details` then fills in the rest block by block. ``area``:
    the counties and codes drawn (:mod:`canbao.synth.area`); ``first_pid``: the first person's
    number (a province's chunks number their persons one after the other).
    """
    persons = _assign_stories(rng, counts, first_pid).join(
        _variant_table(), on=["story", "variant"], how="left"
    )
    geo_counts = _geography(area).group_by("county").len().sort("county")
    n_geo = pl.col("county").replace_strict(
        geo_counts["county"].to_list(),
        geo_counts["len"].cast(pl.Int64).to_list(),
        return_dtype=pl.Int64,
    )
    persons = persons.with_columns(
        age=pl.col("age_lo") + rng.below("age", pl.col("age_hi") - pl.col("age_lo") + 1),
        sex=pl.when(rng.uniform("sex") < 0.5).then(pl.lit("男")).otherwise(pl.lit("女")),
        county=_county(rng, area),
    ).drop("age_lo", "age_hi")
    persons = persons.with_columns(birth=_birth(rng, as_of), geo=rng.below("geo", n_geo))
    persons = persons.with_columns(id_region=_id_region(rng, area)).drop("birth_rule")
    persons = persons.with_columns(seq=_sequence(rng))
    if persons.height and int(persons["seq"].max()) > 999:  # type: ignore[arg-type]
        raise ValueError("more than 500 persons of one sex share a birth place and date")
    first17 = pl.concat_str(
        [
            pl.col("id_region"),
            pl.col("birth").dt.strftime("%Y%m%d"),
            pl.col("seq").cast(pl.String).str.zfill(3),
        ]
    )
    persons = persons.with_columns(first17=first17).drop("seq")
    return persons.with_columns(
        id=pl.concat_str([pl.col("first17"), check_char(pl.col("first17"))])
    ).drop("first17")


def add_details(rng: Rng, core: pl.DataFrame, area: Area = HUAIBEI) -> pl.DataFrame:
    """Add names, addresses, household fields and the ID as written to a block of persons."""
    persons = core.join(_geography(area), on=["county", "geo"], how="left")
    persons = persons.with_columns(_household_fields(rng))
    hurt = persons.filter(pl.col("damage_kind").is_not_null())
    hurt = damage(
        hurt, kind="damage_kind", u1=rng.uniform("hd1"), u2=rng.uniform("hd2"), out="id_written"
    )
    whole = persons.filter(pl.col("damage_kind").is_null()).with_columns(id_written=pl.col("id"))
    return pl.concat([whole, hurt]).sort("pid")


def _household_fields(rng: Rng) -> list[pl.Expr]:
    age, urban = pl.col("age"), pl.col("urban")
    county_name = regions.county_name_expr(pl.col("county"))
    city = regions.province_city_expr(pl.col("county"))
    house = pl.format("{}号", 1 + rng.below("house", 120))
    street = pl.when(urban).then(
        pl.format("{}栋{}室", 1 + rng.below("bld", 30), 101 + rng.below("room", 600))
    )
    address = pl.concat_str(
        [
            city,
            county_name,
            pl.col("township"),
            pl.col("village"),
            house,
            street.otherwise(pl.lit("")),
        ]
    )
    status = (
        pl.when(pl.col("hh_status") == DEAD)
        .then(pl.when(rng.uniform("dead") < 0.7).then(pl.lit("死亡")).otherwise(pl.lit("注销")))
        .otherwise(pl.col("hh_status"))
    )
    rural_hukou = (
        pl.when(urban).then(rng.uniform("hukou") < 0.2).otherwise(rng.uniform("hukou") < 0.85)
    )
    identity = (
        pl.when(age < 6)
        .then(pl.lit("其他"))
        .when(age < 16)
        .then(pl.lit("学生"))
        .when((age >= 60) & (rng.uniform("ident") < 0.7))
        .then(pl.lit("退(离)休人员"))
        .otherwise(rng.pick("ident2", pools.IDENTITIES_ADULT))
    )
    place = regions.province_city_expr(pl.col("id_region"))
    return [
        pl.when(pl.col("blank") == "address").then(None).otherwise(address).alias("address"),
        pl.when(pl.col("blank") == "village")
        .then(None)
        .otherwise(pl.col("village"))
        .alias("village"),
        status.alias("status"),
        pl.when(rural_hukou)
        .then(pl.lit("农业户口"))
        .otherwise(pl.lit("非农业户口"))
        .alias("hukou_type"),
        identity.alias("identity"),
        pl.when(pl.col("group") == "floating")
        .then(place)
        .otherwise(pl.concat_str([city, county_name]))
        .alias("hukou_place"),
        pl.concat_str([pl.col("county"), pl.col("pid").cast(pl.String).str.zfill(10)]).alias(
            "person_number"
        ),
        _name(rng).alias("name"),
    ]
