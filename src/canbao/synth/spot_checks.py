"""A sample checker: fills the spot-check sheet (抽查表.xlsx) that ``canbao intake --sample`` drew.

For the tests and the demo. Each sampled form is found to agree with the second visit (是) or
not (否, with a differing item), a few rows are left blank (not yet checked); the counts a correct
read-back must give are tallied here per county in plain Python, independently of intake.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from openpyxl import load_workbook

HEADER_ROW: Final = 3  # the sheet's heading row (forms/spot_check.py writes it there)
ITEMS: Final = ("常住地地址", "手机", "就业状态", "个人身份", "医疗保险")


@dataclass
class FilledSpotChecks:
    """Where the filled sheet is and what its read-back must count per county code."""

    path: Path
    agree: Counter[str] = field(default_factory=Counter)
    disagree: Counter[str] = field(default_factory=Counter)
    blank: Counter[str] = field(default_factory=Counter)


def fill_spot_check_sheet(
    sheet: Path, output: Path, *, seed: int, disagree: float = 0.2, blank: float = 0.05
) -> FilledSpotChecks:
    """Fill ``sheet`` into ``output``: 否 with a share ``disagree``, blank ``blank``, else 是."""
    rng = random.Random(seed)
    wb = load_workbook(sheet)
    ws = wb.worksheets[0]
    headings = [c.value for c in ws[HEADER_ROW]]
    col = {h: i + 1 for i, h in enumerate(headings) if isinstance(h, str)}
    filled = FilledSpotChecks(Path(output))
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        if not ws.cell(row, col["公民身份号码"]).value:
            continue
        county = str(ws.cell(row, col["县区"]).value).split()[0]
        draw = rng.random()
        if draw < blank:
            filled.blank[county] += 1
            continue
        agrees = draw >= blank + disagree
        ws.cell(row, col["与入户调查一致"]).value = "是" if agrees else "否"
        if not agrees:
            ws.cell(row, col["不一致项目"]).value = rng.choice(ITEMS)
        ws.cell(row, col["抽查人"]).value = "李某"
        ws.cell(row, col["抽查日期"]).value = "2017-08-15"
        (filled.agree if agrees else filled.disagree)[county] += 1
    wb.save(output)
    return filled
