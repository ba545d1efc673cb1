"""A reader's failure on a user's file is unusable input (exit 3), never an internal error.

Third-party readers (polars, calamine, openpyxl, the csv module) raise their own exceptions for
a broken file; :func:`unreadable_file` turns any of them into an :class:`InputError` naming the
file, Chinese first, with the reader's own words masked. :func:`check_text_lines` refuses a text
file read whole whose line is longer than :data:`canbao.limits.MAX_LINE_BYTES` before a reader
spends time and memory on it.
"""

from __future__ import annotations

from pathlib import Path

from canbao.errors import InputError
from canbao.i18n import _
from canbao.limits import MAX_LINE_BYTES, long_line_at
from canbao.masking import mask_ids_in_text
from canbao.shown_path import shown_path

_DETAIL_CHARS = 200


def unreadable_file(path: Path, exc: BaseException, *, fix: str) -> InputError:
    """An :class:`InputError` for ``path`` that a reader could not read (``exc`` says why)."""
    detail = str(exc).splitlines()[0] if str(exc) else ""
    detail = mask_ids_in_text(f"{type(exc).__name__}: {detail}"[:_DETAIL_CHARS])
    return InputError(
        _("cannot read the file {path} ({detail})").format(path=shown_path(path), detail=detail),
        fix=fix,
    )


def check_text_lines(path: Path, data: bytes | None = None) -> bytes:
    """Return the bytes of ``path``; refuse it (exit 3) when a line is beyond the limit."""
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            fix = _("check the path and the file's permissions")
            raise unreadable_file(path, exc, fix=fix) from None
    line = long_line_at(data)
    if line is not None:
        raise InputError(
            _(
                "the file {path} is refused: line {line} is longer than {limit} bytes "
                "(not a table of records)"
            ).format(path=shown_path(path), line=line, limit=MAX_LINE_BYTES),
            fix=_(
                "check the file is the right one, or open it in Excel/WPS and save it again "
                "as CSV UTF-8"
            ),
        )
    return data
