"""``read_roster``: any supported roster file as a lazy frame of canonical string fields."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from canbao.errors import InputError, UsageError
from canbao.i18n import N_, _
from canbao.readfail import unreadable_file
from canbao.roster import excel
from canbao.roster.colmap import ColumnMap
from canbao.roster.fastpath import native_ok, scan_native
from canbao.roster.fields import KIND_FIELDS, KINDS
from canbao.roster.mapping import HeaderMapping, map_headers
from canbao.roster.sniff import Sniffed, sniff
from canbao.roster.text import bound_read_ahead, scan_text
from canbao.roster.totals import key_field, total_row
from canbao.roster.transcode import prepare_text, sha256_later
from canbao.roster.unreadable import TOTAL_ROW, no_unreadable, unreadable_frame
from canbao.shown_path import shown_path

ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": N_("UTF-8 with BOM"),
    "gb18030": "GB18030 (GBK)",
    "utf-16": "UTF-16 (BOM)",
}
# Shown by `canbao inspect` in canbao's language (marked here, translated there).
SEPARATOR_LABELS = {",": N_("comma"), "\t": N_("tab"), ";": N_("semicolon"), "|": N_("pipe")}


@dataclass(frozen=True)
class SourceInfo:
    """What a roster file turned out to be and how its headers were mapped."""

    path: Path
    kind: str
    format: str  # csv | xlsx | xls | parquet
    encoding: str | None  # utf-8 | utf-8-sig | gb18030 | utf-16; None for workbooks, Parquet
    digest: Future[str]  # computed in the background: read it as ``sha256``
    headers: tuple[str, ...]
    mapping: dict[str, str]  # canonical field -> header
    unmapped: tuple[str, ...]
    separator: str | None = None  # text only
    sheet: str | None = None  # workbooks: the sheet read (always the first)
    header_line: int = 1  # line (text) or Excel row of the header

    @property
    def sha256(self) -> str:
        """The file's SHA-256 (waits for the background hash if it is still running)."""
        try:
            return self.digest.result()
        except OSError as exc:
            raise InputError(
                _("{path}: cannot read the file again to compute its SHA-256 ({reason})").format(
                    path=shown_path(self.path), reason=exc.strerror or type(exc).__name__
                ),
                fix=_("keep the input files in place until canbao has finished"),
            ) from exc


@dataclass(frozen=True)
class Roster:
    """A roster file read lazily: canonical rows, unreadable rows, and facts about the source."""

    info: SourceInfo
    frame: pl.LazyFrame  # canonical fields of the kind (String) + _file (String) + _line (Int64)
    unreadable: pl.LazyFrame  # file, line, reason, 原因, raw (ids masked)


def read_roster(
    path: Path, kind: str, *, columns: ColumnMap | None = None, workdir: Path
) -> Roster:
    """Read ``path`` as a roster of ``kind``; unusable files raise :class:`InputError`.

    Text files stream: the frame is a scan. Here the file is read once to decide between polars'
    native CSV scan (a clean file) and the exact line reader; GBK/UTF-16 text is first transcoded
    to a UTF-8 file under ``workdir`` (which the caller removes). The SHA-256 is computed in a
    background thread (``info.sha256`` waits for it).
    """
    path = Path(path)
    if kind not in KIND_FIELDS:
        raise UsageError(
            _("unknown roster kind {kind!r}").format(kind=kind),
            fix=_("use one of: {choices}").format(choices=", ".join(KINDS)),
        )
    sniffed = sniff(path)
    if sniffed.format == "csv":
        roster = _read_text(path, kind, sniffed, columns, workdir)
    elif sniffed.format == "parquet":
        roster = _read_parquet(path, kind, columns)
    else:
        roster = _read_workbook(path, kind, sniffed.format, columns)
    return _mapped_values(roster, columns)


def _mapped_values(roster: Roster, columns: ColumnMap | None) -> Roster:
    """Replace the status and scheme words the column map's ``values:`` names (trimmed)."""
    if columns is None or not columns.values:
        return roster
    frame = mapped_values(roster.frame, columns)
    return Roster(roster.info, frame, roster.unreadable)


def mapped_values(frame: pl.LazyFrame, columns: ColumnMap) -> pl.LazyFrame:
    """``frame`` with the words of ``columns.values`` replaced (Spark's workers call it too)."""
    names = frame.collect_schema().names()
    changes = []
    for field, words in columns.values.items():
        if field not in names:
            continue
        trimmed = pl.col(field).str.strip_chars()
        changes.append(
            pl.when(trimmed.is_in(list(words)))
            .then(trimmed.replace(words))
            .otherwise(pl.col(field))
            .alias(field)
        )
    return frame.with_columns(changes) if changes else frame


