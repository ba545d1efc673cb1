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
from canbao.i18n import N_, _
from canbao.shown_path import shown_path

CONFIG_NAME = "canbao.toml"
ENV_PREFIX = "CANBAO_"

# The keys a config file may hold: the option's parameter name, its flag and what a value is.
KEYS: dict[str, tuple[str, str]] = {
    "area": ("--area", N_('region-code prefixes, a string or a list, e.g. area = ["3406"]')),
    "db": (
        "--db",
        N_('the register: a DuckDB file or a postgresql:// URL, e.g. db = "canbao.duckdb"'),
    ),
    "format": ("--format", N_('one of csv, parquet or xlsx, e.g. format = "xlsx"')),
    "as_of": ("--as-of", N_("a date, e.g. as_of = 2017-06-30")),
    "language": (
        "CANBAO_LANG",
        N_('the language, zh (Chinese) or en (English), e.g. language = "en"'),
    ),
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
        return None, _("the value {value!r} is not region-code prefixes of digits").format(
            value=value
        )
    if key == "db":
        if isinstance(value, str) and value.strip():
            return value, None
        return None, _("the value {value!r} is not a non-empty string").format(value=value)
    if key == "format":
        if isinstance(value, str) and value in FORMATS:
            return value, None
        return None, _("the value {value!r} is not one of {choices}").format(
            value=value, choices=", ".join(FORMATS)
        )
    if key == "language":
        if value in ("zh", "en"):
            return value, None
        return None, _("the value {value!r} is not zh or en").format(value=value)
    if isinstance(value, date | str):
        try:
            return read_date(value, "as_of").isoformat(), None
        except UsageError:
            pass
    return None, _("the value {value!r} is not a date").format(value=value)


def read_config(path: Path, problems: list[str]) -> dict[str, Any]:
    """The checked defaults of one file; each problem is appended to ``problems``."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        problems.append(
            _("{path}: not valid TOML: {reason}").format(path=shown_path(path), reason=exc)
        )
        return {}
    except OSError as exc:
        problems.append(
            _("{path}: cannot be read: {reason}").format(path=shown_path(path), reason=exc.strerror)
        )
        return {}
    defaults: dict[str, Any] = {}
    for key, value in data.items():
        if key not in KEYS:
            problems.append(
                _("{path}: unknown key {key!r}; known keys: {known}").format(
                    path=shown_path(path), key=key, known=", ".join(KEYS)
                )
            )
            continue
        checked, problem = _check(key, value)
        if problem is not None:
            problems.append(
                _("{path}: key {key!r} ({option}): {problem}; expected {expected}").format(
                    path=shown_path(path),
                    key=key,
                    option=KEYS[key][0],
                    problem=problem,
                    expected=_(KEYS[key][1]),
                )
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
            _("the config file has problems:") + "\n  " + "\n  ".join(problems),
            fix=_(
                "fix or remove the keys listed, or move the file away (command-line options "
                "and CANBAO_* variables still work; see README, Defaults in a file)"
            ),
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
