"""Employers of the synthetic city: a market registry and an insured-units roster, truth planted.

Drawn from a random stream of its own (a seed derived from the city's seed and ``"units"``), so
adding units changed none of the persons, records or expected sets of an existing city. Every
registry unit has one story (``UNIT_STORIES``):

- ``insured``: the insured roster has its code (its name may be written with 有限责任公司 for
  有限公司, or half-width brackets for full-width ones: the code decides);
- ``messy_uscc``: insured under the same code written in lower case with a space (still valid);
- ``name_variant``: the registry has no code; the insured roster writes the name differing only
  in 有限公司/有限责任公司 and full/half-width brackets (insured by name);
- ``fuzzy_name``: the registry has no code and one wrong character in the name (insured by a
  near-identical name);
- ``broken_uscc``: insured by a name variant, but the insured roster's code is missing, has a
  wrong check character, the wrong length or a letter outside the code's alphabet: that insured
  unit needs a survey (``invalid_uscc``);
- ``not_insured``: registered, in no insured roster: needs a survey (``not_insured``).

Insured units outside the registry (``insured_only``, e.g. offices) are added too. Names are
built so that two units of one county never look alike to the fuzzy matcher: a unit's brand
(two characters) and trade are unique in its county, brands share no character, and no trade is
within a few characters of another; the typo character comes from a pool of its own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import polars as pl

from canbao import regions
from canbao.rng import Rng, _mix_int, take
from canbao.synth import pools
from canbao.synth.writers import RosterFile
from canbao.uscc import ALPHABET, uscc_check_char_expr

REGISTRY_FILE: Final = "units_registry.csv"
INSURED_FILE: Final = "units_insured.csv"
EXPECTED_FILE: Final = "expected/units_needing_survey.csv"
STORIES_FILE: Final = "expected/unit_stories.csv"
SUMMARY_FILE: Final = "expected/units_summary_expected.json"
PERSONS_PER_UNIT: Final = 25
MIN_UNITS: Final = 24
# (story, share of the registry units); insured_only is a share of extra insured rows.
UNIT_STORIES: Final[tuple[tuple[str, float], ...]] = (
    ("insured", 0.55),
    ("messy_uscc", 0.05),
    ("name_variant", 0.08),
    ("fuzzy_name", 0.05),
    ("broken_uscc", 0.12),
    ("not_insured", 0.15),
)
INSURED_ONLY_SHARE: Final = 0.05
# The match's reason codes (canbao.match.units), spelt out: the truth does not ask the matcher.
NOT_INSURED: Final = "not_insured"
INVALID_USCC: Final = "invalid_uscc"
BROKEN_KINDS: Final = ("missing", "check_digit", "length", "characters")
# Brands: pairs of characters, no character used twice, none in a trade, suffix or county name.
_BRAND_CHARS: Final = (
    "恒泰顺达宏图金穗盛华晨鑫源兴永隆福瑞祥嘉德丰茂富强旺汇众诚佳美康乐伟远景星辰海峰博雅锦绣腾凯旋"
    "宇航鼎昊润泽东升明亮卓越启迪蓝天翔云霖"
)
BRANDS: Final = tuple(_BRAND_CHARS[i : i + 2] for i in range(0, len(_BRAND_CHARS) - 1, 2))
TRADES: Final = ("商贸", "物业管理", "建筑工程", "机械制造", "运输", "餐饮", "农业科技", "电子")
TYPO_CHARS: Final = "甲乙丙丁戊己庚辛壬癸"
TYPES: Final = ("企业", "个体工商户", "农民专业合作社", "事业单位")
# USCC registration-authority and kind characters (GB 32100-2015) and the name's ending.
TYPE_PREFIX: Final = {"企业": "91", "个体工商户": "92", "农民专业合作社": "93", "事业单位": "12"}
TYPE_SUFFIX: Final = {
    "企业": "有限公司",
    "个体工商户": "经营部",
    "农民专业合作社": "专业合作社",
    "事业单位": "服务中心",
}
MAX_UNITS_PER_COUNTY: Final = len(BRANDS) * len(TRADES)
# These stories need an 企业: a name with 有限公司 to vary, long enough for a one-typo match.
_COMPANY_STORIES: Final = ("messy_uscc", "name_variant", "fuzzy_name", "broken_uscc")
HEADINGS: Final = ("统一社会信用代码", "单位编号", "单位名称", "单位类型", "行政区划代码")
# The place name some registry names of a province-mode city start with (the match strips it).
PROVINCE_UNIT_PREFIX: Final = "安徽省"

assert len(set(_BRAND_CHARS)) == len(_BRAND_CHARS), "a brand character is used twice"


def unit_count(persons: int, counties: Sequence[str] = pools.COUNTY_CODES) -> int:
    """Registry units of a city of ``persons``: one per 25 persons, within fixed bounds."""
    cap = MAX_UNITS_PER_COUNTY * len(counties)
    return max(MIN_UNITS, min(cap, persons // PERSONS_PER_UNIT))


def unit_files(insured_encoding: str) -> dict[str, RosterFile]:
    """The two unit rosters as a province-mode manifest lists them (kinds of ``canbao match``)."""
    return {
        "units": RosterFile("units", REGISTRY_FILE, "units", "csv", "utf-8-sig"),
        "insured_units": RosterFile(
            "insured_units", INSURED_FILE, "insured_units", "csv", insured_encoding
        ),
    }


def units_rng(seed: int) -> Rng:
    """The units' own random streams: a seed derived from the city's and the word ``units``."""
    return Rng(_mix_int(seed * 0x9E3779B97F4A7C15 + 0x756E697473))


def _stories(n: int) -> list[str]:
    """Story of each of ``n`` units by quota (largest remainder), every story at least once."""
    raw = [(name, share * n) for name, share in UNIT_STORIES]
    counts = {name: max(1, int(value)) for name, value in raw}
    order = sorted(raw, key=lambda kv: kv[1] - int(kv[1]), reverse=True)
    i = 0
    while sum(counts.values()) < n:
        counts[order[i % len(order)][0]] += 1
        i += 1
    while sum(counts.values()) > n:  # tiny cities: trim the largest
        counts[max(counts, key=lambda k: counts[k])] -= 1
    return [name for name, _ in UNIT_STORIES for _ in range(counts[name])]


def _code_chars(value: pl.Expr, width: int) -> pl.Expr:
    """``value`` (a non-negative integer) as ``width`` characters of the USCC alphabet."""
    digits = [
        take(list(ALPHABET), (value // (len(ALPHABET) ** k)) % len(ALPHABET))
        for k in reversed(range(width))
    ]
    return pl.concat_str(digits)


def registry_units(
    seed: int, persons: int, counties: Sequence[str] = pools.COUNTY_CODES
) -> pl.DataFrame:
    """One row per registry unit: key, county, story, type, name, valid USCC and variants."""
    rng = units_rng(seed)
    n = unit_count(persons, counties)
    counties = list(counties)
    stories = _stories(n)
    frame = (
        pl.DataFrame({"story": stories})
        .with_row_index("ukey")
        .with_columns(pl.col("ukey").cast(pl.Int64))
        # Stories are dealt to the units in a random order, then units to the counties in turn.
        .with_columns(rng.bits("deal", "ukey").rank("ordinal").cast(pl.Int64).alias("_pos"))
        .sort("_pos")
        .with_columns(
            take(counties, pl.col("_pos") % len(counties)).alias("county"),
            (pl.col("_pos") // len(counties)).alias("_slot"),
        )
    )
    type_draw = rng.pick("type", TYPES, "ukey")
    kind = pl.col("_type")
    company = pl.lit("企业")
    frame = frame.with_columns(
        pl.when(pl.col("story").is_in(_COMPANY_STORIES))
        .then(company)
        .otherwise(type_draw)
        .alias("_type"),
        # (brand, trade) is unique per county: slot = q * len(BRANDS) + r gives brand r and
        # trade (3 r + q) mod len(TRADES), distinct for one r as q < len(TRADES).
        take(list(BRANDS), pl.col("_slot") % len(BRANDS)).alias("_brand"),
        take(
            list(TRADES),
            (3 * (pl.col("_slot") % len(BRANDS)) + pl.col("_slot") // len(BRANDS)) % len(TRADES),
        ).alias("_trade"),
        (rng.uniform("group", "ukey") < 0.3).alias("_group"),
        (rng.uniform("city_prefix", "ukey") < 0.3).alias("_prefixed"),
    )
    county_name = pl.col("county").replace_strict(
        {c: regions.display_name(c) for c in counties}, return_dtype=pl.String
    )
    group = (
        pl.when((kind == "企业") & pl.col("_group")).then(pl.lit("（集团）")).otherwise(pl.lit(""))
    )
    suffix = kind.replace_strict(TYPE_SUFFIX, return_dtype=pl.String)
    tail = pl.concat_str(pl.col("_trade"), group, suffix)
    name = pl.concat_str(county_name, pl.col("_brand"), tail)
    first17 = pl.concat_str(
        kind.replace_strict(TYPE_PREFIX, return_dtype=pl.String),
        pl.col("county"),
        pl.lit("MA"),
        _code_chars(pl.col("ukey"), 3),
        _code_chars(rng.below("uscc", len(ALPHABET) ** 4, "ukey"), 4),
    )
    return frame.with_columns(
        name.alias("name"),
        # The same name with the brand's first character mistyped: see build_units.
        county_name.alias("_place"),
        tail.alias("_tail"),
        pl.concat_str(first17, uscc_check_char_expr(first17)).alias("uscc"),
        kind.alias("unit_type"),
        pl.format("DJ{}{}", pl.col("county"), pl.col("ukey").cast(pl.String).str.zfill(5)).alias(
            "reg_number"
        ),
        pl.format(
            "{}{}", pl.col("county"), (pl.col("ukey") + 1).cast(pl.String).str.zfill(5)
        ).alias("ins_number"),
        take(list(BROKEN_KINDS), pl.col("_slot") % len(BROKEN_KINDS)).alias("broken"),
    ).drop("_pos", "_slot")


def _variant_name(name: pl.Expr) -> pl.Expr:
    """The same name as another system writes it: 有限责任公司, half-width brackets."""
    return (
        name.str.replace("有限公司", "有限责任公司", literal=True)
        .str.replace_all("（", "(", literal=True)
        .str.replace_all("）", ")", literal=True)
    )


def _broken_uscc(uscc: pl.Expr, kind: pl.Expr) -> pl.Expr:
    """The code spoiled as ``kind`` says (one of BROKEN_KINDS)."""
    last = uscc.str.slice(17, 1)
    other = pl.when(last == "0").then(pl.lit("1")).otherwise(pl.lit("0"))
    return (
        pl.when(kind == "missing")
        .then(pl.lit(None, pl.String))
        .when(kind == "check_digit")
        .then(pl.concat_str(uscc.str.slice(0, 17), other))
        .when(kind == "length")
        .then(uscc.str.slice(0, 9))
        .otherwise(pl.concat_str(uscc.str.slice(0, 10), pl.lit("O"), uscc.str.slice(11)))
    )


def build_units(
    seed: int, persons: int, counties: Sequence[str] = pools.COUNTY_CODES, prefix: str = "淮北市"
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Return (registry rows, insured rows, expected units needing a survey), lines included.

    ``counties``: where the units are (Huaibei's four by default); ``prefix``: the place name
    that 30 % of the registry's names start with (one the match strips).
    """
    rng = units_rng(seed)
    units = registry_units(seed, persons, counties)
    story = pl.col("story")
    typo = take(list(TYPO_CHARS), rng.below("typo", len(TYPO_CHARS), "ukey"))
    reg_name = (
        pl.when(story == "fuzzy_name")
        .then(pl.concat_str("_place", typo, pl.col("_brand").str.slice(1), "_tail"))
        .otherwise(pl.col("name"))
    )
    registry = units.select(
        "ukey",
        pl.when(story.is_in(["name_variant", "fuzzy_name"]))
        .then(None)
        .otherwise("uscc")
        .alias("统一社会信用代码"),
        pl.col("reg_number").alias("单位编号"),
        pl.when(pl.col("_prefixed"))
        .then(pl.lit(prefix) + reg_name)
        .otherwise(reg_name)
        .alias("单位名称"),
        pl.col("unit_type").alias("单位类型"),
        pl.col("county").alias("行政区划代码"),
    )
    insured_code = (
        pl.when(story == "messy_uscc")
        .then(pl.col("uscc").str.slice(0, 8) + " " + pl.col("uscc").str.slice(8).str.to_lowercase())
        .when(story == "broken_uscc")
        .then(_broken_uscc(pl.col("uscc"), pl.col("broken")))
        .otherwise(pl.col("uscc"))
    )
    varied = (story != "insured") | (rng.uniform("vary", "ukey") < 0.3)
    insured = units.filter(story != "not_insured").select(
        "ukey",
        insured_code.alias("统一社会信用代码"),
        pl.col("ins_number").alias("单位编号"),
        pl.when(varied).then(_variant_name(pl.col("name"))).otherwise("name").alias("单位名称"),
        pl.col("unit_type").alias("单位类型"),
        pl.col("county").alias("行政区划代码"),
        story.alias("story"),
    )
    insured = pl.concat([insured, _insured_only(units, counties)])
    registry = _with_lines(rng, registry, "reg_order")
    insured = _with_lines(rng, insured, "ins_order")
    expected = pl.concat(
        [
            registry.join(units.filter(story == "not_insured").select("ukey"), on="ukey").select(
                pl.col("行政区划代码").alias("县区"),
                "单位编号",
                pl.lit(NOT_INSURED).alias("原因代码"),
                pl.lit(REGISTRY_FILE).alias("来源文件"),
                "行号",
            ),
            insured.filter(pl.col("story") == "broken_uscc").select(
                pl.col("行政区划代码").alias("县区"),
                "单位编号",
                pl.lit(INVALID_USCC).alias("原因代码"),
                pl.lit(INSURED_FILE).alias("来源文件"),
                "行号",
            ),
        ]
    ).sort(pl.col("县区"), pl.col("原因代码") == INVALID_USCC, pl.col("来源文件"), pl.col("行号"))
    return registry, insured, expected


