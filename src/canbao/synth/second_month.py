"""The synthetic city's second month: June's rosters with planted changes, and their truth.

:func:`generate_second_month` reads a city :func:`canbao.synth.city.generate_city` wrote (its
rosters and ``expected/``) and writes the same city a month or two later, with changes drawn
from a random stream of its own (``august_*``; June's files are only read):

- **died** and **moved out**: household persons without any insurance get 人员状态 死亡 / 迁出;
- **newly insured**: persons missing only a medical insurance get a 城乡居民医保 record;
- **corrected names**: the one enrolment record whose name differed from the household's is
  corrected (the person's only conflict);
- **cleaned duplicates**: one of the two medical records of a cross-scheme duplicate is removed;
- **turned 16**: not planted but found: every target person whose 16th birthday falls after
  June's date and by the new one needs a pension from then on;
- **survey**: some needs-survey persons with a missing address were visited and confirmed by a
  valid form (已核实入库), some others visited without being confirmed (``survey_visits.csv``).

Every roster line not edited is byte for byte June's. ``expected/changes.csv`` holds the changes
a correct ``canbao changes`` must list (person, list, direction, reason codes, in the synthetic
city's own words, an oracle independent of canbao's code), ``expected/planted.csv`` the planted
change of each person. docs/synthetic.md describes them.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import polars as pl

from canbao.atomic import atomic_directory
from canbao.rng import Rng
from canbao.synth import _month_files as files
from canbao.synth._month_truth import JuneTruth, expected_changes, turned_16

AUGUST: Final = date(2017, 8, 31)
VISITED: Final = date(2017, 7, 15)
SURVEY_FILE: Final = "survey_visits.csv"
LEDGERS: Final = ("ledger_village.csv", "ledger_census.csv")
# Persons per planted change: one in 500 household persons, at least one.
PER_CHANGE: Final = 500


@dataclass(frozen=True)
class SecondMonth:
    """What :func:`generate_second_month` wrote: where, for which date, how many of each."""

    output: Path
    as_of: date
    planted: dict[str, int]
    changes: int


def generate_second_month(
    june: Path, output: Path, *, seed: int, as_of: date = AUGUST
) -> SecondMonth:
    """Write the city of ``june`` as of ``as_of`` into ``output`` (replaced atomically)."""
    manifest = json.loads((june / "manifest.json").read_text(encoding="utf-8"))
    june_as_of = date.fromisoformat(manifest["as_of"])
    truth = JuneTruth.read(june, manifest)
    count = max(1, int(manifest["persons"]) // PER_CHANGE)
    rng = Rng(seed)
    planted = _plant(rng, truth, count, turned_16(truth.people, june_as_of, as_of))
    with atomic_directory(Path(output), command="demo", inputs=[june]) as staging:
        for name in manifest["rosters"]:
            shutil.copyfile(june / name, staging / name)
        for name in ("units_registry.csv", "units_insured.csv", *LEDGERS):
            if (june / name).exists():
                shutil.copyfile(june / name, staging / name)
        _edit_rosters(staging, manifest, truth, planted)
        (staging / "expected").mkdir()
        changes = expected_changes(truth, planted, june_as_of, as_of)
        changes.write_csv(staging / "expected" / "changes.csv")
        planted.select("公民身份号码", "change").sort("公民身份号码").write_csv(
            staging / "expected" / "planted.csv"
        )
        _survey_file(planted).write_csv(staging / SURVEY_FILE)
        counts = dict(planted.group_by("change").len().sort("change").iter_rows())
        month = {**manifest, "as_of": as_of.isoformat(), "previous": june_as_of.isoformat()}
        month["planted"] = counts
        month["survey_visited"] = VISITED.isoformat()
        (staging / "manifest.json").write_text(
            json.dumps(month, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        (staging / "README.md").write_text(
            _readme(june_as_of, as_of, seed, counts, changes.height), encoding="utf-8"
        )
    return SecondMonth(
        Path(output), as_of, {str(k): int(v) for k, v in counts.items()}, changes.height
    )


def _pick(rng: Rng, pool: pl.DataFrame, stream: str, count: int, taken: set[str]) -> pl.DataFrame:
    """``count`` persons of ``pool`` not yet taken, drawn by the stream ``august_<stream>``."""
    key = pl.col("公民身份号码").str.slice(0, 17).cast(pl.UInt64, strict=False)
    free = pool.filter(~pl.col("公民身份号码").is_in(sorted(taken)) & key.is_not_null())
    drawn = free.with_columns(rng.uniform(f"august_{stream}", key).alias("_u"))
    return (
        drawn.sort("_u", "公民身份号码")
        .head(count)
        .drop("_u")
        .with_columns(pl.lit(stream).alias("change"))
    )


def _plant(rng: Rng, truth: JuneTruth, count: int, turning: pl.DataFrame) -> pl.DataFrame:
    """The planted persons (公民身份号码, change and what the edit needs), turning 16 left out."""
    taken = set(turning["公民身份号码"].to_list())
    chosen: list[pl.DataFrame] = []
    pools: list[tuple[str, pl.DataFrame, int]] = [
        ("died", truth.candidates("no_insurance", "uninsured"), count),
        ("moved_out", truth.candidates("no_insurance", "uninsured"), count),
        ("newly_insured", truth.missing_medical_only(), count),
        ("name_corrected", truth.name_records(), count),
        ("duplicate_cleaned", truth.medical_duplicates(), count),
        ("survey_confirmed", truth.candidates(None, "info_missing"), count),
        ("survey_not_confirmed", truth.candidates(None, "info_missing"), count),
    ]
    for change, pool, wanted in pools:
        picked = _pick(rng, pool, change, wanted, taken)
        taken |= set(picked["公民身份号码"].to_list())
        chosen.append(picked.select("公民身份号码", "change", *_EXTRA))
    turning = turning.with_columns(pl.lit("turned_16").alias("change"), *_NONE)
    return pl.concat([*chosen, turning.select("公民身份号码", "change", *_EXTRA)])


_EXTRA: Final = ("name", "county", "_file", "_line")
_NONE: Final = [pl.lit(None, pl.String).alias(c) for c in ("name", "county", "_file")] + [
    pl.lit(None, pl.Int64).alias("_line")
]


def _edit_rosters(
    staging: Path, manifest: dict[str, Any], truth: JuneTruth, planted: pl.DataFrame
) -> None:
    """Apply the planted changes to the copied rosters, line by line."""
    encoding = {name: info["encoding"] for name, info in manifest["rosters"].items()}
    statuses = {
        i: "死亡" if c == "died" else "迁出"
        for i, c in planted.filter(pl.col("change").is_in(["died", "moved_out"]))
        .select("公民身份号码", "change")
        .iter_rows()
    }
    household = staging / "household.csv"
    lines = files.read_lines(household, encoding["household.csv"])
    files.write_lines(files.set_status(lines, statuses), household, encoding["household.csv"])
    _correct_names(staging, encoding, planted.filter(pl.col("change") == "name_corrected"))
    _clean_duplicates(staging, encoding, planted.filter(pl.col("change") == "duplicate_cleaned"))
    _insure(staging, encoding, manifest, planted.filter(pl.col("change") == "newly_insured"))


def _correct_names(staging: Path, encoding: dict[str, str], rows: pl.DataFrame) -> None:
    """Write the household's name into each misnamed record."""
    for (name,), part in rows.partition_by("_file", as_dict=True).items():
        path = staging / str(name)
        lines = files.read_lines(path, encoding[str(name)])
        values = {int(line) - 1: str(n) for line, n in part.select("_line", "name").iter_rows()}
        edited = files.set_field(lines, files.name_column(lines), values)
        files.write_lines(edited, path, encoding[str(name)])


