"""Print-ready workbooks: every table a person prints, opened with openpyxl."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from canbao.cli import app
from canbao.print_layout import MIN_FONT_PT, MIN_SCALE, column_points, plan_pages, text_height

ROOT = Path(__file__).resolve().parent.parent
CITY = ROOT / "examples" / "city"
SCORE = ROOT / "examples" / "score"
ID_HEADINGS = {"公民身份号码", "人员编号", "统一社会信用代码", "单位编号", "县区代码"}
ID_HEADINGS |= {"行政区划代码"}
RULE_SETS = ("huaibei-2017", "changzhou-2016", "mohrss-2017")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The score workbooks of the three rule sets and one county's survey workbooks."""
    base = tmp_path_factory.mktemp("print")
    runner = CliRunner()
    match = [
        "match",
        *("--household", str(CITY / "household.csv"), "--floating", str(CITY / "floating.csv")),
        *("--pension", str(CITY / "pension_employee.csv")),
        *("--pension", str(CITY / "pension_resident.xlsx")),
        *("--medical", str(CITY / "medical_employee.csv")),
        *("--medical", str(CITY / "medical_resident.csv")),
        *("--units", str(CITY / "units_registry.csv")),
        *("--insured-units", str(CITY / "units_insured.csv")),
        *("--as-of", "2017-06-30", "--output", str(base / "match"), "-q"),
    ]
    hb, cz, mo = (ROOT / "rules" / f"{n}.yaml" for n in RULE_SETS)
    runs = [
        match,
        ["forms", "survey", "--from", str(base / "match"), "--by", "county"],
        ["score", "--rules", str(hb), str(SCORE / "huaibei-2017-submission.csv")],
        ["score", "--rules", str(cz), str(SCORE / "changzhou-2016-submission.csv")],
        ["score", "--rules", str(mo), str(SCORE / "mohrss-2017-submission.csv")],
    ]
    runs[1] += ["--output", str(base / "survey"), "-q"]
    runs[2] += [str(SCORE / "huaibei-2017-submission.xlsx")]
    runs[2] += ["--self", str(SCORE / "huaibei-2017-self.csv"), "--output", str(base / "hb")]
    runs[3] += ["--self", str(SCORE / "changzhou-2016-self.csv"), "--output", str(base / "cz")]
    runs[4] += ["--output", str(base / "mo")]
    for args in runs:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    county = base / "survey" / "杜集区"
    units = base / "survey" / "单位" / "杜集区"
    return {
        "huaibei": base / "hb" / "huaibei-2017.xlsx",
        "changzhou": base / "cz" / "changzhou-2016.xlsx",
        "mohrss": base / "mo" / "mohrss-2017.xlsx",
        "roster": county / "入户调查对象名册.xlsx",
        "entry": county / "信息录入表.xlsx",
        "unit_roster": units / "单位入户调查名册.xlsx",
        "unit_entry": units / "单位信息录入表.xlsx",
        "national": base / "match" / "basic_data_tables.xlsx",
        "task": base / "match" / "task_table.xlsx",
    }


# Sheets people print (the code lists of the entry workbooks are drop-down sources only).
PRINTED = {
    "huaibei": ["评估表", "分项得分", "排名", "说明"],
    "changzhou": ["评估表", "分项得分", "排名", "考核费用", "说明"],
    "mohrss": ["评估表", "分项得分", "逻辑关系核查", "说明"],
    "roster": ["入户调查对象名册"],
    "entry": ["信息录入表"],
    "unit_roster": ["单位入户调查名册"],
    "unit_entry": ["单位信息录入表"],
    "national": ["基础数据情况表(一)", "基础数据情况表(二)", "逻辑关系校验"],
    "task": ["入户调查任务表"],
}
CASES = [(book, sheet) for book, sheets in PRINTED.items() for sheet in sheets]


def _sheet(books: dict[str, Path], book: str, sheet: str) -> Worksheet:
    return load_workbook(books[book])[sheet]


