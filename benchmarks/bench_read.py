"""Benchmark: read a large household roster (UTF-8 and GB18030 CSV) and validate its IDs.

Generates a synthetic roster of ``--rows`` persons (vectorised, polars only), writes it as
UTF-8 and as GB18030 CSV, then for each file runs, each in a fresh subprocess, two steps:
``read`` (``read_roster`` and the ``id`` column of every row, the reader alone) and ``ids``
(``read_roster`` plus a streaming ``group_by`` count of ``with_citizen_id`` reasons). It
reports time, rows/s and the subprocess's peak RSS and peak anonymous memory as a markdown
table. ``--exact`` repeats every step with the exact line reader forced (the fast path off).

    uv run --locked python benchmarks/bench_read.py --rows 5000000 --dir /tmp/canbao-bench --exact
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl

from canbao.ids import check_char_expr

COUNTIES = ["340621", "340602", "340603", "340604"]
TOWNS = ["濉溪镇", "韩村镇", "高岳街道", "相山街道", "任楼街道", "烈山镇", "宋疃镇", "朔里镇"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红")


def _pick(values: list[str], h: pl.Expr) -> pl.Expr:
    return (h % len(values)).replace_strict(dict(enumerate(values)), return_dtype=pl.String)


def generate(rows: int) -> pl.DataFrame:
    """A household roster with valid IDs (about 0.5 % made invalid), built without Python loops."""
    i = pl.int_range(rows, dtype=pl.UInt64)
    h1, h2, h3 = i.hash(1), i.hash(2), i.hash(3)
    birth = pl.lit(date(1930, 1, 1)) + pl.duration(days=(h1 % 32000).cast(pl.Int64))
    county = _pick(COUNTIES, h2)
    seq = (h3 % 1000).cast(pl.String).str.zfill(3)
    # check_char_expr keeps its input's column name, so the 17 digits are a named column first.
    first17 = pl.col("_first17")
    valid_id = pl.concat_str(first17, check_char_expr(first17))
    broken = pl.concat_str(first17, pl.lit("0"))
    digits = pl.concat_str(county, birth.dt.strftime("%Y%m%d"), seq).alias("_first17")
    return pl.select(digits).select(
        pl.when(h2 % 200 == 0).then(broken).otherwise(valid_id).alias("公民身份号码"),
        pl.concat_str(
            _pick(SURNAMES, h1 // 7), _pick(GIVEN, h2 // 11), _pick(GIVEN, h3 // 13)
        ).alias("姓名"),
        pl.when((h3 % 1000) % 2 == 1).then(pl.lit("男")).otherwise(pl.lit("女")).alias("性别"),
        birth.dt.strftime("%Y-%m-%d").alias("出生日期"),
        county.alias("县区"),
        _pick(TOWNS, h3 // 17).alias("乡镇(街道)"),
        pl.concat_str(pl.lit("第"), (h1 % 40).cast(pl.String), pl.lit("村")).alias("村(社区)"),
        pl.concat_str(
            pl.lit("安徽省淮北市"), _pick(TOWNS, h3 // 17), (h2 % 300).cast(pl.String), pl.lit("号")
        ).alias("常住地址"),
        _pick(["农业", "非农业", "居民"], h1 // 3).alias("户口性质"),
        pl.when(h1 % 50 == 0).then(pl.lit("死亡")).otherwise(pl.lit("正常")).alias("人员状态"),
    )


def transcode(src: Path, dst: Path) -> None:
    """Write a GB18030 copy of a UTF-8 file, streaming."""
    with (
        src.open(encoding="utf-8", newline="") as fin,
        dst.open("w", encoding="gb18030", newline="") as fout,
    ):
        while chunk := fin.read(16 * 1024 * 1024):
            fout.write(chunk)


CHILD = """
import json, sys, threading, time, tempfile, shutil
from datetime import date
from pathlib import Path
import polars as pl
import canbao.roster.reader as reader_module
from canbao.ids import with_citizen_id
from canbao.roster import read_roster

path, step, route = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
if route == "exact":  # force the exact line reader, for comparison
    reader_module.native_ok = lambda *args, **kwargs: False
used = []
check = reader_module.native_ok
reader_module.native_ok = lambda *a, **k: used.append(check(*a, **k)) or used[-1]

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024
    return 0

peak_anon = [0]
done = threading.Event()
def sample():
    while not done.wait(0.05):
        peak_anon[0] = max(peak_anon[0], status("RssAnon"))
threading.Thread(target=sample, daemon=True).start()
work = Path(tempfile.mkdtemp(prefix="canbao-bench-"))
t0 = time.perf_counter()
r = read_roster(path, "household", workdir=work)
t1 = time.perf_counter()
if step == "read":
    rows = r.frame.select(pl.len(), pl.col("id").str.len_bytes().sum()).collect().item(0, 0)
else:
    checked = with_citizen_id(r.frame, "id", as_of=date(2026, 11, 1))
    counts = checked.group_by("id_reason").len().collect()
    rows = int(counts["len"].sum())
bad = r.unreadable.select(pl.len()).collect().item()
t2 = time.perf_counter()
done.set()
shutil.rmtree(work)
print(json.dumps({"rows": rows, "unreadable": bad, "prepare_s": t1 - t0, "total_s": t2 - t0,
                  "path": "native" if used and used[-1] else "exact",
                  "peak_rss_mib": status("VmHWM"), "peak_anon_mib": peak_anon[0]}))
"""


def measure(path: Path, step: str, route: str) -> dict[str, float | str]:
    """Run one step (``read`` or ``ids``) in a fresh subprocess; return timings and memory peaks.

    VmHWM (peak RSS) counts the pages of the memory-mapped input file too; RssAnon, sampled
    every 50 ms, is the memory polars actually allocated.
    """
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), step, route],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float | str] = json.loads(out.stdout)
    return result


def main() -> None:
    """Generate the files, measure each, print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/canbao-bench"))
    parser.add_argument(
        "--exact", action="store_true", help="also time the exact line reader (forced)"
    )
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    utf8 = args.dir / f"household_{args.rows}_utf8.csv"
    gb = args.dir / f"household_{args.rows}_gb18030.csv"
    t = time.perf_counter()
    if not utf8.exists():
        generate(args.rows).write_csv(utf8)
    if not gb.exists():
        transcode(utf8, gb)
    print(f"generated in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    print(f"load average before: {os.getloadavg()}", file=sys.stderr)
    print(
        "| file | MiB | step | path | rows | unreadable | prepare s | total s | rows/s "
        "| peak RSS | peak anon |"
    )
    print("|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|")
    routes = ("auto", "exact") if args.exact else ("auto",)
    for path in (utf8, gb):
        size = path.stat().st_size / 2**20
        for step in ("read", "ids"):
            for route in routes:
                r = measure(path, step, route)
                rows, total = float(r["rows"]), float(r["total_s"])
                print(
                    f"| {path.name} | {size:.0f} | {step} | {r['path']} | {rows:,.0f} "
                    f"| {r['unreadable']} | {float(r['prepare_s']):.1f} | {total:.1f} "
                    f"| {rows / total:,.0f} | {r['peak_rss_mib']} MiB | {r['peak_anon_mib']} MiB |",
                    flush=True,
                )
    print(f"load average after: {os.getloadavg()}", file=sys.stderr)


if __name__ == "__main__":
    main()
