"""Suggested links (建议关联): household persons an invalid or unmatched enrolment record may mean.

A record whose ID is invalid or in no household roster is often a typo of a real person's ID.
:func:`suggest_links` proposes up to ``max_candidates`` household persons per record, scored 0-100
with the evidence spelled out in Chinese; :func:`apply_links` applies only the unique top proposal
at or above a score the caller chooses (never silently: the caller decides and reports the count).

Score (documented in ``docs/repairs.md``)::

    name   40 same after normalisation, 28 variant (judge_names), 0 otherwise
    ID     45 one edit, 25 two edits, 0 otherwise: between two 18-character IDs the edits are
           substitutions (an adjacent transposition counts as one); otherwise the optimal string
           alignment distance (a digit dropped or added is one edit)
    birth  10 the record's birth date (ID characters 7-14, else its birth column) is the person's
    county  5 the record's county (else the first 6 digits of its region) equals the person's

A candidate is kept only when these conditions hold (docs/repairs.md): a same or variant name
*and* an ID within two edits, or the same name, birth date and county.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import polars as pl

from canbao.match._repair_candidates import (
    birth_column_expr,
    birth_from_id_expr,
    candidate_pairs,
    clean_id_expr,
    household_sides,
    id_distance,
    id_numbers,
    parse_household_ids,
    small_name_blocks,
)
from canbao.match.names import (
    SAME,
    VARIANT,
    could_be_one_person,
    judge_names,
    normalize_name_expr,
)
from canbao.workdir import work_folder

POINTS_NAME_SAME: Final = 40
POINTS_NAME_VARIANT: Final = 28
POINTS_ID_ONE_EDIT: Final = 45
POINTS_ID_TWO_EDITS: Final = 25
POINTS_BIRTH: Final = 10
POINTS_COUNTY: Final = 5
# At or above this score a link may be applied: the same name and an ID one edit away, plus the
# county or the birth date (90-100). Birth agreement is not required: a typo in ID characters 7-14
# (8 of 18 positions) changes the birth date read from the record's ID. A variant name (at most 88)
# or a two-edit ID (at most 80) stays a proposal to confirm. On the generated test populations no
# wrong person reaches it.
APPLY_THRESHOLD: Final = 90
# Records joined to the whole household at a time (_top_in_parts: RECORD_CHUNK times the parts
# against one part), and candidate pairs scored at a time: at 10 M persons 50 000 records' pairs
# (2.5 M) took 2.2 GB to score; with 500,000 pairs at a time the step peaked at 2.9 GB in the
# Huaibei city of 10 M persons in 4 shards, with 200,000 at 2.0 GB for the same CPU (one run each).
RECORD_CHUNK: Final = 100_000
PAIR_CHUNK: Final = 200_000
# Household persons per part (at least --shards parts): the part is held while the records are
# joined to it (about 120 bytes a person with its parsed ID).
PART_ROWS: Final = 2_500_000

# Proposals per record (persons tied for the top beyond it are listed too).
MAX_CANDIDATES: Final = 3

LINK_COLUMNS: Final = (
    "记录公民身份号码",
    "公民身份号码",
    "得分",
    "依据",
    "来源文件",
    "行号",
    "rank",
)

_ID18 = r"^[0-9X]{18}$"


def _frame(data: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    return data.lazy() if isinstance(data, pl.DataFrame) else data


def _col_or_null(schema: pl.Schema, name: str, dtype: type[pl.DataType] = pl.String) -> pl.Expr:
    return pl.col(name) if name in schema else pl.lit(None, dtype=dtype).alias(name)


def prepare_records(records: pl.LazyFrame, as_of: date, *, key: str | None = None) -> pl.LazyFrame:
    """The records' side of the scoring: ``_rec`` (the row's place, or the Int64 column ``key``
    where the records come in pieces: any key ordered as the rows gives the same proposals),
    folded ID, its numbers, name, birth date, county, file and line."""
    schema = records.collect_schema()
    raw_id = _col_or_null(schema, "id_raw")
    norm_id = _col_or_null(schema, "id_norm")
    cleaned = clean_id_expr(pl.coalesce(norm_id, raw_id))
    id18 = pl.when(cleaned.str.contains(_ID18)).then(cleaned)
    birth_own = (
        birth_column_expr(pl.col("birth_date"), schema["birth_date"])
        if "birth_date" in schema
        else pl.lit(None, dtype=pl.Date)
    )
    county = pl.coalesce(
        _col_or_null(schema, "county").cast(pl.String).str.strip_chars(),
        _col_or_null(schema, "region").cast(pl.String).str.strip_chars().str.slice(0, 6),
    )
    numbered = (
        records.with_row_index("_rec")
        if key is None
        else records.with_columns(pl.col(key).cast(pl.Int64).alias("_rec"))
    )
    return numbered.select(
        "_rec",
        raw_id.cast(pl.String).alias("_id_raw"),
        cleaned.alias("_id"),
        id18.alias("_id18"),
        normalize_name_expr(_col_or_null(schema, "name")).alias("_name"),
        pl.coalesce(birth_from_id_expr(id18, as_of=as_of), birth_own).alias("_birth"),
        county.alias("_county"),
        _col_or_null(schema, "_file").cast(pl.String).alias("_file"),
        _col_or_null(schema, "_line", pl.Int64).cast(pl.Int64).alias("_line"),
    ).with_columns(id_numbers(pl.col("_id18")))


def prepare_household(household: pl.LazyFrame, *, keep: tuple[str, ...] = ()) -> pl.LazyFrame:
    """The household side of the scoring (``_hid``, ``_name``, ``_birth``, ``_county``,
    ``_hrow``: the row's place, and the columns ``keep``): only persons with a well-formed ID
    can be proposed, a link must lead to a usable number. A staged household has its names
    folded already (``name_norm``, the same fold): they are not folded again."""
    schema = household.collect_schema()
    name = pl.col("name_norm") if "name_norm" in schema else normalize_name_expr(pl.col("name"))
    well_formed = pl.col("id_norm").str.contains(r"^[0-9]{17}[0-9X]$")
    return (
        household.with_row_index("_hrow")
        .filter(well_formed)
        .select(
            pl.col("id_norm").alias("_hid"),
            name.alias("_name"),
            pl.col("birth").alias("_birth"),
            pl.col("county").cast(pl.String).str.strip_chars().alias("_county"),
            "_hrow",
            *keep,
        )
    )


def _points() -> tuple[pl.Expr, pl.Expr]:
    """The points of the name verdict and of the ID's edit distance."""
    name_pts = (
        pl.when(pl.col("_verdict") == SAME)
        .then(POINTS_NAME_SAME)
        .when(pl.col("_verdict") == VARIANT)
        .then(POINTS_NAME_VARIANT)
        .otherwise(0)
    )
    id_pts = (
        pl.when(pl.col("_osa") == 1)
        .then(POINTS_ID_ONE_EDIT)
        .when(pl.col("_osa") == 2)
        .then(POINTS_ID_TWO_EDITS)
        .otherwise(0)
    )
    return name_pts, id_pts


def _evidence(birth_same: pl.Expr, county_same: pl.Expr) -> pl.Expr:
    """The evidence of a candidate in Chinese, e.g. ``姓名相同; 身份证号1位替换; 县区相同``."""
    same_len = pl.col("_id").str.len_chars() == 18
    id_text = (
        pl.when((pl.col("_osa") == 1) & same_len & (pl.col("_ham") == 1))
        .then(pl.lit("身份证号1位替换"))
        .when((pl.col("_osa") == 1) & same_len)
        .then(pl.lit("身份证号相邻2位颠倒"))
        .when((pl.col("_osa") == 1) & (pl.col("_id").str.len_chars() < 18))
        .then(pl.lit("身份证号漏1位"))
        .when(pl.col("_osa") == 1)
        .then(pl.lit("身份证号多1位"))
        .when((pl.col("_osa") == 2) & same_len & (pl.col("_ham") == 2))
        .then(pl.lit("身份证号2位替换"))
        .when(pl.col("_osa") == 2)
        .then(pl.lit("身份证号2处差异"))
    )
    name_text = (
        pl.when(pl.col("_verdict") == SAME)
        .then(pl.lit("姓名相同"))
        .when(pl.col("_verdict") == VARIANT)
        .then(pl.format("姓名相近(相似度{})", pl.col("_similarity")))
    )
    return pl.concat_str(
        [
            name_text,
            id_text,
            pl.when(birth_same).then(pl.lit("出生日期相同")),
            pl.when(county_same).then(pl.lit("县区相同")),
        ],
        separator="; ",
        ignore_nulls=True,
    )


def _score(cand: pl.DataFrame) -> pl.DataFrame:
    """Add name, ID, birth and county evidence and the score to candidate pairs."""
    # A kept candidate has a same or variant name (the rule below): only names that may be one
    # person's are measured and judged (one pair in twenty at 10 M persons).
    cand = cand.filter(could_be_one_person(cand["_name"], cand["_hname"]))
    cand = id_distance(cand)
    birth_same = (pl.col("_birth") == pl.col("_hbirth")).fill_null(False)
    county_same = (pl.col("_county") == pl.col("_hcounty")).fill_null(False)
    # Cheap filter before the name judgement: a kept candidate needs an ID within two edits or
    # the same name (equal after normalisation), birth date and county.
    cand = cand.filter(
        (pl.col("_osa") <= 2) | ((pl.col("_name") == pl.col("_hname")) & birth_same & county_same)
    )
    names = judge_names(cand["_name"], cand["_hname"])
    cand = cand.with_columns(
        names["name_verdict"].alias("_verdict"), names["name_similarity"].alias("_similarity")
    )
    name_pts, id_pts = _points()
    evidence = _evidence(birth_same, county_same)
    eligible = (pl.col("_verdict").is_in([SAME, VARIANT]) & (pl.col("_osa") <= 2)) | (
        (pl.col("_verdict") == SAME) & birth_same & county_same
    )
    return cand.with_columns(
        (
            name_pts
            + id_pts
            + pl.when(birth_same).then(POINTS_BIRTH).otherwise(0)
            + pl.when(county_same).then(POINTS_COUNTY).otherwise(0)
        ).alias("_score"),
        evidence.alias("_evidence"),
    ).filter(eligible.fill_null(False))


def suggest_links(
    records: pl.LazyFrame | pl.DataFrame,
    household: pl.LazyFrame | pl.DataFrame,
    *,
    as_of: date,
    max_candidates: int = MAX_CANDIDATES,
    shards: int = 1,
    persons: int | None = None,
) -> pl.DataFrame:
    """Propose up to ``max_candidates`` household persons per record, best first (LINK_COLUMNS).

    Persons tied for the top score are all listed, even beyond ``max_candidates``.

    ``records``: ``id_raw``, ``id_norm``, ``name``, ``county``, ``region``, ``birth_date``,
    ``_file``, ``_line`` (missing columns count as null). ``household``: ``id_norm``, ``name``,
    ``county``, ``birth`` (Date); ``id_key`` may be present and is not needed; ``name_norm``,
    when present, is taken as the name already folded (``normalize_name_expr``). ``shards``:
    hold the household side in this many parts at a time (the same proposals). ``persons``:
    at most this many household persons, which sets the number of parts (counted when not
    given: a pass over the household's IDs, 0.7 CPU s at 10 M persons).
    """
    if max_candidates < 1:
        raise ValueError("max_candidates must be at least 1")
    rec = prepare_records(_frame(records), as_of).collect()
    hh = prepare_household(_frame(household))
    if persons is None:
        persons = int(hh.select(pl.len()).collect().item())
    return link_table(_top_in_parts(rec, hh, persons, shards, max_candidates), max_candidates)


def _scored(rec: pl.DataFrame, side: pl.LazyFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """The candidate pairs with the details of both sides, scored; only those kept."""
    hh_side = side.select(
        "_hid",
        pl.col("_name").alias("_hname"),
        pl.col("_birth").alias("_hbirth"),
        pl.col("_county").alias("_hcounty"),
        pl.col("_d").alias("_hd"),
        pl.col("_l").alias("_hl"),
        "_hrow",
    )
    # Unique pairs: a household roster listing one person twice must not double a proposal;
    # the person's first row is scored (by its place, not by the joins' order of rows).
    cand = (
        pairs.lazy()
        .join(rec.lazy(), on="_rec")
        .join(hh_side, on="_hid")
        .filter(pl.col("_hrow") == pl.col("_hrow").min().over("_rec", "_hid"))
        .collect()
    )
    return _score(cand)


def _ranked(scored: pl.DataFrame, max_candidates: int) -> pl.DataFrame:
    """The scored pairs of each record, ranked, the top ``max_candidates`` and every tie kept."""
    return (
        scored.sort(["_rec", "_score", "_hid"], descending=[False, True, False])
        .with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("_rec").alias("rank"))
        # Every person tied for the top stays, even past max_candidates: apply_links must see a
        # tie to refuse it.
        .filter(
            (pl.col("rank") <= max_candidates)
            | (pl.col("_score") == pl.col("_score").max().over("_rec"))
        )
    )


def _top_in_parts(
    rec: pl.DataFrame, hh: pl.LazyFrame, persons: int, shards: int, max_candidates: int
) -> pl.DataFrame:
    """The ranked top (:func:`_ranked`) of the pairs of every part of the household and chunk
    of records, as one frame to rank again.

    The household side (at most ``persons``) is staged once in parts (at least ``shards``, at
    most PART_ROWS persons each), its IDs parsed as each part is read; each part is read once
    and the records are joined to it RECORD_CHUNK times the parts at a time (a part holds a
    share of the persons, so a chunk's pairs are about those of RECORD_CHUNK records against
    the whole household, and there are about as many joins as parts: a fixed RECORD_CHUNK made
    them records times parts, which grows with the square of the city), the pairs scored
    PAIR_CHUNK at a time. A record's top over all its pairs is its top over the union of these
    tops (every pair before a top pair is itself in the top of its piece), so ranking the union
    again gives the proposals of one pass.
    """
    parts = max(shards, -(-persons // PART_ROWS), 1)
    with work_folder("repairs") as work:
        sides = household_sides(hh, parts, work)
        small = small_name_blocks(rec, pl.concat(sides) if sides else hh.head(0))
        # An empty piece first: the frame has its columns even when nothing was proposed.
        none = pl.DataFrame(schema={"_rec": rec.schema["_rec"], "_hid": pl.String})
        empty = parse_household_ids(hh.head(0))
        tops = [_scored(rec.head(0), empty, none)]
        step = RECORD_CHUNK * max(len(sides), 1)
        for part in sides:
            tops += part_tops(rec, part.collect(), small, max_candidates, step)
    # The scoring adds some working columns only where needed: the pieces may differ in them.
    return pl.concat(tops, how="diagonal_relaxed")


def part_tops(
    rec: pl.DataFrame, side: pl.DataFrame, small: pl.LazyFrame, max_candidates: int, step: int
) -> list[pl.DataFrame]:
    """The ranked tops (without ``rank``) of ``rec`` (:func:`prepare_records`) against one part
    of the household (``side``: :func:`prepare_household` with its IDs parsed,
    :func:`~canbao.match._repair_candidates.parse_household_ids`), ``step`` records and
    PAIR_CHUNK pairs at a time; ``small``: the name blocks small enough over the whole
    household. Ranking the union of every part's tops again (:func:`link_table`) gives the
    proposals of one pass (:func:`_top_in_parts`)."""
    tops = []
    for start in range(0, rec.height, step):
        chunk = rec.slice(start, step)
        pairs = candidate_pairs(chunk, side, small)
        for at in range(0, pairs.height, PAIR_CHUNK):
            scored = _scored(chunk, side.lazy(), pairs.slice(at, PAIR_CHUNK))
            tops.append(_ranked(scored, max_candidates).drop("rank"))
    return tops


def link_table(tops: pl.DataFrame, max_candidates: int) -> pl.DataFrame:
    """The proposals as LINK_COLUMNS, by file and line of the record, from the union of the
    tops of every piece (:func:`part_tops`): ranked again, the top ``max_candidates`` and every
    tie kept."""
    top = _ranked(tops, max_candidates)
    return top.sort(["_file", "_line", "_rec", "rank"], nulls_last=True).select(
        pl.col("_id_raw").alias("记录公民身份号码"),
        pl.col("_hid").alias("公民身份号码"),
        pl.col("_score").cast(pl.Int64).alias("得分"),
        pl.col("_evidence").alias("依据"),
        pl.col("_file").alias("来源文件"),
        pl.col("_line").alias("行号"),
        "rank",
    )


def apply_links(
    records: pl.LazyFrame | pl.DataFrame, links: pl.DataFrame, *, min_score: float
) -> tuple[pl.DataFrame, int]:
    """Link each record to its top suggestion when unique and scoring at least ``min_score``.

    Records are matched to links by (``_file``, ``_line``, ``id_raw``). The result keeps every
    record row and order; ``id_norm`` becomes the linked ID where one was applied, and the columns
    ``linked_id`` / ``link_score`` say which (null elsewhere). A record whose best score is shared
    by two persons is not linked. Returns the frame and the number of rows linked.
    """
    key = ["来源文件", "行号", "记录公民身份号码"]
    best = (
        links.select(*key, "公民身份号码", pl.col("得分").cast(pl.Float64))
        .unique()
        .filter(pl.col("得分") == pl.col("得分").max().over(key))
        .group_by(key)
        .agg(
            pl.col("公民身份号码").n_unique().alias("_n"),
            pl.col("公民身份号码").first().alias("linked_id"),
            pl.col("得分").first().alias("link_score"),
        )
        .filter((pl.col("_n") == 1) & (pl.col("link_score") >= min_score))
        .select(
            pl.col("来源文件").cast(pl.String).alias("_file"),
            pl.col("行号").cast(pl.Int64).alias("_line"),
            pl.col("记录公民身份号码").cast(pl.String).alias("id_raw"),
            "linked_id",
            "link_score",
        )
    )
    frame = _frame(records).collect()
    types = {c: frame.schema[c] for c in ("_file", "_line", "id_raw")}
    best = best.with_columns(pl.col(c).cast(t) for c, t in types.items())
    out = frame.join(
        best, on=["_file", "_line", "id_raw"], how="left", nulls_equal=True, maintain_order="left"
    )
    norm = pl.col("id_norm") if "id_norm" in out.columns else pl.lit(None, dtype=pl.String)
    out = out.with_columns(pl.coalesce(pl.col("linked_id"), norm).alias("id_norm"))
    return out, int(out["linked_id"].is_not_null().sum())
