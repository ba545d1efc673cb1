"""Every command has --json and --quiet, and they do what they say (README, "Commands")."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from canbao.cli import COMMANDS, app, load_command
from tests.test_cli_options import command_leaves

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_every_command_has_json_and_quiet() -> None:
    """Each leaf command takes both --json and --quiet."""
    lacking = [
        (name, leaf.name, flag)
        for name in COMMANDS
        for leaf in command_leaves(load_command(name))
        for flag in ("--json", "--quiet")
        if not any(flag in param.opts for param in leaf.params)
    ]
    assert lacking == []


def test_inspect_quiet_prints_nothing() -> None:
    """inspect --quiet exits 0 with nothing on stdout."""
    roster = ROOT / "examples" / "formats" / "household_utf8.csv"
    result = runner.invoke(app, ["inspect", "--quiet", str(roster)])
    assert result.exit_code == 0
    assert result.stdout == ""


def test_rules_check_json_lists_errors_and_notes() -> None:
    """rules check --json prints ok, errors and notes as JSON."""
    result = runner.invoke(app, ["rules", "check", "--json", str(ROOT / "rules/huaibei-2017.yaml")])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["ok"] is True
    assert payload["errors"] == []


def test_seal_json_names_the_archive_and_files(tmp_path: Path) -> None:
    """seal --json prints the archive and the files packed into it."""
    source = tmp_path / "a.txt"
    source.write_text("x\n", "utf-8")
    archive = tmp_path / "a.zip"
    result = runner.invoke(app, ["seal", "--json", str(source), "--output", str(archive)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["archive"] == str(archive)
    assert len(payload["files"]) == 1
