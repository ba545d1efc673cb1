"""Table (一) of examples/city on the hukou basis, against the rosters and the planted truth."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from canbao.match.national_book import read_basic_tables
from tests.test_match_examples import CITY

ACTIVE = ["参保缴费", "领取待遇"]


@pytest.fixture
def out(example_city_output: Path) -> Path:
    """The match of examples/city, run once per session (tests/conftest.py)."""
    return example_city_output


def _table_one(out: Path) -> pl.DataFrame:
    return read_basic_tables(out / "basic_data_tables.xlsx")["基础数据情况表(一)"]


def _csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def test_column_one_is_the_household_persons_with_status_normal(out: Path) -> None:
    """(1) per county equals the household.csv rows with status 正常 (floating persons apart)."""
    household = _csv(CITY / "household.csv").filter(pl.col("人员状态") == "正常")
    expected = dict(household.group_by("县区").len().iter_rows())
    codes = {"濉溪县": "340621", "杜集区": "340602", "相山区": "340603", "烈山区": "340604"}
    table = _table_one(out).filter(pl.col("县（区）").is_in(list(codes)))
    got = {codes[name]: n for name, n in table.select("县（区）", "本地户籍人口数").iter_rows()}
    assert got == expected


def test_column_three_holds_confirmed_floating_and_non_local_persons(out: Path) -> None:
    """(3) in total: confirmed floating persons (planted truth) + non-local persons insured here."""
    floating = set(_csv(CITY / "floating.csv")["身份证号码"].to_list())
    surveyed = set(_csv(CITY / "expected" / "needs_survey.csv")["公民身份号码"].to_list())
    confirmed_floating = len(floating - surveyed)
    assert confirmed_floating > 0
    non_local = (
        _csv(out / "non_local.csv")
        .filter(pl.col("参保状态").is_in(ACTIVE) & pl.col("参保地").str.starts_with("3406"))
        .select(pl.col("参保地").str.slice(0, 6), "公民身份号码")
        .unique()
        .height
    )
    assert non_local > 0
    total = _table_one(out).filter(pl.col("县（区）") == "合计").row(0, named=True)
    assert total["#非本地户籍参保人数"] == confirmed_floating + non_local


def test_duplicate_columns_count_every_person_of_the_duplicates_file(out: Path) -> None:
    """Each duplicate column's total equals the duplicates file, persons outside any roster too."""
    dups = _csv(out / "duplicates.csv")
    assert (dups["有户籍信息"] == "否").any()
    total = _table_one(out).filter(pl.col("县（区）") == "合计").row(0, named=True)
    for kind_type, kind, n in dups.group_by("险种类型", "类别").len().iter_rows():
        heading = f"{kind_type}保险{kind}人数"
        if heading in total:
            assert total[heading] == n, heading
