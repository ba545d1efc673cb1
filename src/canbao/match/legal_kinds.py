"""The three insurance kinds a legal group (法定群体) must have, with their Chinese labels.

A small vocabulary of its own, so that it can move into the match's shared vocabulary as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

# The bundled rule of who must have these covers (rules/legal-groups/), and the word for "off".
DEFAULT_LEGAL_GROUPS: Final = "employees-2024"
OFF: Final = "none"


class LegalKind(StrEnum):
    """Work injury, unemployment and maternity: the value is the roster kind (``--injury``)."""

    INJURY = "injury"
    UNEMPLOYMENT = "unemployment"
    MATERNITY = "maternity"

    @property
    def itype(self) -> str:
        """The insurance type: the first digit of the scheme code (30, 40, 50)."""
        return _ITYPES[self]

    @property
    def flag(self) -> str:
        """The gap's code in result files and the summary (``missing_injury``)."""
        return f"missing_{self.value}"

    @property
    def insurance(self) -> str:
        """The insurance's Chinese name (工伤保险)."""
        return _INSURANCE[self]

    @property
    def label(self) -> str:
        """The gap's Chinese label (应参未参工伤保险), as uninsured flags are written."""
        return f"应参未参{self.insurance}"

    @property
    def column(self) -> str:
        """The per-county column of the task table and table (一) (工伤保险应参未参人数)."""
        return f"{self.insurance}应参未参人数"


_ITYPES = {LegalKind.INJURY: "3", LegalKind.UNEMPLOYMENT: "4", LegalKind.MATERNITY: "5"}
_INSURANCE = {
    LegalKind.INJURY: "工伤保险",
    LegalKind.UNEMPLOYMENT: "失业保险",
    LegalKind.MATERNITY: "生育保险",
}


@dataclass(frozen=True)
class LegalGroupsSummary:
    """summary.json's ``legal_groups``: the rule, what was judged, and the gaps by kind.

    ``rule`` is None when the rule is switched off; a count is None when its kind was not judged.
    """

    rule: str | None
    judged: list[LegalKind]
    not_judged: dict[LegalKind, str]
    persons: int | None
    gap_persons: int | None
    missing_injury: int | None = None
    missing_unemployment: int | None = None
    missing_maternity: int | None = None

    @classmethod
    def off(cls) -> LegalGroupsSummary:
        """The rule switched off (``--legal-groups none``): nothing judged."""
        why = "规则已关闭 (--legal-groups none)"
        return cls(None, [], dict.fromkeys(LegalKind, why), None, None)
