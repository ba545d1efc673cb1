"""``canbao match`` on the command line: exit codes, messages, masking and atomic outputs."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.match import _summary_counts as summary_module
from canbao.match.summary_model import Equation
from tests.match_helpers import person, pid, write_rosters

runner = CliRunner()


def _args(tmp_path: Path, records: list | None = None) -> list[str]:
    p = pid("19800101")
    rows = records if records is not None else [[p, "张三", "21", "340621", "参保缴费"]]
    write_rosters(tmp_path, [person(p)], rows)
    return [
        "match",
        "--household",
        str(tmp_path / "household.csv"),
        "--pension",
        str(tmp_path / "records.csv"),
        "--as-of",
        "2017-06-30",
        "--output",
        str(tmp_path / "out"),
    ]


def test_json_summary_on_stdout(tmp_path: Path) -> None:
    """--json prints the summary with the documented keys and exits 0."""
    result = runner.invoke(app, [*_args(tmp_path), "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["target"] == 1
    assert summary["as_of"] == "2017-06-30"
    assert {"conservation", "inputs", "canbao_version", "uninsured_flags"} <= set(summary)


def test_bad_date_is_a_usage_error(tmp_path: Path) -> None:
    """A malformed --as-of exits 2 with the expected spelling."""
    args = _args(tmp_path)
    args[args.index("2017-06-30")] = "30/06/2017"
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "日期 '30/06/2017' 无法识别或不存在（--as-of）" in result.stderr
    assert "YYYYMMDD" in result.stderr
    assert "Invalid value" not in result.stderr  # canbao's own message, not Click's wrapper


def test_unknown_status_is_an_input_error_naming_file_value_and_line(tmp_path: Path) -> None:
    """An unknown enrolment status exits 3 naming the file, column, the value in full and line."""
    p = pid("19800101")
    result = runner.invoke(app, _args(tmp_path, [[p, "张三", "21", "340621", "冻结"]]))
    assert result.exit_code == 3
    assert "records.csv：参保状态列：值 '冻结' 出现在 1 行，首次在第 2 行" in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_file_is_an_input_error_without_traceback(tmp_path: Path) -> None:
    """A household file that does not exist exits 3 with no traceback."""
    args = _args(tmp_path)
    args[args.index("--household") + 1] = str(tmp_path / "nope.csv")
    result = runner.invoke(app, args)
    assert result.exit_code == 3
    assert "nope.csv" in result.stderr
    assert "Traceback" not in result.stderr


def test_failed_conservation_exits_4_and_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A conservation failure exits 4 and leaves no output directory behind."""
    real = summary_module.conservation

    def broken(*counts: Any) -> list[Equation]:
        equations = real(*counts)
        equations[0] = replace(equations[0], left=equations[0].left + 1, ok=False)
        return equations

    monkeypatch.setattr(summary_module, "conservation", broken)
    result = runner.invoke(app, _args(tmp_path))
    assert result.exit_code == 4
    assert "计数不平衡（target = confirmed + needs_survey: 2 != 1）" in result.stderr
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_a_failed_rerun_keeps_the_previous_results(tmp_path: Path) -> None:
    """When a rerun fails, the earlier results stay in place untouched."""
    assert runner.invoke(app, _args(tmp_path)).exit_code == 0
    before = (tmp_path / "out" / "summary.json").read_text(encoding="utf-8")
    p = pid("19800101")
    assert (
        runner.invoke(app, _args(tmp_path, [[p, "张三", "99", "340621", "参保缴费"]])).exit_code
        == 3
    )
    assert (tmp_path / "out" / "summary.json").read_text(encoding="utf-8") == before


def test_errors_never_show_an_unmasked_id_or_name(tmp_path: Path) -> None:
    """An ID pasted into the scheme column is masked in the error that quotes the value."""
    p = pid("19800101")
    result = runner.invoke(app, _args(tmp_path, [[p, "张三", p, "340621", "参保缴费"]]))
    combined = result.stdout + result.stderr
    assert result.exit_code == 3
    assert f"值 '{p[0]}{'*' * 17}'" in result.stderr
    assert p not in combined
    assert "张三" not in combined
