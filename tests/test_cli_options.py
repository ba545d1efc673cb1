"""The option layer every command shares: one --as-of parser, the --format enum, no private API."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import get_args

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from typer.core import TyperCommand, TyperGroup
from typer.testing import CliRunner

from canbao.cli import COMMANDS, app, load_command
from canbao.cli_common import TableFormat, parse_as_of
from canbao.match.cli import OUTPUT_FORMATS
from canbao.match.writers import OutputFormat

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ROOT / "examples" / "formats"
runner = CliRunner()

# The arguments each command with --as-of needs besides it (paths need not exist to parse).
AS_OF_COMMANDS: dict[str, list[str]] = {
    "match": ["--household", "h.csv", "--output", "out"],
    "intake": ["sheet.xlsx", "--output", "out"],
    "inspect": ["roster.csv"],
    "demo": ["--output", "out"],
    "progress": ["--db", "campaign.duckdb", "--population", "p.csv", "--output", "out"],
    "person": ["110101199003070011", "--db", "campaign.duckdb"],
    "export": ["--db", "campaign.duckdb", "--from", "match", "--output", "out"],
}
SPELLINGS = ["2017-06-30", "2017/06/30", "20170630", "2017年6月30日"]


def command_leaves(command: TyperCommand | TyperGroup) -> list[TyperCommand]:
    """The commands that run (not groups) under ``command``, depth first."""
    if isinstance(command, TyperCommand):
        return [command]
    subs = [s for s in command.commands.values() if isinstance(s, TyperCommand | TyperGroup)]
    return [leaf for sub in subs for leaf in command_leaves(sub)]


def test_the_table_names_every_command_with_as_of() -> None:
    """Every leaf command that has --as-of is one of AS_OF_COMMANDS, so none escapes the tests."""
    with_as_of = {
        name
        for name in COMMANDS
        for leaf in command_leaves(load_command(name))
        if any("--as-of" in param.opts for param in leaf.params)
    }
    assert with_as_of == set(AS_OF_COMMANDS)


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("name", sorted(AS_OF_COMMANDS))
def test_each_command_reads_the_four_spellings(name: str, spelling: str) -> None:
    """Each command's --as-of reads ISO, slashed, compact and Chinese dates as the same day."""
    command = load_command(name)
    ctx = command.make_context(name, [*AS_OF_COMMANDS[name], "--as-of", spelling])
    assert ctx.params["as_of"] == date(2017, 6, 30)


@pytest.mark.parametrize("name", sorted(AS_OF_COMMANDS))
def test_each_command_refuses_a_month_13(name: str, tmp_path: Path) -> None:
    """Each command refuses 2017-13-01 with exit 2, the message Chinese first, and runs nothing."""
    args = [a if a != "out" else str(tmp_path / "out") for a in AS_OF_COMMANDS[name]]
    result = runner.invoke(app, [name, *args, "--as-of", "2017-13-01"])
    assert result.exit_code == 2
    message = result.stderr
    assert "日期 '2017-13-01' 无法识别或不存在（--as-of）" in message
    assert message.index("选项 --as-of 的值不对") < message.index("日期")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_inspect_reports_the_date_it_read(spelling: str) -> None:
    """`canbao inspect --as-of` in any spelling runs and reports the ISO date in its JSON."""
    roster = FORMATS / "household_utf8.csv"
    result = runner.invoke(app, ["inspect", str(roster), "--as-of", spelling, "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == "2017-06-30"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_every_spelling_of_a_day_reads_back_as_that_day(day: date) -> None:
    """ISO, slashed (with or without leading zeros), compact and Chinese spellings give the day."""
    y, m, d = day.year, day.month, day.day
    spellings = [
        day.isoformat(),
        f"{y}/{m:02}/{d:02}",
        f"{y}/{m}/{d}",
        f"{y}{m:02}{d:02}",
        f"{y}年{m}月{d}日",
        f" {day.isoformat()} ",
    ]
    assert {parse_as_of(text) for text in spellings} == {day}


@pytest.mark.parametrize(
    "text", ["2017-13-01", "2017-02-30", "30/06/2017", "2017.06.30", "201706300", "2017年6月", ""]
)
def test_parse_as_of_refuses_what_is_no_day(text: str) -> None:
    """An impossible day or an unknown spelling is a usage error naming the accepted spellings."""
    with pytest.raises(typer.BadParameter, match="2017年6月30日"):
        parse_as_of(text)


def test_format_enum_maps_onto_the_writers_formats() -> None:
    """--format's enum and the writers' format names are the same three, mapped one to one."""
    assert {f.value for f in TableFormat} == set(get_args(OutputFormat))
    assert {key.value: value for key, value in OUTPUT_FORMATS.items()} == {
        f.value: f.value for f in TableFormat
    }
    ctx = load_command("match").make_context(
        "match", [*AS_OF_COMMANDS["match"], "--format", "xlsx"]
    )
    assert ctx.params["format"] is TableFormat.XLSX


def test_unknown_format_is_refused_with_the_choices(tmp_path: Path) -> None:
    """`--format xls` exits 2 and names csv, parquet and xlsx."""
    args = ["match", "--household", "h.csv", "--output", str(tmp_path / "o"), "--format", "xls"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert all(name in result.stderr for name in ("csv", "parquet", "xlsx"))


def _python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


def test_no_private_typer_or_click_import() -> None:
    """Neither src nor tests import typer's private Click copy (typer._click) or its globals."""
    private = re.compile(
        r"^\s*(from\s+typer[.\w]*\s+import\s+[^\n]*\b_click\b|(from|import)\s+typer\._click)",
        re.MULTILINE,
    )
    found = [str(p) for p in _python_files("src", "tests") if private.search(p.read_text("utf-8"))]
    assert found == []


def test_json_is_printed_in_one_place() -> None:
    """The command modules print --json only through cli_common.print_json, never on their own."""
    modules = {module for module, _ in COMMANDS.values()}
    for module in modules:
        path = ROOT / "src" / Path(*module.split(".")).with_suffix(".py")
        text = path.read_text("utf-8")
        assert "json.dumps" not in text and ".print_json(" not in text, path
