"""A hand-written DuckDB SQL of the same result files, the yardstick for ``canbao match``.

Run as ``python -m benchmarks.duckdb_match CITY_DIR OUT_DIR AS_OF AREA...`` on a city written by
``canbao.synth.generate_city(messy=False)``. Header names are resolved with canbao's alias
table and the code lists are canbao's (that is not the work being timed); the ID checks,
linking, coverage, duplicates and conflicts are all SQL, and the six result files of canbao's
output contract are written by DuckDB (benchmarks/duckdb_tables.py): needs_survey, uninsured,
confirmed, duplicates, conflicts and non_local, with the same columns, Chinese headings, values,
order and encoding (UTF-8 CSV with BOM). benchmarks/compare_outputs.py checks that they match.

What the SQL does not do, so the files match canbao's only on a clean city (``messy=False``):

* No NFKC folding of IDs, names and codes (DuckDB has none) and ``\\s`` is ASCII whitespace
  only; the ID reasons, the 15-digit upgrade, date spellings and code aliases are canbao's.
* The conflicts columns 相似度 and 判定 are left empty: they come from canbao's pinyin and
  rapidfuzz name judgement, which SQL cannot do. 原记录公民身份号码 is empty as in canbao
  without ``--apply-links``.
* Out of scope: suggested links (repairs), name verdicts, task_table, basic_data_tables.xlsx,
  unreadable rows and summary.json with its conservation checks.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

import duckdb

from benchmarks.duckdb_tables import Link, vocabulary, write_tables
from canbao.codes import (
    ENROLMENT_STATUS_ALIASES,
    HOUSEHOLD_STATUS_ALIASES,
    SCHEME_ALIASES,
    SCHEMES,
    SEX_ALIASES,
)
from canbao.ids import PROVINCE_CODES
from canbao.regions import retired_successors
from canbao.roster.fields import KIND_FIELDS, alias_index, header_key

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
HOUSEHOLD_KINDS = ("household", "floating")
# canbao concatenates the enrolment rosters in this order (its e_row decides the first record).
ENROLMENT_KINDS = ("pension", "medical", "injury", "unemployment", "maternity")
ENROLMENT_FIELDS = ("id", "name", "sex", "birth_date", "scheme", "region", "status")
DEFAULT_SCHEME_BY_KIND = {"injury": "30", "unemployment": "40", "maternity": "50"}
# clean: trim and drop inner spaces, empty as null (prepare.clean_text without NFKC). The regex
# runs only on values with a space: a scan for five characters is four times cheaper.
MACROS = r"""
CREATE MACRO spaced(x) AS contains(x, ' ') OR contains(x, chr(9)) OR contains(x, chr(10))
  OR contains(x, chr(12)) OR contains(x, chr(13));
CREATE MACRO invisible(x) AS contains(x, chr(8203)) OR contains(x, chr(8204)) OR contains(x, chr(8205))
  OR contains(x, chr(8288)) OR contains(x, chr(65279));
CREATE MACRO clean(x) AS nullif(CASE WHEN spaced(x) THEN regexp_replace(x, '\s+', '', 'g') ELSE x END, '');
CREATE MACRO ymd(s) AS try_strptime(s['y'] || lpad(s['m'], 2, '0') || lpad(s['d'], 2, '0'), '%Y%m%d')::DATE;
CREATE MACRO iso_date(x) AS CASE WHEN strlen(x) = 10 AND substr(x, 5, 1) = '-' AND substr(x, 8, 1) = '-'
  AND substr(x, 1, 1) BETWEEN '0' AND '9' THEN try_strptime(x, '%Y-%m-%d')::DATE END;
