"""Scoring errors: one message naming county, indicator and value; exit 6; nothing written."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from canbao.cli import app
from canbao.score import load_rules, read_submission, score_evaluation

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "score"
HUAIBEI = ROOT / "rules" / "huaibei-2017.yaml"
CHANGZHOU = ROOT / "rules" / "changzhou-2016.yaml"
runner = CliRunner()


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def _edited(tmp_path: Path, source: str, changes: dict[tuple[str, str], str | None]) -> Path:
    rows = _rows(EXAMPLES / source)
    out = [rows[0]]
    for county, key, value in rows[1:]:
        if (county, key) in changes:
            new = changes[(county, key)]
            if new is None:
                continue
            value = new
        out.append([county, key, value])
    path = tmp_path / source
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(out)
    return path


def _score(rules: Path, sub: Path, out: Path) -> tuple[int, str]:
    # --quiet: no progress lines, so the error is the first line of stderr.
    args = ["score", "--quiet", "--rules", str(rules), str(sub), "--output", str(out)]
    result = runner.invoke(app, args)
    return result.exit_code, result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            (("濉溪县", "21"), "优"),
            "县区 濉溪县，指标 21 培训效果：未知等级 '优'（应为 好/中/差）",
        ),
        (
            (("濉溪县", "1"), "也许"),
            "县区 濉溪县，指标 1 建立县区级领导小组：'也许' 不是“是”或“否”",
        ),
        (
            (("濉溪县", "32"), None),
            "县区 濉溪县，指标 32 《全民参保登记信息汇总表》与《全民参保登记表》一致："
            "没有实际值，也没有 全民参保登记信息汇总表人数 / 全民参保登记表人数 行",
        ),
        (
            (("杜集区", "26"), "105%"),
            "县区 杜集区，指标 26 入户调查完成率：实际值 105% 超出 [0,1]",
        ),
        (
            (("杜集区", "19"), "2.5"),
            "县区 杜集区，指标 19 培训的场次数：'2.5' 不是以场计的整数",
        ),
        (
            (("杜集区", "25"), "92"),
            "县区 杜集区，指标 25 入户率：'92' 不是比例（写作 23/25 或 92%）",
        ),
    ],
)
def test_huaibei_value_errors(
    tmp_path: Path, change: tuple[tuple[str, str], str | None], message: str
) -> None:
    """Each bad value gives exit 6, one line naming county, indicator and value, no output."""
    sub = _edited(tmp_path, "huaibei-2017-submission.csv", {change[0]: change[1]})
    code, err = _score(HUAIBEI, sub, tmp_path / "out")
    assert code == 6
    assert f"  {message}" in err.splitlines() or message in err.splitlines()
    assert not (tmp_path / "out").exists()


def test_value_in_no_band(tmp_path: Path) -> None:
    """A negative amount falls in no band of indicator 7 (domain [0,+∞))."""
    sub = _edited(tmp_path, "huaibei-2017-submission.csv", {("杜集区", "7"): "-3"})
    code, err = _score(HUAIBEI, sub, tmp_path / "out")
    assert code == 6
    assert "县区 杜集区，指标 7 投入经费的数额：实际值 -3万元 超出 [0,+∞)" in err


def test_award_above_maximum_and_missing_fee_fact(tmp_path: Path) -> None:
    """Every problem is listed at once: an award above the points and a missing fee fact."""
    sub = _edited(
        tmp_path,
        "changzhou-2016-submission.csv",
        {("天宁区", "2"): "6", ("钟楼区", "实际录入人数"): None},
    )
    code, err = _score(CHANGZHOU, sub, tmp_path / "out")
    assert code == 6
    lines = err.splitlines()
    assert lines[0] == "错误：报送数据中有 2 处问题："
    assert "县区 天宁区，指标 2 召开全民参保登记工作动员大会。：评定分 6 高于满分 5" in lines
    assert "县区 钟楼区，考核费用：没有 实际录入人数 行（计算考核费用需要它）" in lines
    assert not (tmp_path / "out").exists()


def test_unknown_indicator(tmp_path: Path) -> None:
    """A row naming no indicator or fact is refused with its file and line."""
    sub = _edited(tmp_path, "changzhou-2016-submission.csv", {("新北区", "14"): None})
    with sub.open("a", encoding="utf-8") as f:
        f.write("新北区,15,3\n")
    code, err = _score(CHANGZHOU, sub, tmp_path / "out")
    assert code == 6
    assert "县区 新北区，指标 15：未知指标（实际值 3；changzhou-2016-submission.csv:46）" in err
    assert (
        "县区 新北区，指标 14 撰写本辖区全民参保登记工作分析报告并报送市人社部门。："
        "没有实际值：缺少该指标" in err
    )


def test_rules_with_errors_refuse_to_score(tmp_path: Path) -> None:
    """A rule file with check errors exits 5 before any submission is read."""
    code, err = _score(
        EXAMPLES / "huaibei-2017-literal.yaml", tmp_path / "missing.csv", tmp_path / "o"
    )
    assert code == 5
    assert err.startswith("错误：规则文件中有 5 处问题：")


def test_evaluation_table_workbook_is_read(tmp_path: Path) -> None:
    """An evaluation-table sheet (heading row with 实际值, numbered indicator rows) is read."""
    book = Workbook()
    sheet = book.active
    sheet.title = "新北区"
    sheet.append(["常州市市本级全民参保登记工作考核表"])
    sheet.append(["考核项目", "考核标准", "标准分", "实际值"])
    sheet.append(["组织领导（15分）", "1.制订全民参保登记工作实施方案。", 5, 4.5])
    sheet.append([None, "2.召开全民参保登记工作动员大会。", 5, 5])
    path = tmp_path / "form.xlsx"
    book.save(path)
    rows = read_submission(path)
    assert [(r.county, r.key, r.value, r.line) for r in rows] == [
        ("新北区", "1", "4.5", 3),
        ("新北区", "2", "5", 4),
    ]


def test_self_scores_above_review_are_flagged() -> None:
    """Self scores are shown beside the final review scores and higher ones are listed."""
    ev = score_evaluation(
        load_rules(HUAIBEI),
        [EXAMPLES / "huaibei-2017-submission.csv", EXAMPLES / "huaibei-2017-submission.xlsx"],
        self_files=[EXAMPLES / "huaibei-2017-self.csv"],
    )
    by = {c.name: c for c in ev.counties}
    assert by["杜集区"].above_review() == ["24", "35"]
    assert by["烈山区"].above_review() == []
    assert (by["烈山区"].self_total, by["烈山区"].total) == (Decimal("88.5"), Decimal("90"))
