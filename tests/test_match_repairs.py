"""Suggested links, --apply-links and name verdicts inside ``canbao match``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from canbao.cli import app
from canbao.errors import UsageError
from canbao.match import run_match
from canbao.match._repairs_in_match import _replace_rows
from canbao.match.repairs import LINK_COLUMNS
from canbao.match.summary_model import MatchSummary
from tests.match_helpers import person, pid, read_csv, write_rosters
from tests.spec_oracle import check_char

AS_OF = date(2017, 6, 30)
runner = CliRunner()


def typo(id18: str, position: int, digit: str, *, valid: bool) -> str:
    """Replace one digit (0-based position < 17); recompute the check character when ``valid``."""
    first = id18[:position] + digit + id18[position + 1 : 17]
    return first + (check_char(first) if valid else id18[17])


@pytest.fixture
def roster(tmp_path: Path) -> dict[str, object]:
    """One person whose pension record carries a one-digit typo, plus a namesake decoy."""
    right = pid("19800101", 101)
    decoy = pid("19800101", 555)
    # One substitution always breaks the check character (ISO 7064): the record is invalid.
    mistyped = typo(right, 15, "3", valid=False)
    household = [person(right, "张三"), person(decoy, "张三")]
    records = [
        [mistyped, "张三", "11", "340621", "参保缴费"],
        [right, "张三", "21", "340621", "参保缴费"],
        [decoy, "张三", "11", "340621", "参保缴费"],
        [decoy, "张三", "21", "340621", "参保缴费"],
    ]
    args = write_rosters(tmp_path, household, records)
    return {"args": args, "right": right, "mistyped": mistyped}


def _ok(summary: MatchSummary) -> bool:
    return not summary.failed()


def test_mistyped_record_gets_the_right_person_and_nothing_is_applied(
    tmp_path: Path, roster: dict[str, object]
) -> None:
    """Without --apply-links the typo is proposed (score 100); the person still needs a survey."""
    result = run_match(roster["args"], as_of=AS_OF, output=tmp_path / "out")  # type: ignore[arg-type]
    links = read_csv(tmp_path / "out" / "suggested_links.csv")
    assert links.columns == list(LINK_COLUMNS)
    top = links.filter(pl.col("rank") == "1").row(0, named=True)
    assert (top["记录公民身份号码"], top["公民身份号码"], top["得分"]) == (
        roster["mistyped"],
        roster["right"],
        "100",
    )
    assert (top["来源文件"], top["行号"]) == ("records.csv", "2")
    assert result.summary.suggested_links == 1
    assert result.summary.applied_links == 0
    assert result.summary.invalid_ids == 1
    survey = read_csv(tmp_path / "out" / "needs_survey.csv")
    assert roster["right"] in survey["公民身份号码"].to_list()
    assert not (tmp_path / "out" / "applied_links.csv").exists()
    assert _ok(result.summary)


def test_apply_links_on_the_command_line_confirms_the_person(
    tmp_path: Path, roster: dict[str, object]
) -> None:
    """canbao match --apply-links 90 links the record, confirms the person, keeps conservation."""
    args = roster["args"]
    out = tmp_path / "out"
    cli = ["match", "--household", str(args["household"][0]), "--pension"]  # type: ignore[index]
    cli += [str(args["pension"][0]), "--as-of", "2017-06-30", "--output", str(out)]  # type: ignore[index]
    result = runner.invoke(app, [*cli, "--apply-links", "90", "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["applied_links"] == 1
    assert summary["invalid_ids"] == 0
    assert summary["enrolment_rows"] == 4
    assert all(eq["ok"] for eq in summary["conservation"])
    names = {eq["equation"] for eq in summary["conservation"]}
    assert "applied_links = (invalid_ids + not_in_household) before - after" in names
    confirmed = read_csv(out / "confirmed.csv")
    assert roster["right"] in confirmed["公民身份号码"].to_list()
    applied = read_csv(out / "applied_links.csv").row(0, named=True)
    assert applied["记录公民身份号码"] == roster["mistyped"]
    assert applied["公民身份号码"] == roster["right"]
    assert roster["mistyped"] not in result.stdout + result.stderr


def test_a_repaired_record_keeps_the_id_as_written_in_conflicts(tmp_path: Path) -> None:
    """A linked record's later conflict shows the linked ID and, apart, the ID as written."""
    right = pid("19800101", 101)
    mistyped = typo(right, 15, "3", valid=False)
    # Sex 女 disagrees with the (male) linked ID: a conflict found only after the repair.
    args = write_rosters(
        tmp_path, [person(right, "张三")], [[mistyped, "张三", "11", "340621", "参保缴费"]]
    )
    frame = pl.read_csv(tmp_path / "records.csv", infer_schema=False)
    frame.with_columns(pl.lit("女").alias("性别")).write_csv(tmp_path / "records.csv")
    # The one record's ID is mistyped on purpose: not a damaged column.
    result = run_match(
        args, as_of=AS_OF, output=tmp_path / "out", apply_links=90, accept_damaged_ids=True
    )
    assert result.summary.applied_links == 1
    conflicts = read_csv(tmp_path / "out" / "conflicts.csv")
    row = conflicts.filter(pl.col("类别代码") == "sex_mismatch").row(0, named=True)
    assert row["公民身份号码"] == right
    assert row["原记录公民身份号码"] == mistyped
    assert _ok(result.summary)


