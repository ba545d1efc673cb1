"""Outputs never destroy what canbao did not write: refusals, the marker, single-file outputs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from canbao.cli import app
from canbao.outputs import MARKER, remove_listed
from tests.match_helpers import person, pid, write_rosters

runner = CliRunner()
ROOT = Path(__file__).parent.parent
RULES = ROOT / "rules" / "huaibei-2017.yaml"
SUBMISSION = ROOT / "examples" / "score" / "huaibei-2017-submission.csv"
SURVEY = ROOT / "examples" / "survey"


def match_args(folder: Path, output: Path | str, *, write: bool = True) -> list[str]:
    """A one-person match whose rosters are written into ``folder`` (unless ``write`` is off)."""
    if write:
        p = pid("19800101")
        write_rosters(folder, [person(p)], [[p, "张三", "21", "340621", "参保缴费"]])
    rosters = [
        "--household",
        str(folder / "household.csv"),
        "--pension",
        str(folder / "records.csv"),
    ]
    return ["match", *rosters, "--as-of", "2017-06-30", "--output", str(output), "--quiet"]


def score_args(folder: Path, output: Path | str) -> list[str]:
    """Score the Huaibei example submission."""
    return ["score", str(SUBMISSION), "--rules", str(RULES), "--output", str(output), "--quiet"]


def demo_args(folder: Path, output: Path | str) -> list[str]:
    """A small clean synthetic city."""
    return ["demo", "--persons", "40", "--clean", "--output", str(output), "--quiet"]


def survey_args(folder: Path, output: Path | str) -> list[str]:
    """Survey forms for the example needs_survey roster."""
    return ["forms", "survey", "--from", str(SURVEY), "--output", str(output), "--quiet"]


COMMANDS: dict[str, Callable[[Path, Path | str], list[str]]] = {
    "match": match_args,
    "forms survey": survey_args,
    "score": score_args,
    "demo": demo_args,
}


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A folder for the inputs, apart from the outputs."""
    folder = tmp_path / "in"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_folder_with_an_unrelated_file_is_refused(
    command: str, inputs: Path, tmp_path: Path
) -> None:
    """--output on a folder holding a report canbao did not write exits 2 naming it; it survives."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "月报.docx").write_bytes(b"the centre's monthly report")
    result = runner.invoke(app, COMMANDS[command](inputs, out))
    assert result.exit_code == 2, result.output
    assert "月报.docx" in result.stderr
    assert (out / "月报.docx").read_bytes() == b"the centre's monthly report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_output_dot_and_dash_are_refused(
    command: str, inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--output .` and `--output -` are usage errors and nothing in the folder is touched."""
    work = tmp_path / "here"
    work.mkdir()
    (work / "keep.txt").write_text("mine", encoding="utf-8")
    monkeypatch.chdir(work)
    for target in (".", "-"):
        result = runner.invoke(app, COMMANDS[command](inputs, target))
        assert result.exit_code == 2, (target, result.output)
        assert f"--output {target}" in result.stderr
    assert sorted(p.name for p in work.iterdir()) == ["keep.txt"]


def test_an_output_folder_holding_an_input_is_refused(tmp_path: Path) -> None:
    """A match into the folder of its own rosters exits 2 naming the roster, which survives."""
    (tmp_path / "in").mkdir()
    result = runner.invoke(app, match_args(tmp_path / "in", tmp_path / "in"))
    assert result.exit_code == 2, result.output
    assert "包含输入文件" in result.stderr and "household.csv" in result.stderr
    assert (tmp_path / "in" / "household.csv").is_file()


def test_forms_survey_into_its_match_folder_is_refused(tmp_path: Path) -> None:
    """`forms survey --output` on the match folder it reads exits 2; the folder stays whole."""
    (tmp_path / "in").mkdir()
    assert runner.invoke(app, match_args(tmp_path / "in", tmp_path / "m")).exit_code == 0
    before = sorted(p.name for p in (tmp_path / "m").iterdir())
    result = runner.invoke(
        app, ["forms", "survey", "--from", str(tmp_path / "m"), "--output", str(tmp_path / "m")]
    )
    assert result.exit_code == 2, result.output
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == before


