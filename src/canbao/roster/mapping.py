"""Decide which header of a file becomes which canonical field, or say why the file is unusable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from canbao.errors import InputError
from canbao.i18n import _
from canbao.masking import mask_text
from canbao.roster.colmap import ColumnMap
from canbao.roster.fields import ALIASES, KIND_FIELDS, PERSON_KINDS, alias_index, header_key
from canbao.shown_path import shown_path

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
            shown = show_header(headers[pos])
            raise InputError(
                _(
                    "{path}: duplicated header {header!r} (columns {first} and {second}); "
                    "headers found: {headers}"
                ).format(
                    path=shown_path(path),
                    header=shown,
                    first=first + 1,
                    second=pos + 1,
                    headers=describe_headers(headers),
                ),
                fix=_(
                    "rename or delete one of the two columns so that every header is unique, "
                    "then name the right one with --columns MAP.yaml if needed "
                    "(e.g. `id: 身份证号`)"
                ),
            )
        seen[key] = pos


def _check_required(path: Path, kind: str, mapping: HeaderMapping) -> None:
    cols = mapping.columns
    if kind in PERSON_KINDS and "id" not in cols:
        what, example = _("no citizen ID column (公民身份号码)"), "id: 证件号"
    elif kind not in PERSON_KINDS and "uscc" not in cols and "unit_name" not in cols:
        what = _("neither a USCC (统一社会信用代码) nor a unit name column")
        example = "uscc: 信用代码"
    else:
        return
    raise InputError(
        _("{path}: {what} for a {kind} roster; headers found: {headers}").format(
            path=shown_path(path), what=what, kind=kind, headers=describe_headers(mapping.headers)
        ),
        fix=_(
            "name the column in a YAML file and pass it with --columns MAP.yaml, a line such as "
            "`{example}` (see docs/reading.md for the built-in header names)"
        ).format(example=example),
    )


def show_header(header: str) -> str:
    """A header as a message may show it: a known header as it is, any other cell masked.

    A header row may be a person's row (a headerless export), and no pattern tells a name or an
    address from an unusual header; so only headers canbao knows (the built-in aliases) are
    quoted, and any other cell keeps its first character: ``张**``, ``3*****************``.
    """
    if not header:
        return "(empty)"
    if header_key(header) in _known_header_keys():
        return header
    first = "*" if header[0].isdigit() else header[0]
    return first + "*" * (len(header) - 1)


def describe_headers(headers: Sequence[str]) -> str:
    """List headers for a message: known ones as they are, other cells masked, by position."""
    cells = [_describe_cell(i, h) for i, h in enumerate(headers)]
    shown = ", ".join(cells[:_MAX_SHOWN])
    if len(headers) > _MAX_SHOWN:
        shown += _(", ... ({n} in all)").format(n=len(headers))
    if any(_looks_like_data(h) for h in headers):
        shown += _(" (masked: the first line looks like data, not a header line)")
    elif any(show_header(h) != h for h in headers if h):
        shown += _(" (headers canbao does not know are masked: they may be a person's data)")
    return shown or _("(none)")


def _describe_cell(pos: int, header: str) -> str:
    shown = show_header(header)
    if shown == header or not header:
        return shown
    return _("{header} (column {n})").format(header=shown, n=pos + 1)


def _looks_like_data(cell: str) -> bool:
    # A digit in a header is rare; an ID, a date or a number in any width is data.
    return sum(c.isdigit() for c in cell) >= 6 or mask_text(cell) != cell


@cache
def _known_header_keys() -> frozenset[str]:
    return frozenset(header_key(a) for f, aliases in ALIASES.items() for a in (f, *aliases))
