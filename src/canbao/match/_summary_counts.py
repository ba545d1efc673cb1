"""The summary's counts and its conservation equations (docs/match.md "Summary").

Every count here is over the staged frames of a match; :mod:`canbao.match._summary_build`
assembles them into a :class:`~canbao.match.summary_model.MatchSummary`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

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


def _ints(frame: pl.LazyFrame, *aggregates: pl.Expr) -> list[int]:
    """The integer values of ``aggregates`` over ``frame``, in their order."""
    named = (expr.alias(f"_{i}") for i, expr in enumerate(aggregates))
    return [int(v) for v in frame.select(*named).collect().row(0)]


def count_targets(targets: pl.LazyFrame) -> TargetCounts:
    """Counts over target persons: confirmed, needs survey, uninsured and its flags."""
    target, confirmed, needs_survey, uninsured, *flags = _ints(
        targets,
        pl.len(),
        (~pl.col("needs_survey")).sum(),
        pl.col("needs_survey").sum(),
        pl.col(Reason.UNINSURED.column).sum(),
        *(pl.col(flag).sum() for flag in UninsuredFlag),
    )
    by_flag = dict(zip(UninsuredFlag, flags, strict=True))
    return TargetCounts(target, confirmed, needs_survey, uninsured, by_flag)


def count_household(household: pl.LazyFrame) -> HouseholdCounts:
    """Rows read from the household (and floating) rosters, split into target and excluded."""
    return HouseholdCounts(
        *_ints(
            household,
            pl.len(),
            (pl.col("_roster") == "floating").sum(),
            pl.col("is_target").sum(),
            (~pl.col("is_target")).sum(),
            pl.col("id_reason").is_not_null().sum(),
        )
    )


# The link class each EnrolmentCounts field after enrolment_rows counts, in field order.
_COUNTED_LINKS = (
    *(LinkClass.LINKED, LinkClass.NON_LOCAL),
    *(LinkClass.NOT_IN_HOUSEHOLD, LinkClass.INVALID),
)


def count_enrolment(linked: pl.LazyFrame) -> EnrolmentCounts:
    """Enrolment rows by link class (linked, non_local, not_in_household, invalid)."""
    link = pl.col("link")
    return EnrolmentCounts(
        *_ints(linked, pl.len(), *((link == c.value).sum() for c in _COUNTED_LINKS))
    )


def count_duplicates(found: pl.DataFrame) -> dict[DuplicateKind, int]:
    """Persons per duplicate kind (a person counts once per kind, whatever the insurance type)."""
    counts = dict(found.group_by("kind").agg(pl.col("id_key").n_unique()).iter_rows())
    return {kind: int(counts.get(kind.value, 0)) for kind in DuplicateKind}


def count_conflicts(conflicts: pl.LazyFrame) -> dict[ConflictKind, int]:
    """Records per conflict kind, as listed in the conflicts file."""
    counts = dict(conflicts.group_by("类别代码").len().collect().iter_rows())
    return {kind: int(counts.get(kind.value, 0)) for kind in ConflictKind}


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
