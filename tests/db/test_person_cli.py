"""``canbao person`` and ``canbao decide`` on DuckDB and on a real PostgreSQL server: the history
as recorded, masked unless ``--field-view`` asks for the field team's view."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from canbao.cli import app
from canbao.db import (
    SnapshotMeta,
    decisions,
    open_database,
    record_ledger_confirmations,
    record_snapshot,
    record_survey_results,
)
from canbao.errors import EXIT_DATABASE, EXIT_INPUT, EXIT_USAGE
from canbao.match.vocabulary import DecisionKind, PersonState

runner = CliRunner()
PERSON = "34060219900101125X"
LEGACY = "340602900101125"  # the same person's 15-digit ID (no century, no check character)
MASKED = "340602********125X"
DECIDER = "欧阳娜娜"
JUNE, JULY, AUGUST = date(2017, 6, 30), date(2017, 7, 20), date(2017, 8, 31)


def _register(url: str) -> None:
    """June: needs a survey and in a conflict; visited in July, a ledger; August: confirmed."""
    june = pl.DataFrame(
        {
            "person_key": [PERSON, PERSON],
            "state": [PersonState.NEEDS_SURVEY.value, PersonState.CONFLICT.value],
            "detail": ["conflict", "name_mismatch"],
        }
    )
    august = pl.DataFrame(
        {"person_key": [PERSON], "state": [PersonState.CONFIRMED.value], "detail": [""]}
    )
    with open_database(url) as db:
        place = pl.DataFrame(
            {"person_key": [PERSON], "county": ["340602"], "township": ["台矿镇"],
             "village": ["吕楼村"]}
        )  # fmt: skip
        meta = SnapshotMeta(JUNE, "340602", [("household", "a")])
        record_snapshot(db, june, meta, places=place)
        visit = pl.DataFrame({"person_key": [PERSON], "confirmed": [True], "reason": ["91"]})
        record_survey_results(db, visit, JULY)
        ledger = pl.DataFrame({"person_key": [PERSON], "source": ["低保"]})
        record_ledger_confirmations(db, ledger, JULY)
        record_snapshot(db, august, SnapshotMeta(AUGUST, "340602", [("household", "b")]))


def invoke(*args: str) -> tuple[int, str]:
    """Run canbao; its exit code and everything it printed."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_decide_then_person_shows_the_whole_history_masked(
    new_database: Callable[[], str],
) -> None:
    """A decision by the 15-digit ID lands on the person; person prints every part, masked."""
    url = new_database()
    _register(url)
    code, out = invoke(
        "decide", LEGACY, "--db", url, "--kind", "conflict-resolved", "--by", DECIDER,
        "--reason", "户籍姓名已核对更正", "--on", "2017-07-25",
    )  # fmt: skip
    assert code == 0 and "从未有过" not in out, out  # the person was in a conflict
    with open_database(url) as db:
        stored = decisions(db)
    kind = DecisionKind.CONFLICT_RESOLVED.value
    assert stored.row(0) == (PERSON, kind, date(2017, 7, 25), DECIDER, "户籍姓名已核对更正")
    code, out = invoke("person", PERSON.lower(), "--db", url)
    assert code == 0, out
    assert PERSON not in out and PERSON.lower() not in out and DECIDER not in out
    assert MASKED in out and "欧***" in out
    for seen in ("直接确认登记", "2017-06-30 – 2017-08-31", "台矿镇 吕楼村", "姓名与户籍不符",
                 "已核实入库", "低保", "信息错误已人工更正", "户籍姓名已核对更正"):  # fmt: skip
        assert seen in out, seen
    code, out = invoke("person", PERSON, "--db", url, "--json", "--as-of", "2017-07-01")
    document = json.loads(out)
    assert code == 0 and document["masked"] and document["person"] == MASKED
    assert {row["state"] for row in document["current"]} == {
        PersonState.NEEDS_SURVEY.value,
        PersonState.CONFLICT.value,
    }
    assert len(document["history"]) == 3 and document["visits"][0]["visited"] == "2017-07-20"
    assert document["decisions"][0]["decided_by"] == "欧***"


def test_field_view_shows_the_full_id_and_name(new_database: Callable[[], str]) -> None:
    """Only --field-view prints the ID and the decider's name in full (and says so on stderr)."""
    url = new_database()
    _register(url)
    code, out = invoke("decide", PERSON, "--db", url, "--kind", "duplicate-cleaned", "--by",
                       DECIDER, "--reason", "城乡居民医保重复记录已停保")  # fmt: skip
    assert code == 0 and "1 人在登记库中从未有过对应的信息错误或重复参保记录" in out
    result = runner.invoke(app, ["person", PERSON, "--db", url, "--field-view"])
    assert result.exit_code == 0, result.output
    assert PERSON in result.stdout and DECIDER in result.stdout
    assert "未遮蔽" in result.stderr
    result = runner.invoke(app, ["person", PERSON, "--db", url, "--field-view", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["person"] == PERSON


def test_unknown_and_invalid_ids(new_database: Callable[[], str]) -> None:
    """A valid ID the register lacks is said so (exit 0); a broken ID is exit 2, masked; a
    DuckDB file that does not exist is not created (exit 8)."""
    url = new_database()
    if "://" not in url:
        code, out = invoke("person", "110101199003070011", "--db", url)
        assert code == EXIT_DATABASE and "不存在" in out and not Path(url).exists()
    open_database(url).close()
    code, out = invoke("person", "110101199003070011", "--db", url, "--json")
    assert code == 0 and json.loads(out)["known"] is False
    code, out = invoke("person", "340602199001011235", "--db", url)
    assert code == EXIT_USAGE and "340602199001011235" not in out and "340602********1235" in out


def test_decisions_from_a_file_are_checked_before_any_is_recorded(
    new_database: Callable[[], str], tmp_path: Path
) -> None:
    """A file with one bad row records nothing and names the row; fixed, both rows land once."""
    url = new_database()
    open_database(url).close()
    rows = {
        "公民身份号码": [PERSON, "340602198502023457"],
        "决定类型": ["重复参保已由经办机构清理", "conflict_resolved"],
        "决定日期": ["2017-08-01", "2017-08-02"],
        "决定人": ["张三", ""],
        "理由": ["停保", "核对"],
    }
    path = tmp_path / "decisions.csv"
    pl.DataFrame(rows).write_csv(path, include_bom=True)
    code, out = invoke("decide", "--db", url, "--file", str(path))
    assert code == EXIT_INPUT and "第 3 行 决定人" in out
    with open_database(url) as db:
        assert decisions(db).height == 0
    pl.DataFrame({**rows, "决定人": ["张三", "李四"]}).write_csv(path, include_bom=True)
    first = runner.invoke(app, ["decide", "--db", url, "--file", str(path), "--json"])
    assert first.exit_code == 0 and "从未有过" in first.stderr
    assert json.loads(first.stdout) == {"decisions": 2, "recorded": 2, "not_in_register": 2}
    again = runner.invoke(app, ["decide", "--db", url, "--file", str(path), "--json"])
    assert json.loads(again.stdout) == {"decisions": 2, "recorded": 0, "not_in_register": 2}
    code, out = invoke(
        "decide", PERSON, "--db", url, "--kind", "merged", "--by", "x", "--reason", "y"
    )
    assert code == EXIT_USAGE
