"""Decide which header of a file becomes which canonical field, or say why the file is unusable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from canbao.errors import InputError
from canbao.masking import mask_ids_in_text, mask_name
from canbao.roster.colmap import ColumnMap
from canbao.roster.fields import ALIASES, KIND_FIELDS, PERSON_KINDS, alias_index, header_key
from canbao.roster.sniff import ID_LIKE

_MAX_SHOWN = 40


@dataclass(frozen=True)
class HeaderMapping:
    """Column positions of the canonical fields found in a file's header row."""

    columns: dict[str, int]  # field -> 0-based column position
    headers: tuple[str, ...]

    @property
    def by_header(self) -> dict[str, str]:
        """Field -> header text, in the kind's field order."""
        return {f: self.headers[i] for f, i in self.columns.items()}

    @property
    def unmapped(self) -> tuple[str, ...]:
        """Headers that became no field, in file order."""
        used = set(self.columns.values())
        return tuple(h for i, h in enumerate(self.headers) if i not in used)


def map_headers(
    path: Path, headers: Sequence[str], kind: str, columns: ColumnMap | None
) -> HeaderMapping:
    """Map ``headers`` to the fields of ``kind``; an unusable file raises :class:`InputError`."""
    headers = tuple(h.strip().lstrip("\ufeff") for h in headers)
    keys = [header_key(h) for h in headers]
    _check_duplicates(path, headers, keys)
    fields = KIND_FIELDS[kind]
    found: dict[str, int] = {}
    taken: set[int] = set()
    wanted = columns.for_file(path.name) if columns is not None else {}
    for field, names in wanted.items():
        if field not in fields:
            continue
        for name in names:
            pos = _position(headers, keys, name, taken)
            if pos is not None:
                found[field] = pos
                taken.add(pos)
                break
    index = alias_index(kind)
    ranked: list[tuple[int, int, str]] = []  # (alias rank, position, field)
    for pos, key in enumerate(keys):
        aliased = index.get(key)
        if aliased is not None and pos not in taken and aliased not in found:
            ranked.append((_alias_rank(aliased, key), pos, aliased))
    # When two headers are aliases of one field the more specific alias (earlier in ALIASES)
    # wins and the other stays unmapped, visible in `canbao inspect`.
    for _rank, pos, aliased in sorted(ranked):
        if aliased not in found:
            found[aliased] = pos
            taken.add(pos)
    ordered = {f: found[f] for f in fields if f in found}
    mapping = HeaderMapping(columns=ordered, headers=headers)
    _check_required(path, kind, mapping)
    return mapping


def _position(headers: tuple[str, ...], keys: list[str], name: str, taken: set[int]) -> int | None:
    for pos, header in enumerate(headers):
        if header == name.strip() and pos not in taken:
            return pos
    key = header_key(name)
    for pos, k in enumerate(keys):
        if k == key and pos not in taken:
            return pos
    return None


def _alias_rank(field: str, key: str) -> int:
    for rank, alias in enumerate((field, *ALIASES[field])):
        if header_key(alias) == key:
            return rank
    return len(ALIASES[field]) + 1


def _check_duplicates(path: Path, headers: tuple[str, ...], keys: list[str]) -> None:
    seen: dict[str, int] = {}
    for pos, key in enumerate(keys):
        if not key:
            continue
        if key in seen:
            first = seen[key]
            raise InputError(
                f"{path.name}: duplicated header {headers[pos]!r} (columns {first + 1} and "
                f"{pos + 1}); headers found: {describe_headers(headers)}",
                fix="rename or delete one of the two columns so that every header is unique, "
                "then name the right one with --columns MAP.yaml if needed (e.g. `id: 身份证号`)",
            )
        seen[key] = pos


def _check_required(path: Path, kind: str, mapping: HeaderMapping) -> None:
    cols = mapping.columns
    if kind in PERSON_KINDS and "id" not in cols:
        what, example = "no citizen ID column (公民身份号码)", "id: 证件号"
    elif kind not in PERSON_KINDS and "uscc" not in cols and "unit_name" not in cols:
        what, example = "neither a USCC (统一社会信用代码) nor a unit name column", "uscc: 信用代码"
    else:
        return
    raise InputError(
        f"{path.name}: {what} for a {kind} roster; headers found: "
        f"{describe_headers(mapping.headers)}",
        fix=f"name the column in a YAML file and pass it with --columns MAP.yaml, a line such as "
        f"`{example}` (see docs/reading.md for the built-in header names)",
    )


def describe_headers(headers: Sequence[str]) -> str:
    """List headers for a message; a header row that holds data is masked and called out."""
    if any(ID_LIKE.search(h) for h in headers):
        cells = [
            mask_ids_in_text(h) if any(c.isdigit() for c in h) else mask_name(h) for h in headers
        ]
        shown = ", ".join(cells[:_MAX_SHOWN])
        return f"{shown} (masked: the first line looks like data, not a header line)"
    shown = ", ".join(h if h else "(empty)" for h in headers[:_MAX_SHOWN])
    if len(headers) > _MAX_SHOWN:
        shown += f", ... ({len(headers)} in all)"
    return shown or "(none)"
