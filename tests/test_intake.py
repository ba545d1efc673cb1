"""Intake: a real match, the survey forms, a clerk's filled sheets with planted mistakes, score."""

from __future__ import annotations

import csv
import os
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.forms import (
    IntakeResult,
    run_intake,
    write_survey_forms,
)
from canbao.forms.form_codes import ENTRY_HEADINGS
from canbao.forms.intake_checks import PROBLEMS
from canbao.synth._entry_sheets import PlantedMistakes, fill_sample_entry_sheet
from tests.test_match_examples import match_args

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules" / "huaibei-2017.yaml"
CHANGZHOU = ROOT / "rules" / "changzhou-2016.yaml"
AS_OF = date(2017, 6, 30)
PERSON_FACTS = (
    "开展入户调查人数",
    "已通过入户调查确认登记人数",
    "登记信息入库人数",
    "应保未保人数",
)


def _cli(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """canbao match on examples/city -> forms survey -> a clerk fills the sheets -> intake."""
    base = tmp_path_factory.mktemp("chain")
    match = base / "match"
    _cli(*match_args(match))
    forms = write_survey_forms(match, base / "forms", by="township")
    planted = fill_sample_entry_sheet(base / "forms", base / "filled", seed=5, as_of=AS_OF)
    needs = pl.read_csv(match / "needs_survey.csv", infer_schema=False)
    counts = dict(needs.group_by("县区").len().iter_rows())
    confirmed = {c: planted.facts[(c, "已通过入户调查确认登记人数")] for c in counts}
    diff = dict(zip(sorted(counts), [3, 25, 0, 12], strict=False))
    summary = base / "汇总表.csv"
    with summary.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["县区", "指标", "实际值"])
        for i, (county, d) in enumerate(diff.items()):
            name = "全民参保登记信息汇总表人数" if i % 2 else "已通过入户调查确认登记人数"
            out.writerow([county, name, confirmed[county] + d])
    result = run_intake(
        planted.files,
        output=base / "intake",
        survey=match,
        summary=summary,
        as_of=AS_OF,
        rules=RULES,
    )
    return {
        "base": base,
        "match": match,
        "forms": forms,
        "planted": planted,
        "result": result,
        "needs": counts,
        "diff": diff,
    }


def _found(result: IntakeResult) -> set[tuple[str, int, str, str]]:
    return {
        (r["文件"], r["行号"], r["项目"], r["原因代码"])
        for r in result.problems.iter_rows(named=True)
    }


def test_every_kind_was_planted(chain: dict[str, Any]) -> None:
    """The synthetic city has a person for every kind of mistake, so none was skipped."""
    planted: PlantedMistakes = chain["planted"]
    assert planted.skipped == []
    assert sorted(p.reason for p in planted.planted) == sorted(PROBLEMS)


def test_intake_finds_exactly_the_planted_mistakes(chain: dict[str, Any]) -> None:
    """Intake reports the planted mistakes (and the roster's own invalid IDs) and nothing else."""
    planted: PlantedMistakes = chain["planted"]
    assert _found(chain["result"]) == planted.expected()


def test_intake_counts_the_persons_as_the_clerk_filled_them(chain: dict[str, Any]) -> None:
    """Visited, confirmed, entered and still uninsured agree with the clerk's own tally."""
    facts = {(c, k): v for c, k, v in chain["result"].facts.iter_rows()}
    planted: PlantedMistakes = chain["planted"]
    for county, needed in chain["needs"].items():
        assert facts[(county, "需入户调查人数")] == needed
        for name in PERSON_FACTS:
            assert facts[(county, name)] == planted.facts[(county, name)], (county, name)
        assert facts[(county, "通过扩面新增入库人数")] == facts[(county, "入户调查后的新参保人数")]
    total_errors = sum(v for (c, k), v in facts.items() if k == "录入错误数")
    assert total_errors == len(planted.expected())


def test_summary_difference_for_indicator_32(chain: dict[str, Any]) -> None:
    """The reported totals minus the counted forms give indicator 32's difference per county."""
    facts = {(c, k): v for c, k, v in chain["result"].facts.iter_rows()}
    for county, diff in chain["diff"].items():
        assert facts[(county, "汇总表与登记表差异人数")] == diff
        assert facts[(county, "全民参保登记信息汇总表人数")] == (
            facts[(county, "全民参保登记表人数")] + diff
        )


def _band(rate: Fraction, top: Fraction, points: str, half: str) -> Decimal:
    if rate >= top:
        return Decimal(points)
    return Decimal(half) if rate >= Fraction(6, 10) else Decimal(0)


