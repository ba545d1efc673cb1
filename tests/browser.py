"""A real headless Chromium (Debian's package) with no network: pages printed to PDF, read back.

The browser runs in a network namespace of its own (``unshare -n``, as root) where that works,
and always with a proxy nobody listens at and no name resolution, so nothing can be fetched.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

OFFLINE_FLAGS = (
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    # The browser's own background fetches (updates, time, sync): off, as far as flags allow.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-features=NetworkTimeServiceQuerying",
)
BROWSER_ITSELF = "not an origin"  # the initiator the net log gives the browser's own requests


def chromium() -> str:
    """The browser's command (Debian names it chromium; the Makefile installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "chromium is missing: run `make printing` (Debian package chromium)"
    return found


def _no_network() -> list[str]:
    try:
        subprocess.run(["unshare", "-n", "true"], check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return []
    return ["unshare", "-n"]


def print_to_pdf(page: Path, work: Path) -> tuple[Path, list[str]]:
    """Print ``page`` as the browser shows it to an A4 PDF, with no network at all; return the
    PDF and every address the page asked for (from Chromium's net log)."""
    pdf = work / f"{page.stem}.pdf"
    netlog = work / f"{page.stem}-netlog.json"
    command = [
        *_no_network(), chromium(), "--headless", "--no-sandbox", "--disable-gpu",
        f"--user-data-dir={work / 'chromium-profile'}", *OFFLINE_FLAGS,
        f"--log-net-log={netlog}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
        page.resolve().as_uri(),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    assert pdf.is_file() and pdf.stat().st_size > 0
    return pdf, page_requests(netlog)


def page_requests(netlog: Path) -> list[str]:
    """The URLs of the requests a page started (not the browser's own), from a net log."""
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return sorted(
        str(params["url"])
        for event in log["events"]
        if event["type"] == start
        and "url" in (params := event.get("params") or {})
        and params.get("initiator") != BROWSER_ITSELF
    )


def pdf_text(pdf: Path) -> str:
    """The text of a PDF (poppler's pdftotext)."""
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def colour_counts(pdf: Path, work: Path, colours: list[str], dpi: int = 40) -> dict[str, int]:
    """Pixels of each ``#rrggbb`` colour (within a small tolerance) over the PDF's pages."""
    subprocess.run(["pdftoppm", "-r", str(dpi), str(pdf), str(work / "page")], check=True)
    wanted = {c: tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in colours}
    found = dict.fromkeys(colours, 0)
    for ppm in sorted(work.glob("page*.ppm")):
        for pixel in _pixels(ppm.read_bytes()):
            for colour, rgb in wanted.items():
                if all(abs(a - b) <= 6 for a, b in zip(pixel, rgb, strict=True)):
                    found[colour] += 1
    return found


def _pixels(data: bytes) -> list[tuple[int, int, int]]:
    """The RGB pixels of a binary PPM (P6, 8 bits), as pdftoppm writes it."""
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos : pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P6" and fields[3] == b"255", fields
    body = data[pos + 1 :]
    return [(body[i], body[i + 1], body[i + 2]) for i in range(0, len(body) - 2, 3)]
