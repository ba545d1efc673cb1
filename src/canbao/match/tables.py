"""The campaign's statistical tables computed from a match.

* the per-county task table of 淮人社秘〔2017〕166号 (需入户调查人员数, and units when employers
  are matched);
* the national basic data tables (一) and (二) of 人社厅发〔2017〕28号 附件2, with their logic
  relations checked.

28号's printed headings are partly garbled; the column lists below are our reading of them,
documented in docs/match.md ("National basic data tables"). Columns that only a survey can
fill (已核实入库, 已整合, most reasons for not being insured) are written as 0 or left empty and
say so in the notes.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from canbao.match.coverage import counts_per_county, is_household, task_columns
from canbao.match.keyed_counts import KeyedCounts, N, counted
from canbao.match.summary_model import Relation, plain
from canbao.match.vocabulary import DuplicateKind, UninsuredFlag
from canbao.regions import county_name_expr

TABLE1_COLUMNS = [
    "本地户籍人口数",
    "本地参保确认入库人数",
    "#非本地户籍参保人数",
    "外地参保确认入库人数",
    "需调查核实人数",
    "#已核实入库人数",
    "养老保险应参未参人数",
    "养老保险跨制度重复参保人数",
    "#已整合人数(养老跨制度参保)",
    "养老保险制度内跨地区重复参保人数",
    "#已整合人数(养老跨地区参保)",
    "养老保险跨制度重复享受待遇人数",
    "#已整合人数(养老跨制度待遇)",
    "养老保险制度内跨地区重复享受待遇人数",
    "#已整合人数(养老跨地区待遇)",
    "医疗保险应参未参人数",
    "医疗保险跨制度重复参保人数",
    "#已整合人数(医疗跨制度参保)",
    "医疗保险制度内跨地区重复参保人数",
    "#已整合人数(医疗跨地区参保)",
    "医疗保险跨制度重复享受待遇人数",
    "#已整合人数(医疗跨制度待遇)",
    "工伤保险参保人数",
    "失业保险参保人数",
    "生育保险参保人数",
]

TABLE2_COLUMNS = [
    "职工五险参保人数",
    "只参加养老、医疗、工伤保险人数",
    "只参加养老、医疗保险人数",
    "只参加养老保险人数",
    "只参加养老、工伤保险人数",
    "只参加医疗保险人数",
    "只参加工伤保险人数",
    "只参加失业保险人数",
    "只参加生育保险人数",
    "职工其他情况人数",
    "参加居民养老、居民医疗保险人数",
    "只参加居民养老保险人数",
    "只参加居民医疗保险人数",
    "参加新农合人数",
    "居民其他情况人数",
    "个人未参保人数",
    "缴费中断人数",
    "单位未予参保人数",
    "全日制在校生人数",
    "参军人数",
    "部队建账的随军家属人数",
    "出国人数",
    "判刑人数",
    "人户分离人数",
    "户口待注销人数",
    "其他原因人数",
]


def county_label(expr: pl.Expr) -> pl.Expr:
    """Show a county code by its GB/T 2260 name (濉溪县 for 340621, 玄武区 for 320102)."""
    return county_name_expr(expr)


def task_table(
    counts: KeyedCounts, units: pl.DataFrame | None = None, legal: pl.DataFrame | None = None
) -> pl.DataFrame:
    """淮人社秘〔2017〕166号's task table: persons (and units) needing a survey per county, 合计.

    需入户调查人员数 counts household persons (户籍口径: the denominator of 淮人社秘〔2017〕376号
    indicators 25, 26, 36 and 38); floating persons needing a survey have a column of their
    own. The coverage rates follow (canbao.match.coverage); the 合计 row's rates are taken
    from its summed counts, never from the counties' rates. ``legal``: the legal-group gaps per
    county (:mod:`canbao.match.legal_groups`), a column per judged kind at the end.
    """
    survey, targets = pl.col("needs_survey"), counts.targets
    persons = targets.group_by("county").agg(
        counted(survey & is_household()).alias("需入户调查人员数"),
        counted(survey & ~is_household()).alias("流动人口需入户调查人员数"),
    )
    table = persons.join(counts_per_county(targets), on="county", how="left", nulls_equal=True)
    if units is not None:
        table = table.join(units, on="county", how="full", coalesce=True, nulls_equal=True)
    if legal is not None:
        table = table.join(legal, on="county", how="left", nulls_equal=True)
    table = table.with_columns(pl.exclude("county").fill_null(0)).sort("county", nulls_last=True)
    labelled = table.with_columns(county_label(pl.col("county")).alias("_label"))
    total = table.select(
        pl.lit(None, pl.String).alias("county"),
        *(pl.col(c).sum().cast(pl.Int64) for c in table.columns if c != "county"),
        pl.lit("合计").alias("_label"),
    )
    unit_column = ["需入户调查单位数"] if units is not None else []
    return pl.concat([labelled, total], how="vertical").select(
        pl.col("county").alias("县区代码"),
        pl.col("_label").alias("县（区）"),
        "需入户调查人员数",
        *unit_column,
        "流动人口需入户调查人员数",
        *task_columns(),
        *([] if legal is None else [c for c in legal.columns if c != "county"]),
    )


CODE_COLUMN = "县区代码"


@dataclass(frozen=True)
class BasicTables:
    """The national basic data tables (一) and (二), a row per county plus 合计, and checks.

    Each table: 县（区） (the county's name, 合计 last), 县区代码 (null on 合计), then its columns.
    """

    table1: pl.DataFrame
    table2: pl.DataFrame
    relations: list[Relation]

    def relations_frame(self) -> pl.DataFrame:
        """The relations as the sheet 逻辑关系校验 shows them (summary.json's keys)."""
        return pl.DataFrame([plain(r) for r in self.relations])


def basic_tables(keyed: KeyedCounts, legal: pl.DataFrame | None = None) -> BasicTables:
    """Compute tables (一) and (二) per county and check 人社厅发〔2017〕28号's logic relations.

    ``keyed``: the match's keyed counts (:mod:`canbao.match.keyed_counts`); ``legal`` the
    legal-group gaps per county, appended to table (一) as 应参未参 columns of the judged kinds.
    """
    persons = keyed.targets.group_by("county").agg(
        *(counted(cond).alias(name) for name, cond in _person_counts().items())
    )
    outsiders = keyed.outsiders.select("county", pl.col(N).alias("_non_local"))
    counts = (
        persons.join(outsiders, on="county", how="full", coalesce=True, nulls_equal=True)
        .join(
            duplicate_counts(keyed.duplicates),
            on="county",
            how="full",
            coalesce=True,
            nulls_equal=True,
        )
        .join(_legal_or_none(legal), on="county", how="left", nulls_equal=True)
        .with_columns(pl.exclude("county").fill_null(0))
        .with_columns(
            (pl.col("_non_local") + pl.col("_floating_confirmed")).alias("#非本地户籍参保人数")
        )
        .with_columns(pl.col("本地参保确认入库人数") + pl.col("#非本地户籍参保人数"))
        .drop("_non_local", "_floating_confirmed")
        .sort("county", nulls_last=True)
    )
    counts = _add_total(counts)
    legal_columns = [] if legal is None else [c for c in legal.columns if c != "county"]
    table1 = _shape(counts, TABLE1_COLUMNS + legal_columns)
    table2 = _shape(counts, TABLE2_COLUMNS)
    return BasicTables(table1, table2, _relations(table1))


def _person_counts() -> dict[str, pl.Expr]:
    """Each column of tables (一) and (二) counted over target persons per county: the condition
    a person meets to count (summed over the keyed counts with :func:`counted`)."""
    p, m, i, u, b = (
        pl.col(c) for c in ["e_pension", "e_medical", "injury", "unemployment", "maternity"]
    )
    employee = p | m | i | u | b
    five = p & m & i & u & b
    only = _employee_only(p, m, i, u, b)
    listed = five
    for cond in only.values():
        listed = listed | cond
    resident, resident_cols = _resident_columns(employee)
    resident_listed = pl.lit(False)
    for cond in resident_cols.values():
        resident_listed = resident_listed | cond
    confirmed, household = ~pl.col("needs_survey"), is_household()
    return {
        # 户籍口径 (docs/match.md "Household and floating persons"): (1), (2), (4) and (5)
        # count household persons; a confirmed floating person counts in (3), and so in (2).
        "本地户籍人口数": household,
        "本地参保确认入库人数": household & confirmed & pl.col("local_active"),
        "外地参保确认入库人数": household & confirmed & ~pl.col("local_active"),
        "需调查核实人数": household & pl.col("needs_survey"),
        "_floating_confirmed": ~household & confirmed,
        **{_heading(f): pl.col(f) for f in _GAPS},
        "工伤保险参保人数": i,
        "失业保险参保人数": u,
        "生育保险参保人数": b,
        "职工五险参保人数": five,
        **only,
        "职工其他情况人数": employee & ~listed,
        **resident_cols,
        "居民其他情况人数": resident & ~resident_listed,
        _heading(UninsuredFlag.INTERRUPTED): pl.col(UninsuredFlag.INTERRUPTED),
    }


def _employee_only(
    p: pl.Expr, m: pl.Expr, i: pl.Expr, u: pl.Expr, b: pl.Expr
) -> dict[str, pl.Expr]:
    """Table (二)'s employee columns: the five employee insurances, exactly this set."""
    return {
        "只参加养老、医疗、工伤保险人数": p & m & i & ~u & ~b,
        "只参加养老、医疗保险人数": p & m & ~i & ~u & ~b,
        "只参加养老保险人数": p & ~m & ~i & ~u & ~b,
        "只参加养老、工伤保险人数": p & ~m & i & ~u & ~b,
        "只参加医疗保险人数": ~p & m & ~i & ~u & ~b,
        "只参加工伤保险人数": ~p & ~m & i & ~u & ~b,
        "只参加失业保险人数": ~p & ~m & ~i & u & ~b,
        "只参加生育保险人数": ~p & ~m & ~i & ~u & b,
    }


def _resident_columns(employee: pl.Expr) -> tuple[pl.Expr, dict[str, pl.Expr]]:
    """Residents (no employee insurance, some resident scheme) and table (二)'s columns of them."""
    rp, rm, n = pl.col("r_pension"), pl.col("r_medical"), pl.col("ncms")
    resident = ~employee & (rp | rm | n | pl.col("other_scheme"))
    return resident, {
        "参加居民养老、居民医疗保险人数": resident & rp & rm,
        "只参加居民养老保险人数": resident & rp & ~rm & ~n,
        "只参加居民医疗保险人数": resident & rm & ~rp & ~n,
        "参加新农合人数": resident & n & ~(rp & rm),
    }


def _legal_or_none(legal: pl.DataFrame | None) -> pl.DataFrame:
    return pl.DataFrame(schema={"county": pl.String}) if legal is None else legal


DUPLICATE_COLUMNS = {
    (itype, kind): f"{label}{kind.heading}"
    for itype, label in (("1", "养老保险"), ("2", "医疗保险"))
    for kind in DuplicateKind
}
# The uninsured flags counted per insurance in table (一).
_GAPS = (UninsuredFlag.MISSING_PENSION, UninsuredFlag.MISSING_MEDICAL)


def _heading(flag: UninsuredFlag) -> str:
    """The national tables' column counting the persons with ``flag``."""
    if flag.heading is None:
        raise ValueError(f"{flag} has no column in the national tables")
    return flag.heading


def duplicate_counts(per_person: pl.DataFrame) -> pl.DataFrame:
    """Persons per county and duplicate column, over every person with a duplicate.

    ``per_person``: :attr:`KeyedCounts.duplicates`, persons per county, insurance type and kind.
    Persons outside the household roster count too (docs/match.md "National basic data
    tables"): a target person counts in their county, anyone else in the county of their active
    records of that insurance type (the lowest region code among those inside the area; no
    county when none has a region).
    """
    wide = pl.DataFrame({"county": per_person["county"].unique()}, schema={"county": pl.String})
    for (itype, kind), name in DUPLICATE_COLUMNS.items():
        part = per_person.filter((pl.col("itype") == itype) & (pl.col("kind") == kind.value))
        wide = wide.join(
            part.select("county", pl.col(N).cast(pl.Int64).alias(name)),
            on="county",
            how="left",
            nulls_equal=True,
        )
    return wide


def _add_total(counts: pl.DataFrame) -> pl.DataFrame:
    total = counts.select(
        pl.lit("合计").alias("county"),
        pl.lit(None, pl.String).alias(CODE_COLUMN),
        *(pl.col(c).sum() for c in counts.columns if c != "county"),
    )
    labelled = counts.select(
        county_label(pl.col("county")).alias("county"),
        pl.col("county").alias(CODE_COLUMN),
        pl.exclude("county"),
    )
    return pl.concat([labelled, total], how="vertical_relaxed")


def _shape(counts: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    present = set(counts.columns)
    return counts.select(
        pl.col("county").alias("县（区）"),
        CODE_COLUMN,
        *(pl.col(c) if c in present else pl.lit(None, pl.Int64).alias(c) for c in columns),
    )


def _relations(table1: pl.DataFrame) -> list[Relation]:
    """28号's relations of table (一) per row: (2)>=(3), (1)=(2)-(3)+(4)+(5), (5)>=(6)."""
    cols = TABLE1_COLUMNS
    out: list[Relation] = []
    for row in table1.select("县（区）", *cols[:6]).fill_null(0).to_dicts():
        c = [int(row[name] or 0) for name in cols[:6]]
        checks = [
            ("(2) >= (3)", c[1], c[2], c[1] >= c[2]),
            (
                "(1) = (2) - (3) + (4) + (5)",
                c[0],
                c[1] - c[2] + c[3] + c[4],
                c[0] == c[1] - c[2] + c[3] + c[4],
            ),
            ("(5) >= (6)", c[4], c[5], c[4] >= c[5]),
        ]
        for name, left, right, ok in checks:
            out.append(Relation(row["县（区）"], name, left, right, ok))
    return out
