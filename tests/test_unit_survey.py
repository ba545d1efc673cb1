"""Units of the synthetic city: the match finds the planted units; forms survey writes sheets."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from canbao.cli import app
from canbao.forms import write_survey_forms
from canbao.forms.unit_entry_sheet import UNIT_ENTRY_SHEET, UNIT_HEADER_ROW, UNIT_HEADINGS
from canbao.forms.unit_survey import UNIT_ENTRY_FILE, UNIT_ROSTER_FILE, UNITS_DIR
from canbao.match.units import match_units_counted
from canbao.synth import generate_city
from canbao.synth.units import (
    BROKEN_KINDS,
    INSURED_FILE,
    REGISTRY_FILE,
    UNIT_STORIES,
    build_units,
)
from canbao.uscc import validate_uscc
from tests.test_match_examples import match_args

AS_OF = date(2017, 6, 30)


def unit_match_args(output: Path, city: Path) -> list[str]:
    """The example's match command line with the city's two unit rosters."""
    return [
        *match_args(output, city),
        "--units",
        str(city / REGISTRY_FILE),
        "--insured-units",
        str(city / INSURED_FILE),
    ]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A generated city (messy exports) matched with its unit rosters."""
    base = tmp_path_factory.mktemp("unit-city")
    generate_city(1500, seed=11, as_of=AS_OF, output=base / "city")
    result = CliRunner().invoke(app, unit_match_args(base / "match", base / "city"))
    assert result.exit_code == 0, result.output
    return {"city": base / "city", "match": base / "match", "base": base}


def _keys(frame: pl.DataFrame) -> set[tuple[str, ...]]:
    return set(frame.select("县区", "单位编号", "原因代码", "来源文件", "行号").iter_rows())


def test_units_needing_survey_equal_the_planted_truth(city: dict[str, Any]) -> None:
    """Every planted unit, and no other, is in units_needing_survey with its reason and line."""
    found = pl.read_csv(city["match"] / "units_needing_survey.csv", infer_schema=False)
    found = found.with_columns(pl.col("来源文件").str.extract(r"([^/\\]+)$"))
    truth = pl.read_csv(city["city"] / "expected" / "units_needing_survey.csv", infer_schema=False)
    assert truth.height > 0
    assert _keys(found) == _keys(truth)


def test_unit_counts_in_the_summary_equal_the_truth(city: dict[str, Any]) -> None:
    """summary.json's unit counts (by code, by name, by a near name ...) are the planted ones."""
    summary = json.loads((city["match"] / "summary.json").read_text(encoding="utf-8"))
    expected = city["city"] / "expected" / "units_summary_expected.json"
    assert summary["units"] == json.loads(expected.read_text(encoding="utf-8"))
    task = pl.read_csv(city["match"] / "task_table.csv", infer_schema=False)
    assert "需入户调查单位数" in task.columns


def test_every_unit_story_and_broken_code_is_planted(city: dict[str, Any]) -> None:
    """The city holds each story, and each way of breaking a code, at least once."""
    stories = pl.read_csv(city["city"] / "expected" / "unit_stories.csv", infer_schema=False)
    assert set(stories["story"]) == {name for name, _ in UNIT_STORIES}
    insured = pl.read_csv(city["city"] / INSURED_FILE, infer_schema=False, encoding="gb18030")
    reasons = {validate_uscc(v) for v in insured["统一社会信用代码"].to_list()}
    assert {"missing", "check_digit", "length", "characters"} <= reasons
    assert set(BROKEN_KINDS) == reasons - {None}


def test_name_variants_differ_only_in_company_form_and_brackets(city: dict[str, Any]) -> None:
    """Some registry and insured names differ only in 有限公司/有限责任公司 and bracket width."""
    registry = pl.read_csv(city["city"] / REGISTRY_FILE, infer_schema=False)
    insured = pl.read_csv(city["city"] / INSURED_FILE, infer_schema=False, encoding="gb18030")
    names = set(registry["单位名称"].str.strip_prefix("淮北市").to_list())
    variants = insured["单位名称"].to_list()
    by_form = [
        v for v in variants if v.replace("有限责任公司", "有限公司") in names and v not in names
    ]
    brackets = [
        v
        for v in variants
        if "(" in v
        and v.replace("(", "（").replace(")", "）").replace("有限责任公司", "有限公司") in names
    ]
    assert by_form and brackets


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**32), persons=st.integers(1, 4000))
def test_match_units_finds_the_truth_for_any_seed(seed: int, persons: int) -> None:
    """For any seed and size, matching the generated unit rosters gives exactly the truth."""
    registry, insured, expected = build_units(seed, persons)
    fields = {
        "统一社会信用代码": "uscc",
        "单位编号": "unit_number",
        "单位名称": "unit_name",
        "单位类型": "unit_type",
        "行政区划代码": "region",
        "行号": "_line",
    }
    found, _ = match_units_counted(
        registry.rename(fields).with_columns(pl.lit(REGISTRY_FILE).alias("_file")),
        insured.rename(fields).with_columns(pl.lit(INSURED_FILE).alias("_file")),
    )
    got = set(found.select("单位编号", "原因代码", "来源文件", "行号").iter_rows())
    assert got == set(expected.select("单位编号", "原因代码", "来源文件", "行号").iter_rows())


