"""What a file is: workbook, Parquet or delimited text, and for text its encoding and separator.

The content decides, not the extension: a workbook renamed ``.csv`` is refused with the fix,
and a ``.xls`` that is really tab-separated text (a habit of several agency systems) is read
as text. Only the head of the file is examined, except when the head is pure ASCII.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from canbao.errors import InputError
from canbao.i18n import N_, _
from canbao.shown_path import shown_path

HEAD_BYTES: Final = 64 * 1024
CHUNK_BYTES: Final = 16 * 1024 * 1024
SEPARATORS: Final = (",", "\t", ";", "|")
TEXT_EXTENSIONS: Final = frozenset({".csv", ".txt", ".tsv", ".dat"})
WORKBOOK_EXTENSIONS: Final = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls"}
PARQUET_EXTENSIONS: Final = frozenset({".parquet", ".pq"})
ID_LIKE: Final = re.compile(r"(?<![0-9])[0-9]{15}(?:[0-9]{2}[0-9Xx])?(?![0-9])")

_HIGH: Final = re.compile(rb"[\x80-\xff]")
_SAVE_AS_CSV = N_("open it in Excel or WPS and save it as CSV UTF-8 (comma separated), or as .xlsx")


@dataclass(frozen=True)
class Sniffed:
    """The result of looking at a file's head."""

    format: str  # csv | xlsx | xls | parquet
    encoding: str | None  # utf-8 | utf-8-sig | gb18030 | utf-16 (text only)
    separator: str | None = None
    headers: tuple[str, ...] = ()


def sniff(path: Path) -> Sniffed:
    """Identify ``path``'s format (and for text: encoding, separator, header cells)."""
    name = path.name
    if not path.is_file():
        raise InputError(
            _("{path}: no such file").format(path=shown_path(path)),
            fix=_("check the path and the file name"),
        )
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    ext = path.suffix.lower()
    if not head.strip(b" \t\r\n\xef\xbb\xbf\xff\xfe\x00"):
        raise InputError(
            _("{name}: the file is empty (no header line, no rows)").format(name=name),
            fix=_(_SAVE_AS_CSV),
        )
    if head.startswith(b"PK\x03\x04"):
        return _container(name, ext, "xlsx", _("a zip archive (an .xlsx workbook)"))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _container(name, ext, "xls", _("an old Excel (.xls) workbook"))
    if head.startswith(b"PAR1"):
        if ext in PARQUET_EXTENSIONS:
            return Sniffed("parquet", None)
        raise InputError(
            _("{name}: the file is a Parquet file named {ext}").format(
                name=name, ext=ext or _("(no extension)")
            ),
            fix=_("rename it to .parquet"),
        )
    if ext in PARQUET_EXTENSIONS or ext in (".xlsx", ".xlsm"):
        raise InputError(
            _("{name}: named {ext} but the content is not a {format} file").format(
                name=name, ext=ext, format=ext[1:]
            ),
            fix=_("re-export the file, or {save_as_csv}").format(save_as_csv=_(_SAVE_AS_CSV)),
        )
    if ext not in TEXT_EXTENSIONS and ext != ".xls":
        raise InputError(
            _("{name}: unknown file type {ext}").format(name=name, ext=ext or _("(no extension)")),
            fix=_("give a .csv/.txt/.tsv text file, an .xlsx/.xls workbook or a .parquet file"),
        )
    encoding = _text_encoding(path, head, size)
    text = _decode_head(head, encoding)
    line = text.split("\n", 1)[0].rstrip("\r")
    if "\n" not in text and len(head) < size:
        raise InputError(
            _("{name}: no line break in the first {kib} KiB: not a roster text file").format(
                name=name, kib=HEAD_BYTES // 1024
            ),
            fix=_(_SAVE_AS_CSV),
        )
    separator = sniff_separator(line)
    try:
        headers = next(csv.reader([line], delimiter=separator), [])
    except csv.Error:  # a carriage return inside the header line: its cells as they are
        headers = line.split(separator)
    return Sniffed("csv", encoding, separator, tuple(headers))


def _container(name: str, ext: str, fmt: str, what: str) -> Sniffed:
    if WORKBOOK_EXTENSIONS.get(ext) == fmt:
        return Sniffed(fmt, None)
    raise InputError(
        _("{name}: the file is {what} named {ext}, not a text file").format(
            name=name, what=what, ext=ext or _("(no extension)")
        ),
        fix=_("rename it to .{format} (canbao reads workbooks directly), or {save_as_csv}").format(
            format=fmt, save_as_csv=_(_SAVE_AS_CSV)
        ),
    )


