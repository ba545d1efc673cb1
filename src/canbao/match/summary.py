"""The run summary (summary.json) and the conservation equations of SPEC section 3."""

from __future__ import annotations

from typing import Any

import polars as pl

from canbao.match.present import CONFLICT_LABELS, DUPLICATE_LABELS, UNINSURED_FLAGS


def count_targets(targets: pl.LazyFrame) -> dict[str, Any]:
    """Counts over target persons: confirmed, needs survey, uninsured and its flags."""
    row = (
        targets.select(
            pl.len().alias("target"),
            pl.col("needs_survey").sum().alias("needs_survey"),
            (~pl.col("needs_survey")).sum().alias("confirmed"),
            pl.col("r_uninsured").sum().alias("uninsured"),
            *(pl.col(flag).sum().alias(flag) for flag in UNINSURED_FLAGS),
        )
        .collect()
        .row(0, named=True)
    )
    return {
        "target": int(row["target"]),
        "confirmed": int(row["confirmed"]),
        "needs_survey": int(row["needs_survey"]),
        "uninsured": int(row["uninsured"]),
        "uninsured_flags": {flag: int(row[flag]) for flag in UNINSURED_FLAGS},
    }


def count_household(household: pl.LazyFrame) -> dict[str, int]:
    """Rows read from the household (and floating) rosters, split into target and excluded."""
    row = (
        household.select(
            pl.len().alias("household_rows"),
            (pl.col("_roster") == "floating").sum().alias("floating_rows"),
            pl.col("is_target").sum().alias("target_rows"),
            (~pl.col("is_target")).sum().alias("excluded"),
            pl.col("id_reason").is_not_null().sum().alias("household_invalid_ids"),
        )
        .collect()
        .row(0, named=True)
    )
    return {k: int(v) for k, v in row.items()}


def count_enrolment(linked: pl.LazyFrame) -> dict[str, int]:
    """Enrolment rows by link class (linked, non_local, not_in_household, invalid)."""
    row = (
        linked.select(
            pl.len().alias("enrolment_rows"),
            (pl.col("link") == "linked").sum().alias("linked"),
            (pl.col("link") == "non_local").sum().alias("non_local"),
            (pl.col("link") == "not_in_household").sum().alias("not_in_household"),
            (pl.col("link") == "invalid").sum().alias("invalid_ids"),
        )
        .collect()
        .row(0, named=True)
    )
    return {k: int(v) for k, v in row.items()}


def count_duplicates(found: pl.DataFrame) -> dict[str, int]:
    """Persons per duplicate kind (a person counts once per kind, whatever the insurance type)."""
    counts = dict(found.group_by("kind").agg(pl.col("id_key").n_unique()).iter_rows())
    return {kind: int(counts.get(kind, 0)) for kind in DUPLICATE_LABELS}


def count_conflicts(conflicts: pl.LazyFrame) -> dict[str, int]:
    """Records per conflict kind, as listed in the conflicts file."""
    counts = dict(conflicts.group_by("类别代码").len().collect().iter_rows())
    return {kind: int(counts.get(kind, 0)) for kind in CONFLICT_LABELS}


def _equation(name: str, left: int, right: int, **parts: int) -> dict[str, Any]:
    return {"equation": name, "left": left, "right": right, "parts": parts, "ok": left == right}


def conservation(summary: dict[str, Any], enrol: dict[str, int]) -> list[dict[str, Any]]:
    """Each equation of SPEC section 3 with both sides and whether it holds."""
    return [
        _equation(
            "target = confirmed + needs_survey",
            summary["target"],
            summary["confirmed"] + summary["needs_survey"],
            confirmed=summary["confirmed"],
            needs_survey=summary["needs_survey"],
        ),
        _equation(
            "household_rows = target + excluded",
            summary["household_rows"],
            summary["target"] + summary["excluded"],
            target=summary["target"],
            excluded=summary["excluded"],
        ),
        _equation(
            "enrolment_rows = linked + non_local + not_in_household + invalid_ids",
            enrol["enrolment_rows"],
            enrol["linked"] + enrol["non_local"] + enrol["not_in_household"] + enrol["invalid_ids"],
            linked=enrol["linked"],
            non_local=enrol["non_local"],
            not_in_household=enrol["not_in_household"],
            invalid_ids=enrol["invalid_ids"],
        ),
    ]


def link_equations(
    before: dict[str, int], after: dict[str, int], applied: int
) -> list[dict[str, Any]]:
    """With --apply-links: every applied link moved one record from invalid/not_in_household to
    linked, and the enrolment rows stayed the same."""
    unlinked_before = before["invalid_ids"] + before["not_in_household"]
    unlinked_after = after["invalid_ids"] + after["not_in_household"]
    return [
        _equation(
            "applied_links = (invalid_ids + not_in_household) before - after",
            applied,
            unlinked_before - unlinked_after,
            before=unlinked_before,
            after=unlinked_after,
        ),
        _equation(
            "linked after = linked before + applied_links",
            after["linked"],
            before["linked"] + applied,
            linked_before=before["linked"],
            applied_links=applied,
        ),
        _equation(
            "enrolment_rows after = enrolment_rows before",
            after["enrolment_rows"],
            before["enrolment_rows"],
        ),
    ]


def unit_equations(units: dict[str, int]) -> list[dict[str, Any]]:
    """Every registry unit is insured by one rule or listed as not insured, exactly once."""
    return [
        _equation(
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
