"""Line-level edits of a city's CSV rosters for its next month (canbao.synth.second_month).

A roster is read as its lines (a Polars column, header at index 0) in its own encoding and
written back the same way, so that every line not edited stays byte for byte as the generator
wrote it. The rosters hold no quoted commas (IDs, names, codes and labels), so a field is the
text between two commas.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

NAME_HEADERS = ("姓名", "户籍姓名")


def read_lines(path: Path, encoding: str) -> pl.Series:
    """The lines of a CSV file (no trailing empty line), in a Polars column."""
    text = path.read_bytes().decode(encoding)
    return pl.Series("line", text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"))


def write_lines(lines: pl.Series, path: Path, encoding: str) -> None:
    """Write the lines back, each ending in a newline, in ``encoding`` (a BOM for utf-8-sig)."""
    path.write_bytes(("\n".join(lines.to_list()) + "\n").encode(encoding))


def first_field(lines: pl.Series) -> pl.Series:
    """The first field of each line (the ID of every roster of the synthetic city), trimmed."""
    return lines.str.split_exact(",", 1).struct.field("field_0").str.strip_chars()


def set_status(lines: pl.Series, statuses: dict[str, str]) -> pl.Series:
    """Household lines of the IDs in ``statuses`` with 人员状态 正常 replaced by the new status."""
    frame = pl.DataFrame({"line": lines, "id": first_field(lines)})
    new = pl.col("id").replace_strict(statuses, default=None)
    edited = pl.when(new.is_not_null()).then(
        pl.col("line").str.replace(",正常,", pl.format(",{},", new), literal=True)
    )
    return frame.select(edited.otherwise(pl.col("line")).alias("line")).to_series()


def set_field(lines: pl.Series, column: int, values: dict[int, str]) -> pl.Series:
    """Lines whose index is in ``values`` with field ``column`` replaced by the value."""
    frame = pl.DataFrame({"line": lines}).with_row_index("index")
    new = (
        pl.col("index").cast(pl.Int64).replace_strict(values, default=None, return_dtype=pl.String)
    )
    fields = pl.col("line").str.split(",")
    rebuilt = pl.concat_list(
        fields.list.head(column), pl.concat_list(new), fields.list.slice(column + 1)
    ).list.join(",")
    edited = pl.when(new.is_not_null()).then(rebuilt).otherwise(pl.col("line"))
    return frame.select(edited.alias("line")).to_series()


def drop_lines(lines: pl.Series, indexes: list[int]) -> pl.Series:
    """The lines without those at ``indexes``."""
    frame = pl.DataFrame({"line": lines}).with_row_index("index")
    kept = frame.filter(~pl.col("index").cast(pl.Int64).is_in(indexes))
    return kept.get_column("line")


def name_column(lines: pl.Series) -> int:
    """The index of the name field in the header line."""
    headers = str(lines[0]).lstrip("\ufeff").split(",")
    return next(i for i, h in enumerate(headers) if h in NAME_HEADERS)


def csv_lines(frame: pl.DataFrame) -> pl.Series:
    """A frame's rows as CSV lines without a header (as the generator writes them)."""
    text = frame.write_csv(include_header=False)
    return pl.Series("line", text.split("\n")[:-1])
