"""Compare the result files of ``canbao match`` and of the DuckDB yardstick, one line per file.

``python -m benchmarks.compare_outputs CANBAO_DIR DUCKDB_DIR``. Run by bench_match.py after the
timed runs, so the ratio it prints is backed by evidence that both wrote the same files.
A verdict is one of: identical bytes; identical apart from the columns DuckDB leaves empty
(相似度 and 判定 of conflicts: canbao's pinyin/rapidfuzz name judgement); identical after
sorting (same rows, another order); or the columns that differ, with the number of cells.
"""

from __future__ import annotations

import filecmp
import sys
from pathlib import Path

import polars as pl

# Each file with the columns that identify a row (canbao's sort keys; unique on a city).
FILES = {
    "needs_survey": ["县区", "乡镇(街道)", "村(社区)", "公民身份号码"],
    "uninsured": ["县区", "乡镇(街道)", "村(社区)", "公民身份号码"],
    "confirmed": ["县区", "乡镇(街道)", "村(社区)", "公民身份号码"],
    "duplicates": ["公民身份号码", "险种类型", "类别代码"],
    "conflicts": ["来源文件", "行号", "类别代码"],
    "non_local": ["来源文件", "行号"],
}
# Columns the SQL cannot fill: they must be empty in DuckDB's file and are not compared.
NOT_COMPUTED = {"conflicts": ["相似度", "判定"]}
BOM = b"\xef\xbb\xbf"


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False, encoding="utf8")


def _column_diffs(ours: pl.DataFrame, theirs: pl.DataFrame, keys: list[str]) -> str:
    """Align on the key columns and name the columns whose cells differ."""
    a, b = ours.sort(keys, nulls_last=True), theirs.sort(keys, nulls_last=True)
    if not a.select(keys).equals(b.select(keys)):
        only_a = a.select(keys).join(b.select(keys), on=keys, how="anti", nulls_equal=True)
        only_b = b.select(keys).join(a.select(keys), on=keys, how="anti", nulls_equal=True)
        return f"different rows: {only_a.height} only in canbao, {only_b.height} only in DuckDB"
    diffs = []
    for col in a.columns:
        n = int((a[col].ne_missing(b[col])).sum())
        if n:
            diffs.append(f"{col} ({n} cells)")
    return "same rows, differing columns: " + ", ".join(diffs)


def verdict(name: str, ours: Path, theirs: Path) -> str:
    """One file's verdict."""
    if not theirs.exists() or not ours.exists():
        return "missing in " + ("DuckDB" if ours.exists() else "canbao")
    if filecmp.cmp(ours, theirs, shallow=False):
        return f"identical bytes ({_read(ours).height:,} rows)"
    a, b = _read(ours), _read(theirs)
    notes = []
    if (ours.read_bytes()[:3] == BOM) != (theirs.read_bytes()[:3] == BOM):
        notes.append("BOM differs")
    skipped = NOT_COMPUTED.get(name, [])
    if a.columns != b.columns:
        result = f"headers differ: canbao {a.columns} vs DuckDB {b.columns}"
    elif a.height != b.height:
        result = f"row counts differ: canbao {a.height:,}, DuckDB {b.height:,}"
    else:
        if skipped:
            filled = b.select(pl.any_horizontal(pl.col(skipped).is_not_null()).sum()).item()
            if filled:
                notes.append(f"{', '.join(skipped)} filled in {filled} rows of DuckDB's file")
            notes.append(
                f"{', '.join(skipped)} not compared (left empty by DuckDB: name judgement)"
            )
            a, b = a.drop(skipped), b.drop(skipped)
        if a.equals(b, null_equal=True):
            result = f"identical ({a.height:,} rows, same order)"
        elif a.sort(a.columns, nulls_last=True).equals(b.sort(b.columns, nulls_last=True)):
            result = f"identical after sorting ({a.height:,} rows, another order)"
        else:
            result = _column_diffs(a, b, FILES[name])
    return "; ".join([result, *notes])


def compare(ours: Path, theirs: Path) -> list[str]:
    """One line per result file: ``name.csv: verdict``."""
    return [
        f"{name}.csv: {verdict(name, ours / f'{name}.csv', theirs / f'{name}.csv')}"
        for name in FILES
    ]


if __name__ == "__main__":
    print("\n".join(compare(Path(sys.argv[1]), Path(sys.argv[2]))))
