"""What a match assumes when an export lacks a column, or no enrolment roster is given.

Each case is decided once here (docs/match.md "Missing columns"): either the run is refused, with
the column and the fix named, or it goes on and says what it assumed, on stderr and in
summary.json's ``warnings``. Refused: an enrolment roster without a status column (a guessed
status would move people between confirmed, uninsured and the survey). Warned: a household roster
without a status column (everyone taken as 正常, a target), without an address or a village
column (nobody's address is known, so every target confirmed by enrolment still goes to the
survey to collect it), and a match with no enrolment roster at all (every target is uninsured:
useful for checking the household roster alone, meaningless as coverage).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from canbao.errors import InputError
from canbao.masking import mask_text
from canbao.roster import Roster
from canbao.roster.fields import FIELD_LABELS
from canbao.roster.kinds import ENROLMENT_KINDS, HOUSEHOLD_KINDS, RosterKind

_HOUSEHOLD_ASSUMED = {
    "status": "人员状态列缺失，按全部「正常」（均为目标人群）处理 "
    "(no status column: everyone taken as 正常, a target)",
    "address": "常住地址列缺失，地址一律视为未知，目标人群均需入户调查补全地址 "
    "(no address column: every target is sent to the survey to collect it)",
    "village": "村(社区)列缺失，村(社区)一律视为未知，目标人群均需入户调查补全 "
    "(no village column: every target is sent to the survey to collect it)",
}
NO_ENROLMENT = (
    "未提供养老或医疗参保名册，目标人群全部计为应参未参 "
    "(no pension or medical roster given: every target is counted as uninsured)"
)


def assumed(rosters: Mapping[str, Sequence[Roster]]) -> list[str]:
    """The warnings of what the match assumes; raise :class:`InputError` for a refused case."""
    refused = [
        _name(r)
        for kind in ENROLMENT_KINDS
        for r in rosters.get(str(kind), ())
        if "status" not in r.info.mapping
    ]
    if refused:
        raise InputError(
            f"参保名册缺少「{FIELD_LABELS['status']}」列（参保状态）：{', '.join(refused)} "
            "(an enrolment roster has no status column; a guessed status would move people "
            "between the result sets)",
            fix="导出时带上参保状态列，或在 --columns 文件中写明它的列名，例如 `status: 缴费标志` "
            "(export the status column, or name its heading in the --columns file)",
        )
    warnings = [
        f"{_name(r)}: {text}"
        for kind in HOUSEHOLD_KINDS
        for r in rosters.get(str(kind), ())
        for field, text in _HOUSEHOLD_ASSUMED.items()
        if field not in r.info.mapping
    ]
    if not any(rosters.get(str(kind)) for kind in (RosterKind.PENSION, RosterKind.MEDICAL)):
        warnings.append(NO_ENROLMENT)
    return warnings


def _name(roster: Roster) -> str:
    return Path(roster.info.path).name


def warn_on_stderr(text: str) -> None:
    """Print what a match assumed on stderr, masked (the CLI passes its own printer)."""
    print(mask_text(f"警告 (warning): {text}"), file=sys.stderr)
