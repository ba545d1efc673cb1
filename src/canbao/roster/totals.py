"""Total and subtotal rows (合计, 总计, 小计) at the foot of an export: recognised, never persons.

A row is a total row when one of its cells, spaces removed, is ``合计``, ``总计`` or ``小计`` (or
starts with one followed by a colon or a bracket: ``合计：``, ``小计(人)``) and its key field (the
ID, or the credit code of a unit roster) is not an ID: a person named 小计 with a valid ID
stays a person. Such rows are counted with the unreadable rows under reason ``total_row``
(docs/reading.md "Total rows"), so that the count of rows still adds up and no total becomes a
person or a task-table row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import polars as pl

TOTAL_WORDS: Final = ("合计", "总计", "小计")
# A cheap literal pre-test on whole lines (the character all three words end in, spaces or not
# between): only lines holding it are split.
TOTAL_HINT: Final = "计"
_TOTAL_CELL: Final = rf"^(?:{'|'.join(TOTAL_WORDS)})(?:[:：(（\[【].*)?$"
# An ID (15 or 18 characters) or a unified social credit code (18): a total row has neither.
_KEY_LIKE: Final = r"^[0-9A-Za-z]{15}$|^[0-9A-Za-z]{17}[0-9A-Za-z]$"
_SPACES: Final = r"[\s\u3000]+"


def total_cell(cell: pl.Expr) -> pl.Expr:
    """Tell whether a cell reads 合计, 总计 or 小计 (spaces ignored); null cells are not."""
    return cell.str.replace_all(_SPACES, "").str.contains(_TOTAL_CELL).fill_null(False)


def key_field(fields: Sequence[str]) -> str | None:
    """The field that names a row's person or unit, if the kind has one."""
    for name in ("id", "uscc"):
        if name in fields:
            return name
    return None


def not_a_key(value: pl.Expr) -> pl.Expr:
    """True where ``value`` is empty or not shaped like an ID or a credit code."""
    cleaned = value.str.replace_all(_SPACES, "")
    return cleaned.is_null() | ~cleaned.str.contains(_KEY_LIKE)


def total_row(cells: Sequence[pl.Expr], key: pl.Expr | None) -> pl.Expr:
    """Tell whether a row (all its cells, and its key cell if the kind has one) is a total row."""
    if not cells:
        return pl.lit(False)
    any_total = pl.any_horizontal([total_cell(c) for c in cells])
    return any_total if key is None else any_total & not_a_key(key)


def total_parts(parts: pl.Expr, key_pos: int | None) -> pl.Expr:
    """:func:`total_row` for a line split into a list of fields (the exact text reader)."""
    any_total = parts.list.eval(total_cell(pl.element())).list.any()
    if key_pos is None:
        return any_total
    return any_total & not_a_key(parts.list.get(key_pos, null_on_oob=True))