def test_no_candidates_still_writes_the_headers(tmp_path: Path) -> None:
    """suggested_links is written with its headers even when no record needs one."""
    p = pid("19800101")
    args = write_rosters(tmp_path, [person(p)], [[p, "张三", "21", "340621", "参保缴费"]])
    result = run_match(args, as_of=AS_OF, output=tmp_path / "out", apply_links=90)
    links = read_csv(tmp_path / "out" / "suggested_links.csv")
    assert links.columns == list(LINK_COLUMNS) and links.height == 0
    assert result.summary.applied_links == 0 and _ok(result.summary)


@pytest.mark.parametrize("score", ["101", "-1", "abc"])
def test_apply_links_outside_0_100_is_a_usage_error(tmp_path: Path, score: str) -> None:
    """--apply-links must be a score from 0 to 100 (exit 2)."""
    p = pid("19800101")
    args = write_rosters(tmp_path, [person(p)], [])
    cli = ["match", "--household", str(args["household"][0]), "--output", str(tmp_path / "o")]
    result = runner.invoke(app, [*cli, "--apply-links", score])
    assert result.exit_code == 2
    assert "--apply-links" in result.stderr


def test_units_without_insured_units_is_a_usage_error(tmp_path: Path) -> None:
    """Employers need both rosters: one alone is refused before anything is read."""
    p = pid("19800101")
    args = write_rosters(tmp_path, [person(p)], [])
    with pytest.raises(UsageError):
        run_match({**args, "units": [tmp_path / "x.csv"]}, output=tmp_path / "o")


def test_name_mismatch_rows_carry_similarity_and_verdict(tmp_path: Path) -> None:
    """A dropped middle dot is a variant, another name is different; other rows leave both empty."""
    a, b = pid("19800101", 101), pid("19900101", 103)
    household = [person(a, "阿依古丽·买买提"), person(b, "张三")]
    records = [
        [a, "阿依古丽买买提", "11", "340621", "参保缴费"],
        [b, "李四", "21", "340621", "参保缴费"],
        [a[:17] + ("0" if a[17] != "0" else "1"), "王五", "21", "340621", "参保缴费"],
    ]
    args = write_rosters(tmp_path, household, records)
    run_match(args, as_of=AS_OF, output=tmp_path / "out")
    conflicts = read_csv(tmp_path / "out" / "conflicts.csv")
    assert conflicts.columns[-3:] == ["相似度", "判定", "原记录公民身份号码"]
    names = conflicts.filter(pl.col("类别代码") == "name_mismatch").sort("行号")
    assert names["判定"].to_list() == ["variant", "different"]
    assert float(names["相似度"][0]) > float(names["相似度"][1])
    others = conflicts.filter(pl.col("类别代码") != "name_mismatch")
    assert others.height > 0
    assert others["判定"].null_count() == others.height


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.text("ab", max_size=2)), min_size=1, max_size=40),
    replaced=st.sets(st.integers(min_value=0, max_value=39)),
)
def test_replaced_rows_keep_their_places_and_take_every_new_value(
    values: list[str | None], replaced: set[int]
) -> None:
    """Each replaced row takes the new row's values (nulls too) in its place; the rest stay
    (a column no replaced row changes is read through)."""
    rows = pl.DataFrame(
        {"e_row": range(len(values)), "id": values, "score": [len(v or "") for v in values]},
        schema={"e_row": pl.UInt32, "id": pl.String, "score": pl.Int64},
    )
    chosen = sorted(r for r in replaced if r < len(values))
    new = pl.DataFrame(
        {"e_row": chosen, "id": [None if r % 2 else f"n{r}" for r in chosen], "score": chosen},
        schema=rows.schema,
    )
    old = rows.filter(pl.col("e_row").is_in(chosen))
    got = _replace_rows(rows.lazy(), old, new.reverse()).collect()  # in any order
    expected = pl.concat([rows.filter(~pl.col("e_row").is_in(chosen)), new]).sort("e_row")
    assert_frame_equal(got, expected)
