"""The audit log: one JSON line per run of any command, never a personal value.

Huaibei's survey notice (淮人社秘〔2017〕166号) makes the centre answerable for who used the
city's data and what left the building; the log answers "who ran what, on which files, into
which folder, with which result". Each line holds the time (UTC), the operating-system user,
the command, its options, the SHA-256 of each input file, the output path and the exit code.

Options hold paths, codes, dates and flags; a text option that is anything else is recorded
as its SHA-256, so no personal value can reach the log even if one is typed on the command
line, and every path passes through :func:`canbao.masking.mask_text`.

Where: ``$CANBAO_AUDIT_LOG`` if set, else ``%LOCALAPPDATA%\\canbao\\audit.log`` on Windows and
``$XDG_STATE_HOME/canbao/audit.log`` (``~/.local/state/canbao/audit.log``) elsewhere. The file is
created 0600 in a 0700 folder and rotated by size: :data:`MAX_BYTES` per file, :data:`KEEP`
older files (``audit.log.1`` newest to ``audit.log.5`` oldest).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from canbao.masking import mask_text

AUDIT_ENV = "CANBAO_AUDIT_LOG"
MAX_BYTES = 10 * 1024 * 1024
KEEP = 5
# Inputs hashed per folder option (forms survey --from DIR): enough for any result folder.
MAX_FILES_PER_FOLDER = 2000
# Options whose value is where the run writes, not what it reads.
OUTPUT_OPTIONS = frozenset({"output"})
# A text option recorded as it is: a code, a date, a format, a rule-set name, a number.
_PLAIN_OPTION = re.compile(r"[A-Za-z0-9_.:+-]{1,40}")


def audit_log_path() -> Path:
    """Where the audit log is: ``$CANBAO_AUDIT_LOG``, else the user's state folder."""
    configured = os.environ.get(AUDIT_ENV)
    if configured:
        return Path(configured).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "canbao" / "audit.log"
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "canbao" / "audit.log"


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _paths(value: Any) -> list[Path]:
    if isinstance(value, Path):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, Path)]
    return []


def input_hashes(params: Mapping[str, Any]) -> dict[str, str]:
    """SHA-256 of every existing file named by an input option (files inside a folder too)."""
    hashes: dict[str, str] = {}
    for name, value in params.items():
        if name in OUTPUT_OPTIONS:
            continue
        for path in _paths(value):
            files = [path] if path.is_file() else _folder_files(path) if path.is_dir() else []
            for file in files:
                try:
                    hashes[mask_text(str(file))] = sha256_file(file)
                except OSError:
                    continue  # unreadable: the command itself says so
    return hashes


def _folder_files(folder: Path) -> Iterable[Path]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return files[:MAX_FILES_PER_FOLDER]


def safe_option(value: Any) -> Any:
    """An option's value as the log may hold it: paths masked, free text hashed, else as is."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Decimal | float):
        return str(value)
    if isinstance(value, Path):
        return mask_text(str(value))
    if isinstance(value, list | tuple):
        return [safe_option(v) for v in value]
    text = str(value)
    if _PLAIN_OPTION.fullmatch(text) and mask_text(text) == text:
        return text
    return {"sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}


def audit_line(
    command: str, params: Mapping[str, Any], inputs: Mapping[str, str], exit_code: int
) -> dict[str, Any]:
    """The record of one run (see the module docstring for what each key holds)."""
    output = params.get("output")
    return {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "user": _user(),
        "command": command,
        "options": {
            k: safe_option(v) for k, v in params.items() if v is not None and k not in ("output",)
        },
        "inputs_sha256": dict(inputs),
        "output": mask_text(str(output)) if output is not None else None,
        "exit_code": exit_code,
    }


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a container, a service account without one)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def append(record: Mapping[str, Any], path: Path | None = None) -> Path:
    """Append ``record`` as one JSON line, rotating first if the file would pass MAX_BYTES."""
    path = path or audit_log_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    if path.exists() and path.stat().st_size + len(line) > MAX_BYTES:
        _rotate(path)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)  # one write of one line: concurrent runs never interleave a line
    finally:
        os.close(fd)
    return path


def _rotate(path: Path) -> None:
    # audit.log.4 -> .5 (the oldest, .5, is dropped), ..., audit.log -> .1
    oldest = path.with_name(f"{path.name}.{KEEP}")
    oldest.unlink(missing_ok=True)
    for n in range(KEEP - 1, 0, -1):
        older = path.with_name(f"{path.name}.{n}")
        if older.exists():
            older.replace(path.with_name(f"{path.name}.{n + 1}"))
    path.replace(path.with_name(f"{path.name}.1"))
