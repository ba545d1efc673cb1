"""Messages name an input file by its path from the current folder, unique among the inputs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from canbao.cli import app
from canbao.shown_path import shown_by_name, shown_path
from tests.test_intake import GOOD, _csv_sheet

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_inside_the_current_folder_the_path_is_relative(tmp_path: Path) -> None:
    """A file below the folder is shown from it, normalised; the folder itself is '.'."""
    assert shown_path(tmp_path / "乡镇A" / "村1" / "信息录入表.xlsx", tmp_path) == os.path.join(
        "乡镇A", "村1", "信息录入表.xlsx"
    )
    assert shown_path(tmp_path / "a" / ".." / "b.csv", tmp_path) == "b.csv"
    assert shown_path(tmp_path, tmp_path) == "."


def test_outside_the_current_folder_the_path_is_absolute(tmp_path: Path) -> None:
    """A file beside or above the folder is shown by its absolute path."""
    start = tmp_path / "work"
    assert shown_path(tmp_path / "other" / "户籍.csv", start) == str(
        tmp_path / "other" / "户籍.csv"
    )


def test_a_relative_path_is_read_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no start given, the current folder is the start."""
    monkeypatch.chdir(tmp_path)
    assert shown_path("./乡镇A/村1/信息录入表.xlsx") == os.path.join(
        "乡镇A", "村1", "信息录入表.xlsx"
    )
    assert shown_path(tmp_path.parent / "x.csv") == str(tmp_path.parent / "x.csv")


NAMES = st.lists(st.sampled_from(["乡镇A", "村1", "村2", "..", "."]), max_size=4)


@given(a=NAMES, b=NAMES)
def test_two_different_files_are_never_shown_alike(a: list[str], b: list[str]) -> None:
    """Two paths that are different files (after normalising) get different texts."""
    start = Path("/data/county")
    one = start.joinpath(*a, "信息录入表.xlsx")
    two = start.joinpath(*b, "信息录入表.xlsx")
    same_file = os.path.normpath(one) == os.path.normpath(two)
    assert (shown_path(one, start) == shown_path(two, start)) == same_file


def test_intake_tells_two_entry_sheets_of_one_name_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two 信息录入表 in two villages' folders: each problem line names its village's folder."""
    monkeypatch.chdir(tmp_path)
    for village in ("村1", "村2"):
        (tmp_path / "乡镇A" / village).mkdir(parents=True)
        _csv_sheet(tmp_path / "乡镇A" / village / "信息录入表.csv", [{**GOOD, "养老保险": "21"}])
    result = runner.invoke(app, ["intake", "乡镇A", "--output", "out", "--as-of", "2017-06-30"])
    assert result.exit_code == 0, result.output
    for village in ("村1", "村2"):
        assert f"  {os.path.join('乡镇A', village, '信息录入表.csv')}:2 " in result.stdout


def test_match_error_names_the_roster_by_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Of two household rosters called 户籍.csv, the one without an ID column is named by path."""
    monkeypatch.chdir(tmp_path)
    for county, source in (("县A", "household_utf8.csv"), ("县B", "broken/no_id.csv")):
        (tmp_path / county).mkdir()
        shutil.copy(ROOT / "examples" / "formats" / source, tmp_path / county / "户籍.csv")
    args = ["match", "-q", "--household", "县A/户籍.csv", "--household", "县B/户籍.csv", "-o", "o"]
    result = runner.invoke(app, args)
    assert result.exit_code == 3
    assert result.stderr.startswith(f"错误：{os.path.join('县B', '户籍.csv')}：")


def test_a_name_two_inputs_share_names_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Frames carry a file's name only; a name two inputs share is shown as both paths."""
    monkeypatch.chdir(tmp_path)
    found = shown_by_name([Path("县A/户籍.csv"), Path("县B/户籍.csv"), Path("养老.csv")])
    a, b = os.path.join("县A", "户籍.csv"), os.path.join("县B", "户籍.csv")
    assert found == {"户籍.csv": f"{a} 或 {b}", "养老.csv": "养老.csv"}
