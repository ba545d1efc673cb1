"""docs/match.md, "The area": non-local versus not_in_household by the ID's own region."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from canbao.match import run_match
from canbao.match.summary_model import AreaBasis
from tests.match_helpers import person, pid, read_csv, write_rosters
from tests.test_match_repairs import typo

AS_OF = date(2017, 6, 30)


def _city_exports(tmp_path: Path) -> tuple[dict, list[str], str, str]:
    """20 enrolees all insured in 濉溪县; two (a tenth) hold IDs of 南京 and 合肥 and no hukou.

    One more record holds a local ID one digit away from a household person's, insured in
    Nanjing: a person of the area the police roster does not know (or a mistyped ID).
    """
    locals_ = [pid(f"19{60 + i}0101", 101 + i) for i in range(18)]
    outsiders = [pid("19850101", 301, "320102"), pid("19860101", 302, "340101")]
    household = [person(p, f"张{i}") for i, p in enumerate(locals_)]
    records = [[p, f"张{i}", "11", "340621", "参保缴费"] for i, p in enumerate(locals_)]
    records += [[p, "外来", "11", "340621", "参保缴费"] for p in outsiders]
    unknown = typo(locals_[0], 14, "7", valid=True)
    records.append([unknown, "张0", "11", "320102", "参保缴费"])
    return write_rosters(tmp_path, household, records), outsiders, unknown, locals_[0]


def test_outside_ids_insured_in_the_city_are_non_local_not_conflicts(tmp_path: Path) -> None:
    """Records of outside IDs insured in the city are non_local; none of them is a conflict."""
    args, outsiders, _, _ = _city_exports(tmp_path)
    result = run_match(args, as_of=AS_OF, output=tmp_path / "out")
    assert result.summary.non_local == 2
    non_local = read_csv(tmp_path / "out" / "non_local.csv")
    assert sorted(non_local["公民身份号码"].to_list()) == sorted(outsiders)
    conflicts = read_csv(tmp_path / "out" / "conflicts.csv")
    assert not set(outsiders) & set(conflicts["公民身份号码"].to_list())
    assert not result.summary.failed()


def test_a_local_id_missing_from_the_household_roster_gets_a_suggested_link(
    tmp_path: Path,
) -> None:
    """A local ID in no roster is not_in_household, wherever insured, and linked to its person."""
    args, _, unknown, right = _city_exports(tmp_path)
    result = run_match(args, as_of=AS_OF, output=tmp_path / "out")
    assert result.summary.not_in_household == 1
    conflicts = read_csv(tmp_path / "out" / "conflicts.csv")
    kinds = conflicts.filter(pl.col("公民身份号码") == unknown)["类别代码"].to_list()
    assert kinds == ["not_in_household"]
    links = read_csv(tmp_path / "out" / "suggested_links.csv").filter(pl.col("rank") == "1")
    assert links.select("记录公民身份号码", "公民身份号码").rows() == [(unknown, right)]


def test_a_retired_code_of_the_city_counts_inside_the_default_area(tmp_path: Path) -> None:
    """An ID of Huaibei's 郊区 (340611, retired 1984) is inside the default area by its city."""
    local = pid("19700101", 101)
    retired = pid("19600101", 201, "340611")
    records = [
        [local, "张三", "11", "340621", "参保缴费"],
        [retired, "李四", "11", "340621", "参保缴费"],
    ]
    args = write_rosters(tmp_path, [person(local)], records)
    result = run_match(args, as_of=AS_OF, output=tmp_path / "out")
    assert (result.summary.not_in_household, result.summary.non_local) == (1, 0)
    explicit = run_match(args, as_of=AS_OF, area=["340621"], output=tmp_path / "out2")
    assert (explicit.summary.not_in_household, explicit.summary.non_local) == (0, 1)


def test_the_summary_says_at_which_level_the_area_was_taken(tmp_path: Path) -> None:
    """area_basis: by the city 淮北市 for the default area, by 濉溪县's code for --area 340621."""
    local = pid("19700101", 101)
    args = write_rosters(tmp_path, [person(local)], [[local, "张三", "11", "340621", "参保缴费"]])
    default = run_match(args, as_of=AS_OF, output=tmp_path / "out")
    assert default.summary.area_basis == AreaBasis(
        explicit=False, by_city={"3406": "淮北市"}, by_code={}
    )
    explicit = run_match(args, as_of=AS_OF, area=["340621"], output=tmp_path / "out2")
    assert explicit.summary.area_basis.by_code == {"340621": "濉溪县"}
