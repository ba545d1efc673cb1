"""canbao progress: every rate of 人社厅发〔2017〕28号 against counts worked out by hand for a small
city of two counties, two snapshots and two intakes, on DuckDB and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.db import (
    Database,
    SnapshotMeta,
    open_database,
    record_decisions,
    record_ledger_confirmations,
    record_snapshot,
    record_survey_results,
)
from canbao.match.vocabulary import DecisionKind, ProgressPeriod
from canbao.progress import progress_report, read_manual, read_population, write_progress
from canbao.progress.api import UnitRates

runner = CliRunner()
AREA = "3406"
JUNE, AUGUST = date(2017, 6, 30), date(2017, 8, 31)
A, B = "340602", "340603"  # 杜集区, 相山区
# (person, state, detail) per snapshot. x9 is a non-local insured person: no county.
JUNE_STATES = [
    ("a1", "confirmed", ""), ("a1", "enrolled", ""),
    ("a2", "needs_survey", "uninsured"), ("a2", "uninsured", "no_insurance"),
    ("a3", "needs_survey", "conflict"), ("a3", "conflict", "name_mismatch"), ("a3", "enrolled", ""),
    ("a4", "needs_survey", "uninsured"), ("a4", "uninsured", "missing_pension"),
    ("a4", "enrolled", ""),
    ("a5", "confirmed", ""), ("a5", "enrolled", ""), ("a5", "duplicate", "cross_scheme:1"),
    ("b1", "confirmed", ""), ("b1", "enrolled", ""),
    ("b2", "needs_survey", "conflict"), ("b2", "conflict", "sex_mismatch"),
    ("b2", "conflict", "birth_mismatch"), ("b2", "enrolled", ""),
    ("b3", "needs_survey", "uninsured"), ("b3", "uninsured", "no_insurance"),
    ("b4", "excluded", "died"),
    ("x9", "enrolled", ""),
]  # fmt: skip
AUGUST_STATES = [
    ("a1", "confirmed", ""), ("a1", "enrolled", ""),
    ("a2", "confirmed", ""), ("a2", "enrolled", ""),  # newly insured
    ("a3", "needs_survey", "conflict"), ("a3", "conflict", "name_mismatch"), ("a3", "enrolled", ""),
    ("a4", "needs_survey", "uninsured"), ("a4", "uninsured", "missing_pension"),
    ("a4", "enrolled", ""),
    ("a5", "confirmed", ""), ("a5", "enrolled", ""),  # duplicate cleaned
    ("b1", "confirmed", ""), ("b1", "enrolled", ""),
    ("b2", "needs_survey", "conflict"), ("b2", "conflict", "birth_mismatch"),  # sex corrected
    ("b2", "enrolled", ""),
    ("b3", "excluded", "moved_out"),
    ("b4", "excluded", "died"),
    ("x9", "enrolled", ""),
]  # fmt: skip
# (person, confirmed, reason) per intake date.
VISITS = {
    date(2017, 7, 15): [("a3", True, ""), ("a4", False, "91"), ("b2", False, "")],
    date(2017, 8, 10): [("a4", True, "91"), ("b3", True, "出国(含留学、定居、就业)")],
}
POPULATION = {A: 10, B: 8}


def places(db: Database, day: date, area: str) -> pl.DataFrame:
    """Each person's county (the register's places): a* in 杜集区, b* in 相山区, x9 unknown."""
    keys = ["a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "b4", "x9"]
    counties = [A if k[0] == "a" else B if k[0] == "b" else "" for k in keys]
    return pl.DataFrame({"person_key": keys, "county": counties})


def load(url: str) -> None:
    """Record the two snapshots and the two intakes."""
    with open_database(url) as db:
        for day, states in ((JUNE, JUNE_STATES), (AUGUST, AUGUST_STATES)):
            frame = pl.DataFrame(states, schema=["person_key", "state", "detail"], orient="row")
            record_snapshot(db, frame, SnapshotMeta(day, AREA, [("household", day.isoformat())]))
        for day, visits in VISITS.items():
            frame = pl.DataFrame(visits, schema=["person_key", "confirmed", "reason"], orient="row")
            record_survey_results(db, frame, day)


# Worked out by hand over the whole campaign (up to 2017-08-31; errors and uninsured persons
# as of the first snapshot, 2017-06-30), per county and for the area, (numerator, denominator):
WHOLE = {
    A: {
        # 1: enrolled a1-a5 / population 10; 2: targets a1-a5 / 10
        1: (5, 10), 2: (5, 10),
        # 5: needing a survey on 08-31 a3, a4, both visited; 6: a3 (07-15), a4 (08-10) confirmed
        5: (2, 2), 6: (2, 2),
        # 7: confirmed a1, a2, a5 + confirmed by survey since their reasons began a3, a4
        7: (5, 10),
        # 8: error a3 name_mismatch, still there but confirmed on a form; 9: a2 of a2, a4 covered
        8: (1, 1), 9: (1, 2),
    },
    B: {
        1: (2, 8), 2: (2, 8),  # b1, b2
        5: (1, 1), 6: (0, 1),  # b2 visited, its form not confirmed
        7: (1, 8),  # b1
        8: (1, 2), 9: (0, 1),  # b2's sex_mismatch gone, birth_mismatch not; b3 moved out
    },
    None: {
        1: (8, 18), 2: (7, 18),  # x9 counts in the area only
        5: (3, 3), 6: (2, 3), 7: (6, 18), 8: (2, 3), 9: (1, 3),
    },
}  # fmt: skip
# The first period (2017-05-01 to 06-30): the June snapshot, no visit yet.
JUNE_PERIOD_A = {1: (4, 10), 2: (5, 10), 5: (0, 3), 6: (0, 3), 7: (2, 10), 8: (0, 1), 9: (0, 2)}


def by_rate(row: UnitRates) -> dict[int, tuple[int | None, int | None]]:
    """The rates of a row as (numerator, denominator), rates 3 and 4 left out."""
    return {r.spec.number: (r.numerator, r.denominator) for r in row.rates if r.spec.number > 4}


def test_every_rate_equals_the_hand_count(engine: str, new_database: Callable[[], str]) -> None:
    """Rates 1, 2 and 5-9 per county and for the area equal the counts worked out above."""
    url = new_database()
    load(url)
    with open_database(url) as db:
        report = progress_report(db, population=POPULATION, places=places)
    periods = sorted({row.period_label for row in report.rows})
    assert periods == ["2017-05-01—2017-06-30", "2017-07-01—2017-08-31", "累计"]
    for unit, expected in WHOLE.items():
        row = next(r for r in report.whole() if r.county == unit)
        got = {r.spec.number: (r.numerator, r.denominator) for r in row.rates}
        assert {k: got[k] for k in expected} == expected, unit
    latest = {row.county: row for row in report.latest()}
    assert by_rate(latest[A]) == {k: v for k, v in WHOLE[A].items() if k > 4}
    june = next(r for r in report.rows if r.period_label.endswith("06-30") and r.county == A)
    got = {r.spec.number: (r.numerator, r.denominator) for r in june.rates}
    assert {k: got[k] for k in JUNE_PERIOD_A} == JUNE_PERIOD_A
    rate9 = next(r for r in latest[A].rates if r.spec.number == 9)
    assert rate9.text == "50.00%" and rate9.value is not None and rate9.value * 2 == 1


def test_survey_fed_columns_of_tables_one_and_two(
    engine: str, new_database: Callable[[], str]
) -> None:
    """(6) counts a3, a4; 已整合 a5's pension duplicate; the reasons a4's 91 and b3's 出国."""
    url = new_database()
    load(url)
    with open_database(url) as db:
        report = progress_report(db, population=POPULATION, places=places)
    table = report.survey_columns
    row = {r["county"]: r for r in table.iter_rows(named=True)}
    assert row[A]["#已核实入库人数"] == 2 and row[B]["#已核实入库人数"] == 0
    assert row[A]["#已整合人数(养老跨制度参保)"] == 1
    assert row[A]["个人未参保人数"] == 1 and row[B]["出国人数"] == 1
    assert row[None]["#已核实入库人数"] == 2 and row[None]["其他原因人数"] == 0


