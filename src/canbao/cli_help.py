"""What every command's help shows the same way: readable metavars and the closing example.

Typer 0.29 labels a value by its Python type (``--household <list[Path]>``, ``--kind <str>``,
``files... <list[Path]>``). :func:`readable_metavars` gives every option without a metavar of
its own the classic one of its kind (``PATH``, ``TEXT``, ``N``, ``csv|parquet|xlsx``) and every
argument its name in capitals (``FILES...``); :func:`canbao.cli.load_command` applies it to each
command it builds, so a command added later gets it too.

Each command's help ends with a paragraph ``示例 (example):`` and one or more runnable lines
``canbao …`` (tests/test_cli_help.py walks every command and checks it).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, get_args, get_origin

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

# The heading of the example paragraph that closes each command's help.
EXAMPLE_HEADING = "示例 (example):"


def example(*lines: str) -> str:
    """The closing paragraph of a help text: the heading and each command line, unwrapped.

    Click keeps a paragraph that starts with ``\\b`` as written (no rewrapping), so a long
    command line stays one line that can be copied.
    """
    return "\n\n\b\n" + "\n".join([EXAMPLE_HEADING, *(f"  {line}" for line in lines)])


class _NamedArgument(TyperArgument):
    """An argument shown by its name alone (``FILES...``), without Typer's ``<list[Path]>``."""

    def display_type_rich(self, ctx: Any) -> str | None:
        """No type label: the name says it."""
        return None

    def _rich_display_name(self) -> str:
        name = self.display_name_raw
        return f"{name}..." if self.nargs != 1 else name


def _metavar(param: TyperOption) -> str:
    """The classic metavar of an option's value: its choices, PATH, N, NUMBER or TEXT."""
    described = param.type_descriptor
    if described.choices is not None:
        return "|".join(str(getattr(c, "value", c)) for c in described.choices)
    annotation = described.annotation
    if get_origin(annotation) is list:
        annotation = get_args(annotation)[0]
    is_path = isinstance(annotation, type) and issubclass(annotation, PurePath)
    if is_path or described.is_path or described.is_file:
        return "PATH"
    if annotation is int:
        return "N"
    if annotation is float:
        return "NUMBER"
    return "TEXT"


def readable_metavars(command: TyperCommand | TyperGroup) -> None:
    """Give each option and argument under ``command`` a readable metavar (in place)."""
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            assert isinstance(sub, TyperCommand | TyperGroup)
            readable_metavars(sub)
        return
    for param in command.params:
        if isinstance(param, TyperArgument):
            if param.metavar is None and param.name:
                param.metavar = param.name.upper()
            param.__class__ = _NamedArgument
        elif isinstance(param, TyperOption) and param.metavar is None and not param.is_flag:
            param.metavar = _metavar(param)
