"""The six result files of ``canbao match`` written by DuckDB from the tables of duckdb_match.py.

Same columns, Chinese headings, values and row order as canbao.match.present and
canbao.match.conflicts, as UTF-8 CSV with a BOM (the BOM is part of the first heading, so
DuckDB's own CSV writer produces the whole file). The codes and labels of the kinds come from
canbao.match.vocabulary, loaded on its own (:func:`load_vocabulary`): importing it as
``canbao.match.vocabulary`` would run ``canbao.match``'s ``__init__``, which loads the whole
matcher (pypinyin, rapidfuzz) into the timed process. The column headings are copied here;
benchmarks/compare_outputs.py checks them against canbao's files.
相似度 and 判定 (canbao's pinyin/rapidfuzz name judgement) are left empty.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import duckdb

import canbao
from canbao.codes import ENROLMENT_STATUS_LABELS, INSURANCE_TYPES
from canbao.ids import ID_REASONS

# The module's private name in sys.modules: never mistaken for the package's own import.
VOCABULARY_MODULE = "_yardstick_match_vocabulary"


def load_vocabulary() -> ModuleType:
    """canbao/match/vocabulary.py alone (it imports only the standard library), without running
    canbao.match's ``__init__``."""
    if VOCABULARY_MODULE in sys.modules:
        return sys.modules[VOCABULARY_MODULE]
    path = Path(canbao.__file__).parent / "match" / "vocabulary.py"
    spec = importlib.util.spec_from_file_location(VOCABULARY_MODULE, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs: the enum machinery looks its module up by name.
    sys.modules[VOCABULARY_MODULE] = module
    spec.loader.exec_module(module)
    return module


if TYPE_CHECKING:
    from canbao.match import vocabulary
else:
    vocabulary = load_vocabulary()

BOM = "\ufeff"
PERSON_COLUMNS = {
    "county_out": "县区",
    "township": "乡镇(街道)",
    "village": "村(社区)",
    "person_number": "人员编号",
    "name": "姓名",
    "coalesce(id_sex, sex_col, sex)": "性别",
    "id_norm": "公民身份号码",
    "coalesce(id_birth, birth_col)": "出生日期",
    "identity": "个人身份",
    "hukou_type": "户口性质",
    "hukou_place": "户口所在地",
    "address": "常住地址",
    "schemes_now": "现参保险种",
    "CASE WHEN roster = 'floating' THEN '流动' ELSE '户籍' END": "名册",
}
REASONS = vocabulary.Reason.labels()
UNINSURED_FLAGS = vocabulary.UninsuredFlag.labels()
DUPLICATE_LABELS = vocabulary.DuplicateKind.labels()
CONFLICT_LABELS = vocabulary.ConflictKind.labels()
Kind, Link = vocabulary.ConflictKind, vocabulary.LinkClass
ROSTER_LABELS = {
    "household": "户籍人口",
    "floating": "流动人口",
    "pension": "养老保险",
    "medical": "医疗保险",
    "injury": "工伤保险",
    "unemployment": "失业保险",
    "maternity": "生育保险",
}


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _label(expr: str, labels: dict[str, str], default: str | None = None) -> str:
    """A code shown by its label; by default a code without a label as it is (present.labelled)."""
    whens = " ".join(f"WHEN {_q(k)} THEN {_q(v)}" for k, v in labels.items())
    return f"CASE {expr} {whens} ELSE {default or expr} END"


def _heads(columns: list[tuple[str, str]]) -> str:
    """``expr AS "heading"``, the first heading with the BOM in front of it."""
    return ", ".join(
        f'{expr} AS "{BOM if i == 0 else ""}{head}"' for i, (expr, head) in enumerate(columns)
    )


def _flags(flags: dict[str, str], column: str) -> list[str]:
    """The codes of the true flags joined by ';', and their labels (present._flagged_table)."""
    codes = ", ".join(f"CASE WHEN {column.format(c)} THEN {_q(c)} END" for c in flags)
    labels = ", ".join(f"CASE WHEN {column.format(c)} THEN {_q(v)} END" for c, v in flags.items())
    return [f"concat_ws(';', {codes})", f"concat_ws(';', {labels})"]


def _persons(where: str, flags: dict[str, str] | None, column: str, heads: tuple[str, str]) -> str:
    columns = list(PERSON_COLUMNS.items())
    if flags is not None:
        columns += list(zip(_flags(flags, column), heads, strict=True))
    return (
        f"SELECT {_heads(columns)} FROM targets WHERE {where} "
        "ORDER BY county_out, township, village, id_norm"
    )


STATUS = _label("estatus", ENROLMENT_STATUS_LABELS)
BENEFIT_KINDS = ", ".join(_q(k) for k in vocabulary.DuplicateKind if k.benefit)
DUPLICATE_COLUMNS = [
    ("a.id_norm", "公民身份号码"),
    ("a.name", "姓名"),
    (_label("d.itype", INSURANCE_TYPES), "险种类型"),
    ("d.kind", "类别代码"),
    (_label("d.kind", DUPLICATE_LABELS), "类别"),
    (
        f"CASE WHEN d.kind IN ({BENEFIT_KINDS}) THEN a.benefit_records ELSE a.all_records END",
        "涉及记录",
    ),
    ("CASE WHEN a.in_household THEN '是' ELSE '否' END", "有户籍信息"),
]
# The records of the persons with a duplicate, spelled out per person and insurance type.
DUPLICATES = f"""
WITH rec AS (
  SELECT id_key, itype, id_norm, name, link, estatus, e_ord,
         scheme || ' ' || coalesce(region, '-') || ' ' || {STATUS}
           || ' (' || file || ':' || line || ')' AS text
  FROM linked WHERE id_key IS NOT NULL AND active AND id_key IN (SELECT id_key FROM dups)),
agg AS (
  SELECT id_key, itype, string_agg(text, '; ' ORDER BY text) AS all_records,
         string_agg(text, '; ' ORDER BY text) FILTER (WHERE estatus = 'receiving')
           AS benefit_records,
         any_value(id_norm) AS id_norm,
         arg_min(name, e_ord) FILTER (WHERE name IS NOT NULL) AS name,
         bool_or(link = {_q(Link.LINKED)}) AS in_household
  FROM rec GROUP BY id_key, itype)
SELECT {_heads(DUPLICATE_COLUMNS)}
FROM dups d LEFT JOIN agg a USING (id_key, itype)
ORDER BY 1, 3, 4"""


def _conflict_rows(table: str, kind: str, when: str, value: str, other: str) -> str:
    enrol = table == "linked"
    status = STATUS if enrol else "NULL"
    return f"""SELECT id_norm, name, {_label("roster", ROSTER_LABELS)} AS roster_label, file, line,
      '{kind}' AS kind, {_q(CONFLICT_LABELS[kind])} AS kind_label,
      CAST({value} AS VARCHAR) AS value, CAST({other} AS VARCHAR) AS other, id_reason,
      {_label("id_reason", ID_REASONS, "NULL")} AS reason_label,
      {"scheme" if enrol else "NULL"} AS scheme, {"region" if enrol else "NULL"} AS region,
      {status} AS status,
      {list(CONFLICT_LABELS).index(kind)} AS kind_order,
      {"estatus <> 'receiving'" if enrol else "true"} AS not_receiving
    FROM {table} WHERE {when}"""


CONFLICT_PARTS = [
    ("hh", Kind.INVALID_ID, "id_reason IS NOT NULL", "id", "NULL"),
    ("hh", Kind.SEX_MISMATCH, Kind.SEX_MISMATCH, "sex_col", "id_sex"),
    ("hh", Kind.BIRTH_MISMATCH, Kind.BIRTH_MISMATCH, "birth_col", "id_birth"),
    ("linked", Kind.INVALID_ID, f"link = {_q(Link.INVALID)}", "id", "NULL"),
    ("linked", Kind.NAME_MISMATCH, Kind.NAME_MISMATCH, "name", "hh_name"),
    ("linked", Kind.SEX_MISMATCH, Kind.SEX_MISMATCH, "sex_col", "id_sex"),
    ("linked", Kind.BIRTH_MISMATCH, Kind.BIRTH_MISMATCH, "birth_col", "id_birth"),
    ("linked", Kind.DECEASED_ENROLLED, Kind.DECEASED_ENROLLED, STATUS, "'户籍状态为死亡或注销'"),
    ("linked", Kind.REPEATED_RECORD, Kind.REPEATED_RECORD, "scheme", "NULL"),
    ("linked", Kind.NOT_IN_HOUSEHOLD, f"link = {_q(Link.NOT_IN_HOUSEHOLD)}", "region", "NULL"),
]
# 相似度 and 判定 come from canbao's pinyin/rapidfuzz name judgement: left empty here.
CONFLICT_COLUMNS = [
    ("id_norm", "公民身份号码"),
    ("name", "姓名"),
    ("roster_label", "名册"),
    ("file", "来源文件"),
    ("line", "行号"),
    ("kind", "类别代码"),
    ("kind_label", "类别"),
    ("value", "记录值"),
    ("other", "对照值"),
    ("id_reason", "无效原因代码"),
    ("reason_label", "无效原因"),
    ("scheme", "险种"),
    ("region", "参保地"),
    ("status", "参保状态"),
    ("NULL", "相似度"),
    ("NULL", "判定"),
    ("NULL", "原记录公民身份号码"),  # as canbao without --apply-links
]
CONFLICTS = f"""SELECT {_heads(CONFLICT_COLUMNS)}
FROM ({" UNION ALL ".join(_conflict_rows(*part) for part in CONFLICT_PARTS)})
ORDER BY kind_order, not_receiving NULLS FIRST, file, line"""

NON_LOCAL_COLUMNS = [
    ("id_norm", "公民身份号码"),
    ("name", "姓名"),
    (_label("roster", ROSTER_LABELS), "名册"),
    ("scheme", "险种"),
    ("region", "参保地"),
    (STATUS, "参保状态"),
    ("file", "来源文件"),
    ("line", "行号"),
]
NON_LOCAL = f"""SELECT {_heads(NON_LOCAL_COLUMNS)}
FROM linked WHERE link = {_q(Link.NON_LOCAL)} ORDER BY file, line"""

TABLES = {
    "needs_survey": _persons("needs_survey", REASONS, "r_{}", ("原因代码", "原因")),
    "uninsured": _persons("r_uninsured", UNINSURED_FLAGS, "{}", ("类别代码", "类别")),
    "duplicates": DUPLICATES,
    "conflicts": CONFLICTS,
    "confirmed": _persons("NOT needs_survey", None, "", ("", "")),
    "non_local": NON_LOCAL,
}


def write_tables(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """Write the six tables as ``out/<name>.csv`` (UTF-8 with BOM, header, comma)."""
    for name, query in TABLES.items():
        con.execute(f"COPY ({query}) TO '{out / name}.csv' (HEADER, DELIMITER ',')")
