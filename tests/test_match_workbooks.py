"""The match's workbooks for people: national tables, task table, lists per county; any format."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from canbao.cli import app
from canbao.forms.survey_roster import read_needs_survey
from canbao.forms.unit_survey import read_units_needing_survey
from canbao.match import county_lists
from canbao.match.county_lists import write_county_lists
from canbao.match.tables import TABLE1_COLUMNS, TABLE2_COLUMNS
from canbao.score.counties import read_task_table
from tests.test_match_examples import CITY, match_args

ID_HEADINGS = {"公民身份号码", "人员编号", "统一社会信用代码", "单位编号", "县区代码", "县区"}
FORMATS = ("csv", "parquet", "xlsx")


@pytest.fixture(scope="module")
def matches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """examples/city matched once per --format (with its units and the lists per county)."""
    base = tmp_path_factory.mktemp("formats")
    out = {}
    for fmt in FORMATS:
        out[fmt] = base / fmt
        units = ["--units", str(CITY / "units_registry.csv")]
        units += ["--insured-units", str(CITY / "units_insured.csv"), "--county-lists"]
        result = CliRunner().invoke(app, [*match_args(out[fmt]), *units, "--format", fmt])
        assert result.exit_code == 0, result.output
    return out


def test_the_national_tables_number_their_columns_and_keep_codes_as_text(
    matches: dict[str, Path],
) -> None:
    """(一) and (二): title, 填报单位 line, 甲 乙 1..n, codes as text, headings on every page."""
    book = load_workbook(matches["csv"] / "basic_data_tables.xlsx")
    for sheet, columns in (
        ("基础数据情况表(一)", TABLE1_COLUMNS),
        ("基础数据情况表(二)", TABLE2_COLUMNS),
    ):
        ws = book[sheet]
        assert ws["A1"].value == f"全民参保登记{sheet}"
        assert "填报单位名称" in str(ws["A2"].value) and "单位：人" in str(ws["A2"].value)
        numbers = [c.value for c in ws[6]]
        assert numbers == ["甲", "乙", *range(1, len(columns) + 1)]
        assert ws.print_title_rows == "$3:$6" and ws.freeze_panes == "C7"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and not ws.col_breaks.brk
        codes = [ws.cell(row=r, column=2) for r in range(7, 11)]
        assert all(c.data_type == "s" and c.number_format == "@" for c in codes)
        assert [str(c.value) for c in codes] == ["340602", "340603", "340604", "340621"]
        labels = [ws.cell(row=r, column=1).value for r in range(7, ws.max_row + 1)]
        assert "合计" in labels
    notes = " ".join(str(c.value) for c in book["基础数据情况表(一)"]["A"] if c.value)
    assert "(1)=(2)-(3)+(4)+(5)" in notes


def test_the_check_sheet_speaks_chinese(matches: dict[str, Path]) -> None:
    """逻辑关系校验: Chinese headings and 是/否, never True/False or English names."""
    ws = load_workbook(matches["csv"] / "basic_data_tables.xlsx")["逻辑关系校验"]
    assert [c.value for c in ws[3]] == ["县（区）", "关系式", "左边", "右边", "是否成立"]
    answers = {ws.cell(row=r, column=5).value for r in range(4, ws.max_row + 1)}
    assert answers == {"是"}
    values = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
    assert not values & {"True", "False", "ok", "relation", "left", "right"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_task_table_workbook_is_print_ready_in_every_format(
    matches: dict[str, Path], fmt: str
) -> None:
    """task_table.xlsx: title, unit line, headings repeated, 县区代码 as text, A4."""
    ws = load_workbook(matches[fmt] / "task_table.xlsx")["入户调查任务表"]
    assert ws["A1"].value == "入户调查任务表" and "填报单位" in str(ws["A2"].value)
    assert ws["A3"].value == "县区代码" and ws["B3"].value == "县（区）"
    assert ws.print_title_rows == "$3:$3" and int(ws.page_setup.paperSize) == 9
    codes = [ws.cell(row=r, column=1) for r in range(4, 8)]
    assert all(c.data_type == "s" and c.number_format == "@" for c in codes)


def test_the_lists_per_county_keep_every_id_as_text(matches: dict[str, Path]) -> None:
    """lists/<县区>/: a needs-survey, an uninsured and a units workbook per county, every cell
    text, together holding every row of needs_survey and uninsured."""
    lists = matches["csv"] / "lists"
    counties = sorted(p.name for p in lists.iterdir())
    assert {"杜集区", "濉溪县", "烈山区", "相山区"} <= set(counties)
    for table, title in (("needs_survey", "需入户调查人员名单"), ("uninsured", "应参未参人员名单")):
        persons = 0
        for book in sorted(lists.glob(f"*/{title}*.xlsx")):
            ws = load_workbook(book).active
            assert ws is not None and ws.print_title_rows == "$3:$3" and ws.freeze_panes == "A4"
            assert ws["A1"].value == title
            heads = {str(c.value): c.column for c in ws[3] if c.value in ID_HEADINGS}
            assert {"公民身份号码", "人员编号", "县区"} <= set(heads)
            for row in ws.iter_rows(min_row=4):
                for col in heads.values():
                    cell = row[col - 1]
                    assert cell.number_format == "@"
                    assert cell.value is None or cell.data_type == "s"
            persons += ws.max_row - 3
        csv = pl.read_csv(matches["csv"] / f"{table}.csv", infer_schema=False)
        assert persons == csv.height > 0
    assert (lists / "濉溪县" / "需入户调查单位名单.xlsx").is_file()


def test_a_list_past_excels_rows_splits_by_township(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A county longer than a sheet gets a workbook per township (here, a 2-row limit)."""
    monkeypatch.setattr(county_lists, "EXCEL_MAX_ROWS", 2)
    frame = pl.DataFrame(
        {
            "县区": ["340621"] * 3 + ["340602"],
            "乡镇(街道)": ["甲镇", "甲镇", "乙镇", "丙镇"],
            "村(社区)": ["一村", "一村", "二村", "三村"],
            "公民身份号码": ["1", "2", "3", "4"],
        }
    )
    written = write_county_lists({"needs_survey": frame}, tmp_path)
    assert sorted(written) == [
        "lists/杜集区/需入户调查人员名单.xlsx",
        "lists/濉溪县/需入户调查人员名单_乙镇.xlsx",
        "lists/濉溪县/需入户调查人员名单_甲镇.xlsx",
    ]


