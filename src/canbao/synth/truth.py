"""The expected result sets of a synthetic city, derived from the planted stories.

Person-level results (uninsured, needs survey, duplicates) come from each story variant's
declared coverage, not from reading the rosters back; record-level results (conflicts,
non-local) come from the tags each record got when it was planted.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from canbao.synth.stories import ACTIVE, STORIES, SUSPENDED

REASON_ORDER = ("uninsured", "conflict", "invalid_id", "info_missing")
CONFLICT_KINDS = (
    "invalid_id", "name_mismatch", "sex_mismatch", "birth_mismatch", "deceased_enrolled",
    "repeated_record", "not_in_household",
)  # fmt: skip
DUPLICATE_KINDS = ("cross_scheme", "cross_region", "cross_scheme_benefit", "cross_region_benefit")
FLAGS = ("missing_pension", "missing_medical", "interrupted", "no_insurance")
EXPECTED_FILES = ("needs_survey", "uninsured", "duplicates", "conflicts", "non_local", "stories")


def _declarations() -> tuple[pl.DataFrame, pl.DataFrame]:
    states, dups = [], []
    for name, story in STORIES.items():
        for i, v in enumerate(story.variants):
            states.append(
                {"story": name, "variant": i, "p_state": v.pension, "m_state": v.medical,
                 "declared": ";".join(v.reasons)}
            )  # fmt: skip
            dups += [{"story": name, "variant": i, "险种类型": t, "类别代码": k} for t, k in v.dups]
    schema = {"variant": pl.Int64}
    dup_schema = {
        "story": pl.String,
        "variant": pl.Int64,
        "险种类型": pl.String,
        "类别代码": pl.String,
    }
    return pl.DataFrame(states, schema_overrides=schema), pl.DataFrame(dups, schema=dup_schema)


def tag_records(records: pl.DataFrame) -> pl.DataFrame:
    """Add the truth of each placed record: conflict kind, linked, non_local, invalid."""
    plant = pl.col("plant")
    invalid = plant.str.starts_with("invalid:").fill_null(False)
    first_line = pl.col("line").min().over(["pid", "rec_no"])
    dead = pl.col("status").is_in(["死亡", "注销"])
    active = pl.col("enrol_status").is_in(["paying", "receiving"])
    conflict = (
        pl.when(invalid)
        .then(pl.lit("invalid_id"))
        .when(plant.str.starts_with("name_"))
        .then(pl.lit("name_mismatch"))
        .when(plant == "sex")
        .then(pl.lit("sex_mismatch"))
        .when(plant == "birth")
        .then(pl.lit("birth_mismatch"))
        # The first of identical rows is the record; every later copy is the repeat.
        .when((plant == "repeat") & (pl.col("line") > first_line))
        .then(pl.lit("repeated_record"))
        .when(dead & active)
        .then(pl.lit("deceased_enrolled"))
        .when(pl.col("story") == "not_in_household")
        .then(pl.lit("not_in_household"))
    )
    return records.with_columns(
        conflict=conflict,
        invalid=invalid,
        linked=~invalid & pl.col("group").is_in(["household", "floating"]),
        non_local=pl.col("story") == "non_local",
    )


def expected_sets(
    persons: pl.DataFrame, records: pl.DataFrame, files: dict[str, str]
) -> dict[str, Any]:
    """Return the expected frames and the summary, from stories and tagged records."""
    states, dup_decl = _declarations()
    people = persons.join(states, on=["story", "variant"], how="left")
    adult = pl.col("age") >= 16
    p_state = pl.when(adult).then(pl.col("p_state")).otherwise(pl.lit("none"))
    m_state = pl.col("m_state")
    # An invalid household ID links to no record: coverage is unknown, not missing. The person
    # goes to the survey for the ID alone (the matcher, canbao.match.sets, agrees).
    assessed = pl.col("damage_kind").is_null()
    missing_p = assessed & adult & (p_state != ACTIVE)
    missing_m = assessed & (m_state != ACTIVE)
    people = people.with_columns(
        target=pl.col("group").is_in(["household", "floating"]) & (pl.col("status") == "正常"),
        missing_pension=missing_p,
        missing_medical=missing_m,
        interrupted=(missing_p & (p_state == SUSPENDED)) | (missing_m & (m_state == SUSPENDED)),
        no_insurance=assessed & (p_state != ACTIVE) & (m_state != ACTIVE),
    )
    uninsured_flag = pl.col("missing_pension") | pl.col("missing_medical")
    reasons = pl.concat_str(
        [
            pl.when(uninsured_flag).then(pl.lit("uninsured;")).otherwise(pl.lit("")),
            pl.col("declared"),
        ]
    ).str.strip_chars_end(";")
    people = people.with_columns(reasons=reasons)
    target = people.filter(pl.col("target"))
    # Reasons are joined in REASON_ORDER already, which is sorted except for the 'uninsured' lead.
    needs = (
        target.filter(pl.col("reasons") != "")
        .select(
            pl.col("id_written").str.strip_chars().alias("公民身份号码"),
            pl.col("reasons").str.split(";").list.sort().list.join(";").alias("原因代码"),
        )
        .sort("公民身份号码")
    )
    uninsured = (
        target.filter(uninsured_flag)
        .select(pl.col("id_written").str.strip_chars().alias("公民身份号码"), *FLAGS)
        .sort("公民身份号码")
    )
    dups = (
        persons.join(dup_decl, on=["story", "variant"], how="inner")
        .select(pl.col("id").alias("公民身份号码"), "险种类型", "类别代码")
        .sort("公民身份号码", "险种类型", "类别代码")
    )
    shown_id = (
        pl.when(pl.col("invalid"))
        .then(pl.col("id_written").str.strip_chars())
        .otherwise(pl.col("id"))
    )
    file_name = pl.col("file").replace_strict(files, return_dtype=pl.String)
    rec_view = records.with_columns(公民身份号码=shown_id, _file=file_name, _line=pl.col("line"))
    hh_invalid = people.filter(pl.col("damage_kind").is_not_null()).select(
        pl.col("id_written").alias("公民身份号码"),
        pl.lit(files["household"]).alias("_file"),
        pl.col("hh_line").alias("_line"),
        pl.lit("invalid_id").alias("类别代码"),
    )
    conflicts = pl.concat(
        [
            rec_view.filter(pl.col("conflict").is_not_null()).select(
                "公民身份号码", "_file", "_line", pl.col("conflict").alias("类别代码")
            ),
            hh_invalid,
        ]
    ).sort("_file", "_line", "类别代码")
    non_local = (
        rec_view.filter(pl.col("non_local"))
        .select("公民身份号码", "_file", "_line")
        .sort("_file", "_line")
    )
    summary = _summary(people, records, needs, uninsured, dups, conflicts, hh_invalid.height)
    stories = people.select(
        pl.col("id_written").str.strip_chars().alias("公民身份号码"),
        pl.col("group").alias("roster"),
        "story",
        "variant",
    )
    return {
        "stories": stories,
        "needs_survey": needs,
        "uninsured": uninsured,
        "duplicates": dups,
        "conflicts": conflicts,
        "non_local": non_local,
        "summary": summary,
    }


def _summary(
    people: pl.DataFrame,
    records: pl.DataFrame,
    needs: pl.DataFrame,
    uninsured: pl.DataFrame,
    dups: pl.DataFrame,
    conflicts: pl.DataFrame,
    household_invalid: int,
) -> dict[str, Any]:
    rostered = people.filter(pl.col("group").is_in(["household", "floating"]))
    target = int(rostered["target"].sum())
    reasons = needs["原因代码"].str.split(";").explode().value_counts()
    reason_counts = dict(
        zip(reasons["原因代码"].to_list(), reasons["count"].to_list(), strict=True)
    )
    dup_persons = dups.group_by("类别代码").agg(pl.col("公民身份号码").n_unique())
    dup_counts = dict(
        zip(dup_persons["类别代码"].to_list(), dup_persons["公民身份号码"].to_list(), strict=True)
    )
    kinds = conflicts["类别代码"].value_counts()
    conflict_counts = dict(zip(kinds["类别代码"].to_list(), kinds["count"].to_list(), strict=True))
    invalid_ids = int(records["invalid"].sum())
    return {
        "household_rows": rostered.height,
        "household_file_rows": int((rostered["group"] == "household").sum()),
        "floating_rows": int((rostered["group"] == "floating").sum()),
        "target": target,
        "excluded": rostered.height - target,
        "confirmed": target - needs.height,
        "needs_survey": needs.height,
        "needs_survey_reasons": {r: int(reason_counts.get(r, 0)) for r in REASON_ORDER},
        "uninsured": {"persons": uninsured.height, **{f: int(uninsured[f].sum()) for f in FLAGS}},
        "duplicates": {k: int(dup_counts.get(k, 0)) for k in DUPLICATE_KINDS},
        "duplicate_persons": dups["公民身份号码"].n_unique(),
        "conflicts": {k: int(conflict_counts.get(k, 0)) for k in CONFLICT_KINDS},
        "conflict_records": conflicts.height,
        "non_local": int(records["non_local"].sum()),
        "invalid_ids": invalid_ids,
        "household_invalid_ids": household_invalid,
        "not_in_household": int((records["story"] == "not_in_household").sum()),
        "linked_rows": int(records["linked"].sum()),
        "enrolment_rows": records.height,
    }
