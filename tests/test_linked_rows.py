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


def _split(rows: pl.DataFrame, folder: Path, window: int) -> SplitRecords:
    """``rows`` as a sharded match holds them: the staged enrolment (its texts and more, one
    file) beside the coded columns in files of ``window`` rows."""
    base = folder / "enrolment.parquet"
    rows.select("e_row", *TEXTS, "scheme").write_parquet(base)
    coded = [c for c in COLUMNS if c not in TEXTS]
    files = []
    for start in range(0, max(rows.height, 1), window):
        files.append(folder / f"coded_{start:05d}.parquet")
        rows.slice(start, window).select(coded).write_parquet(files[-1])
    return SplitRecords(pl.scan_parquet(base), pl.scan_parquet(files), COLUMNS)


@settings(max_examples=60, deadline=None)
@given(rows=linked_records(), window=st.integers(1, 15))
def test_the_split_records_read_as_the_one_file(rows: pl.DataFrame, window: int) -> None:
    """Every row, and the rows of a condition on coded columns or on texts, are one file's."""
    with tempfile.TemporaryDirectory() as folder:
        split = _split(rows, Path(folder), window)
        assert_frame_equal(split.frame().collect(), rows)
        conditions = [
            pl.col("link").is_in(["invalid", "not_in_household"]) | pl.col("active"),
            (pl.col("link") == "non_local") & (pl.col("scheme") == "11"),
            pl.col("name").str.contains("张") | pl.col("id_raw").is_null(),
            pl.lit(value=False),
        ]
        for condition in conditions:
            assert_frame_equal(split.where(condition).collect(), rows.filter(condition))
