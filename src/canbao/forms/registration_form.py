"""The registration form (全民参保登记表 of 淮人社秘〔2017〕166号), one per printed A4 page.

One worksheet holds the forms of a group: a block of rows per person, a manual page break after
each block, the title repeated on every page (print titles), fit to one page wide. What the match
knows is printed in place (name, ID, sex, hukou place, address) and the current enrolment is
ticked (☑); everything else is left as the form's boxes (□) and blanks for the visitor.
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from typing import Final

import polars as pl
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.worksheet import Worksheet

from canbao import regions
from canbao.codes import SCHEMES
from canbao.forms.form_codes import IDENTITY, NOT_INSURED
from canbao.sheet_style import BOX, merge, setup_print

BOXED, TICKED = "□", "☑"
BLANK: Final = "________"
COLUMN_WIDTHS: Final = (13, 12, 12, 12, 12, 12, 8, 10)
LAST: Final = get_column_letter(len(COLUMN_WIDTHS))
# Row heights (points) of one form block, in order; the block fills a portrait A4 page.
BLOCK_HEIGHTS: Final = (30, 40, 66, 66, 54, 72, 36, 66, 66, 34, 72, 48, 40)
BLOCK_ROWS: Final = len(BLOCK_HEIGHTS)
FIRST_BLOCK_ROW: Final = 3

# The form's own order of the scheme boxes (养老 lists 11, 13, 12, 14, 15).
PENSION_ORDER: Final = ("11", "13", "12", "14", "15")
MEDICAL_ORDER: Final = ("21", "22", "23", "24", "25", "26")
OTHER_ORDER: Final = ("40", "30", "50")
FORM_LABELS: Final = {
    "11": "城镇职工基本养老保险",
    "13": "机关事业单位养老保险",
    "14": "被征地农民养老保障(单建制度)",
    "15": "其他养老保障(单建制度)",
    "26": "其他医疗保障(单建制度)",
}

FONT: Final = Font(name="SimSun", size=11)
LABEL_FONT: Final = Font(name="SimSun", size=11, bold=True)
NOTE_FONT: Final = Font(name="SimSun", size=9, italic=True)
TOP_LEFT: Final = Alignment(wrap_text=True, vertical="center", horizontal="left")
CENTRE: Final = Alignment(wrap_text=True, vertical="center", horizontal="center")


def boxes(items: list[str], ticked: set[str] | None = None, sep: str = "  ") -> str:
    """Render a row of check boxes, ticking the items in ``ticked``."""
    chosen = ticked or set()
    return sep.join(f"{TICKED if item in chosen else BOXED}{item}" for item in items)


def scheme_line(order: tuple[str, ...], held: set[str]) -> str:
    """Render scheme boxes in the form's order, ticking those the match found active."""
    return "  ".join(
        f"{TICKED if code in held else BOXED}{FORM_LABELS.get(code, SCHEMES[code])}"
        for code in order
    )


def _put(ws: Worksheet, ref: str, value: str, *, label: bool = False) -> None:
    cell = ws[ref]
    cell.value = value
    cell.font = LABEL_FONT if label else FONT
    cell.alignment = CENTRE if label else TOP_LEFT


def _or_blank(value: str | None) -> str:
    return value if value else BLANK


def _region_line(code: str | None) -> str:
    """``江苏省  南京市  区(县)：玄武区`` from the county code (blanks where GB/T 2260 lacks it)."""
    found = regions.region(code) if code else None
    if found is None:
        return f"{BLANK}省  {BLANK}市  区(县)：{_or_blank(code)}"
    return f"{found.province}  {found.city_shown or BLANK}  区(县)：{found.name}"


@dataclass(frozen=True)
class _Field:
    """A written cell of a form's block: its row in the block, column, text, whether it is a
    label, and the last cell of the range it heads (column, row in the block), if merged."""

    row: int
    column: str
    text: str
    label: bool = False
    merge_to: tuple[str, int] | None = None