def _widths(ws: Worksheet) -> list[float]:
    """Column widths; xlsxwriter writes equal neighbours as one range (``<col min max>``)."""
    widths = [8.43] * ws.max_column
    for dim in ws.column_dimensions.values():
        if dim.width and dim.min:
            for col in range(dim.min, min(dim.max or dim.min, ws.max_column) + 1):
                widths[col - 1] = float(dim.width)
    return widths


def _cells(ws: Worksheet) -> Iterator[Cell]:
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell, Cell) and cell.value not in (None, ""):
                yield cell


@pytest.mark.parametrize(("book", "sheet"), CASES)
def test_page_setup_is_a4_with_print_area_titles_and_legible_scale(
    books: dict[str, Path], book: str, sheet: str
) -> None:
    """A4, an orientation, a print area, heading rows repeated, and no scaling below 70 %."""
    ws = _sheet(books, book, sheet)
    setup = ws.page_setup
    assert int(setup.paperSize) == 9
    assert setup.orientation in ("portrait", "landscape")
    assert ws.print_area
    if sheet != "说明":
        assert ws.print_title_rows
    if ws.sheet_properties.pageSetUpPr.fitToPage:  # one page wide: the scale it takes
        assert int(setup.fitToWidth or 1) == 1 and int(setup.fitToHeight or 0) == 0
        plan = plan_pages(_widths(ws))
        assert plan.breaks == () and plan.scale >= MIN_SCALE
    else:  # split across pages: its own scale, column breaks, the first columns repeated
        assert int(setup.scale) >= MIN_SCALE
        assert ws.col_breaks.brk and ws.print_title_cols


@pytest.mark.parametrize(("book", "sheet"), CASES)
def test_no_font_under_9_points(books: dict[str, Path], book: str, sheet: str) -> None:
    """Every written cell's font is 9 pt or more."""
    ws = _sheet(books, book, sheet)
    sizes = {float(cell.font.sz or 11) for cell in _cells(ws)}
    assert sizes and min(sizes) >= MIN_FONT_PT


@pytest.mark.parametrize(("book", "sheet"), CASES)
def test_rows_are_as_tall_as_their_wrapped_text(
    books: dict[str, Path], book: str, sheet: str
) -> None:
    """Each wrapped text (merged cells: over all their rows and columns) has the room it needs."""
    ws = _sheet(books, book, sheet)
    widths = _widths(ws)
    spans = {}
    for rng in ws.merged_cells.ranges:
        c0, r0, c1, r1 = range_boundaries(str(rng))
        spans[(r0, c0)] = (r1, c1)
    short = []
    for cell in _cells(ws):
        if not cell.alignment.wrap_text:
            continue
        r1, c1 = spans.get((cell.row, cell.column), (cell.row, cell.column))
        points = sum(column_points(w) for w in widths[cell.column - 1 : c1])
        width = (points / 0.75 - 5) / 7
        have = sum(ws.row_dimensions[r].height or 15 for r in range(cell.row, r1 + 1))
        need = text_height(cell.value, width, float(cell.font.sz or 11))
        if have + 0.5 < need:
            short.append((cell.coordinate, have, need))
    assert short == []


@pytest.mark.parametrize(("book", "sheet"), CASES)
def test_headings_and_notes_are_chinese(books: dict[str, Path], book: str, sheet: str) -> None:
    """Titles, headings and notes carry no English words, file names or rule-file paths."""
    ws = _sheet(books, book, sheet)
    heading_rows = range(1, (4 if sheet == "评估表" else 3) + 1)
    texts = [
        str(cell.value)
        for cell in _cells(ws)
        if isinstance(cell.value, str) and (cell.row in heading_rows or sheet == "说明")
    ]
    if sheet == "考核费用":
        texts += [str(c.value) for c in _cells(ws) if c.column == 1 and c.row > 6]
    assert texts
    assert [t for t in texts if LATIN_WORD.search(t) or ".yaml" in t or "seed" in t] == []


