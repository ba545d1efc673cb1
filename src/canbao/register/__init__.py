"""The analyst's daily questions of the registration database (docs/database.md).

``canbao person ID``: one person's state and history; ``canbao decide``: manual decisions
recorded with who, when and why; ``canbao export``: the confirmed registrations with the
registration form's items, for upload into the city or provincial system.
"""

from __future__ import annotations

from pathlib import Path

from canbao.errors import DatabaseError
from canbao.i18n import _


def existing_database(db: str | Path) -> str | Path:
    """``db`` when it names a server or an existing file: these commands read (or add to) a
    register that ``match --db`` made, and never create one from a mistyped path (exit 8)."""
    if "://" in str(db) or Path(db).expanduser().exists():
        return db
    raise DatabaseError(
        _("no such database file: {db}").format(db=db),
        fix=_("record a match with canbao match … --db first, or check the path of --db"),
    )
