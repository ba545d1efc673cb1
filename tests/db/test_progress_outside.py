"""canbao progress --cross-city / --cross-province: rates 3 and 4 computed from rosters of other
cities and provinces, against counts worked out by hand for the two-county city of
tests/db/test_progress.py (its persons given valid citizen IDs), on DuckDB and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import polars as pl
from stdnum.cn import ric
from typer.testing import CliRunner

from canbao.cli import app
from canbao.db import SnapshotMeta, open_database, record_snapshot, record_survey_results
from canbao.progress._outside import CROSS_CITY_FOUND, CROSS_PROVINCE_FOUND
from canbao.progress._rates import CROSS_CITY, CROSS_PROVINCE
from tests.db.test_progress import AREA, AUGUST, AUGUST_STATES, JUNE, JUNE_STATES, VISITS, A, B

runner = CliRunner()
COUNTY = {"a": A, "b": B, "x": "340604"}


def citizen_id(key: str) -> str:
    """A valid citizen ID for a person of the hand-count city: a* in 杜集区, b* in 相山区."""
    first17 = f"{COUNTY[key[0]]}19800315{int(key[1:]):03d}"
    return first17 + ric.calc_check_digit(first17 + "X")


def load(url: str) -> None:
    """The two snapshots (with places: x9, the insured person from outside, has none) and the
    two intakes of tests/db/test_progress.py, each person under a valid ID."""
    keys = ["a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "b4"]
    places = pl.DataFrame(
        {"person_key": [citizen_id(k) for k in keys], "county": [COUNTY[k[0]] for k in keys]}
    )
    with open_database(url) as db:
        for day, states in ((JUNE, JUNE_STATES), (AUGUST, AUGUST_STATES)):
            rows = [(citizen_id(k), s, d) for k, s, d in states]
            frame = pl.DataFrame(rows, schema=["person_key", "state", "detail"], orient="row")
            meta = SnapshotMeta(day, AREA, [("household", day.isoformat())])
            record_snapshot(db, frame, meta, places=places)
        for day, visits in VISITS.items():
            rows = [(citizen_id(k), ok, why) for k, ok, why in visits]
            frame = pl.DataFrame(rows, schema=["person_key", "confirmed", "reason"], orient="row")
            record_survey_results(db, frame, day)


def rosters(tmp_path: Path) -> tuple[Path, Path]:
    """Other cities' rosters as a folder of two files, another province's as one file.

    Other cities list a2 (twice), b1, x9 (no target person of the city), a stranger and an
    invalid ID; the province lists b2, with a lower-case check letter folded by the reader.
    """
    cities = tmp_path / "other-cities"
    cities.mkdir()
    stranger = "11010119700101" + "0013"
    (cities / "suzhou.csv").write_text(
        f"公民身份号码,姓名\n{citizen_id('a2')},甲\n{citizen_id('b1')},乙\n{stranger},丙\n",
        encoding="utf-8",
    )
    (cities / "bengbu.csv").write_text(
        f"身份证号码,姓名,险种\n{citizen_id('a2')},甲,110\n{citizen_id('x9')},丁,310\n"
        "34060219800315999,戊,310\n",
        encoding="utf-8",
    )
    (cities / "~$bengbu.xlsx").write_bytes(b"")  # Excel's lock file: left out
    province = tmp_path / "ministry.csv"
    province.write_text(f"证件号码\n{citizen_id('b2').lower()}\n", encoding="utf-8")
    return cities, province


def run(tmp_path: Path, url: str, *extra: str) -> tuple[int, str]:
    """canbao progress on the city with both outside rosters; its exit code and output."""
    cities, province = rosters(tmp_path)
    population = tmp_path / "population.csv"
    population.write_text("县区,常住人口\n杜集区,10\n相山区,8\n", encoding="utf-8")
    out = tmp_path / "progress"
    result = runner.invoke(
        app,
        ["progress", "--db", url, "--population", str(population), "--output", str(out),
         "--cross-city", str(cities), "--cross-province", str(province), *extra],
    )  # fmt: skip
    return result.exit_code, result.output


def test_rates_three_and_four_equal_the_hand_count(
    tmp_path: Path, engine: str, new_database: Callable[[], str]
) -> None:
    """Every target person on 2017-08-31 (a1-a5, b1, b2) was compared: rate 3 and rate 4 are
    5/10 (杜集区), 2/8 (相山区), 7/18 (area) for the last period and 累计, — before; the rosters
    list a2 and b1 (other cities: x9 is no target, the stranger is not of the city) and b2."""
    url = new_database()
    load(url)
    code, output = run(tmp_path, url, "--json")
    assert code == 0, output
    report = json.loads(output)
    got: dict[tuple[str, str | None], dict[str, object]] = {}
    for row in report["rows"]:
        rates = {r["number"]: (r["numerator"]["value"], r["denominator"]["value"], r["rate"])
                 for r in row["rates"]}  # fmt: skip
        got[(row["period"], row["county"])] = {"rates": rates, "outside": row["outside"]}
    for period in ("2017-07-01—2017-08-31", "累计"):
        for unit, (n, d, text) in {A: (5, 10, "50.00%"), B: (2, 8, "25.00%"),
                                   None: (7, 18, "38.89%")}.items():  # fmt: skip
            rates = got[(period, unit)]["rates"]
            assert isinstance(rates, dict)
            assert rates[3] == rates[4] == (n, d, text), (period, unit)
        found = {unit: got[(period, unit)]["outside"] for unit in (A, B, None)}
        assert found == {
            A: {CROSS_CITY_FOUND: 1, CROSS_PROVINCE_FOUND: 0},  # a2
            B: {CROSS_CITY_FOUND: 1, CROSS_PROVINCE_FOUND: 1},  # b1; b2
            None: {CROSS_CITY_FOUND: 2, CROSS_PROVINCE_FOUND: 1},
        }
    june = got[("2017-05-01—2017-06-30", A)]["rates"]
    assert isinstance(june, dict) and june[3] == (None, 10, "—")
    assert report["outside_unreadable_rows"] == {CROSS_CITY: 0, CROSS_PROVINCE: 0}
    facts = pl.read_csv(tmp_path / "progress" / "facts.csv", infer_schema=False)
    compared = facts.filter(pl.col("指标") == CROSS_CITY).sort("县区")
    assert compared["实际值"].to_list() == ["5", "2"]


def test_the_screen_counts_the_persons_the_rosters_list(
    tmp_path: Path, engine: str, new_database: Callable[[], str]
) -> None:
    """Without --json the area's rates 3 and 4 and the two counts are printed."""
    url = new_database()
    load(url)
    code, output = run(tmp_path, url)
    assert code == 0, output
    assert "3. 跨地市登记信息比对完成率 38.89% (7/18)" in output
    assert "4. 跨省登记信息比对完成率 38.89% (7/18)" in output
    assert f"{CROSS_CITY_FOUND} 2" in output and f"{CROSS_PROVINCE_FOUND} 1" in output


def test_rate_three_from_rosters_and_by_hand_is_refused(
    tmp_path: Path, new_database: Callable[[], str]
) -> None:
    """--manual giving rate 3 beside --cross-city: exit 2, nothing written."""
    url = new_database()
    load(url)
    manual = tmp_path / "manual.csv"
    manual.write_text("县区,项目,值\n合计,15,100%\n", encoding="utf-8")
    code, output = run(tmp_path, url, "--manual", str(manual))
    assert code == 2 and "--cross-city" in output and "--manual" in output
    assert not (tmp_path / "progress").exists()


def test_rosters_without_a_valid_id_are_refused(
    tmp_path: Path, new_database: Callable[[], str]
) -> None:
    """A roster whose IDs are all invalid compares nothing: exit 3, naming the option."""
    url = new_database()
    load(url)
    bad = tmp_path / "bad.csv"
    bad.write_text("公民身份号码\n12345\n", encoding="utf-8")
    population = tmp_path / "population.csv"
    population.write_text("县区,常住人口\n杜集区,10\n相山区,8\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["progress", "--db", url, "--population", str(population),
         "--output", str(tmp_path / "o"), "--cross-province", str(bad)],
    )  # fmt: skip
    assert result.exit_code == 3 and "--cross-province" in result.output