def _fields(person: dict[str, str | None]) -> list[_Field]:
    """The cells one person's form writes, in the order they are written."""
    held = set(filter(None, (person.get("现参保险种") or "").split(";")))
    identity = person.get("个人身份") or ""
    place = (
        f"{_region_line(person.get('县区'))}  "
        f"街道(乡镇)：{_or_blank(person.get('乡镇(街道)'))}  "
        f"社区(村)：{_or_blank(person.get('村(社区)'))}  {BLANK}组"
    )
    rows = [
        (
            "就业状态",
            f"1.已单位就业  工作单位名称：{BLANK}{BLANK}{BLANK}\n2.无单位："
            + boxes(
                ["学龄前", "在校学生", "未就业", "灵活就业", "已办理离退休手续或已领取养老待遇"]
            ),
        ),
        (
            "个人身份",
            boxes([label for _, label in IDENTITY.values[:-1]], {identity})
            + f"  {BOXED}其他{BLANK}",
        ),
        (
            "户口所在地",
            f"{person.get('户口所在地') or ''}\n"
            f"{BLANK}(省/自治区/直辖市){BLANK}(地/市/州){BLANK}(区/县)",
        ),
        (
            "常住地地址",
            f"{person.get('常住地址') or ''}\n"
            f"{BLANK}(省/自治区/直辖市){BLANK}(地/市/州){BLANK}(区/县)"
            f"{BLANK}(乡镇/街道){BLANK}(村/社区){BLANK}(街/路/巷/门牌号)",
        ),
        ("联系电话", f"手机：{BLANK}{BLANK}        固定电话：{BLANK}{BLANK}"),
    ]
    reasons = [label for _, label in NOT_INSURED.values[:-1]]
    note = (
        f"人员编号：{person.get('人员编号') or '无'}    需入户调查原因：{person.get('原因') or ''}"
        f"    （{TICKED} 为比对所得的现参保情况，请入户核实）"
    )
    return [
        _Field(0, "A", place, merge_to=(LAST, 0)),
        _Field(1, "A", "公民身份证号码", label=True),
        _Field(1, "B", person.get("公民身份号码") or "", merge_to=("D", 1)),
        _Field(1, "E", "户籍姓名", label=True),
        _Field(1, "F", person.get("姓名") or ""),
        _Field(1, "G", "性别", label=True),
        _Field(1, "H", person.get("性别") or ""),
        *(
            field
            for row, (label, text) in enumerate(rows, start=2)
            for field in (
                _Field(row, "A", label, label=True),
                _Field(row, "B", text, merge_to=(LAST, row)),
            )
        ),
        _Field(7, "A", "现参保情况\n(不同险种可多选，同一险种单选)", label=True, merge_to=("A", 9)),
        _Field(
            7,
            "B",
            "养老保险(单选)：" + scheme_line(PENSION_ORDER, held) + BLANK,
            merge_to=(LAST, 7),
        ),
        _Field(
            8,
            "B",
            "医疗保险(单选)：" + scheme_line(MEDICAL_ORDER, held) + BLANK,
            merge_to=(LAST, 8),
        ),
        _Field(9, "B", scheme_line(OTHER_ORDER, held), merge_to=(LAST, 9)),
        _Field(10, "A", "未参保原因", label=True),
        _Field(10, "B", boxes(reasons) + f"  {BOXED}其他{BLANK}", merge_to=(LAST, 10)),
        _Field(11, "A", "经办人签名：", merge_to=("D", 11)),
        _Field(11, "E", "复核人签名：", merge_to=(LAST, 11)),
        _Field(12, "A", note, merge_to=(LAST, 12)),
    ]


def _merged(field: _Field, top: int) -> str:
    """The range ``field`` heads in the block at ``top`` (``field.merge_to`` is set)."""
    assert field.merge_to is not None
    column, row = field.merge_to
    return f"{field.column}{top + field.row}:{column}{top + row}"


def write_form_block(ws: Worksheet, top: int, person: dict[str, str | None]) -> None:
    """Write one person's form into rows ``top`` .. ``top + BLOCK_ROWS - 1``, every cell styled
    (a sheet's first form; the others copy its styles: :func:`copy_form_block`)."""
    for field in _fields(person):
        ref = f"{field.column}{top + field.row}"
        _put(ws, ref, field.text, label=field.label)
        if field.merge_to is not None:
            merge(ws, _merged(field, top))
    for ref in (f"B{top + 1}", f"F{top + 1}", f"H{top + 1}"):
        ws[ref].alignment = CENTRE
    note_row = top + BLOCK_ROWS - 1
    ws[f"A{note_row}"].font = NOTE_FONT
    for row, height in zip(range(top, top + BLOCK_ROWS), BLOCK_HEIGHTS, strict=True):
        ws.row_dimensions[row].height = height
        for col in range(1, len(COLUMN_WIDTHS) + 1):
            if row != note_row:
                ws.cell(row=row, column=col).border = BOX