def test_manual_decisions_count_as_corrections_and_cleaned_duplicates(
    engine: str, new_database: Callable[[], str]
) -> None:
    """Decisions correct b2's two errors and clean a6's duplicate; a ledger confirms b2 (入库)."""
    url = new_database()
    load(url)
    day = date(2017, 8, 20)
    with open_database(url) as db:
        for month, when in ((JUNE, "a"), (AUGUST, "b")):
            frame = pl.DataFrame(
                [
                    *(AUGUST_STATES if month == AUGUST else JUNE_STATES),
                    ("a6", "duplicate", "cross_region:2"),
                ],
                schema=["person_key", "state", "detail"],
                orient="row",
            )
            record_snapshot(
                db, frame, SnapshotMeta(month, AREA, [("household", when)]), rebuild=True
            )
        decided = pl.DataFrame(
            {
                "person_key": ["b2", "a6"],
                "kind": [
                    DecisionKind.CONFLICT_RESOLVED.value,
                    DecisionKind.DUPLICATE_CLEANED.value,
                ],
                "decided_on": [day, day],
                "decided_by": ["王", "李"],
                "reason": ["户籍核对", "停保"],
            }
        )
        record_decisions(db, decided)
        ledger = pl.DataFrame({"person_key": ["b2"], "source": ["村台账"]})
        record_ledger_confirmations(db, ledger, day)
        report = progress_report(db, population=POPULATION, places=places_with_a6)
    rows = {row.county: row for row in report.whole()}
    assert (rows[B].rates[7].numerator, rows[B].rates[7].denominator) == (2, 2)
    assert (rows[None].rates[7].numerator, rows[None].rates[7].denominator) == (3, 3)
    # b2, confirmed by a village ledger on 08-20, counts as 入库 (rate 7: b1, b2), not as surveyed
    assert (rows[B].rates[6].numerator, rows[B].rates[5].numerator) == (2, 0)
    merged = {r["county"]: r for r in report.survey_columns.iter_rows(named=True)}
    assert merged[A]["#已整合人数(医疗跨地区参保)"] == 1
    assert merged[A]["#已整合人数(养老跨制度参保)"] == 1  # a5, gone from the rosters


