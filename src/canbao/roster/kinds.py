"""The nine roster kinds, defined once: their group, command-line option and Chinese label.

A match reads rosters of three groups: the persons of the area (户籍 and 流动人口), the
enrolment records of the five insurances, and the employers (the market registry and the
insured units). The CLI's options, :func:`canbao.match.run_match`'s ``rosters`` mapping, the
fields of each kind (:data:`canbao.roster.fields.KIND_FIELDS`) and the tuples of each group all
come from :class:`RosterKind`; a test holds the CLI's options to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Final, TypeAlias

from canbao.i18n import N_, _


class RosterGroup(StrEnum):
    """What a roster lists: persons of the area, enrolment records, or employers."""

    HOUSEHOLD = "household"
    ENROLMENT = "enrolment"
    UNIT = "unit"


class RosterKind(StrEnum):
    """One kind of roster; the member's value is its name in the library and in summary.json."""

    HOUSEHOLD = "household"
    FLOATING = "floating"
    PENSION = "pension"
    MEDICAL = "medical"
    INJURY = "injury"
    UNEMPLOYMENT = "unemployment"
    MATERNITY = "maternity"
    UNITS = "units"
    INSURED_UNITS = "insured_units"

    @property
    def group(self) -> RosterGroup:
        """The group the kind belongs to."""
        return _ABOUT[self][0]

    @property
    def label(self) -> str:
        """The Chinese name of the roster, as the result tables show it (名册)."""
        return _ABOUT[self][1]

    @property
    def help(self) -> str:
        """The command line's help for the kind's option, in canbao's language."""
        return _(_ABOUT[self][2])

    @property
    def option(self) -> str:
        """The command-line option that names files of this kind, e.g. ``--insured-units``."""
        return "--" + self.value.replace("_", "-")


_ABOUT: Final[dict[RosterKind, tuple[RosterGroup, str, str]]] = {
    RosterKind.HOUSEHOLD: (
        RosterGroup.HOUSEHOLD,
        "户籍人口",
        N_("Household (户籍) roster file(s)."),
    ),
    RosterKind.FLOATING: (
        RosterGroup.HOUSEHOLD,
        "流动人口",
        N_("Floating population (流动人口) roster(s)."),
    ),
    RosterKind.PENSION: (
        RosterGroup.ENROLMENT,
        "养老保险",
        N_("Pension (养老) enrolment roster file(s)."),
    ),
    RosterKind.MEDICAL: (
        RosterGroup.ENROLMENT,
        "医疗保险",
        N_("Medical (医疗) enrolment roster file(s)."),
    ),
    RosterKind.INJURY: (RosterGroup.ENROLMENT, "工伤保险", N_("Work injury (工伤) roster(s).")),
    RosterKind.UNEMPLOYMENT: (
        RosterGroup.ENROLMENT,
        "失业保险",
        N_("Unemployment (失业) roster(s)."),
    ),
    RosterKind.MATERNITY: (RosterGroup.ENROLMENT, "生育保险", N_("Maternity (生育) roster(s).")),
    RosterKind.UNITS: (
        RosterGroup.UNIT,
        "登记注册单位",
        N_("Market registry (登记注册单位) roster(s)."),
    ),
    RosterKind.INSURED_UNITS: (
        RosterGroup.UNIT,
        "参保单位",
        N_("Insured units (参保单位) roster(s)."),
    ),
}

# The files of a match by kind, every kind present (no files: an empty tuple).
RosterFiles: TypeAlias = Mapping[RosterKind, tuple[Path, ...]]
# What a caller may give instead: kinds or their names, any sequence of paths, kinds omitted.
# (Three mappings because a Mapping's key type is invariant: dict[str, ...] is not a
# Mapping[RosterKind | str, ...] to a type checker.)
RosterPaths: TypeAlias = (
    Mapping[RosterKind, Sequence[Path | str]]
    | Mapping[str, Sequence[Path | str]]
    | Mapping[RosterKind | str, Sequence[Path | str]]
)


def kinds_of(group: RosterGroup) -> tuple[RosterKind, ...]:
    """The kinds of one group, in the order of :class:`RosterKind`."""
    return tuple(kind for kind in RosterKind if kind.group is group)


HOUSEHOLD_KINDS: Final = kinds_of(RosterGroup.HOUSEHOLD)
ENROLMENT_KINDS: Final = kinds_of(RosterGroup.ENROLMENT)
UNIT_KINDS: Final = kinds_of(RosterGroup.UNIT)
# The 名册 column of the result tables: a roster code shown by its Chinese name.
ROSTER_LABELS: Final[dict[str, str]] = {kind.value: kind.label for kind in RosterKind}