def _read_text(
    path: Path, kind: str, sniffed: Sniffed, columns: ColumnMap | None, workdir: Path
) -> Roster:
    assert sniffed.encoding is not None and sniffed.separator is not None
    mapping = map_headers(path, sniffed.headers, kind, columns)
    sep, n_headers = sniffed.separator, len(mapping.headers)
    # Here, not at import: only a process that reads a text roster has its CSV scans changed.
    bound_read_ahead()
    source = prepare_text(path, sniffed.encoding, workdir)
    clean = native_ok(source.utf8_path, separator=sep, n_headers=n_headers)
    fields = KIND_FIELDS[kind]
    if clean:
        frame = scan_native(
            source.utf8_path,
            separator=sep,
            n_headers=n_headers,
            positions=mapping.columns,
            fields=fields,
            file_name=path.name,
        )
        unreadable = no_unreadable()
    else:
        frame, unreadable = scan_text(
            source,
            separator=sep,
            n_headers=n_headers,
            positions=mapping.columns,
            fields=fields,
            file_name=path.name,
        )
    info = _info(path, kind, "csv", sniffed.encoding, source.digest, mapping)
    info = _replace(info, separator=sniffed.separator)
    return Roster(info, frame, unreadable)


def _read_workbook(path: Path, kind: str, fmt: str, columns: ColumnMap | None) -> Roster:
    data, sheet = excel.load_sheet(path)
    if data.width == 0 or data.height == 0:
        raise InputError(
            _("{path}: the first sheet ({sheet}) is empty").format(
                path=shown_path(path), sheet=sheet
            ),
            fix=_(_SHEET_FIX),
        )
    try:
        at = excel.header_row(data, kind)
    except InputError as exc:
        message = _("{path}: {message}").format(path=shown_path(path), message=exc.message)
        raise InputError(message, fix=exc.fix) from None
    mapping = map_headers(path, excel.sheet_headers(data, at), kind, columns)
    frame, unreadable = excel.scan_sheet(
        data, header_at=at, positions=mapping.columns, fields=KIND_FIELDS[kind], file_name=path.name
    )
    info = _info(path, kind, fmt, None, sha256_later(path), mapping)
    return Roster(_replace(info, sheet=sheet, header_line=at + 1), frame, unreadable)


_SHEET_FIX = N_("put the roster on the workbook's first sheet with its header row on top")


def _read_parquet(path: Path, kind: str, columns: ColumnMap | None) -> Roster:
    try:
        schema = pl.scan_parquet(path).collect_schema()
    except Exception as exc:  # a damaged footer surfaces as a polars ComputeError
        fix = _("write the file again (it may be truncated)")
        raise unreadable_file(path, exc, fix=fix) from exc
    headers = tuple(schema.names())
    mapping = map_headers(path, headers, kind, columns)
    for field, pos in mapping.columns.items():
        dtype = schema[headers[pos]]
        if dtype.is_nested() or dtype in (pl.Binary, pl.Object, pl.Null):
            raise InputError(
                _("{path}: column {header!r} ({field}) holds {dtype} values, not text").format(
                    path=shown_path(path), header=headers[pos], field=field, dtype=dtype
                ),
                fix=_(
                    "write the roster again with one text value per cell (a list or a struct "
                    "cannot be read as a field), or give it as CSV"
                ),
            )
    out = [
        (
            pl.col(headers[mapping.columns[f]]).cast(pl.String)
            if f in mapping.columns
            else pl.lit(None, pl.String)
        ).alias(f)
        for f in KIND_FIELDS[kind]
    ]
    rows = pl.scan_parquet(path).with_row_index("_row", offset=1)
    text_cols = [pl.col(h).cast(pl.String) for h, t in schema.items() if t in _TEXTUAL]
    key = key_field(KIND_FIELDS[kind])
    key_col = (
        pl.col(headers[mapping.columns[key]]).cast(pl.String) if key in mapping.columns else None
    )
    rows = rows.with_columns(total_row(text_cols, key_col).alias("_total"))
    frame = rows.filter(~pl.col("_total")).select(
        *out,
        pl.lit(path.name, pl.String).alias("_file"),
        pl.col("_row").cast(pl.Int64).alias("_line"),
    )
    totals = rows.filter(pl.col("_total")).select(
        pl.col("_row").alias("_line"),
        pl.lit(TOTAL_ROW).alias("_reason"),
        pl.concat_str([c.fill_null("") for c in text_cols], separator=",").alias("_raw"),
    )
    info = _info(path, kind, "parquet", None, sha256_later(path), mapping)
    return Roster(info, frame, unreadable_frame(totals, path.name))


# Parquet columns a total word can be in (numbers and dates cannot hold 合计).
_TEXTUAL = (pl.String, pl.Categorical, pl.Utf8)


def _info(
    path: Path,
    kind: str,
    fmt: str,
    encoding: str | None,
    digest: Future[str],
    mapping: HeaderMapping,
) -> SourceInfo:
    return SourceInfo(
        path=path,
        kind=kind,
        format=fmt,
        encoding=encoding,
        digest=digest,
        headers=mapping.headers,
        mapping=mapping.by_header,
        unmapped=mapping.unmapped,
    )


def _replace(info: SourceInfo, **changes: object) -> SourceInfo:
    from dataclasses import replace

    return replace(info, **changes)  # type: ignore[arg-type]