def test_score_on_intake_output(chain: dict[str, Any]) -> None:
    """canbao score on intake's submission plus a county's own answers gives the expected scores."""
    from canbao.score import score_files

    base: Path = chain["base"]
    result: IntakeResult = chain["result"]
    assert result.submission is not None
    provided = set(result.submission["指标"].unique())
    answers = pl.read_csv(
        ROOT / "examples" / "score" / "huaibei-2017-submission.csv", infer_schema=False
    ).filter(pl.col("县区") == "濉溪县")
    answers = answers.filter(~pl.col("指标").is_in([*provided, "32"]))
    own = pl.concat([answers.with_columns(pl.lit(c).alias("县区")) for c in chain["needs"]])
    own.write_csv(base / "answers.csv")
    scored = score_files(
        RULES, [base / "answers.csv", base / "intake" / "submission.csv"], output=base / "score"
    )
    planted: PlantedMistakes = chain["planted"]
    facts = {(c, k): v for c, k, v in result.facts.iter_rows()}
    for county in scored.evaluation.counties:
        c, needed = county.county, chain["needs"][county.county]
        tally = {k: planted.facts[(c, k)] for k in PERSON_FACTS}
        score = {n: h.score for n, h in county.hits.items()}
        assert score["25"] == _band(
            Fraction(tally["开展入户调查人数"], needed), Fraction(9, 10), "3", "1.5"
        )
        assert score["26"] == _band(
            Fraction(tally["已通过入户调查确认登记人数"], needed), Fraction(9, 10), "3", "1.5"
        )
        assert score["27"] == _band(
            Fraction(tally["登记信息入库人数"], tally["已通过入户调查确认登记人数"]),
            Fraction(9, 10),
            "3",
            "1.5",
        )
        new = facts[(c, "通过扩面新增入库人数")]
        assert score["28"] == (Decimal(3) if new >= 100 else Decimal("1.5") if new >= 10 else 0)
        diff = abs(facts.get((c, "汇总表与登记表差异人数"), 0))
        if (c, "汇总表与登记表差异人数") in facts:
            assert score["32"] == (Decimal(6) if diff <= 5 else Decimal(3) if diff < 20 else 0)


def test_changzhou_item_11_from_the_error_count(chain: dict[str, Any], tmp_path: Path) -> None:
    """With the Changzhou rules, item 11 receives the entry-error count (0.5 off per error)."""
    from canbao.forms.intake import submission_for

    sub = submission_for(chain["result"].facts, CHANGZHOU)
    errors = chain["result"].facts.filter(pl.col("指标") == "录入错误数")
    assert (
        sub.filter(pl.col("指标") == "11").rows()
        == errors.with_columns(pl.lit("11").alias("指标")).rows()
    )


def _csv_sheet(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=list(ENTRY_HEADINGS))
        out.writeheader()
        for row in rows:
            out.writerow({h: row.get(h, "") for h in ENTRY_HEADINGS})
    return path


GOOD = {
    "县区": "340621",
    "姓名": "张伟",
    "公民身份号码": "340621198003150119",
    "性别": "男",
    "是否入户调查": "是",
    "是否确认登记": "是",
    "就业状态": "4",
    "个人身份": "农民",
    "户口所在地": "安徽省淮北市濉溪县",
    "常住地地址": "濉溪镇东关村11号",
    "手机": "13900000000",
    "养老保险": "12",
    "医疗保险": "城镇居民(含城乡统筹)基本医疗保险",
}


@pytest.mark.parametrize(
    ("change", "item", "reason"),
    [
        ({"公民身份号码": "3.40621198003150E+17"}, "公民身份号码", "invalid_id"),
        ({"养老保险": "21"}, "养老保险", "bad_code"),
        ({"就业状态": "待业"}, "就业状态", "bad_code"),
        ({"是否入户调查": ""}, "是否入户调查", "missing_item"),
        ({"手机": ""}, "手机/固定电话", "missing_item"),
        ({"养老保险": "", "医疗保险": ""}, "现参保情况/未参保原因", "missing_item"),
        ({"就业状态": "已单位就业"}, "工作单位名称", "missing_item"),
        ({"医疗保险": "22、23"}, "医疗保险", "multiple_schemes"),
        ({"未参保原因": "91"}, "未参保原因", "reason_with_insurance"),
        ({"就业状态": "1 学龄前"}, "就业状态", "preschool_age"),
        ({"就业状态": "5"}, "就业状态", "retired_too_young"),
        ({"个人身份": "退休人员"}, "个人身份", "retired_too_young"),
        ({"性别": "女"}, "性别", "sex_mismatch"),
    ],
)
def test_one_check_per_mistake_in_a_csv_sheet(
    tmp_path: Path, change: dict[str, str], item: str, reason: str
) -> None:
    """A CSV entry sheet with one mistake gives exactly that problem, on the row's CSV line."""
    other = {**GOOD, "姓名": "李秀英", "公民身份号码": "340621198507200220", "性别": "女"}
    path = _csv_sheet(tmp_path / "entry.csv", [other, {**GOOD, **change}])
    result = run_intake([path], output=tmp_path / "out", as_of=AS_OF)
    assert _found(result) == {(str(path), 3, item, reason)}


