"""`canbao rules check` and rule-file loading."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.errors import RulesError
from canbao.score import check_files, load_rules

ROOT = Path(__file__).resolve().parent.parent
LITERAL = ROOT / "examples" / "score" / "huaibei-2017-literal.yaml"
SHIPPED = [ROOT / "rules" / f"{n}.yaml" for n in ("huaibei-2017", "changzhou-2016", "mohrss-2017")]
runner = CliRunner()


def test_literal_seed_tables_report_gaps_and_overlaps() -> None:
    """The literal 淮人社秘〔2017〕376号 has just the gaps of 7, 19, 20 and overlaps of 19, 28."""
    report = check_files([LITERAL])
    messages = [e.split(": 错误: ", 1)[1] for e in report.errors]
    assert messages == [
        "指标 7 投入经费的数额：(100,+∞) 万元 处有空档，没有区间包含它",
        "指标 19 培训的场次数：(20,+∞) 场 处有空档，没有区间包含它",
        "指标 19 培训的场次数：［5,20］ (2) 与 ［1,5﹞ (1) 在 {5} 场 处重叠，而命中规则为 unique",
        "指标 20 培训的人次数：(3,+∞) 百人 处有空档，没有区间包含它",
        "指标 28 扩面新增入库人数：100+ (3) 与 ［10,100］ (1.5) 在 {100} 人 处重叠，"
        "而命中规则为 unique",
    ]
    assert report.errors[0].startswith(
        f"{LITERAL}:61: indicators[0].children[1].children[1].rule.bands:"
    )


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_rule_files_check_clean(path: Path) -> None:
    """Each shipped rule file has no errors (notes only)."""
    assert check_files([path]).errors == []


def test_shipped_huaibei_notes_name_its_resolutions() -> None:
    """The shipped Huaibei file's notes are its added bands, hit policies and the ［0） reading."""
    notes = check_files([SHIPPED[0]]).notes
    assert len(notes) == 6
    assert sum("是在原文之外补充的" in n for n in notes) == 3
    assert sum("按命中规则 first 取" in n for n in notes) == 2


def test_cli_check_exits_5_on_errors_and_0_on_notes() -> None:
    """Errors exit 5 with a summary line; a clean file exits 0."""
    bad = runner.invoke(app, ["rules", "check", str(LITERAL)])
    assert bad.exit_code == 5
    assert bad.stdout.splitlines()[-1] == "1 个文件中有 5 个错误、1 个提示"
    good = runner.invoke(app, ["rules", "check", *map(str, SHIPPED)])
    assert good.exit_code == 0
    assert good.stdout.splitlines()[-1] == "3 个文件中有 0 个错误、6 个提示"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = """\
name: t
title: 测试
levels: [一级, 二级]
facts:
  - {name: 培训场次, unit: 场}
indicators:
  - name: 组
    points: 5
    children:
      - {number: "1", name: 甲, points: 2, rule: {type: yes_no}}
      - number: "2"
        name: 乙
        points: 2
        rule:
          type: bands
          unit: 场
          field: 培训场次
          bands:
            - {range: "[5,+∞)", score: 2}
            - {range: "[0,5)", score: 1}
"""


def test_every_problem_is_reported_with_file_line_and_path(tmp_path: Path) -> None:
    """Parent sums and unknown fields are errors with file:line: path."""
    path = _write(tmp_path, BASE.replace("field: 培训场次", "field: 场次"))
    lines = check_files([path]).errors
    assert lines == [
        f"{path}:8: indicators[0].points: 错误: 组：分值 5 与下级指标之和 4 不一致",
        f"{path}:14: indicators[0].children[1].rule: 错误: 指标 2 乙：未知字段 '场次'"
        "（请在 facts 下声明）",
    ]


def test_schema_errors_are_all_reported_at_once(tmp_path: Path) -> None:
    """A bad interval and a bad hit policy are both listed, each with its line."""
    text = BASE.replace('"[0,5)"', '"[0,5"').replace(
        "type: bands", "type: bands\n          hit_policy: any"
    )
    with pytest.raises(RulesError) as info:
        load_rules(_write(tmp_path, text))
    problems = info.value.problems
    assert len(problems) == 2
    assert problems[0].startswith(
        f"{tmp_path / 'r.yaml'}:16: indicators[0].children[1].rule.hit_policy: 错误:"
    )
    assert "无法读取区间 '[0,5'" in problems[1]
    assert ":21: indicators[0].children[1].rule.bands[1].range: 错误:" in problems[1]


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    """ruamel.yaml rejects a duplicate key with its line."""
    with pytest.raises(RulesError) as info:
        load_rules(_write(tmp_path, BASE.replace("title: 测试", "title: 测试\nname: u")))
    assert ":3: (yaml): 错误:" in info.value.problems[0]
    assert "duplicate key" in info.value.problems[0]


def test_yes_and_no_stay_strings(tmp_path: Path) -> None:
    """YAML 1.2: grade words such as yes/no are strings, not booleans."""
    text = BASE.replace("rule: {type: yes_no}", "rule: {type: grades, grades: {yes: 2, no: 0}}")
    loaded = load_rules(_write(tmp_path, text))
    rule = loaded.rules.indicators[0].children[0].rule  # type: ignore[index]
    assert list(rule.grades) == ["yes", "no"]  # type: ignore[union-attr]


def test_masked_band_is_an_error(tmp_path: Path) -> None:
    """Under hit policy first a band covered by earlier bands can never hit."""
    text = BASE.replace("type: bands", "type: bands\n          hit_policy: first").replace(
        '- {range: "[0,5)", score: 1}',
        '- {range: "[0,5)", score: 1}\n            - {range: "[6,9]", score: 1}',
    )
    errors = check_files([_write(tmp_path, text)]).errors
    assert any("区间 [6,9] 被前面的区间完全覆盖" in e for e in errors)
