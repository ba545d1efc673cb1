"""Every command's error paths: no citizen ID or name ever appears unmasked in what is printed."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from canbao.cli import app
from tests.match_helpers import pid

runner = CliRunner()
PID = pid("19800101", 123)
NAME = "欧阳娜娜"


def _write(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    pl.DataFrame(rows, schema=headers, orient="row").write_csv(path)
    return path


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    """Files whose defects put an ID and a name right where an error message would quote them."""
    files = {
        # The ID in the name column and the name in the status column.
        "household": _write(
            tmp_path / "household.csv",
            ["公民身份号码", "姓名", "县区", "人员状态"],
            [[PID, PID, "340621", NAME]],
        ),
        # No ID column at all: the message lists the headers, and the first row looks like data.
        "headerless": _write(tmp_path / "headerless.csv", [PID, NAME], [[PID, NAME]]),
        # An enrolment roster whose scheme is an ID.
        "pension": _write(
            tmp_path / "pension.csv",
            ["身份证号码", "姓名", "险种", "参保地", "参保状态"],
            [[PID, NAME, PID, "340621", NAME]],
        ),
        # A submission whose value is an ID pasted by mistake.
        "submission": _write(
            tmp_path / "submission.csv", ["县区", "指标", "实际值"], [["濉溪县", "1", PID]]
        ),
        # An entry sheet with a broken row.
        "entries": _write(tmp_path / "entries.csv", ["公民身份号码", "姓名"], [[PID + "9", NAME]]),
    }
    return files


def _calls(files: dict[str, Path], tmp_path: Path) -> list[list[str]]:
    out = str(tmp_path / "out")
    return [
        ["inspect", str(files["household"])],
        ["inspect", str(files["headerless"])],
        ["inspect", str(files["headerless"]), "--json"],
        ["match", "--household", str(files["household"]), "--output", out],
        ["match", "--household", str(files["headerless"]), "--output", out],
        [
            "match",
            "--household",
            str(files["household"]),
            "--pension",
            str(files["pension"]),
            "--output",
            out,
        ],
        ["score", "--rules", "rules/huaibei-2017.yaml", str(files["submission"]), "--output", out],
        ["score", "--rules", str(files["submission"]), str(files["submission"]), "--output", out],
        ["rules", "check", str(files["submission"])],
        ["intake", str(files["entries"]), "--output", out],
        ["forms", "survey", "--from", str(tmp_path), "--output", out],
        # A roster given as the registration database: refused without quoting a row.
        ["changes", "--db", str(files["household"]), "--output", out],
    ]


def test_no_command_prints_an_unmasked_id_or_name(
    bad_files: dict[str, Path], tmp_path: Path
) -> None:
    """Each failing command exits non-zero and prints neither the ID nor the name."""
    for args in _calls(bad_files, tmp_path):
        result = runner.invoke(app, args)
        printed = result.stdout + result.stderr
        assert PID not in printed, args
        assert NAME not in printed, args
        assert "Traceback" not in printed, args


def test_verbose_tracebacks_are_masked_too(bad_files: dict[str, Path], tmp_path: Path) -> None:
    """With --verbose the traceback is shown, still without the ID or the name."""
    args = [
        "match",
        "--household",
        str(bad_files["household"]),
        "--pension",
        str(bad_files["pension"]),
    ]
    result = runner.invoke(app, [*args, "--output", str(tmp_path / "o"), "--verbose"])
    assert result.exit_code == 3
    assert PID not in result.stdout + result.stderr
    assert NAME not in result.stdout + result.stderr
