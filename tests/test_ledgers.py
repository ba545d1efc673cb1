"""Village ledgers (台账): `forms survey --ledger` against the ledgers the generator planted."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from canbao.cli import app
from canbao.forms import write_survey_forms
from canbao.forms.intake_read import read_entry_files
from canbao.forms.ledgers import (
    CONFIRMED_FILE,
    CONFIRMED_N,
    NAME_DIFFERS_FILE,
    NEEDS_N,
    SPARED_FILE,
    TASK_TABLE_FILE,
    TO_VISIT_N,
    LedgerFiles,
    apply_ledgers,
)
from canbao.forms.survey import ENTRY_FILE, INDEX_FILE, SurveyFormsResult
from canbao.forms.survey_roster import read_needs_survey
from canbao.synth import generate_city
from tests.test_match_examples import match_args

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2017, 6, 30)
SURVEY_EXAMPLE = ROOT / "examples" / "survey"


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A generated city (not the example's seed), its match and the forms with its ledgers."""
    base = tmp_path_factory.mktemp("ledgers")
    generate_city(1000, seed=31, as_of=AS_OF, output=base / "city")
    result = CliRunner().invoke(app, match_args(base / "match", base / "city"))
    assert result.exit_code == 0, result.output
    ledgers = LedgerFiles(
        (base / "city" / "ledger_village.csv", base / "city" / "ledger_census.csv"),
        source="人口普查",
    )
    # By county: the spared table is per village whatever the grouping, and fewer workbooks.
    forms = write_survey_forms(base / "match", base / "forms", by="county", ledgers=ledgers)
    return {"base": base, "city": base / "city", "match": base / "match", "forms": forms}


def test_ledger_confirmations_equal_the_planted_truth(city: dict[str, Any]) -> None:
    """Every person confirmed by ledger, with their ledger, is one the generator planted."""
    forms: SurveyFormsResult = city["forms"]
    expected = _read(city["city"] / "expected" / "ledger_confirmed.csv")
    got = _read(forms.output / CONFIRMED_FILE).select("公民身份号码", "台账")
    assert expected.height > 10
    assert_frame_equal(got.sort("公民身份号码"), expected.sort("公民身份号码"))


def test_messy_ledger_ids_are_planted_and_confirmed(city: dict[str, Any]) -> None:
    """IDs written with a space or a lowercase x are in the ledgers and still confirm."""
    village = _read(city["city"] / "ledger_village.csv")["身份证号码"]
    census = _read(city["city"] / "ledger_census.csv")["公民身份号码"]
    written = pl.concat([village, census])
    messy = written.filter(written.str.contains(" ") | written.str.ends_with("x"))
    assert messy.len() > 0
    confirmed = set(_read(city["forms"].output / CONFIRMED_FILE)["公民身份号码"])
    cleaned = {m.replace(" ", "").upper() for m in messy}
    # Messy IDs were planted only for persons the ledgers must confirm.
    assert cleaned <= confirmed


def test_same_id_other_name_is_reported_not_confirmed(city: dict[str, Any]) -> None:
    """An ID found under another name confirms nobody and is listed with the ledger's name."""
    forms: SurveyFormsResult = city["forms"]
    expected = set(_read(city["city"] / "expected" / "ledger_name_differs.csv")["公民身份号码"])
    differs = _read(forms.output / NAME_DIFFERS_FILE)
    assert expected and set(differs["公民身份号码"]) == expected
    assert (differs["姓名"] != differs["台账姓名"]).all()
    to_visit = read_needs_survey(city["match"]).join(
        _read(forms.output / CONFIRMED_FILE).select("公民身份号码"), on="公民身份号码", how="anti"
    )
    assert expected <= set(to_visit["公民身份号码"])


