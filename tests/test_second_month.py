"""The synthetic city's second month: reproducible, June's lines kept, each change planted."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from canbao.cli import app

REPO = Path(__file__).resolve().parent.parent
JUNE, AUGUST = REPO / "examples" / "city", REPO / "examples" / "city-2017-08"
MARKER = ".canbao.json"
runner = CliRunner()


def lines(path: Path) -> list[bytes]:
    """The lines of a file as bytes."""
    return path.read_bytes().splitlines()


def test_the_committed_second_month_is_what_the_generator_writes(tmp_path: Path) -> None:
    """canbao demo --month-after on examples/city writes examples/city-2017-08 byte for byte."""
    out = tmp_path / "august"
    args = ["demo", "--month-after", str(JUNE), "--seed", "2017", "-o", str(out), "--json"]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    payload = json.loads(done.stdout)
    assert payload["as_of"] == "2017-08-31" and payload["changes"] > 0
    made = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(AUGUST).as_posix() for p in AUGUST.rglob("*") if p.is_file())
    assert [m for m in made if m != MARKER] == committed
    for name in committed:
        assert (out / name).read_bytes() == (AUGUST / name).read_bytes(), name


def test_only_the_planted_lines_differ_from_june() -> None:
    """Household lines change for the deaths and moves alone; medical lines are June's less
    the cleaned duplicates (and corrected names) plus the new records; nothing is lost."""
    manifest = json.loads((AUGUST / "manifest.json").read_text(encoding="utf-8"))
    planted = manifest["planted"]
    for kind in ("died", "moved_out", "newly_insured", "name_corrected", "duplicate_cleaned"):
        assert planted[kind] >= 1, kind
    june, august = lines(JUNE / "household.csv"), lines(AUGUST / "household.csv")
    assert len(june) == len(august)
    changed = [(a, b) for a, b in zip(june, august, strict=True) if a != b]
    assert len(changed) == planted["died"] + planted["moved_out"]
    assert all("正常".encode() in a and b"," in b for a, b in changed)
    medical = JUNE / "medical_resident.csv", AUGUST / "medical_resident.csv"
    before, after = (set(lines(p)) for p in medical)
    assert 0 < len(after - before) <= planted["newly_insured"] + planted["name_corrected"]
    assert (JUNE / "floating.csv").read_bytes() == (AUGUST / "floating.csv").read_bytes()


def test_the_truth_names_a_reason_for_every_planted_person() -> None:
    """Every planted person has an expected change but the unconfirmed visits (and those turning
    16 who were uninsured already: their flags change, not their lists)."""
    planted = pl.read_csv(AUGUST / "expected" / "planted.csv", infer_schema=False)
    changes = pl.read_csv(AUGUST / "expected" / "changes.csv", infer_schema=False)
    moving = planted.filter(~pl.col("change").is_in(["survey_not_confirmed", "turned_16"]))
    assert moving.join(changes, on="公民身份号码", how="anti").height == 0
    idle = planted.filter(pl.col("change") == "survey_not_confirmed")
    assert idle.height > 0 and idle.join(changes, on="公民身份号码", how="semi").height == 0
