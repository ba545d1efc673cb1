"""One date parser for every command's ``--as-of`` and every library function's ``as_of``.

Dates are typed at a Chinese office as ``2017-06-30``, ``2017/06/30``, ``20170630`` or
``2017年6月30日``; all four are read, and a :class:`datetime.date` passes through. Anything else
is a :class:`~canbao.errors.UsageError` naming the value and the spellings accepted.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from canbao.errors import UsageError
from canbao.i18n import N_, _

_DATE_SPELLINGS = (
    re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})"),
    re.compile(r"(?P<y>[0-9]{4})/(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})"),
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})"),
    re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日"),
)
# Eight digits in a row read as a birth date to the masking, hence YYYYMMDD, not an example.
DATE_SPELLINGS_TEXT = N_("2017-06-30, 2017/06/30, 2017年6月30日 or eight digits YYYYMMDD")


def read_date(value: str | date, what: str = "as_of") -> date:
    """``value`` as a date: a date as it is, text in any accepted spelling; else a UsageError."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for spelling in _DATE_SPELLINGS:
            found = spelling.fullmatch(text)
            if found is None:
                continue
            try:
                return date(int(found["y"]), int(found["m"]), int(found["d"]))
            except ValueError:
                break  # the spelling is right, the day does not exist (2017-13-01)
    raise UsageError(
        _("{what} {value!r} is not a date (or no such day)").format(what=what, value=value),
        fix=_("write it as {spellings}").format(spellings=_(DATE_SPELLINGS_TEXT)),
    )


def read_optional_date(value: str | date | None, what: str = "as_of") -> date | None:
    """:func:`read_date`, with None passed through (the caller's default applies)."""
    return None if value is None else read_date(value, what)


def read_path(value: str | Path, what: str) -> Path:
    """``value`` as a Path: a str or a PathLike; anything else is a UsageError naming ``what``."""
    if isinstance(value, Path):
        return value
    if isinstance(value, str) and value.strip():
        return Path(value)
    raise UsageError(
        _("{what} must be a path (str or pathlib.Path), not {type} {value!r}").format(
            what=what, type=type(value).__name__, value=value
        ),
        fix=_('pass {what} as a str or a pathlib.Path, e.g. Path("out")').format(what=what),
    )