def test_every_reader_reads_a_match_in_any_format(matches: dict[str, Path]) -> None:
    """forms survey's, intake's and score's readers give the same frames from csv, parquet, xlsx."""
    want = read_needs_survey(matches["csv"])
    units = read_units_needing_survey(matches["csv"])
    task = read_task_table(matches["csv"])
    assert units is not None and want.height > 0
    for fmt in ("parquet", "xlsx"):
        assert_frame_equal(read_needs_survey(matches[fmt]), want)
        got_units = read_units_needing_survey(matches[fmt])
        assert got_units is not None
        assert_frame_equal(got_units, units)
        assert_frame_equal(read_task_table(matches[fmt]), task)


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_forms_survey_and_score_accept_a_match_in_another_format(
    matches: dict[str, Path], fmt: str, tmp_path: Path
) -> None:
    """`forms survey --from` and `score --from-match` run on a match written as parquet or xlsx."""
    runner = CliRunner()
    forms = ["forms", "survey", "--from", str(matches[fmt]), "--by", "county"]
    result = runner.invoke(app, [*forms, "--output", str(tmp_path / "forms"), "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "forms" / "濉溪县" / "入户调查对象名册.xlsx").is_file()
    root = Path(__file__).resolve().parent.parent
    score = ["score", "--rules", str(root / "rules" / "huaibei-2017.yaml")]
    score += [str(root / "examples" / "score" / "huaibei-2017-submission.csv")]
    score += ["--from-match", str(matches[fmt]), "--output", str(tmp_path / "score")]
    result = runner.invoke(app, score)
    assert result.exit_code == 0, result.output


def test_seven_digit_counts_split_the_table_rather_than_shrink_it(tmp_path: Path) -> None:
    """A city of millions: the numbers stay whole on one line, the scale never under 70 %."""
    from canbao.match.national_book import read_basic_tables, write_basic_tables
    from canbao.match.tables import BasicTables
    from canbao.print_layout import MIN_SCALE

    def table(columns: list[str]) -> pl.DataFrame:
        counts = {c: [1_234_567, 2_469_134] for c in columns}
        return pl.DataFrame(
            {"县（区）": ["濉溪县", "合计"], "县区代码": ["340621", None], **counts}
        )

    path = tmp_path / "big.xlsx"
    write_basic_tables(BasicTables(table(TABLE1_COLUMNS), table(TABLE2_COLUMNS), []), path)
    book = load_workbook(path)
    for sheet in ("基础数据情况表(一)", "基础数据情况表(二)"):
        ws = book[sheet]
        if ws.sheet_properties.pageSetUpPr.fitToPage:
            assert not ws.col_breaks.brk
        else:
            assert int(ws.page_setup.scale) >= MIN_SCALE and ws.col_breaks.brk
            assert ws.print_title_cols == "$A:$B"
    got = read_basic_tables(path)["基础数据情况表(一)"]
    assert got["本地户籍人口数"].to_list() == [1_234_567, 2_469_134]


def test_the_report_is_the_same_from_a_match_in_any_format(
    matches: dict[str, Path], tmp_path: Path
) -> None:
    """canbao report draws the identical page from a match written as csv, parquet or xlsx."""
    pages = {}
    for fmt in FORMATS:
        output = tmp_path / f"{fmt}.html"
        result = CliRunner().invoke(app, ["report", str(matches[fmt]), "-o", str(output), "-q"])
        assert result.exit_code == 0, result.output
        pages[fmt] = output.read_text(encoding="utf-8")
    assert pages["parquet"] == pages["csv"] and pages["xlsx"] == pages["csv"]
    assert pages["csv"].count('<rect class="bar"') > 50
