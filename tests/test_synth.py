"""Tests of the synthetic city generator (canbao.synth) and `canbao demo`."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from stdnum.cn import ric
from typer.testing import CliRunner

from canbao.cli import app
from canbao.codes import ENROLMENT_STATUS_ALIASES, SCHEME_ALIASES, SCHEMES
from canbao.outputs import MARKER
from canbao.synth import generate_city
from canbao.synth.stories import (
    ACTIVE,
    FLOATING_FRACTIONS,
    GROUP_FRACTIONS,
    HOUSEHOLD_FRACTIONS,
    NONE,
    STORIES,
    SUSPENDED,
    TERMINATED,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "city"
REGENERATE = "regenerate with: uv run --locked python scripts/regenerate_golden.py city --checked"
AS_OF = date(2017, 6, 30)
ENCODINGS = {"utf-8": "utf8", "utf-8-sig": "utf8", "gb18030": "gb18030"}


def read(city: Path, name: str) -> pl.DataFrame:
    """Read one roster of a city as strings, whatever its format and encoding."""
    info = json.loads((city / "manifest.json").read_text(encoding="utf-8"))["rosters"][name]
    if info["format"] == "xlsx":
        return pl.read_excel(city / name, infer_schema_length=0)
    return pl.read_csv(city / name, infer_schema=False, encoding=ENCODINGS[info["encoding"]])


def normalise(value: str) -> str:
    """Normalise one written ID the way docs/ids.md says (a test oracle, row by row)."""
    text = unicodedata.normalize("NFKC", value).replace(" ", "").upper()
    if len(text) == 15 and text.isdigit():
        first17 = text[:6] + "19" + text[6:]
        return first17 + ric.calc_check_digit(first17 + "X")
    return text


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A city generated with the example's parameters."""
    out = tmp_path_factory.mktemp("synth") / "city"
    manifest = json.loads((EXAMPLE / "manifest.json").read_text(encoding="utf-8"))
    generate_city(
        manifest["persons"],
        seed=manifest["seed"],
        as_of=date.fromisoformat(manifest["as_of"]),
        output=out,
    )
    return out


def test_example_city_is_reproducible(city: Path) -> None:
    """The committed example equals a fresh generation with its seed, file by file."""
    # golden/ holds canbao match's reviewed results on the example, not the generator's output.
    names = sorted(
        p.relative_to(EXAMPLE).as_posix()
        for p in EXAMPLE.rglob("*")
        if p.is_file() and p.relative_to(EXAMPLE).parts[0] != "golden"
    )
    # The run's marker (time, file list) says who wrote the folder; it is not part of the example.
    made = sorted(p.relative_to(city).as_posix() for p in city.rglob("*") if p.is_file())
    assert names == [n for n in made if n != MARKER]
    for name in names:
        if name.endswith(".xlsx"):
            assert read(EXAMPLE, name).equals(read(city, name)), (name, REGENERATE)
        else:
            assert (EXAMPLE / name).read_bytes() == (city / name).read_bytes(), (name, REGENERATE)


def test_same_seed_same_city_other_seed_other_city(tmp_path: Path) -> None:
    """Two runs with one seed write identical files; another seed writes other IDs."""
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate_city(300, seed=seed, as_of=AS_OF, output=tmp_path / name, messy=False)
    files = [
        "household.csv",
        "medical_resident.csv",
        "expected/conflicts.csv",
        "expected/stories.csv",
    ]
    for f in files:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
    assert (tmp_path / "a" / "household.csv").read_bytes() != (
        tmp_path / "c" / "household.csv"
    ).read_bytes()


def test_household_ids_valid_except_planted(city: Path) -> None:
    """Every household ID has a right check char (python-stdnum) except the planted invalid ones."""
    household = read(city, "household.csv")
    stories = pl.read_csv(city / "expected" / "stories.csv", infer_schema=False)
    planted = set(stories.filter(pl.col("story") == "household_invalid_id")["公民身份号码"])
    assert planted
    assert household["公民身份号码"].is_unique().all()
    for value in household["公民身份号码"]:
        good = (
            len(value) == 18 and value[:17].isdigit() and ric.calc_check_digit(value) == value[-1]
        )
        assert good != (value in planted), value


