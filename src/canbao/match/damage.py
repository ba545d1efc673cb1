"""Stop a match whose roster has lost most of its IDs: the results would be silently wrong.

A roster saved through Excel with the ID column as numbers comes back as ``3.40602E+17`` or
with its last digits zeroed; every person of it then looks uninsured and is sent to a
door-to-door survey. When more than :data:`DAMAGE_SHARE` of a file's rows with a non-empty ID
are invalid, the match stops with exit 3 naming the file, the kind of damage and the fix,
unless ``--accept-damaged-ids`` says the user has seen it. One aggregation over the staged
frame: no per-row Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Final

import polars as pl

from canbao.errors import InputError
from canbao.i18n import _

# More than half of the non-empty IDs of one file: a typing error hits a few rows, a
# spreadsheet's conversion hits the whole column.
DAMAGE_SHARE: Final = Fraction(1, 2)
SPREADSHEET_REASONS: Final = ("spreadsheet_scientific", "spreadsheet_rounded")
ACCEPT_OPTION: Final = "--accept-damaged-ids"


def check_id_damage(
    frame: pl.LazyFrame, *, accept: bool, where: Mapping[str, str] | None = None
) -> None:
    """Raise :class:`InputError` for the first file of ``frame`` whose IDs are mostly invalid.

    ``frame`` has ``_file`` and ``id_reason`` (null when valid, ``missing`` when empty);
    ``where`` gives the path a message shows for a file's name (canbao.shown_path).
    """
    if accept:
        return
    reason = pl.col("id_reason")
    given = reason.is_null() | (reason != "missing")
    per_file = (
        frame.group_by("_file")
        .agg(
            given.sum().alias("given"),
            (given & reason.is_not_null()).sum().alias("invalid"),
            reason.is_in(SPREADSHEET_REASONS).fill_null(False).sum().alias("spreadsheet"),
        )
        .sort("_file")
        .collect()
    )
    for file, given_n, invalid, spreadsheet in per_file.iter_rows():
        if given_n and Fraction(invalid, given_n) > DAMAGE_SHARE:
            shown = (where or {}).get(str(file), str(file))
            raise _damaged(shown, int(given_n), int(invalid), int(spreadsheet))


def _damaged(file: str, given: int, invalid: int, spreadsheet: int) -> InputError:
    percent = invalid * 100 // given
    if spreadsheet * 2 > invalid:
        damage = _(
            "{n} of them were damaged by a spreadsheet (scientific notation such as "
            "3.40602E+17, or the last digits rounded to 0)"
        ).format(n=spreadsheet)
    else:
        damage = _("{n} of them damaged by a spreadsheet").format(n=spreadsheet)
    return InputError(
        _(
            "{file}: {invalid} of {given} citizen IDs ({percent}%) are invalid, {damage}; "
            "matched so, almost everyone would be taken as uninsured"
        ).format(file=file, invalid=invalid, given=given, percent=percent, damage=damage),
        fix=_(
            "export the roster again from the source system with the ID column as text (in "
            "Excel, format the cells as Text first, or export CSV and do not save it again in "
            "Excel); to run anyway, add {option}"
        ).format(option=ACCEPT_OPTION),
    )
