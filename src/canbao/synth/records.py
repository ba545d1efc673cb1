"""Enrolment records of the synthetic city, with each planted finding tagged on its record.

Records come from joining the persons with the stories' record recipes (one row per recipe
entry), so no Python runs per person. Each record knows the roster file it goes to, the value
written in every column, and the truth about it: linked / non-local / conflict kind.
"""

from __future__ import annotations

import polars as pl

from canbao.rng import Rng, take
from canbao.synth import pools
from canbao.synth.area import HUAIBEI, Area
from canbao.synth.idgen import damage
from canbao.synth.stories import STORIES

EMPLOYEE_PENSION = ("11", "13")
EMPLOYEE_MEDICAL = ("21", "24", "25", "26")


def _recipes() -> pl.DataFrame:
    rows = [
        {
            "story": name,
            "variant": i,
            "rec_no": j,
            "type": r.type,
            "r_scheme": r.scheme,
            "r_region": r.region,
            "r_status": r.status,
            "plant": r.plant,
        }
        for name, story in STORIES.items()
        for i, v in enumerate(story.variants)
        for j, r in enumerate(v.records)
    ]
    return pl.DataFrame(rows, schema_overrides={"variant": pl.Int64, "rec_no": pl.Int64})


def _own_schemes(rng: Rng) -> list[pl.Expr]:
    """A person's usual pension and medical schemes: employees versus residents."""
    age = pl.col("age")
    employee = (age >= 18) & (
        rng.uniform("sector") < pl.when(pl.col("urban")).then(0.55).otherwise(0.25)
    )
    pension = (
        pl.when(employee)
        .then(pl.when(rng.uniform("p_sch") < 0.88).then(pl.lit("11")).otherwise(pl.lit("13")))
        .otherwise(pl.when(rng.uniform("p_sch") < 0.95).then(pl.lit("12")).otherwise(pl.lit("14")))
    )
    u = rng.uniform("m_sch")
    medical = (
        pl.when(employee)
        .then(pl.when((pension == "13") & (u < 0.3)).then(pl.lit("24")).otherwise(pl.lit("21")))
        .when(u < 0.7)
        .then(pl.lit("22"))
        .when(u < 0.98)
        .then(pl.lit("23"))
        .otherwise(pl.lit("25"))
    )
    return [pension.alias("own_pension"), medical.alias("own_medical")]


def build_records(
    rng: Rng, persons: pl.DataFrame, *, messy: bool, area: Area = HUAIBEI
) -> pl.DataFrame:
    """Return one row per enrolment record (repeated rows included), before file ordering."""
    cols = [
        "pid",
        "story",
        "variant",
        "group",
        "age",
        "sex",
        "birth",
        "county",
        "urban",
        "id",
        "name",
    ]
    cols += ["status"]
    people = persons.select(cols).with_columns(_own_schemes(rng))
    recs = people.join(_recipes(), on=["story", "variant"], how="inner")
    recs = recs.filter((pl.col("type") == "M") | (pl.col("age") >= 16))
    rkey = pl.col("pid") * 8 + pl.col("rec_no").cast(pl.UInt64)
    recs = recs.with_columns(rkey=rkey)
    is_p = pl.col("type") == "P"
    scheme = (
        pl.when(pl.col("r_scheme") != "own")
        .then(pl.col("r_scheme"))
        .when(is_p)
        .then(pl.col("own_pension"))
        .otherwise(pl.col("own_medical"))
    )
    recs = recs.with_columns(scheme=scheme)
    n_in = len(area.counties)
    county_idx = pl.col("county").replace_strict(
        list(area.counties), list(range(n_in)), return_dtype=pl.Int64
    )
    outside_idx = rng.below("outside", len(area.outside))
    n_out = len(area.outside)
    region = (
        pl.when(pl.col("r_region") == "other")
        .then(take(area.counties, (county_idx + 1 + rng.below("other", n_in - 1)) % n_in))
        .when(pl.col("r_region") == "outside")
        .then(take(area.outside, outside_idx))
        .when(pl.col("r_region") == "outside2")
        .then(take(area.outside, (outside_idx + 1 + rng.below("out2", n_out - 1)) % n_out))
        .otherwise(pl.col("county"))
    )
    old = pl.col("age") >= 60
    status = (
        pl.when(pl.col("r_status") != "own")
        .then(pl.col("r_status"))
        .when(is_p & old)
        .then(pl.lit("receiving"))
        .when(~is_p & old & (pl.col("scheme") == "21"))
        .then(pl.lit("receiving"))
        .otherwise(pl.lit("paying"))
    )
    recs = recs.with_columns(region=region, enrol_status=status)
    recs = recs.with_columns(
        file=pl.when(is_p)
        .then(
            pl.when(pl.col("scheme").is_in(EMPLOYEE_PENSION))
            .then(pl.lit("pension_employee"))
            .otherwise(pl.lit("pension_resident"))
        )
        .otherwise(
            pl.when(pl.col("scheme").is_in(EMPLOYEE_MEDICAL))
            .then(pl.lit("medical_employee"))
            .otherwise(pl.lit("medical_resident"))
        ),
        employer=pl.when(pl.col("scheme").is_in(EMPLOYEE_PENSION + EMPLOYEE_MEDICAL)).then(
            pl.concat_str(
                [pl.col("region"), rng.below("emp", 4000, "pid").cast(pl.String).str.zfill(5)]
            )
        ),
    )
    return _write_values(rng, recs, messy=messy)