def test_sex_birth_and_age_follow_the_id(city: Path) -> None:
    """Sex comes from the sequence digit, birth date from the ID, ages lie in 0-100."""
    rows = pl.concat(
        [
            read(city, "household.csv"),
            read(city, "floating.csv").rename({"身份证号码": "公民身份号码"}),
        ],
        how="diagonal",
    )
    valid = [len(v) == 18 and ric.calc_check_digit(v) == v[-1] for v in rows["公民身份号码"]]
    good = rows.filter(pl.Series(valid))
    sex = (
        pl.when(pl.col("公民身份号码").str.slice(16, 1).cast(pl.Int64) % 2 == 1)
        .then(pl.lit("男"))
        .otherwise(pl.lit("女"))
    )
    assert (good["性别"] == good.select(sex).to_series()).all()
    birth = good["公民身份号码"].str.slice(6, 8).str.to_date("%Y%m%d")
    assert (birth == good["出生日期"].str.to_date()).all()
    assert birth.min() > date(1916, 6, 30) and birth.max() <= AS_OF  # type: ignore[operator]


def test_story_counts_match_fractions(city: Path) -> None:
    """Each story holds round(fraction × size) persons and 'full' the rest (about 80 %)."""
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    n, counts = manifest["persons"], manifest["stories"]
    for story, share in HOUSEHOLD_FRACTIONS.items():
        assert counts.get(story, 0) == round(share * n), story
    assert counts["full"] == n - sum(round(s * n) for s in HOUSEHOLD_FRACTIONS.values())
    assert 0.78 < counts["full"] / n < 0.88
    floating = round(GROUP_FRACTIONS["floating"] * n)
    for story, share in FLOATING_FRACTIONS.items():
        assert counts.get(story, 0) == round(share * floating)
    assert counts["non_local"] == round(GROUP_FRACTIONS["non_local"] * n)
    stories = pl.read_csv(city / "expected" / "stories.csv", infer_schema=False)
    assert stories.group_by("story").len().sort("story").rows() == sorted(counts.items())


def test_expected_sets_are_consistent(city: Path) -> None:
    """The summary's conservation laws hold and every expected file agrees with the summary."""
    exp = city / "expected"
    s = json.loads((exp / "summary_expected.json").read_text(encoding="utf-8"))
    assert s["target"] == s["confirmed"] + s["needs_survey"]
    assert s["household_rows"] == s["target"] + s["excluded"]
    assert (
        s["enrolment_rows"]
        == s["linked_rows"] + s["non_local"] + s["not_in_household"] + s["invalid_ids"]
    )
    needs = pl.read_csv(exp / "needs_survey.csv", infer_schema=False)
    uninsured = pl.read_csv(exp / "uninsured.csv", infer_schema=False)
    conflicts = pl.read_csv(exp / "conflicts.csv", infer_schema=False)
    duplicates = pl.read_csv(exp / "duplicates.csv", infer_schema=False)
    assert needs.height == s["needs_survey"] and needs["公民身份号码"].is_unique().all()
    assert uninsured.height == s["uninsured"]["persons"]
    uninsured_ids = set(needs.filter(pl.col("原因代码").str.contains("uninsured"))["公民身份号码"])
    assert uninsured_ids == set(uninsured["公民身份号码"])
    for flag in ("missing_pension", "missing_medical", "interrupted", "no_insurance"):
        assert (uninsured[flag] == "true").sum() == s["uninsured"][flag]
    for kind, count in s["conflicts"].items():
        assert (conflicts["类别代码"] == kind).sum() == count, kind
    assert s["conflicts"]["invalid_id"] == s["invalid_ids"] + s["household_invalid_ids"]
    assert s["conflicts"]["not_in_household"] == s["not_in_household"]
    for kind, persons in s["duplicates"].items():
        assert duplicates.filter(pl.col("类别代码") == kind)["公民身份号码"].n_unique() == persons
    assert all(v > 0 for v in [*s["conflicts"].values(), *s["duplicates"].values(), s["non_local"]])
    assert all(v > 0 for v in s["needs_survey_reasons"].values())
    reasons = needs["原因代码"].str.split(";")
    assert (reasons.list.sort() == reasons).all()


def check_conflict_lines(city: Path) -> None:
    """Assert that each conflicts.csv row's _file and _line hold a row with that ID."""
    conflicts = pl.read_csv(city / "expected" / "conflicts.csv", infer_schema=False)
    for name, group in conflicts.group_by("_file"):
        frame = read(city, str(name[0]))
        ids = frame.get_column(frame.columns[0])
        for value, line in zip(group["公民身份号码"], group["_line"].cast(pl.Int64), strict=True):
            assert normalise(ids[line - 2]) == value, (name, line)


