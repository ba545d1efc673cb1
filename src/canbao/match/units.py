"""Employers needing a survey (需入户调查单位): registered but not insured, or an invalid USCC.

淮人社秘〔2017〕166号 counts units beside persons in its per-county task table. A unit of the market
registry is insured when an insured unit has its unified social credit code (USCC); failing that,
its normalised name in the same county; failing that, a near-identical name in the same county (a
typo). Insured units whose USCC is missing or invalid need a survey too. The rules and the fuzzy
threshold are in ``docs/repairs.md``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Final

import polars as pl
from rapidfuzz import fuzz

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
# The place names a unit's name may start with in this city's exports
# (淮人社秘〔2017〕166号: 淮北市).
DEFAULT_PLACE_PREFIXES: Final = ("安徽省", "淮北市")
# fuzz.ratio (0-100) for a typo: one wrong character in a name of 10 or more characters.
UNIT_NAME_CUTOFF: Final = 90.0
_NUMERALS = re.compile(r"[0-9零〇一二三四五六七八九十百千]+")
# The best hits checked for the numerals, as process.extract's default limit gave them.
_FUZZY_HITS: Final = 5


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
    fields = ("uscc", "unit_number", "unit_name", "unit_type", "region", "_file")
    have = frame.collect_schema().names()
    # A missing field as a column of nulls, not a literal: the USCC checks on a bare literal
    # give one row, which cannot stand beside the frame's columns.
    frame = frame.with_columns(pl.lit(None, pl.String).alias(f) for f in fields if f not in have)
    schema = frame.collect_schema()

    def col(name: str) -> pl.Expr:
        return pl.col(name).cast(pl.String).str.strip_chars()

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


def _char_tokens(frame: pl.DataFrame, id_column: str, *, query: bool) -> pl.DataFrame:
    # A name's characters as tokens (_char, _k): the k-th 一 of a name is its own token, so the
    # tokens two names share count their common characters with multiplicity.
    return (
        frame.select(
            pl.lit(query).alias("_q"),
            pl.col(id_column).alias("_id"),
            "_county",
            pl.col("_name").str.split("").alias("_char"),
        )
        .explode("_char")
        .group_by("_q", "_id", "_county", "_char")
        .agg(pl.len().alias("_k"))
        .with_columns(pl.int_ranges("_k").alias("_k"))
        .explode("_k")
    )


def _candidate_pairs(queries: pl.DataFrame, choices: pl.DataFrame) -> pl.DataFrame:
    """Pairs (_query, _choice) of one county that may score >= UNIT_NAME_CUTOFF; none is missed.

    Names of la and lb characters at Indel distance d score 100 (1 - d / (la + lb)), so >= 90
    means 10 d <= la + lb (past it the score is at least 10 / (la + lb) under 90, far beyond
    rounding). As d >= |la - lb|, the lengths obey 10 |la - lb| <= la + lb. The characters the
    names share, with multiplicity, number C >= LCS = (la + lb - d) / 2 >= 0.45 (la + lb), and
    with the band lb >= 9 la / 11 that is C >= t = ceil(9 la / 11). Order each county's tokens
    one way (any order is exact; rarest first keeps the pairs few): the first la - t + 2 tokens
    of a name hold at least C - t + 2 >= 2 shared tokens, and those are the 2 smallest shared
    ones; so do the other name's. Pairs of names sharing 2 tokens of those prefixes (1 for
    one-character names, where t = 1) include every pair that can reach the cutoff.
    """
    tokens = pl.concat(
        [_char_tokens(queries, "_query", query=True), _char_tokens(choices, "_choice", query=False)]
    ).with_columns(
        pl.len().over("_county", "_char", "_k").alias("_freq"),
        pl.len().over("_q", "_id").cast(pl.Int64).alias("_len"),
    )
    at_least = (9 * pl.col("_len") + 10) // 11
    prefixes = (
        tokens.sort("_freq", "_county", "_char", "_k")
        # Ids in that order, apart per county: a name's prefix is then its smallest ids.
        .with_columns(pl.struct("_county", "_char", "_k").rle_id().alias("_tok"))
        .filter(
            pl.int_range(pl.len()).over("_q", "_id")
            < pl.col("_len") - at_least + pl.min_horizontal(2, pl.col("_len"))
        )
        .select("_q", "_id", "_tok", "_len")
    )
    # Every two tokens of a prefix as one join key: a pair of names shares one such key exactly
    # when their prefixes share 2 tokens (a one-character name's key is its one token, twice).
    keys = prefixes.join(
        prefixes.select("_q", "_id", pl.col("_tok").alias("_tok2")), on=["_q", "_id"]
    ).filter((pl.col("_tok") < pl.col("_tok2")) | (pl.col("_len") == 1))
    left = keys.filter(pl.col("_q")).drop("_q")
    right = keys.filter(~pl.col("_q")).drop("_q")
    return (
        left.join(right, on=["_tok", "_tok2"], suffix="_c")
        .filter(10 * (pl.col("_len") - pl.col("_len_c")).abs() <= pl.col("_len") + pl.col("_len_c"))
        .select(pl.col("_id").alias("_query"), pl.col("_id_c").alias("_choice"))
        .unique()
    )


def _fuzzy_matched(left: pl.DataFrame, insured: pl.DataFrame) -> pl.Series:
    """Rows of ``left`` with a near-identical insured name in the same county (``_row`` values).

    As one ``process.extract(name, county_names, scorer=fuzz.ratio, score_cutoff=90, limit=5)``
    per unit would: of the names scoring >= 90, the 5 best (ties in the order of the county's
    insured names, first appearance in ``insured``) are checked for the unit's numerals.
    """
    choices = (
        insured.filter(pl.col("_county").is_not_null() & pl.col("_name").is_not_null())
        .select("_county", "_name")
        .unique(maintain_order=True)
        .with_row_index("_choice")
    )
    queries = (
        left.filter(pl.col("_county").is_not_null() & pl.col("_name").is_not_null())
        .select("_county", "_name")
        .unique()
        .with_row_index("_query")
    )
    pairs = (
        _candidate_pairs(queries, choices)
        .join(queries.select("_query", "_name"), on="_query")
        .join(choices.select("_choice", pl.col("_name").alias("_choice_name")), on="_choice")
    )
    # The C scorer over the pairs by the built-in map (no per-pair bytecode; cpdist needs numpy).
    # The same call as extract makes, so ties and the cutoff come out as there.
    scorer = functools.partial(fuzz.ratio, score_cutoff=UNIT_NAME_CUTOFF)
    scores = list(map(scorer, pairs["_name"].to_list(), pairs["_choice_name"].to_list()))
    hits = (
        pairs.with_columns(pl.Series("_score", scores, dtype=pl.Float64))
        .filter(pl.col("_score") >= UNIT_NAME_CUTOFF)
        .sort(["_query", "_score", "_choice"], descending=[False, True, False])
        .filter(pl.int_range(pl.len()).over("_query") < _FUZZY_HITS)
    )
    # 第一人民医院 / 第二人民医院 differ by one character yet are two units: numbers must agree.
    found = (
        hits.filter(
            pl.col("_name").str.extract_all(_NUMERALS.pattern)
            == pl.col("_choice_name").str.extract_all(_NUMERALS.pattern)
        )
        .select("_query")
        .unique()
    )
    rows = left.join(queries.join(found, on="_query"), on=["_county", "_name"], how="semi")
    return rows["_row"]


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
    fuzzy = _fuzzy_matched(left, ins)
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
