"""``canbao match`` on examples/legal, the city generated with the three rosters of the legal
groups: reproducible from its manifest, its gaps the planted ones, its files the golden ones."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from canbao.cli import app
from canbao.match import legal_groups
from canbao.match.vocabulary import LegalGap
from canbao.synth import generate_city
from tests.test_match_examples import match_args

LEGAL = Path(__file__).resolve().parents[1] / "examples" / "legal"
GOLDEN_FILES = ["legal_group_gaps.csv", "legal_group_units.csv", "task_table.csv"]
KEY = ["公民身份号码", "类别代码", "单位编号"]


def _manifest() -> dict:
    return json.loads((LEGAL / "manifest.json").read_text(encoding="utf-8"))


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The match of examples/legal with every roster of its manifest and the default rule."""
    output = tmp_path_factory.mktemp("legal-example") / "out"
    result = CliRunner().invoke(app, match_args(output, LEGAL))
    assert result.exit_code == 0, result.stderr
    return output


def test_the_example_is_a_legal_group_city_regenerated_byte_for_byte(tmp_path: Path) -> None:
    """examples/legal equals a fresh generate_city(legal_groups=True) with its manifest's seed."""
    manifest = _manifest()
    kinds = {info["kind"] for info in manifest["rosters"].values()}
    assert {"injury", "unemployment", "maternity"} <= kinds
    city = tmp_path / "city"
    generate_city(
        manifest["persons"],
        seed=manifest["seed"],
        as_of=date.fromisoformat(manifest["as_of"]),
        output=city,
        messy=manifest["messy"],
        legal_groups=True,
    )
    names = sorted(
        p.relative_to(LEGAL).as_posix()
        for p in LEGAL.rglob("*")
        if p.is_file() and p.relative_to(LEGAL).parts[0] != "golden"
    )
    made = sorted(p.relative_to(city).as_posix() for p in city.rglob("*") if p.is_file())
    assert names == [n for n in made if not n.startswith(".")]
    for name in names:
        if name.endswith(".xlsx"):
            assert_frame_equal(
                pl.read_excel(LEGAL / name, infer_schema_length=0),
                pl.read_excel(city / name, infer_schema_length=0),
            )
        else:
            assert (LEGAL / name).read_bytes() == (city / name).read_bytes(), name


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_legal_group_files_equal_their_golden_files(out: Path, name: str) -> None:
    """The gap list, the unit follow-up and the task table are byte for byte the golden files."""
    assert (out / name).read_bytes() == (LEGAL / "golden" / name).read_bytes()


def test_judged_in_parts_the_files_and_counts_are_those_of_one_pass(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Judged in parts of 97 persons, the example gives the one-pass files and legal counts."""
    calls: list[int] = []
    judge_part = legal_groups.judge_part

    def counted(*args: Any) -> legal_groups.Part:
        calls.append(1)
        return judge_part(*args)

    monkeypatch.setattr(legal_groups, "PART_PERSONS", 97)
    monkeypatch.setattr(legal_groups, "judge_part", counted)
    result = CliRunner().invoke(app, match_args(tmp_path / "out", LEGAL))
    assert result.exit_code == 0, result.stderr
    assert len(calls) >= 6  # 600 persons and the floating ones
    for name in GOLDEN_FILES:
        assert (tmp_path / "out" / name).read_bytes() == (out / name).read_bytes(), name
    outputs = (out, tmp_path / "out")
    summaries = [json.loads((o / "summary.json").read_text("utf-8")) for o in outputs]
    assert summaries[1]["legal_groups"] == summaries[0]["legal_groups"]
    assert summaries[1]["conservation"] == summaries[0]["conservation"]


def test_the_gaps_and_counts_are_the_planted_ones(out: Path) -> None:
    """Every person, missing kind and employer is planted, and the summary counts them."""
    got = _read(out / "legal_group_gaps.csv").select(KEY).sort(KEY)
    expected = _read(LEGAL / "expected" / "legal_group_gaps.csv").select(KEY).sort(KEY)
    assert got.height > 0
    assert_frame_equal(got, expected)
    planted = json.loads((LEGAL / "expected" / "summary_expected.json").read_text("utf-8"))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))["legal_groups"]
    assert summary["persons"] == planted["legal_groups"]["legal_group"]
    assert summary["not_judged"] == {}
    for gap in LegalGap:
        assert summary[gap.value] == planted["legal_groups"][gap.value] > 0


def test_the_task_table_counts_the_gaps_per_county(out: Path) -> None:
    """Each county's gap columns of the task table count the gap rows of its persons; 合计 sums."""
    gaps = _read(out / "legal_group_gaps.csv")
    task = _read(out / "task_table.csv")
    for gap in LegalGap:
        per_county = dict(
            gaps.filter(pl.col("类别代码") == gap.value).group_by("县区").len().iter_rows()
        )
        for code, value in task.select("县区代码", gap.column).iter_rows():
            if code is not None:
                assert int(value) == per_county.get(code, 0), (gap, code)
        total = task.filter(pl.col("县（区）") == "合计")[gap.column].item()
        assert int(total) == gaps.filter(pl.col("类别代码") == gap.value).height


def test_demo_writes_the_legal_group_rosters_on_request(tmp_path: Path) -> None:
    """``canbao demo --legal-groups`` adds the three rosters and says so in its README."""
    args = ["demo", "--persons", "200", "--seed", "3", "--clean", "--quiet"]
    assert CliRunner().invoke(app, [*args, "--output", str(tmp_path / "plain")]).exit_code == 0
    result = CliRunner().invoke(app, [*args, "--legal-groups", "--output", str(tmp_path / "legal")])
    assert result.exit_code == 0, result.stderr
    for kind in ("injury", "unemployment", "maternity"):
        assert (tmp_path / "legal" / f"{kind}.csv").is_file()
        assert not (tmp_path / "plain" / f"{kind}.csv").exists()
    readme = (tmp_path / "legal" / "README.md").read_text(encoding="utf-8")
    assert "--clean --legal-groups --output <dir>" in readme
    assert "--legal-groups" not in (tmp_path / "plain" / "README.md").read_text(encoding="utf-8")
    for name in ("household.csv", "pension_employee.csv", "expected/needs_survey.csv"):
        assert (tmp_path / "legal" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes()
