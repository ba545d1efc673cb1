"""Survey forms and county templates, checked by reading the workbooks back."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from canbao.cli import app
from canbao.forms import read_datatable, write_survey_forms, write_template
from canbao.forms.form_codes import CODED_COLUMNS, ENTRY_HEADINGS
from canbao.forms.registration_form import BLOCK_ROWS, FIRST_BLOCK_ROW
from canbao.forms.survey import ENTRY_FILE, FORMS_FILE, ROSTER_FILE, SurveyFormsResult

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "survey"
RULES = ROOT / "rules" / "huaibei-2017.yaml"
VILLAGE = Path("濉溪县") / "濉溪镇" / "东关村"


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> SurveyFormsResult:
    """Write the survey forms of the hand-made needs_survey example once."""
    return write_survey_forms(EXAMPLE, tmp_path_factory.mktemp("f") / "forms", by="village")


def _people(village: str) -> list[dict[str, str]]:
    with (EXAMPLE / "needs_survey.csv").open(encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["村(社区)"] == village]
    return sorted(rows, key=lambda r: r["公民身份号码"])


def test_one_set_of_workbooks_per_village(forms: SurveyFormsResult) -> None:
    """Each of the three villages gets a roster, its forms and an entry sheet."""
    assert [g.directory for g in forms.groups] == [
        "濉溪县/濉溪镇/东关村",
        "濉溪县/濉溪镇/西关村",
        "濉溪县/韩村镇/韩村",
    ]
    assert [g.persons for g in forms.groups] == [5, 3, 4]
    for group in forms.groups:
        for name in (ROSTER_FILE, FORMS_FILE, ENTRY_FILE):
            assert (forms.output / group.directory / name).is_file()


def test_roster_values_headings_and_print_settings(forms: SurveyFormsResult) -> None:
    """The roster has 淮人社秘〔2017〕166号's fields, ID order and A4 landscape print titles."""
    ws = load_workbook(forms.output / VILLAGE / ROSTER_FILE)["入户调查对象名册"]
    assert ws["A1"].value == "入户调查对象名册"
    assert "A1:O1" in {str(r) for r in ws.merged_cells.ranges}
    headings = [c.value for c in ws[3]]
    for field in ("人员编号", "姓名", "性别", "公民身份号码", "出生日期", "个人身份", "户口性质"):
        assert field in headings
    assert "户口所在地" in headings and "常住所在地地址" in headings
    people = _people("东关村")
    ids = [ws.cell(row=4 + i, column=headings.index("公民身份号码") + 1).value for i in range(5)]
    assert ids == [p["公民身份号码"] for p in people]
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage


def test_registration_forms_one_page_each(forms: SurveyFormsResult) -> None:
    """Each person's form is one block ended by a page break, pre-filled and with ticked schemes."""
    ws = load_workbook(forms.output / VILLAGE / FORMS_FILE)["全民参保登记表"]
    people = _people("东关村")
    breaks = [b.id for b in ws.row_breaks.brk]
    tops = [FIRST_BLOCK_ROW + i * BLOCK_ROWS for i in range(len(people))]
    assert breaks == [t + BLOCK_ROWS - 1 for t in tops[:-1]]
    assert ws.print_title_rows == "$1:$2"
    assert ws.print_area == f"'全民参保登记表'!$A$1:$H${tops[-1] + BLOCK_ROWS - 1}"
    assert ws.page_setup.orientation == "portrait"
    merged = {str(r) for r in ws.merged_cells.ranges}
    for top, person in zip(tops, people, strict=True):
        assert ws[f"B{top + 1}"].value == person["公民身份号码"]
        assert ws[f"F{top + 1}"].value == person["姓名"]
        assert ws[f"H{top + 1}"].value == person["性别"]
        assert f"B{top + 1}:D{top + 1}" in merged
        assert f"A{top + 7}:A{top + 9}" in merged
        assert str(ws[f"B{top + 4}"].value).startswith(person["户口所在地"])
    retired = tops[[p["人员编号"] for p in people].index("P0005")]  # enrolled in 11 and 21
    assert "☑城镇职工基本养老保险" in ws[f"B{retired + 7}"].value
    assert "☑城镇职工基本医疗保险" in ws[f"B{retired + 8}"].value
    assert "☑退(离)休人员" in ws[f"B{retired + 3}"].value
    assert "☑" not in ws[f"B{retired + 10}"].value


