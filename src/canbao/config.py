"""Defaults an analyst would otherwise repeat, kept in ``canbao.toml`` and ``CANBAO_*`` variables.

Precedence, highest first (README "Defaults in a file"):

1. the command line;
2. the environment: ``CANBAO_AREA``, ``CANBAO_DB``, ``CANBAO_FORMAT``, ``CANBAO_AS_OF``
   (Click's ``envvar`` of each option);
3. ``canbao.toml`` in the current folder;
4. ``canbao.toml`` in the user's config folder (:func:`user_config_path`);
5. the built-in default.

Steps 3 and 4 become Click's ``default_map`` (read here with :mod:`tomllib`, checked all at
once); Click itself applies steps 1, 2 and 5. A key applies to every command that has the option;
``canbao demo`` takes none of them (its date defines the synthetic city). The key ``language``
(``zh`` or ``en``) is no option: :mod:`canbao.i18n` reads it, below ``CANBAO_LANG``.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from canbao.dates import read_date
from canbao.errors import UsageError
from canbao.shown_path import shown_path

CONFIG_NAME = "canbao.toml"
ENV_PREFIX = "CANBAO_"

# The keys a config file may hold: the option's parameter name, its flag and what a value is.
KEYS: dict[str, tuple[str, str]] = {
    "area": ("--area", '区划代码前缀，字符串或其列表，如 area = ["3406"]'),
    "db": ("--db", '登记库：DuckDB 文件或 postgresql:// 地址，如 db = "canbao.duckdb"'),
    "format": ("--format", 'csv、parquet 或 xlsx 之一，如 format = "xlsx"'),
    "as_of": ("--as-of", "日期，如 as_of = 2017-06-30"),
    "language": ("CANBAO_LANG", '界面语言 zh（中文）或 en（English），如 language = "en"'),
}
FORMATS = ("csv", "parquet", "xlsx")
COMMANDS_WITHOUT_DEFAULTS = frozenset({"demo"})


def envvar(key: str) -> str:
    """The environment variable of config key ``key``: ``CANBAO_AS_OF`` for ``as_of``."""
    return ENV_PREFIX + key.upper()


def user_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The user's ``canbao.toml``: ``%APPDATA%`` on Windows, else XDG or ``~/.config``."""
    env = os.environ if environ is None else environ
    if sys.platform == "win32" and env.get("APPDATA"):
        return Path(env["APPDATA"]) / "canbao" / CONFIG_NAME
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "canbao" / CONFIG_NAME


def config_paths() -> list[Path]:
    """The config files that exist, lowest precedence first (the user's, then the folder's)."""
    paths = [user_config_path(), Path.cwd() / CONFIG_NAME]
    found: list[Path] = []
    for path in paths:
        if path.is_file() and all(not path.samefile(seen) for seen in found):
            found.append(path)
    return found


def _check(key: str, value: Any) -> tuple[Any, str | None]:
    """The value as Click takes it, or a problem with it (in Chinese, then English)."""
    if key == "area":
        items = [value] if isinstance(value, str) else value
        strings = isinstance(items, list) and all(isinstance(v, str) for v in items)
        if strings and items and all(v.isascii() and v.isdigit() for v in items):
            return list(items), None
        return None, f"值 {value!r} 不是区划代码前缀（not region-code prefixes of digits）"
    if key == "db":
        if isinstance(value, str) and value.strip():
            return value, None
        return None, f"值 {value!r} 不是非空字符串（not a non-empty string）"
    if key == "format":
        if isinstance(value, str) and value in FORMATS:
            return value, None
        return None, f"值 {value!r} 不是 {'、'.join(FORMATS)} 之一（not one of the formats）"
    if key == "language":
        if value in ("zh", "en"):
            return value, None
        return None, f"值 {value!r} 不是 zh 或 en（not zh or en）"
    if isinstance(value, date | str):
        try:
            return read_date(value, "as_of").isoformat(), None
        except UsageError:
            pass
    return None, f"值 {value!r} 不是日期（not a date）"


def read_config(path: Path, problems: list[str]) -> dict[str, Any]:
    """The checked defaults of one file; each problem is appended to ``problems``."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{shown_path(path)}: 不是有效的 TOML（not valid TOML）：{exc}")
        return {}
    except OSError as exc:
        problems.append(f"{shown_path(path)}: 无法读取（cannot be read）：{exc.strerror}")
        return {}
    defaults: dict[str, Any] = {}
    for key, value in data.items():
        if key not in KEYS:
            problems.append(
                f"{shown_path(path)}: 未知的键 {key!r}（unknown key）；"
                f"可用的键 (known keys): {', '.join(KEYS)}"
            )
            continue
        checked, problem = _check(key, value)
        if problem is not None:
            problems.append(
                f"{shown_path(path)}: 键 {key!r}（{KEYS[key][0]}）{problem}；应为 {KEYS[key][1]}"
            )
        else:
            defaults[key] = checked
    return defaults


def load_defaults() -> dict[str, Any]:
    """The defaults of every config file, the current folder's over the user's.

    Raises :class:`UsageError` (exit 2) listing every problem of every file at once.
    """
    problems: list[str] = []
    defaults: dict[str, Any] = {}
    for path in config_paths():
        defaults.update(read_config(path, problems))
    if problems:
        raise UsageError(
            "配置文件有误 (the config file has problems):\n  " + "\n  ".join(problems),
            fix="改正或删除上面列出的键，或改名移开该文件；命令行选项与 CANBAO_* 环境变量仍可用"
            "（fix or remove the keys listed, or move the file away; "
            "see README, Defaults in a file）",
        )
    return defaults


def configured_language() -> str | None:
    """The ``language`` of the config files (the folder's over the user's), read leniently.

    Read before anything else (canbao.i18n), so a broken file says nothing here; the command's
    :func:`load_defaults` reports it.
    """
    found = None
    for path in config_paths():
        try:
            with path.open("rb") as handle:
                value = tomllib.load(handle).get("language")
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if isinstance(value, str):
            found = value
    return found


def default_map(command: Any, name: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
    """Click's ``default_map`` for ``command`` (named ``name``) and its subcommands."""
    if name in COMMANDS_WITHOUT_DEFAULTS or not defaults:
        return {}
    own = {p.name for p in getattr(command, "params", ())}
    layer: dict[str, Any] = {k: v for k, v in defaults.items() if k in own}
    for sub_name, sub in getattr(command, "commands", {}).items():
        layer[sub_name] = default_map(sub, sub_name, defaults)
    return layer
