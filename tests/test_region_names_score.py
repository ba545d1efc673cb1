"""Scoring joins counties on their GB/T 2260 code, shows their names, and reads the task table."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from canbao.cli import app
from canbao.errors import EXIT_INPUT, EXIT_SCORING
from canbao.score import load_rules, score_evaluation

ROOT = Path(__file__).resolve().parents[1]
HUAIBEI = ROOT / "rules" / "huaibei-2017.yaml"
EXAMPLE = ROOT / "examples" / "score" / "huaibei-2017-submission.csv"
FACTS = {f.name for f in load_rules(HUAIBEI).rules.facts}


def _rows(county: str = "杜集区") -> list[list[str]]:
    """The example's rows of one county (县区, 指标, 实际值)."""
    with EXAMPLE.open(encoding="utf-8-sig") as fh:
        return [r for r in csv.reader(fh) if r[0] == county]


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["县区", "指标", "实际值"])
        out.writerows(rows)
    return path


def _score(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["score", "--rules", str(HUAIBEI), *args])
    # --json: stdout alone (the progress lines go to stderr); else both, as a user sees them.
    return result.exit_code, result.stdout if "--json" in args else result.output


def test_answers_by_name_combine_with_intake_facts_by_code(tmp_path: Path) -> None:
    """A county's answers naming 杜集区 and intake's facts keyed 340602 score as one county."""
    rows = _rows()
    answers = _write(tmp_path / "answers.csv", [r for r in rows if r[1] not in FACTS])
    facts = _write(tmp_path / "facts.csv", [["340602", k, v] for _, k, v in rows if k in FACTS])
    ev = score_evaluation(load_rules(HUAIBEI), [answers, facts])
    whole = score_evaluation(load_rules(HUAIBEI), [_write(tmp_path / "whole.csv", rows)])
    assert [(c.county, c.name) for c in ev.counties] == [("340602", "杜集区")]
    assert ev.counties[0].total == whole.counties[0].total


def test_evaluation_tables_name_a_county_outside_anhui(tmp_path: Path) -> None:
    """A submission keyed 320102 prints 玄武区 in the workbook and JSON, the code beside it."""
    sub = _write(tmp_path / "s.csv", [["320102", k, v] for _, k, v in _rows()])
    code, output = _score(str(sub), "--output", str(tmp_path / "o"), "--json")
    assert code == 0, output
    first = json.loads(output)["counties"][0]
    assert (first["county"], first["code"]) == ("玄武区", "320102")
    book = load_workbook(tmp_path / "o" / "huaibei-2017.xlsx")
    heads = [c.value for c in book["评估表"][3] if c.value is not None]
    assert "玄武区" in heads and "320102" not in heads
    ranking = [[c.value for c in row] for row in book["排名"].iter_rows(min_row=3, max_col=3)]
    assert ranking == [["名次", "县区", "县区代码"], [1, "玄武区", "320102"]]
    assert book["分项得分"]["D3"].value == "玄武区上级评估"


def test_an_ambiguous_county_name_is_a_scoring_error_unless_narrowed(tmp_path: Path) -> None:
    """鼓楼区 names four counties: exit 6 naming the codes; --area 3201 makes it 320106."""
    sub = _write(tmp_path / "s.csv", [["鼓楼区", k, v] for _, k, v in _rows()])
    code, output = _score(str(sub), "--output", str(tmp_path / "o"))
    assert code == EXIT_SCORING
    assert "鼓楼区" in output and "320106、320302" in output and "s.csv 第 2 行" in output
    assert not (tmp_path / "o").exists()
    code, output = _score(str(sub), "--output", str(tmp_path / "o"), "--area", "3201", "--json")
    assert code == 0, output
    assert json.loads(output)["counties"][0]["code"] == "320106"


def test_an_unknown_county_name_is_a_scoring_error(tmp_path: Path) -> None:
    """A name GB/T 2260 does not know is listed with the fix, exit 6, nothing written."""
    sub = _write(tmp_path / "s.csv", [["不存在区", k, v] for _, k, v in _rows()])
    code, output = _score(str(sub), "--output", str(tmp_path / "o"))
    assert code == EXIT_SCORING
    assert "县区 '不存在区' 不是 GB/T 2260" in output and "六位行政区划代码" in output
    assert not (tmp_path / "o").exists()


def _match_dir(tmp_path: Path, needed: int) -> Path:
    """A match directory holding only a task table as ``canbao match`` writes it."""
    match = tmp_path / "match"
    match.mkdir()
    with (match / "task_table.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["县区代码", "县（区）", "需入户调查人员数", "需入户调查单位数"])
        out.writerow(["340602", "杜集区", needed, 40])
        out.writerow(["340621", "濉溪县", 5000, 90])
        out.writerow(["", "合计", needed + 5000, 130])
    return match


@pytest.mark.parametrize(("needed", "score"), [(1000, Decimal(3)), (2000, Decimal(0))])
def test_from_match_reads_the_task_table_denominator(
    tmp_path: Path, needed: int, score: Decimal
) -> None:
    """需入户调查人数 (source: task_table) comes from the match: 900 of 1000 visited is 90 %."""
    rows = [r for r in _rows() if r[1] != "25"] + [["杜集区", "开展入户调查人数", "900"]]
    sub = _write(tmp_path / "s.csv", rows)
    match = _match_dir(tmp_path, needed)
    ev = score_evaluation(load_rules(HUAIBEI), [sub], from_match=match)
    assert ev.counties[0].hits["25"].score == score
    code, output = _score(str(sub), "--output", str(tmp_path / "o"))
    assert code == EXIT_SCORING and "25" in output


def test_a_submitted_denominator_wins_over_the_task_table(tmp_path: Path) -> None:
    """The task table fills a fact only where the submission does not give it."""
    rows = [r for r in _rows() if r[1] != "25"] + [
        ["杜集区", "开展入户调查人数", "900"],
        ["杜集区", "需入户调查人数", "1000"],
    ]
    sub = _write(tmp_path / "s.csv", rows)
    ev = score_evaluation(load_rules(HUAIBEI), [sub], from_match=_match_dir(tmp_path, 9000))
    assert ev.counties[0].hits["25"].score == Decimal(3)


def test_from_match_without_a_task_table_is_an_input_error(tmp_path: Path) -> None:
    """A directory that holds no task table exits 3 and says what to give."""
    sub = _write(tmp_path / "s.csv", _rows())
    code, output = _score(str(sub), "--output", str(tmp_path / "o"), "--from-match", str(tmp_path))
    assert code == EXIT_INPUT and "task_table" in output


def test_the_task_table_narrows_county_names(tmp_path: Path) -> None:
    """With --from-match a name outside the match's counties is unknown (烈山区 is not there)."""
    sub = _write(tmp_path / "s.csv", [["烈山区", k, v] for _, k, v in _rows()])
    match = _match_dir(tmp_path, 1000)
    code, output = _score(str(sub), "--output", str(tmp_path / "o"), "--from-match", str(match))
    assert code == EXIT_SCORING and "烈山区" in output and "340602" in output
