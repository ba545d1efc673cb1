"""The summary's counts and its conservation equations (docs/match.md "Summary").

Every count here is a sum over the match's keyed counts (:mod:`canbao.match.keyed_counts`: the
same small frames on every engine); :mod:`canbao.match._summary_build` assembles them into a
:class:`~canbao.match.summary_model.MatchSummary`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from narwhals.typing import IntoLazyFrame

from canbao.match import keyed_counts
from canbao.match.keyed_counts import KeyedCounts, N, counted
from canbao.match.summary_model import Equation
from canbao.match.vocabulary import ConflictKind, DuplicateKind, LinkClass, Reason, UninsuredFlag


@dataclass(frozen=True)
class TargetCounts:
    """Counts over target persons: confirmed, needs survey, uninsured and its flags."""

    target: int
    confirmed: int
    needs_survey: int
    uninsured: int
    uninsured_flags: dict[UninsuredFlag, int]


@dataclass(frozen=True)
class HouseholdCounts:
    """Rows read from the household (and floating) rosters, split into target and excluded."""

    household_rows: int
    floating_rows: int
    target_rows: int
    excluded: int
    household_invalid_ids: int


@dataclass(frozen=True)
class EnrolmentCounts:
    """Enrolment rows by link class (``invalid_ids`` counts the class ``invalid``)."""

    enrolment_rows: int
    linked: int
    non_local: int
    not_in_household: int
    invalid_ids: int


def _ints(frame: pl.DataFrame, *conditions: pl.Expr) -> list[int]:
    """How many of the rows counted in ``frame`` meet each of ``conditions``, in their order."""
    named = (counted(expr).alias(f"_{i}") for i, expr in enumerate(conditions))
    return [int(v) for v in frame.select(*named).row(0)]


def count_targets(targets: pl.DataFrame) -> TargetCounts:
    """Counts over target persons (:attr:`KeyedCounts.targets`): confirmed, needs survey,
    uninsured and its flags."""
    target, confirmed, needs_survey, uninsured, *flags = _ints(
        targets,
        pl.lit(True),
        ~pl.col("needs_survey"),
        pl.col("needs_survey"),
        pl.col(Reason.UNINSURED.column),
        *(pl.col(flag) for flag in UninsuredFlag),
    )
    by_flag = dict(zip(UninsuredFlag, flags, strict=True))
    return TargetCounts(target, confirmed, needs_survey, uninsured, by_flag)


def count_household(household: pl.DataFrame) -> HouseholdCounts:
    """Rows read from the household (and floating) rosters (:attr:`KeyedCounts.household`),
    split into target and excluded."""
    return HouseholdCounts(
        *_ints(
            household,
            pl.lit(True),
            pl.col("_roster") == "floating",
            pl.col("is_target"),
            ~pl.col("is_target"),
            pl.col("id_invalid"),
        )
    )


# The link class each EnrolmentCounts field after enrolment_rows counts, in field order.
_COUNTED_LINKS = (
    *(LinkClass.LINKED, LinkClass.NON_LOCAL),
    *(LinkClass.NOT_IN_HOUSEHOLD, LinkClass.INVALID),
)


def enrolment_counts(records: pl.DataFrame) -> EnrolmentCounts:
    """Enrolment rows by link class (linked, non_local, not_in_household, invalid), from the
    records' keyed counts (:attr:`KeyedCounts.records`)."""
    link = pl.col("link")
    return EnrolmentCounts(
        *_ints(records, pl.lit(True), *(link == c.value for c in _COUNTED_LINKS))
    )


def count_enrolment(linked: IntoLazyFrame) -> EnrolmentCounts:
    """Enrolment rows by link class of the linked records (a native frame of any engine)."""
    return enrolment_counts(keyed_counts.record_counts(linked))


def count_duplicates(kinds: pl.DataFrame) -> dict[DuplicateKind, int]:
    """Persons per duplicate kind (a person counts once per kind, whatever the insurance type),
    from :attr:`KeyedCounts.duplicate_kinds`."""
    counts = dict(kinds.select("kind", N).iter_rows())
    return {kind: int(counts.get(kind.value, 0)) for kind in DuplicateKind}