def places_with_a6(db: Database, day: date, area: str) -> pl.DataFrame:
    """The places above and a6 in 杜集区."""
    return pl.concat([places(db, day, area), pl.DataFrame({"person_key": ["a6"], "county": [A]})])


def test_rates_three_and_four_and_the_hand_columns_come_from_the_manual_file(
    tmp_path: Path, new_database: Callable[[], str], engine: str
) -> None:
    """A count gives rate 3 over the population; a percentage rate 4; 是 fills column 1."""
    url = new_database()
    load(url)
    manual = tmp_path / "manual.csv"
    manual.write_text(
        "县区,项目,值\n杜集区,已完成跨地市信息比对人数,10\n合计,16,100%\n合计,1,是\n",
        encoding="utf-8",
    )
    entered = read_manual(manual)
    with open_database(url) as db:
        report = progress_report(db, population=POPULATION, manual=entered, places=places)
    rows = {row.county: row for row in report.latest()}
    assert rows[A].rates[2].numerator == 10 and rows[A].rates[2].text == "100.00%"
    assert rows[None].rates[3].text == "100.00%" and rows[None].rates[3].numerator is None
    assert rows[B].rates[2].text == "—"
    assert entered.cells[None] == {1: "是"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("县区,常住人口\n杜集区,十万\n", "不是人数"),
        ("县区,常住人口\n杜集区,5\n340602,6\n", "出现两次"),
        ("地区名,人口\n杜集区,5\n", "缺少“县区”列"),
        ("县区,常住人口\n不存在县,5\n", "不存在县"),
    ],
)
def test_population_file_errors_name_file_row_and_value(
    tmp_path: Path, text: str, message: str
) -> None:
    """A bad population file stops with exit 3 and says where and what."""
    path = tmp_path / "population.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception) as caught:
        read_population(path)
    assert message in str(caught.value) and getattr(caught.value, "exit_code", 0) == 3