def test_same_seed_same_units_other_seed_other_units() -> None:
    """The units follow the seed: equal for one seed, different for another."""
    first, second, other = (build_units(s, 900)[0] for s in (4, 4, 5))
    assert first.equals(second)
    assert not first.equals(other)


def test_forms_survey_writes_a_unit_roster_and_entry_sheet_per_county(
    city: dict[str, Any],
) -> None:
    """Per county: the roster with the official items, an entry sheet with drop-downs."""
    out = city["base"] / "forms-cli"
    result = CliRunner().invoke(
        app, ["forms", "survey", "--from", str(city["match"]), "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    units = pl.read_csv(city["match"] / "units_needing_survey.csv", infer_schema=False)
    assert f"共 {units.height} 个需入户调查单位" in result.output
    index = pl.read_csv(out / UNITS_DIR / "index.csv", infer_schema=False)
    assert index["单位数"].cast(pl.Int64).sum() == units.height
    assert sorted(index["行政区划代码"]) == sorted(units["县区"].unique())
    folder = out / index["目录"][0]
    roster = load_workbook(folder / UNIT_ROSTER_FILE).active
    assert roster is not None
    headings = [c.value for c in roster[3]]
    assert headings == [
        "序号",
        "行政区划代码",
        "单位编号",
        "统一社会信用代码",
        "单位名称",
        "单位类型",
        "调查原因",
    ]
    assert roster.print_title_rows == "$3:$3"
    book = load_workbook(folder / UNIT_ENTRY_FILE)
    sheet = book[UNIT_ENTRY_SHEET]
    assert [c.value for c in sheet[UNIT_HEADER_ROW]] == list(UNIT_HEADINGS)
    lists = {str(dv.sqref).split(":")[0][0] for dv in sheet.data_validations.dataValidation}
    coded = {"单位类型", "是否入户调查", "是否确认登记"}
    letters = {chr(ord("A") + UNIT_HEADINGS.index(h)) for h in coded}
    assert lists == letters
    county = str(index["行政区划代码"][0])
    first = sheet.cell(UNIT_HEADER_ROW + 1, 2).value
    assert str(first).startswith(county + " ")


def test_unit_sheets_hold_no_formula(tmp_path: Path) -> None:
    """A unit name written like a formula reaches the roster and entry sheet as quoted text."""
    match = tmp_path / "match"
    match.mkdir()
    src = Path(__file__).resolve().parents[1] / "examples" / "survey" / "needs_survey.csv"
    (match / "needs_survey.csv").write_bytes(src.read_bytes())
    pl.DataFrame(
        {
            "县区": ["340602"],
            "统一社会信用代码": ["'=1+2"],
            "单位编号": ["D1"],
            "单位名称": ['=HYPERLINK("http://x","y")'],
            "单位类型": ["企业"],
            "原因代码": ["not_insured"],
            "原因": ["登记注册未参保"],
        }
    ).write_csv(match / "units_needing_survey.csv")
    forms = write_survey_forms(match, tmp_path / "forms", by="county")
    assert [g.units for g in forms.units] == [1]
    for path, row in (
        (forms.unit_entry_sheets()[0], 4),
        (forms.output / forms.units[0].directory / UNIT_ROSTER_FILE, 4),
    ):
        ws = load_workbook(path).worksheets[0]
        cells = [c for c in ws[row] if isinstance(c.value, str) and c.value.startswith("=")]
        assert cells, path
        assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_seal_packs_each_county_unit_folder(city: dict[str, Any]) -> None:
    """With --seal, each county's unit folder gets its own AES-256 archive and password."""
    forms = write_survey_forms(city["match"], city["base"] / "sealed", by="county", seal=True)
    unit_archives = {a for a in forms.sealed if a.startswith(f"sealed/{UNITS_DIR}-")}
    assert len(unit_archives) == len(forms.units) > 0
    assert all((forms.output / a).is_file() for a in unit_archives)
