"""Unit intake: forms out, unit sheets filled with one mistake of each kind, intake back."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.forms import run_intake
from canbao.forms.unit_intake import UNIT_FACTS, UNIT_PROBLEMS, UNIT_PROBLEMS_FILE
from canbao.synth import generate_city
from canbao.synth._unit_clerk import (
    KINDS,
    PlantedUnitMistakes,
    fill_unit_entry_sheets,
    valid_uscc,
)
from tests.test_unit_survey import unit_match_args

AS_OF = date(2017, 6, 30)
RULES = Path(__file__).resolve().parents[1] / "rules" / "huaibei-2017.yaml"


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A generated city -> match with units -> forms survey -> a clerk fills the unit sheets."""
    base = tmp_path_factory.mktemp("unit-chain")
    generate_city(1200, seed=23, as_of=AS_OF, output=base / "city")
    _cli(*unit_match_args(base / "match", base / "city"))
    _cli("forms", "survey", "--from", str(base / "match"), "--output", str(base / "forms"))
    planted = fill_unit_entry_sheets(base / "forms", base / "filled", seed=7)
    output = _cli(
        "intake",
        *map(str, planted.files),
        "--survey",
        str(base / "match"),
        "--output",
        str(base / "intake"),
        "--rules",
        str(RULES),
        "--as-of",
        AS_OF.isoformat(),
    )
    return {"base": base, "planted": planted, "output": output}


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def test_every_kind_of_unit_mistake_was_planted(chain: dict[str, Any]) -> None:
    """The clerk found a unit for every kind of mistake intake checks, and skipped none."""
    planted: PlantedUnitMistakes = chain["planted"]
    assert planted.skipped == []
    assert sorted(p.reason for p in planted.planted) == sorted(KINDS) == sorted(UNIT_PROBLEMS)


def test_intake_finds_exactly_the_planted_unit_mistakes(chain: dict[str, Any]) -> None:
    """unit_problems.csv lists the planted mistakes (file, row, item, reason) and nothing else."""
    problems = _read(chain["base"] / "intake" / UNIT_PROBLEMS_FILE)
    found = {
        (r["文件"], int(r["行号"]), r["项目"], r["原因代码"])
        for r in problems.iter_rows(named=True)
    }
    assert found == chain["planted"].expected()
    assert problems["改正方法"].is_not_null().all()


def test_unit_facts_for_indicators_29_and_30(chain: dict[str, Any]) -> None:
    """facts.csv has each county's unit counts as the clerk's own tally gives them."""
    facts = _read(chain["base"] / "intake" / "facts.csv")
    units = facts.filter(pl.col("指标").is_in(UNIT_FACTS))
    got = {(c, k): int(v) for c, k, v in units.iter_rows()}
    planted: PlantedUnitMistakes = chain["planted"]
    counties = {c for c, _ in planted.facts}
    assert got == {(c, k): planted.facts[(c, k)] for c in counties for k in UNIT_FACTS}
    needs = _read(chain["base"] / "match" / "units_needing_survey.csv")
    assert sum(v for (_, k), v in got.items() if k == "需入户调查单位数") == needs.height
    # No person sheet was given: no person counts (zeros would score as if nobody was visited).
    assert set(facts["指标"]) == set(UNIT_FACTS)


def test_submission_carries_the_unit_facts_scoring_reads(chain: dict[str, Any]) -> None:
    """With --rules, submission.csv holds the unit facts the Huaibei rules declare."""
    submission = _read(chain["base"] / "intake" / "submission.csv")
    names = set(submission["指标"])
    assert {"开展入户调查单位数", "已通过入户调查确认登记单位数", "需入户调查单位数"} <= names


def test_cli_reports_unit_problems_chinese_first_with_the_fix(chain: dict[str, Any]) -> None:
    """The terminal names file, row, item, value and fix for each unit problem."""
    out: str = chain["output"]
    assert "单位：" in out
    assert "第 " in out and "行" in out
    assert "[invalid_uscc]，按营业执照或登记证书填写 18 位统一社会信用代码" in out
    assert "联系电话=" in out and "=0561+3051111" not in out  # a free value is masked


def test_person_and_unit_sheets_together(chain: dict[str, Any], tmp_path: Path) -> None:
    """Person and unit sheets in one intake: both parts are counted in one facts table."""
    base = chain["base"]
    persons = sorted((base / "forms").rglob("信息录入表.xlsx"))
    persons = [p for p in persons if p.name == "信息录入表.xlsx"][:1]
    result = run_intake(
        [*persons, *chain["planted"].files],
        output=tmp_path / "intake",
        survey=base / "match",
        as_of=AS_OF,
    )
    assert result.units is not None
    assert result.units.problems.height == len(chain["planted"].expected())
    names = set(result.facts["指标"])
    assert "开展入户调查人数" in names and "开展入户调查单位数" in names
    assert result.rows > 0


def test_unit_sheet_as_csv_with_each_check(tmp_path: Path) -> None:
    """A unit sheet saved as CSV is read by its headings and every check fires on its row."""
    path = tmp_path / "单位.csv"
    heading = [
        "序号", "行政区划代码", "单位编号", "统一社会信用代码", "单位名称", "单位类型",
        "调查原因", "是否入户调查", "是否确认登记", "联系人", "联系电话", "经办人", "复核人",
    ]  # fmt: skip
    good = valid_uscc("340602", 1)
    rows = [
        [
            "1",
            "340602",
            "D1",
            good[:17] + ("1" if good[17] == "0" else "0"),
            "甲公司",
            "企业",
            "",
            "是",
            "是",
            "张",
            "1",
            "",
            "",
        ],
        ["2", "杜集区", "D2", good, "乙公司", "公司制", "", "是", "是", "张", "1", "", ""],
        ["3", "340602", "D3", good, "丙公司", "企业", "", "是", "是", "", "1", "", ""],
        ["4", "340602", "D4", good, "丁公司", "企业", "", "否", "是", "张", "1", "", ""],
        ["5", "340602", "D3", good, "丙公司", "企业", "", "是", "否", "", "", "", ""],
    ]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(heading)
        writer.writerows(rows)
    result = run_intake([path], output=tmp_path / "out", as_of=AS_OF)
    assert result.units is not None
    found = {(r["行号"], r["原因代码"]) for r in result.units.problems.iter_rows(named=True)}
    assert found == {
        (2, "invalid_uscc"),
        (3, "bad_code"),
        (4, "missing_item"),
        (5, "confirmed_not_visited"),
        (6, "duplicate_entry"),
    }


def test_survey_without_units_stops_with_exit_3(chain: dict[str, Any], tmp_path: Path) -> None:
    """Unit sheets checked against a match that had no units: exit 3, Chinese first, a fix."""
    match = tmp_path / "match"
    match.mkdir()
    src = chain["base"] / "match" / "needs_survey.csv"
    (match / "needs_survey.csv").write_bytes(src.read_bytes())
    result = CliRunner().invoke(
        app,
        [
            "intake",
            str(chain["planted"].files[0]),
            "--survey",
            str(match),
            "--output",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 3
    assert "没有 units_needing_survey.csv" in result.output
    assert not (tmp_path / "out").exists()
