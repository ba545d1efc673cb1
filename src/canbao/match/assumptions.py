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
from canbao.i18n import N_, _
from canbao.masking import mask_text
from canbao.roster import Roster
from canbao.roster.fields import FIELD_LABELS
from canbao.roster.kinds import ENROLMENT_KINDS, HOUSEHOLD_KINDS, RosterKind

_HOUSEHOLD_ASSUMED = {
    "status": N_("no status column: everyone is taken as 正常 (a target)"),
    "address": N_(
        "no address column: every address is unknown, so every target is sent to the "
        "survey to collect it"
    ),
    "village": N_(
        "no village (村(社区)) column: every village is unknown, so every target is sent to "
        "the survey to collect it"
    ),
}
NO_ENROLMENT = N_(
    "no pension or medical roster given: every target is counted as uninsured (应参未参)"
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
            _(
                "an enrolment roster has no status column ({label}): {files} (a guessed status "
                "would move people between the result sets)"
            ).format(label=FIELD_LABELS["status"], files=", ".join(refused)),
            fix=_(
                "export the status column too, or name its heading in the --columns file, "
                "e.g. `status: 缴费标志`"
            ),
        )
    warnings = [
        _("{file}: {warning}").format(file=_name(r), warning=_(text))
        for kind in HOUSEHOLD_KINDS
        for r in rosters.get(str(kind), ())
        for field, text in _HOUSEHOLD_ASSUMED.items()
        if field not in r.info.mapping
    ]
    if not any(rosters.get(str(kind)) for kind in (RosterKind.PENSION, RosterKind.MEDICAL)):
        warnings.append(_(NO_ENROLMENT))
    return warnings


def _name(roster: Roster) -> str:
    return Path(roster.info.path).name


def warn_on_stderr(text: str) -> None:
    """Print what a match assumed on stderr, masked (the CLI passes its own printer)."""
    print(mask_text(_("Warning: {message}").format(message=text)), file=sys.stderr)
