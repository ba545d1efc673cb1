"""Tests for employers needing a survey: the examples/units fixture against its golden output."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from stdnum.cn import uscc as stdnum_uscc

from canbao.match.units import (
    INVALID_USCC,
    NOT_INSURED,
    UNIT_COLUMNS,
    match_units,
    unit_name_expr,
    units_per_county,
)

UNITS = Path(__file__).resolve().parent.parent / "examples" / "units"
HEADERS = {
    "统一社会信用代码": "uscc",
    "单位编号": "unit_number",
    "单位名称": "unit_name",
    "单位类型": "unit_type",
    "行政区划代码": "region",
}
# Planted missing or invalid codes in the fixture (the rest must pass the stdnum oracle).
PLANTED_INVALID = {"D0002", "D0008", "C1002", "C1008", "C1009", "C1010"}
REGENERATE = "regenerate with: uv run --locked python scripts/regenerate_golden.py units --checked"


def read_units(name: str) -> pl.DataFrame:
    """Read a fixture CSV as canonical unit fields plus _file and _line (header is line 1)."""
    raw = pl.read_csv(UNITS / name, infer_schema=False)
    return raw.rename(HEADERS).with_columns(
        pl.lit(name).alias("_file"), pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("_line")
    )


@pytest.fixture(scope="module")
def result() -> pl.DataFrame:
    """The units needing a survey for the fixture."""
    return match_units(read_units("registry.csv").lazy(), read_units("insured.csv").lazy())


def test_fixture_codes_are_valid_except_the_planted_ones() -> None:
    """Every fixture USCC passes python-stdnum except the planted invalid ones."""
    for name in ("registry.csv", "insured.csv"):
        for row in read_units(name).iter_rows(named=True):
            value = (row["uscc"] or "").replace(" ", "").upper()
            assert stdnum_uscc.is_valid(value) == (row["unit_number"] not in PLANTED_INVALID), row


def test_matches_golden_output(result: pl.DataFrame) -> None:
    """The result equals examples/units/expected_units_needing_survey.csv row for row."""
    expected = pl.read_csv(
        UNITS / "expected_units_needing_survey.csv",
        schema_overrides={c: pl.String for c in UNIT_COLUMNS if c != "行号"} | {"行号": pl.Int64},
    )
    assert result.columns == list(UNIT_COLUMNS)
    assert result.to_dicts() == expected.to_dicts(), REGENERATE


def test_reasons_per_unit(result: pl.DataFrame) -> None:
    """USCC, exact and fuzzy name matches are insured; the rest and invalid codes are listed."""
    codes = dict(zip(result["单位编号"], result["原因代码"], strict=True))
    assert codes == {
        "D0005": NOT_INSURED,  # same name, other county
        "D0006": NOT_INSURED,  # 第一 / 第二人民医院
        "D0007": NOT_INSURED,
        "D0008": NOT_INSURED,
        "D0009": NOT_INSURED,  # county from the USCC
        "D0010": NOT_INSURED,  # a branch is not its head office
        "C1002": INVALID_USCC,
        "C1008": INVALID_USCC,
        "C1009": INVALID_USCC,
        "C1010": INVALID_USCC,
    }


def test_units_per_county(result: pl.DataFrame) -> None:
    """The per-county count adds up to the rows of the result."""
    table = units_per_county(result)
    assert table.columns == ["县区", "需入户调查单位数"]
    assert table.rows() == [("340602", 3), ("340603", 3), ("340604", 2), ("340621", 2)]
    assert table["需入户调查单位数"].sum() == result.height


def test_unit_name_normalisation() -> None:
    """Names fold full-width forms, brackets, 有限责任公司 and the city prefix, keeping content."""
    raw = pl.DataFrame(
        {
            "n": [
                "淮北矿业（集团）有限责任公司",
                "安徽省淮北市 华晨 商贸有限公司",
                "某某公司(淮北分公司)",
                "ａｂｃ科技",
                "  ",
            ]
        }
    )
    out = raw.select(unit_name_expr(pl.col("n")))["n"].to_list()
    assert out == [
        "淮北矿业集团有限公司",
        "华晨商贸有限公司",
        "某某公司淮北分公司",
        "ABC科技",
        None,
    ]


def test_empty_inputs_give_an_empty_result() -> None:
    """No registry and no insured units give an empty frame with the documented columns."""
    empty = pl.DataFrame(schema={c: pl.String for c in HEADERS.values()} | {"_file": pl.String})
    out = match_units(empty.lazy(), empty.lazy())
    assert out.columns == list(UNIT_COLUMNS) and out.height == 0
    assert units_per_county(out).height == 0


def test_frames_without_a_uscc_column_are_matched_by_name() -> None:
    """Missing fields count as null: an insured unit of the same name covers a registry unit."""
    names = ["淮北市甲公司", "淮北市乙公司", "淮北市丙公司"]
    registry = pl.DataFrame({"unit_name": names, "region": ["340602"] * 3})
    insured = pl.DataFrame({"unit_name": names[:1], "region": ["340602"]})
    out = match_units(registry.lazy(), insured.lazy())
    assert out.columns == list(UNIT_COLUMNS)
    rows = set(out.select("单位名称", "原因代码").iter_rows())
    assert rows == {
        ("淮北市乙公司", "not_insured"),
        ("淮北市丙公司", "not_insured"),
        ("淮北市甲公司", "invalid_uscc"),
    }
