"""The ``--columns`` mapping file: which header of a file holds which canonical field.

Format (YAML, read with ruamel's safe loader; see docs/reading.md)::

    id: 身份证号(新)              # field: header
    name: [姓名, 户主姓名]        # field: headers to try, first found wins
    files:                        # optional: per file-name glob, checked in order
      "养老*.csv":
        scheme: 险种编码

Entries for a matching glob come before the top-level ones. A header named here wins over the
built-in aliases; a header not present in a file is simply not used (one map serves many files).

Status and scheme words a system spells its own way are mapped under ``values:`` to a word or
code canbao knows (checked when the map is read)::

    values:
      status: {冻结: 暂停缴费, 在保: 参保缴费, 已故: 死亡}
      scheme: {居民养老: "12", 城乡医保: "22"}
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from canbao.codes import (
    ENROLMENT_STATUS_ALIASES,
    HOUSEHOLD_STATUS_ALIASES,
    SCHEME_ALIASES,
    SCHEMES,
)
from canbao.errors import InputError
from canbao.limits import yaml_limit_hit
from canbao.roster.fields import FIELD_LABELS
from canbao.shown_path import shown_path

_EXAMPLE = "id: 身份证号(新)"
# What a word may be mapped to under ``values:``: the words and codes canbao itself reads.
VALUE_TARGETS: dict[str, frozenset[str]] = {
    "status": frozenset(ENROLMENT_STATUS_ALIASES) | frozenset(HOUSEHOLD_STATUS_ALIASES),
    "scheme": frozenset(SCHEMES) | frozenset(SCHEMES.values()) | frozenset(SCHEME_ALIASES),
}


@dataclass(frozen=True)
class ColumnMap:
    """Headers named by the user for canonical fields, globally and per file-name glob."""

    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    by_glob: tuple[tuple[str, dict[str, tuple[str, ...]]], ...] = ()
    source: Path | None = None
    # field (status, scheme) -> {word as exported: word or code canbao knows}
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def for_file(self, name: str) -> dict[str, tuple[str, ...]]:
        """Return the headers to try for each field for a file called ``name``."""
        merged: dict[str, tuple[str, ...]] = {}
        for pattern, entries in self.by_glob:
            if fnmatch.fnmatch(name, pattern):
                for key, headers in entries.items():
                    merged[key] = merged.get(key, ()) + headers
        for key, headers in self.fields.items():
            merged[key] = merged.get(key, ()) + headers
        return merged


def load_column_map(path: Path) -> ColumnMap:
    """Read and check a ``--columns`` YAML file; any problem is an :class:`InputError`."""
    # Imported here: ruamel.yaml takes 0.15-0.3 s to import and most runs have no column map.
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read the column map {shown_path(path)}: {exc}",
            fix="give a UTF-8 YAML file to --columns",
        ) from exc
    hit = yaml_limit_hit(text)
    if hit is not None:
        raise InputError(
            f"拒绝读取列映射文件 {shown_path(path)} 第 {hit.line} 行：{hit.problem} "
            "(the column map is refused)",
            fix=hit.fix,
        )
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise InputError(
            f"the column map {shown_path(path)} is not valid YAML: {exc}".replace("\n", " "),
            fix=f"write one `field: header` per line, e.g. `{_EXAMPLE}`",
        ) from exc
    if data is None:
        return ColumnMap(source=path)
    if not isinstance(data, dict):
        raise _bad(path, "the top level must be a mapping of field: header")
    globs: list[tuple[str, dict[str, tuple[str, ...]]]] = []
    values = _values(path, data.pop("values", None))
    files = data.pop("files", None)
    if files is not None:
        if not isinstance(files, dict):
            raise _bad(path, "`files:` must map a file-name glob to field: header entries")
        for pattern, entries in files.items():
            if not isinstance(entries, dict):
                raise _bad(path, f"files: {pattern!s}: expected field: header entries")
            globs.append((str(pattern), _entries(path, entries, f"files: {pattern}: ")))
    fields = _entries(path, data, "")
    return ColumnMap(fields=fields, by_glob=tuple(globs), source=path, values=values)


def _values(path: Path, data: object) -> dict[str, dict[str, str]]:
    """The ``values:`` section: each word mapped to a status or scheme canbao knows."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _bad(path, "`values:` must map status or scheme to `word: known word` entries")
    out: dict[str, dict[str, str]] = {}
    for key, words in data.items():
        name = str(key).strip()
        known = VALUE_TARGETS.get(name)
        if known is None:
            raise _bad(
                path, f"values: {name!r} cannot be mapped (only: {', '.join(VALUE_TARGETS)})"
            )
        if not isinstance(words, dict) or not words:
            raise _bad(path, f"values: {name}: expected `word: known word` entries")
        out[name] = {}
        for word, target in words.items():
            text = str(target).strip()
            if text not in known:
                raise _bad(
                    path,
                    f"values: {name}: {word!s} -> {text!r} is not a {name} canbao knows "
                    f"(e.g. {', '.join(sorted(known)[:6])})",
                )
            out[name][str(word).strip()] = text
    return out


def _entries(path: Path, data: dict[Any, Any], where: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, value in data.items():
        name = str(key).strip()
        if name not in FIELD_LABELS:
            known = ", ".join(FIELD_LABELS)
            raise _bad(path, f"{where}unknown field {name!r} (known fields: {known})")
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str | int) and str(v).strip() for v in values):
            raise _bad(path, f"{where}{name}: expected a header or a list of headers")
        out[name] = tuple(str(v).strip() for v in values)
    return out


def _bad(path: Path, problem: str) -> InputError:
    return InputError(
        f"the column map {shown_path(path)} is not usable: {problem}",
        fix=f"write one `field: header` per line (or `field: [header, header]`), e.g. `{_EXAMPLE}`",
    )
