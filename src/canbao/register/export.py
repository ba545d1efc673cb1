"""``canbao export``: the confirmed registrations with the registration form's items, for upload.

淮人社秘〔2017〕166号 三(三): the confirmed data are imported into the registration database and
uploaded to the city's system (导入全民参保登记信息数据库，上传至市级系统平台). canbao writes one
table, one row per person confirmed (已确认登记入库) on the as-of date in the register, with the
items of 全民参保登记表 (the form of 淮人社秘〔2017〕166号 and 淮人社发〔2016〕53号 附件1):

- the persons: those the match confirmed directly (state ``confirmed`` on the date), those a
  valid survey form confirmed (已核实入库), and those a village ledger confirmed (台账), the last
  two since their needs-survey reasons last changed (as the visit list reads them);
- the items: the match's result files (``--from``: confirmed.csv and needs_survey.csv, the
  rosters' values) and, where ``--intake`` directories are given, the form's own items from
  their entries.csv (a valid form's value wins over the roster's).

Written as ``全民参保登记信息.xlsx`` (every column text: IDs stay 18 characters) and ``.csv``
(UTF-8 with BOM), the columns of :data:`EXPORT_COLUMNS` (docs/database.md, "Export").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import polars as pl

from canbao import regions
from canbao.atomic import atomic_directory
from canbao.cells import neutralise_frame
from canbao.db import (
    confirmed_by_ledger,
    confirmed_by_survey,
    has_snapshot,
    ledger_confirmations,
    open_database,
    states_as_of,
    survey_results,
)
from canbao.errors import DatabaseError, InputError, UsageError
from canbao.forms.survey_db import match_identity
from canbao.i18n import _
from canbao.match.vocabulary import PersonState
from canbao.register import existing_database
from canbao.result_tables import find_result_table, read_result_table

EXPORT_NAME: Final = "全民参保登记信息"
SUMMARY_FILE: Final = "export.json"
HOW_DIRECT, HOW_SURVEY, HOW_LEDGER = "直接确认登记", "入户调查确认（已核实入库）", "台账确认"

# The form's items as the roster gives them (match result files) -> the export's heading.
ROSTER_ITEMS: Final = {
    "县区": "县区代码",
    "乡镇(街道)": "乡镇(街道)",
    "村(社区)": "村(社区)",
    "公民身份号码": "公民身份号码",
    "姓名": "户籍姓名",
    "性别": "性别",
    "出生日期": "出生日期",
    "个人身份": "个人身份",
    "户口所在地": "户口所在地",
    "常住地址": "常住地地址",
    "现参保险种": "现参保情况",
}
# The form's items as a valid entry sheet gives them (intake's entries.csv) -> heading.
FORM_ITEMS: Final = {
    "就业状态代码": "就业状态",
    "工作单位名称": "工作单位名称",
    "个人身份代码": "个人身份",
    "户口所在地": "户口所在地",
    "常住地地址": "常住地地址",
    "手机": "手机",
    "固定电话": "固定电话",
    "未参保原因代码": "未参保原因",
}
INSURANCE_CODES: Final = (
    "养老保险代码",
    "医疗保险代码",
    "工伤保险代码",
    "失业保险代码",
    "生育保险代码",
)
EXPORT_COLUMNS: Final = (
    "县区代码",
    "县（区）",
    "乡镇(街道)",
    "村(社区)",
    "公民身份号码",
    "户籍姓名",
    "性别",
    "出生日期",
    "就业状态",
    "工作单位名称",
    "个人身份",
    "户口所在地",
    "常住地地址",
    "手机",
    "固定电话",
    "现参保情况",
    "未参保原因",
    "确认方式",
    "确认日期",
)


@dataclass(frozen=True)
class ExportResult:
    """What ``export`` wrote: the directory and the persons by how they were confirmed."""

    output: Path
    as_of: date
    persons: int
    by_how: dict[str, int]


def _table(match_dir: Path, name: str) -> pl.DataFrame:
    path = find_result_table(match_dir, name)
    if path is None:
        raise InputError(
            _("{folder}: no {table} table in the match folder").format(
                folder=match_dir, table=name
            ),
            fix=_("give --from the --output directory of a finished `canbao match` run"),
        )
    frame = read_result_table(path, key="公民身份号码", fix=_("rerun `canbao match`"))
    return frame.select([c for c in ROSTER_ITEMS if c in frame.columns]).rename(ROSTER_ITEMS)


def _confirmed(db: str | Path, as_of: date, area: str, until: date) -> pl.DataFrame:
    """person_key, 确认方式, 确认日期 of everyone the snapshot of ``as_of`` in ``area`` confirmed,
    or a form or a ledger confirmed on or before ``until`` since their reasons last changed."""
    needs = PersonState.NEEDS_SURVEY.value
    with open_database(existing_database(db)) as database:
        if not has_snapshot(database, as_of, area=area):
            raise DatabaseError(
                _("no match of area {area} on {as_of} is recorded in the database {db}").format(
                    area=area, as_of=as_of, db=database.where
                ),
                fix=_(
                    "record the match with canbao match … --db first; --from and --as-of name "
                    "the same run"
                ),
            )
        states = states_as_of(database, as_of, area=area)
        surveyed = confirmed_by_survey(database, as_of, area=area, state=needs)
        ledgered = confirmed_by_ledger(database, as_of, area=area, state=needs)
        visits = survey_results(database)
        ledgers = ledger_confirmations(database)
    direct = states.filter(pl.col("state") == PersonState.CONFIRMED.value).select(
        "person_key", pl.lit(HOW_DIRECT).alias("确认方式"), pl.col("began").alias("确认日期")
    )
    last_visit = (
        visits.filter(pl.col("confirmed") & (pl.col("visited") <= until))
        .group_by("person_key")
        .agg(pl.col("visited").max().alias("确认日期"))
    )
    by_survey = surveyed.join(last_visit, on="person_key", how="inner").with_columns(
        pl.lit(HOW_SURVEY).alias("确认方式")
    )
    last_ledger = (
        ledgers.filter(pl.col("confirmed_on") <= until)
        .group_by("person_key")
        .agg(pl.col("confirmed_on").max().alias("确认日期"))
    )
    by_ledger = (
        ledgered.join(by_survey.select("person_key"), on="person_key", how="anti")
        .join(last_ledger, on="person_key", how="inner")
        .with_columns(pl.lit(HOW_LEDGER).alias("确认方式"))
    )
    columns = ["person_key", "确认方式", "确认日期"]
    return pl.concat([f.select(columns) for f in (direct, by_survey, by_ledger)]).unique(
        "person_key", keep="first", maintain_order=True
    )


def _form_items(intakes: list[Path]) -> pl.DataFrame | None:
    """The latest valid, confirmed form of each person in the intakes' entries.csv, by heading."""
    frames = []
    for directory in intakes:
        path = Path(directory) / "entries.csv"
        if not path.is_file():
            raise InputError(
                _("{path}: no entries.csv (not an output directory of canbao intake)").format(
                    path=path
                ),
                fix=_("give --intake the --output directory of a finished `canbao intake` run"),
            )
        frames.append(pl.read_csv(path, infer_schema=False))
    if not frames:
        return None
    entries = pl.concat(frames, how="diagonal_relaxed")
    valid = entries.filter(
        (pl.col("通过") == "true") & (pl.col("是否确认登记代码") == "是")
    ).unique("公民身份号码", keep="last", maintain_order=True)
    insured = pl.concat_list([pl.col(c) for c in INSURANCE_CODES]).list.drop_nulls()
    return valid.select(
        pl.col("公民身份号码"),
        *(pl.col(source).alias(f"{heading}__form") for source, heading in FORM_ITEMS.items()),
        insured.list.join(";").alias("现参保情况__form"),
    )


