"""Real exports: total rows, quoted line breaks, missing columns, aliases (docs/reading.md)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.dates import read_date
from canbao.errors import UsageError
from canbao.match import run_match
from canbao.roster import Roster, read_roster

EXPORTS = Path(__file__).resolve().parents[1] / "examples" / "exports"
CITY = Path(__file__).resolve().parents[1] / "examples" / "city"
runner = CliRunner()
PID = "340602192910046554"
HEAD = "公民身份号码,姓名,县区,乡镇,村,地址,人员状态"


def _roster(tmp_path: Path, text: str, kind: str = "household", name: str = "r.csv") -> Roster:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return read_roster(path, kind, workdir=tmp_path)


def test_total_row_is_counted_apart_not_a_person(tmp_path: Path) -> None:
    """A 合计 row with its count in the ID column is a total_row, and the person stays."""
    text = f"{HEAD}\n{PID},张三,340602,城关镇,一村,一村1号,正常\n合计,1,,,,,\n"
    roster = _roster(tmp_path, text)
    assert roster.frame.collect()["_line"].to_list() == [2]
    bad = roster.unreadable.collect()
    assert bad.select("line", "reason").rows() == [(3, "total_row")]


@pytest.mark.parametrize("word", ["合计", "总计", "小计", "合 计", "小计：", "总计(人)"])
def test_every_total_word_is_recognised(tmp_path: Path, word: str) -> None:
    """合计, 总计 and 小计, with spaces, a colon or a bracket, each make a total_row."""
    roster = _roster(tmp_path, f"序号,{HEAD}\n{word},,,,,,,3\n")
    assert roster.unreadable.collect()["reason"].to_list() == ["total_row"]


def test_a_person_with_a_valid_id_is_never_a_total_row(tmp_path: Path) -> None:
    """A row whose ID is shaped like one stays a person even when a cell reads 小计."""
    roster = _roster(tmp_path, f"{HEAD}\n{PID},小计,340602,城关镇,一村,一村1号,正常\n")
    assert roster.frame.collect().height == 1
    assert roster.unreadable.collect().height == 0


def test_total_row_in_a_workbook_and_parquet(tmp_path: Path) -> None:
    """An xlsx sheet and a Parquet file report their 总计 row as total_row too."""
    import xlsxwriter

    book_path = tmp_path / "h.xlsx"
    book = xlsxwriter.Workbook(str(book_path))
    sheet = book.add_worksheet()
    for r, row in enumerate([HEAD.split(","), [PID, "张三", "340602"], ["总计", "1"]]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    bad = read_roster(book_path, "household", workdir=tmp_path).unreadable.collect()
    assert bad.select("line", "reason").rows() == [(3, "total_row")]
    parquet = tmp_path / "h.parquet"
    pl.DataFrame({"公民身份号码": [PID, "1"], "姓名": ["张三", "总计"]}).write_parquet(parquet)
    roster = read_roster(parquet, "household", workdir=tmp_path)
    assert roster.frame.collect()["_line"].to_list() == [1]
    assert roster.unreadable.collect().select("line", "reason").rows() == [(2, "total_row")]


def test_quoted_line_break_is_one_record(tmp_path: Path) -> None:
    """An address with an Alt+Enter break inside quotes is one person at its first line."""
    text = f'{HEAD}\n{PID},张三,340602,城关镇,一村,"一村\n1号",正常\n1,李四,340602,x,y,z,正常\n'
    roster = _roster(tmp_path, text)
    frame = roster.frame.collect()
    assert frame.select("address", "_line").rows() == [("一村\n1号", 2), ("z", 4)]
    assert roster.unreadable.collect().height == 0


def test_quote_open_past_the_limit_is_stray_and_counted(tmp_path: Path) -> None:
    """A quote not closed within 10 lines is one open_quote row; the lines after it are read."""
    rows = ['1,"张三,340602,x,y,z,正常'] + [f"{i},李四,340602,x,y,z,正常" for i in range(11)]
    rows.append('2,王五,340602,x,y,"z,正常')
    roster = _roster(tmp_path, HEAD + "\n" + "\n".join(rows) + "\n")
    bad = roster.unreadable.collect()
    assert bad.select("line", "reason").rows() == [(2, "open_quote"), (14, "open_quote")]
    assert roster.frame.collect().height == 11


def test_alias_headings_of_real_systems(tmp_path: Path) -> None:
    """街道乡镇, 所属社区, 门楼牌地址, 户口状态 and 险种类别 map to their fields."""
    roster = read_roster(EXPORTS / "household_police.csv", "household", workdir=tmp_path)
    mapping = roster.info.mapping
    assert mapping["township"] == "街道乡镇"
    assert mapping["village"] == "所属社区"
    assert mapping["address"] == "门楼牌地址"
    assert mapping["status"] == "户口状态"
    pension = read_roster(EXPORTS / "pension_agency.csv", "pension", workdir=tmp_path)
    assert pension.info.mapping["scheme"] == "险种类别"


def test_every_alias_is_documented() -> None:
    """Each built-in alias appears in docs/reading.md's table."""
    from canbao.roster.fields import ALIASES

    doc = (Path(__file__).resolve().parents[1] / "docs" / "reading.md").read_text("utf-8")
    missing = [a for aliases in ALIASES.values() for a in aliases if a not in doc]
    assert missing == []


