"""Exit codes at the edges (docs/security.md): every broken input through the CLI."""

from __future__ import annotations

import errno
import re
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.match import _person_csv, _person_parquet
from tests.hostile_files import alias_bomb, deep_yaml, far_cell_workbook, inflating_workbook
from tests.match_helpers import pid

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
PID = pid("19800101", 123)


def _bytes(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return make


def _list_parquet(folder: Path) -> Path:
    path = folder / "list.parquet"
    pl.DataFrame({"公民身份号码": [PID], "姓名": [["张", "三"]]}).write_parquet(path)
    return path


def _text(name: str, text: str) -> Callable[[Path], Path]:
    return _bytes(name, text.encode("utf-8"))


def _one_line(folder: Path) -> Path:
    path = folder / "one_line.csv"
    with path.open("wb") as out:
        out.write("县区,".encode())
        out.write(b"9" * (50 * 1024 * 1024))
    return path


def _damaged(folder: Path) -> Path:
    rows = "".join(f"3.40621E+17,姓名{i},340621\n" for i in range(8))
    return _text("damaged.csv", f"公民身份号码,姓名,县区\n{rows}{PID},张三,340621\n")(folder)


_GBK_ROWS = f"公民身份号码,姓名,县区\n{PID},张三,濉溪县\n".encode("gbk")
_MIXED_HEAD = f"公民身份号码,姓名\n{PID},张三\n" * 4000

# (id, how to make the file, the command with {f} for it and {o} for an output, exit code,
#  a Chinese phrase the message must hold)
CASES = [
    (
        "0x1f-in-roster",
        _text("ctrl.csv", f"公民身份号码,姓名\n{PID}\x1f,张三\n"),
        "inspect {f}",
        0,
        "含控制字符",
    ),
    ("0x1f-in-rules", _text("ctrl.yaml", "name: x\x1f\n"), "rules check {f}", 5, "语法错误"),
    (
        "parquet-list-column",
        _list_parquet,
        "match --household {f} --output {o}",
        3,
        "不是文字或数字",
    ),
    ("empty-intake-csv", _bytes("entries.csv", b""), "intake {f} --output {o}", 3, "是空的"),
    (
        "unbalanced-quote-submission",
        _text("sub.csv", '县区,指标,实际值\n濉溪县,"1,5\n'),
        "score --rules huaibei-2017 {f} --output {o}",
        3,
        "无法读取文件",
    ),
    (
        "50-mb-one-line-submission",
        _one_line,
        "score --rules huaibei-2017 {f} --output {o}",
        3,
        "拒绝读取文件",
    ),
    ("alias-bomb-rules", _text("bomb.yaml", alias_bomb()), "rules check {f}", 5, "锚点"),
    ("deep-rules", _text("deep.yaml", deep_yaml(5000)), "rules check {f}", 5, "嵌套超过"),
    (
        "deep-column-map",
        _text("map.yaml", deep_yaml(5000)),
        "inspect " + str(ROOT / "examples/formats/household_utf8.csv") + " --columns {f}",
        3,
        "拒绝读取列映射文件",
    ),
    (
        "cell-at-xfd1048576-intake",
        lambda d: far_cell_workbook(d / "far.xlsx"),
        "intake {f} --output {o}",
        3,
        "拒绝读取工作簿",
    ),
    (
        "cell-at-xfd1048576-score",
        lambda d: far_cell_workbook(d / "far.xlsx"),
        "score --rules huaibei-2017 {f} --output {o}",
        3,
        "拒绝读取工作簿",
    ),
    (
        "inflating-xlsx-match",
        lambda d: inflating_workbook(d / "inflate.xlsx", 20),
        "match --household {f} --output {o}",
        3,
        "压缩比",
    ),
    (
        "truncated-xlsx",
        _bytes("cut.xlsx", (ROOT / "examples/city/pension_resident.xlsx").read_bytes()[:3000]),
        "inspect {f}",
        3,
        "无法读取文件",
    ),
    ("bom-then-gbk", _bytes("bom.csv", b"\xef\xbb\xbf" + _GBK_ROWS), "inspect {f}", 3, "两种编码"),
    (
        "utf8-then-gbk",
        _bytes("two.csv", _MIXED_HEAD.encode() + _MIXED_HEAD.encode("gbk")),
        "match --household {f} --output {o}",
        3,
        "两种编码",
    ),
    (
        "spreadsheet-damaged-ids",
        _damaged,
        "match --household {f} --output {o}",
        3,
        "被电子表格损坏",
    ),
]


def chinese_first(message: str) -> bool:
    """True when the message's first words (after the prefix and paths) are Chinese."""
    body = re.split(r"错误[：:]", message, maxsplit=1)[-1]
    body = re.sub(r"[^\s：，（]*[/\\.][^\s：，（]*", "", body)  # paths and file names
    cjk = re.search(r"[\u4e00-\u9fff]", body)
    latin = re.search(r"[A-Za-z]{3,}", body)
    return cjk is not None and (latin is None or cjk.start() < latin.start())


@pytest.mark.parametrize(
    ("make", "command", "code", "phrase"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_broken_input_has_its_exit_code_and_a_chinese_message(
    tmp_path: Path, make: Callable[[Path], Path], command: str, code: int, phrase: str
) -> None:
    """Each broken input exits with its documented code, naming the file, Chinese first."""
    file = make(tmp_path)
    out = tmp_path / "out"
    args = [part.format(f=file, o=out) for part in command.split(" ")]
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    assert phrase in result.output
    assert file.name in result.output
    assert "Traceback" not in result.output
    if code != 0:
        assert chinese_first(result.output), result.output
        assert not out.exists()


def _no_bigger_than(limit: int) -> None:
    # In the child only: writes past ``limit`` bytes fail with EFBIG, as on a full disk.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize(
    ("command", "limit"),
    [
        (
            [
                "score",
                "--rules",
                "huaibei-2017",
                str(ROOT / "examples/score/huaibei-2017-submission.csv"),
            ],
            3000,
        ),
        (
            ["match", "--household", str(ROOT / "examples/city/household.csv"), "--area", "3406"],
            20_000,
        ),
    ],
    ids=["score-output", "match-work-files"],
)
def test_a_write_that_fails_is_exit_7_naming_the_path(
    tmp_path: Path, command: list[str], limit: int
) -> None:
    """A write refused by the system (EFBIG, like ENOSPC) is exit 7 with the path, not exit 1."""
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "canbao", *command, "--output", str(out), "--quiet"],
        capture_output=True,
        text=True,
        preexec_fn=lambda: _no_bigger_than(limit),
        timeout=300,
        check=False,
    )
    assert done.returncode == 7, done.stderr
    assert "无法写入" in done.stderr and "File too large" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_a_full_disk_in_the_result_files_is_exit_7_naming_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Polars' CSV sinks raise a bare OSError on a full disk: exit 7, the output named, no bug."""

    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise OSError("No space left on device (os error 28)")  # as polars raises it: no errno

    monkeypatch.setattr(_person_csv, "_sink_tables", full_disk)
    out = tmp_path / "out"
    city = ROOT / "examples" / "city"
    args = ["match", "--household", str(city / "household.csv"), "--as-of", "2017-06-30"]
    result = runner.invoke(app, [*args, "--area", "3406", "--output", str(out), "--quiet"])
    assert result.exit_code == 7, result.output
    assert f"无法写入 {out}" in result.output and "No space left on device" in result.output
    assert "内部错误" not in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_in_the_parquet_person_tables_is_exit_7_naming_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Parquet person table's row group failing on its thread is exit 7, the output named."""

    def full_disk(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_person_parquet.PersonParquet, "_write", full_disk)
    out = tmp_path / "out"
    city = ROOT / "examples" / "city"
    args = ["match", "--household", str(city / "household.csv"), "--as-of", "2017-06-30"]
    options = ["--format", "parquet", "--output", str(out), "--quiet"]
    result = runner.invoke(app, [*args, "--area", "3406", *options])
    assert result.exit_code == 7, result.output
    assert f"无法写入 {out}" in result.output and "No space left on device" in result.output
    assert "内部错误" not in result.output
    assert not out.exists()
    assert not [t for t in threading.enumerate() if t.name.startswith("parquet")]