def export_rows(
    db: str | Path, match_dir: Path, as_of: date | None, intakes: list[Path]
) -> tuple[pl.DataFrame, date]:
    """The export table of :data:`EXPORT_COLUMNS`, ordered by place and ID, and its date:
    the match's snapshot, with the forms and ledgers recorded up to ``as_of`` (default today)."""
    snapshot, area = match_identity(match_dir)
    when = as_of or date.today()
    if when < snapshot:
        raise UsageError(
            _("--as-of {when} is before the date of the match, {snapshot}").format(
                when=when, snapshot=snapshot
            ),
            fix=_("give an --as-of not before the date of the match in --from"),
        )
    confirmed = _confirmed(db, snapshot, area, when)
    roster = pl.concat(
        [_table(match_dir, "confirmed"), _table(match_dir, "needs_survey")], how="diagonal"
    ).unique("公民身份号码", keep="first", maintain_order=True)
    rows = confirmed.join(roster, left_on="person_key", right_on="公民身份号码", how="left")
    rows = rows.rename({"person_key": "公民身份号码"})
    form = _form_items(intakes)
    if form is not None:
        rows = rows.join(form, on="公民身份号码", how="left")
        rows = rows.with_columns(
            pl.coalesce(
                pl.col(f"{h}__form"), pl.col(h) if h in rows.columns else pl.lit(None)
            ).alias(h)
            for h in (*FORM_ITEMS.values(), "现参保情况")
        )
    missing = [c for c in EXPORT_COLUMNS if c not in rows.columns]
    rows = rows.with_columns(
        *(pl.lit(None, pl.String).alias(c) for c in missing if c != "县（区）"),
        regions.county_name_expr(pl.col("县区代码")).alias("县（区）"),
        pl.col("确认日期").cast(pl.String),
    )
    # An empty item is an empty cell in both files (no empty text in the CSV only).
    ordered = rows.select(
        pl.when(pl.col(c).cast(pl.String) != "").then(pl.col(c).cast(pl.String)).alias(c)
        for c in EXPORT_COLUMNS
    )
    return ordered.sort("县区代码", "乡镇(街道)", "村(社区)", "公民身份号码", nulls_last=True), when


def write_export(
    db: str | Path,
    match_dir: Path,
    output: Path,
    *,
    as_of: date | None = None,
    intakes: list[Path] | None = None,
) -> ExportResult:
    """Write the export (xlsx and CSV, every column text) into ``output``, published at once."""
    from canbao.match.writers import write_xlsx

    rows, when = export_rows(db, match_dir, as_of, list(intakes or []))
    counts = {how: rows.filter(pl.col("确认方式") == how).height
              for how in (HOW_DIRECT, HOW_SURVEY, HOW_LEDGER)}  # fmt: skip
    inputs = [Path(match_dir), *(Path(p) for p in intakes or [])]
    with atomic_directory(Path(output), command="export", inputs=inputs) as staging:
        neutralise_frame(rows).write_csv(staging / f"{EXPORT_NAME}.csv", include_bom=True)
        write_xlsx(EXPORT_NAME, rows, staging / f"{EXPORT_NAME}.xlsx")
        summary = {"as_of": when.isoformat(), "persons": rows.height, "by_how": counts}
        (staging / SUMMARY_FILE).write_text(
            json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return ExportResult(Path(output), when, rows.height, counts)
