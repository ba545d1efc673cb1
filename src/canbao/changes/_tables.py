"""The changes as tables: counts, the CSV of all, a print-ready workbook per county.

Each county's workbook (``变动名单_<县区>.xlsx``) lists its changes sorted for field teams
(township, village, then person), every cell text (IDs open as written), A4 with the headings on
every page: :func:`canbao.match.county_lists.write_list`, as the match's lists for field teams.
They carry full IDs, as a visit needs; they are for the county's teams only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Final

import polars as pl

from canbao import regions
from canbao.atomic import atomic_directory
from canbao.cells import neutralise_frame
from canbao.match.county_lists import folder_name, write_list
from canbao.match.vocabulary import ChangeDirection, ChangeList, ChangeReason, PersonState

if TYPE_CHECKING:
    from canbao.changes import Changes

TITLE: Final = "参保登记变动名单"
CSV_FILE: Final = "changes.csv"
COUNTS_FILE: Final = "counts.csv"
JSON_FILE: Final = "changes.json"
LIST_LABELS: Final = {**PersonState.labels(), **ChangeList.labels()}
HEADINGS: Final = {
    "county": "县区",
    "township": "乡镇(街道)",
    "village": "村(社区)",
    "person_key": "公民身份号码",
    "list": "名单",
    "direction": "变动",
    "reason": "变动原因",
}


def labelled(rows: pl.DataFrame) -> pl.DataFrame:
    """The codes of list, direction and reason as their Chinese labels."""
    return rows.with_columns(
        pl.col("list").replace_strict(LIST_LABELS, default=pl.col("list")),
        pl.col("direction").replace_strict(ChangeDirection.labels(), default=pl.col("direction")),
        pl.col("reason").replace_strict(ChangeReason.labels(), default=pl.col("reason")),
    )


def counts(rows: pl.DataFrame) -> pl.DataFrame:
    """Persons per list, direction and reason, in the vocabularies' order."""
    order = {code: i for i, code in enumerate(LIST_LABELS)}
    reasons = {code: i for i, code in enumerate(ChangeReason.codes())}
    directions = {code: i for i, code in enumerate(ChangeDirection.codes())}
    return (
        rows.group_by("list", "direction", "reason")
        .agg(pl.col("person_key").n_unique().alias("persons"))
        .sort(
            pl.col("list").replace_strict(order, default=len(order)),
            pl.col("direction").replace_strict(directions, default=len(directions)),
            pl.col("reason").replace_strict(reasons, default=len(reasons)),
        )
    )


def publish(changes: Changes, output: Path) -> list[Path]:
    """Write the CSV of all changes, the counts, changes.json and a workbook per county."""
    with atomic_directory(output, command="changes") as staging:
        rows = changes.rows
        shown = labelled(rows).rename(HEADINGS)
        codes = rows.select(
            *(pl.col(c).alias(f"{HEADINGS[c]}代码") for c in ("list", "direction", "reason"))
        )
        frame = pl.concat([shown, codes], how="horizontal")
        _csv(neutralise_frame(frame), staging / CSV_FILE)
        table = labelled(changes.counts()).rename(
            {"list": "名单", "direction": "变动", "reason": "变动原因", "persons": "人数"}
        )
        _csv(table, staging / COUNTS_FILE)
        text = json.dumps(changes.to_json(), ensure_ascii=False, indent=2)
        (staging / JSON_FILE).write_text(text + "\n", encoding="utf-8")
        names = regions.display_names(set(rows["county"].unique().to_list()))
        period = f"{changes.start.isoformat()} 至 {changes.end.isoformat()}"
        written = []
        for (code,), part in shown.partition_by("县区", as_dict=True).items():
            label = f"{names[str(code)]}（{code}）"
            name = f"变动名单_{folder_name(names[str(code)])}.xlsx"
            write_list(part.drop("县区"), staging / name, TITLE, f"县（区）：{label}　{period}")
            written.append(name)
    return [output / name for name in sorted(written)]


def _csv(frame: pl.DataFrame, path: Path) -> None:
    """UTF-8 with a BOM, as Excel opens Chinese text without asking."""
    frame.write_csv(path, include_bom=True)
