"""Normalise rosters for matching: the edge where Polars turns raw strings into typed fields.

Everything here is vectorised. The household frame gains the target flag, the pension
requirement and the per-row data problems; the enrolment frame gains scheme, insurance type,
status class and area membership. Unknown codes stop the run with the values named, because a
guessed status or scheme would silently move people between the result sets.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date

import polars as pl

from canbao.codes import (
    ACTIVE_STATUSES,
    CODE_WORD_CHARS,
    ENROLMENT_STATUS_ALIASES,
    HOUSEHOLD_NORMAL,
    HOUSEHOLD_STATUS_ALIASES,
    SCHEME_ALIASES,
    SCHEMES,
    SEX_ALIASES,
)
from canbao.elementwise import fold_unless_plain, is_one_of, map_values
from canbao.errors import InputError
from canbao.i18n import _, ngettext
from canbao.ids import with_citizen_id
from canbao.masking import mask_ids_in_text, mask_name, mask_text
from canbao.match.area import id_in_area
from canbao.match.names import normalize_name_expr

# The insurance type a roster holds when its file has no scheme column.
DEFAULT_SCHEME_BY_KIND = {"injury": "30", "unemployment": "40", "maternity": "50"}
PENSION_AGE = 16


def clean_text(expr: pl.Expr) -> pl.Expr:
    """Trim, NFKC-fold and drop inner spaces; empty strings become null."""
    text = expr.str.normalize("NFKC").str.replace_all(r"\s+", "").str.strip_chars()
    return pl.when(text.str.len_chars() > 0).then(text).otherwise(None)


_PLAIN_CODE = r"^[0-9]+$"


def clean_code(expr: pl.Expr) -> pl.Expr:
    """``clean_text`` of a code column (region, county), fast for plain digit codes."""
    return fold_unless_plain(expr, _PLAIN_CODE, clean_text)


def parse_date(expr: pl.Expr) -> pl.Expr:
    """Parse the date spellings exports use (2017-06-30, 20170630, 2017/6/30, 2017年6月30日).

    An impossible date becomes null. The ISO spelling (nearly every export) is parsed directly;
    only the other values go through the regex of :func:`parse_any_date`, which cost four times
    as long on a roster's birth dates.
    """
    iso = expr.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    direct = pl.when(iso).then(expr).str.to_date("%Y-%m-%d", strict=False, cache=False)
    return pl.when(iso).then(direct).otherwise(parse_any_date(pl.when(~iso).then(expr)))


def parse_any_date(expr: pl.Expr) -> pl.Expr:
    """Parse any of the date spellings of :func:`parse_date`.

    One regex pulls year, month and day (a time part after them is ignored), so the column is
    scanned once; an impossible date becomes null.
    """
    parts = expr.str.extract_groups(
        r"^\s*([0-9]{4})[-/.年]?([0-9]{1,2})[-/.月]?([0-9]{1,2})(?:日|[^0-9]|$)"
    )
    text = pl.concat_str(
        [
            parts.struct.field("1"),
            parts.struct.field("2").str.zfill(2),
            parts.struct.field("3").str.zfill(2),
        ]
    )
    return text.str.strptime(pl.Date, "%Y%m%d", strict=False)


def _blank(expr: pl.Expr) -> pl.Expr:
    """Tell whether a text is missing or only spaces (cheaper than a full clean_text)."""
    return expr.is_null() | (expr.str.strip_chars().str.len_bytes() == 0)


def age_reached(birth: pl.Expr, as_of: date, years: int) -> pl.Expr:
    """Tell whether ``years`` full years have passed since ``birth`` on ``as_of`` (by birthday)."""
    cutoff_month_day = as_of.month * 100 + as_of.day
    birthday = birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day().cast(pl.Int32)
    age = (as_of.year - birth.dt.year().cast(pl.Int32)) - (birthday > cutoff_month_day).cast(
        pl.Int32
    )
    return age >= years


def in_area(region: pl.Expr, area: Sequence[str]) -> pl.Expr:
    """Tell whether a region code starts with one of the area prefixes (null counts as inside)."""
    inside = pl.lit(False)
    for prefix in area:
        inside = inside | region.str.starts_with(prefix)
    return region.is_null() | inside


def _is_clean(text: str) -> bool:
    folded = unicodedata.normalize("NFKC", text)
    return bool(text) and re.sub(r"\s+", "", folded).strip() == text


def _map_codes(
    expr: pl.Expr, aliases: dict[str, str], *, blank: pl.Expr | None = None
) -> tuple[pl.Expr, pl.Expr]:
    """(code, cleaned text of the values the exact lookup missed) of a code column.

    An exact lookup of the value as written settles nearly every row; only the rest is cleaned
    (NFKC, spaces) and looked up again. The keys used as written are those cleaning leaves
    unchanged, so the code is that of cleaning every value first. ``blank`` is the code of an
    empty value (null when not given). The cleaned text is for the message about unknown values
    only: it is null where the exact lookup succeeded.
    """
    exact = {k: v for k, v in aliases.items() if _is_clean(k)}
    direct = map_values(expr, exact)
    rest = clean_text(pl.when(direct.is_null()).then(expr))
    by_rest = map_values(rest, aliases)
    if blank is not None:
        by_rest = pl.when(rest.is_null()).then(blank).otherwise(by_rest)
    return pl.coalesce(direct, by_rest), rest


def _person_fields() -> dict[str, pl.Expr]:
    """The fields every person roster gets: the ID as written, folded name, sex, birth date."""
    return {
        "id_raw": pl.col("id"),
        "name_norm": normalize_name_expr(pl.col("name")),
        "sex_col": _map_codes(pl.col("sex"), SEX_ALIASES)[0],
        "birth_col": parse_date(pl.col("birth_date")),
    }


def prepare_household(frame: pl.LazyFrame, *, as_of: date) -> pl.LazyFrame:
    """Add id checks, status, target flag, pension requirement and row problems to persons."""
    status, raw_status = _map_codes(
        pl.col("status"), HOUSEHOLD_STATUS_ALIASES, blank=pl.lit(HOUSEHOLD_NORMAL)
    )
    lf = frame.with_columns(**_person_fields(), hstatus=status, hstatus_raw=raw_status)
    lf = with_id_columns(lf, as_of=as_of)
    birth = pl.coalesce(pl.col("id_birth"), pl.col("birth_col"))
    return lf.with_columns(
        county_given=clean_code(pl.col("county")),
        county=pl.coalesce(clean_code(pl.col("county")), pl.col("id_norm").str.slice(0, 6)),
        is_target=pl.col("hstatus") == HOUSEHOLD_NORMAL,
        is_dead=is_one_of(pl.col("hstatus"), ["死亡", "注销"]),
        requires_pension=age_reached(birth, as_of, PENSION_AGE).fill_null(True),
        sex_mismatch=pl.col("id_sex").is_not_null()
        & pl.col("sex_col").is_not_null()
        & (pl.col("id_sex") != pl.col("sex_col")),
        birth_mismatch=pl.col("id_birth").is_not_null()
        & pl.col("birth_col").is_not_null()
        & (pl.col("id_birth") != pl.col("birth_col")),
        info_missing=_blank(pl.col("address")) | _blank(pl.col("village")),
    )


def prepare_enrolment(
    frame: pl.LazyFrame, *, as_of: date, area: Sequence[str], explicit_area: bool = False
) -> pl.LazyFrame:
    """Add id checks, scheme code, insurance type, status class and area membership to records.

    ``in_area``: the record's own region (参保地) is in the area (a local enrolment, table (一)
    column (2) against (4)); ``id_in_area``: the ID's region code is (not_in_household against
    non_local, :func:`id_in_area`). ``explicit_area``: ``area`` came from --area.
    """
    scheme_aliases = {**{code: code for code in SCHEMES}, **{v: k for k, v in SCHEMES.items()}}
    scheme_aliases |= SCHEME_ALIASES
    scheme_aliases |= {
        label.replace("(", "（").replace(")", "）"): c for label, c in scheme_aliases.items()
    }
    default_scheme = map_values(pl.col("_roster"), DEFAULT_SCHEME_BY_KIND)
    scheme_aliases = _nfkc_keys(scheme_aliases)
    scheme, raw_scheme = _map_codes(pl.col("scheme"), scheme_aliases, blank=default_scheme)
    status, raw_status = _map_codes(pl.col("status"), ENROLMENT_STATUS_ALIASES)
    lf = frame.with_columns(
        **_person_fields(),
        scheme_raw=raw_scheme,
        scheme=scheme,
        estatus_raw=raw_status,
        estatus=status,
        region=clean_code(pl.col("region")),
        # Set only when ``canbao match --apply-links`` rewrites this record's ID
        # (canbao.match._repairs_in_match).
        link_score=pl.lit(None, pl.Int64),
    )
    return recheck_ids(lf, as_of=as_of).with_columns(
        itype=pl.col("scheme").str.slice(0, 1),
        active=is_one_of(pl.col("estatus"), sorted(ACTIVE_STATUSES)),
        in_area=in_area(pl.col("region"), area),
        id_in_area=id_in_area(pl.col("id_norm"), area, explicit=explicit_area),
    )


ID_COLUMNS = ("id_norm", "id_reason", "id_key", "id_sex", "id_birth")


def with_id_columns(frame: pl.LazyFrame, *, as_of: date) -> pl.LazyFrame:
    """Add (or replace) the ID columns with the streaming frame form of the checks."""
    return with_citizen_id(frame, "id", as_of=as_of, prefix="id_")


def recheck_ids(frame: pl.LazyFrame, *, as_of: date) -> pl.LazyFrame:
    """(Re)compute the ID columns of records from ``id`` and the checks that depend on them.

    Shared by the first preparation and by an applied link, which replaces ``id`` (never
    ``id_raw``): both must derive key, sex and birth date the same way.
    """
    return with_id_columns(frame, as_of=as_of).with_columns(
        sex_mismatch=pl.col("id_sex").is_not_null()
        & pl.col("sex_col").is_not_null()
        & (pl.col("id_sex") != pl.col("sex_col")),
        birth_mismatch=pl.col("id_birth").is_not_null()
        & pl.col("birth_col").is_not_null()
        & (pl.col("id_birth") != pl.col("birth_col")),
    )


def _nfkc_keys(aliases: dict[str, str]) -> dict[str, str]:
    return {unicodedata.normalize("NFKC", k).replace(" ", ""): v for k, v in aliases.items()}


def check_codes(
    household: pl.LazyFrame, enrolment: pl.LazyFrame, *, where: Mapping[str, str] | None = None
) -> None:
    """Stop with one message naming every unknown status or scheme value, with file and count.

    ``where`` gives the path a message shows for a file's name (canbao.shown_path).
    """
    problems: list[str] = []
    bad_h = household.filter(pl.col("hstatus").is_null())
    problems += _describe(
        bad_h, "hstatus_raw", _("household status (人员状态)"), "正常, 死亡, 迁出, 注销", where
    )
    bad_s = enrolment.filter(pl.col("scheme").is_null())
    problems += _describe(
        bad_s,
        "scheme_raw",
        _("scheme (险种)"),
        _("codes 11-15, 21-26, 30, 40, 50 or their labels"),
        where,
    )
    bad_e = enrolment.filter(pl.col("estatus").is_null())
    problems += _describe(
        bad_e,
        "estatus_raw",
        _("enrolment status (参保状态)"),
        "参保缴费, 领取待遇, 暂停缴费, 终止参保",
        where,
    )
    if problems:
        raise InputError(
            _("unknown codes in the rosters:") + "\n  " + "\n  ".join(problems),
            fix=_(
                "correct these values in the export, or map each word to an accepted one in the "
                "--columns file ({example}, docs/reading.md); if a wrong column was taken for "
                "this field, name the right one there"
            ).format(example="`values: {status: {冻结: 暂停缴费}}`"),
        )


def _describe(
    bad: pl.LazyFrame, column: str, label: str, accepted: str, where: Mapping[str, str] | None
) -> list[str]:
    counts = (
        bad.group_by("_file", column)
        .agg(pl.len().alias("n"), pl.col("_line").min().alias("first_line"))
        .sort("_file", "n", descending=[False, True])
        .head(8)
        .collect()
    )
    lines = []
    for name, value, n, first in counts.iter_rows():
        file = (where or {}).get(name, name)
        # A status or scheme word is a code, not personal data: shown in full so the user can
        # map it (--columns ``values:``). A value that may be a name, an ID or a birth date in
        # the wrong column shows only its first character.
        shown = _("(empty)") if value is None else repr(_shown_code(value))
        line = ngettext(
            "{file}: column {label}: value {value} in {n} row, first at line {first}; "
            "accepted: {accepted}",
            "{file}: column {label}: value {value} in {n} rows, first at line {first}; "
            "accepted: {accepted}",
            n,
        )
        lines.append(
            line.format(file=file, label=label, value=shown, n=n, first=first, accepted=accepted)
        )
    return lines


def _shown_code(value: str) -> str:
    """A coded value as an error shows it: in full when made of code characters, else masked.

    Code characters: ASCII and the characters of status and scheme words
    (:data:`canbao.codes.CODE_WORD_CHARS`); a name in the wrong column has others.
    """
    coded = all(c.isascii() or c in CODE_WORD_CHARS for c in value)
    if coded and mask_text(value) == value:
        return value
    return mask_name(mask_ids_in_text(value))
