"""Roster readers: CSV/text in any common encoding, xlsx, xls and Parquet, mapped to the
canonical field names of docs/design.md, with unreadable rows counted instead of dropped.

See docs/reading.md for the formats, the header aliases and the ``--columns`` file.
"""

from __future__ import annotations

from canbao.roster.colmap import ColumnMap, load_column_map
from canbao.roster.fields import ALIASES, FIELD_LABELS, KIND_FIELDS, KINDS
from canbao.roster.kinds import RosterFiles, RosterGroup, RosterKind
from canbao.roster.reader import Roster, SourceInfo, read_roster
from canbao.roster.unreadable import REASONS as UNREADABLE_REASONS

__all__ = [
    "ALIASES",
    "FIELD_LABELS",
    "KINDS",
    "KIND_FIELDS",
    "UNREADABLE_REASONS",
    "ColumnMap",
    "Roster",
    "RosterFiles",
    "RosterGroup",
    "RosterKind",
    "SourceInfo",
    "load_column_map",
    "read_roster",
]