"""
# prepare.parse_date; a date written 2017-06-30 (nearly all) skips the regex.
DATE_PARTS = r"'^\s*([0-9]{4})[-/.年]?([0-9]{1,2})[-/.月]?([0-9]{1,2})(?:日|[^0-9]|$)'"
# names.normalize_name_expr without NFKC: runs of middle-dot look-alikes as one U+00B7, none at
# either end, no zero-width characters.
NAME_DOTS = r"'[\x{00B7}\x{2022}\x{2219}\x{30FB}\x{FF65}\x{25CF}\x{2027}\x{22C5}\x{2024}.。\x{FF0E}\x{0387}]+'"
ZERO_WIDTH = r"'[\x{200B}\x{200C}\x{200D}\x{2060}\x{FEFF}]+'"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _case(expr: str, mapping: dict[str, str]) -> str:
    """``CASE expr WHEN key THEN value ... END`` (null for anything else)."""
    whens = " ".join(f"WHEN {_quote(k)} THEN {_quote(v)}" for k, v in mapping.items())
    return f"CASE {expr} {whens} END"


def _scheme_aliases() -> dict[str, str]:
    """canbao's scheme spellings (prepare_enrolment): codes, labels, aliases, full-width brackets."""
    aliases = {**{c: c for c in SCHEMES}, **{v: k for k, v in SCHEMES.items()}, **SCHEME_ALIASES}
    aliases |= {k.replace("(", "（").replace(")", "）"): v for k, v in aliases.items()}
    return {unicodedata.normalize("NFKC", k).replace(" ", ""): v for k, v in aliases.items()}


def _select(
    con: duckdb.DuckDBPyConnection, path: Path, kind: str, fields: tuple[str, ...], order: int
) -> str:
    """One roster as canonical fields (by canbao's header aliases), with file, kind and line."""
    source = f"read_csv('{path}', all_varchar=true, header=true)"
    cursor = con.execute(f"SELECT * FROM {source} LIMIT 0")
    headers = [d[0] for d in cursor.description or []]
    index = alias_index(kind)
    found: dict[str, str] = {}
    for h in headers:
        found.setdefault(index.get(header_key(h), ""), h)
    cols = [f'"{found[f]}" AS {f}' if f in found else f"NULL::VARCHAR AS {f}" for f in fields]
    # The header is line 1; a clean file has one physical line per row.
    return (
        f"SELECT {', '.join(cols)}, '{path.name}' AS file, '{kind}' AS roster, {order} AS file_order, "
        f"row_number() OVER () + 1 AS line FROM {source}"
    )