def _clean_duplicates(staging: Path, encoding: dict[str, str], rows: pl.DataFrame) -> None:
    """Remove the last of the two medical records of each cleaned duplicate."""
    for (name,), part in rows.partition_by("_file", as_dict=True).items():
        path = staging / str(name)
        lines = files.read_lines(path, encoding[str(name)])
        gone = [int(line) - 1 for line in part["_line"].to_list()]
        files.write_lines(files.drop_lines(lines, gone), path, encoding[str(name)])


def _insure(
    staging: Path, encoding: dict[str, str], manifest: dict[str, Any], rows: pl.DataFrame
) -> None:
    """Append a paying 城乡居民基本医疗保险 record for each newly insured person."""
    from canbao.synth.writers import enrolment_columns

    name = "medical_resident.csv"
    records = rows.select(
        pl.col("公民身份号码").alias("id_written"),
        pl.col("name").alias("name_written"),
        pl.lit("22").alias("scheme"),
        pl.col("county").alias("region"),
        pl.lit("paying").alias("enrol_status"),
    ).sort("id_written")
    added = records.select(enrolment_columns("medical_resident", messy=bool(manifest["messy"])))
    path = staging / name
    lines = files.read_lines(path, encoding[name])
    files.write_lines(pl.concat([lines, files.csv_lines(added)]), path, encoding[name])


def _readme(june: date, month: date, seed: int, counts: dict[Any, Any], changes: int) -> str:
    """What the folder is, how it was made and what it plants."""
    planted = "\n".join(f"| `{k}` | {v} |" for k, v in counts.items())
    return f"""# Synthetic city, next month (合成数据：第二个月)

The synthetic city of `examples/city` ({june}) as of {month}, written by
`canbao demo --month-after <june city> --seed {seed} --output <dir>`
(`canbao.synth.second_month`). Every roster line not planted is June's, byte for byte; units and
ledgers are June's. docs/synthetic.md describes each change.

| change | persons |
| --- | --- |
{planted}

- `survey_visits.csv`: the persons a survey visited on {VISITED} (公民身份号码, 入户日期,
  是否确认登记, 未参保原因), as `canbao intake --db` records them.
- `expected/planted.csv`: 公民身份号码 and the change planted (or found: `turned_16`).
- `expected/changes.csv`: the {changes} changes `canbao changes` must list between the two
  months, with June's snapshot and the survey recorded: 公民身份号码, list, direction, reason.
"""


def _survey_file(planted: pl.DataFrame) -> pl.DataFrame:
    """The survey's visits as intake records them: who, when, whether a form confirmed them."""
    visited = planted.filter(pl.col("change").str.starts_with("survey_"))
    return visited.select(
        pl.col("公民身份号码"),
        pl.lit(VISITED.isoformat()).alias("入户日期"),
        pl.when(pl.col("change") == "survey_confirmed")
        .then(pl.lit("是"))
        .otherwise(pl.lit("否"))
        .alias("是否确认登记"),
        pl.lit("").alias("未参保原因"),
    ).sort("公民身份号码")
