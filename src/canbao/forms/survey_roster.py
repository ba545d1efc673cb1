"""The survey roster (入户调查对象名册): reading a match's needs_survey and writing one workbook.

The roster's fields are 淮人社秘〔2017〕166号's (人员编号, 姓名, 性别, 公民身份号码, 出生日期,
个人身份, 户口性质, 户口所在地, 常住所在地地址), preceded by 序号 and the area, followed by the
current enrolment and the reasons the match gave, so that a visitor knows what to ask.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final, Literal

import polars as pl
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from canbao import regions
from canbao.cells import text_only_workbook
from canbao.errors import InputError, UsageError
from canbao.i18n import N_, _
from canbao.print_layout import unit_and_date
from canbao.result_tables import find_result_table, read_result_table
from canbao.sheet_style import (
    fit_body_heights,
    print_table,
    table_head,
    text_body,
)
from canbao.shown_path import shown_path

NEEDS_SURVEY_TABLE: Final = "needs_survey"
NEEDS_SURVEY_FILE: Final = "needs_survey.csv"
NEEDS_SURVEY_COLUMNS: Final = (
    "县区",
    "乡镇(街道)",
    "村(社区)",
    "人员编号",
    "姓名",
    "性别",
    "公民身份号码",
    "出生日期",
    "个人身份",
    "户口性质",
    "户口所在地",
    "常住地址",
    "现参保险种",
    "原因代码",
    "原因",
)
GroupBy = Literal["county", "township", "village"]
GROUP_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "county": ("县区",),
    "township": ("县区", "乡镇(街道)"),
    "village": ("县区", "乡镇(街道)", "村(社区)"),
}
MISSING_PLACE: Final = "未填写"
_RERUN_MATCH: Final = N_("rerun `canbao match`; it writes needs_survey as CSV, Parquet or xlsx")

# (heading, source column in needs_survey, width). Widths in characters: IDs (18 and 16 digits)
# on one line, places and reasons wrapped (the row heights follow the text, see
# canbao.print_layout); the whole prints one A4 landscape page wide.
ROSTER_COLUMNS: Final = (
    ("序号", None, 5),
    ("县区", "县区", 8),
    ("乡镇(街道)", "乡镇(街道)", 10),
    ("村(社区)", "村(社区)", 10),
    ("人员编号", "人员编号", 20),
    ("姓名", "姓名", 8),
    ("性别", "性别", 5),
    ("公民身份号码", "公民身份号码", 23),
    ("出生日期", "出生日期", 11),
    ("个人身份", "个人身份", 9),
    ("户口性质", "户口性质", 9),
    ("户口所在地", "户口所在地", 15),
    ("常住所在地地址", "常住地址", 20),
    ("现参保险种", "现参保险种", 9),
    ("调查原因", "原因", 14),
)

# A place name as a folder name: at most this many characters (Windows paths stay short), and
# never one of the device names Windows reserves.
NAME_MAX_CHARS: Final = 60
WINDOWS_RESERVED: Final = frozenset(
    {
        "CON",
        "PRN",
        "AUX",
        "NUL",
        *(f"COM{i}" for i in range(1, 10)),
        *(f"LPT{i}" for i in range(1, 10)),
    }
)


def read_needs_survey(match_dir: Path) -> pl.DataFrame:
    """Read needs_survey (.csv, .parquet or .xlsx) of a match directory, every column a string."""
    path = find_result_table(Path(match_dir), NEEDS_SURVEY_TABLE)
    if path is None:
        raise InputError(
            _("{path}: no {file}, .parquet or .xlsx in the match directory").format(
                path=Path(match_dir) / NEEDS_SURVEY_FILE, file=NEEDS_SURVEY_FILE
            ),
            fix=_("give --from the --output directory of a finished `canbao match` run"),
        )
    # match neutralised formula-like text in its CSV; the forms show it as it was.
    frame = read_result_table(path, key="公民身份号码", fix=_(_RERUN_MATCH))
    missing = [c for c in NEEDS_SURVEY_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            _("{path}: columns missing: {missing} (found: {found})").format(
                path=shown_path(path), missing=", ".join(missing), found=", ".join(frame.columns)
            ),
            fix=_("rerun `canbao match`; needs_survey.csv must have the columns of docs/design.md"),
        )
    return frame.select(NEEDS_SURVEY_COLUMNS).with_columns(
        pl.col(c).str.strip_chars() for c in NEEDS_SURVEY_COLUMNS
    )


def split_groups(frame: pl.DataFrame, by: str) -> list[tuple[tuple[str, ...], pl.DataFrame]]:
    """Split the roster by county, township or village, keys in sorted order, rows by ID."""
    if by not in GROUP_COLUMNS:
        raise UsageError(
            _("--by {by}: unknown grouping").format(by=by),
            fix=_("use county, township or village"),
        )
    keys = list(GROUP_COLUMNS[by])
    filled = frame.with_columns(pl.col(k).fill_null(MISSING_PLACE) for k in keys)
    parts = filled.partition_by(keys, as_dict=True, maintain_order=True)
    out = [
        (tuple(str(v) for v in key), part.sort("公民身份号码", nulls_last=True))
        for key, part in parts.items()
    ]
    return sorted(out, key=lambda kv: kv[0])


def safe_name(text: str) -> str:
    """Make a place name (data from a roster) a safe file or directory name on Windows and Linux.

    Path separators, control characters, whitespace and the characters Windows forbids become
    ``_``; leading formula characters (``=+-@``) and dots, and trailing dots, are dropped, so a
    name can neither climb out of the output (``..``) nor run as a formula in a spreadsheet that
    lists it; Windows' reserved device names (CON, NUL, COM1, ...) get a ``_`` in front; the
    result is capped at :data:`NAME_MAX_CHARS` characters.
    """
    cleaned = re.sub(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+', "_", text)
    cleaned = cleaned.lstrip("=+-@._'").rstrip("._ ")[:NAME_MAX_CHARS].rstrip("._ ")
    if cleaned.split(".")[0].upper() in WINDOWS_RESERVED:
        cleaned = "_" + cleaned
    return cleaned or "_"


def write_roster_sheet(ws: Worksheet, group: pl.DataFrame, place: str) -> None:
    """Fill one worksheet with the survey roster of a group."""
    ncol = len(ROSTER_COLUMNS)
    ws.title = "入户调查对象名册"
    note = unit_and_date(before=place, after=f"共 {group.height} 人")
    last = table_head(ws, "入户调查对象名册", note, ROSTER_COLUMNS)
    sources = [src for _, src, _ in ROSTER_COLUMNS if src is not None]
    # The county is printed by its GB/T 2260 name (the code stays in the heading and the data).
    shown = group.with_columns(regions.county_name_expr(pl.col("县区"))).select(sources)
    for i, values in enumerate(shown.iter_rows(), start=1):
        ws.append([i, *values])
    text_body(ws, 4, 3 + group.height, ncol)
    fit_body_heights(ws, 4, shown.select(pl.lit("").alias("序号"), pl.all()))
    ws.freeze_panes = "A4"
    end = 3 + max(group.height, 1)
    ws.auto_filter.ref = f"A3:{last}{end}"
    print_table(ws, header_row=3, last_row=end, ncol=ncol)


def write_roster(group: pl.DataFrame, place: str, path: Path) -> None:
    """Write the survey roster workbook of one group."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    write_roster_sheet(ws, group, place)
    text_only_workbook(wb).save(path)


def place_label(key: tuple[str, ...]) -> str:
    """Describe a group for headings: ``县区：濉溪县(340621)  乡镇(街道)：某镇  村(社区)：某村``."""
    names = ("县区", "乡镇(街道)", "村(社区)")
    county = regions.county_name(key[0]) if key else None
    shown = (f"{county}({key[0]})", *key[1:]) if county else key
    return "  ".join(f"{n}：{v}" for n, v in zip(names, shown, strict=False))
