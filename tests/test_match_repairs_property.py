"""Property: applying suggested links never breaks conservation nor links a record twice."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canbao.match import run_match
from tests.match_helpers import person, pid, read_csv, write_rosters
from tests.spec_oracle import check_char

AS_OF = date(2017, 6, 30)
NAMES = ["张三", "张珊", "李四"]

people = st.lists(
    st.fixed_dictionaries(
        {
            "birth": st.sampled_from(["19800101", "19800110"]),
            "seq": st.sampled_from([101, 103, 111, 113]),
            "name": st.sampled_from(NAMES),
            "status": st.sampled_from(["正常", "正常", "死亡"]),
        }
    ),
    min_size=1,
    max_size=5,
)
records = st.lists(
    st.fixed_dictionaries(
        {
            "who": st.integers(min_value=-1, max_value=4),
            "damage": st.sampled_from(["none", "typo", "swap", "check", "valid_typo", "short"]),
            "pos": st.integers(min_value=6, max_value=16),
            "digit": st.sampled_from("0123456789"),
            "name": st.sampled_from(["same", "same", "other"]),
            "scheme": st.sampled_from(["11", "21"]),
        }
    ),
    min_size=1,
    max_size=8,
)


def damaged(id18: str, rec: dict[str, object]) -> str:
    """The ID as a roster may carry it: a typo, a transposition, a wrong check, a dropped digit."""
    pos, digit = int(rec["pos"]), str(rec["digit"])  # type: ignore[call-overload]
    kind = rec["damage"]
    if kind == "typo":
        return id18[:pos] + digit + id18[pos + 1 :]
    if kind == "swap":
        return id18[:pos] + id18[pos + 1] + id18[pos] + id18[pos + 2 :]
    if kind == "check":
        return id18[:17] + ("0" if id18[17] != "0" else "1")
    if kind == "valid_typo":
        first = id18[:pos] + digit + id18[pos + 1 : 17]
        return first + check_char(first)
    if kind == "short":
        return id18[:pos] + id18[pos + 1 :]
    return id18


# Each example builds and matches whole rosters: generating them trips the too_slow check.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(people, records, st.sampled_from([0, 40, 80, 90, 100]))
def test_applying_links_keeps_conservation_and_links_each_record_once(
    persons: list[dict[str, object]], recs: list[dict[str, object]], min_score: int
) -> None:
    """Whatever the typos and the threshold, every equation holds and no record links twice."""
    ids = [pid(str(p["birth"]), int(p["seq"])) for p in persons]  # type: ignore[call-overload]
    household = [
        person(i, str(p["name"]), str(p["status"])) for i, p in zip(ids, persons, strict=True)
    ]
    rows: list[list[str | None]] = []
    for rec in recs:
        who = int(rec["who"])  # type: ignore[call-overload]
        base = ids[who] if 0 <= who < len(ids) else pid("19700505", 777)
        owner = str(persons[who]["name"]) if 0 <= who < len(ids) else "王五"
        name = owner if rec["name"] == "same" else "赵六"
        rows.append([damaged(base, rec), name, str(rec["scheme"]), "340621", "参保缴费"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        args = write_rosters(folder, household, rows)
        result = run_match(
            args,
            as_of=AS_OF,
            output=folder / "out",
            apply_links=min_score,
            accept_damaged_ids=True,  # invalid IDs planted on purpose
        )
        summary = result.summary
        assert not summary.failed()
        assert summary.enrolment_rows == len(rows)
        applied = read_csv(folder / "out" / "applied_links.csv")
        links = read_csv(folder / "out" / "suggested_links.csv")
    assert applied.height == summary.applied_links
    assert applied.select("来源文件", "行号").is_unique().all()
    assert set(applied["公民身份号码"]) <= set(ids)
    assert all(int(s) >= min_score for s in applied["得分"])
    # The applied person is the only one at the record's top score.
    top = (
        links.with_columns(pl.col("得分").cast(pl.Int64))
        .filter(pl.col("得分") == pl.col("得分").max().over("来源文件", "行号"))
        .group_by("来源文件", "行号")
        .agg(pl.col("公民身份号码").unique().alias("tops"))
    )
    checked = applied.join(top, on=["来源文件", "行号"], how="left")
    for person_id, tops in checked.select("公民身份号码", "tops").iter_rows():
        assert tops == [person_id]
