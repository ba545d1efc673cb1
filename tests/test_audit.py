"""The audit log: one JSON line per run of any command, with hashes, never a personal value."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from canbao import audit
from canbao.cli import app
from tests.match_helpers import pid

runner = CliRunner()
PID = pid("19800101", 123)
NAME = "欧阳娜娜"
FORMATS = Path(__file__).resolve().parents[1] / "examples" / "formats"


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_each_run_appends_one_line(audit_log: Path, tmp_path: Path) -> None:
    """A success, a refused input and a usage error each leave one line with their exit code."""
    roster = FORMATS / "household_utf8.csv"
    broken = tmp_path / "broken.csv"
    broken.write_text(f"{PID},{NAME}\n", encoding="utf-8")
    runner.invoke(app, ["inspect", str(roster)])
    runner.invoke(app, ["match", "--household", str(broken), "--output", str(tmp_path / "o")])
    runner.invoke(app, ["match", "--no-such-option"])
    first, second, third = _lines(audit_log)
    assert first["command"] == "inspect"
    assert first["exit_code"] == 0
    assert first["inputs_sha256"] == {str(roster): hashlib.sha256(roster.read_bytes()).hexdigest()}
    assert first["user"]
    assert second["command"] == "match"
    assert second["exit_code"] == 3
    assert second["output"] == str(tmp_path / "o")
    assert (third["command"], third["exit_code"]) == ("match", 2)


def test_subcommands_and_folders_are_recorded(audit_log: Path, tmp_path: Path) -> None:
    """A two-word command is named in full and a folder input is hashed file by file."""
    folder = tmp_path / "match"
    folder.mkdir()
    (folder / "a.csv").write_text("x\n", encoding="utf-8")
    runner.invoke(app, ["forms", "survey", "--from", str(folder), "--output", str(tmp_path / "f")])
    (line,) = _lines(audit_log)
    assert line["command"] == "forms survey"
    assert line["inputs_sha256"] == {str(folder / "a.csv"): hashlib.sha256(b"x\n").hexdigest()}


def test_no_personal_value_reaches_the_log(audit_log: Path, tmp_path: Path) -> None:
    """An ID in a file name and a name typed as an option are masked or hashed in the log."""
    roster = tmp_path / f"{PID}.csv"
    roster.write_text(f"公民身份号码,姓名\n{PID},{NAME}\n", encoding="utf-8")
    runner.invoke(
        app, ["match", "--household", str(roster), "--area", NAME, "--output", str(tmp_path / "o")]
    )
    text = audit_log.read_text("utf-8")
    assert PID not in text
    assert NAME not in text
    assert hashlib.sha256(NAME.encode()).hexdigest() in text


def test_log_is_private_and_rotated(audit_log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The log is created 0600 and rotated by size, keeping KEEP older files."""
    monkeypatch.setattr(audit, "MAX_BYTES", 300)
    for n in range(20):
        audit.append({"n": n, "pad": "x" * 100})
    assert stat.S_IMODE(audit_log.stat().st_mode) == 0o600
    kept = sorted(p.name for p in audit_log.parent.iterdir())
    assert kept == ["audit.log", *(f"audit.log.{n}" for n in range(1, audit.KEEP + 1))]
    assert _lines(audit_log)[-1]["n"] == 19
    assert all(p.stat().st_size <= 300 for p in audit_log.parent.iterdir())


def test_default_location_is_the_users_state_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without the variable the log lives in the user's state folder (XDG on Linux)."""
    monkeypatch.delenv(audit.AUDIT_ENV)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert audit.audit_log_path() == tmp_path / "canbao" / "audit.log"


def test_unwritable_log_warns_and_keeps_the_exit_code(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A log that cannot be written is named on stderr; the command's exit code stands."""
    monkeypatch.setenv(audit.AUDIT_ENV, str(tmp_path))  # a folder: no file can be opened there
    result = runner.invoke(app, ["inspect", str(FORMATS / "household_utf8.csv")])
    assert result.exit_code == 0
    assert "审计日志无法写入" in result.stderr