def test_title_and_unit_and_date_lines(books: dict[str, Path]) -> None:
    """Each printed sheet opens with its title and a 填报单位 / 填报日期 line."""
    for book, sheet in CASES:
        ws = _sheet(books, book, sheet)
        assert ws["A1"].value and float(ws["A1"].font.sz or 0) >= 14, (book, sheet)
        if sheet != "说明":
            line = str(ws["A2"].value)
            assert "填报单位" in line, (book, sheet)
            assert "填报日期" in line or "填报时间" in line, (book, sheet)


@pytest.mark.parametrize("book", ["roster", "entry", "unit_roster", "unit_entry"])
def test_forms_freeze_filter_and_keep_ids_as_text(books: dict[str, Path], book: str) -> None:
    """Frozen headings, a filter, and every ID-like column stored and formatted as text."""
    ws = _sheet(books, book, PRINTED[book][0])
    assert ws.freeze_panes and ws.auto_filter.ref
    heads = {str(c.value): c.column for c in ws[3] if c.value in ID_HEADINGS}
    assert heads
    checked = 0
    for col in heads.values():
        for (cell,) in ws.iter_rows(min_row=4, min_col=col, max_col=col):
            assert cell.number_format == "@"
            if cell.value is not None:
                assert isinstance(cell.value, str) and cell.data_type == "s"
                checked += 1
    assert checked > 0


def test_score_tables_freeze_headings_filter_and_keep_codes_as_text(
    books: dict[str, Path],
) -> None:
    """评估表 freezes its headings and indicator columns; 排名 filters and keeps 县区代码 text."""
    book = load_workbook(books["huaibei"])
    assert book["评估表"].freeze_panes == "D6"
    ranking = book["排名"]
    assert ranking.freeze_panes == "A4" and ranking.auto_filter.ref
    codes = [row[2] for row in ranking.iter_rows(min_row=4)]
    assert codes and all(c.data_type == "s" and str(c.value).isdigit() for c in codes)


def test_the_evaluation_table_splits_rather_than_shrinks(books: dict[str, Path]) -> None:
    """Four counties do not fit one A4 width at 70 %: the table breaks between column blocks
    and repeats the indicator columns and the two heading rows on every page."""
    ws = load_workbook(books["huaibei"])["评估表"]
    assert ws.print_title_cols == "$A:$C" and ws.print_title_rows == "$3:$4"
    assert int(ws.page_setup.scale) >= MIN_SCALE
    breaks = [b.id for b in ws.col_breaks.brk]
    assert breaks and all(ws.cell(row=3, column=b + 1).value for b in breaks)


def test_the_blank_data_table_keeps_its_column_numbers_and_fits_its_notes(tmp_path: Path) -> None:
    """附件4's data table: 甲栏 1..21, 填报单位名称 and 填报时间, notes and headings not clipped."""
    from canbao.forms import write_template
    from canbao.score.datatable import DATATABLE_NOTES

    path = write_template("datatable", ROOT / "rules" / "huaibei-2017.yaml", tmp_path / "d.xlsx")
    ws = load_workbook(path)["数据表"]
    assert ws["A5"].value == "甲栏" and ws["V5"].value == 21
    assert "填报单位名称" in str(ws["A2"].value) and "填报时间" in str(ws["P2"].value)
    widths = _widths(ws)
    notes_width = (sum(column_points(w) for w in widths[:22]) / 0.75 - 5) / 7
    assert (ws.row_dimensions[8].height or 0) >= text_height(DATATABLE_NOTES, notes_width)
    assert int(ws.page_setup.paperSize) == 9 and plan_pages(widths[:22]).scale >= MIN_SCALE


def _charts(ws: Worksheet) -> list[tuple[str, list[tuple[str, str, str]], int, int]]:
    """Each chart's title, its series (name, values, categories), first and last row (0-based)."""
    found = []
    for chart in ws._charts:
        title = "".join(r.t for p in chart.title.tx.rich.p for r in (p.r or []))
        series = [(s.tx.v, s.val.numRef.f, (s.cat.strRef or s.cat.numRef).f) for s in chart.series]
        found.append((title, series, chart.anchor._from.row, chart.anchor.to.row))
    return found