def count_conflicts(keyed: KeyedCounts) -> dict[ConflictKind, int]:
    """Records per conflict kind, as the conflicts file lists them (conflicts.conflicts_table):
    household rows with an invalid ID or a sex or birth date the ID contradicts, enrolment
    records with an invalid ID, not in the household roster, or with one of their flags."""
    link = pl.col("link")
    household = {
        ConflictKind.INVALID_ID: pl.col("id_invalid"),
        ConflictKind.SEX_MISMATCH: pl.col(ConflictKind.SEX_MISMATCH),
        ConflictKind.BIRTH_MISMATCH: pl.col(ConflictKind.BIRTH_MISMATCH),
    }
    records = {
        ConflictKind.INVALID_ID: link == LinkClass.INVALID.value,
        ConflictKind.NOT_IN_HOUSEHOLD: link == LinkClass.NOT_IN_HOUSEHOLD.value,
        **{flag: pl.col(flag.value) for flag in keyed_counts.RECORD_FLAGS},
    }
    counts = dict.fromkeys(ConflictKind, 0)
    for frame, conditions in ((keyed.household, household), (keyed.records, records)):
        for kind, value in zip(conditions, _ints(frame, *conditions.values()), strict=True):
            counts[kind] += value
    return counts


def conservation(
    targets: TargetCounts, household: HouseholdCounts, enrol: EnrolmentCounts
) -> list[Equation]:
    """Each conservation equation (docs/match.md "Summary") with both sides and whether it holds.

    The household rows are equated with the target persons, as the summary reports them.
    """
    return [
        Equation.of(
            "target = confirmed + needs_survey",
            targets.target,
            targets.confirmed + targets.needs_survey,
            confirmed=targets.confirmed,
            needs_survey=targets.needs_survey,
        ),
        Equation.of(
            "household_rows = target + excluded",
            household.household_rows,
            targets.target + household.excluded,
            target=targets.target,
            excluded=household.excluded,
        ),
        Equation.of(
            "enrolment_rows = linked + non_local + not_in_household + invalid_ids",
            enrol.enrolment_rows,
            enrol.linked + enrol.non_local + enrol.not_in_household + enrol.invalid_ids,
            linked=enrol.linked,
            non_local=enrol.non_local,
            not_in_household=enrol.not_in_household,
            invalid_ids=enrol.invalid_ids,
        ),
    ]


def link_equations(before: EnrolmentCounts, after: EnrolmentCounts, applied: int) -> list[Equation]:
    """With --apply-links: every applied link moved one record from invalid/not_in_household to
    linked, and the enrolment rows stayed the same."""
    unlinked_before = before.invalid_ids + before.not_in_household
    unlinked_after = after.invalid_ids + after.not_in_household
    return [
        Equation.of(
            "applied_links = (invalid_ids + not_in_household) before - after",
            applied,
            unlinked_before - unlinked_after,
            before=unlinked_before,
            after=unlinked_after,
        ),
        Equation.of(
            "linked after = linked before + applied_links",
            after.linked,
            before.linked + applied,
            linked_before=before.linked,
            applied_links=applied,
        ),
        Equation.of(
            "enrolment_rows after = enrolment_rows before",
            after.enrolment_rows,
            before.enrolment_rows,
        ),
    ]


def unit_equations(units: dict[str, int]) -> list[Equation]:
    """Every registry unit is insured by one rule or listed as not insured, exactly once."""
    return [
        Equation.of(
            "registry_rows = insured_by_uscc + insured_by_name + insured_by_fuzzy_name"
            " + not_insured",
            units["registry_rows"],
            units["insured_by_uscc"]
            + units["insured_by_name"]
            + units["insured_by_fuzzy_name"]
            + units["not_insured"],
            insured_by_uscc=units["insured_by_uscc"],
            insured_by_name=units["insured_by_name"],
            insured_by_fuzzy_name=units["insured_by_fuzzy_name"],
            not_insured=units["not_insured"],
        ),
    ]
