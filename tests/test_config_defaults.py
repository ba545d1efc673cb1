"""Defaults from canbao.toml and CANBAO_* variables: each step of the precedence, and the errors.

A run of ``canbao match`` on a missing roster parses its options and stops at reading (exit 3);
the audit log records the options the command was given, which is what these tests read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.config import KEYS, envvar, user_config_path
from canbao.errors import EXIT_INPUT, EXIT_USAGE

CONFIG_KEYS = ("area", "db", "format", "as_of")


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A temporary current folder and user config folder, with no CANBAO_* default set."""
    cwd = tmp_path / "work"
    user = tmp_path / "xdg" / "canbao"
    cwd.mkdir()
    user.mkdir(parents=True)
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("APPDATA", raising=False)
    for key in CONFIG_KEYS:
        monkeypatch.delenv(envvar(key), raising=False)
    return cwd, user


def options(audit_log: Path, env: dict[str, str] | None = None, *args: str) -> dict[str, object]:
    """Run ``canbao match`` on a missing roster and return the options the audit log recorded."""
    args = ("match", "--household", "nope.csv", "-o", "out", *args)
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == EXIT_INPUT, result.output
    record = json.loads(audit_log.read_text(encoding="utf-8").splitlines()[-1])
    recorded: dict[str, object] = record["options"]
    return recorded


def test_built_in_defaults_without_config(folders: tuple[Path, Path], audit_log: Path) -> None:
    """With no file and no variable, the built-in defaults apply."""
    got = options(audit_log)
    assert got["format"] == "csv"
    assert got["area"] == []
    assert "db" not in got and "as_of" not in got


def test_user_config_file_sets_defaults(folders: tuple[Path, Path], audit_log: Path) -> None:
    """The user's canbao.toml sets every key over the built-in default."""
    _, user = folders
    (user / "canbao.toml").write_text(
        'area = "3406"\ndb = "reg.duckdb"\nformat = "xlsx"\nas_of = 2017-06-30\n', encoding="utf-8"
    )
    got = options(audit_log)
    assert (got["area"], got["db"], got["format"], got["as_of"]) == (
        ["3406"],
        "reg.duckdb",
        "xlsx",
        "2017-06-30",
    )


def test_folder_config_over_user_config(folders: tuple[Path, Path], audit_log: Path) -> None:
    """canbao.toml in the current folder wins over the user's, key by key."""
    cwd, user = folders
    (user / "canbao.toml").write_text('format = "xlsx"\ndb = "user.duckdb"\n', encoding="utf-8")
    (cwd / "canbao.toml").write_text('format = "parquet"\nas_of = "2017/06/30"\n', encoding="utf-8")
    got = options(audit_log)
    assert (got["format"], got["db"], got["as_of"]) == ("parquet", "user.duckdb", "2017-06-30")


def test_environment_over_config_files(folders: tuple[Path, Path], audit_log: Path) -> None:
    """CANBAO_* variables win over both files; CANBAO_AREA splits on spaces."""
    cwd, _ = folders
    (cwd / "canbao.toml").write_text('format = "parquet"\narea = ["3401"]\n', encoding="utf-8")
    env = {"CANBAO_FORMAT": "xlsx", "CANBAO_AREA": "3406 3412", "CANBAO_AS_OF": "20170630"}
    got = options(audit_log, env)
    assert (got["format"], got["area"], got["as_of"]) == ("xlsx", ["3406", "3412"], "2017-06-30")


def test_command_line_over_environment(folders: tuple[Path, Path], audit_log: Path) -> None:
    """An option on the command line wins over the variable and the files."""
    cwd, _ = folders
    (cwd / "canbao.toml").write_text('format = "parquet"\ndb = "file.duckdb"\n', encoding="utf-8")
    env = {"CANBAO_FORMAT": "xlsx", "CANBAO_DB": "env.duckdb"}
    got = options(audit_log, env, "--format", "csv", "--db", "cli.duckdb", "--area", "3406")
    assert (got["format"], got["db"], got["area"]) == ("csv", "cli.duckdb", ["3406"])