def test_conflict_lines_point_at_their_records(city: Path) -> None:
    """Each conflicts.csv row's _file and _line hold a row with that ID once normalised."""
    check_conflict_lines(city)


def test_blocks_of_villages_give_the_same_city(
    city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Generating in many blocks (as for 10 M persons) gives the same persons and truth."""
    monkeypatch.setattr("canbao.synth.city.BLOCK_PERSONS", 400)
    generate_city(3000, seed=2017, as_of=AS_OF, output=tmp_path / "blocks")
    exp, ref = tmp_path / "blocks" / "expected", city / "expected"
    summary = json.loads((exp / "summary_expected.json").read_text(encoding="utf-8"))
    assert summary == json.loads((ref / "summary_expected.json").read_text(encoding="utf-8"))
    assert (tmp_path / "blocks" / "household.csv").read_bytes() == (
        city / "household.csv"
    ).read_bytes()
    for name in ("needs_survey", "uninsured", "duplicates", "stories"):
        got = pl.read_csv(exp / f"{name}.csv", infer_schema=False)
        want = pl.read_csv(ref / f"{name}.csv", infer_schema=False)
        assert sorted(got.rows()) == sorted(want.rows()), name
    check_conflict_lines(tmp_path / "blocks")


def test_declared_coverage_matches_the_recipes() -> None:
    """Each story variant's declared pension/medical state follows from its planted records."""
    for story in STORIES.values():
        for v in story.variants:
            for kind, declared in (("P", v.pension), ("M", v.medical)):
                recs = [r for r in v.records if r.type == kind]
                usable = [r for r in recs if not (r.plant or "").startswith("invalid:")]
                statuses = {r.status for r in usable}
                if statuses & {"own", "paying", "receiving"}:
                    derived = ACTIVE
                elif "suspended" in statuses:
                    derived = SUSPENDED
                elif "terminated" in statuses:
                    derived = TERMINATED
                else:
                    derived = NONE
                assert derived == declared, (story.name, kind)


def test_large_city_is_generated_vectorised(tmp_path: Path) -> None:
    """A city of 200,000 persons is generated (no per-person Python: this stays quick)."""
    manifest = generate_city(200_000, seed=1, as_of=AS_OF, output=tmp_path / "big", messy=False)
    s = manifest.summary
    assert s["household_file_rows"] == 200_000
    assert s["target"] == s["confirmed"] + s["needs_survey"]


def test_demo_command_writes_a_city_and_rejects_a_bad_date(tmp_path: Path) -> None:
    """`canbao demo` writes the rosters and expected/, and exits 2 on a malformed --as-of."""
    runner = CliRunner()
    out = tmp_path / "demo"
    ok = runner.invoke(app, ["demo", "--persons", "200", "--output", str(out), "--seed", "3"])
    assert ok.exit_code == 0, ok.output
    assert (out / "household.csv").is_file() and (
        out / "expected" / "summary_expected.json"
    ).is_file()
    bad = runner.invoke(
        app, ["demo", "--persons", "10", "--output", str(tmp_path / "x"), "--as-of", "2017-13-01"]
    )
    assert bad.exit_code == 2
    assert not (tmp_path / "x").exists()


def enrolment_records(city: Path) -> pl.DataFrame:
    """All enrolment rows of a city as (id, scheme code, region, status code), IDs normalised."""
    frames = []
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    labels = {**{v: k for k, v in SCHEMES.items()}, **SCHEME_ALIASES}
    for name, info in manifest["rosters"].items():
        if info["kind"] not in ("pension", "medical"):
            continue
        f = read(city, name)
        cols = f.columns
        scheme_col = next(c for c in cols if c in ("险种", "险种类型", "参保险种"))
        region_col = next(c for c in cols if c in ("参保地", "统筹区", "行政区划代码"))
        status_col = next(c for c in cols if c in ("参保状态", "人员状态", "状态"))
        frames.append(
            pl.DataFrame(
                {
                    "id": [normalise(v) for v in f[cols[0]]],
                    "scheme": [labels.get(v, v) for v in f[scheme_col]],
                    "region": f[region_col],
                    "status": [ENROLMENT_STATUS_ALIASES[v] for v in f[status_col]],
                }
            )
        )
    return pl.concat(frames)


def test_rosters_agree_with_expected_uninsured_and_duplicates(city: Path) -> None:
    """A small independent oracle over the written rosters finds the expected flags and dups."""
    people = pl.concat(
        [
            read(city, "household.csv").select("公民身份号码", "人员状态", "出生日期"),
            read(city, "floating.csv").select(
                pl.col("身份证号码").alias("公民身份号码"),
                pl.col("状态").alias("人员状态"),
                "出生日期",
            ),
        ]
    )
    recs = enrolment_records(city).with_columns(type=pl.col("scheme").str.slice(0, 1))
    active = pl.col("status").is_in(["paying", "receiving"])
    per = recs.group_by("id", "type").agg(
        active.any().alias("cov"), (pl.col("status") == "suspended").any().alias("susp")
    )
    target = people.filter(pl.col("人员状态") == "正常").rename({"公民身份号码": "id"})
    # Coverage of a person whose household ID is invalid cannot be assessed.
    valid_target = [len(v) == 18 and ric.calc_check_digit(v) == v[-1] for v in target["id"]]
    target = target.filter(pl.Series(valid_target))
    # The roster's own birth date: it also gives the age of a person whose ID is invalid.
    adult = pl.col("出生日期").str.to_date() <= pl.lit(
        date(AS_OF.year - 16, AS_OF.month, AS_OF.day)
    )
    flags = target.with_columns(adult=adult)
    for t, name in (("1", "p"), ("2", "m")):
        part = per.filter(pl.col("type") == t).select(
            "id", pl.col("cov").alias(f"cov_{name}"), pl.col("susp").alias(f"susp_{name}")
        )
        flags = flags.join(part, on="id", how="left").fill_null(False)
    flags = flags.with_columns(
        missing_pension=pl.col("adult") & ~pl.col("cov_p"), missing_medical=~pl.col("cov_m")
    ).with_columns(
        interrupted=(pl.col("missing_pension") & pl.col("susp_p"))
        | (pl.col("missing_medical") & pl.col("susp_m")),
        no_insurance=~pl.col("cov_p") & ~pl.col("cov_m"),
    )
    found = flags.filter(pl.col("missing_pension") | pl.col("missing_medical")).select(
        pl.col("id").alias("公民身份号码"),
        *[pl.col(f).cast(pl.String) for f in ("missing_pension", "missing_medical")],
        *[pl.col(f).cast(pl.String) for f in ("interrupted", "no_insurance")],
    )
    expected = pl.read_csv(city / "expected" / "uninsured.csv", infer_schema=False)
    assert sorted(found.rows()) == sorted(expected.rows())

    act = recs.filter(active)
    kinds = []
    for suffix, frame in (("", act), ("_benefit", act.filter(pl.col("status") == "receiving"))):
        schemes = frame.group_by("id", "type").agg(pl.col("scheme").n_unique().alias("n"))
        kinds.append(
            schemes.filter(pl.col("n") > 1).with_columns(k=pl.lit(f"cross_scheme{suffix}"))
        )
        regions = frame.group_by("id", "type", "scheme").agg(pl.col("region").n_unique().alias("n"))
        regions = regions.filter(pl.col("n") > 1).select("id", "type", "n").unique(["id", "type"])
        kinds.append(regions.with_columns(k=pl.lit(f"cross_region{suffix}")))
    dups = pl.concat(kinds).select(
        "id", pl.col("type").replace_strict({"1": "养老", "2": "医疗"}), "k"
    )
    expected_dups = pl.read_csv(city / "expected" / "duplicates.csv", infer_schema=False)
    assert sorted(dups.rows()) == sorted(expected_dups.rows())

    known = set(people["公民身份号码"])
    valid = [len(v) == 18 and ric.calc_check_digit(v) == v[-1] for v in recs["id"]]
    # Non-local by the ID's own region code (docs/match.md, "The area"), not the record's region.
    outside = recs.filter(
        pl.Series(valid) & ~pl.col("id").is_in(known) & ~pl.col("id").str.starts_with("3406")
    )
    summary = json.loads((city / "expected" / "summary_expected.json").read_text(encoding="utf-8"))
    assert outside.height == summary["non_local"]
