"""Survey forms and intake name any county by GB/T 2260 and key their data on its code."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from polars.testing import assert_frame_equal, assert_series_equal
from typer.testing import CliRunner

from canbao import regions
from canbao.cli import app
from canbao.errors import EXIT_INPUT
from canbao.forms import run_intake, write_survey_forms
from canbao.forms.form_codes import ENTRY_HEADER_ROW, ENTRY_HEADINGS
from canbao.forms.registration_form import FIRST_BLOCK_ROW
from canbao.forms.survey import ENTRY_FILE, FORMS_FILE, INDEX_FILE, ROSTER_FILE

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "survey" / "needs_survey.csv"
AS_OF = date(2017, 6, 30)


def _needs(tmp_path: Path, counties: list[str]) -> Path:
    """The example needs_survey with its rows spread over ``counties`` in turn; return its dir."""
    frame = pl.read_csv(EXAMPLE, infer_schema=False)
    spread = pl.Series([counties[i % len(counties)] for i in range(frame.height)])
    match = tmp_path / "match"
    match.mkdir()
    frame.with_columns(spread.alias("县区")).write_csv(match / "needs_survey.csv", include_bom=True)
    return match


def test_survey_forms_name_a_county_outside_anhui(tmp_path: Path) -> None:
    """320102 is 玄武区 on the roster, form and entry sheet and in the folder; 340611 (retired)
    is 郊区."""
    forms = write_survey_forms(_needs(tmp_path, ["320102", "340611"]), tmp_path / "f", by="county")
    assert [g.directory for g in forms.groups] == ["玄武区", "郊区"]
    index = pl.read_csv(tmp_path / "f" / INDEX_FILE, infer_schema=False).select("县区", "县区名称")
    assert_frame_equal(
        index, pl.DataFrame({"县区": ["320102", "340611"], "县区名称": ["玄武区", "郊区"]})
    )
    for folder, code, region in (
        ("玄武区", "320102", "江苏省  南京市"),
        ("郊区", "340611", "安徽省  淮北市"),
    ):
        name = folder
        roster = load_workbook(tmp_path / "f" / folder / ROSTER_FILE).active
        assert roster is not None
        assert str(roster["A2"].value).startswith(f"县区：{name}({code})")
        assert roster["B3"].value == "县区" and roster["B4"].value == name
        form = load_workbook(tmp_path / "f" / folder / FORMS_FILE)["全民参保登记表"]
        assert str(form[f"A{FIRST_BLOCK_ROW}"].value).startswith(f"{region}  区(县)：{name}  ")
        entry = load_workbook(tmp_path / "f" / folder / ENTRY_FILE)["信息录入表"]
        column = ENTRY_HEADINGS.index("县区") + 1
        assert entry.cell(ENTRY_HEADER_ROW + 1, column).value == f"{code} {name}"


def test_repeated_county_names_keep_their_folders_apart(tmp_path: Path) -> None:
    """Nanjing's and Xuzhou's 鼓楼区 get folders named with their codes."""
    forms = write_survey_forms(_needs(tmp_path, ["320302", "320106"]), tmp_path / "f", by="county")
    assert [g.directory for g in forms.groups] == ["鼓楼区(320106)", "鼓楼区(320302)"]


def _entry_sheet(tmp_path: Path, code: str) -> Path:
    """The entry sheet ``forms survey`` writes for one county, its second row's 县区 typed as a
    name by the clerk."""
    match = _needs(tmp_path, [code])
    write_survey_forms(match, tmp_path / "f", by="county")
    path = next((tmp_path / "f").glob(f"*/{ENTRY_FILE}"))
    book = load_workbook(path)
    sheet = book["信息录入表"]
    column = ENTRY_HEADINGS.index("县区") + 1
    sheet.cell(ENTRY_HEADER_ROW + 2, column).value = "玄武区"
    book.save(path)
    return path


def test_intake_counts_the_entry_sheet_by_county_code(tmp_path: Path) -> None:
    """``320102 玄武区`` and a typed 玄武区 are both counted under 320102."""
    sheet = _entry_sheet(tmp_path, "320102")
    result = run_intake([sheet], output=tmp_path / "i", as_of=AS_OF)
    assert result.facts["县区"].unique().to_list() == ["320102"]


def test_a_summary_naming_its_county_meets_intake_by_code(tmp_path: Path) -> None:
    """The county's 汇总表 says 玄武区, intake counts 320102: indicator 32's facts combine."""
    sheet = _entry_sheet(tmp_path, "320102")
    summary = tmp_path / "汇总表.csv"
    summary.write_text("县区,指标,实际值\n玄武区,全民参保登记信息汇总表人数,7\n", encoding="utf-8")
    result = run_intake(
        [sheet], output=tmp_path / "i", survey=tmp_path / "match", summary=summary, as_of=AS_OF
    )
    facts = {(c, k): v for c, k, v in result.facts.iter_rows()}
    assert facts[("320102", "全民参保登记信息汇总表人数")] == 7
    assert facts[("320102", "汇总表与登记表差异人数")] == 7  # nothing confirmed yet
    assert set(result.facts["县区"]) == {"320102"}


def test_intake_refuses_an_ambiguous_county_name(tmp_path: Path) -> None:
    """鼓楼区 typed on a sheet with no survey to narrow it: exit 3 naming file, row and codes."""
    path = tmp_path / "录入.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(ENTRY_HEADINGS)
        row = dict.fromkeys(ENTRY_HEADINGS, "")
        row.update({"县区": "鼓楼区", "公民身份号码": "320106198003150118", "姓名": "张三"})
        out.writerow(row.values())
    result = CliRunner().invoke(app, ["intake", str(path), "--output", str(tmp_path / "o")])
    assert result.exit_code == EXIT_INPUT
    assert "录入.csv 第 2 行" in result.output and "320106、320302" in result.output


_CURRENT = regions.names_frame().filter(~pl.col("retired") & ~pl.col("code").str.ends_with("00"))


@given(st.lists(st.integers(0, _CURRENT.height - 1), min_size=1, max_size=20))
def test_what_the_entry_sheet_prints_reads_back_as_the_code(picks: list[int]) -> None:
    """Any current county printed as ``code name`` (or named alone, inside its city when the name
    is unique there) maps back to its code."""
    codes = _CURRENT["code"].gather(picks)
    printed = codes.to_frame("c").select(regions.code_and_name_expr(pl.col("c")))["c"]
    assert_series_equal(regions.county_codes(printed), codes, check_names=False)
    for code in codes.to_list():
        name = regions.county_name(code)
        assert name is not None
        if regions.codes_named(name, [code[:4]]) == [code]:
            assert regions.county_code(name, within=[code[:4]]) == code
