"""Employers needing a survey (需入户调查单位): registered but not insured, or an invalid USCC.

Seed 004 counts units beside persons in its per-county task table. A unit of the market registry
is insured when an insured unit has its unified social credit code (USCC); failing that, its
normalised name in the same county; failing that, a near-identical name in the same county (a
typo). Insured units whose USCC is missing or invalid need a survey too. The rules and the fuzzy
threshold are in ``docs/repairs.md``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

import polars as pl
from rapidfuzz import fuzz, process

from canbao.uscc import USCC_REASONS, normalize_uscc, uscc_struct

NOT_INSURED: Final = "not_insured"
INVALID_USCC: Final = "invalid_uscc"
UNIT_REASONS: Final[dict[str, str]] = {
    NOT_INSURED: "登记注册未参保",
    INVALID_USCC: "统一社会信用代码有误",
}
UNIT_COLUMNS: Final = (
    "县区",
    "统一社会信用代码",
    "单位编号",
    "单位名称",
    "单位类型",
    "原因代码",
    "原因",
    "来源文件",
    "行号",
)
UNIT_COUNT_KEYS: Final = (
    "registry_rows",
    "insured_rows",
    "insured_by_uscc",
    "insured_by_name",
    "insured_by_fuzzy_name",
    "not_insured",
    "invalid_uscc",
    "needing_survey",
)
# The place names a unit's name may start with in this city's exports (seed 004: 淮北市).
DEFAULT_PLACE_PREFIXES: Final = ("安徽省", "淮北市")
# fuzz.ratio (0-100) for a typo: one wrong character in a name of 10 or more characters.
UNIT_NAME_CUTOFF: Final = 90.0
_NUMERALS = re.compile(r"[0-9零〇一二三四五六七八九十百千]+")


def unit_name_expr(
    expr: pl.Expr, place_prefixes: Sequence[str] = DEFAULT_PLACE_PREFIXES
) -> pl.Expr:
    """Normalise unit names: NFKC, no spaces or brackets, 有限责任公司 as 有限公司, no place prefix.

    Brackets go but their content stays: 淮北矿业（集团）有限责任公司 is 淮北矿业(集团)有限公司,
    while a branch 某某公司(淮北分公司) must stay apart from its head office 某某公司.
    """
    text = (
        expr.str.normalize("NFKC")
        .str.replace_all(r"[\s\x{200B}\x{FEFF}]+", "")
        .str.replace_all(r"[()\[\]【】〔〕<>《》]", "")
        .str.replace_all("有限责任公司", "有限公司", literal=True)
        .str.to_uppercase()
    )
    for prefix in place_prefixes:
        text = text.str.strip_prefix(prefix)
    return pl.when(text.str.len_chars() > 0).then(text)


def _prepare(frame: pl.LazyFrame, place_prefixes: Sequence[str]) -> pl.DataFrame:
    schema = frame.collect_schema()

    def col(name: str) -> pl.Expr:
        if name in schema:
            return pl.col(name).cast(pl.String).str.strip_chars()
        return pl.lit(None, dtype=pl.String)

    region = col("region").str.replace_all(r"\s+", "")
    return (
        frame.select(
            uscc_struct(col("uscc"), prefix="_u_").alias("_u"),
            # Match on the cleaned code even when invalid: two equal strings name one unit.
            normalize_uscc(col("uscc")).alias("_key"),
            col("unit_number").alias("_number"),
            col("unit_name").alias("_raw_name"),
            col("unit_type").alias("_type"),
            region.alias("_region"),
            col("_file").alias("_file"),
            (pl.col("_line").cast(pl.Int64) if "_line" in schema else pl.lit(None, pl.Int64)).alias(
                "_line"
            ),
        )
        .unnest("_u")
        .with_columns(
            unit_name_expr(pl.col("_raw_name"), place_prefixes).alias("_name"),
            # The registry's own region first: a USCC keeps the region where it was issued.
            pl.coalesce(
                pl.when(pl.col("_region").str.len_chars() >= 6).then(
                    pl.col("_region").str.slice(0, 6)
                ),
                pl.when(pl.col("_u_reason").is_null()).then(pl.col("_u_region")),
            ).alias("_county"),
            pl.when(pl.col("_key").str.len_chars() > 0).then(pl.col("_key")).alias("_key"),
        )
        .with_row_index("_row")
        .collect()
    )


def _numerals(name: str) -> list[str]:
    return _NUMERALS.findall(name)


def _fuzzy_matched(left: pl.DataFrame, insured: pl.DataFrame) -> list[int]:
    """Rows of ``left`` with a near-identical insured name in the same county."""
    matched: list[int] = []
    choices_by_county = {
        county: names["_name"].to_list()
        for (county,), names in insured.filter(
            pl.col("_county").is_not_null() & pl.col("_name").is_not_null()
        )
        .select("_county", "_name")
        .unique()
        .partition_by("_county", as_dict=True)
        .items()
    }
    # A loop over the still-unmatched registry units only; each extract is one C call over the
    # county's insured names (rapidfuzz's batch cdist would need numpy, not a dependency).
    for row, county, name in left.select("_row", "_county", "_name").iter_rows():
        choices = choices_by_county.get(county)
        if not choices or name is None:
            continue
        hits = process.extract(
            name, choices, scorer=fuzz.ratio, score_cutoff=UNIT_NAME_CUTOFF, limit=5
        )
        # 第一人民医院 / 第二人民医院 differ by one character yet are two units: numbers must agree.
        if any(_numerals(hit[0]) == _numerals(name) for hit in hits):
            matched.append(row)
    return matched


def match_units(
    registry: pl.LazyFrame | pl.DataFrame,
    insured: pl.LazyFrame | pl.DataFrame,
    *,
    place_prefixes: Sequence[str] = DEFAULT_PLACE_PREFIXES,
) -> pl.DataFrame:
    """Units needing a survey (UNIT_COLUMNS): registered but not insured, then invalid USCCs.

    Both inputs carry the canonical unit fields ``uscc``, ``unit_number``, ``unit_name``,
    ``unit_type``, ``region``, ``_file``, ``_line`` (missing ones count as null).
    """
    return match_units_counted(registry, insured, place_prefixes=place_prefixes)[0]


def match_units_counted(
    registry: pl.LazyFrame | pl.DataFrame,
    insured: pl.LazyFrame | pl.DataFrame,
    *,
    place_prefixes: Sequence[str] = DEFAULT_PLACE_PREFIXES,
) -> tuple[pl.DataFrame, dict[str, int]]:
    """:func:`match_units` and its counts (UNIT_COUNT_KEYS) for the run summary.

    The insured registry units are counted positively per rule (semi-joins), the not-insured ones
    from the result table, so that ``registry_rows = insured_by_uscc + insured_by_name +
    insured_by_fuzzy_name + not_insured`` checks that no unit was dropped or listed twice.
    """
    reg = _prepare(registry.lazy(), place_prefixes)
    ins = _prepare(insured.lazy(), place_prefixes)
    keys = ins.select("_key").drop_nulls().unique()
    names = ins.select("_county", "_name").drop_nulls().unique()
    by_uscc = reg.join(keys, on="_key", how="semi").height
    left = reg.join(keys, on="_key", how="anti")
    by_name = left.join(names, on=["_county", "_name"], how="semi").height
    left = left.join(names, on=["_county", "_name"], how="anti")
    fuzzy = pl.Series(_fuzzy_matched(left, ins), dtype=left.schema["_row"])
    left = left.filter(~pl.col("_row").is_in(fuzzy.implode()))
    not_insured = left.with_columns(
        pl.lit(NOT_INSURED).alias("_code"), pl.lit(UNIT_REASONS[NOT_INSURED]).alias("_reason")
    )
    invalid = ins.filter(pl.col("_u_reason").is_not_null()).with_columns(
        pl.lit(INVALID_USCC).alias("_code"),
        pl.format(
            "{}：{}",
            pl.lit(UNIT_REASONS[INVALID_USCC]),
            pl.col("_u_reason").replace_strict(USCC_REASONS, default=pl.col("_u_reason")),
        ).alias("_reason"),
    )
    both = pl.concat([not_insured, invalid], how="vertical_relaxed")
    result = both.sort(
        [pl.col("_county"), pl.col("_code") == INVALID_USCC, pl.col("_file"), pl.col("_line")],
        nulls_last=True,
    ).select(
        pl.col("_county").alias("县区"),
        pl.col("_u_norm").alias("统一社会信用代码"),
        pl.col("_number").alias("单位编号"),
        pl.col("_raw_name").alias("单位名称"),
        pl.col("_type").alias("单位类型"),
        pl.col("_code").alias("原因代码"),
        pl.col("_reason").alias("原因"),
        pl.col("_file").alias("来源文件"),
        pl.col("_line").alias("行号"),
    )
    codes = result["原因代码"]
    counts = {
        "registry_rows": reg.height,
        "insured_rows": ins.height,
        "insured_by_uscc": by_uscc,
        "insured_by_name": by_name,
        "insured_by_fuzzy_name": fuzzy.n_unique(),
        "not_insured": int((codes == NOT_INSURED).sum()),
        "invalid_uscc": int((codes == INVALID_USCC).sum()),
        "needing_survey": result.height,
    }
    return result, counts


def units_per_county(result: pl.DataFrame) -> pl.DataFrame:
    """Units needing a survey per county (县区, 需入户调查单位数), by county; no total row."""
    return (
        result.group_by("县区")
        .agg(pl.len().cast(pl.Int64).alias("需入户调查单位数"))
        .sort("县区", nulls_last=True)
    )
