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
    assert any(re.search(r"\] reading roster 1/\d+ \(household\): ", line) for line in lines)
    linking = r"\] linking [\d,]+ enrolment records to [\d,]+ household rows$"
    assert any(re.search(linking, line) for line in lines)
    assert re.search(r"\] done: [\d,]+ household rows matched$", lines[-1])


def test_intake_progress_has_counts_and_times(tmp_path: Path) -> None:
    """canbao intake prints the sheets, rows and problems it counted, each with the time."""
    result = runner.invoke(app, ["intake", str(_sheet(tmp_path)), "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    text = "\n".join(_progress_lines(result.stderr))
    for step in ("reading 1 entry sheet(s)", "checking 2 entered rows", "1 problem(s) found"):
        assert f"] {step}" in text


def test_score_progress_has_counts_and_times(tmp_path: Path) -> None:
    """canbao score prints the files it scores and the counties it scored, each with the time."""
    result = runner.invoke(app, _score_args(tmp_path))
    assert result.exit_code == 0, result.output
    text = "\n".join(_progress_lines(result.stderr))
    assert "] scoring 1 submission file(s) by huaibei-2017" in text
    assert re.search(r"\] \d+ counties scored; writing the workbook", text)


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
