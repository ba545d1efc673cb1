"""The matcher against a pure-Python reading of docs/match.md on small random rosters."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canbao.match import run_match
from tests.spec_oracle import check_char, oracle

AS_OF = date(2017, 6, 30)
BIRTHS = ["20010630", "20010701", "19500101", "20100505", "19800229", "19991231"]
NAMES = ["张三", "李四", "王五"]
STATUSES = ["参保缴费", "领取待遇", "暂停缴费", "终止参保"]
SCHEMES = ["11", "12", "13", "21", "22", "23", "30"]
REGIONS = ["340621", "340602", "340101", None]
ROSTER_OF = {"1": "pension", "2": "medical", "3": "injury"}


def make_id(region: str, birth: str, seq: int, corrupt: bool) -> str:
    """Build an 18-character ID, with a wrong check character when ``corrupt``."""
    first = f"{region}{birth}{seq:03d}"
    good = check_char(first)
    return first + (("0" if good != "0" else "1") if corrupt else good)


def sex_of(pid: str) -> str:
    """Sex from the sequence digit."""
    return "男" if int(pid[16]) % 2 else "女"


person = st.fixed_dictionaries(
    {
        "region": st.sampled_from(["340621", "340602"]),
        "birth": st.sampled_from(BIRTHS),
        "corrupt": st.booleans(),
        "status": st.sampled_from(["正常", "正常", "正常", "死亡", "迁出", "注销", None]),
        "name": st.sampled_from(NAMES),
        "sex": st.sampled_from(["none", "right", "wrong"]),
        "village": st.sampled_from(["v1", "v1", None]),
        "address": st.sampled_from(["addr", "addr", None]),
        "roster": st.sampled_from(["household", "household", "household", "floating"]),
    }
)
record = st.fixed_dictionaries(
    {
        "who": st.integers(min_value=-2, max_value=7),
        "scheme": st.sampled_from(SCHEMES),
        "region": st.sampled_from(REGIONS),
        "status": st.sampled_from(STATUSES),
        "name": st.sampled_from(["same", "same", "other", "none"]),
        "sex": st.sampled_from(["none", "right", "wrong"]),
        # The ID's own region: local, a retired code of the city, another city, another province.
        "outside_region": st.sampled_from(["340621", "340602", "340611", "340101", "320102"]),
        "corrupt": st.sampled_from([False, False, False, True]),
    }
)


def build(people: list[dict], recs: list[dict]) -> tuple[list[dict], list[dict]]:
    """Turn drawn people and records into household rows and enrolment rows with lines."""
    household, lines = [], {"household": 1, "floating": 1}
    for i, drawn in enumerate(people):
        # The first person is always on the household roster: a match needs one.
        p = {**drawn, "roster": "household"} if i == 0 else drawn
        lines[p["roster"]] += 1
        pid = make_id(p["region"], p["birth"], 100 + i, p["corrupt"] and i % 3 == 0)
        sex = {"none": None, "right": sex_of(pid), "wrong": "女" if sex_of(pid) == "男" else "男"}[
            p["sex"]
        ]
        household.append(
            {
                **p,
                "id": pid,
                "sex": sex,
                "file": f"{p['roster']}.csv",
                "line": lines[p["roster"]],
                "county": p["region"],
            }
        )
    records, lines = [], {"pension": 1, "medical": 1, "injury": 1}
    for j, r in enumerate(recs):
        if 0 <= r["who"] < len(household):
            owner = household[r["who"]]
            pid, name = owner["id"], owner["name"]
        else:
            pid, name = make_id(r["outside_region"], "19700101", 500 + j, r["corrupt"]), "外人"
        roster = ROSTER_OF[r["scheme"][0]]
        lines[roster] += 1
        valid_sex = sex_of(pid) if pid[16].isdigit() else "男"
        records.append(
            {
                "id": pid,
                "name": {"same": name, "other": "赵钱", "none": None}[r["name"]],
                "sex": {
                    "none": None,
                    "right": valid_sex,
                    "wrong": "女" if valid_sex == "男" else "男",
                }[r["sex"]],
                "scheme": r["scheme"],
                "region": r["region"],
                "status": r["status"],
                "roster": roster,
                "file": f"{roster}.csv",
                "line": lines[roster],
            }
        )
    return household, records


def write(household: list[dict], records: list[dict], folder: Path) -> dict[str, list[Path]]:
    """Write the rows as CSV rosters with Chinese headers (household and floating apart)."""
    paths: dict[str, list[Path]] = {"household": [], "floating": []}
    for kind in ("household", "floating"):
        rows = [h for h in household if h["roster"] == kind]
        if not rows and kind == "floating":
            continue
        heads = {
            "公民身份号码": "id",
            "姓名": "name",
            "性别": "sex",
            "县区": "county",
            "村(社区)": "village",
            "常住地址": "address",
            "人员状态": "status",
        }
        frame = pl.DataFrame(
            {c: [h[k] for h in rows] for c, k in heads.items()},
            schema={c: pl.String for c in heads},
        )
        frame.write_csv(folder / f"{kind}.csv")
        paths[kind].append(folder / f"{kind}.csv")
    paths |= {"pension": [], "medical": [], "injury": []}
    for roster in ("pension", "medical", "injury"):
        rows = [r for r in records if r["roster"] == roster]
        if not rows:
            continue
        cols = {
            "身份证号码": "id",
            "姓名": "name",
            "性别": "sex",
            "险种": "scheme",
            "参保地": "region",
            "参保状态": "status",
        }
        frame = pl.DataFrame(
            {c: [r[k] for r in rows] for c, k in cols.items()}, schema={c: pl.String for c in cols}
        )
        frame.write_csv(folder / f"{roster}.csv")
        paths[roster].append(folder / f"{roster}.csv")
    return paths


def read(out: Path, name: str) -> pl.DataFrame:
    """Read one result CSV with every column as a string."""
    return pl.read_csv(out / f"{name}.csv", infer_schema=False)


# --area as given: the default (the roster's counties, not explicit), the city, one county.
AREAS = [None, ["3406"], ["340621"]]


# Each example builds and matches whole rosters: generating them trips the too_slow check.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(person, min_size=1, max_size=8),
    st.lists(record, max_size=16),
    st.sampled_from(AREAS),
)
def test_sets_equal_the_plain_reading_of_the_spec(
    people: list[dict], recs: list[dict], area: list[str] | None
) -> None:
    """Every result set and count equals the oracle's, and the conservation equations hold."""
    household, records = build(people, recs)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = write(household, records, folder)
        # Invalid IDs are planted on purpose: the damaged-column stop is tested elsewhere.
        result = run_match(
            paths, as_of=AS_OF, area=area, output=folder / "out", accept_damaged_ids=True
        )
        # Injury is judged when its roster was given (docs/match.md, "Legal groups").
        exp = oracle(
            household, records, area, AS_OF, legal_kinds=("injury",)[: len(paths["injury"])]
        )
        out = folder / "out"
        survey = {
            r["公民身份号码"]: set(r["原因代码"].split(";"))
            for r in read(out, "needs_survey").to_dicts()
        }
        assert survey == exp.needs_survey
        for name in ("needs_survey", "confirmed", "uninsured"):
            for row in read(out, name).to_dicts():
                assert row["名册"] == exp.roster_of[row["公民身份号码"]], name
        uninsured = {
            r["公民身份号码"]: set(r["类别代码"].split(";"))
            for r in read(out, "uninsured").to_dicts()
        }
        assert uninsured == exp.uninsured
        gaps = read(out, "legal_group_gaps").select("公民身份号码", "类别代码", "单位编号")
        assert set(gaps.iter_rows()) == exp.legal_gaps
        type_code = {"养老": "1", "医疗": "2"}
        dups = {
            (r["公民身份号码"], type_code[r["险种类型"]], r["类别代码"])
            for r in read(out, "duplicates").to_dicts()
        }
        assert dups == exp.duplicates
        conflicts = read(out, "conflicts")
        got = {(r["来源文件"], int(r["行号"]), r["类别代码"]) for r in conflicts.to_dicts()}
        assert got == exp.conflicts
        assert conflicts.height == len(exp.conflicts)
        s = result.summary
        for key in (
            "household_rows",
            "target",
            "excluded",
            "needs_survey",
            "confirmed",
            "enrolment_rows",
        ):
            assert getattr(s, key) == exp.counts.get(key, 0), key
        for key in ("invalid_ids", "non_local", "not_in_household", "linked"):
            assert getattr(s, key) == exp.counts.get(key, 0), key
        assert not s.failed()
