"""Where a match's CPU goes inside Polars and the kernel: ``perf`` samples grouped by kind of work.

``python -m benchmarks.native_profile [CITY_DIR | --persons N] [--shards N] [--work DIR]
[--report PERF_DATA]`` (``make native-profile``: ``--persons 1000000``) samples one match of a
generated city (``benchmarks.timed_match``, every thread of the process)
with Linux ``perf record`` at 499 Hz, then sorts the samples by the native function they fell
in and sums them into kinds of work (Parquet writing, hash joins, CSV parsing, page faults, the
Python interpreter, ...), in CPU seconds: a table per run, which docs/performance.md and
docs/scale.md quote. ``--report`` only groups an earlier ``perf.data``; two of them print side
by side with their difference (``--report A --report B``).

Why perf: py-spy sees the Python threads only, and Polars 2.1 has no ``LazyFrame.profile()``;
the steps' timings (``make profile``) say how long a step takes, this says what its CPU does,
which is how the bytecode the environment lacked (docs/performance.md, "Start-up") and the
shard filters' divisions (docs/scale.md) were found. Needs ``perf`` (Debian ``linux-perf``)
and ``kernel.perf_event_paranoid`` at 2 or lower (the default lets a user sample their own
processes). Symbols come from the libraries' own symbol tables: Polars' wheel keeps them.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Final

from benchmarks.bench_sizes import city_of

# Kinds of work, tried in order on "shared object<TAB>symbol"; the first that matches wins.
KINDS: Final[tuple[tuple[str, str], ...]] = (
    ("Python interpreter (incl. parsing sources)", r"^libpython|^python"),
    ("SHA-256 of the rosters (libcrypto)", r"^libcrypto"),
    ("Parquet writing: dictionary trials", r"cast_to_dictionary|cardinality|dictionary::"),
    ("Parquet writing: other encoding", r"polars_parquet::(arrow::)?write|view_to_binary"),
    ("Parquet reading: decoding", r"polars_parquet|row_group_decode|io_sources::parquet"),
    ("CSV parsing", r"polars_io::csv::read|CountLines|csv::CsvFileReader|io_sources::csv"),
    ("CSV writing", r"polars_io::csv::write|morsel_serializer"),
    ("hash joins, group-bys, is_in", r"idx_table|groups::|hot_groups|hash_keys|is_in::|foldhash"),
    ("regular expressions", r"regex"),
    ("integer division (mod, floor-div)", r"wrapping_mod|wrapping_floor_div|floor_div"),
    ("string kernels and copies of strings", r"binview|BinaryView|strings::|utf8|StrSearcher"),
    ("other Polars kernels", r"_polars_runtime"),
    ("memory copies and compares (libc)", r"^libc.*\t(__mem|mem)"),
    ("kernel: file reads and writes", r"\[kernel.*\t.*(copy_folio|_copy_to_iter|filemap|vfs_)"),
    ("kernel: page faults, page clearing", r"\[kernel.*\t.*(page|folio|mm_|memcg|lru)"),
    ("kernel: other", r"^\[kernel"),
    ("allocator (jemalloc, libc malloc)", r"rjem|jemalloc|malloc|free"),
)
OTHER: Final = "other"
SAMPLE_HZ: Final = 499
_REPORT_LINE = re.compile(r"^\s*([0-9.]+)%\s+(\S.*?)\s{2,}\[[.k]\]\s+(.*)$")
_EVENT_COUNT = re.compile(r"Event count \(approx\.\):\s*([0-9]+)")


def kind_of(dso: str, symbol: str) -> str:
    """The kind of work of one sampled function (:data:`KINDS`), or :data:`OTHER`."""
    key = f"{dso}\t{symbol}"
    for kind, pattern in KINDS:
        if re.search(pattern, key):
            return kind
    return OTHER


def grouped(perf_data: Path) -> dict[str, float]:
    """CPU seconds per kind of work in ``perf_data`` (:func:`grouped_report` of its report)."""
    report = ["perf", "report", "-i", str(perf_data), "--stdio", "--no-children"]
    report += ["--sort", "dso,sym", "-g", "none"]
    text = subprocess.run(report, capture_output=True, text=True, check=True).stdout
    return grouped_report(text)


def grouped_report(text: str) -> dict[str, float]:
    """CPU seconds per kind of work in the text of ``perf report --sort dso,sym``: each line's
    share of the samples times the CPU time sampled (cpu-clock: the event count is in
    nanoseconds). perf leaves out the functions under 0.005 %, so the kinds sum to a little
    less than the process's CPU time."""
    counted = _EVENT_COUNT.search(text)
    seconds = int(counted.group(1)) / 1e9 if counted else 0.0
    kinds: dict[str, float] = {}
    for line in text.splitlines():
        found = _REPORT_LINE.match(line)
        if found is None:
            continue
        share, dso, symbol = float(found.group(1)), found.group(2).strip(), found.group(3)
        kind = kind_of(dso, symbol)
        kinds[kind] = kinds.get(kind, 0.0) + share / 100 * seconds
    return kinds


def record(city: Path, work: Path, shards: str) -> Path:
    """Sample one match of ``city`` into ``work/perf-<shards>.data``; the results are removed."""
    if shutil.which("perf") is None:
        sys.exit("perf not found: install Debian's linux-perf (docs/performance.md)")
    out, data = work / f"native-profile-{shards}", work / f"perf-{shards}.data"
    match = [sys.executable, "-m", "benchmarks.timed_match", str(city), str(out)]
    match += [str(work / f"native-profile-{shards}.json"), f"--shards={shards}"]
    try:
        perf = ["perf", "record", "-q", "-F", str(SAMPLE_HZ), "-o", str(data), "--"]
        subprocess.run(perf + match, check=True, stdout=subprocess.DEVNULL)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return data


def table(runs: dict[str, dict[str, float]]) -> str:
    """The kinds of work as a markdown table, a column per run (and their difference for two)."""
    names = list(runs)
    order = [kind for kind, _ in KINDS] + [OTHER]
    head = "| kind of work | " + " | ".join(f"{n}, CPU s" for n in names)
    rule = "| --- |" + " ---: |" * len(names)
    if len(names) == 2:
        head, rule = head + " | difference", rule + " ---: |"
    lines = [head + " |", rule]
    for kind in [*order, "total"]:
        values = [sum(r.values()) if kind == "total" else r.get(kind, 0.0) for r in runs.values()]
        if not any(values):
            continue
        cells = [f"{v:.2f}" for v in values]
        if len(values) == 2:
            cells.append(f"{values[1] - values[0]:+.2f}")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    """Record (or read) the runs and print their table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("city", type=Path, nargs="?", help="a generated city (manifest.json)")
    parser.add_argument("--persons", type=int, help="generate make bench's city of this size")
    parser.add_argument("--shards", action="append", help="a run per value (default: 1)")
    parser.add_argument("--work", type=Path, default=Path("bench-output"))
    parser.add_argument("--report", type=Path, action="append", help="an earlier perf.data")
    opts = parser.parse_args()
    runs: dict[str, dict[str, float]] = {}
    for data in opts.report or []:
        runs[data.stem] = grouped(data)
    city = opts.city if opts.persons is None else city_of(opts.persons, opts.work)
    if city is not None:
        opts.work.mkdir(parents=True, exist_ok=True)
        for shards in opts.shards or ["1"]:
            runs[f"shards {shards}"] = grouped(record(city, opts.work, shards))
    if not runs:
        parser.error("give a city or --persons to sample, or --report with an earlier perf.data")
    print(table(runs))


if __name__ == "__main__":
    main()
