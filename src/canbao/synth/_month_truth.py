"""June's truth as the second month reads it, and the changes a correct ``canbao changes`` lists.

Everything here comes from the files :func:`canbao.synth.city.generate_city` wrote: the rosters
(who lives where, with which status) and ``expected/`` (each person's story, needs-survey
reasons, uninsured flags, conflicts and duplicates). The codes of lists, directions and reasons
are written out here on purpose: the synthetic city is an oracle independent of canbao's
vocabulary (tests/test_vocabulary.py explains why).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import polars as pl

from canbao.synth import _month_files as files

KEY: Final = "公民身份号码"
# The changes each planted kind makes: (list, direction, reason) in canbao changes' codes.
SURVEY_LISTS: Final = ("needs_survey", "uninsured", "visit_list")
RULES: Final[dict[str, list[tuple[str, str, str]]]] = {
    "died": [*((s, "left", "died") for s in SURVEY_LISTS), ("excluded", "entered", "died")],
    "moved_out": [
        *((s, "left", "moved_out") for s in SURVEY_LISTS),
        ("excluded", "entered", "moved_out"),
    ],
    "newly_insured": [
        *((s, "left", "newly_insured") for s in SURVEY_LISTS),
        ("confirmed", "entered", "newly_insured"),
    ],
    "name_corrected": [
        *((s, "left", "conflict_resolved") for s in ("conflict", "needs_survey", "visit_list")),
        ("confirmed", "entered", "conflict_resolved"),
    ],
    "duplicate_cleaned": [("duplicate", "left", "duplicate_cleaned")],
    "survey_confirmed": [("visit_list", "left", "confirmed_by_survey")],
    "survey_not_confirmed": [],
    # A person confirmed in June who turns 16 without a pension; one needing a survey for
    # another reason only becomes uninsured (turned_16_surveyed below).
    "turned_16": [
        ("confirmed", "left", "turned_16"),
        *((s, "entered", "turned_16") for s in SURVEY_LISTS),
    ],
    "turned_16_surveyed": [("uninsured", "entered", "turned_16")],
}


def _csv(path: Path, encoding: str = "utf-8") -> pl.DataFrame:
    return pl.read_csv(path.read_bytes().decode(encoding).encode("utf-8"), infer_schema=False)


@dataclass(frozen=True)
class JuneTruth:
    """June's persons (one row per household or floating row) and expected sets."""

    june: Path
    encodings: dict[str, str]
    people: pl.DataFrame  # 公民身份号码, name, county, status, roster, story, reasons, flags
    conflicts: pl.DataFrame
    duplicates: pl.DataFrame

    @classmethod
    def read(cls, june: Path, manifest: dict[str, Any]) -> JuneTruth:
        """Read June's household and floating rosters and expected/."""
        encodings = {name: info["encoding"] for name, info in manifest["rosters"].items()}
        rows = []
        for name, roster in (("household.csv", "household"), ("floating.csv", "floating")):
            frame = _csv(june / name, encodings[name])
            rows.append(
                frame.select(
                    pl.col(frame.columns[0]).str.strip_chars().alias(KEY),
                    pl.col("姓名").alias("name"),
                    pl.col("县区").alias("county"),
                    pl.col(frame.columns[9]).alias("status"),
                    pl.lit(roster).alias("roster"),
                )
            )
        expected = june / "expected"
        stories = _csv(expected / "stories.csv").select(KEY, "story").unique(KEY)
        needs = _csv(expected / "needs_survey.csv").rename({"原因代码": "reasons"})
        flags = _csv(expected / "uninsured.csv")
        people = (
            pl.concat(rows)
            .join(stories, on=KEY, how="left")
            .join(needs, on=KEY, how="left")
            .join(flags, on=KEY, how="left")
            .with_columns(pl.len().over(KEY).alias("rows"))
        )
        return cls(
            june,
            encodings,
            people,
            _csv(expected / "conflicts.csv"),
            _csv(expected / "duplicates.csv"),
        )

    def _targets(self) -> pl.DataFrame:
        """Target persons on one roster row each, with an 18-character ID."""
        return self.people.filter(
            (pl.col("status") == "正常")
            & (pl.col("rows") == 1)
            & (pl.col(KEY).str.len_chars() == 18)
        )

    def candidates(self, story: str | None, reasons: str) -> pl.DataFrame:
        """Household target persons of ``story`` (any when None) needing a survey for
        exactly ``reasons``."""
        chosen = self._targets().filter(
            (pl.col("roster") == "household") & (pl.col("reasons") == reasons)
        )
        if story is not None:
            chosen = chosen.filter(pl.col("story") == story)
        return chosen.with_columns(
            pl.lit(None, pl.String).alias("_file"), pl.lit(None, pl.Int64).alias("_line")
        )

    def missing_medical_only(self) -> pl.DataFrame:
        """Persons missing a medical insurance and nothing else (their pension is active)."""
        only = (
            (pl.col("missing_medical") == "true")
            & (pl.col("missing_pension") == "false")
            & (pl.col("interrupted") == "false")
            & (pl.col("no_insurance") == "false")
        )
        return self.candidates("missing_medical", "uninsured").filter(only)

    def name_records(self) -> pl.DataFrame:
        """Persons whose only conflict is one misnamed record in a CSV roster, with its line."""
        conflicts = self.conflicts.with_columns(pl.len().over(KEY).alias("n")).filter(
            (pl.col("n") == 1)
            & (pl.col("类别代码") == "name_mismatch")
            & pl.col("_file").str.ends_with(".csv")
        )
        return (
            self.candidates("name_mismatch", "conflict")
            .drop("_file", "_line")
            .join(conflicts.select(KEY, "_file", pl.col("_line").cast(pl.Int64)), on=KEY)
        )

    def medical_duplicates(self) -> pl.DataFrame:
        """Cross-scheme medical duplicates (their only one) with exactly two records found by
        their ID in the medical CSV rosters; the later record is the one to remove."""
        once = self.duplicates.with_columns(pl.len().over(KEY).alias("n")).filter(
            (pl.col("n") == 1)
            & (pl.col("险种类型") == "医疗")
            & (pl.col("类别代码") == "cross_scheme")
        )
        records = self._medical_lines().filter(pl.len().over(KEY) == 2)
        last = records.sort("_file", "_line").group_by(KEY).last()
        persons = self._targets().filter(
            pl.col("reasons").is_null() & (pl.col("story") == "cross_scheme")
        )
        return persons.join(once.select(KEY), on=KEY).join(last, on=KEY)

    def _medical_lines(self) -> pl.DataFrame:
        """(公民身份号码, _file, _line) of every line of the medical CSV rosters."""
        parts = []
        for name in ("medical_employee.csv", "medical_resident.csv"):
            if name not in self.encodings or not name.endswith(".csv"):
                continue
            lines = files.read_lines(self.june / name, self.encodings[name])
            parts.append(
                pl.DataFrame({KEY: files.first_field(lines)})
                .with_row_index("_line", offset=1)
                .slice(1)
                .select(KEY, pl.lit(name).alias("_file"), pl.col("_line").cast(pl.Int64))
            )
        return pl.concat(parts)


