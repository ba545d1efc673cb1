"""The workbooks officials print, rendered to PDF as a county office prints them (LibreOffice)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import load_workbook


def printed_pages(book: Path, work: Path) -> int:
    """The A4 pages LibreOffice prints ``book`` on (its print areas, breaks and scaling apply)."""
    # A private profile: another LibreOffice (a test beside this one) must not block it.
    profile = (work / "profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(work), str(book)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    info = subprocess.run(
        ["pdfinfo", str(work / f"{book.stem}.pdf")], check=True, capture_output=True, text=True
    ).stdout
    sizes = [line for line in info.splitlines() if line.startswith("Page size:")]
    assert sizes and "A4" in sizes[0], sizes
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def overprinted_words(pdf: Path) -> list[tuple[int, str, str]]:
    """Pairs of words whose boxes overlap on a printed page (pdftotext's word boxes): text that
    overprints its neighbour, or text drawn where a cell clips it."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"],
                           check=True, capture_output=True, text=True).stdout  # fmt: skip
    doc = ElementTree.fromstring(xhtml[xhtml.index("<doc>") : xhtml.index("</doc>") + 6])
    found = []
    for number, page in enumerate(doc.iter("page"), start=1):
        boxes = [
            ([float(w.get(k, "0")) for k in ("xMin", "yMin", "xMax", "yMax")], w.text or "")
            for w in page.iter("word")
        ]
        for i, (a, first) in enumerate(boxes):
            for b, second in boxes[i + 1 :]:
                across = min(a[2], b[2]) - max(a[0], b[0])
                down = min(a[3], b[3]) - max(a[1], b[1])
                if across > 1 and down > 1:
                    found.append((number, first, second))
    return found


def test_each_national_table_prints_on_one_a4_page(
    example_city_output: Path, tmp_path: Path
) -> None:
    """Tables (一), (二) and their relations print on one A4 page each (the old layout: 12), no
    word over another."""
    book = example_city_output / "basic_data_tables.xlsx"
    sheets = load_workbook(book, read_only=True).sheetnames
    assert len(sheets) == 3
    assert printed_pages(book, tmp_path) == len(sheets)
    assert overprinted_words(tmp_path / f"{book.stem}.pdf") == []


def test_the_task_table_prints_on_one_a4_page(example_city_output: Path, tmp_path: Path) -> None:
    """The example city's task table (four counties and 合计) and its charts print on one A4
    page, no word over another."""
    assert printed_pages(example_city_output / "task_table.xlsx", tmp_path) == 1
    assert overprinted_words(tmp_path / "task_table.pdf") == []


def test_the_overlap_check_sees_wrapped_text_overflowing_its_row(tmp_path: Path) -> None:
    """The check is not blind: a wrapped text of three lines in a row one line high (the old
    evaluation table's fault) is found overprinting the row below."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    book = Workbook()
    sheet = book.active
    sheet.column_dimensions["A"].width = 8
    sheet["A1"] = "全民参保登记工作评估表的指标说明文字"
    sheet["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[1].height = 14
    sheet["A2"] = "总分合计"
    path = tmp_path / "overflow.xlsx"
    book.save(path)
    assert printed_pages(path, tmp_path) == 1
    assert overprinted_words(tmp_path / "overflow.pdf")