def test_entry_sheet_validations_and_prefill(forms: SurveyFormsResult) -> None:
    """Every coded item has a stop-on-error drop-down over its 代码表 list; known fields filled."""
    wb = load_workbook(forms.output / VILLAGE / ENTRY_FILE)
    ws, codes = wb["信息录入表"], wb["代码表"]
    assert [c.value for c in ws[3]] == list(ENTRY_HEADINGS)
    by_column = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list" and dv.showErrorMessage
        for rng in dv.sqref.ranges:
            assert rng.min_col == rng.max_col and rng.min_row == 4
            by_column[get_column_letter(rng.min_col)] = dv.formula1
    for col, heading in enumerate(ENTRY_HEADINGS, start=1):
        letter = ws.cell(row=3, column=col).column_letter
        if heading not in CODED_COLUMNS:
            assert letter not in by_column
            continue
        formula = by_column[letter]
        source = formula.split("!")[1].replace("$", "")
        values = [c.value for row in codes[source] for c in row]
        assert values == CODED_COLUMNS[heading].choices(), heading
    assert "13 机关事业单位养老保险" in CODED_COLUMNS["养老保险"].choices()
    people = _people("东关村")
    assert ws["G4"].value == people[0]["公民身份号码"] and ws["G4"].number_format == "@"
    pension = ENTRY_HEADINGS.index("养老保险") + 1
    assert ws.cell(row=4, column=pension).value == "11 城镇职工基本养老保险"  # P0005 (11;21)
    assert ws.print_title_rows == "$3:$3"


def test_forms_survey_cli_prints_the_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`canbao forms survey` reports persons, groups and the output directory."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app, ["forms", "survey", "--from", str(EXAMPLE), "--output", "out", "--by", "township"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "12 人，按 township 分为 2 组：调查名册、登记表和信息录入表已写入 out\n"
    )
    assert sorted(p.name for p in (tmp_path / "out" / "濉溪县").iterdir()) == ["濉溪镇", "韩村镇"]


def test_forms_survey_cli_without_match_dir(tmp_path: Path) -> None:
    """A directory without needs_survey in any format is an input error (exit 3) naming the fix."""
    result = CliRunner().invoke(
        app, ["forms", "survey", "--from", str(tmp_path), "--output", str(tmp_path / "o")]
    )
    assert result.exit_code == 3
    assert result.stderr == (
        f"错误：{tmp_path}/needs_survey.csv："
        "比对结果目录中没有 needs_survey.csv、.parquet 或 .xlsx\n"
        "修正方法：--from 给出一次已完成的 `canbao match` 运行的 --output 目录\n"
    )


def test_forms_survey_cli_unknown_grouping(tmp_path: Path) -> None:
    """An unknown --by is a usage error (exit 2)."""
    result = CliRunner().invoke(
        app, ["forms", "survey", "--from", str(EXAMPLE), "--output", str(tmp_path), "--by", "x"]
    )
    assert result.exit_code == 2
    assert "--by x：未知的分组方式" in result.stderr


def _evaluation_answers() -> dict[str, str]:
    """Top answers for every indicator of huaibei-2017, as a county would type them."""
    answers = {str(n): "是" for n in range(1, 39)}
    answers.update({"7": "50", "19": "10", "20": "2", "21": "好", "23": "严格", "24": "无"})
    answers.update({str(n): "95%" for n in (25, 26, 27, 29, 30, 36)})
    answers.update({"28": "150", "32": "3", "33": "好", "34": "好", "37": "好", "38": "50%"})
    return answers


