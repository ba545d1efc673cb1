"""One generated city with every part planted: persons, units, village ledgers and legal groups."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.forms import write_survey_forms
from canbao.forms.ledgers import CONFIRMED_FILE, LedgerFiles
from canbao.synth import generate_city
from tests.test_unit_survey import unit_match_args

AS_OF = date(2017, 6, 30)


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def _rows(frame: pl.DataFrame, *columns: str) -> list[tuple[str | None, ...]]:
    return sorted(frame.select(columns).iter_rows(), key=str)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A messy city of 1,200 persons with all rosters, matched once, its forms written once."""
    base = tmp_path_factory.mktemp("planted")
    generate_city(1200, seed=2026, as_of=AS_OF, output=base / "city", legal_groups=True)
    result = CliRunner().invoke(app, unit_match_args(base / "match", base / "city"))
    assert result.exit_code == 0, result.output
    ledgers = LedgerFiles(
        (base / "city" / "ledger_village.csv", base / "city" / "ledger_census.csv"),
        source="人口普查",
    )
    forms = write_survey_forms(base / "match", base / "forms", by="county", ledgers=ledgers)
    return {"city": base / "city", "match": base / "match", "forms": forms.output}


def test_every_set_of_persons_equals_the_planted_truth(city: dict[str, Any]) -> None:
    """needs_survey and legal_group_gaps hold exactly the planted persons, reasons and kinds."""
    for name, key in (
        ("needs_survey.csv", ("公民身份号码", "原因代码")),
        ("legal_group_gaps.csv", ("公民身份号码", "类别代码", "单位编号")),
    ):
        truth = _read(city["city"] / "expected" / name)
        assert truth.height > 0, name
        assert _rows(_read(city["match"] / name), *key) == _rows(truth, *key), name


def test_uninsured_flags_equal_the_planted_truth(city: dict[str, Any]) -> None:
    """Every uninsured person carries exactly the planted flags (legal gaps add none)."""
    flags = ["missing_pension", "missing_medical", "interrupted", "no_insurance"]
    truth = _read(city["city"] / "expected" / "uninsured.csv").select(
        "公民身份号码",
        pl.concat_str([pl.when(pl.col(f) == "true").then(pl.lit(f)) for f in flags], separator=";",
                      ignore_nulls=True).alias("类别代码"),
    )  # fmt: skip
    got = _read(city["match"] / "uninsured.csv")
    assert truth.height > 0
    assert _rows(got, "公民身份号码", "类别代码") == _rows(truth, "公民身份号码", "类别代码")


def test_units_needing_survey_equal_the_planted_truth(city: dict[str, Any]) -> None:
    """Every planted unit, and no other, needs a survey, for its planted reason."""
    found = _read(city["match"] / "units_needing_survey.csv")
    truth = _read(city["city"] / "expected" / "units_needing_survey.csv")
    assert truth.height > 0
    assert _rows(found, "单位编号", "原因代码") == _rows(truth, "单位编号", "原因代码")


def test_ledger_confirmations_equal_the_planted_truth(city: dict[str, Any]) -> None:
    """The persons the village ledgers confirm are the planted ones, with their ledger."""
    truth = _read(city["city"] / "expected" / "ledger_confirmed.csv")
    got = _read(city["forms"] / CONFIRMED_FILE)
    assert truth.height > 0
    assert _rows(got, "公民身份号码", "台账") == _rows(truth, "公民身份号码", "台账")


def test_summary_counts_equal_the_planted_truth(city: dict[str, Any]) -> None:
    """The summary's unit and legal-group counts are the generator's expected ones."""
    summary = json.loads((city["match"] / "summary.json").read_text(encoding="utf-8"))
    units = json.loads((city["city"] / "expected" / "units_summary_expected.json").read_text())
    assert summary["units"] == units
    gaps = _read(city["city"] / "expected" / "legal_group_gaps.csv")
    for kind in ("injury", "unemployment", "maternity"):
        planted = gaps.filter(pl.col("类别代码") == f"missing_{kind}").height
        assert summary["legal_groups"][f"missing_{kind}"] == planted, kind
