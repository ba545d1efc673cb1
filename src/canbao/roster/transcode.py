"""A text file made scannable: a UTF-8 copy when needed, its SHA-256, its line count.

Polars' CSV scanner reads UTF-8 only. GBK/GB18030 and UTF-16 files are decoded as a stream
(1 MiB chunks, Python's incremental decoder, so a character split between chunks is kept)
into a temporary UTF-8 file under the caller's work directory; a whole file is never decoded
in memory. Undecodable bytes become U+FFFD and their lines are reported as unreadable.

A UTF-8 file is not read here at all: polars scans it as it is, its SHA-256 is computed in a
background thread (hashlib releases the GIL, so the hash overlaps the scans instead of adding a
pass before them) and its lines are counted only if the exact line reader needs them.
"""

from __future__ import annotations

import codecs
import hashlib
import tempfile
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Final

# Small chunks: a 16 MiB chunk of GB18030 text held about 85 MiB as bytes, str and UTF-8 at
# once, more than the polars scans that follow; 1 MiB ones hold about 6 and measured no slower.
CHUNK_BYTES: Final = 1024 * 1024


# One file hashed at a time, as by a one-worker pool. Daemon threads, not a ThreadPoolExecutor:
# its worker is joined at interpreter exit, and a run stopped by Ctrl-C or SIGTERM at the wrong
# moment hung there for good instead of exiting 130/143.
_HASHING = threading.Lock()


@dataclass(frozen=True)
class TextSource:
    """A UTF-8 file polars can scan, and facts about the original."""

    utf8_path: Path
    digest: Future[str]  # the original's SHA-256
    lines: int | None  # physical lines, a last line without a newline included; None: not counted
    ends_with_newline: bool | None

    def counted(self) -> TextSource:
        """This source with its lines counted (the exact line reader needs them)."""
        if self.lines is not None:
            return self
        newlines, last = 0, b""
        with self.utf8_path.open("rb") as src:
            while chunk := src.read(CHUNK_BYTES):
                newlines += chunk.count(b"\n")
                last = chunk[-1:]
        return TextSource(self.utf8_path, self.digest, _lines(newlines, last), last == b"\n")


def sha256_later(path: Path) -> Future[str]:
    """The SHA-256 of ``path``, computed in a background thread."""
    digest: Future[str] = Future()

    def run() -> None:
        try:
            with _HASHING:
                digest.set_result(file_sha256(path))
        except BaseException as exc:  # handed to whoever reads the digest
            digest.set_exception(exc)

    threading.Thread(target=run, name="canbao-sha256", daemon=True).start()
    return digest


def prepare_text(path: Path, encoding: str, workdir: Path) -> TextSource:
    """Unless ``path`` is UTF-8 already, transcode it to UTF-8 under ``workdir``, hashing it."""
    if encoding in ("utf-8", "utf-8-sig"):
        return TextSource(path, sha256_later(path), None, None)
    digest = hashlib.sha256()
    newlines = 0
    last = b""
    workdir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f"{path.stem[:40]}.", suffix=".utf8.csv", dir=workdir)
    target = Path(name)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    with path.open("rb") as src, open(fd, "wb") as out:
        while chunk := src.read(CHUNK_BYTES):
            digest.update(chunk)
            data = decoder.decode(chunk).encode("utf-8")
            newlines += data.count(b"\n")
            last = data[-1:] or last
            out.write(data)
        tail = decoder.decode(b"", final=True).encode("utf-8")
        if tail:
            newlines += tail.count(b"\n")
            last = tail[-1:]
            out.write(tail)
    done: Future[str] = Future()
    done.set_result(digest.hexdigest())
    return TextSource(target, done, _lines(newlines, last), last == b"\n")


def _lines(newlines: int, last: bytes) -> int:
    return newlines + (1 if last and last != b"\n" else 0)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while chunk := src.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