def test_spared_counts_add_up_per_village_and_county(city: dict[str, Any]) -> None:
    """Needs survey = confirmed by ledger + still to visit, per village, per county and overall."""
    forms: SurveyFormsResult = city["forms"]
    needs = read_needs_survey(city["match"])
    confirmed = _read(forms.output / CONFIRMED_FILE)
    spared = _read(forms.output / SPARED_FILE).with_columns(
        pl.col(NEEDS_N, CONFIRMED_N, TO_VISIT_N).cast(pl.Int64)
    )
    assert (spared[NEEDS_N] == spared[CONFIRMED_N] + spared[TO_VISIT_N]).all()
    assert spared[NEEDS_N].sum() == needs.height
    assert spared[CONFIRMED_N].sum() == confirmed.height
    assert forms.persons == needs.height - confirmed.height
    task = _read(forms.output / TASK_TABLE_FILE).with_columns(
        pl.col(NEEDS_N, CONFIRMED_N, TO_VISIT_N).cast(pl.Int64)
    )
    by_county = needs.group_by("县区").len().sort("县区")
    assert task["县区代码"].to_list() == by_county["县区"].to_list()
    assert task[NEEDS_N].to_list() == by_county["len"].to_list()
    assert (task[NEEDS_N] == task[CONFIRMED_N] + task[TO_VISIT_N]).all()
    # The match's own needs-survey set (the rates' denominators) is untouched.
    summary = json.loads((city["match"] / "summary.json").read_text(encoding="utf-8"))
    assert summary["needs_survey"] == needs.height


def test_confirmed_persons_get_no_forms(city: dict[str, Any]) -> None:
    """No confirmed person is on any village's entry sheet; the index counts only visits."""
    forms: SurveyFormsResult = city["forms"]
    confirmed = set(_read(forms.output / CONFIRMED_FILE)["公民身份号码"])
    on_sheets = read_entry_files(forms.entry_sheets())["公民身份号码"]
    assert on_sheets.len() == forms.persons
    assert not confirmed & set(on_sheets)
    index = _read(forms.output / INDEX_FILE)
    assert index["人数"].cast(pl.Int64).sum() == forms.persons
    assert all((forms.output / g.directory / ENTRY_FILE).is_file() for g in forms.groups)


NEEDS = read_needs_survey(SURVEY_EXAMPLE)


