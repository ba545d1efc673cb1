"""Spot checks (抽查): `intake --sample` draws a seeded stratified sample; the sheet counts."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from datetime import date
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric
from typer.testing import CliRunner

from canbao.cli import app
from canbao.forms import run_intake
from canbao.forms.intake import FACTS_FILE, INTAKE_JSON
from canbao.forms.spot_check import (
    SAMPLE_FILE,
    SHEET_FILE,
    STRATA_FILE,
    SampleSpec,
    draw_sample,
    parse_rate,
)
from canbao.synth.spot_checks import fill_spot_check_sheet
from tests.test_intake import _csv_sheet

AS_OF = date(2017, 6, 30)
GOOD = {
    "姓名": "张伟",
    "性别": "男",
    "是否入户调查": "是",
    "是否确认登记": "是",
    "就业状态": "4",
    "个人身份": "农民",
    "户口所在地": "安徽省淮北市",
    "常住地地址": "某镇某村11号",
    "手机": "13900000000",
    "养老保险": "12",
    "医疗保险": "22",
}
# (county, township, village, clerk or "" for blank, forms entered)
STRATA = (
    ("340621", "濉溪镇", "东关村", "张某", 60),
    ("340621", "濉溪镇", "东关村", "李某", 7),
    ("340621", "濉溪镇", "西关村", "张某", 1),
    ("340621", "韩村镇", "韩村", "", 25),
    ("340602", "台矿镇", "吕楼村", "王某", 20),
    ("340602", "台矿镇", "吕楼村", "赵某", 3),
)


def _id(county: str, n: int) -> str:
    first17 = f"{county}19800315{2 * n + 1:03d}"  # odd sequence: a man, like GOOD
    return first17 + ric.calc_check_digit(first17 + "X")  # the last character is ignored


def _rows() -> list[dict[str, str]]:
    rows, n = [], 0
    for county, town, village, clerk, size in STRATA:
        for _ in range(size):
            place = {"县区": county, "乡镇(街道)": town, "村(社区)": village, "经办人": clerk}
            rows.append({**GOOD, **place, "公民身份号码": _id(county, n)})
            n += 1
    # Not in the population: a form with a problem, and a person who did not confirm.
    rows.append({**rows[0], "公民身份号码": _id("340621", n), "手机": ""})
    rows.append({**rows[0], "公民身份号码": _id("340621", n + 1), "是否确认登记": "否"})
    return rows


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One entry sheet: two counties, four villages, three clerks and a blank clerk."""
    return _csv_sheet(tmp_path_factory.mktemp("spot") / "entry.csv", _rows())


def _sampled_ids(directory: Path) -> list[str]:
    return pl.read_csv(directory / SAMPLE_FILE, infer_schema=False)["公民身份号码"].to_list()


def test_sizes_per_stratum_and_county_are_as_documented(sheet: Path, tmp_path: Path) -> None:
    """Each stratum gives min(N, max(1, ceil(5 % of N))) forms; a county the sum of its strata."""
    result = run_intake([sheet], output=tmp_path / "o", as_of=AS_OF, sample=SampleSpec(seed=3))
    strata = pl.read_csv(tmp_path / "o" / STRATA_FILE, infer_schema=False)
    want = {
        (c, t, v, k or "未填写"): min(n, max(1, math.ceil(n * 5 / 100))) for c, t, v, k, n in STRATA
    }
    got = {
        (r["县区"], r["乡镇(街道)"], r["村(社区)"], r["经办人"]): int(r["抽查人数"])
        for r in strata.iter_rows(named=True)
    }
    assert got == want
    per_county: Counter[str] = Counter()
    for (county, *_), size in want.items():
        per_county[county] += size
    assert result.sample is not None
    assert {c: v["sampled"] for c, v in result.sample["per_county"].items()} == per_county
    sample = pl.read_csv(tmp_path / "o" / SAMPLE_FILE, infer_schema=False)
    assert sample.height == sum(per_county.values())
    counts = Counter(
        (r["县区"].split()[0], r["乡镇(街道)"], r["村(社区)"], r["经办人"])
        for r in sample.iter_rows(named=True)
    )
    assert counts == want
    recorded = json.loads((tmp_path / "o" / INTAKE_JSON).read_text(encoding="utf-8"))
    assert recorded["spot_check_sample"]["seed"] == 3
    assert (tmp_path / "o" / SHEET_FILE).is_file()


def test_same_seed_same_sample_other_seed_other_sample(sheet: Path, tmp_path: Path) -> None:
    """The same seed draws the same forms, also from the rows in another order; seeds differ."""
    rows = _rows()
    random.Random(1).shuffle(rows)
    shuffled = _csv_sheet(tmp_path / "shuffled.csv", rows)
    runs = {}
    for name, path, seed in (("a", sheet, 7), ("b", shuffled, 7), ("c", sheet, 8)):
        run_intake([path], output=tmp_path / name, as_of=AS_OF, sample=SampleSpec(seed=seed))
        runs[name] = _sampled_ids(tmp_path / name)
    assert sorted(runs["a"]) == sorted(runs["b"])
    assert sorted(runs["a"]) != sorted(runs["c"])
    assert len(runs["a"]) == len(runs["c"])