def _text_encoding(path: Path, head: bytes, size: int) -> str:
    name = path.name
    if head.startswith(codecs.BOM_UTF8):
        if _looks_gbk(head[len(codecs.BOM_UTF8) :], final=len(head) >= size):
            raise InputError(
                _(
                    "{name}: a UTF-8 byte-order mark followed by GBK/GB18030 text: "
                    "two encodings in one file"
                ).format(name=name),
                fix=_("open it in Excel or WPS (read as GBK), then {save_as_csv}").format(
                    save_as_csv=_(_SAVE_AS_CSV)
                ),
            )
        _check_tail(path, size, "utf-8")
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # A stray NUL makes its row unreadable (roster.text); many of them mean a binary file.
    if head.count(b"\x00") > max(len(head) // 100, 4):
        raise InputError(
            _("{name}: binary content (NUL bytes) in a {ext} file").format(
                name=name, ext=path.suffix or _("text")
            ),
            fix=_("give the roster as text, or {save_as_csv} (UTF-16 text needs its BOM)").format(
                save_as_csv=_(_SAVE_AS_CSV)
            ),
        )
    final = len(head) >= size
    sample = head if _has_high_bytes(head) else _first_non_ascii(path)
    if sample is None:
        return "utf-8"  # pure ASCII: UTF-8 and GB18030 agree
    # An incremental decoder with final=False accepts a character cut at the sample's end.
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(
        sample, final=final and sample is head
    )
    bad = text.count("\ufffd")
    good = _non_ascii(text) - bad
    # GBK bytes almost never form valid UTF-8 sequences, so a sample with many good UTF-8
    # characters and a few bad bytes is a UTF-8 file with a stray line (reported per line as
    # bad_encoding), not a GBK file: decoding it as GBK would garble every name silently.
    if bad == 0 or good > 4 * bad:
        _check_tail(path, size, "utf-8")
        return "utf-8"
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=final and sample is head)
    except UnicodeDecodeError as exc:
        raise InputError(
            _(
                "{name}: neither UTF-8 nor GBK/GB18030 text (undecodable bytes near byte {at})"
            ).format(name=name, at=exc.start),
            fix=_("check that this is a roster export; {save_as_csv}").format(
                save_as_csv=_(_SAVE_AS_CSV)
            ),
        ) from exc
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    if control > len(head) // 100:
        raise InputError(
            _("{name}: binary content, not a text roster").format(name=name), fix=_(_SAVE_AS_CSV)
        )
    _check_tail(path, size, "gb18030")
    return "gb18030"


def _looks_gbk(sample: bytes, *, final: bool) -> bool:
    """True when ``sample`` is not UTF-8 (more than a stray bad byte) but is valid GB18030."""
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(sample, final=final)
    bad = text.count("\ufffd")
    good = _non_ascii(text) - bad
    if bad == 0 or good > 4 * bad:
        return False
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _check_tail(path: Path, size: int, encoding: str) -> None:
    """Refuse a file whose end is in another encoding than its head (two exports pasted together).

    One more read of at most 64 KiB: the last lines. The head decided ``encoding``; a tail of
    clean GBK under a UTF-8 head, or of clean multi-byte UTF-8 under a GBK head, is named here
    instead of turning into unreadable rows or garbled names.
    """
    if size <= 2 * HEAD_BYTES:
        return
    with path.open("rb") as fh:
        fh.seek(size - HEAD_BYTES)
        tail = fh.read(HEAD_BYTES)
    tail = tail[tail.find(b"\n") + 1 :]  # start on a line, so on a character
    if encoding == "utf-8":
        other = "GBK/GB18030" if _looks_gbk(tail, final=True) else None
    else:
        try:
            text = tail.decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        other = "UTF-8" if any(ord(ch) > 0x7F for ch in text) else None
    if other is None:
        return
    first = "UTF-8" if encoding == "utf-8" else "GBK/GB18030"
    raise InputError(
        _("{path}: two encodings in one file: {first} at the start, {other} at the end").format(
            path=shown_path(path), first=first, other=other
        ),
        fix=_(
            "export the parts again and save them in one encoding ({save_as_csv}), "
            "or give the two parts as two files"
        ).format(save_as_csv=_(_SAVE_AS_CSV)),
    )


def _non_ascii(text: str) -> int:
    """The characters of ``text`` above U+007F, counted in C (a Python loop over every
    roster's 64 KiB head and tail took 17 ms of the 1 M person city's sniffing, this 2 ms)."""
    return len(text) - len(text.encode("ascii", errors="ignore"))


def _has_high_bytes(data: bytes) -> bool:
    return _HIGH.search(data) is not None


def _first_non_ascii(path: Path) -> bytes | None:
    """Return a window starting at the first non-ASCII byte of the file, or None."""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            found = _HIGH.search(chunk)
            if found:
                start = found.start()  # the byte before is ASCII: a character boundary
                window = chunk[start : start + HEAD_BYTES]
                if len(window) < HEAD_BYTES:
                    window += fh.read(HEAD_BYTES - len(window))
                return window
    return None


def _decode_head(head: bytes, encoding: str) -> str:
    codec = "gb18030" if encoding == "gb18030" else encoding
    return codecs.getincrementaldecoder(codec)(errors="replace").decode(head, final=False)


def sniff_separator(header_line: str) -> str:
    """Pick the separator that occurs most often in the header line outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {sep: unquoted.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] > 0 else ","
