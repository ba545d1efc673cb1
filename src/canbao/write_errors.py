"""A failed write (full disk, quota, file-size limit, read-only disk) is exit 7, never a "bug".

Python's own writes raise :class:`OSError` with the path; polars' writers (``sink_parquet``,
``write_csv``) raise a ``ComputeError``, or an ``OSError`` without ``errno`` (``collect_all`` of
CSV sinks), whose text ends ``(os error 28)`` and names no path.
:func:`write_failure` recognises both and builds the :class:`~canbao.errors.OutputError` that
names the path being written (the file when known, else the output or work directory).
"""

from __future__ import annotations

import errno
import re
from pathlib import Path
from typing import Final

from canbao.errors import OutputError
from canbao.i18n import N_, _

# Errors that only a write can raise: whatever the file, the disk or the limit is the problem.
WRITE_ERRNOS: Final = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})
_OS_ERROR: Final = re.compile(r"\(os error (\d+)\)|\[Errno (\d+)\]")
_FIX: Final = N_(
    "free disk space, or choose a writable location with room, and run again (nothing "
    "half-written was published)"
)


def write_failure(
    exc: BaseException, path: Path | None = None, *, shown: Path | None = None
) -> OutputError | None:
    """The :class:`OutputError` for ``exc`` if it is a failed write, else None.

    ``path`` is what was being written when ``exc`` carries no file name; an :class:`OSError`
    raised on a file under ``path`` counts whatever its errno (permissions, a vanished folder).
    ``shown`` names the place in the message instead of ``path`` (the output folder rather
    than its hidden staging folder).
    """
    code: int | None = None
    where = shown or path
    exc = _os_error_within(exc)
    if isinstance(exc, OSError):
        code = exc.errno
        name = exc.filename
        if name is not None:
            if path is not None and _under(Path(str(name)), path):
                return _error(where, exc.strerror or str(exc))
            where = Path(str(name))
    if code is None:
        # Polars' sinks also raise a bare OSError with no errno, its code only in the text
        # ("No space left on device (os error 28)"): a full disk in the result-file step.
        found = _OS_ERROR.search(str(exc))
        code = int(found.group(1) or found.group(2)) if found else None
    if code in WRITE_ERRNOS:
        return _error(where, _strerror(code))
    return None


def _os_error_within(exc: BaseException) -> BaseException:
    """The OSError a writer wrapped (xlsxwriter's FileCreateError), else ``exc`` itself."""
    seen: BaseException | None = exc
    for _step in range(5):  # a short chain: a wrapper or two
        if seen is None:
            break
        if isinstance(seen, OSError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return exc


def _under(file: Path, folder: Path) -> bool:
    try:
        file.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def _strerror(code: int | None) -> str:
    import os

    return os.strerror(code) if code is not None else "write failed"


def _error(where: Path | None, why: str) -> OutputError:
    place = str(where) if where is not None else _("(the output)")
    message = _("cannot write {place}: {reason}").format(place=place, reason=why)
    return OutputError(message, fix=_(_FIX))
