"""Benchmark: the fuzzy unit-name step of ``match_units``, the old per-unit loop against the new.

Generates ``--units`` insured and as many registry units over four counties (seeded): half the
registry units are insured under the same name, a fifth under a name with one typo, the rest not
at all. Both implementations get the same still-unmatched units (after the USCC and exact-name
steps) and run back to back, alternating, ``--runs`` times; the medians are printed. The machine's
speed drifts, so only the medians of alternated runs are comparable.

    uv run --locked python -m benchmarks.bench_units --units 20000 --runs 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import polars as pl
from tests.test_units_fuzzy import extract_loop

from canbao.match.units import _fuzzy_matched, _prepare

COUNTIES = {"340602": "杜集区", "340603": "相山区", "340604": "烈山区", "340621": "濉溪县"}
BRAND = (
    "华晨鑫源泰丰盛达宏兴隆昌福瑞祥和美佳新天恒通博远创金银海龙凤安康永利顺发强合众诚信德"
    "明光辉亿嘉豪峰聚荣腾飞鹏程宇航东方北南西中汇益万家乐春秋雨润雅诗兰馨宁静致远卓越精工"
)
TRADE = [
    "商贸", "科技", "建筑工程", "餐饮管理", "物流", "房地产开发", "农业发展", "机械制造",
    "电子", "服装", "医药", "建材", "装饰工程", "汽车销售", "文化传媒", "食品", "家具", "环保",
]  # fmt: skip
FORM = ["有限公司", "有限责任公司", "股份有限公司", "经营部", "商行"]
BRANCH = ["", "", "", "", "第一分公司", "第二分公司", "第三门市部", "二分店", "10号店"]


def company(rng: random.Random) -> str:
    """A plausible unit name: maybe the county, a brand, a trade, a legal form, maybe a branch."""
    place = rng.choice(["", "", "淮北市", *COUNTIES.values()])
    brand = "".join(rng.choices(BRAND, k=rng.randint(2, 4)))
    return place + brand + rng.choice(TRADE) + rng.choice(FORM) + rng.choice(BRANCH)


def typo(rng: random.Random, name: str) -> str:
    """The name with one character replaced by another brand character."""
    at = rng.randrange(len(name))
    return name[:at] + rng.choice(BRAND) + name[at + 1 :]


def rosters(units: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Insured and registry units (region, unit_name) as described in the module docstring."""
    rng = random.Random(seed)
    regions = list(COUNTIES)
    insured = [(rng.choice(regions), company(rng)) for _ in range(units)]
    registry = []
    for _ in range(units):
        region, name = rng.choice(insured)
        share = rng.random()
        if share < 0.5:
            registry.append((region, name))
        elif share < 0.7:
            registry.append((region, typo(rng, name)))
        else:
            registry.append((rng.choice(regions), company(rng)))
    schema = {"region": pl.String, "unit_name": pl.String}
    frames = (pl.DataFrame(rows, schema=schema, orient="row") for rows in (insured, registry))
    ins, reg = (
        _prepare(f.with_columns(pl.lit(None, pl.String).alias("uscc")).lazy(), ("安徽省", "淮北市"))
        for f in frames
    )
    names = ins.select("_county", "_name").drop_nulls().unique()
    return reg.join(names, on=["_county", "_name"], how="anti"), ins


def main() -> None:
    """Time both implementations alternately and print their medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    opts = parser.parse_args()
    left, ins = rosters(opts.units, opts.seed)
    times: dict[str, list[float]] = {"old": [], "new": []}
    results: dict[str, list[int]] = {}
    for _ in range(opts.runs):
        for label in ("old", "new"):
            start = time.perf_counter()
            if label == "old":
                results[label] = extract_loop(left, ins)
            else:
                results[label] = sorted(_fuzzy_matched(left, ins).to_list())
            times[label].append(time.perf_counter() - start)
    assert results["old"] == results["new"], "the two implementations disagree"
    print(f"registry units left for the fuzzy step: {left.height}, insured: {ins.height}")
    print(f"fuzzy matches: {len(results['new'])}")
    for label, runs in times.items():
        shown = ", ".join(f"{t:.2f}" for t in runs)
        print(f"{label}: median {statistics.median(runs):.2f} s ({shown})")


if __name__ == "__main__":
    main()
