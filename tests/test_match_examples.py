"""``canbao match`` on examples/city: the planted truth and the golden result files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from canbao.match.national_book import read_basic_tables

CITY = Path(__file__).parent.parent / "examples" / "city"
GOLDEN = CITY / "golden"
RESULT_FILES = [
    "needs_survey.csv",
    "uninsured.csv",
    "duplicates.csv",
    "conflicts.csv",
    "confirmed.csv",
    "non_local.csv",
    "unreadable.csv",
    "task_table.csv",
    "suggested_links.csv",
    # Header only: the example city has no injury, unemployment or maternity roster.
    "legal_group_gaps.csv",
    "legal_group_units.csv",
]
VOLATILE = {"inputs", "canbao_version"}
# Named in every golden failure: how the reviewed files are rewritten after a checked change.
REGENERATE = "regenerate with: uv run --locked python scripts/regenerate_golden.py match --checked"


def match_args(output: Path, city: Path = CITY) -> list[str]:
    """The command line that matches the example city (the same as make demo's)."""
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    args = ["match", "--as-of", manifest["as_of"], "--output", str(output), "--quiet"]
    for name, info in manifest["rosters"].items():
        args += [f"--{info['kind'].replace('_', '-')}", str(city / name)]
    return args


@pytest.fixture
def out(example_city_output: Path) -> Path:
    """The match of examples/city, run once per session (tests/conftest.py)."""
    return example_city_output


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def test_needs_survey_equals_the_planted_truth(out: Path) -> None:
    """Every person and reason of needs_survey is the one the generator planted."""
    got = {(r["公民身份号码"], r["原因代码"]) for r in _read(out / "needs_survey.csv").to_dicts()}
    exp = {
        (r["公民身份号码"], r["原因代码"])
        for r in _read(CITY / "expected" / "needs_survey.csv").to_dicts()
    }
    assert got == exp


def test_uninsured_flags_equal_the_planted_truth(out: Path) -> None:
    """Every uninsured person carries exactly the planted flags."""
    flags = ["missing_pension", "missing_medical", "interrupted", "no_insurance"]
    got = {(r["公民身份号码"], r["类别代码"]) for r in _read(out / "uninsured.csv").to_dicts()}
    exp = {
        (r["公民身份号码"], ";".join(f for f in flags if r[f] == "true"))
        for r in _read(CITY / "expected" / "uninsured.csv").to_dicts()
    }
    assert got == exp


def test_duplicates_conflicts_and_non_local_equal_the_planted_truth(out: Path) -> None:
    """Duplicates by person, type and kind; conflicts and non-local records by file and line."""
    cols = ["公民身份号码", "险种类型", "类别代码"]
    assert set(_read(out / "duplicates.csv").select(cols).iter_rows()) == set(
        _read(CITY / "expected" / "duplicates.csv").select(cols).iter_rows()
    )
    got = _read(out / "conflicts.csv").select("公民身份号码", "来源文件", "行号", "类别代码")
    exp = _read(CITY / "expected" / "conflicts.csv").select(
        "公民身份号码", "_file", "_line", "类别代码"
    )
    assert sorted(got.iter_rows()) == sorted(exp.iter_rows())
    got_nl = _read(out / "non_local.csv").select("公民身份号码", "来源文件", "行号")
    exp_nl = _read(CITY / "expected" / "non_local.csv").select("公民身份号码", "_file", "_line")
    assert sorted(got_nl.iter_rows()) == sorted(exp_nl.iter_rows())


def test_summary_counts_equal_the_planted_truth(out: Path) -> None:
    """The summary's counts equal the generator's expected summary and conservation holds."""
    got = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    exp = json.loads((CITY / "expected" / "summary_expected.json").read_text(encoding="utf-8"))
    for key in [
        "household_rows",
        "floating_rows",
        "target",
        "excluded",
        "confirmed",
        "needs_survey",
        "duplicates",
        "conflicts",
        "non_local",
        "invalid_ids",
        "household_invalid_ids",
        "not_in_household",
        "enrolment_rows",
    ]:
        assert got[key] == exp[key], key
    assert got["uninsured"] == exp["uninsured"]["persons"]
    assert all(eq["ok"] for eq in got["conservation"])


@pytest.mark.parametrize("name", RESULT_FILES)
def test_result_file_equals_its_golden_file(out: Path, name: str) -> None:
    """Each result file is byte for byte the reviewed golden file."""
    assert (out / name).read_bytes() == (GOLDEN / name).read_bytes(), REGENERATE


def test_summary_equals_its_golden_file(out: Path) -> None:
    """summary.json equals the golden one but for input paths and the version."""
    got = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    exp = json.loads((GOLDEN / "summary.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in got.items() if k not in VOLATILE} == {
        k: v for k, v in exp.items() if k not in VOLATILE
    }, REGENERATE
    assert [(Path(i["file"]).name, i["rows"], i["sha256"]) for i in got["inputs"]] == [
        (Path(i["file"]).name, i["rows"], i["sha256"]) for i in exp["inputs"]
    ], REGENERATE


def test_basic_data_tables_hold_their_logic_relations(out: Path) -> None:
    """人社厅发〔2017〕28号's relations hold on every county row of table (一)."""
    got = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    relations = got["tables"]["basic_data_table_relations"]
    assert relations
    assert all(r["ok"] for r in relations)


@pytest.mark.parametrize("sheet", ["基础数据情况表(一)", "基础数据情况表(二)", "逻辑关系校验"])
def test_basic_data_tables_equal_the_golden_workbook(out: Path, sheet: str) -> None:
    """Each sheet of the national tables holds the golden workbook's cells (read as text)."""
    name = "basic_data_tables.xlsx"
    got = read_basic_tables(out / name)[sheet]
    want = read_basic_tables(GOLDEN / name)[sheet]
    try:
        assert_frame_equal(got, want)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{REGENERATE}") from error