@settings(max_examples=25, deadline=None)
@given(
    picks=st.lists(st.sampled_from(range(NEEDS.height)), max_size=NEEDS.height),
    renamed=st.sets(st.sampled_from(range(NEEDS.height))),
)
def test_confirmation_needs_the_same_id_and_name(picks: list[int], renamed: set[int]) -> None:
    """Whatever the ledger lists, exactly the valid IDs listed under their own name confirm."""
    rows = NEEDS[sorted(picks)] if picks else NEEDS.clear()
    order = pl.Series("_i", sorted(picks), dtype=pl.Int64)
    other = pl.concat_str([pl.lit("某"), pl.col("姓名")])
    ledger = rows.with_columns(order).select(
        pl.col("公民身份号码").alias("_id"),
        pl.when(pl.col("_i").is_in(sorted(renamed))).then(other).otherwise("姓名").alias("_name"),
        pl.col("姓名").alias("台账姓名"),
        pl.lit("低保").alias("台账"),
        pl.lit("l.csv").alias("台账文件"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("台账行号"),
    )
    outcome = apply_ledgers(NEEDS, ledger)
    valid = [
        i
        for i in set(picks)
        if "invalid_id" not in (NEEDS["原因代码"][i] or "") and i not in renamed
    ]
    assert set(outcome.confirmed["公民身份号码"]) == {NEEDS["公民身份号码"][i] for i in valid}
    assert outcome.confirmed.height + outcome.to_visit.height == NEEDS.height
    assert outcome.spared[CONFIRMED_N].sum() == outcome.confirmed.height


def test_cli_prints_spared_villages_masked(city: dict[str, Any], tmp_path: Path) -> None:
    """`forms survey --ledger` prints the confirmations per village and no full ID or name."""
    c = city["city"]
    result = CliRunner().invoke(
        app,
        [
            "forms",
            "survey",
            "--from",
            str(city["match"]),
            "--ledger",
            str(c / "ledger_village.csv"),
            "--ledger",
            str(c / "ledger_census.csv"),
            "--ledger-source",
            "人口普查",
            "--by",
            "county",
            "--output",
            str(tmp_path / "f"),
        ],
    )
    assert result.exit_code == 0, result.output
    confirmed = _read(tmp_path / "f" / CONFIRMED_FILE)
    assert f"台账直接确认 {confirmed.height} 人" in result.output
    assert "少入户" in result.output
    for pid, name in confirmed.select("公民身份号码", "姓名").iter_rows():
        assert pid not in result.output and name not in result.output


def test_cli_json_reports_the_ledger_counts(city: dict[str, Any], tmp_path: Path) -> None:
    """--json carries the ledger counts and the villages, equal to the files written."""
    c = city["city"]
    args = ["forms", "survey", "--from", str(city["match"]), "--output", str(tmp_path / "f")]
    args += [
        "--by",
        "county",
        "--ledger",
        str(c / "ledger_village.csv"),
        "--ledger",
        str(c / "ledger_census.csv"),
    ]
    result = CliRunner().invoke(app, [*args, "--ledger-source", "人口普查", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    ledger = payload["ledger"]
    assert ledger["confirmed_by_ledger"] == _read(tmp_path / "f" / CONFIRMED_FILE).height
    assert ledger["needs_survey"] == ledger["confirmed_by_ledger"] + ledger["to_visit"]
    assert ledger["conservation_ok"] is True
    assert payload["persons"] == ledger["to_visit"]


def test_a_ledger_without_source_needs_the_option(city: dict[str, Any], tmp_path: Path) -> None:
    """A ledger with no 台账 column and no --ledger-source stops with exit 3 and the fix."""
    census = city["city"] / "ledger_census.csv"
    args = ["forms", "survey", "--from", str(city["match"]), "--output", str(tmp_path / "f")]
    result = CliRunner().invoke(app, [*args, "--ledger", str(census)])
    assert result.exit_code == 3
    assert "未注明台账来源" in result.output and "--ledger-source" in result.output
    result = CliRunner().invoke(app, [*args, "--ledger-source", "低保"])
    assert result.exit_code == 2


def test_any_roster_format_and_a_column_map(city: dict[str, Any], tmp_path: Path) -> None:
    """An xlsx ledger with its own headers, mapped by --columns, confirms the same persons."""
    village = _read(city["city"] / "ledger_village.csv")
    odd = village.rename({"身份证号码": "证件号(新)", "姓名": "户主姓名", "台账": "台账种类"})
    book = tmp_path / "台账.xlsx"
    odd.write_excel(book)
    colmap = tmp_path / "map.yaml"
    colmap.write_text("id: 证件号(新)\nname: 户主姓名\nledger_source: 台账种类\n", encoding="utf-8")
    needs = read_needs_survey(city["match"])
    from_xlsx = apply_ledgers(needs, LedgerFiles((book,), columns=colmap).read()[0])
    from_csv = apply_ledgers(needs, LedgerFiles((city["city"] / "ledger_village.csv",)).read()[0])
    assert from_xlsx.confirmed.height > 0
    # The same persons and ledgers; the file and line columns say where each was found.
    where = ["台账文件", "台账行号"]
    assert_frame_equal(from_xlsx.confirmed.drop(where), from_csv.confirmed.drop(where))


def test_example_city_ledgers_confirm_its_truth() -> None:
    """The bundled example's ledgers, against its golden match, confirm exactly its truth."""
    city = ROOT / "examples" / "city"
    rows, unreadable = LedgerFiles(
        (city / "ledger_village.csv", city / "ledger_census.csv"), source="人口普查"
    ).read()
    outcome = apply_ledgers(read_needs_survey(city / "golden"), rows, unreadable=unreadable)
    expected = _read(city / "expected" / "ledger_confirmed.csv")
    got = outcome.confirmed.select("公民身份号码", "台账").sort("公民身份号码")
    assert_frame_equal(got, expected.sort("公民身份号码"))
    differs = set(_read(city / "expected" / "ledger_name_differs.csv")["公民身份号码"])
    assert set(outcome.name_differs["公民身份号码"]) == differs
    assert outcome.summary()["conservation_ok"] and unreadable == 0