def _check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of 17 digits (``first17``: a BIGINT expression)."""
    digits = " + ".join(
        f"(({first17} // {10 ** (16 - i)}) % 10) * {w}" for i, w in enumerate(WEIGHTS)
    )
    return f"(['1','0','X','9','8','7','6','5','4','3','2'])[(({digits}) % 11) + 1]"


LEGACY_BODY = "TRY_CAST(concat(substr(cid,1,6), '19', substr(cid,7)) AS BIGINT)"


def _with_ids(source: str, as_of: str) -> str:
    """canbao.ids.with_citizen_id in SQL: id_reason, id_norm, id_key, id_sex, id_birth."""
    provinces = ", ".join(_quote(p) for p in sorted(PROVINCE_CODES))
    cleaned = (
        "SELECT *, upper(CASE WHEN spaced(id) OR invisible(id) "
        "THEN regexp_replace(id, '[\\s\\x{200B}\\x{200C}\\x{200D}\\x{2060}\\x{FEFF}]+', '', 'g') ELSE id END) "
        f"AS cid FROM ({source})"
    )
    # A 15-digit number is a legacy ID: 19 goes before the year and a check character after.
    upgraded = (
        "SELECT *, CASE WHEN strlen(cid) = 15 AND regexp_full_match(cid, '[0-9]{15}') THEN "
        f"concat(substr(cid,1,6), '19', substr(cid,7), {_check_char(LEGACY_BODY)}) "
        f"ELSE cid END AS n18 FROM ({cleaned})"
    )
    parts = (
        "SELECT *, TRY_CAST(substr(n18,1,17) AS BIGINT) AS v17, "
        f"try_strptime(substr(n18,7,8), '%Y%m%d')::DATE AS b8 FROM ({upgraded})"
    )
    checked = f"SELECT *, {_check_char('v17')} AS chk FROM ({parts})"
    reason = f"""CASE WHEN cid IS NULL OR cid = '' THEN 'missing'
      WHEN contains(cid, 'E') AND regexp_full_match(cid, '[0-9]+(\\.[0-9]*)?E[+]?[0-9]+') THEN 'spreadsheet_scientific'
      WHEN NOT regexp_full_match(cid, '[0-9]+X?') THEN 'characters'
      WHEN strlen(n18) <> 18 THEN 'length'
      WHEN substr(n18,1,2) NOT IN ({provinces}) THEN 'province'
      WHEN b8 IS NULL OR b8 < DATE '1880-01-01' THEN 'birth_date'
      WHEN b8 > DATE '{as_of}' THEN 'future_birth'
      WHEN substr(n18,18,1) <> chk AND suffix(n18, '00') THEN 'spreadsheet_rounded'
      WHEN substr(n18,18,1) <> chk THEN 'check_digit' END"""
    return f"""SELECT * EXCLUDE (cid, n18, v17, chk, b8),
      CASE WHEN id_reason IS NULL THEN n18 ELSE regexp_replace(id, '^\\s+|\\s+$', '', 'g') END AS id_norm,
      CASE WHEN id_reason IS NULL THEN v17 END AS id_key,
      CASE WHEN id_reason IS NULL THEN CASE WHEN CAST(substr(n18,17,1) AS INT) % 2 = 1 THEN '男' ELSE '女' END END AS id_sex,
      CASE WHEN id_reason IS NULL THEN b8 END AS id_birth
    FROM (SELECT *, {reason} AS id_reason FROM ({checked}))"""


def _person_stages(raw: str, extra: str, joins: str, mapped: str, as_of: str) -> str:
    """Cleaned text, then codes, dates and names (prepare._person_fields), then the ID checks."""
    cleaned = f"""SELECT raw.*, clean(name) AS name_c, clean(sex) AS sex_c,
        iso_date(birth_date) AS bd, {extra}
      FROM ({raw}) raw"""
    visible = f"CASE WHEN invisible(name_c) THEN regexp_replace(name_c, {ZERO_WIDTH}, '', 'g') ELSE name_c END"
    fields = f"""SELECT c.*, nullif(trim(regexp_replace({visible}, {NAME_DOTS}, '·', 'g'), '·'), '') AS name_norm,
        sx.code AS sex_col, {mapped},
        CASE WHEN bd IS NOT NULL THEN bd WHEN birth_date IS NOT NULL
          THEN ymd(regexp_extract(birth_date, {DATE_PARTS}, ['y', 'm', 'd'])) END
          AS birth_col
      FROM ({cleaned}) c LEFT JOIN sex_map sx ON sx.label = c.sex_c {joins}"""
    return _with_ids(fields, as_of)


MISMATCHES = """id_sex IS NOT NULL AND sex_col IS NOT NULL AND id_sex <> sex_col AS sex_mismatch,
  id_birth IS NOT NULL AND birth_col IS NOT NULL AND id_birth <> birth_col AS birth_mismatch"""


def _age_reached(birth: str, as_of: str, years: int) -> str:
    y, md = int(as_of[:4]), int(as_of[5:7]) * 100 + int(as_of[8:10])
    return (
        f"({y} - year({birth}) - CASE WHEN month({birth}) * 100 + day({birth}) > {md} "
        f"THEN 1 ELSE 0 END) >= {years}"
    )


def _id_in_area(area: list[str], explicit: bool) -> str:
    """docs/match.md, "The area": the ID's own region code is inside the area.

    By the city (first four digits) of each prefix, except prefixes longer than a city given
    explicitly, matched by the code, a retired one by its successor (the retired_code table).
    """
    code = "substr(id_norm, 1, 6)"
    counted = f"coalesce((SELECT successor FROM retired_code r WHERE r.code = {code}), {code})"
    parts = [
        f"starts_with({counted}, '{a}')"
        if explicit and len(a) > 4
        else f"starts_with({code}, '{a[:4]}')"
        for a in area
    ]
    return f"coalesce({' OR '.join(parts) or 'false'}, false)"


def _prepare_sql(as_of: str, area: list[str], explicit: bool) -> str:
    """The prepared household and enrolment tables (prepare.py), from hh_raw and en_raw."""
    in_area = " OR ".join(f"starts_with(region_c, '{a}')" for a in area) or "false"
    hh = _person_stages(
        "SELECT * FROM hh_raw",
        "clean(status) AS hstatus_raw, clean(county) AS county_c",
        "LEFT JOIN hstatus_map hs ON hs.label = c.hstatus_raw",
        "CASE WHEN hstatus_raw IS NULL THEN '正常' ELSE hs.code END AS hstatus",
        as_of,
    )
    en = _person_stages(
        "SELECT * FROM en_raw",
        "clean(region) AS region_c, clean(scheme) AS scheme_c, clean(status) AS estatus_raw",
        "LEFT JOIN scheme_map sm ON sm.label = c.scheme_c "
        "LEFT JOIN estatus_map es ON es.label = c.estatus_raw",
        f"CASE WHEN scheme_c IS NULL THEN {_case('roster', DEFAULT_SCHEME_BY_KIND)} "
        "ELSE sm.code END AS scheme_code, es.code AS estatus",
        as_of,
    )
    return f"""
    CREATE TABLE hh AS
    SELECT * EXCLUDE (birth_date, status, county, name_c, sex_c, bd, hstatus_raw, county_c, file_order),
           coalesce(county_c, substr(id_norm, 1, 6)) AS county_out,
           hstatus = '正常' AS is_target, hstatus IN ('死亡', '注销') AS is_dead,
           coalesce({_age_reached("coalesce(id_birth, birth_col)", as_of, 16)}, true) AS requires_pension,
           {MISMATCHES},
           address IS NULL OR trim(address) = '' OR village IS NULL OR trim(village) = '' AS info_missing
    FROM ({hh});

    CREATE TABLE en AS
    SELECT * EXCLUDE (sex, birth_date, status, scheme, region, name_c, sex_c, bd, region_c, scheme_c,
                      estatus_raw, scheme_code, file_order),
           region_c AS region, scheme_code AS scheme,
           substr(scheme_code, 1, 1) AS itype, estatus IN ('paying', 'receiving') AS active,
           (region_c IS NULL OR {in_area}) AS in_area, {_id_in_area(area, explicit)} AS id_in_area,
           file_order * 4294967296 + line AS e_ord, {MISMATCHES}
    FROM ({en});
    """


# A person's active schemes (a bit each, OR-ed per person) spelled out in code order.
SCHEME_LIST = ", ".join(
    f"CASE WHEN c.mask & {1 << i} <> 0 THEN '{c}' END" for i, c in enumerate(sorted(SCHEMES))
)
Dup = vocabulary.DuplicateKind
SETS = f"""
    CREATE TABLE persons AS
    SELECT id_key, bool_or(is_target) AS hh_normal, bool_or(is_dead) AND NOT bool_or(is_target) AS hh_dead,
           min(name_norm) AS hh_name
    FROM hh WHERE id_key IS NOT NULL GROUP BY id_key;

    CREATE TABLE linked AS
    SELECT *, link = '{Link.LINKED}' AND name_norm IS NOT NULL AND hh_name IS NOT NULL AND name_norm <> hh_name AS name_mismatch,
           link = '{Link.LINKED}' AND active AND coalesce(hh_dead, false) AS deceased_enrolled
    FROM (
      SELECT en.*, p.hh_name, p.hh_dead,
             CASE WHEN id_reason IS NOT NULL THEN '{Link.INVALID}' WHEN p.hh_normal IS NOT NULL THEN '{Link.LINKED}'
                  WHEN id_in_area THEN '{Link.NOT_IN_HOUSEHOLD}' ELSE '{Link.NON_LOCAL}' END AS link,
             id_reason IS NULL AND f.first IS NULL AS repeated_record
      FROM en LEFT JOIN persons p USING (id_key) LEFT JOIN (
        -- The first record (file order, then line) of each roster kind, key, scheme, region, status.
        SELECT min(e_ord) AS e_ord, true AS first FROM en WHERE id_reason IS NULL
        GROUP BY roster, id_key, scheme, region, estatus) f USING (e_ord));

    CREATE TABLE cover AS
    SELECT id_key,
      bool_or(itype = '1' AND active) AS p_active, bool_or(itype = '2' AND active) AS m_active,
      bool_or(itype = '1' AND estatus = 'suspended') AS p_susp, bool_or(itype = '2' AND estatus = 'suspended') AS m_susp,
      bool_or(active) AS any_active,
      bool_or(name_mismatch OR sex_mismatch OR birth_mismatch) AS record_conflict,
      bit_or(CASE WHEN active THEN coalesce(bit, 0) ELSE 0 END) AS mask
    FROM linked LEFT JOIN scheme_bits USING (scheme) WHERE link = '{Link.LINKED}' GROUP BY id_key;

    CREATE TABLE targets AS
    WITH t AS (
      SELECT hh.*, coalesce(c.p_active, false) AS p_active, coalesce(c.m_active, false) AS m_active,
             coalesce(c.p_susp, false) AS p_susp, coalesce(c.m_susp, false) AS m_susp,
             coalesce(c.any_active, false) AS any_active, coalesce(c.record_conflict, false) AS record_conflict,
             nullif(concat_ws(';', {SCHEME_LIST}), '') AS schemes_now
      FROM hh LEFT JOIN cover c USING (id_key) WHERE is_target),
    f AS (SELECT *, id_reason IS NULL AND requires_pension AND NOT p_active AS missing_pension,
                 id_reason IS NULL AND NOT m_active AS missing_medical FROM t)
    SELECT *, (missing_pension AND p_susp) OR (missing_medical AND m_susp) AS interrupted,
           id_reason IS NULL AND NOT any_active AS no_insurance,
           missing_pension OR missing_medical AS r_uninsured,
           record_conflict OR sex_mismatch OR birth_mismatch AS r_conflict,
           id_reason IS NOT NULL AS r_invalid_id, info_missing AS r_info_missing,
           missing_pension OR missing_medical OR record_conflict OR sex_mismatch OR birth_mismatch
             OR id_reason IS NOT NULL OR info_missing AS needs_survey
    FROM f;

    CREATE TABLE dups AS
    WITH v AS (SELECT * FROM linked WHERE id_key IS NOT NULL AND active AND itype IN ('1', '2')),
    b AS (SELECT * FROM v WHERE estatus = 'receiving')
    SELECT id_key, itype, '{Dup.CROSS_SCHEME}' AS kind FROM v GROUP BY id_key, itype HAVING count(DISTINCT scheme) >= 2
    UNION ALL SELECT DISTINCT id_key, itype, '{Dup.CROSS_REGION}' FROM (
      SELECT id_key, itype FROM v WHERE region IS NOT NULL GROUP BY id_key, itype, scheme
      HAVING count(DISTINCT region) >= 2)
    UNION ALL SELECT id_key, itype, '{Dup.CROSS_SCHEME_BENEFIT}' FROM b
      GROUP BY id_key, itype HAVING count(DISTINCT scheme) >= 2
    UNION ALL SELECT DISTINCT id_key, itype, '{Dup.CROSS_REGION_BENEFIT}' FROM (
      SELECT id_key, itype FROM b WHERE region IS NOT NULL
      GROUP BY id_key, itype, scheme HAVING count(DISTINCT region) >= 2);
    """


def _maps(con: duckdb.DuckDBPyConnection) -> None:
    """canbao's code lists as small tables: a hash join maps a column in one pass."""
    bits = {c: 1 << i for i, c in enumerate(sorted(SCHEMES))}
    for name, mapping in (
        ("sex_map", SEX_ALIASES),
        ("hstatus_map", HOUSEHOLD_STATUS_ALIASES),
        ("scheme_map", _scheme_aliases()),
        ("estatus_map", ENROLMENT_STATUS_ALIASES),
    ):
        con.execute(f"CREATE TABLE {name}(label VARCHAR, code VARCHAR)")
        con.executemany(f"INSERT INTO {name} VALUES (?, ?)", list(mapping.items()))
    con.execute("CREATE TABLE scheme_bits(scheme VARCHAR, bit INTEGER)")
    con.executemany("INSERT INTO scheme_bits VALUES (?, ?)", list(bits.items()))


