"""A hand-written DuckDB SQL of the same result sets, the yardstick for ``canbao match``.

Run as ``python -m benchmarks.duckdb_match CITY_DIR OUT_DIR AS_OF AREA...`` on a city written by
``canbao.synth.generate_city(messy=False)``. Header names are resolved with canbao's alias
table (that is not the work being timed); the ID checks, linking, coverage, duplicates and
conflicts are all SQL, and the same result files are written as CSV.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

from canbao.codes import ENROLMENT_STATUS_ALIASES, HOUSEHOLD_STATUS_ALIASES, SCHEME_ALIASES, SCHEMES
from canbao.roster.fields import alias_index, header_key

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
PROVINCES = "'11','12','13','14','15','21','22','23','31','32','33','34','35','36','37','41','42','43','44','45','46','50','51','52','53','54','61','62','63','64','65','71','81','82','83'"
HOUSEHOLD_FIELDS = [
    "id",
    "name",
    "sex",
    "birth_date",
    "county",
    "township",
    "village",
    "address",
    "status",
]
ENROLMENT_FIELDS = ["id", "name", "sex", "birth_date", "scheme", "region", "status"]


def _select(
    con: duckdb.DuckDBPyConnection, path: Path, kind: str, fields: list[str], roster: str
) -> str:
    cursor = con.execute(f"SELECT * FROM read_csv('{path}', all_varchar=true) LIMIT 0")
    headers = [d[0] for d in cursor.description or []]
    index = alias_index(kind)
    found = {index[header_key(h)]: h for h in headers if header_key(h) in index}
    cols = [f'"{found[f]}" AS {f}' if f in found else f"NULL::VARCHAR AS {f}" for f in fields]
    return (
        f"SELECT {', '.join(cols)}, '{path.name}' AS file, '{roster}' AS roster, "
        f"row_number() OVER () + 1 AS line FROM read_csv('{path}', all_varchar=true, header=true)"
    )


def _id_sql(col: str, as_of: str) -> str:
    digits = " + ".join(
        f"TRY_CAST(substr({col},{i + 1},1) AS INTEGER)*{w}" for i, w in enumerate(WEIGHTS)
    )
    check = f"(['1','0','X','9','8','7','6','5','4','3','2'])[(({digits}) % 11) + 1]"
    birth = f"try_strptime(substr({col},7,8), '%Y%m%d')::DATE"
    return (
        f"(length({col}) = 18 AND regexp_full_match({col}, '[0-9]{{17}}[0-9X]') "
        f"AND substr({col},1,2) IN ({PROVINCES}) AND {birth} IS NOT NULL "
        f"AND {birth} <= DATE '{as_of}' AND {birth} >= DATE '1880-01-01' AND {check} = substr({col},18,1))"
    )


def run(city: Path, out: Path, as_of: str, area: list[str]) -> dict[str, int]:
    """Compute the sets with SQL and write them; return the summary counts."""
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    schemes = {**{c: c for c in SCHEMES}, **{v: k for k, v in SCHEMES.items()}, **SCHEME_ALIASES}
    con.execute("CREATE TABLE scheme_map(label VARCHAR, code VARCHAR)")
    con.executemany("INSERT INTO scheme_map VALUES (?, ?)", list(schemes.items()))
    con.execute("CREATE TABLE estatus_map(label VARCHAR, code VARCHAR)")
    con.executemany("INSERT INTO estatus_map VALUES (?, ?)", list(ENROLMENT_STATUS_ALIASES.items()))
    con.execute("CREATE TABLE hstatus_map(label VARCHAR, code VARCHAR)")
    con.executemany("INSERT INTO hstatus_map VALUES (?, ?)", list(HOUSEHOLD_STATUS_ALIASES.items()))
    hh_parts, en_parts = [], []
    for name, info in manifest["rosters"].items():
        kind = info["kind"]
        if kind in ("household", "floating"):
            hh_parts.append(_select(con, city / name, kind, HOUSEHOLD_FIELDS, kind))
        else:
            en_parts.append(_select(con, city / name, kind, ENROLMENT_FIELDS, kind))
    area_sql = " OR ".join(f"starts_with(region, '{a}')" for a in area)
    y, md = int(as_of[:4]), int(as_of[5:7]) * 100 + int(as_of[8:10])
    sql = f"""
    CREATE TABLE hh AS
    WITH raw AS ({" UNION ALL ".join(hh_parts)}),
    n AS (SELECT *, upper(regexp_replace(trim(id), '\\s+', '', 'g')) AS nid,
                 coalesce(m.code, CASE WHEN nullif(trim(status), '') IS NULL THEN '正常' END) AS hstatus
          FROM raw LEFT JOIN hstatus_map m ON m.label = trim(raw.status))
    SELECT *, CASE WHEN ok THEN TRY_CAST(substr(nid,1,17) AS BIGINT) END AS key,
           CASE WHEN ok THEN strptime(substr(nid,7,8), '%Y%m%d')::DATE END AS birth,
           CASE WHEN ok THEN CASE WHEN TRY_CAST(substr(nid,17,1) AS INT) % 2 = 1 THEN '男' ELSE '女' END END AS id_sex,
           hstatus = '正常' AS is_target, hstatus IN ('死亡','注销') AS is_dead
    FROM (SELECT *, {_id_sql("nid", as_of)} AS ok FROM n);

    CREATE TABLE en AS
    WITH raw AS ({" UNION ALL ".join(en_parts)}),
    n AS (SELECT raw.*, upper(regexp_replace(trim(id), '\\s+', '', 'g')) AS nid, s.code AS scheme_code,
                 e.code AS estatus
          FROM raw LEFT JOIN scheme_map s ON s.label = trim(raw.scheme)
                   LEFT JOIN estatus_map e ON e.label = trim(raw.status))
    SELECT *, CASE WHEN ok THEN TRY_CAST(substr(nid,1,17) AS BIGINT) END AS key,
           CASE WHEN ok THEN CASE WHEN TRY_CAST(substr(nid,17,1) AS INT) % 2 = 1 THEN '男' ELSE '女' END END AS id_sex,
           CASE WHEN ok THEN strptime(substr(nid,7,8), '%Y%m%d')::DATE END AS id_birth,
           substr(scheme_code,1,1) AS itype, estatus IN ('paying','receiving') AS active,
           (region IS NULL OR {area_sql}) AS in_area, row_number() OVER () AS e_row
    FROM (SELECT *, {_id_sql("nid", as_of)} AS ok FROM n);

    CREATE TABLE persons AS
    SELECT key, bool_or(is_target) AS hh_normal, bool_or(is_dead) AND NOT bool_or(is_target) AS hh_dead,
           min(name) AS hh_name
    FROM hh WHERE key IS NOT NULL GROUP BY key;

    CREATE TABLE linked AS
    SELECT en.*, p.hh_name, p.hh_dead,
           CASE WHEN NOT ok THEN 'invalid' WHEN p.key IS NOT NULL THEN 'linked'
                WHEN in_area THEN 'not_in_household' ELSE 'non_local' END AS link,
           ok AND e_row <> min(e_row) OVER (PARTITION BY roster, nid, scheme_code, region, estatus)
             AS repeated_record
    FROM en LEFT JOIN persons p USING (key);

    CREATE TABLE cover AS
    SELECT key,
      bool_or(itype='1' AND active) AS p_active, bool_or(itype='2' AND active) AS m_active,
      bool_or(itype='1' AND estatus='suspended') AS p_susp, bool_or(itype='2' AND estatus='suspended') AS m_susp,
      bool_or(active) AS any_active,
      bool_or((name IS NOT NULL AND name <> hh_name)
              OR (sex IS NOT NULL AND sex <> id_sex)
              OR (birth_date IS NOT NULL AND try_strptime(birth_date, ['%Y-%m-%d','%Y%m%d'])::DATE <> id_birth))
        AS record_conflict
    FROM linked WHERE link = 'linked' GROUP BY key;

    CREATE TABLE targets AS
    WITH t AS (
      SELECT hh.*, coalesce(c.p_active,false) p_active, coalesce(c.m_active,false) m_active,
             coalesce(c.p_susp,false) p_susp, coalesce(c.m_susp,false) m_susp,
             coalesce(c.any_active,false) any_active, coalesce(c.record_conflict,false) record_conflict,
             ({y} - year(coalesce(hh.birth, try_strptime(hh.birth_date, ['%Y-%m-%d','%Y%m%d'])::DATE))
              - CASE WHEN month(coalesce(hh.birth, try_strptime(hh.birth_date, ['%Y-%m-%d','%Y%m%d'])::DATE))*100
                       + day(coalesce(hh.birth, try_strptime(hh.birth_date, ['%Y-%m-%d','%Y%m%d'])::DATE))
                       > {md} THEN 1 ELSE 0 END) >= 16 AS req_p
      FROM hh LEFT JOIN cover c USING (key) WHERE is_target),
    f AS (SELECT *, ok AND coalesce(req_p, true) AND NOT p_active AS missing_pension,
                 ok AND NOT m_active AS missing_medical FROM t)
    SELECT *, (missing_pension AND p_susp) OR (missing_medical AND m_susp) AS interrupted,
           ok AND NOT any_active AS no_insurance,
           missing_pension OR missing_medical AS r_uninsured,
           record_conflict OR (sex IS NOT NULL AND sex <> id_sex)
             OR (birth_date IS NOT NULL AND try_strptime(birth_date, ['%Y-%m-%d','%Y%m%d'])::DATE <> birth)
             AS r_conflict,
           NOT ok AS r_invalid, nullif(trim(address),'') IS NULL OR nullif(trim(village),'') IS NULL AS r_info
    FROM f;

    CREATE TABLE dups AS
    WITH v AS (SELECT * FROM linked WHERE key IS NOT NULL AND active AND itype IN ('1','2'))
    SELECT key, itype, 'cross_scheme' AS kind FROM v GROUP BY key, itype HAVING count(DISTINCT scheme_code) >= 2
    UNION ALL SELECT DISTINCT key, itype, 'cross_region' FROM (
      SELECT key, itype FROM v WHERE region IS NOT NULL GROUP BY key, itype, scheme_code
      HAVING count(DISTINCT region) >= 2)
    UNION ALL SELECT key, itype, 'cross_scheme_benefit' FROM v WHERE estatus = 'receiving'
      GROUP BY key, itype HAVING count(DISTINCT scheme_code) >= 2
    UNION ALL SELECT DISTINCT key, itype, 'cross_region_benefit' FROM (
      SELECT key, itype FROM v WHERE estatus = 'receiving' AND region IS NOT NULL
      GROUP BY key, itype, scheme_code HAVING count(DISTINCT region) >= 2);
    """
    con.execute(sql)
    out.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"""COPY (SELECT county, township, village, name, nid AS id,
              concat_ws(';', CASE WHEN r_uninsured THEN 'uninsured' END, CASE WHEN r_conflict THEN 'conflict' END,
                        CASE WHEN r_invalid THEN 'invalid_id' END, CASE WHEN r_info THEN 'info_missing' END) AS reasons
            FROM targets WHERE r_uninsured OR r_conflict OR r_invalid OR r_info
            ORDER BY county, township, village, id) TO '{out}/needs_survey.csv' (HEADER)"""
    )
    con.execute(
        f"""COPY (SELECT nid AS id, missing_pension, missing_medical, interrupted, no_insurance
            FROM targets WHERE r_uninsured ORDER BY county, township, village, id) TO '{out}/uninsured.csv' (HEADER)"""
    )
    con.execute(
        f"COPY (SELECT * FROM dups ORDER BY key, itype, kind) TO '{out}/duplicates.csv' (HEADER)"
    )
    con.execute(
        f"""COPY (
          SELECT nid, file, line, 'invalid_id' AS kind FROM linked WHERE link = 'invalid'
          UNION ALL SELECT nid, file, line, 'name_mismatch' FROM linked
            WHERE link = 'linked' AND name IS NOT NULL AND name <> hh_name
          UNION ALL SELECT nid, file, line, 'sex_mismatch' FROM linked WHERE sex IS NOT NULL AND sex <> id_sex
          UNION ALL SELECT nid, file, line, 'deceased_enrolled' FROM linked WHERE link = 'linked' AND active AND hh_dead
          UNION ALL SELECT nid, file, line, 'repeated_record' FROM linked WHERE repeated_record
          UNION ALL SELECT nid, file, line, 'not_in_household' FROM linked WHERE link = 'not_in_household'
          UNION ALL SELECT nid, file, line, 'invalid_id' FROM hh WHERE NOT ok
          ORDER BY kind, file, line) TO '{out}/conflicts.csv' (HEADER)"""
    )
    con.execute(
        f"COPY (SELECT nid, file, line FROM linked WHERE link = 'non_local') TO '{out}/non_local.csv' (HEADER)"
    )
    row = con.execute(
        """SELECT (SELECT count(*) FROM hh), (SELECT count(*) FROM targets),
                  (SELECT count(*) FILTER (WHERE r_uninsured OR r_conflict OR r_invalid OR r_info) FROM targets),
                  (SELECT count(*) FILTER (WHERE r_uninsured) FROM targets),
                  (SELECT count(*) FROM en), (SELECT count(*) FILTER (WHERE link = 'non_local') FROM linked)"""
    ).fetchone()
    assert row is not None
    keys = ["household_rows", "target", "needs_survey", "uninsured", "enrolment_rows", "non_local"]
    return dict(zip(keys, (int(v) for v in row), strict=True))


if __name__ == "__main__":
    city_dir, out_dir, as_of_arg, *area_args = sys.argv[1:]
    print(json.dumps(run(Path(city_dir), Path(out_dir), as_of_arg, area_args)))
