"""Rows that could not be read: their reason codes, Chinese labels and frame shape."""

from __future__ import annotations

from typing import Final

import polars as pl

from canbao.masking import mask_ids_expr

TOO_FEW: Final = "too_few_fields"
TOO_MANY: Final = "too_many_fields"
CUT_LINE: Final = "cut_line"
EMPTY_LINE: Final = "empty_line"
OPEN_QUOTE: Final = "open_quote"
BAD_ENCODING: Final = "bad_encoding"
CONTROL_CHAR: Final = "control_char"
TOO_LONG: Final = "line_too_long"
TOTAL_ROW: Final = "total_row"

REASONS: Final[dict[str, str]] = {
    TOO_FEW: "字段数少于表头",
    TOO_MANY: "字段数多于表头",
    CUT_LINE: "末行不完整(文件被截断)",
    EMPTY_LINE: "空行",
    OPEN_QUOTE: "引号不成对(10 行内未闭合)",
    BAD_ENCODING: "含无法解码的字节",
    CONTROL_CHAR: "含控制字符(如 NUL、0x1F)",
    TOO_LONG: "行过长(超过 64 KiB)",
    TOTAL_ROW: "合计/小计行(不是人员)",
}

# How much of an unreadable line is kept for people to see; control characters are shown as
# U+FFFD so that a NUL byte never reaches a result file.
RAW_SHOWN_CHARS: Final = 1000
_CONTROL: Final = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]"

UNREADABLE_SCHEMA: Final = pl.Schema(
    {"file": pl.String, "line": pl.Int64, "reason": pl.String, "原因": pl.String, "raw": pl.String}
)


def unreadable_frame(rows: pl.LazyFrame, file_name: str) -> pl.LazyFrame:
    """Shape rows with ``_line``, ``_reason`` and ``_raw`` into the unreadable-rows frame."""
    return rows.select(
        pl.lit(file_name, pl.String).alias("file"),
        pl.col("_line").cast(pl.Int64).alias("line"),
        pl.col("_reason").alias("reason"),
        pl.col("_reason").replace_strict(REASONS, return_dtype=pl.String).alias("原因"),
        mask_ids_expr(pl.col("_raw").fill_null(""))
        .str.slice(0, RAW_SHOWN_CHARS)
        .str.replace_all(_CONTROL, "\ufffd")
        .alias("raw"),
    )


def no_unreadable() -> pl.LazyFrame:
    """The unreadable-rows frame of a source whose every row is readable."""
    return pl.LazyFrame(schema=UNREADABLE_SCHEMA)
