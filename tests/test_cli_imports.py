"""The command line imports only what the invoked command needs, and lists every command."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup

from canbao.cli import COMMANDS, app
from tests.test_match_examples import match_args

# Runs the console script's entry point with the given arguments, then prints which modules
# were imported (a fresh interpreter: the test process has imported everything already).
PROBE = """
import json, sys
from canbao.cli import main
sys.argv = ["canbao", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

SCORE_AND_FORMS = ["openpyxl", "ruamel.yaml", "canbao.score", "canbao.score.model", "canbao.forms"]


def _imported(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    probe = json.loads(done.stdout.splitlines()[-1])
    assert probe["code"] == 0, done.stderr
    return set(probe["modules"])


def test_root_help_imports_no_command() -> None:
    """`canbao --help` imports no command module and none of the libraries they use."""
    modules = _imported("--help")
    assert {m for m in modules if m.startswith("canbao")} == {
        "canbao",
        "canbao.cli",
        "canbao.cli_help",
        "canbao.help_format",
        "canbao.i18n",  # the suite pins CANBAO_LANG (tests/__init__.py): no canbao.toml read
    }
    assert not modules & {"polars", "xlsxwriter", "rich", *SCORE_AND_FORMS}


def test_match_help_imports_no_score_or_forms() -> None:
    """`canbao match --help` imports the match command but nothing of scoring or forms."""
    modules = _imported("match", "--help")
    assert "canbao.match.cli" in modules
    assert not modules & {*SCORE_AND_FORMS, "canbao.synth", "canbao.inspect"}


@pytest.mark.slow
def test_match_run_imports_no_score_or_forms(tmp_path: Path) -> None:
    """Matching the example city (one roster in xlsx) imports nothing of scoring or forms."""
    modules = _imported(*match_args(tmp_path / "out"))
    assert not modules & set(SCORE_AND_FORMS)


def _listing(group: TyperGroup, width: int) -> str:
    ctx = typer.Context(group, terminal_width=width)
    formatter = ctx.make_formatter()
    group.format_commands(ctx, formatter)
    return formatter.getvalue()


@pytest.mark.parametrize("width", [40, 80, 120])
def test_listing_equals_the_loaded_commands(width: int) -> None:
    """`canbao --help` lists the commands, order and summaries that loading every module gives."""
    loaded = typer.Typer(rich_markup_mode=None)
    for module in dict.fromkeys(module for module, _ in COMMANDS.values()):
        importlib.import_module(module).register(loaded)
    lazy = typer.main.get_command(app)
    assert isinstance(lazy, TyperGroup)
    assert _listing(lazy, width) == _listing(typer.main.get_group(loaded), width)
