"""The limits canbao puts on every user file, so that no input can cost unbounded time or memory.

Each value is documented in docs/security.md ("Limits on hostile input") with the fix a user
needs when a genuine file reaches it. The YAML check runs on the parser's events, before any
document is composed: an alias is never expanded and a deep nesting never recursed into.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from canbao.i18n import N_, _

# Text files (rosters, submissions, entry sheets, summaries). A roster line is a few hundred
# bytes; Excel holds at most 32,767 characters in a cell, so no genuine line comes near this.
MAX_LINE_BYTES: Final = 64 * 1024
# A quoted field may hold line breaks (Excel's Alt+Enter): the closing quote must come within
# this many lines of the opening one, else the opening quote is taken as stray (an address or a
# remark of a few lines; never a whole block of the roster swallowed by one missing quote).
MAX_QUOTED_LINES: Final = 10

# YAML files (rule files, --columns maps). Bundled rule sets are 20-40 KB and nest 8 levels.
MAX_YAML_BYTES: Final = 4 * 1024 * 1024
MAX_YAML_DEPTH: Final = 32

# Workbooks (.xlsx): checked in the zip's central directory and the sheet's head before reading.
MAX_ZIP_ENTRIES: Final = 10_000
MAX_ENTRY_BYTES: Final = 1024 * 1024 * 1024  # one part, uncompressed
MAX_WORKBOOK_BYTES: Final = 2 * 1024 * 1024 * 1024  # all parts, uncompressed
# XML compresses 5-30 times; a part inflating more than this from more than RATIO_FLOOR bytes is
# padding built to exhaust memory (800 MB of spaces deflate to 800 KB: ratio 1,000).
MAX_COMPRESSION_RATIO: Final = 200
RATIO_FLOOR_BYTES: Final = 16 * 1024 * 1024
# A sheet is read as a dense grid of its used range (about 32 bytes a cell in calamine): one
# cell at XFD1048576 asks for 512 GB. 40 M cells is 1,048,576 rows x 38 columns.
MAX_SHEET_CELLS: Final = 40_000_000


@dataclass(frozen=True)
class YamlLimitHit:
    """Where a YAML file crosses a limit: the 1-based line and what was found."""

    line: int
    problem: str
    fix: str


YAML_ALIAS_FIX: Final = N_(
    "write the content out instead of YAML anchors and aliases (&name, *name)"
)


def yaml_limit_hit(text: str) -> YamlLimitHit | None:
    """The first limit ``text`` crosses (size, anchors/aliases, nesting), or None.

    Syntax errors are left to the loader, which reports them with their own line.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.events import (
        AliasEvent,
        CollectionEndEvent,
        CollectionStartEvent,
        NodeEvent,
    )

    size = len(text.encode("utf-8"))
    if size > MAX_YAML_BYTES:
        return YamlLimitHit(
            1,
            _("the file has {size} bytes, more than the limit of {limit} bytes").format(
                size=size, limit=MAX_YAML_BYTES
            ),
            _("rule files and column maps take a few tens of KB; check the file is the right one"),
        )
    depth = 0
    try:
        for event in YAML(typ="safe", pure=True).parse(text):
            line = event.start_mark.line + 1 if event.start_mark is not None else 1
            if isinstance(event, AliasEvent):
                return YamlLimitHit(
                    line,
                    _("a YAML alias *{name} (not allowed)").format(name=event.anchor),
                    _(YAML_ALIAS_FIX),
                )
            if isinstance(event, NodeEvent) and event.anchor is not None:
                return YamlLimitHit(
                    line,
                    _("a YAML anchor &{name} (not allowed)").format(name=event.anchor),
                    _(YAML_ALIAS_FIX),
                )
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    return YamlLimitHit(
                        line,
                        _("nesting deeper than {n} levels").format(n=MAX_YAML_DEPTH),
                        _("flatten the nesting (see docs/scoring.md, docs/reading.md)"),
                    )
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except YAMLError:
        return None
    return None


def long_line_at(data: bytes, limit: int = MAX_LINE_BYTES) -> int | None:
    """The 1-based number of the first line of ``data`` longer than ``limit`` bytes, or None.

    For files read whole (submissions, entry sheets): one pass in C over the line breaks.
    """
    start, line = 0, 1
    while start < len(data):
        end = data.find(b"\n", start)
        stop = len(data) if end < 0 else end
        if stop - start > limit:
            return line
        if end < 0:
            return None
        start, line = end + 1, line + 1
    return None