def test_replacing_a_canbao_result_removes_only_its_files(inputs: Path, tmp_path: Path) -> None:
    """A rerun in another format replaces the listed files; the marker lists the new ones."""
    out = tmp_path / "out"
    assert runner.invoke(app, match_args(inputs, out)).exit_code == 0
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker["command"] == "match" and "needs_survey.csv" in marker["files"]
    result = runner.invoke(app, [*match_args(inputs, out), "--format", "parquet", "--county-lists"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert "needs_survey.parquet" in names and "needs_survey.csv" not in names
    listed = json.loads((out / MARKER).read_text(encoding="utf-8"))["files"]
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert sorted(listed) == sorted(files - {MARKER})
    assert any(f.startswith("lists/") for f in listed)  # the lists per county, in folders
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]


def test_a_file_dropped_into_a_result_stops_the_rerun(inputs: Path, tmp_path: Path) -> None:
    """A clerk's sheet dropped into a canbao result refuses the rerun; all stays as it was."""
    out = tmp_path / "out"
    assert runner.invoke(app, match_args(inputs, out)).exit_code == 0
    (out / "sub").mkdir()
    (out / "sub" / "filled.xlsx").write_bytes(b"filled by the clerk")
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    result = runner.invoke(app, match_args(inputs, out))
    assert result.exit_code == 2, result.output
    assert "sub/filled.xlsx" in result.stderr
    assert (out / "sub" / "filled.xlsx").read_bytes() == b"filled by the clerk"
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before


def test_a_marker_listing_files_outside_its_folder_is_not_canbaos(
    inputs: Path, tmp_path: Path
) -> None:
    """A marker naming ../victim.txt makes the folder foreign (exit 2); nothing is removed."""
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "victim.txt").write_text("keep", encoding="utf-8")
    (out / "a.csv").write_text("1", encoding="utf-8")
    files = ["a.csv", "../victim.txt"]
    (out / MARKER).write_text(json.dumps({"files": files}), encoding="utf-8")
    result = runner.invoke(app, match_args(inputs, out))
    assert result.exit_code == 2, result.output
    assert (tmp_path / "victim.txt").read_text(encoding="utf-8") == "keep"
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "a.csv"]


def test_an_empty_folder_is_used(inputs: Path, tmp_path: Path) -> None:
    """An existing empty folder is not canbao's but holds nothing to lose: the run fills it."""
    (tmp_path / "out").mkdir()
    result = runner.invoke(app, match_args(inputs, tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / MARKER).is_file()


def test_remove_listed_keeps_what_was_not_listed(tmp_path: Path) -> None:
    """Replacing removes the listed files; a file that appeared since stays, with the marker."""
    old = tmp_path / "old"
    (old / "a").mkdir(parents=True)
    for name in ("a/x.csv", "y.csv", MARKER, "a/late.txt"):
        (old / name).write_text("1", encoding="utf-8")
    assert not remove_listed(old, ["a/x.csv", "y.csv"])
    assert sorted(p.relative_to(old).as_posix() for p in old.rglob("*")) == [
        MARKER,
        "a",
        "a/late.txt",
    ]
    (old / "a" / "late.txt").unlink()
    assert remove_listed(old, [])


def _template(out: Path, *extra: str) -> list[str]:
    return ["forms", "template", "evaluation", "--rules", str(RULES), "--output", str(out), *extra]


def test_a_template_overwrites_only_a_canbao_workbook(tmp_path: Path) -> None:
    """forms template refuses another workbook (exit 2) unless --force; its own it overwrites."""
    out = tmp_path / "评估表.xlsx"
    Workbook().save(out)
    theirs = out.read_bytes()
    result = runner.invoke(app, _template(out))
    assert result.exit_code == 2, result.output
    assert "--force" in result.stderr
    assert out.read_bytes() == theirs
    assert runner.invoke(app, _template(out, "--force")).exit_code == 0
    assert out.read_bytes() != theirs
    assert runner.invoke(app, _template(out)).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["评估表.xlsx"]


def test_a_template_onto_its_rule_file_is_refused(tmp_path: Path) -> None:
    """--output naming the rule file it reads is refused even with --force."""
    rules = tmp_path / "rules.yaml"
    rules.write_bytes(RULES.read_bytes())
    args = ["forms", "template", "evaluation", "--rules", str(rules), "--output", str(rules)]
    for extra in ([], ["--force"]):
        result = runner.invoke(app, [*args, *extra])
        assert result.exit_code == 2, result.output
        assert rules.read_bytes() == RULES.read_bytes()
    assert "是输入文件" in result.stderr