def test_help_shows_the_configured_default(folders: tuple[Path, Path]) -> None:
    """A command's help shows the default the config file gives and the variable's name."""
    cwd, _ = folders
    (cwd / "canbao.toml").write_text('format = "xlsx"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["match", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "默认：xlsx" in "".join(result.output.split())  # wrapped where the terminal ends
    assert "CANBAO_FORMAT" in result.output


def test_keys_reach_the_commands_with_the_option(folders: tuple[Path, Path]) -> None:
    """A key reaches every command that has the option; demo keeps its own reference date."""
    from canbao.cli import load_command
    from canbao.config import default_map

    defaults = {"area": ["3406"], "as_of": "2020-01-01", "format": "xlsx"}
    assert default_map(load_command("score"), "score", defaults) == {"area": ["3406"]}
    assert default_map(load_command("demo"), "demo", defaults) == {}
    assert default_map(load_command("intake"), "intake", defaults) == {"as_of": "2020-01-01"}
    assert default_map(load_command("forms"), "forms", defaults) == {"survey": {}, "template": {}}


def test_changes_takes_the_database_and_the_area_as_progress_does() -> None:
    """canbao changes reads the configured database and area, as canbao progress does (the
    area as the match recorded it with that --area)."""
    from canbao.cli import load_command
    from canbao.config import default_map

    defaults = {"area": ["3406"], "db": "campaign.duckdb", "as_of": "2020-01-01"}
    want = {"db": "campaign.duckdb", "area": ["3406"]}
    assert default_map(load_command("changes"), "changes", defaults) == want
    progress = default_map(load_command("progress"), "progress", defaults)
    assert {k: progress[k] for k in want} == want


def test_bad_config_lists_every_problem(folders: tuple[Path, Path]) -> None:
    """Unknown keys and bad values are one usage error (exit 2) naming file, key and fix."""
    cwd, user = folders
    (cwd / "canbao.toml").write_text(
        'areaa = "3406"\nformat = "pdf"\nas_of = "30.06.2017"\narea = 3406\n', encoding="utf-8"
    )
    (user / "canbao.toml").write_text('db = ""\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["match", "--household", "nope.csv", "-o", "out"])
    assert result.exit_code == EXIT_USAGE
    err = result.stderr
    assert "配置文件有误：" in err and "config file" not in err
    for key in ("'areaa'", "'format'", "'as_of'", "'area'", "'db'"):
        assert key in err
    # The one in the current folder by its relative path, the user's by its absolute one.
    assert "\n  canbao.toml：" in err and f"\n  {user / 'canbao.toml'}：" in err
    assert "'pdf'" in err and "csv、parquet 或 xlsx" in err
    assert "可用的键：" + ", ".join(KEYS) in err
    assert "修正方法：" in err


def test_broken_toml_is_a_usage_error(folders: tuple[Path, Path]) -> None:
    """A file that is not TOML is named with the parser's line, exit 2."""
    cwd, _ = folders
    (cwd / "canbao.toml").write_text('format = "xlsx\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["match", "--household", "nope.csv", "-o", "out"])
    assert result.exit_code == EXIT_USAGE
    assert "不是有效的 TOML" in result.stderr and "line 1" in result.stderr


def test_bad_environment_value_is_a_usage_error(folders: tuple[Path, Path]) -> None:
    """A CANBAO_FORMAT Click cannot read is exit 2 naming the option."""
    env = {"CANBAO_FORMAT": "pdf"}
    result = CliRunner().invoke(app, ["match", "--household", "nope.csv", "-o", "out"], env=env)
    assert result.exit_code == EXIT_USAGE
    assert "--format" in result.stderr


def test_user_config_path_per_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    """%APPDATA% on Windows, XDG_CONFIG_HOME or ~/.config elsewhere."""
    monkeypatch.setattr("sys.platform", "win32")
    assert user_config_path({"APPDATA": "C:/Users/a/AppData/Roaming"}) == Path(
        "C:/Users/a/AppData/Roaming/canbao/canbao.toml"
    )
    monkeypatch.setattr("sys.platform", "linux")
    assert user_config_path({"XDG_CONFIG_HOME": "/x"}) == Path("/x/canbao/canbao.toml")
    assert user_config_path({}) == Path.home() / ".config" / "canbao" / "canbao.toml"
