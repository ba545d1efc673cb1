"""Long steps print their counts and the elapsed time on stderr, nothing with --quiet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from canbao.cli import app
from tests.test_intake import GOOD, _csv_sheet
from tests.test_match_examples import match_args

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

# Each progress line: the seconds since the command started, then the step.
LINE = re.compile(r"^\[canbao \d+\.\d s\] \S")
# A citizen ID or a run of digits as long as one: personal data must never be in a progress line.
ID_LIKE = re.compile(r"\d{15,}")


def _progress_lines(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    assert lines, "no progress printed"
    assert [line for line in lines if not LINE.match(line)] == []
    assert not ID_LIKE.search(stderr)
    return lines


def _sheet(tmp_path: Path) -> Path:
    """An entry sheet of two persons, one with a pension code that does not exist."""
    other = {**GOOD, "姓名": "李秀英", "公民身份号码": "340621198507200220", "性别": "女"}
    return _csv_sheet(tmp_path / "信息录入表.csv", [other, {**GOOD, "养老保险": "21"}])


def _score_args(tmp_path: Path) -> list[str]:
    submission = ROOT / "examples" / "score" / "huaibei-2017-submission.csv"
    return ["score", "--rules", "huaibei-2017", str(submission), "-o", str(tmp_path / "s")]


def test_match_progress_has_counts_and_times(tmp_path: Path) -> None:
    """canbao match prints each step with the time since the start, the files and the rows."""
    args = [a for a in match_args(tmp_path / "out") if a != "--quiet"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = _progress_lines(result.stderr)
    assert any(re.search(r"\] 读取名册 1/\d+（户籍人口）：", line) for line in lines)
    linking = r"\] 关联 [\d,]+ 条参保记录与 [\d,]+ 行户籍人口$"
    assert any(re.search(linking, line) for line in lines)
    assert re.search(r"\] 完成：已比对 [\d,]+ 行户籍人口$", lines[-1])


def test_intake_progress_has_counts_and_times(tmp_path: Path) -> None:
    """canbao intake prints the sheets, rows and problems it counted, each with the time."""
    result = runner.invoke(app, ["intake", str(_sheet(tmp_path)), "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    text = "\n".join(_progress_lines(result.stderr))
    for step in ("读取 1 个信息录入表", "检查已录入的 2 行", "发现 1 个问题"):
        assert f"] {step}" in text


def test_score_progress_has_counts_and_times(tmp_path: Path) -> None:
    """canbao score prints the files it scores and the counties it scored, each with the time."""
    result = runner.invoke(app, _score_args(tmp_path))
    assert result.exit_code == 0, result.output
    text = "\n".join(_progress_lines(result.stderr))
    assert "] 按 huaibei-2017 给 1 个上报文件评分" in text
    assert re.search(r"\] 已为 \d+ 个县区评分；写出考核评估表", text)


@pytest.mark.parametrize("command", ["match", "intake", "score"])
def test_quiet_prints_no_progress(tmp_path: Path, command: str) -> None:
    """With --quiet the same runs print nothing on stderr."""
    args = {
        "match": match_args(tmp_path / "out"),
        "intake": ["intake", str(_sheet(tmp_path)), "-o", str(tmp_path / "o")],
        "score": _score_args(tmp_path),
    }[command]
    result = runner.invoke(app, [*args, "--quiet"] if "--quiet" not in args else args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