def test_workbooks_headings_and_facts_read_back_by_score(
    tmp_path: Path, engine: str, new_database: Callable[[], str]
) -> None:
    """progress.xlsx has the 进度表 headings and 甲栏 numbers; score --facts reads facts.csv."""
    from openpyxl import load_workbook

    url = new_database()
    load(url)
    out = tmp_path / "progress"
    with open_database(url) as db:
        report = progress_report(db, population=POPULATION, places=places)
    write_progress(report, out)
    book = load_workbook(out / "progress.xlsx", read_only=True)
    rows = [list(r) for r in book["进度表"].iter_rows(values_only=True)]
    assert rows[0][0] == "全民参保登记工作进度表"
    assert rows[2][13] == "信息比对情况" and rows[3][13] == "社保系统内部登记信息完成率（%）"
    assert rows[4][1:] == [*range(1, 26), *range(27, 33)]
    assert [r[0] for r in rows[5:]] == ["杜集区", "相山区", "合计"]
    # 杜集区's rates 1, 8 and 9 under columns 13, 27 and 28 (the notice has no column 26)
    assert [rows[5][13], rows[5][26], rows[5][27]] == ["50.00%", "100.00%", "50.00%"]
    detail = [list(r) for r in book["比率明细"].iter_rows(values_only=True)]
    assert detail[2][2] == "1. 社保系统内部登记信息比对完成率"
    assert detail[3][2:5] == ["分子：已完成社保系统内部信息比对人数", "分母：常住人口数", "比率"]
    book.close()
    basic = load_workbook(out / "basic_data_tables.xlsx", read_only=True)
    assert basic.sheetnames[:2] == ["基础数据情况表(一)", "基础数据情况表(二)"]
    basic.close()
    submission = tmp_path / "submission.csv"
    lines = ["县区,指标,实际值"] + [
        f"{county},({n}),{v}"
        for county in ("杜集区", "相山区")
        for n, v in zip(range(1, 7), (10, 8, 0, 0, 2, 2), strict=True)
    ]
    lines += [f"{county},{n},100%" for county in ("杜集区", "相山区") for n in (3, 4)]
    lines += ["杜集区,常住人口数,20"]  # a row given wins over facts.csv's 10
    submission.write_text("\n".join(lines) + "\n", encoding="utf-8")
    scored = tmp_path / "scored"
    result = runner.invoke(
        app,
        ["score", str(submission), "--rules", "mohrss-2017", "--facts", str(out / "facts.csv"),
         "--output", str(scored), "--json", "--area", "3406"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    import json

    counties = {c["code"]: c["scores"] for c in json.loads(result.stdout)["counties"]}
    # 杜集区: 5 enrolled of the 20 its submission gives; facts of other rule sets were skipped
    assert counties[A]["1"] == "25.00%" and counties[A]["9"] == "50.00%"
    assert counties[B]["8"] == "50.00%" and counties[B]["7"] == "12.50%"


def test_the_command_writes_the_folder_and_prints_the_area_rates(
    tmp_path: Path, engine: str, new_database: Callable[[], str]
) -> None:
    """canbao progress --db … --population … --output …: exit 0, the files, the area's rates."""
    url = new_database()
    load(url)
    population = tmp_path / "population.csv"
    population.write_text("县区,常住人口\n杜集区,10\n相山区,8\n", encoding="utf-8")
    out = tmp_path / "progress"
    result = runner.invoke(
        app,
        ["progress", "--db", url, "--population", str(population), "--output", str(out),
         "--period", ProgressPeriod.MONTHLY.value],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # August alone: a4's form of 08-10 confirmed one of the three needing a survey
    assert "3406 2017-08-01—2017-08-31" in result.output
    assert "6. 入户调查完成率 33.33% (1/3)" in result.output
    assert "3. 跨地市登记信息比对完成率 — (—/18)" in result.output
    names = {p.name for p in out.iterdir()}
    assert {"progress.xlsx", "basic_data_tables.xlsx", "rates.csv", "facts.csv"} <= names


def test_a_missing_database_file_is_refused_not_created(tmp_path: Path) -> None:
    """progress only reads: a --db file that does not exist is exit 8 and is not created."""
    population = tmp_path / "population.csv"
    population.write_text("县区,常住人口\n杜集区,10\n", encoding="utf-8")
    missing = tmp_path / "typo.duckdb"
    result = runner.invoke(
        app,
        ["progress", "--db", str(missing), "--population", str(population),
         "--output", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 8 and "不存在" in result.output
    assert not missing.exists() and not (tmp_path / "out").exists()


def test_an_empty_database_says_to_record_a_match_first(
    tmp_path: Path, engine: str, new_database: Callable[[], str]
) -> None:
    """A canbao database without a snapshot: exit 8, the fix names canbao match --db."""
    url = new_database()
    open_database(url).close()
    population = tmp_path / "population.csv"
    population.write_text("县区,常住人口\n杜集区,10\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["progress", "--db", url, "--population", str(population), "--output", str(tmp_path / "o")],
    )
    assert result.exit_code == 8 and "canbao match --db" in result.output


def test_on_the_example_city_each_county_counts_its_result_files(
    tmp_path: Path, engine: str, new_database: Callable[[], str]
) -> None:
    """After match --db, each county's 需入户调查人数 and targets are its result files' rows."""
    from tests.db.test_match_db import run, table

    url = new_database()
    match = tmp_path / "match"
    assert run(match, url).exit_code == 0
    population = tmp_path / "population.csv"
    population.write_text(
        "县区,常住人口\n340602,450\n340603,700\n340604,420\n340621,1600\n", encoding="utf-8"
    )
    out = tmp_path / "progress"
    result = runner.invoke(
        app,
        ["progress", "--db", url, "--population", str(population), "--output", str(out), "-q"],
    )
    assert result.exit_code == 0, result.output
    rates = pl.read_csv(out / "rates.csv", infer_schema=False).filter(pl.col("期间") == "累计")
    needs = table(match / "needs_survey.csv").group_by("县区").len()
    confirmed = table(match / "confirmed.csv").group_by("县区").len()
    for county, n in needs.iter_rows():
        row = rates.filter(pl.col("县区代码") == county).row(0, named=True)
        assert int(row["5.分母"]) == n
        sure = confirmed.filter(pl.col("县区") == county)["len"].item()
        assert int(row["2.分子"]) == n + sure
    area = rates.filter(pl.col("县区代码").is_null()).row(0, named=True)
    assert int(area["5.分母"]) == needs["len"].sum() and int(area["1.分母"]) == 3170


def test_the_progress_workbook_prints_on_a4_without_shrinking(tmp_path: Path) -> None:
    """进度表 prints two A4 pages across and 比率明细 two (page breaks between groups only)."""
    from tests.test_printed_pages import printed_pages

    url = str(tmp_path / "campaign.duckdb")
    load(url)
    with open_database(url) as db:
        report = progress_report(db, population=POPULATION, places=places)
    write_progress(report, tmp_path / "progress")
    assert printed_pages(tmp_path / "progress" / "progress.xlsx", tmp_path) == 4
