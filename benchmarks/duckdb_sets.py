"""The bare sets in DuckDB SQL: the second yardstick for ``canbao match``
(docs/scale-measurements.md).

``python -m benchmarks.duckdb_sets CITY_DIR OUT_DIR AS_OF AREA...``: the same SQL as
benchmarks/duckdb_match.py reads, prepares and computes the result sets (docs/match.md), then writes
only their IDs and reasons (plain CSV): the persons needing a survey with their reason flags,
the uninsured with theirs, the duplicates by ID, insurance type and kind, and the non-local
records by file and line. No headings, labels, names, addresses, order, conflicts table,
repairs, national tables or summary: the least work that still computes every set, so the
ratio says what canbao's complete output costs on top of the sets themselves.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.duckdb_match import compute_sets
from benchmarks.duckdb_tables import Link, vocabulary

REASON_FLAGS = "r_uninsured, r_conflict, r_invalid_id, r_info_missing"
UNINSURED_FLAGS = "missing_pension, missing_medical, interrupted, no_insurance"


def run(city: Path, out: Path, as_of: str, area: list[str]) -> dict[str, int]:
    """Compute the sets, write their IDs and reasons under ``out``; return the row counts."""
    con = compute_sets(city, as_of, area)
    out.mkdir(parents=True, exist_ok=True)
    uninsured = vocabulary.Reason.UNINSURED.value
    queries = {
        "needs_survey": f"SELECT id_norm, {REASON_FLAGS} FROM targets WHERE needs_survey",
        uninsured: f"SELECT id_norm, {UNINSURED_FLAGS} FROM targets WHERE r_uninsured",
        "duplicates": "SELECT id_key, itype, kind FROM dups",
        Link.NON_LOCAL.value: f"SELECT file, line FROM linked WHERE link = '{Link.NON_LOCAL}'",
    }
    counts = {}
    for name, query in queries.items():
        con.execute(f"COPY ({query}) TO '{out / (name + '.csv')}' (HEADER, DELIMITER ',')")
        row = con.execute(f"SELECT count(*) FROM ({query})").fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts


if __name__ == "__main__":
    city_dir, out_dir, as_of_arg, *area_args = sys.argv[1:]
    print(json.dumps(run(Path(city_dir), Path(out_dir), as_of_arg, area_args)))
