"""Table (一), the task table and coverage rates on the hukou basis, by hand-computed numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from canbao.cli import app
from canbao.match import run_match
from canbao.match.national_book import read_basic_tables
from canbao.match.summary_model import Rate
from tests.match_helpers import HOUSEHOLD_HEADERS, person, pid, read_csv, write_rosters

AS_OF = date(2017, 6, 30)
BASIC = "basic_data_tables.xlsx"


def _tiny_city(tmp_path: Path) -> dict:
    """Three household persons, one dead, one floating person, two outsiders insured here.

    A is insured in 濉溪县 (local), B in Nanjing (外地参保), C nowhere (survey); D is dead. F is a
    floating resident of 濉溪县 with a Nanjing ID, insured here (confirmed). N (合肥 ID) and X
    (Nanjing ID, in pension schemes 11 and 12: a cross-scheme duplicate) have no roster.
    """
    a, b, c, d = (pid(f"19{70 + k}0101", 101 + k) for k in range(4))
    f = pid("19880101", 201, "320102")
    n = pid("19890101", 202, "340101")
    x = pid("19870101", 203, "320102")
    household = [person(a, "甲"), person(b, "乙"), person(c, "丙"), person(d, "丁", "死亡")]
    records = [
        [a, "甲", "11", "340621", "参保缴费"],
        [a, "甲", "21", "340621", "参保缴费"],
        [b, "乙", "11", "320102", "参保缴费"],
        [b, "乙", "22", "320102", "参保缴费"],
        [f, "戊", "11", "340621", "参保缴费"],
        [f, "戊", "21", "340621", "参保缴费"],
        [n, "己", "11", "340621", "参保缴费"],
        [x, "庚", "11", "340621", "参保缴费"],
        [x, "庚", "12", "340621", "参保缴费"],
    ]
    args = write_rosters(tmp_path, household, records)
    floating = pl.DataFrame([person(f, "戊")], schema=HOUSEHOLD_HEADERS, orient="row")
    floating.write_csv(tmp_path / "floating.csv")
    return args | {"floating": [tmp_path / "floating.csv"]}


def test_table_one_counts_household_persons_and_puts_floating_with_non_local(
    tmp_path: Path,
) -> None:
    """(1) household 正常 only; (3) non-local N, X and floating F; the rest by hand."""
    run_match(_tiny_city(tmp_path), as_of=AS_OF, output=tmp_path / "out")
    table = read_basic_tables(tmp_path / "out" / BASIC)["基础数据情况表(一)"]
    row = table.filter(pl.col("县（区）") == "濉溪县").row(0, named=True)
    assert row["本地户籍人口数"] == 3  # A, B, C (D is dead, F is floating)
    assert row["#非本地户籍参保人数"] == 3  # N, X and the confirmed floating F
    assert row["本地参保确认入库人数"] == 1 + 3  # A, plus column (3)
    assert row["外地参保确认入库人数"] == 1  # B
    assert row["需调查核实人数"] == 1  # C
    assert row["养老保险跨制度重复参保人数"] == 1  # X, outside every roster
    relations = read_basic_tables(tmp_path / "out" / BASIC)["逻辑关系校验"]
    assert (relations["是否成立"] == "是").all()


def test_task_table_and_summary_rates_count_household_persons(tmp_path: Path) -> None:
    """Task table and summary: 2 of 3 household persons covered (66.67%); F is not counted."""
    result = run_match(_tiny_city(tmp_path), as_of=AS_OF, output=tmp_path / "out")
    task = read_csv(tmp_path / "out" / "task_table.csv")
    row = task.filter(pl.col("县区代码") == "340621").row(0, named=True)
    assert (row["县（区）"], row["需入户调查人员数"], row["流动人口需入户调查人员数"]) == (
        "濉溪县",
        "1",
        "0",
    )
    assert (row["养老保险应参人数"], row["养老保险已参人数"], row["养老保险参保率"]) == (
        "3",
        "2",
        "66.67%",
    )
    expected = Rate(numerator=2, denominator=3, rate="66.67%")
    coverage = result.summary.coverage
    assert coverage.pension == expected and coverage.medical == expected
    assert coverage.per_county["340621"].pension == expected


def test_a_county_outside_anhui_is_named_in_the_task_table_and_table_one(tmp_path: Path) -> None:
    """A roster of 320102 shows 玄武区 in the task table and the national tables."""
    one = pid("19800101", 101, "320102")
    row = [one, "甲", None, "320102", "玄武门街道", "一村", "一村1号", "正常"]
    args = write_rosters(tmp_path, [row], [[one, "甲", "21", "320102", "参保缴费"]])
    run_match(args, as_of=AS_OF, output=tmp_path / "out")
    task = read_csv(tmp_path / "out" / "task_table.csv")
    assert task["县（区）"].to_list() == ["玄武区", "合计"]
    table = read_basic_tables(tmp_path / "out" / BASIC)["基础数据情况表(二)"]
    assert table["县（区）"].to_list() == ["玄武区", "合计"]


def test_the_command_prints_the_coverage_rates(tmp_path: Path) -> None:
    """canbao match prints both rates on the hukou basis with their exact counts."""
    args = _tiny_city(tmp_path)
    cli = ["match", "--as-of", "2017-06-30", "--output", str(tmp_path / "out")]
    for kind in ("household", "floating", "pension"):
        cli += [f"--{kind}", str(args[kind][0])]
    result = CliRunner().invoke(app, cli)
    assert result.exit_code == 0, result.output
    assert "养老保险参保率（户籍口径）: 66.67% (2/3)" in result.stdout
    assert "医疗保险参保率（户籍口径）: 66.67% (2/3)" in result.stdout