def test_evaluation_template_reads_back_into_score(tmp_path: Path) -> None:
    """The blank evaluation table has drop-downs, and canbao score reads it back once filled."""
    from canbao.score import score_files

    path = write_template("evaluation", RULES, tmp_path / "评估表.xlsx")
    wb = load_workbook(path)
    ws = wb["评估表"]
    assert ws.print_title_rows == "$3:$4"
    assert {"A3:A4", "B3:D3", "E3:G3", "H3:H4"} <= {str(r) for r in ws.merged_cells.ranges}
    rows = {
        str(ws.cell(row=r, column=1).value).split(".")[0]: r
        for r in range(6, ws.max_row + 1)
        if str(ws.cell(row=r, column=1).value)[:1].isdigit()
    }
    assert len(rows) == 38
    lists = {
        f"H{r}": dv.formula1
        for dv in ws.data_validations.dataValidation
        for rng in dv.sqref.ranges
        for r in range(rng.min_row, rng.max_row + 1)
        if dv.type == "list"
    }
    assert lists[f"H{rows['1']}"] == '"是,否"'
    assert lists[f"H{rows['21']}"] == '"好,中,差"'
    assert lists[f"H{rows['23']}"] == '"严格,一般,差"'
    assert lists[f"H{rows['24']}"] == '"无,有"'
    assert f"H{rows['25']}" not in lists
    ws["A2"] = "填报单位名称（县区）：濉溪县"
    for number, value in _evaluation_answers().items():
        ws[f"H{rows[number]}"] = value
    wb.save(path)
    result = score_files(RULES, [path], output=tmp_path / "score")
    county = result.evaluation.counties[0]
    assert (county.county, county.name) == ("340621", "濉溪县")
    assert county.total == Decimal(100)


def test_datatable_template_columns_and_read_back(tmp_path: Path) -> None:
    """The data table has 淮人社秘〔2017〕376号's 21 columns, 是/否 lists; the facts read back."""
    path = write_template("datatable", RULES, tmp_path / "数据表.xlsx")
    wb = load_workbook(path)
    ws = wb["数据表"]
    assert [ws.cell(row=5, column=c).value for c in range(2, 23)] == list(range(1, 22))
    assert ws.cell(row=4, column=15).value == "已通过入户调查确认登记人数(人)"
    yes_no = next(dv for dv in ws.data_validations.dataValidation if dv.type == "list")
    assert yes_no.formula1 == '"是,否"'
    assert "B6" in str(yes_no.sqref) and "U6" in str(yes_no.sqref)
    ws["A2"] = "填报单位名称[县（区）级单位]：濉溪县"
    ws.cell(row=6, column=15).value = 120  # column 14
    ws.cell(row=6, column=11).value = 35.5  # column 10 (万元)
    wb.save(path)
    long = read_datatable(path, RULES)
    assert long.rows() == [
        ("濉溪县", "工作经费投入数额", "35.5"),
        ("濉溪县", "已通过入户调查确认登记人数", "120"),
    ]


def test_template_cli_unknown_kind(tmp_path: Path) -> None:
    """An unknown template kind is a usage error with the choices."""
    result = CliRunner().invoke(
        app, ["forms", "template", "x", "--rules", str(RULES), "--output", str(tmp_path / "t.xlsx")]
    )
    assert result.exit_code == 2
    assert result.stderr == ("错误：未知的模板 'x'\n修正方法：请用 evaluation 或 datatable\n")


def test_template_cli_writes_the_file(tmp_path: Path) -> None:
    """`canbao forms template evaluation` names the file it wrote."""
    out = tmp_path / "评估表.xlsx"
    result = CliRunner().invoke(
        app, ["forms", "template", "evaluation", "--rules", str(RULES), "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == f"evaluation 模板已写入 {out}\n"
    assert out.is_file()


def test_score_reads_a_filled_datatable_back(tmp_path: Path) -> None:
    """canbao score's submission reader recognises the data table and takes its facts."""
    from canbao.score.api import _read_all

    path = write_template("datatable", RULES, tmp_path / "数据表.xlsx")
    wb = load_workbook(path)
    ws = wb["数据表"]
    ws["A2"] = "填报单位名称[县（区）级单位]：濉溪县"
    ws.cell(row=6, column=15).value = 120
    wb.save(path)
    rows = _read_all([path], self_scores=False, rules=RULES)
    assert [(r.county, r.key, r.value, r.file, r.line) for r in rows] == [
        ("濉溪县", "已通过入户调查确认登记人数", "120", "数据表.xlsx", 6)
    ]
