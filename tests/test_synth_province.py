"""The generator's province mode (canbao.synth.area): a province's counties, chunk by chunk."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from canbao import regions
from canbao.cli import app
from canbao.synth import generate_city
from canbao.synth.area import HUAIBEI, province_chunks, province_counties
from canbao.synth.units import INSURED_FILE, REGISTRY_FILE, SUMMARY_FILE, unit_count
from tests.test_match_examples import match_args

GAP_KEY = ["公民身份号码", "类别代码", "单位编号"]
UNIT_KEY = ["县区", "单位编号", "原因代码", "来源文件", "行号"]

AS_OF = date(2017, 6, 30)
# 7,000 persons over counties of 1,000 in chunks of 2,000: seven counties, three chunks.
SMALL = (1_000, 2_000)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small messy province city with legal-group rosters, generated in three chunks."""
    out = tmp_path_factory.mktemp("province") / "city"
    generate_city(7_000, seed=16, as_of=AS_OF, output=out, province=SMALL, legal_groups=True)
    return out


@given(st.integers(min_value=1, max_value=200_000_000))
@settings(max_examples=40, deadline=None)
def test_chunks_hold_every_person_and_county_once(persons: int) -> None:
    """The chunks' persons add up, their counties are real and distinct, their codes disjoint."""
    chunks = province_chunks(persons)
    assert sum(size for _, size in chunks) == persons
    counties = [c for area, _ in chunks for c in area.counties]
    assert counties == province_counties(persons)
    assert len(set(counties)) == len(counties) >= 2
    assert all(len(area.counties) >= 2 for area, _ in chunks)
    assert all(not regions.region(c).retired for c in counties)  # type: ignore[union-attr]
    elsewhere = [c for area, _ in chunks for c in area.id_elsewhere]
    assert len(set(elsewhere)) == len(elsewhere)
    assert not {c[:2] for c in elsewhere + [o for a, _ in chunks for o in a.outside]} & {
        c[:2] for c in counties
    }
    assert [area.retired for area, _ in chunks].count(None) >= len(chunks) - 1


def test_counties_scale_with_the_city() -> None:
    """A bigger city gets more counties of about the same size, not bigger ones."""
    assert len(province_counties(1_000_000)) == 2
    assert len(province_counties(10_000_000)) == 20
    assert len(province_counties(30_000_000)) == 60
    assert province_counties(30_000_000)[0] == "340102"
    assert HUAIBEI.counties == ("340621", "340602", "340603", "340604")


def test_province_city_spreads_persons_over_its_counties(province: Path) -> None:
    """Every county of the plan has persons, IDs are unique, the manifest names the area."""
    manifest = json.loads((province / "manifest.json").read_text(encoding="utf-8"))
    counties = [c for area, _ in province_chunks(7_000, *SMALL) for c in area.counties]
    assert manifest["area"] == counties
    household = pl.read_csv(province / "household.csv", infer_schema=False)
    assert household.height == manifest["persons"] + manifest["stories"].get("duplicate_row", 0)
    per_county = household.group_by("县区").len()
    assert sorted(per_county["县区"].to_list()) == sorted(counties)
    ids = household.filter(pl.col("公民身份号码").str.len_chars() == 18).unique("公民身份号码")
    assert ids.height > 0.9 * manifest["persons"]


def test_province_units_lie_in_its_counties(province: Path) -> None:
    """The unit rosters are listed among the rosters and spread over the province's counties."""
    manifest = json.loads((province / "manifest.json").read_text(encoding="utf-8"))
    kinds = {info["kind"]: name for name, info in manifest["rosters"].items()}
    assert kinds["units"] == REGISTRY_FILE and kinds["insured_units"] == INSURED_FILE
    registry = pl.read_csv(province / REGISTRY_FILE, infer_schema=False)
    assert registry.height == unit_count(7_000) == 280
    assert sorted(set(registry["行政区划代码"])) == sorted(manifest["area"])
    assert not registry["单位名称"].str.starts_with("淮北市").any()


def test_match_of_a_province_city_finds_the_planted_truth(province: Path, tmp_path: Path) -> None:
    """canbao match on a province city (three chunks) finds exactly what was planted."""
    out = tmp_path / "out"
    result = CliRunner().invoke(app, match_args(out, province))
    assert result.exit_code == 0, result.stderr
    got = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    exp = json.loads((province / "expected" / "summary_expected.json").read_text("utf-8"))
    for key in ["target", "confirmed", "needs_survey", "conflicts", "non_local"]:
        assert got[key] == exp[key], key
    assert got["not_in_household"] == exp["not_in_household"] > 0
    assert got["uninsured"] == exp["uninsured"]["persons"]
    found = pl.read_csv(out / "needs_survey.csv", infer_schema=False)
    found = found.select("公民身份号码", "原因代码")
    planted = pl.read_csv(province / "expected" / "needs_survey.csv", infer_schema=False)
    assert sorted(found.iter_rows()) == sorted(planted.select(found.columns).iter_rows())
    units = json.loads((province / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert got["units"] == units and units["needing_survey"] > 0
    assert got["legal_groups"]["persons"] == exp["legal_groups"]["legal_group"] > 0
    for name, key in [("legal_group_gaps", GAP_KEY), ("units_needing_survey", UNIT_KEY)]:
        found = pl.read_csv(out / f"{name}.csv", infer_schema=False)
        if "来源文件" in key:  # the match names the file by its path
            found = found.with_columns(pl.col("来源文件").str.extract(r"([^/\\]+)$"))
        planted = pl.read_csv(province / "expected" / f"{name}.csv", infer_schema=False)
        assert planted.height > 0
        assert sorted(found.select(key).iter_rows()) == sorted(planted.select(key).iter_rows())


def test_rosters_only_writes_the_same_rosters(province: Path, tmp_path: Path) -> None:
    """rosters_only leaves out the truth and ledgers, and writes the same rosters (units and
    legal-group rosters included)."""
    out = tmp_path / "bare"
    generate_city(
        7_000, seed=16, as_of=AS_OF, output=out, province=SMALL, legal_groups=True,
        rosters_only=True,
    )  # fmt: skip
    assert not (out / "expected").exists()
    assert sorted(p.name for p in out.glob("ledger_*")) == []
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {"units", "insured_units", "injury"} <= {i["kind"] for i in manifest["rosters"].values()}
    for name in manifest["rosters"]:
        assert (out / name).read_bytes() == (province / name).read_bytes(), name


def test_demo_command_writes_a_bare_province(tmp_path: Path) -> None:
    """`canbao demo --province --rosters-only` writes the rosters of two counties and says so."""
    out = tmp_path / "p"
    args = ["demo", "-o", str(out), "--persons", "2000", "--province", "--rosters-only"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["province"] is manifest["rosters_only"] is True
    assert manifest["area"] == ["340102", "340103"]
    assert str(out) in result.stdout
    assert "--province --rosters-only" in (out / "README.md").read_text(encoding="utf-8")
