"""Tests for suggested links: a generated population with mistyped IDs, and apply_links."""

from __future__ import annotations

import random
import time
from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from canbao.match import repairs
from canbao.match.repairs import APPLY_THRESHOLD, LINK_COLUMNS, apply_links, suggest_links

AS_OF = date(2024, 6, 30)
COUNTIES = ["340602", "340603", "340604", "340621"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国文斌宇浩凯"
    "健俊帆帅旭宁龙林欢阳佳丹婷雪琳晶颖璐倩婉莹梅兵飞宏志忠海波鑫亮斌博磊晨瑞琪欣怡思雨萱轩"
    "子涵梓睿诗嘉慧珍翠云凤兴福禄寿喜春夏秋冬成功德才正清荣贵金银宝珠"
)
# Homophones an input method offers for the same syllable: the record's name may use either.
HOMOPHONES = {
    "伟": "玮",
    "丽": "莉",
    "明": "铭",
    "芳": "方",
    "静": "婧",
    "军": "君",
    "杰": "洁",
    "华": "桦",
}
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _with_check(first17: pl.Expr) -> pl.Expr:
    """Append the GB 11643 check character (an oracle independent of canbao.ids)."""
    total = pl.sum_horizontal(
        first17.str.slice(i, 1).cast(pl.Int64) * w for i, w in enumerate(WEIGHTS)
    )
    check = pl.lit("10X98765432").str.slice(total % 11, 1)
    return pl.concat_str([first17, check])


def _draw(n: int, seed: int, k: int) -> pl.Expr:
    """``n`` pseudo-random integers in [0, k), vectorised (a seeded hash of the row number)."""
    return (pl.int_range(n, dtype=pl.UInt64).hash(seed) % k).cast(pl.Int64)


def make_people(n: int, seed: int) -> pl.DataFrame:
    """Build about ``n`` persons with valid, distinct IDs, names, county and birth date."""
    given = pl.Series(list(GIVEN))
    frame = pl.select(
        pl.Series(COUNTIES).gather(_draw(n, seed, len(COUNTIES))).alias("county"),
        (pl.lit(date(1940, 1, 1)) + pl.duration(days=_draw(n, seed + 1, 29_000))).alias("birth"),
        _draw(n, seed + 2, 1000).cast(pl.String).str.zfill(3).alias("seq"),
        pl.lit(SURNAMES).str.slice(_draw(n, seed + 3, len(SURNAMES)), 1).alias("surname"),
        given.gather(_draw(n, seed + 4, len(GIVEN))).alias("g1"),
        # About 70 % of given names have two characters.
        pl.when(_draw(n, seed + 5, 10) < 7)
        .then(given.gather(_draw(n, seed + 6, len(GIVEN))))
        .otherwise(pl.lit(""))
        .alias("g2"),
    )
    first17 = pl.concat_str([pl.col("county"), pl.col("birth").dt.strftime("%Y%m%d"), "seq"])
    return (
        frame.with_columns(
            _with_check(first17).alias("id_norm"),
            pl.concat_str(["surname", "g1", "g2"]).alias("name"),
        )
        .unique(subset="id_norm", keep="first", maintain_order=True)
        .select("id_norm", "name", "county", "birth")
    )


def mistype(ids: pl.Series, seed: int) -> pl.Series:
    """Apply one substitution or one adjacent transposition (of unequal characters) to each ID."""
    rng = random.Random(seed)
    out = []
    for value in ids.to_list():  # test data only: a few hundred values
        chars = list(value)
        if rng.random() < 0.5:
            pos = rng.randrange(18)
            chars[pos] = rng.choice([c for c in "0123456789" if c != chars[pos]])
        else:
            pos = rng.choice([i for i in range(17) if chars[i] != chars[i + 1]])
            chars[pos], chars[pos + 1] = chars[pos + 1], chars[pos]
        out.append("".join(chars))
    return pl.Series(ids.name, out)


@pytest.fixture(scope="module")
def population() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """A household roster, the mistyped records (with the truth) and records of outsiders."""
    people = make_people(200_000, seed=1)
    household = people.head(199_000)
    enrolled = household.sample(fraction=0.005, seed=2)
    records = enrolled.select(
        pl.col("id_norm").alias("true_id"),
        mistype(enrolled["id_norm"], seed=3).alias("id_raw"),
        # Every fifth record spells the name with homophones (a variant, not another person).
        pl.when(pl.int_range(pl.len()) % 5 == 0)
        .then(pl.col("name").str.replace_many(HOMOPHONES))
        .otherwise(pl.col("name"))
        .alias("name"),
        pl.lit(None, dtype=pl.String).alias("county"),
        pl.col("county").alias("region"),
        pl.lit(None, dtype=pl.String).alias("birth_date"),
        pl.lit("pension.csv").alias("_file"),
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("_line"),
    ).with_columns(pl.col("id_raw").alias("id_norm"))
    outsiders = people.tail(1_000).select(
        pl.col("id_norm").alias("id_raw"),
        "id_norm",
        "name",
        pl.col("county"),
        pl.col("county").alias("region"),
        pl.col("birth").dt.strftime("%Y-%m-%d").alias("birth_date"),
        pl.lit("medical.csv").alias("_file"),
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("_line"),
    )
    return household, records, outsiders


