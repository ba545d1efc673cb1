"""A sharded match's linked records, split into two files, read as the one file of one piece."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from canbao.match._linked_rows import SplitRecords

COLUMNS = ("e_row", "_file", "link", "id_raw", "name", "active", "_line", "scheme")
TEXTS = ("id_raw", "name", "_line")  # of the enrolment's RECORD_TEXTS
# The columns a shard may add (the second file), any of them: the first file holds the rest.
ADDABLE = ("_file", "link", "active", "scheme")
LINKS = ("linked", "invalid", "not_in_household", "non_local")


@st.composite
def linked_records(draw: st.DrawFn) -> pl.DataFrame:
    """Linked records in e_row order, nulls among the values."""
    n = draw(st.integers(0, 40))
    maybe_text = st.none() | st.text("0123456789X张李", max_size=4)

    def column(values: st.SearchStrategy[object]) -> list[object]:
        return draw(st.lists(values, min_size=n, max_size=n))

    return pl.DataFrame(
        {
            "e_row": list(range(n)),
            "_file": column(st.sampled_from(["a.csv", "b.csv"])),
            "link": column(st.sampled_from(LINKS)),
            "id_raw": column(maybe_text),
            "name": column(maybe_text),
            "active": column(st.none() | st.booleans()),
            "_line": column(st.integers(2, 99)),
            "scheme": column(st.none() | st.sampled_from(["11", "21", "30"])),
        },
        schema_overrides={"id_raw": pl.String, "name": pl.String, "active": pl.Boolean},
    )


def _split(rows: pl.DataFrame, folder: Path, window: int, added: list[str]) -> SplitRecords:
    """``rows`` as a sharded match holds them: the staged enrolment (one file: every column
    but ``added``, and ``scheme`` always) beside ``e_row`` and ``added`` in files of ``window``
    rows (what the shards added, merged)."""
    base = folder / "enrolment.parquet"
    rows.select(c for c in COLUMNS if c not in added or c == "scheme").write_parquet(base)
    files = []
    for start in range(0, max(rows.height, 1), window):
        files.append(folder / f"added_{start:05d}.parquet")
        rows.slice(start, window).select("e_row", *added).write_parquet(files[-1])
    return SplitRecords(pl.scan_parquet(base), pl.scan_parquet(files), COLUMNS)


@settings(max_examples=60, deadline=None)
@given(
    rows=linked_records(),
    window=st.integers(1, 15),
    added=st.lists(st.sampled_from(ADDABLE), unique=True),
)
def test_the_split_records_read_as_the_one_file(
    rows: pl.DataFrame, window: int, added: list[str]
) -> None:
    """Every row, the coded columns, and the rows of a condition on added columns, on the
    enrolment's or on texts, are one file's, whichever columns the second file holds."""
    with tempfile.TemporaryDirectory() as folder:
        split = _split(rows, Path(folder), window, added)
        assert_frame_equal(split.frame().collect(), rows)
        assert_frame_equal(split.coded.collect(), rows.select(c for c in COLUMNS if c not in TEXTS))
        conditions = [
            pl.col("link").is_in(["invalid", "not_in_household"]) | pl.col("active"),
            (pl.col("link") == "non_local") & (pl.col("scheme") == "11"),
            pl.col("name").str.contains("张") | pl.col("id_raw").is_null(),
            pl.col("e_row") % 3 == 0,
            pl.lit(value=False),
        ]
        for condition in conditions:
            assert_frame_equal(split.where(condition).collect(), rows.filter(condition))
