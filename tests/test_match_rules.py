"""The matcher on hand-made cases that pin down single rules of docs/match.md."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from canbao.match import run_match
from canbao.match.summary_model import MatchSummary
from canbao.match.vocabulary import ConflictKind, DuplicateKind, UninsuredFlag
from tests.match_helpers import person, pid, read_csv, write_rosters

AS_OF = date(2017, 6, 30)


def _run(tmp_path: Path, household: list, enrolment: list) -> MatchSummary:
    args = write_rosters(tmp_path, household, enrolment)
    # One-person rosters with an invalid ID on purpose: not a damaged column.
    return run_match(args, as_of=AS_OF, output=tmp_path / "out", accept_damaged_ids=True).summary


def _flags(tmp_path: Path) -> dict[str, str]:
    rows = read_csv(tmp_path / "out" / "uninsured.csv").to_dicts()
    return {r["公民身份号码"]: r["类别代码"] for r in rows}


def test_sixteenth_birthday_on_the_as_of_date_counts_as_sixteen(tmp_path: Path) -> None:
    """Turning 16 on the as-of date requires pension; turning 16 a day later does not."""
    today, tomorrow = pid("20010630", 101), pid("20010701", 103)
    records = [
        [today, "张三", "22", "340621", "参保缴费"],
        [tomorrow, "李四", "22", "340621", "参保缴费"],
    ]
    summary = _run(tmp_path, [person(today), person(tomorrow, "李四")], records)
    assert _flags(tmp_path) == {today: "missing_pension"}
    assert summary.uninsured_flags[UninsuredFlag.MISSING_PENSION] == 1


def test_suspended_only_pension_is_interrupted(tmp_path: Path) -> None:
    """A suspended pension record alone leaves pension uncovered: interrupted."""
    p = pid("19800101")
    records = [[p, "张三", "11", "340621", "暂停缴费"], [p, "张三", "21", "340621", "参保缴费"]]
    _run(tmp_path, [person(p)], records)
    assert _flags(tmp_path) == {p: "missing_pension;interrupted"}


def test_terminated_only_is_missing_but_not_interrupted(tmp_path: Path) -> None:
    """A terminated record covers nothing and is not an interruption."""
    p = pid("19800101")
    records = [[p, "张三", "11", "340621", "终止参保"], [p, "张三", "21", "340621", "参保缴费"]]
    _run(tmp_path, [person(p)], records)
    assert _flags(tmp_path) == {p: "missing_pension"}


def test_receiving_records_count_as_active(tmp_path: Path) -> None:
    """A pensioner receiving benefits and paying medical is covered and confirmed."""
    p = pid("19500101")
    records = [[p, "张三", "12", "340621", "领取待遇"], [p, "张三", "22", "340621", "参保缴费"]]
    summary = _run(tmp_path, [person(p)], records)
    assert summary.uninsured == 0
    assert summary.confirmed == 1


def test_deceased_person_with_receiving_record_is_deceased_enrolled(tmp_path: Path) -> None:
    """A dead person's receiving record is deceased_enrolled, listed before paying ones."""
    dead, dead2 = pid("19300101", 101), pid("19400101", 103)
    records = [
        [dead2, "李四", "21", "340621", "参保缴费"],
        [dead, "张三", "12", "340621", "领取待遇"],
    ]
    summary = _run(tmp_path, [person(dead, status="死亡"), person(dead2, "李四", "注销")], records)
    conflicts = read_csv(tmp_path / "out" / "conflicts.csv")
    deceased = conflicts.filter(conflicts["类别代码"] == "deceased_enrolled")
    assert deceased["公民身份号码"].to_list() == [dead, dead2]
    assert deceased["参保状态"].to_list() == ["领取待遇", "参保缴费"]
    assert summary.excluded == 2
    assert summary.target == 0


def test_person_with_invalid_household_id_goes_to_survey_but_not_uninsured(tmp_path: Path) -> None:
    """An invalid household ID cannot be linked: survey reason invalid_id, not counted uninsured."""
    bad = pid("19800101")[:17] + ("0" if pid("19800101")[17] != "0" else "1")
    summary = _run(tmp_path, [person(bad)], [])
    survey = read_csv(tmp_path / "out" / "needs_survey.csv")
    assert survey["原因代码"].to_list() == ["invalid_id"]
    assert summary.uninsured == 0
    assert summary.household_invalid_ids == 1


def test_duplicates_do_not_send_a_person_to_the_survey(tmp_path: Path) -> None:
    """Cross-scheme duplicates are listed but the person is confirmed."""
    p = pid("19800101")
    records = [
        [p, "张三", "11", "340621", "参保缴费"],
        [p, "张三", "12", "340621", "参保缴费"],
        [p, "张三", "21", "340621", "参保缴费"],
        [p, "张三", "21", "340101", "参保缴费"],
    ]
    summary = _run(tmp_path, [person(p)], records)
    assert summary.duplicates[DuplicateKind.CROSS_SCHEME] == 1
    assert summary.duplicates[DuplicateKind.CROSS_REGION] == 1
    assert summary.confirmed == 1


def test_summary_inputs_list_rows_and_checksums(tmp_path: Path) -> None:
    """Each input file is listed with its rows, format, encoding and sha256."""
    p = pid("19800101")
    summary = _run(tmp_path, [person(p)], [[p, "张三", "21", "340621", "参保缴费"]])
    inputs = {Path(i.file).name: i for i in summary.inputs}
    assert inputs["household.csv"].rows == 1
    assert inputs["records.csv"].rows == 1
    assert len(inputs["records.csv"].sha256) == 64


def test_a_duplicate_is_named_after_the_first_record_with_a_name(tmp_path: Path) -> None:
    """Records spelling the name differently: the duplicates row takes the first one, by line."""
    p = pid("19800101")
    records = [
        [p, None, "11", "340621", "参保缴费"],
        [p, "张叁", "12", "340621", "参保缴费"],
        [p, "张三", "11", "340101", "参保缴费"],
    ]
    _run(tmp_path, [person(p)], records)
    rows = read_csv(tmp_path / "out" / "duplicates.csv").to_dicts()
    assert {(r["类别代码"], r["姓名"]) for r in rows} == {
        ("cross_scheme", "张叁"),
        ("cross_region", "张叁"),
    }


def test_middle_dot_spellings_are_not_a_name_mismatch(tmp_path: Path) -> None:
    """Bullets, doubled or trailing dots and zero-width spaces spell the household's name."""
    p = pid("19800101")
    spellings = ["阿依古丽•买买提", "阿依古丽··买买提", "阿依古丽·买买提·", "阿依古丽\u200b·买买提"]
    records = [[p, name, "12", "340621", "参保缴费"] for name in spellings]
    summary = _run(tmp_path, [person(p, name="阿依古丽·买买提")], records)
    assert summary.conflicts[ConflictKind.NAME_MISMATCH] == 0