def test_another_rate_and_minimum(sheet: Path, tmp_path: Path) -> None:
    """--sample-rate 10% and --sample-min 2 change every stratum's size by the same rule."""
    spec = SampleSpec(seed=1, rate=parse_rate("10%"), minimum=2)
    run_intake([sheet], output=tmp_path / "o", as_of=AS_OF, sample=spec)
    sizes = Counter(r[0] for r in pl.read_csv(tmp_path / "o" / SAMPLE_FILE).iter_rows())
    want = sum(min(n, max(2, math.ceil(n / 10))) for *_, n in STRATA)
    assert sum(sizes.values()) == want
    assert parse_rate("2.5 %") == Fraction(1, 40)


def test_filled_sheet_is_counted_per_county(sheet: Path, tmp_path: Path) -> None:
    """Reading the filled spot-check sheet back counts agreeing, disagreeing and blank rows."""
    run_intake([sheet], output=tmp_path / "o", as_of=AS_OF, sample=SampleSpec(seed=5))
    filled = fill_spot_check_sheet(
        tmp_path / "o" / SHEET_FILE, tmp_path / "checked.xlsx", seed=2, disagree=0.3, blank=0.1
    )
    result = run_intake([sheet], output=tmp_path / "r", as_of=AS_OF, spot_checks=[filled.path])
    facts = {
        (r["县区"], r["指标"]): r["实际值"]
        for r in result.facts.iter_rows(named=True)
        if r["指标"].startswith("抽查")
    }
    assert sum(filled.disagree.values()) > 0
    for county in ("340602", "340621"):
        agree, disagree, blank = (
            filled.agree[county],
            filled.disagree[county],
            filled.blank[county],
        )
        assert facts[(county, "抽查一致人数")] == agree
        assert facts[(county, "抽查不一致人数")] == disagree
        assert facts[(county, "抽查未填写人数")] == blank
        assert facts[(county, "抽查人数")] == agree + disagree + blank
    written = pl.read_csv(tmp_path / "r" / FACTS_FILE, infer_schema=False)
    assert written.filter(pl.col("指标") == "抽查不一致人数").height == 2


def test_cli_sample_and_read_back(sheet: Path, tmp_path: Path) -> None:
    """`canbao intake --sample --seed` prints the sizes masked; a wrong answer stops with exit 3."""
    runner = CliRunner()
    args = ["intake", str(sheet), "--as-of", "2017-06-30", "--output", str(tmp_path / "o")]
    result = runner.invoke(app, [*args, "--sample", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "抽查样本（随机种子 4）：340602 2/23、340621 7/93" in result.output
    for pid in _sampled_ids(tmp_path / "o"):
        assert pid not in result.output
    bad = tmp_path / "bad.csv"
    first = _sampled_ids(tmp_path / "o")[0]
    bad.write_text(f"县区,公民身份号码,与入户调查一致\n340621,{first},可能\n", encoding="utf-8")
    args[-1] = str(tmp_path / "r")
    result = runner.invoke(app, [*args, "--spot-check", str(bad)])
    assert result.exit_code == 3
    assert "应为 是 或 否" in result.output and first not in result.output
    result = runner.invoke(app, [*args, "--sample", "--sample-rate", "0"])
    assert result.exit_code == 2


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 80), min_size=1, max_size=6),
    percent=st.integers(1, 100),
    minimum=st.integers(1, 5),
    seed=st.integers(0, 2**32),
)
def test_every_stratum_gets_its_size(
    sizes: list[int], percent: int, minimum: int, seed: int
) -> None:
    """For any strata, rate and minimum each stratum gives exactly its documented size."""
    rows = [
        {
            "县区": "340621",
            "乡镇(街道)": "镇",
            "村(社区)": f"村{s}",
            "经办人": "张某",
            "id_norm": _id("340621", s * 80 + j),  # sequence numbers stay below 1000
        }
        for s, size in enumerate(sizes)
        for j in range(size)
    ]
    entries = pl.DataFrame(rows).with_columns(
        pl.lit("是").alias("是否入户调查__code"),
        pl.lit("是").alias("是否确认登记__code"),
        pl.lit(True).alias("通过"),
        pl.col("id_norm").alias("公民身份号码"),
        pl.lit("f").alias("_file"),
        pl.int_range(pl.len()).alias("_row"),
    )
    spec = SampleSpec(seed=seed, rate=Fraction(percent, 100), minimum=minimum)
    sample, strata = draw_sample(entries, spec)
    got = Counter(sample["村(社区)"].to_list())
    for s, n in enumerate(sizes):
        assert got[f"村{s}"] == min(n, max(minimum, math.ceil(n * percent / 100)))
    assert strata["抽查人数"].sum() == sample.height
