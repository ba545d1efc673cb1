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
from canbao.i18n import _
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
            _("cannot read the column map {path}: {reason}").format(
                path=shown_path(path), reason=exc
            ),
            fix=_("give a UTF-8 YAML file to --columns"),
        ) from exc
    hit = yaml_limit_hit(text)
    if hit is not None:
        raise InputError(
            _("the column map {path} is refused, line {line}: {problem}").format(
                path=shown_path(path), line=hit.line, problem=hit.problem
            ),
            fix=hit.fix,
        )
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise InputError(
            _("the column map {path} is not valid YAML: {reason}")
            .format(path=shown_path(path), reason=exc)
            .replace("\n", " "),
            fix=_("write one `field: header` per line, e.g. `{example}`").format(example=_EXAMPLE),
        ) from exc
    if data is None:
        return ColumnMap(source=path)
    if not isinstance(data, dict):
        raise _bad(path, _("the top level must be a mapping of field: header"))
    globs: list[tuple[str, dict[str, tuple[str, ...]]]] = []
    values = _values(path, data.pop("values", None))
    files = data.pop("files", None)
    if files is not None:
        if not isinstance(files, dict):
            raise _bad(path, _("`files:` must map a file-name glob to field: header entries"))
        for pattern, entries in files.items():
            if not isinstance(entries, dict):
                problem = _("files: {pattern}: expected field: header entries")
                raise _bad(path, problem.format(pattern=pattern))
            globs.append((str(pattern), _entries(path, entries, f"files: {pattern}: ")))
    fields = _entries(path, data, "")
    return ColumnMap(fields=fields, by_glob=tuple(globs), source=path, values=values)


def _values(path: Path, data: object) -> dict[str, dict[str, str]]:
    """The ``values:`` section: each word mapped to a status or scheme canbao knows."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _bad(path, _("`values:` must map status or scheme to `word: known word` entries"))
    out: dict[str, dict[str, str]] = {}
    for key, words in data.items():
        name = str(key).strip()
        known = VALUE_TARGETS.get(name)
        if known is None:
            problem = _("values: {name!r} cannot be mapped (only: {known})")
            raise _bad(path, problem.format(name=name, known=", ".join(VALUE_TARGETS)))
        if not isinstance(words, dict) or not words:
            raise _bad(
                path, _("values: {name}: expected `word: known word` entries").format(name=name)
            )
        out[name] = {}
        for word, target in words.items():
            text = str(target).strip()
            if text not in known:
                problem = _(
                    "values: {name}: {word} -> {value!r} is not a {name} canbao knows "
                    "(e.g. {known})"
                )
                raise _bad(
                    path,
                    problem.format(
                        name=name, word=word, value=text, known=", ".join(sorted(known)[:6])
                    ),
                )
            out[name][str(word).strip()] = text
    return out


def _entries(path: Path, data: dict[Any, Any], where: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, value in data.items():
        name = str(key).strip()
        if name not in FIELD_LABELS:
            known = ", ".join(FIELD_LABELS)
            problem = _("{where}unknown field {name!r} (known fields: {known})")
            raise _bad(path, problem.format(where=where, name=name, known=known))
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str | int) and str(v).strip() for v in values):
            problem = _("{where}{name}: expected a header or a list of headers")
            raise _bad(path, problem.format(where=where, name=name))
        out[name] = tuple(str(v).strip() for v in values)
    return out


def _bad(path: Path, problem: str) -> InputError:
    return InputError(
        _("the column map {path} is not usable: {problem}").format(
            path=shown_path(path), problem=problem
        ),
        fix=_(
            "write one `field: header` per line (or `field: [header, header]`), e.g. `{example}`"
        ).format(example=_EXAMPLE),
    )
