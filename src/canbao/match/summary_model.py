"""The match's summary as types: :class:`MatchSummary` and its parts, written by ``to_json``.

summary.json is part of the output contract (docs/match.md "Summary"): its keys are the field
names below, in their order, and a field's ``metadata["key"]`` where the file uses an official
heading instead (``县（区）``). The kinds' counts are keyed by the vocabulary's members, which
are their codes. :mod:`canbao.match._summary_build` builds the summary,
:mod:`canbao.match._summary_counts` counts and states the conservation equations.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from canbao.match.vocabulary import ConflictKind, DuplicateKind, LegalKind, UninsuredFlag


def plain(value: object) -> Any:
    """``value`` as JSON-ready builtins: dataclasses as dicts in field order, enums as codes."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.metadata.get("key", f.name): plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
        }
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Equation:
    """A conservation equation with both sides, its parts and whether it holds."""

    equation: str
    left: int
    right: int
    parts: dict[str, int]
    ok: bool

    @classmethod
    def of(cls, name: str, left: int, right: int, **parts: int) -> Equation:
        """The equation ``name`` with ``left`` and ``right`` computed and ``ok`` when equal."""
        return cls(name, left, right, parts, left == right)


@dataclass(frozen=True)
class Rate:
    """A coverage rate as an exact ratio and its text (None when nobody is eligible)."""

    numerator: int
    denominator: int
    rate: str | None


@dataclass(frozen=True)
class CountyCoverage:
    """One county's coverage rates, with the county's GB/T 2260 name."""

    name: str | None
    pension: Rate
    medical: Rate


@dataclass(frozen=True)
class Coverage:
    """The coverage rates on the hukou basis, in total and per county code."""

    basis: str
    pension: Rate
    medical: Rate
    per_county: dict[str, CountyCoverage]


@dataclass(frozen=True)
class InputFile:
    """Where one input came from: its path, roster kind, format, encoding, hash and rows."""

    file: str
    kind: str
    format: str
    encoding: str | None
    sha256: str
    rows: int
    unreadable_rows: int


@dataclass(frozen=True)
class AreaBasis:
    """At which level non-local was decided: by city, or by the codes --area named."""

    explicit: bool
    by_city: dict[str, str]
    by_code: dict[str, str]


@dataclass(frozen=True)
class Relation:
    """One logic relation of national table (一) checked on one row (a county or 合计)."""

    county: str | None = field(metadata={"key": "县（区）"})
    relation: str
    left: int
    right: int
    ok: bool


@dataclass(frozen=True)
class TableChecks:
    """The checks of the statistical tables the match wrote."""

    basic_data_table_relations: list[Relation]


@dataclass(frozen=True)
class LegalGroupsSummary:
    """summary.json's ``legal_groups``: the rule, what was judged, and the gaps by kind.

    ``rule`` is None when the rule is switched off; a count (keyed by the
    :class:`~canbao.match.vocabulary.LegalGap` codes) is None when its kind was not judged.
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

    def count(self, kind: LegalKind) -> int | None:
        """The gaps of ``kind``: None when it was not judged."""
        value: int | None = getattr(self, kind.gap.value)
        return value


@dataclass(frozen=True)
class MatchSummary:
    """Every count of a match, its conservation equations and where its inputs came from."""

    household_rows: int
    floating_rows: int
    target: int
    excluded: int
    confirmed: int
    needs_survey: int
    uninsured: int
    uninsured_flags: dict[UninsuredFlag, int]
    duplicates: dict[DuplicateKind, int]
    conflicts: dict[ConflictKind, int]
    non_local: int
    invalid_ids: int
    household_invalid_ids: int
    not_in_household: int
    linked: int
    unreadable_rows: int
    enrolment_rows: int
    suggested_links: int
    applied_links: int
    units: dict[str, int] | None
    coverage: Coverage
    conservation: list[Equation]
    inputs: list[InputFile]
    as_of: date
    area: list[str]
    area_basis: AreaBasis
    canbao_version: str
    tables: TableChecks
    # Set by the legal-group stage (canbao.match.legal_groups); None only for a summary built
    # without it.
    legal_groups: LegalGroupsSummary | None = None
    # Total and subtotal rows (合计, 总计, 小计) among the unreadable rows, and what the match
    # assumed for a missing column (canbao.match.assumptions). Written to summary.json only when
    # there are any, so the summary of a clean run keeps its keys.
    total_rows: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready builtins, keys in summary.json's order."""
        result: dict[str, Any] = plain(self)
        if not self.total_rows:
            del result["total_rows"]
        if not self.warnings:
            del result["warnings"]
        return result

    def to_json(self) -> str:
        """The text of summary.json: indented, Chinese as it is, with a final newline."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def failed(self) -> list[Equation]:
        """The conservation equations that do not hold (none, unless canbao has a bug)."""
        return [eq for eq in self.conservation if not eq.ok]