def _write_values(rng: Rng, recs: pl.DataFrame, *, messy: bool) -> pl.DataFrame:
    """Add the written values; only the few rows that differ from the truth pay for it."""
    k = "rkey"
    clean = pl.col("plant").is_null() & pl.col("group").is_in(["household", "floating"])
    recs = recs.with_columns(
        _id_style=rng.below("id_style", 200, k), _name_style=rng.below("name_style", 100, k)
    )
    mess = (pl.col("_id_style") < 4) | (pl.col("_name_style") == 0)
    mess = mess | ((pl.col("_name_style") < 40) & pl.col("name").str.contains("·", literal=True))
    special = pl.col("plant").is_not_null() | (clean & mess & pl.lit(messy))
    plain = recs.filter(~special).with_columns(
        id_written=pl.col("id"),
        name_written=pl.col("name"),
        sex_written=pl.col("sex"),
        birth_written=pl.col("birth"),
    )
    odd = recs.filter(special).with_columns(_written(rng, messy=messy))
    invalid = pl.col("plant").str.starts_with("invalid:").fill_null(False)
    bad = damage(
        odd.filter(invalid).with_columns(kind=pl.col("plant").str.strip_prefix("invalid:")),
        kind="kind",
        u1=rng.uniform("d1", k),
        u2=rng.uniform("d2", k),
        out="id_written",
    )
    recs = pl.concat([plain, odd.filter(~invalid), bad.select(plain.columns)])
    recs = recs.drop("_id_style", "_name_style")
    repeated = recs.filter(pl.col("plant") == "repeat").with_columns(copy=pl.lit(1, pl.Int64))
    return pl.concat([recs.with_columns(copy=pl.lit(0, pl.Int64)), repeated])


def _written(rng: Rng, *, messy: bool) -> list[pl.Expr]:
    """The values as the roster writes them: planted errors, and harmless mess when ``messy``."""
    k = "rkey"
    plant = pl.col("plant")
    clean = plant.is_null() & pl.col("group").is_in(["household", "floating"])
    style = pl.col("_id_style")
    id_text = pl.col("id")
    messy_id = (
        pl.when(style == 0)
        .then(pl.concat_str([pl.lit(" "), id_text, pl.lit(" ")]))
        .when((style == 1) & id_text.str.ends_with("X"))
        .then(id_text.str.replace("X", "x", literal=True))
        .when(style == 2)
        .then(id_text.str.replace_many(list("0123456789X"), list("０１２３４５６７８９Ｘ")))
        .when((style == 3) & (pl.col("birth").dt.year() < 2000))
        # A 15-digit legacy number: no century, no check character.
        .then(pl.concat_str([id_text.str.slice(0, 6), id_text.str.slice(8, 9)]))
        .otherwise(id_text)
    )
    id_written = pl.when(clean & pl.lit(messy)).then(messy_id)
    name = pl.col("name")
    last = name.str.slice(-1)
    # Another person entirely: a fresh surname and given name (made different if equal).
    other = pl.concat_str(
        [
            rng.pick("o_sur", pools.SURNAMES, k),
            rng.pick("o_g1", list(pools.GIVEN_CHARS), k),
            rng.pick("o_g2", list(pools.OTHER_CHARS), k),
        ]
    )
    replacement = rng.pick("o1", list(pools.OTHER_CHARS), k)
    one_char = pl.when(last == replacement).then(pl.lit("栋")).otherwise(replacement)
    name_written = (
        pl.when(plant == "name_homophone")
        .then(
            pl.concat_str(
                [name.str.slice(0, name.str.len_chars() - 1), last.replace(pools.HOMOPHONES)]
            )
        )
        .when(plant == "name_onechar")
        .then(pl.concat_str([name.str.slice(0, name.str.len_chars() - 1), one_char]))
        .when(plant == "name_other")
        .then(pl.when(other == name).then(pl.concat_str([other, pl.lit("华")])).otherwise(other))
    )
    if messy:
        name_style = pl.col("_name_style")
        name_written = (
            name_written.when(clean & (name_style == 0))
            .then(pl.concat_str([name, pl.lit(" ")]))
            .when(clean & (name_style < 40) & (pl.col("file") == "medical_employee"))
            # Another middle dot (U+2022) than the household's U+00B7: the same name.
            .then(name.str.replace("·", "•", literal=True))
        )
    flipped = pl.when(pl.col("sex") == "男").then(pl.lit("女")).otherwise(pl.lit("男"))
    shifted = pl.col("birth") + pl.duration(days=1 + rng.below("b_shift", 364, k))
    return [
        id_written.otherwise(id_text).alias("id_written"),
        name_written.otherwise(name).alias("name_written"),
        pl.when(plant == "sex").then(flipped).otherwise(pl.col("sex")).alias("sex_written"),
        pl.when(plant == "birth").then(shifted).otherwise(pl.col("birth")).alias("birth_written"),
    ]