def test_codes_labels_and_both_are_accepted(tmp_path: Path) -> None:
    """Codes, labels, 'code label' and full-width spellings of the same items all pass."""
    variants = [
        {"就业状态": "灵活就业", "养老保险": "12 城乡居民基本养老保险（含城居保和新农保）"},
        {"就业状态": "４", "医疗保险": "22", "工伤保险": "30 工伤保险", "失业保险": "40"},
    ]
    ids = ("340621198003150119", "340621198507200220")
    sexes = ("男", "女")
    rows = [
        {**GOOD, **v, "公民身份号码": i, "性别": s}
        for v, i, s in zip(variants, ids, sexes, strict=True)
    ]
    path = _csv_sheet(tmp_path / "e.csv", rows)
    assert run_intake([path], output=tmp_path / "o", as_of=AS_OF).problems.height == 0


def test_intake_cli_masks_people(chain: dict[str, Any], tmp_path: Path) -> None:
    """`canbao intake` prints the counts and masked problems, never a full ID or name."""
    planted: PlantedMistakes = chain["planted"]
    args = [
        "intake",
        *map(str, planted.files),
        "--survey",
        str(chain["match"]),
        "--as-of",
        "2017-06-30",
        "--output",
        str(tmp_path / "o"),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    n = len(planted.expected())
    assert lines[0].startswith(
        f"从 {len(planted.files)} 个文件读取 {chain['result'].rows} 行；{n} 个问题："
    )
    problems = chain["result"].problems
    for full_id, name in problems.select("公民身份号码", "姓名").iter_rows():
        if full_id and len(full_id) == 18:
            assert full_id not in result.stdout
        if name and len(name) > 1:
            assert f" {name} " not in result.stdout
    assert lines[-1] == f"考核所需数据已写入 {tmp_path / 'o' / 'facts.csv'}"


def test_intake_cli_missing_headings(tmp_path: Path) -> None:
    """A sheet without the entry headings is an input error (exit 3) that names the fix."""
    bad = tmp_path / "x.csv"
    bad.write_text("公民身份号码,姓名\n340621198003150119,张伟\n", encoding="utf-8")
    args = ["intake", "--quiet", str(bad), "--output", str(tmp_path / "o")]  # no progress
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3
    assert result.stderr.startswith(f"错误：{bad}：缺少表头 县区, 乡镇(街道), ")
    assert result.stderr.endswith("修正方法：保留 `canbao forms survey` 写出的信息录入表的表头\n")


def test_intake_reads_a_match_written_as_xlsx(chain: dict[str, Any], tmp_path: Path) -> None:
    """`intake --survey` on the same match written with --format xlsx counts the same facts."""
    planted: PlantedMistakes = chain["planted"]
    _cli(*match_args(tmp_path / "match_xlsx"), "--format", "xlsx")
    assert not (tmp_path / "match_xlsx" / "needs_survey.csv").exists()
    facts = []
    for name, survey in (("csv", chain["match"]), ("xlsx", tmp_path / "match_xlsx")):
        out = tmp_path / f"intake_{name}"
        _cli(
            "intake",
            *map(str, planted.files),
            *("--survey", str(survey), "--as-of", "2017-06-30", "--output", str(out)),
        )
        facts.append((out / "facts.csv").read_bytes())
    assert facts[0] == facts[1]


def test_intake_takes_the_folder_of_filled_sheets(chain: dict[str, Any], tmp_path: Path) -> None:
    """A folder stands for the entry sheets inside it (not the rosters, forms and index beside
    them): the same facts as the files named one by one."""
    planted: PlantedMistakes = chain["planted"]
    common = Path(os.path.commonpath([str(p) for p in planted.files]))
    (common / "~$锁定.xlsx").write_bytes(b"an Excel lock file, not a sheet")
    (common / "index.csv").write_text("县区,文件\n", encoding="utf-8")
    (common / "入户调查对象名册.xlsx").write_bytes(b"a roster canbao wrote, not a sheet")
    runs = {}
    for name, given in (("files", [str(p) for p in planted.files]), ("folder", [str(common)])):
        out = tmp_path / name
        args = ["intake", *given, "--survey", str(chain["match"]), "--as-of", "2017-06-30"]
        result = CliRunner().invoke(app, [*args, "--output", str(out)])
        assert result.exit_code == 0, result.output
        runs[name] = (out / "facts.csv").read_bytes(), result.stdout.splitlines()[0]
    assert len(planted.files) > 1
    assert runs["folder"] == runs["files"]
    assert f"从 {len(planted.files)} 个文件" in runs["folder"][1]


def test_intake_refuses_a_folder_without_sheets(tmp_path: Path) -> None:
    """An empty folder is a clear error (exit 3), not an intake of nothing."""
    (tmp_path / "空").mkdir()
    args = [
        "intake",
        str(tmp_path / "空"),
        "--as-of",
        "2017-06-30",
        "--output",
        str(tmp_path / "o"),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3
    assert "中没有名为 …录入表… 的 .xlsx 或 .csv 录入表" in result.output
