"""Reading filled entry sheets (信息录入表, xlsx or CSV) into one frame of strings.

The heading row is found by its 公民身份号码 cell among the first rows, so a sheet with or
without canbao's title rows reads the same. Every value stays a string (an ID must never become
a number); a cell Excel stored as a number comes back as its text (``11``, not ``11.0``). Blank
rows (the spare rows below the roster) are dropped. ``_file`` and ``_row`` locate each row: the
Excel row number, or the physical line in a CSV file (the heading's line counted).

A formula in a filled sheet is read as its text (``=…``), never evaluated: calamine would give
its cached value (none, if openpyxl or another program wrote it), so a workbook with a formula
cell is read through openpyxl, which gives the formula itself. Intake reports it as a problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

import polars as pl

from canbao.cells import FORMULA_CELL
from canbao.errors import InputError
from canbao.forms.entry_sheet import ENTRY_SHEET
from canbao.forms.form_codes import ENTRY_HEADINGS
from canbao.i18n import N_, _
from canbao.readfail import check_text_lines, unreadable_file
from canbao.shown_path import shown_path
from canbao.workbook_guard import check_workbook

OPTIONAL: Final = frozenset({"序号", "经办人", "复核人"})
REQUIRED_HEADINGS: Final = tuple(h for h in ENTRY_HEADINGS if h not in OPTIONAL)
SCAN_ROWS: Final = 10
ID_HEADING: Final = "公民身份号码"
_CSV_FIX: Final = N_("save the entry sheet as CSV UTF-8 (or as .xlsx) and try again")


def _raw_csv(path: Path) -> pl.DataFrame:
    data = check_text_lines(path)
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError(
            _("the entry sheet {path} is empty").format(path=shown_path(path)),
            fix=_("give the filled 信息录入表 written by `canbao forms survey`"),
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return pl.read_csv(
                text.encode("utf-8"),
                has_header=False,
                infer_schema=False,
                truncate_ragged_lines=True,
            )
        except pl.exceptions.PolarsError as exc:
            raise unreadable_file(path, exc, fix=_(_CSV_FIX)) from None
    raise InputError(
        _("{path}: neither UTF-8 nor GB18030 text").format(path=shown_path(path)),
        fix=_(_CSV_FIX),
    )


def _has_formula(path: Path) -> bool:
    """Whether any worksheet of a workbook holds a formula cell (an ``<f>`` element)."""
    import zipfile

    with zipfile.ZipFile(path) as book:
        sheets = [
            n for n in book.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
        ]
        return any(FORMULA_CELL.search(book.read(name)) for name in sheets)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _raw_xlsx_formulas(path: Path, sheet: str) -> pl.DataFrame:
    """A sheet as strings through openpyxl: a formula cell gives its text, not its value."""
    from openpyxl import load_workbook

    ws = load_workbook(path, read_only=True)[sheet]
    rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(min_row=1, values_only=True)]
    width = max((len(r) for r in rows), default=0)
    columns = [f"column_{i + 1}" for i in range(width)]
    padded = [[*r, *([None] * (width - len(r)))] for r in rows]
    return pl.DataFrame(padded, schema=dict.fromkeys(columns, pl.String), orient="row")


def _raw_xlsx(path: Path) -> pl.DataFrame:
    import fastexcel

    check_workbook(path)
    try:
        names = fastexcel.read_excel(path).sheet_names
    except Exception as exc:  # fastexcel raises its own error types for broken files
        raise unreadable_file(path, exc, fix="re-save it as .xlsx") from exc
    if not names:
        raise InputError(
            _("{path}: the workbook has no sheet").format(path=shown_path(path)),
            fix=_("re-save it as .xlsx"),
        )
    sheet = ENTRY_SHEET if ENTRY_SHEET in names else names[0]
    try:
        if _has_formula(path):
            return _raw_xlsx_formulas(path, sheet)
        return pl.read_excel(path, sheet_name=sheet, has_header=False, infer_schema_length=0)
    except Exception as exc:  # calamine's, openpyxl's and polars' own kinds for a broken sheet
        raise unreadable_file(path, exc, fix=_("re-save it as .xlsx")) from None


SHEET_SUFFIXES: Final = frozenset({".xlsx", ".xlsm", ".csv"})
# What every entry sheet's file name holds (信息录入表.xlsx, 单位信息录入表.xlsx).
ENTRY_NAME_PART: Final = "录入表"


def entry_files(paths: Sequence[Path]) -> list[Path]:
    """``paths`` with each folder replaced by the entry sheets inside it, at any depth, sorted.

    A county sends a folder per township or village (207 of them in Huaibei). From a folder only
    the files named as entry sheets are taken (``…录入表….xlsx``, as ``canbao forms survey``
    names them: 信息录入表, 单位信息录入表, and copies such as ``信息录入表(1).xlsx``), since the
    same folders hold the rosters, registration forms and index that are no entry sheets; Excel's
    lock files (``~$…``) and hidden files are left out. A sheet saved under another name is given
    by its path. A folder without an entry sheet is an error, not silence.
    """
    out: list[Path] = []
    for path in paths:
        if not path.is_dir():
            out.append(path)
            continue
        found = sorted(
            p
            for p in path.rglob("*")
            if p.suffix.lower() in SHEET_SUFFIXES
            and ENTRY_NAME_PART in p.stem
            and p.is_file()
            and not p.name.startswith(("~$", "."))
        )
        if not found:
            raise InputError(
                _("the folder {path} holds no .xlsx or .csv file named …{part}…").format(
                    path=shown_path(path), part=ENTRY_NAME_PART
                ),
                fix=_(
                    "give the folder that holds the filled 信息录入表, or the files themselves "
                    "by their paths"
                ),
            )
        out += found
    return out


def read_entry_file(path: Path) -> pl.DataFrame:
    """Read one entry sheet: the required headings as String columns plus ``_file``, ``_row``."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            _("{path}: no such file").format(path=shown_path(path)),
            fix=_("give the filled 信息录入表 (.xlsx or .csv)"),
        )
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        raw = _raw_xlsx(path)
    elif suffix in {".csv", ".txt"}:
        raw = _raw_csv(path)
    else:
        raise InputError(
            _("{path}: unknown format {suffix!r}").format(path=shown_path(path), suffix=suffix),
            fix=_("give an .xlsx or .csv entry sheet"),
        )
    cells = raw.with_columns(pl.all().str.strip_chars().str.strip_chars("\ufeff"))
    header_at = None
    for i, row in enumerate(cells.head(SCAN_ROWS).iter_rows()):
        if ID_HEADING in row:
            header_at = i
            break
    if header_at is None:
        raise InputError(
            _("{path}: no heading row with {heading} in the first {n} rows").format(
                path=shown_path(path), heading=ID_HEADING, n=SCAN_ROWS
            ),
            fix=_("use the 信息录入表 written by `canbao forms survey` (headings on row 3)"),
        )
    headings = [
        str(h) if h is not None else f"_blank{i}" for i, h in enumerate(cells.row(header_at))
    ]
    missing = [h for h in REQUIRED_HEADINGS if h not in headings]
    if missing:
        found = ", ".join(h for h in headings if not h.startswith("_blank"))
        raise InputError(
            _("{path}: headings missing: {missing} (found: {found})").format(
                path=shown_path(path), missing=", ".join(missing), found=found
            ),
            fix=_("keep the headings of the 信息录入表 as written by `canbao forms survey`"),
        )
    body = cells.slice(header_at + 1)
    body.columns = _dedupe(headings)
    present = [h for h in ENTRY_HEADINGS if h in body.columns]
    body = body.select(
        [pl.col(h) for h in present]
        + [pl.lit(None, dtype=pl.String).alias(h) for h in ENTRY_HEADINGS if h not in present]
    ).with_columns(
        # empty strings become null; Excel numbers read back as text lose a trailing ".0"
        pl.all().replace("", None).str.replace(r"^([0-9]+)\.0$", "${1}"),
        pl.lit(str(path)).alias("_file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + header_at + 2).alias("_row"),
    )
    filled = pl.any_horizontal(pl.col(h).is_not_null() for h in REQUIRED_HEADINGS)
    return body.filter(filled)


def _dedupe(names: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def read_entry_files(paths: Sequence[Path]) -> pl.DataFrame:
    """Read and stack several entry sheets (xlsx and CSV may be mixed)."""
    if not paths:
        raise InputError(
            _("no entry sheet given"), fix=_("name one or more filled 信息录入表 files")
        )
    return pl.concat([read_entry_file(p) for p in paths], how="vertical")