def run(
    city: Path, out: Path, as_of: str, area: list[str], *, explicit: bool = False
) -> dict[str, int]:
    """Compute the sets with SQL, write the six result files; return the summary counts.

    ``explicit``: ``area`` is what --area named; by default it is read as canbao's default area
    (the household roster's counties, as the manifest lists them).
    """
    con = compute_sets(city, as_of, area, explicit=explicit)
    out.mkdir(parents=True, exist_ok=True)
    write_tables(con, out)
    row = con.execute(
        f"""SELECT (SELECT count(*) FROM hh), (SELECT count(*) FROM targets),
                  (SELECT count(*) FILTER (WHERE needs_survey) FROM targets),
                  (SELECT count(*) FILTER (WHERE r_uninsured) FROM targets),
                  (SELECT count(*) FROM en), (SELECT count(*) FILTER (WHERE link = '{Link.NON_LOCAL}') FROM linked)"""
    ).fetchone()
    assert row is not None
    keys = [
        *("household_rows", "target", "needs_survey", vocabulary.Reason.UNINSURED.value),
        *("enrolment_rows", Link.NON_LOCAL.value),
    ]
    return dict(zip(keys, (int(v) for v in row), strict=True))


def compute_sets(
    city: Path, as_of: str, area: list[str], *, explicit: bool = False
) -> duckdb.DuckDBPyConnection:
    """Read the rosters, prepare them and compute the sets (tables hh, en, linked, targets,
    dups) in a new in-memory DuckDB connection."""
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    con = duckdb.connect()
    con.execute(MACROS)
    rosters = list(manifest["rosters"].items())
    for table, kinds, fields in (
        ("hh_raw", HOUSEHOLD_KINDS, KIND_FIELDS["household"]),
        ("en_raw", ENROLMENT_KINDS, ENROLMENT_FIELDS),
    ):
        # In canbao's order: by kind, then as the files were given (the first record of a
        # repeated one is the first in this order).
        files = [(name, info["kind"]) for k in kinds for name, info in rosters if info["kind"] == k]
        parts = [_select(con, city / n, k, fields, i) for i, (n, k) in enumerate(files)]
        # Read alone and in file order: row_number() gives each row its line in the file.
        con.execute(f"CREATE TABLE {table} AS {' UNION ALL '.join(parts)}")
    con.execute("SET preserve_insertion_order = false")
    _maps(con)
    con.execute("CREATE TABLE retired_code(code VARCHAR, successor VARCHAR)")
    retired = retired_successors({a[:4] for a in area if explicit and len(a) > 4})
    if retired:
        con.executemany("INSERT INTO retired_code VALUES (?, ?)", list(retired.items()))
    con.execute(_prepare_sql(as_of, area, explicit))
    con.execute("DROP TABLE hh_raw; DROP TABLE en_raw")
    con.execute(SETS)
    return con


if __name__ == "__main__":
    city_dir, out_dir, as_of_arg, *area_args = sys.argv[1:]
    print(json.dumps(run(Path(city_dir), Path(out_dir), as_of_arg, area_args)))
