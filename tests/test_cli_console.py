"""Usage errors are Chinese first, and a GBK (cp936) console prints canbao's Chinese."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.i18n import set_language
from tests.test_match_examples import match_args

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "chinese"),
    [
        (
            ["match", "--household", "h.csv", "-o", "out", "--format", "docx"],
            "选项 --format 的值不对，可用的值：csv、parquet、xlsx；给出的是 'docx'",
        ),
        (["match", "-o", "out"], "缺少选项 '--household'"),
        (["match", "--bogus"], "没有选项 --bogus"),
        (["nosuch"], "没有这个命令，可用的命令：match、score"),
        (["forms", "bogus"], "没有这个命令，可用的命令：survey、template"),
        (["--bogus"], "没有选项 --bogus"),
        (
            ["intake", "a.xlsx", "-o", "out", "--sample-min", "0"],
            "选项 --sample-min 的值不对：给出的是 '0'，须不小于 1",
        ),
        (
            ["intake", "a.xlsx", "-o", "out", "--sample-min", "many"],
            "选项 --sample-min 的值不对：给出的是 'many'，须为整数",
        ),
        (["match", "--household", "h.csv", "extra", "more", "-o", "out"], "多余的参数：extra more"),
        (["match", "--household"], "选项 --household 后面要跟一个值"),
    ],
)
def test_usage_errors_are_chinese_first(args: list[str], chinese: str) -> None:
    """A parser error exits 2 with a Chinese lead naming the value, without Click's English."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    message = result.stderr
    assert message.index("错误：") < message.index(chinese)
    error_line = next(line for line in message.splitlines() if line.startswith("错误："))
    assert "（" not in error_line and not re.search("[A-Z][a-z]+ ", error_line), message
    assert "Error:" not in message


def test_usage_error_in_english_keeps_the_parsers_words() -> None:
    """Under LANG=en_US the same refused value reads in Typer's and Pydantic's English."""
    set_language("en")
    try:
        result = runner.invoke(app, ["intake", "a.xlsx", "-o", "out", "--sample-min", "0"])
    finally:
        set_language("zh")
    assert result.exit_code == 2
    assert "Invalid value for '--sample-min'" in result.stderr
    assert "greater than or equal to 1" in result.stderr


def test_a_refused_value_is_masked() -> None:
    """An ID given where a number belongs is masked in the error line."""
    result = runner.invoke(
        app, ["intake", "a.xlsx", "-o", "out", "--sample-min", "34062119800101123X"]
    )
    assert result.exit_code == 2
    assert "34062119800101123X" not in result.stderr
    assert "340621********123X" in result.stderr


def test_usage_error_shows_the_usage_and_the_fix() -> None:
    """The usage line and the fix name the command, Chinese first."""
    result = runner.invoke(app, ["forms", "template", "evaluation", "-o", "t.xlsx"])
    assert result.exit_code == 2
    assert result.stderr.startswith("用法: canbao forms template [OPTIONS] {KIND}")
    assert "修正方法：运行 canbao forms template --help 查看用法" in result.stderr


def _cp936(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m canbao`` with stdout and stderr encoded as a Chinese Windows console's."""
    env = {**os.environ, "PYTHONIOENCODING": "cp936"}
    return subprocess.run(
        [sys.executable, "-m", "canbao", *args], capture_output=True, env=env, cwd=cwd
    )


def test_help_on_a_cp936_console_decodes_as_gbk() -> None:
    """`canbao intake --help` on a cp936 stream exits 0 and its bytes are GBK with the example."""
    done = _cp936("intake", "--help")
    assert done.returncode == 0, done.stderr
    assert "示例:" in done.stdout.decode("gbk")


def test_match_summary_on_a_cp936_console_decodes_as_gbk(tmp_path: Path) -> None:
    """The match summary table prints on a cp936 stream and reads back as GBK."""
    args = [a for a in match_args(tmp_path / "out") if a != "--quiet"]
    done = _cp936(*args)
    assert done.returncode == 0, done.stderr.decode("gbk")
    assert "户籍人口行数" in done.stdout.decode("gbk")


def test_a_character_outside_gbk_does_not_stop_the_run(tmp_path: Path) -> None:
    """A file name with 𠮷 (in GB18030, not in GBK) is printed as GB18030, not a crash."""
    roster = tmp_path / "户籍_𠮷.csv"
    shutil.copy(ROOT / "examples" / "formats" / "household_utf8.csv", roster)
    done = _cp936("inspect", str(roster))
    assert done.returncode == 0, done.stderr.decode("gb18030")
    assert "户籍_𠮷.csv" in done.stdout.decode("gb18030")
