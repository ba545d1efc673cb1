"""``canbao match --engine spark``: the options a Spark match takes, checked, and its summary."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from canbao.errors import UsageError
from canbao.i18n import _
from canbao.match.api import MatchResult
from canbao.match.legal_rule import DEFAULT_LEGAL_GROUPS
from canbao.roster.kinds import RosterKind

# A URI given where a Path is parsed loses one slash (hdfs://ns/x -> hdfs:/ns/x): put it back.
_SCHEME_ONE_SLASH = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):/(?!/)")


class Engine(StrEnum):
    """What runs the match: Polars on this machine, or a Spark session (docs/scale.md)."""

    POLARS = "polars"
    SPARK = "spark"


def source_text(path: Path) -> str:
    """The roster source as the user wrote it: a path, ``table:db.name`` or a URI."""
    return _SCHEME_ONE_SLASH.sub(r"\1://", str(path))


# Options of a Polars match that a Spark match does not run, with what was given by default.
_POLARS_ONLY = {
    "units": None,
    "insured_units": None,
    "apply_links": None,
    "db": None,
    "county_lists": False,
    "format": "csv",
    "shards": "auto",  # Spark splits the work itself
}


def _refused(params: Mapping[str, Any]) -> list[str]:
    return [
        f"--{name.replace('_', '-')}"
        for name, default in _POLARS_ONLY.items()
        if params.get(name) not in (default, [], ())
    ]


def match_on_spark(params: Mapping[str, Any], progress: Callable[[str], None]) -> MatchResult:
    """Run :func:`canbao.match.spark.run_match_spark` with the CLI's options."""
    refused = _refused(params)
    if refused:
        raise UsageError(
            _("--engine spark does not run {options}").format(options=", ".join(refused)),
            fix=_("leave these options out with --engine spark, or match on Polars (the default)"),
        )
    from canbao.match.spark import run_match_spark

    kinds = [k for k in RosterKind if k not in (RosterKind.UNITS, RosterKind.INSURED_UNITS)]
    rosters = {k.value: [source_text(p) for p in params.get(k.value) or ()] for k in kinds}
    return run_match_spark(
        rosters,
        output=params["output"],
        as_of=params.get("as_of"),
        area=params.get("area"),
        columns=params.get("columns"),
        accept_damaged_ids=bool(params.get("accept_damaged_ids")),
        legal_groups=params.get("legal_groups", DEFAULT_LEGAL_GROUPS),
        master=params.get("spark_master"),
        driver_memory=params.get("driver_memory") or "1g",
        progress=progress,
    )