def copy_form_block(ws: Worksheet, first: int, top: int, person: dict[str, str | None]) -> None:
    """Write one person's form at ``top`` as the form at ``first`` (written by
    :func:`write_form_block`) is laid out: its merges, row heights and every cell's style copied,
    then this person's texts.

    Setting a style through openpyxl looks it up in the workbook's style lists by hashing it,
    and ``merge_cells`` gives every covered cell a protection the same way: about 250 lookups a
    form, a third of the time of a group's workbooks (docs/forms.md, "How long it takes"). A copied
    style array is the same cell style without them (openpyxl copies worksheets this way), and
    the workbook is the same to the byte (tests/test_merge_cells.py).
    """
    fields = _fields(person)
    for field in fields:  # first, so no range finds a styled corner to take borders from
        if field.merge_to is not None:
            ws.merged_cells.ranges.add(MergedCellRange(ws, _merged(field, top)))
    for offset, height in enumerate(BLOCK_HEIGHTS):
        ws.row_dimensions[top + offset].height = height
        for col in range(1, len(COLUMN_WIDTHS) + 1):
            source = ws._cells.get((first + offset, col))
            if source is None:
                continue
            if isinstance(source, MergedCell):
                target = ws._cells[top + offset, col] = MergedCell(ws, row=top + offset, column=col)
            else:
                target = ws.cell(row=top + offset, column=col)
            target._style = copy(source._style)
    for field in fields:
        ws.cell(
            row=top + field.row, column=column_index_from_string(field.column)
        ).value = field.text


def write_forms_sheet(ws: Worksheet, group: pl.DataFrame) -> list[int]:
    """Fill a worksheet with one form per person; return the first row of each form."""
    ws.title = "全民参保登记表"
    for col, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws["A1"] = "全民参保登记表"
    ws["A1"].font = Font(name="SimSun", size=18, bold=True)
    ws["A1"].alignment = CENTRE
    ws.merge_cells(f"A1:{LAST}1")
    ws.row_dimensions[1].height = 36
    ws.row_dimensions[2].height = 6
    tops: list[int] = []
    for i, person in enumerate(group.iter_rows(named=True)):
        top = FIRST_BLOCK_ROW + i * BLOCK_ROWS
        if i == 0:
            write_form_block(ws, top, person)
        else:
            copy_form_block(ws, FIRST_BLOCK_ROW, top, person)
        tops.append(top)
    # One assignment: RowBreak.append checks the whole list again at every break, so 20,000
    # forms' breaks took 16.5 s appended one by one (3,000: 0.4 s) and take 0.08 s at once.
    ws.row_breaks = RowBreak(brk=[Break(id=top + BLOCK_ROWS - 1) for top in tops[:-1]])
    end = FIRST_BLOCK_ROW + max(group.height, 1) * BLOCK_ROWS - 1
    ws.print_area = f"A1:{LAST}{end}"
    setup_print(ws, landscape=False, title_rows="1:2")
    ws.sheet_view.view = "pageBreakPreview"
    return tops


INSTRUCTIONS: Final = (
    "填写说明",
    "(一) 公民身份证号码：指居民身份证上的公民身份号码。特殊人群可填写护照等有效证件号码。",
    "(二) 就业状态：有就业单位的填写单位全称；无就业单位人员按下列类别登记：1. 学龄前、"
    "2. 在校学生、3. 未就业、4. 灵活就业、5. 已办理离退休手续或已领取养老待遇"
    "（数字为信息录入代码，下同）。",
    "(三) 户口所在地：填写到户口所在省(自治区、直辖市)、市(区、州)、县(区)。",
    "(四) 常住地地址：指个人常住地的详细地址，由中华人民共和国行政区划名称、街道(乡、镇)和"
    "街、路、巷、村等名称以及门牌号码及居室号码构成。",
    "(五) 手机：如无手机，可填写家庭其他成员手机或家庭座机。",
    "(六) 现参保情况(不同险种可多选，同一险种单选)："
    + "、".join(f"{code}. {label}" for code, label in SCHEMES.items()),
    "(七) 未参保原因：91. 个人未参保、92. 单位未予参保、93. 参军等原因未参保。",
    "",
    "本工作簿由 canbao 预填：姓名、公民身份号码、性别、户口所在地、常住地址取自比对结果；"
    f"{TICKED} 为比对所得的现参保情况。入户时请逐项核实，填写后录入《信息录入表》。",
)


def write_instructions(ws: Worksheet) -> None:
    """Write the form's 填写说明 (淮人社秘〔2017〕166号) on a sheet of its own."""
    ws.title = "填写说明"
    ws.column_dimensions["A"].width = 100
    for i, text in enumerate(INSTRUCTIONS, start=1):
        cell = ws.cell(row=i, column=1, value=text)
        cell.font = LABEL_FONT if i == 1 else FONT
        cell.alignment = TOP_LEFT
    setup_print(ws, landscape=False, title_rows=None)