def _insured_only(units: pl.DataFrame, counties: Sequence[str]) -> pl.DataFrame:
    """Insured units outside the market registry (offices): valid codes, no survey.

    Their names and codes follow from their keys alone; no random draw is needed.
    """
    n = max(1, round(units.height * INSURED_ONLY_SHARE))
    start = units.height
    counties = list(counties)
    frame = pl.DataFrame({"ukey": pl.int_range(start, start + n, eager=True)}).with_columns(
        take(counties, pl.col("ukey") % len(counties)).alias("county")
    )
    first17 = pl.concat_str(
        pl.lit("11"), pl.col("county"), pl.lit("JG"), _code_chars(pl.col("ukey"), 7)
    )
    name = pl.concat_str(
        pl.col("county").replace_strict(
            {c: regions.display_name(c) for c in counties}, return_dtype=pl.String
        ),
        pl.lit("第"),
        (pl.col("ukey") - start + 1).cast(pl.String),
        pl.lit("机关事务服务处"),
    )
    return frame.select(
        "ukey",
        pl.concat_str(first17, uscc_check_char_expr(first17)).alias("统一社会信用代码"),
        pl.format(
            "{}{}", pl.col("county"), (pl.col("ukey") + 1).cast(pl.String).str.zfill(5)
        ).alias("单位编号"),
        name.alias("单位名称"),
        pl.lit("机关").alias("单位类型"),
        pl.col("county").alias("行政区划代码"),
        pl.lit("insured_only").alias("story"),
    )