def test_messy_example_matches_with_totals_apart(tmp_path: Path) -> None:
    """The example exports give 40 persons, 34 records and 3 total rows; conservation holds."""
    out = tmp_path / "o"
    result = runner.invoke(
        app,
        [
            "match",
            "--household",
            str(EXPORTS / "household_police.csv"),
            "--pension",
            str(EXPORTS / "pension_agency.csv"),
            "--medical",
            str(EXPORTS / "medical_agency.csv"),
            "--as-of",
            "2017年6月30日",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert (summary["household_rows"], summary["enrolment_rows"]) == (40, 34)
    assert (summary["unreadable_rows"], summary["total_rows"]) == (3, 3)
    assert "warnings" not in summary
    assert all(eq["ok"] for eq in summary["conservation"])
    task = pl.read_csv(out / "task_table.csv", infer_schema=False)
    assert task["县（区）"].to_list() == ["杜集区", "合计"]


def _household_without(tmp_path: Path, dropped: str) -> Path:
    frame = pl.read_csv(EXPORTS / "household_police.csv", infer_schema=False).drop(dropped)
    path = tmp_path / f"no_{dropped}.csv"
    frame.write_csv(path)
    return path


@pytest.mark.parametrize(
    ("dropped", "said"),
    [
        ("户口状态", "人员状态列缺失"),
        ("门楼牌地址", "常住地址列缺失"),
        ("所属社区", "村(社区)列缺失"),
    ],
)
def test_missing_household_column_warns_on_stderr_and_in_summary(
    tmp_path: Path, dropped: str, said: str
) -> None:
    """A household roster without status, address or village runs, saying what it assumed."""
    path = _household_without(tmp_path, dropped)
    out = tmp_path / "o"
    args = ["match", "--household", str(path), "--pension", str(EXPORTS / "pension_agency.csv")]
    result = runner.invoke(app, [*args, "--as-of", "20170630", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert said in result.stderr
    warnings = json.loads((out / "summary.json").read_text("utf-8"))["warnings"]
    assert [w for w in warnings if said in w and w.startswith(f"{path.name}：")] != []


def test_household_alone_warns_that_everyone_is_uninsured(tmp_path: Path) -> None:
    """A match with no pension or medical roster says so on stderr and in summary.json."""
    out = tmp_path / "o"
    hh = str(EXPORTS / "household_police.csv")
    result = runner.invoke(app, ["match", "--household", hh, "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "未提供养老或医疗参保名册" in result.stderr
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert any("未提供养老或医疗参保名册" in w for w in summary["warnings"])


def test_enrolment_without_status_is_refused(tmp_path: Path) -> None:
    """An enrolment roster with no status column stops with exit 3 naming the file and column."""
    path = tmp_path / "pension.csv"
    pl.read_csv(EXPORTS / "pension_agency.csv", infer_schema=False).drop("参保状态").write_csv(path)
    hh = str(EXPORTS / "household_police.csv")
    args = ["match", "--household", hh, "--pension", str(path), "--output", str(tmp_path / "o")]
    result = runner.invoke(app, args)
    assert result.exit_code == 3
    assert "pension.csv" in result.stderr
    assert "缺少「人员状态」列" in result.stderr


@pytest.mark.parametrize("text", ["2017-06-30", "2017/06/30", "20170630", "2017年6月30日"])
def test_one_date_parser_reads_every_spelling(text: str) -> None:
    """ISO, slashes, compact and 年月日 all read as 30 June 2017."""
    assert read_date(text) == date(2017, 6, 30)


def test_a_wrong_date_is_a_usage_error_naming_it() -> None:
    """A day that does not exist is refused with the value in the message."""
    with pytest.raises(UsageError, match="2017-13-01"):
        read_date("2017-13-01")


def test_run_match_takes_text_dates_and_paths(tmp_path: Path) -> None:
    """run_match(as_of="2017-06-30", output=str) works as run_match with a date and a Path."""
    rosters = {"household": [str(EXPORTS / "household_police.csv")]}
    result = run_match(rosters, as_of="2017-06-30", output=str(tmp_path / "o"), warn=lambda _: None)
    assert result.summary.as_of == date(2017, 6, 30)
    assert result.output == tmp_path / "o"
    with pytest.raises(UsageError, match="output"):
        run_match(rosters, as_of="2017-06-30", output=3)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=re.escape("30.06.2017")):
        run_match(rosters, as_of="30.06.2017", output=tmp_path / "p")


def test_status_and_scheme_words_are_mapped_by_the_column_map(tmp_path: Path) -> None:
    """`values:` in the column map turns 冻结 into 暂停缴费 and 居民养老 into scheme 12."""
    from canbao.roster import load_column_map

    colmap = tmp_path / "map.yaml"
    colmap.write_text("values:\n  status: {冻结: 暂停缴费}\n  scheme: {居民养老: '12'}\n", "utf-8")
    path = tmp_path / "p.csv"
    path.write_text(f"公民身份号码,姓名,险种,参保状态\n{PID},张三,居民养老, 冻结\n", "utf-8")
    roster = read_roster(path, "pension", columns=load_column_map(colmap), workdir=tmp_path)
    assert roster.frame.select("scheme", "status").collect().rows() == [("12", "暂停缴费")]


def test_a_value_mapped_to_an_unknown_word_is_refused(tmp_path: Path) -> None:
    """Mapping a word to something canbao does not know stops when the map is read."""
    from canbao.errors import InputError
    from canbao.roster import load_column_map

    colmap = tmp_path / "map.yaml"
    colmap.write_text("values:\n  status: {冻结: 冷冻}\n", "utf-8")
    with pytest.raises(InputError, match="冷冻"):
        load_column_map(colmap)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_run_match_hands_back_lazy_result_tables(tmp_path: Path, fmt: str) -> None:
    """result.table() scans the written file: as many uninsured rows as the summary counts."""
    rosters = {
        "household": [EXPORTS / "household_police.csv"],
        "pension": [EXPORTS / "pension_agency.csv"],
        "medical": [EXPORTS / "medical_agency.csv"],
    }
    result = run_match(rosters, as_of=date(2017, 6, 30), output=tmp_path / "o", format=fmt)  # type: ignore[arg-type]
    uninsured = result.table("uninsured")
    assert isinstance(uninsured, pl.LazyFrame)
    assert uninsured.select(pl.len()).collect().item() == result.summary.uninsured
    assert "basic_data_tables" not in result.tables()
    with pytest.raises(UsageError, match="nothing"):
        result.table("nothing")