def test_mistyped_ids_link_to_the_right_person(
    population: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    """The right person is the top suggestion for at least 98 % of mistyped records."""
    household, records, _ = population
    started = time.perf_counter()
    links = suggest_links(records.drop("true_id").lazy(), household.lazy(), as_of=AS_OF)
    elapsed = time.perf_counter() - started
    assert links.columns == list(LINK_COLUMNS)
    top = links.filter(pl.col("rank") == 1).join(
        records.select("_file", "_line", "true_id"),
        left_on=["来源文件", "行号"],
        right_on=["_file", "_line"],
    )
    accuracy = (top["公民身份号码"] == top["true_id"]).sum() / records.height
    print(f"records={records.height} top1={accuracy:.4f} links={links.height} {elapsed:.2f}s")
    assert accuracy >= 0.98
    wrong = links.join(
        records.select("_file", "_line", "true_id"),
        left_on=["来源文件", "行号"],
        right_on=["_file", "_line"],
    ).filter(pl.col("公民身份号码") != pl.col("true_id"))
    assert wrong.filter(pl.col("得分") >= APPLY_THRESHOLD).height == 0
    assert links.group_by("来源文件", "行号").len()["len"].max() <= 3  # type: ignore[operator]
    linked, applied = apply_links(records.drop("true_id"), links, min_score=APPLY_THRESHOLD)
    assert linked.height == records.height
    assert (linked["linked_id"] == records["true_id"]).sum() == applied  # never a wrong person
    print(f"applied at {APPLY_THRESHOLD}: {applied}")
    assert applied >= 0.7 * records.height  # the homophone fifth stays a proposal


def test_outsiders_never_reach_the_apply_threshold(
    population: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    """Persons outside the household roster get no proposal at or above APPLY_THRESHOLD."""
    household, _, outsiders = population
    links = suggest_links(outsiders, household, as_of=AS_OF)
    assert links.filter(pl.col("得分") >= APPLY_THRESHOLD).height == 0


def test_evidence_and_score_of_a_substitution() -> None:
    """A one-digit typo with the same name, birth date and county scores 100 with its evidence."""
    household = make_people(50, seed=5)
    person = household.row(0, named=True)
    typo = (
        person["id_norm"][:15] + str((int(person["id_norm"][15]) + 1) % 10) + person["id_norm"][16:]
    )
    records = pl.DataFrame(
        {
            "id_raw": [typo],
            "id_norm": [typo],
            "name": [person["name"]],
            "county": [person["county"]],
            "region": [None],
            "birth_date": [None],
            "_file": ["a.csv"],
            "_line": [7],
        }
    )
    links = suggest_links(records, household, as_of=AS_OF)
    best = links.row(0, named=True)
    assert best["公民身份号码"] == person["id_norm"]
    assert best["得分"] == 100
    assert best["依据"] == "姓名相同; 身份证号1位替换; 出生日期相同; 县区相同"
    assert (best["记录公民身份号码"], best["来源文件"], best["行号"]) == (typo, "a.csv", 7)


def _one_record(id_raw: str | None, name: str, county: str, birth: str | None) -> pl.DataFrame:
    """A records frame holding one enrolment record."""
    return pl.DataFrame(
        {
            "id_raw": [id_raw],
            "id_norm": [id_raw],
            "name": [name],
            "county": [county],
            "region": [None],
            "birth_date": [birth],
            "_file": ["b.csv"],
            "_line": [3],
        },
        schema_overrides={"id_raw": pl.String, "id_norm": pl.String, "birth_date": pl.String},
    )


def test_other_kinds_of_evidence() -> None:
    """A swap in the birth digits, a dropped digit, and a missing ID each find the person."""
    household = make_people(2_000, seed=6)
    person = household.filter(
        pl.col("id_norm").str.slice(10, 1) != pl.col("id_norm").str.slice(11, 1)
    ).row(0, named=True)
    pid, name, county = person["id_norm"], person["name"], person["county"]
    swapped = pid[:10] + pid[11] + pid[10] + pid[12:]  # month digits: the birth date changes
    best = suggest_links(_one_record(swapped, name, county, None), household, as_of=AS_OF)
    assert best.row(0)[1:4] == (pid, 90, "姓名相同; 身份证号相邻2位颠倒; 县区相同")
    dropped = pid[:8] + pid[9:]
    best = suggest_links(_one_record(dropped, name, county, None), household, as_of=AS_OF)
    assert best.row(0)[1] == pid and "身份证号漏1位" in best.row(0)[3]
    birth = person["birth"].strftime("%Y/%m/%d")
    best = suggest_links(_one_record(None, name, county, birth), household, as_of=AS_OF)
    assert best.row(0)[1:4] == (pid, 55, "姓名相同; 出生日期相同; 县区相同")
    assert best.row(0)[0] is None


def test_no_records_give_an_empty_table() -> None:
    """An empty records frame gives an empty table with the documented columns."""
    records = _one_record("1", "王丽", "340602", None).clear()
    links = suggest_links(records, make_people(100, seed=7), as_of=AS_OF)
    assert links.columns == list(LINK_COLUMNS) and links.height == 0
    out, applied = apply_links(records, links, min_score=APPLY_THRESHOLD)
    assert (out.height, applied) == (0, 0)


def test_apply_links_uses_only_unique_top_scores() -> None:
    """apply_links applies a unique top suggestion at the threshold, not ties or low scores."""
    records = pl.DataFrame(
        {
            "id_raw": ["A", "B", "C"],
            "id_norm": ["A", "B", "C"],
            "_file": ["f"] * 3,
            "_line": [2, 3, 4],
        }
    )
    links = pl.DataFrame(
        {
            "记录公民身份号码": ["A", "A", "B", "B", "C"],
            "公民身份号码": ["P1", "P2", "P3", "P4", "P5"],
            "得分": [95, 60, 95, 95, 70],
            "依据": [""] * 5,
            "来源文件": ["f"] * 5,
            "行号": [2, 2, 3, 3, 4],
            "rank": [1, 2, 1, 2, 1],
        }
    )
    out, applied = apply_links(records, links, min_score=APPLY_THRESHOLD)
    assert applied == 1
    assert out["id_norm"].to_list() == ["P1", "B", "C"]
    assert out["linked_id"].to_list() == ["P1", None, None]


@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from(["P1", "P2", "P3"]), st.integers(50, 100)),
        max_size=30,
    ),
    st.integers(1, 6),
    st.integers(50, 100),
)
def test_apply_links_never_links_a_record_twice(
    rows: list[tuple[int, str, int]], n_records: int, min_score: int
) -> None:
    """Whatever the links, each record gets at most one person and the row count is kept."""
    records = pl.DataFrame(
        {
            "id_raw": [f"R{i % 4}" for i in range(n_records)],
            "id_norm": [f"R{i % 4}" for i in range(n_records)],
            "_file": ["f"] * n_records,
            "_line": list(range(2, n_records + 2)),
        }
    )
    links = pl.DataFrame(
        {
            "记录公民身份号码": [f"R{r % 4}" for r, _, _ in rows],
            "公民身份号码": [p for _, p, _ in rows],
            "得分": [s for _, _, s in rows],
            "依据": [""] * len(rows),
            "来源文件": ["f"] * len(rows),
            "行号": [r + 2 for r, _, _ in rows],
            "rank": [1] * len(rows),
        },
        schema_overrides={"得分": pl.Int64, "行号": pl.Int64},
    )
    out, applied = apply_links(records, links, min_score=min_score)
    assert out.height == records.height
    assert applied == out["linked_id"].is_not_null().sum()
    for rec in out.filter(pl.col("linked_id").is_not_null()).iter_rows(named=True):
        mine = links.filter(
            (pl.col("行号") == rec["_line"]) & (pl.col("记录公民身份号码") == rec["id_raw"])
        )
        top = mine["得分"].max()
        assert rec["link_score"] == top and top >= min_score  # type: ignore[operator]
        assert mine.filter(pl.col("得分") == top)["公民身份号码"].n_unique() == 1


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 1_000),
    shards=st.integers(1, 7),
    chunk=st.integers(1, 40),
    part_rows=st.integers(100, 3_000),
)
def test_proposals_do_not_depend_on_parts_or_chunks(
    seed: int, shards: int, chunk: int, part_rows: int
) -> None:
    """The household in any number of parts (by shards or by persons a part), the records in
    chunks of any size (scaled by the parts): the same proposals as one pass."""
    household = make_people(1_500, seed=seed)
    picked = household.sample(n=60, seed=seed)
    records = picked.select(
        mistype(picked["id_norm"], seed=seed).alias("id_raw"),
        "name",
        "county",
        pl.col("county").alias("region"),
        pl.lit("pension.csv").alias("_file"),
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("_line"),
    ).with_columns(pl.col("id_raw").alias("id_norm"))
    whole = suggest_links(records, household, as_of=AS_OF)
    assert whole.height > 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(repairs, "RECORD_CHUNK", chunk)
        patch.setattr(repairs, "PAIR_CHUNK", 7 * chunk)
        patch.setattr(repairs, "PART_ROWS", part_rows)
        parted = suggest_links(
            records, household, as_of=AS_OF, shards=shards, persons=household.height
        )
    assert_frame_equal(parted, whole)