def _with_lines(rng: Rng, frame: pl.DataFrame, stream: str) -> pl.DataFrame:
    """Rows in a random order, each with its line in the file (the heading is line 1)."""
    order = rng.bits(stream, "ukey")
    return frame.sort(order).with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("行号")
    )


def unit_summary(
    registry: pl.DataFrame, insured: pl.DataFrame, stories: pl.Series
) -> dict[str, int]:
    """The match summary's ``units`` counts a correct run must give for these rosters."""
    count = {name: int((stories == name).sum()) for name, _ in UNIT_STORIES}
    by_name = count["name_variant"] + count["broken_uscc"]
    return {
        "registry_rows": registry.height,
        "insured_rows": insured.height,
        "insured_by_uscc": count["insured"] + count["messy_uscc"],
        "insured_by_name": by_name,
        "insured_by_fuzzy_name": count["fuzzy_name"],
        "not_insured": count["not_insured"],
        "invalid_uscc": count["broken_uscc"],
        "needing_survey": count["not_insured"] + count["broken_uscc"],
    }


def write_units(
    staging: Path,
    *,
    seed: int,
    persons: int,
    encoding: str,
    counties: Sequence[str] = pools.COUNTY_CODES,
    prefix: str = "淮北市",
    with_truth: bool = True,
) -> dict[str, int]:
    """Write the two unit rosters and their truth into a city's staging folder; return counts.

    ``encoding`` is the insured roster's (the registry is UTF-8 with BOM, as the market
    registry's web export gives it). ``counties``, ``prefix``: see :func:`build_units`.
    ``with_truth``: also the expected files (``expected/`` must exist); else the rosters alone.
    """
    registry, insured, expected = build_units(seed, persons, counties, prefix)
    registry.select(HEADINGS).write_csv(staging / REGISTRY_FILE, include_bom=True)
    text = insured.select(HEADINGS).write_csv()
    (staging / INSURED_FILE).write_bytes(text.encode(encoding))
    units = registry_units(seed, persons, counties)
    summary = unit_summary(registry, insured, units["story"])
    if not with_truth:
        return summary
    expected.write_csv(staging / EXPECTED_FILE)
    stories = units.select(
        pl.col("reg_number").alias("单位编号"),
        pl.col("ins_number").alias("参保单位编号"),
        pl.col("county").alias("县区"),
        "story",
        pl.when(pl.col("story") == "broken_uscc").then("broken").alias("variant"),
    ).sort("单位编号")
    stories.write_csv(staging / STORIES_FILE)
    (staging / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary
