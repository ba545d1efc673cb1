"""Legal-group gaps of injury, unemployment and maternity: planted truth, oracle and edges."""

from __future__ import annotations

import calendar
import tempfile
from datetime import date, timedelta
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from canbao.match import run_match
from canbao.match.legal_rule import load_legal_rule
from tests.match_helpers import pid
from tests.spec_oracle import oracle, retirement_months

KINDS = ("injury", "unemployment", "maternity")
STATUSES = ["参保缴费", "领取待遇", "暂停缴费", "终止参保"]
ROSTER_HEADERS = ["身份证号码", "姓名", "险种", "参保地", "参保状态", "单位编号"]


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clipped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@settings(max_examples=300, deadline=None)
@given(st.booleans(), st.dates(min_value=date(1930, 1, 1), max_value=date(2010, 12, 31)))
def test_bundled_table_gives_the_2024_decision_by_birth_month(male: bool, born: date) -> None:
    """The bundled table's retirement age is the decision's arithmetic for every birth month."""
    rule = load_legal_rule("employees-2024")
    assert rule is not None
    assert rule.retirement_age("男" if male else "女", born) == retirement_months(male, born)


def test_bundled_table_edges_are_the_published_ones() -> None:
    """Men 60 to 1964-12, 60y1m from 1965-01, 63 from 1976-09; women 50, 50y1m, 55 from 1984-11."""
    rule = load_legal_rule("employees-2024")
    assert rule is not None
    edges = [
        ("男", date(1964, 12, 31), 720),
        ("男", date(1965, 1, 1), 721),
        ("男", date(1965, 4, 30), 721),
        ("男", date(1965, 5, 1), 722),
        ("男", date(1976, 8, 31), 755),
        ("男", date(1976, 9, 1), 756),
        ("女", date(1974, 12, 31), 600),
        ("女", date(1975, 1, 1), 601),
        ("女", date(1984, 10, 31), 659),
        ("女", date(1984, 11, 1), 660),
    ]
    assert [rule.retirement_age(sex, born) for sex, born, _ in edges] == [m for *_, m in edges]


person = st.fixed_dictionaries(
    {
        # Of the first person's sex mostly: the others are then near their retirement date too.
        "same_sex": st.sampled_from([True, True, True, False]),
        "employee": st.sampled_from(["11", "21", "11", "21", "12", "none"]),
        "employee_status": st.sampled_from(["参保缴费", "参保缴费", "参保缴费", *STATUSES[1:3]]),
        "employer": st.sampled_from(["U1", "U2", None]),
        "covers": st.lists(
            st.tuples(st.sampled_from(KINDS), st.sampled_from(STATUSES)), max_size=3
        ),
        "status": st.sampled_from(["正常", "正常", "正常", "死亡"]),
        "birth_shift_days": st.integers(min_value=-45, max_value=45),
    }
)


def _write(folder: Path, name: str, rows: list[list[str | None]]) -> Path:
    path = folder / f"{name}.csv"
    frame = pl.DataFrame(rows, schema=dict.fromkeys(ROSTER_HEADERS, pl.String), orient="row")
    frame.write_csv(path)
    return path


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(1992, 12, 31)),
    st.lists(person, min_size=1, max_size=5),
    st.sets(st.sampled_from(KINDS)),
)
def test_gaps_equal_the_oracle_around_the_retirement_age(
    first_birth: date, people: list[dict], given_kinds: set[str]
) -> None:
    """Near anyone's statutory retirement date, the matcher's gaps are exactly the oracle's."""
    # The as-of date is the first person's retirement date: births around it cross the edge.
    first_male = people[0]["same_sex"]  # the first person's own draw: their sex
    as_of = add_months(first_birth, retirement_months(first_male, first_birth))
    household, records = [], []
    rosters: dict[str, list[list[str | None]]] = {k: [] for k in ("pension", "medical", *KINDS)}
    for i, p in enumerate(people):
        born = min(first_birth + timedelta(days=p["birth_shift_days"] * (i > 0)), as_of)
        male = first_male if i == 0 or p["same_sex"] else not first_male
        seq = 100 + 2 * i + (1 if male else 0)
        person_id = pid(born.strftime("%Y%m%d"), seq)
        household.append(
            {"id": person_id, "name": f"甲{i}", "sex": None, "status": p["status"],
             "county": "340621", "village": "东村", "address": "1号",
             "file": "household.csv", "line": i + 2}
        )  # fmt: skip
        own = [] if p["employee"] == "none" else [(p["employee"], p["employee_status"])]
        for scheme, status in own + [(f"{KINDS.index(k) + 3}0", s) for k, s in p["covers"]]:
            roster = {"1": "pension", "2": "medical"}.get(scheme[0]) or KINDS[int(scheme[0]) - 3]
            if roster in KINDS and roster not in given_kinds:
                continue
            rosters[roster].append([person_id, f"甲{i}", scheme, "340621", status, p["employer"]])
            records.append(
                {"id": person_id, "name": f"甲{i}", "scheme": scheme, "region": "340621",
                 "status": status, "roster": roster, "file": f"{roster}.csv",
                 "line": len(rosters[roster]) + 1, "employer": p["employer"]}
            )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        hh = pl.DataFrame(
            [[h["id"], h["name"], h["county"], h["village"], h["address"], h["status"]]
             for h in household],
            schema=["公民身份号码", "姓名", "县区", "村(社区)", "常住地址", "人员状态"],
            orient="row",
        )  # fmt: skip
        hh.write_csv(folder / "household.csv")
        # A given kind's roster is written even when empty: it is judged all the same.
        paths = {
            k: [_write(folder, k, rows)] for k, rows in rosters.items() if rows or k in given_kinds
        }
        judged = tuple(k for k in KINDS if k in paths)
        paths["household"] = [folder / "household.csv"]
        result = run_match(paths, as_of=as_of, output=folder / "out")
        exp = oracle(household, records, None, as_of, legal_kinds=judged)
        gaps = pl.read_csv(folder / "out" / "legal_group_gaps.csv", infer_schema=False)
        got = set(gaps.select("公民身份号码", "类别代码", "单位编号").iter_rows())
        assert got == exp.legal_gaps
        event(f"members: {bool(exp.legal_members)}, gaps: {bool(exp.legal_gaps)}")
        summary = result.summary.to_dict()
        legal = summary["legal_groups"]
        assert legal["judged"] == list(judged)
        assert legal["persons"] == len(exp.legal_members)
        for kind in KINDS:
            count = sum(1 for g in exp.legal_gaps if g[1] == f"missing_{kind}")
            assert legal[f"missing_{kind}"] == (count if kind in judged else None)
        assert all(eq["ok"] for eq in summary["conservation"])


def test_the_unit_follow_up_names_the_employers_the_insured_units_list(tmp_path: Path) -> None:
    """With the unit rosters, legal_group_units shows each listed employer's USCC and name."""
    people = [pid("19800101", 101), pid("19850101", 103), pid("19900101", 105)]
    pl.DataFrame(
        {"公民身份号码": people, "姓名": ["甲", "乙", "丙"], "县区": ["340621"] * 3,
         "村(社区)": ["东村"] * 3, "常住地址": ["1号"] * 3, "人员状态": ["正常"] * 3}
    ).write_csv(tmp_path / "household.csv")  # fmt: skip
    employers = ["U1", "U2", "U1"]
    pension: list[list[str | None]] = [
        [p, n, "11", "340621", "参保缴费", e]
        for p, n, e in zip(people, "甲乙丙", employers, strict=True)
    ]
    injury: list[list[str | None]] = [[people[2], "丙", "30", "340621", "参保缴费", "U1"]]
    units = pl.DataFrame(
        {"统一社会信用代码": ["91340621MA2N0A1B3D"], "单位编号": [" U1 "],
         "单位名称": ["濉溪县某某=商贸有限公司"], "单位类型": ["企业"], "行政区划代码": ["340621"]}
    )  # fmt: skip
    units.write_csv(tmp_path / "units.csv")
    units.drop("单位类型").write_csv(tmp_path / "insured.csv")
    paths = {
        "household": [tmp_path / "household.csv"],
        "pension": [_write(tmp_path, "pension", pension)],
        "injury": [_write(tmp_path, "injury", injury)],
        "units": [tmp_path / "units.csv"],
        "insured_units": [tmp_path / "insured.csv"],
    }
    result = run_match(paths, as_of=date(2017, 6, 30), output=tmp_path / "out")
    assert result.summary.legal_groups is not None
    assert result.summary.legal_groups.missing_injury == 2
    got = pl.read_csv(tmp_path / "out" / "legal_group_units.csv", infer_schema=False)
    assert got.columns[:4] == ["单位编号", "统一社会信用代码", "单位名称", "法定群体未参保人数"]
    rows = {r["单位编号"]: r for r in got.to_dicts()}
    assert set(rows) == {"U1", "U2"}
    assert rows["U1"]["统一社会信用代码"] == "91340621MA2N0A1B3D"
    assert rows["U1"]["单位名称"] == "濉溪县某某=商贸有限公司"
    assert rows["U1"]["工伤保险应参未参人数"] == "1"
    assert rows["U2"]["单位名称"] is None and rows["U2"]["工伤保险应参未参人数"] == "1"
