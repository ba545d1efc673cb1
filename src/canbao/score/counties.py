"""Counties of a scoring run: names or codes in, six-digit GB/T 2260 codes out; the task table.

A submission may name its counties (杜集区) or give their codes (340602, as ``canbao intake``
writes them); scoring joins every file on the code, so a county's own answers and intake's
counts combine. A name that is unknown, or that names several counties (鼓楼区 is 320106 in
Nanjing and 320302 in Xuzhou), is a problem of the submission like an unknown indicator:
listed with the others, exit 6. ``--area`` or the match's task table narrows the names.

A rule-set fact with ``source: task_table`` (需入户调查人数, the denominator of indicators 25,
26, 36 and 38) is read from the match's task table (``canbao score --from-match MATCH_DIR``)
for every county whose submission does not give it as a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

import polars as pl

from canbao import regions
from canbao.errors import InputError
from canbao.i18n import N_, _
from canbao.result_tables import find_result_table, read_result_table
from canbao.score import model as m
from canbao.score.submissions import Row
from canbao.score.values import clean
from canbao.shown_path import shown_path

TASK_TABLE: Final = "task_table"
TASK_CODE_COLUMN: Final = "县区代码"


_FROM_MATCH = N_("give --from-match the --output directory of a finished `canbao match` run")


class CountyCodes:
    """Resolves a submission's 县区 cell to a code once per distinct spelling, noting problems."""

    def __init__(self, area: Sequence[str] = ()) -> None:
        self.area = list(area)
        self._known: dict[str, str | None] = {}

    def code(self, text: str, where: str, problems: list[str]) -> str | None:
        """The county's code, or None after appending the problem (unknown or ambiguous name)."""
        if text not in self._known:
            try:
                self._known[text] = regions.county_code(text, within=self.area, where=where)
            except InputError as exc:
                self._known[text] = None
                problems.append(_("{message}; {fix}").format(message=exc.message, fix=exc.fix))
        return self._known[text]


def read_task_table(match_dir: Path) -> pl.DataFrame:
    """The match's task table (CSV, Parquet or xlsx) without its 合计 row, every value a string."""
    path = find_result_table(Path(match_dir), TASK_TABLE)
    if path is None:
        raise InputError(
            _("{folder}: no {table} table in the match folder").format(
                folder=match_dir, table=TASK_TABLE
            ),
            fix=_(_FROM_MATCH),
        )
    frame = read_result_table(
        path,
        key=TASK_CODE_COLUMN,
        fix=_(_FROM_MATCH),
    )
    if TASK_CODE_COLUMN not in frame.columns:
        raise InputError(
            _("{path}: no {column} column (found: {found})").format(
                path=shown_path(path), column=TASK_CODE_COLUMN, found=", ".join(frame.columns)
            ),
            fix=_(_FROM_MATCH),
        )
    return frame.filter(pl.col(TASK_CODE_COLUMN).is_not_null())


def task_rows(
    rules: m.RuleSet, task: pl.DataFrame, given: dict[str, set[str]], file: str
) -> list[Row]:
    """Rows for the ``source: task_table`` facts of every county in ``given`` that lacks them.

    ``given`` maps a county code to the fact names its submission already gives; the task
    table's column is the fact's name or one of its aliases (需入户调查人员数 for 需入户调查人数).
    """
    rows: list[Row] = []
    line = {code: i + 2 for i, code in enumerate(task[TASK_CODE_COLUMN].to_list())}
    for fact in rules.facts:
        if fact.source != TASK_TABLE:
            continue
        column = next((c for c in (fact.name, *fact.aliases) if c in task.columns), None)
        if column is None:
            continue
        values = dict(zip(task[TASK_CODE_COLUMN].to_list(), task[column].to_list(), strict=True))
        for code, facts in given.items():
            if fact.name not in facts and values.get(code) is not None:
                rows.append(Row(code, fact.name, str(values[code]), file, line[code]))
    return rows


def task_area(task: pl.DataFrame) -> list[str]:
    """The task table's county codes: the area a submission's county names must lie in."""
    return sorted(clean(str(c)) for c in task[TASK_CODE_COLUMN].unique().to_list())