def turned_16(people: pl.DataFrame, june: date, month: date) -> pl.DataFrame:
    """Target persons whose 16th birthday falls after ``june`` and on or before ``month``,
    with how they stood in June (their survey reasons, if any)."""
    birth = pl.col(KEY).str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d", strict=False)
    after = date(june.year - 16, june.month, june.day)
    by = date(month.year - 16, month.month, month.day)
    return (
        people.filter(
            (pl.col("status") == "正常")
            & (pl.col(KEY).str.len_chars() == 18)
            & (birth > after)
            & (birth <= by)
            & ~pl.col("reasons").fill_null("").str.contains("invalid_id")
        )
        .unique(KEY)
        .select(
            KEY,
            pl.col("name"),
            pl.col("county"),
            pl.lit(None, pl.String).alias("_file"),
            pl.lit(None, pl.Int64).alias("_line"),
            pl.col("reasons"),
            pl.col("missing_pension"),
        )
    )


def expected_changes(
    truth: JuneTruth, planted: pl.DataFrame, june: date, month: date
) -> pl.DataFrame:
    """公民身份号码, list, direction, reason of every change the planted persons make."""
    turning = turned_16(truth.people, june, month)
    kind = (
        pl.when(pl.col("reasons").is_null())
        .then(pl.lit("turned_16"))
        .when(pl.col("missing_pension").is_null())  # needs a survey, not uninsured
        .then(pl.lit("turned_16_surveyed"))
    )
    moved = planted.filter(pl.col("change") != "turned_16").select(KEY, "change")
    moved = pl.concat([moved, turning.select(KEY, kind.alias("change")).drop_nulls()])
    rules = pl.DataFrame(
        [(k, *r) for k, rows in RULES.items() for r in rows],
        schema=["change", "list", "direction", "reason"],
        orient="row",
    )
    return (
        moved.join(rules, on="change", how="inner")
        .select(KEY, "list", "direction", "reason")
        .sort(KEY, "list", "direction")
    )