def _bounds(ref: str) -> tuple[int, int, int, int]:
    """(first column, first row, last column, last row), 1-based, of ``'sheet'!$A$1:$B$2``."""
    bounds = range_boundaries(ref.split("!")[-1].replace("$", ""))
    assert None not in bounds, ref
    return bounds  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("book", "sheet", "titles", "heads"),
    [
        ("task", "入户调查任务表", ["各县区需入户调查人数", "各县区养老、医疗保险应参与已参人数"],
         ["需入户调查人员数", "养老保险已参人数"]),
        ("huaibei", "排名", ["总分排名（审核与自评）"], ["总分"]),
        ("changzhou", "排名", ["总分排名（审核与自评）"], ["总分"]),
        ("changzhou", "考核费用", ["各县区考核费用（元）"], ["考核费用（元）"]),
    ],
)  # fmt: skip
def test_charts_sit_under_their_table_and_read_its_cells(
    books: dict[str, Path], book: str, sheet: str, titles: list[str], heads: list[str]
) -> None:
    """Each native chart reads the county rows of its own table (its series' columns under the
    headings they are named by) and lies below the table, inside the print area."""
    ws = _sheet(books, book, sheet)
    charts = _charts(ws)
    assert [c[0] for c in charts] == titles
    area = _bounds(str(ws.print_area))
    headings = {ws.cell(row=3, column=c).value: c for c in range(1, ws.max_column + 1)}
    for (_, series, first, last), head in zip(charts, heads, strict=True):
        columns = []
        for name, values, categories in series:
            assert values.startswith(f"'{sheet}'!") and categories.startswith(f"'{sheet}'!")
            col, top, _, bottom = _bounds(values)
            assert (top, bottom) == _bounds(categories)[1::2] and top == 4
            assert ws.cell(row=3, column=col).value == name
            columns.append(col)
        assert headings[head] in columns
        assert bottom < first + 1 <= last + 1 <= area[3]


def test_the_evaluation_workbooks_print_on_their_counted_pages(
    books: dict[str, Path], tmp_path: Path
) -> None:
    """Huaibei: 评估表 6 pages (3 bands x 2 across), 分项得分 4, 排名 with its chart 1, 说明 1;
    Changzhou: 评估表 4, 分项得分 2, 排名 1, 考核费用 with its notes and chart 1, 说明 1; on no
    page does a word overlap another."""
    import subprocess

    from tests.test_printed_pages import overprinted_words, printed_pages

    for book, pages, one_page in (
        ("huaibei", 12, ["排名"]), ("changzhou", 9, ["排名", "考核费用"])
    ):  # fmt: skip
        work = tmp_path / book
        work.mkdir()
        assert printed_pages(books[book], work) == pages
        pdf = work / f"{books[book].stem}.pdf"
        texts = [
            subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"],
                           check=True, capture_output=True, text=True).stdout
            for i in range(1, pages + 1)
        ]  # fmt: skip
        assert overprinted_words(pdf) == []
        for sheet in one_page:
            page = next(i for i, t in enumerate(texts) if f"（{sheet}）" in t)
            assert "（说明）" in texts[page + 1] or "（考核费用）" in texts[page + 1]
            assert ("总分排名" if sheet == "排名" else "各县区考核费用") in texts[page]


def test_the_survey_roster_prints_every_person_one_page_wide(
    books: dict[str, Path], tmp_path: Path
) -> None:
    """杜集区's roster (55 persons) prints on 5 landscape A4 pages, the headings on each, every
    person's 18-character ID on exactly one page, no word over another."""
    import subprocess

    from tests.test_printed_pages import overprinted_words, printed_pages

    assert printed_pages(books["roster"], tmp_path) == 5
    pdf = tmp_path / f"{books['roster'].stem}.pdf"
    ids = 0
    for i in range(1, 6):
        text = subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"],
                              check=True, capture_output=True, text=True).stdout  # fmt: skip
        assert "公民身份号码" in text and "调查原因" in text
        ids += len(re.findall(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])", text))
    assert ids == 55
    assert overprinted_words(pdf) == []
