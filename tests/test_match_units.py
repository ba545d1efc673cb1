"""``canbao match --units --insured-units``: employers needing a survey end to end."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.match.units import UNIT_COLUMNS
from tests.match_helpers import person, pid, read_csv, write_rosters

UNITS = Path(__file__).resolve().parent.parent / "examples" / "units"
REGENERATE = "regenerate with: uv run --locked python scripts/regenerate_golden.py units --checked"
runner = CliRunner()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """One match run with two persons (濉溪县, 杜集区) and the examples/units rosters."""
    folder = tmp_path_factory.mktemp("units")
    a, b = pid("19800101", 101), pid("19900101", 103, region="340602")
    household = [person(a), person(b, "李四")]
    household[1][3] = "340602"
    args = write_rosters(folder, household, [[a, "张三", "21", "340621", "参保缴费"]])
    cli = ["match", "--household", str(args["household"][0])]  # type: ignore[index]
    cli += ["--pension", str(args["pension"][0])]  # type: ignore[index]
    cli += ["--units", str(UNITS / "registry.csv"), "--insured-units", str(UNITS / "insured.csv")]
    cli += ["--as-of", "2017-06-30", "--output", str(folder / "out"), "--json", "--quiet"]
    result = runner.invoke(app, cli)
    assert result.exit_code == 0, result.output
    return folder / "out", json.loads(result.stdout)


def test_units_needing_survey_equal_the_golden_file(run: tuple[Path, dict[str, object]]) -> None:
    """units_needing_survey.csv equals the golden file (insured units have no 单位类型 field)."""
    out, _ = run
    got = read_csv(out / "units_needing_survey.csv")
    expected = read_csv(UNITS / "expected_units_needing_survey.csv")
    # The insured_units roster kind has no unit_type field, so its rows carry none.
    expected = expected.with_columns(
        pl.when(pl.col("原因代码") == "invalid_uscc")
        .then(None)
        .otherwise(pl.col("单位类型"))
        .alias("单位类型")
    )
    assert got.columns == list(UNIT_COLUMNS)
    assert got.to_dicts() == expected.to_dicts(), REGENERATE


def test_summary_counts_units_and_their_conservation(run: tuple[Path, dict[str, object]]) -> None:
    """The summary counts registry and insured rows, both reasons, and balances the registry."""
    _, summary = run
    units = summary["units"]
    assert isinstance(units, dict)
    assert units["registry_rows"] == 11 and units["insured_rows"] == 11
    assert units["not_insured"] == 6 and units["invalid_uscc"] == 4
    assert units["needing_survey"] == 10
    equations = {eq["equation"]: eq for eq in summary["conservation"]}  # type: ignore[attr-defined]
    registry = equations[
        "registry_rows = insured_by_uscc + insured_by_name + insured_by_fuzzy_name + not_insured"
    ]
    assert registry["ok"] and registry["left"] == 11
    assert all(eq["ok"] for eq in equations.values())
    kinds = [item["kind"] for item in summary["inputs"]]  # type: ignore[attr-defined]
    assert {"units", "insured_units"} <= set(kinds)


def test_task_table_gains_the_unit_column(run: tuple[Path, dict[str, object]]) -> None:
    """task_table has 需入户调查单位数 per county (counties with units only too) and in 合计."""
    out, _ = run
    task = read_csv(out / "task_table.csv")
    assert task.columns[:5] == [
        "县区代码",
        "县（区）",
        "需入户调查人员数",
        "需入户调查单位数",
        "流动人口需入户调查人员数",
    ]
    units = dict(zip(task["县（区）"], task["需入户调查单位数"], strict=True))
    assert units == {"杜集区": "3", "相山区": "3", "烈山区": "2", "濉溪县": "2", "合计": "10"}
    persons = dict(zip(task["县（区）"], task["需入户调查人员数"], strict=True))
    assert persons["相山区"] == "0" and persons["合计"] == "2"


def test_without_units_the_task_table_is_unchanged(tmp_path: Path) -> None:
    """Without --units the task table has no unit column and the summary's units is null."""
    p = pid("19800101")
    args = write_rosters(tmp_path, [person(p)], [[p, "张三", "21", "340621", "参保缴费"]])
    cli = ["match", "--household", str(args["household"][0]), "--output", str(tmp_path / "o")]
    result = runner.invoke(app, [*cli, "--as-of", "2017-06-30", "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["units"] is None
    assert "需入户调查单位数" not in read_csv(tmp_path / "o" / "task_table.csv").columns
    assert not (tmp_path / "o" / "units_needing_survey.csv").exists()
