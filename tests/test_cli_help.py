"""Every command's help ends with a runnable example and readable metavars; completion is on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from canbao.cli import app
from canbao.cli_help import EXAMPLE_HEADING
from canbao.i18n import _

runner = CliRunner()

# Typer's labels of a value by its Python type: <list[Path]>, <str>, <int range>, <path>, ...
TYPE_LABEL = re.compile(r"<(list\[|str>|int|float|bool>|path>|file>|directory>|Path>|text>)")


def _walk(command: Any, ctx: Any, words: list[str]) -> Iterator[list[str]]:
    """The words of every command and group under ``command`` (discovered, not listed)."""
    yield words
    if isinstance(command, TyperGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            yield from _walk(sub, typer.Context(sub, parent=ctx, info_name=name), [*words, name])


def every_command() -> list[list[str]]:
    """The words of each command of the application, groups and subcommands included."""
    root = typer.main.get_command(app)
    return list(_walk(root, typer.Context(root, info_name="canbao"), []))[1:]


COMMAND_WORDS = every_command()


def test_the_walk_finds_groups_and_subcommands() -> None:
    """The walk reaches the top commands and the subcommands of the groups."""
    found = {" ".join(words) for words in COMMAND_WORDS}
    assert {"match", "forms", "forms survey", "rules check"} <= found


@pytest.mark.parametrize("words", COMMAND_WORDS, ids=" ".join)
def test_each_help_ends_with_an_example(words: list[str]) -> None:
    """Each command's help text closes with 示例 (example) and a line that runs this command."""
    result = runner.invoke(app, [*words, "--help"])
    assert result.exit_code == 0, result.output
    description = result.output.split(f"\n{_('Arguments')}:")[0].split(f"\n{_('Options')}:")[0]
    last = description.rstrip().split("\n\n")[-1].splitlines()
    assert last[0].strip() == _(EXAMPLE_HEADING) == "示例:", description
    commands = [line.strip() for line in last[1:] if line.strip().startswith("canbao ")]
    assert any(line.startswith(f"canbao {' '.join(words)} ") for line in commands), last


@pytest.mark.parametrize("words", COMMAND_WORDS, ids=" ".join)
def test_each_help_has_readable_metavars(words: list[str]) -> None:
    """No option or argument is labelled by its Python type (<list[Path]>, <str>, <int range>)."""
    result = runner.invoke(app, [*words, "--help"])
    assert TYPE_LABEL.findall(result.output) == []


def test_metavars_say_what_goes_there() -> None:
    """Paths read PATH, words TEXT, numbers N, choices their values, arguments their name."""
    match = runner.invoke(app, ["match", "--help"]).output
    assert "--household PATH" in match
    assert "--area TEXT" in match
    assert "--format csv|parquet|xlsx" in match
    intake = runner.invoke(app, ["intake", "--help"]).output
    assert "--sample-min N" in intake
    assert "FILES..." in intake


def test_show_completion_prints_the_bash_script(monkeypatch: pytest.MonkeyPatch) -> None:
    """`canbao --show-completion` in bash prints the script that asks canbao for candidates."""
    # Typer finds the user's shell from the process tree (shellingham): under `sh -c 'make test'`
    # it found sh ("Shell sh not supported"). The shell is the user's, not canbao's: say bash.
    monkeypatch.setattr(typer.completion, "_get_shell_name", lambda: "bash")
    result = runner.invoke(app, ["--show-completion"], prog_name="canbao")
    assert result.exit_code == 0, (result.output, repr(result.exception))
    assert "_CANBAO_COMPLETE=complete_bash" in result.output
    assert "complete -o default -F _canbao_completion canbao" in result.output


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("canbao ma", ["match"]),
        ("canbao forms ", ["survey", "template"]),
        ("canbao match --hou", ["--household"]),
        ("canbao match --format ", ["csv", "parquet", "xlsx"]),
    ],
)
def test_completion_offers_commands_options_and_choices(line: str, expected: list[str]) -> None:
    """The completion callback answers with the commands, options and choices that fit."""
    words = line.split(" ")
    env = {"_CANBAO_COMPLETE": "complete_bash", "COMP_WORDS": line}
    env["COMP_CWORD"] = str(len(words) - 1)
    result = runner.invoke(app, [], prog_name="canbao", env=env)
    assert result.exit_code == 0
    assert result.output.split() == expected
