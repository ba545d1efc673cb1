"""Tests of `canbao inspect`: unusable-file errors, exit codes, masking and the JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.inspect import guess_kind
from canbao.shown_path import shown_path

FORMATS = Path(__file__).resolve().parents[1] / "examples" / "formats"
BROKEN = FORMATS / "broken"
runner = CliRunner()


def _fixture_secrets() -> list[str]:
    """Every full ID and name of the example roster: none may reach a terminal."""
    lines = (FORMATS / "household_utf8.csv").read_text("utf-8").splitlines()[1:]
    cells = [line.split(",") for line in lines]
    return [c[0] for c in cells if len(c[0]) >= 15] + [c[1] for c in cells]


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["inspect", *args])
    return result.exit_code, result.stdout + result.stderr


def _assert_masked(text: str) -> None:
    leaked = [s for s in _fixture_secrets() if s in text]
    assert not leaked


def test_no_id_column(tmp_path: Path) -> None:
    """A roster without an ID column exits 3 with the headers found and a --columns example."""
    code, out = _run(str(BROKEN / "no_id.csv"), "--kind", "household")
    assert code == 3
    assert out.splitlines() == [
        f"错误：{shown_path(BROKEN / 'no_id.csv')}："
        "household 名册没有公民身份号码列；"
        "找到的表头：姓名, 性别, 出生日期, 县(区), 乡镇(街道), 村(社区), 常住地址, 户口性质, "
        "人员状态, 人员编号",
        "修正方法：在 YAML 文件中指明该列，用 --columns MAP.yaml 传入，"
        "写一行如 `id: 证件号`（内置表头名见 docs/reading.md）",
    ]
    _assert_masked(out)


def test_workbook_renamed_csv() -> None:
    """An xlsx renamed .csv exits 3 and says to rename it."""
    code, out = _run(str(BROKEN / "workbook_renamed.csv"))
    assert code == 3
    assert "workbook_renamed.csv：该文件是zip 压缩包（.xlsx 工作簿），扩展名却是 .csv" in out
    assert "把它改名为 .xlsx" in out


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("empty.csv", b"", "empty.csv：文件是空的"),
        ("blank.csv", b"\r\n\r\n", "blank.csv：文件是空的"),
        ("bin.csv", b"\x00\x01\x02\xff" * 100, "bin.csv：.csv 文件中有二进制内容"),
        ("roster.doc", "身份证号\n".encode(), "roster.doc：未知的文件类型 .doc"),
        ("dup.csv", "身份证号,姓名,姓名\n1,a,b\n".encode(), "dup.csv：表头 '姓名' 重复"),
        ("fake.xlsx", "身份证号\n".encode(), "fake.xlsx：扩展名是 .xlsx，内容却不是"),
    ],
)
def test_unusable_files_exit_3(tmp_path: Path, name: str, content: bytes, needle: str) -> None:
    """Each kind of unusable file exits 3 with one message naming the file."""
    path = tmp_path / name
    path.write_bytes(content)
    code, out = _run(str(path), "--kind", "household")
    assert code == 3
    assert needle in out
    assert out.count("错误：") == 1


def test_headerless_file_is_masked(tmp_path: Path) -> None:
    """A file whose first line is data is refused without printing that person's ID or name."""
    lines = (FORMATS / "household_utf8.csv").read_text("utf-8").splitlines()[1:4]
    path = tmp_path / "noheader.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    code, out = _run(str(path), "--kind", "household")
    assert code == 3
    assert "第一行看起来是数据" in out
    _assert_masked(out)


def test_report_on_terminal_is_masked() -> None:
    """The human report shows counts and masked samples only."""
    code, out = _run(str(FORMATS / "household_gbk.csv"), "--as-of", "2026-11-01")
    assert code == 0, out
    assert "GB18030" in out
    assert "spreadsheet_scientific" in out
    _assert_masked(out)


def test_json_structure() -> None:
    """--json prints one object per file with mapping, counts and masked samples."""
    code, out = _run(
        str(FORMATS / "household.xlsx"), str(BROKEN / "ragged.csv"),
        "--json", "--as-of", "2026-11-01", "--kind", "household",
    )  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    assert data["as_of"] == "2026-11-01"
    first, second = data["files"]
    assert first["format"] == "xlsx" and first["rows"] == 30 and first["unreadable"] == 0
    assert first["mapping"]["county"] == "县(区)"
    assert first["ids_valid"] + first["ids_invalid"] == 30
    assert first["ids_invalid"] == 5
    assert set(first["ids_invalid_by_reason"]) >= {"missing", "spreadsheet_scientific"}
    assert len(first["samples"]) == 5
    assert {"line", "reason", "label", "masked_id"} == set(first["samples"][0])
    assert second["unreadable_by_reason"] == {
        "cut_line": 1, "empty_line": 1, "too_few_fields": 1, "too_many_fields": 1,
    }  # fmt: skip
    assert second["rows"] + second["unreadable"] == 9
    _assert_masked(out)


def test_bad_options_exit_2() -> None:
    """An unknown kind or a malformed date is a usage error."""
    assert _run(str(BROKEN / "ragged.csv"), "--kind", "people")[0] == 2
    assert _run(str(BROKEN / "ragged.csv"), "--as-of", "2026-13-01")[0] == 2


def test_guess_kind(tmp_path: Path) -> None:
    """The kind is guessed from headers, with the file name telling similar kinds apart."""
    assert guess_kind(FORMATS / "household_utf8.csv") == "household"
    med = tmp_path / "医保参保名册.csv"
    med.write_text("证件号码,姓名,险种,参保地,参保状态\n", "utf-8")
    assert guess_kind(med) == "medical"
    units = tmp_path / "market.csv"
    units.write_text("统一社会信用代码,单位名称\n", "utf-8")
    assert guess_kind(units) == "units"
