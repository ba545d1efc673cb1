"""Golden tests: the example submissions scored by each shipped rule set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scripts.regenerate_golden import CASES, run_case, workbook_cells
from typer.testing import CliRunner

from canbao.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "score"
REGENERATE = "regenerate with: uv run --locked python scripts/regenerate_golden.py score --checked"

runner = CliRunner()


@pytest.mark.parametrize("case", list(CASES))
def test_example_equals_golden(case: str, tmp_path: Path) -> None:
    """Workbook (cell by cell, merged ranges) and JSON equal the checked goldens."""
    expected = EXAMPLES / "expected" / case
    data = run_case(case, tmp_path / case)
    assert data == json.loads((expected / f"{case}.json").read_text(encoding="utf-8")), REGENERATE
    got = workbook_cells(tmp_path / case / f"{case}.xlsx")
    want = workbook_cells(expected / f"{case}.xlsx")
    assert [k for k in want if got.get(k) != want[k]] == [], REGENERATE
    assert set(got) == set(want), REGENERATE


def test_cli_json_is_exactly_the_documented_shape(tmp_path: Path) -> None:
    """--json prints {"rules", "counties": [{"county", "code", "total", "scores", "fee"}]} only."""
    result = runner.invoke(
        app,
        [
            "score",
            "--rules",
            str(ROOT / "rules" / "changzhou-2016.yaml"),
            str(EXAMPLES / "changzhou-2016-submission.csv"),
            "--output",
            str(tmp_path / "o"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["rules", "counties"]
    first = data["counties"][0]
    assert list(first) == ["county", "code", "total", "scores", "fee"]
    assert (first["county"], first["code"], first["total"]) == ("新北区", "320411", "90.0")
    assert first["fee"] == {
        "entered": 61234,
        "base": "183702.00",
        "ratio": "1.00",
        "amount": "183702.00",
    }
    assert [c["fee"]["ratio"] for c in data["counties"]] == ["1.00", "0.90", "0.80"]
    assert (tmp_path / "o" / "changzhou-2016.xlsx").exists()


def test_cli_prints_ranking_rounding_rule_and_workbook(tmp_path: Path) -> None:
    """Without --json the ranking, the rounding rule and the workbook path are printed."""
    out = tmp_path / "o"
    result = runner.invoke(
        app,
        [
            "score",
            "--rules",
            str(ROOT / "rules" / "changzhou-2016.yaml"),
            str(EXAMPLES / "changzhou-2016-submission.csv"),
            "--output",
            str(out),
            "--self",
            str(EXAMPLES / "changzhou-2016-self.csv"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "1. 新北区  总分 90.0  考核费用 183702.00 元"
    assert "钟楼区：自评高于上级评估，指标 3, 5, 8, 9, 10, 11" in lines
    assert lines[-1] == f"考核评估表：{out / 'changzhou-2016.xlsx'}"
    assert any("四舍五入到分" in line for line in lines)


def test_huaibei_json_without_fee_has_null_fee(tmp_path: Path) -> None:
    """A rule set without fees gives "fee": null and every indicator scored."""
    data = run_case("huaibei-2017", tmp_path / "h")
    first = data["counties"][0]  # type: ignore[index]
    assert first["fee"] is None and len(first["scores"]) == 38 and first["total"] == "93.0"


def test_mohrss_relations_are_checked(tmp_path: Path) -> None:
    """The MOHRSS rule set reports rates and the relation 杜集区 breaks."""
    data = run_case("mohrss-2017", tmp_path / "m")
    by = {c["county"]: c for c in data["counties"]}  # type: ignore[attr-defined]
    assert by["杜集区"]["checks"]["(1)=(2)-(3)+(4)+(5)"] is False
    assert by["濉溪县"]["scores"]["5"] == "92.50%"
    assert by["烈山区"]["scores"]["8"] == "—"
