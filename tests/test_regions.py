"""GB/T 2260 region codes and names from python-stdnum's data."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_series_equal

from canbao import regions
from canbao.errors import InputError


def test_a_county_outside_anhui_has_its_name() -> None:
    """320102 is 玄武区 of 南京市, 江苏省."""
    found = regions.region("320102")
    assert found is not None
    assert (found.name, found.city, found.province, found.retired) == (
        "玄武区",
        "南京市",
        "江苏省",
        False,
    )


def test_a_retired_code_counts_by_its_city() -> None:
    """Huaibei's 郊区 (340611, 1983-1984) is retired and counts by 淮北市 (340600)."""
    found = regions.region("340611")
    assert found is not None and found.retired and found.valid_until == 1984
    assert regions.successor("340611") == "340600"
    assert regions.successor("340602") == "340602"


def test_a_renamed_code_keeps_its_latest_name() -> None:
    """340102 was 东市区 until 2001 and is 瑶海区 since: the latest name is shown."""
    assert regions.county_name("340102") == "瑶海区"


def test_names_repeat_so_a_name_alone_is_ambiguous() -> None:
    """鼓楼区 names four counties; inside 3201 it is 320106 only."""
    assert regions.county_code("鼓楼区", within=["3201"]) == "320106"
    with pytest.raises(InputError, match="320106、320302"):
        regions.county_code("鼓楼区", where="县区上报.csv 第 3 行")


def test_an_unknown_name_is_a_clear_error() -> None:
    """A name that is no county of the area names the area and the fix."""
    with pytest.raises(InputError, match="3406") as caught:
        regions.county_code("不存在区", within=["3406"])
    assert caught.value.fix is not None and "340602" in caught.value.fix


def test_the_name_expression_keeps_unknown_codes() -> None:
    """The vectorised lookup shows names and leaves an unknown code as written."""
    got = (
        pl.Series(["320102", "999999", None])
        .to_frame("c")
        .select(regions.county_name_expr(pl.col("c")))["c"]
    )
    assert_series_equal(got, pl.Series("c", ["玄武区", "999999", None]))


def test_an_unknown_value_that_is_no_region_name_is_masked() -> None:
    """A person's name typed into the county column is not quoted whole; a misspelt 区 is."""
    with pytest.raises(InputError) as caught:
        regions.county_code("王小娜")
    assert "王小娜" not in caught.value.render() and "王**" in caught.value.render()
    with pytest.raises(InputError, match="杜吉区"):
        regions.county_code("杜吉区")
