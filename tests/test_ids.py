"""Citizen ID checks (canbao.ids): unit cases for every reason, and python-stdnum as an oracle."""

from __future__ import annotations

import importlib.resources
import random
import re
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from stdnum.cn import ric

from canbao.ids import (
    ID_REASONS,
    check_char_expr,
    citizen_id_exprs,
    citizen_id_struct,
    key_to_id,
    normalize_id,
    normalize_id_value,
    validate_id,
)

AS_OF = date(2026, 11, 1)
VALID = "340621199003071239"  # 濉溪县, 1990-03-07, sequence 123 (male)
VALID_X = "34062119900307101X"
FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def check_frame(values: list[str | None], as_of: date = AS_OF) -> pl.DataFrame:
    """Run the one-pass ID check over a list of values in one frame (same columns as the list)."""
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(citizen_id_struct(pl.col("v"), as_of=as_of).alias("t")).unnest("t")


def reasons(values: list[str | None], as_of: date = AS_OF) -> list[str | None]:
    """Return the reason column for a list of values."""
    return check_frame(values, as_of)["id_reason"].to_list()


def with_check(first17: str) -> str:
    """Complete 17 digits with their check character, computed by python-stdnum."""
    return first17 + ric.calc_check_digit(first17 + "0")


def _stable_regions() -> list[str]:
    """Region codes python-stdnum knows with no start or end year, so any birth year passes."""
    text = (importlib.resources.files("stdnum") / "cn" / "loc.dat").read_text(encoding="utf-8")
    codes: list[str] = []
    province = ""
    for line in text.splitlines():
        if top := re.match(r"^(\d\d) ", line):
            province = top.group(1)
        elif (sub := re.match(r'^  (\d{4}) county="([^"]*)"', line)) and "[" not in sub.group(2):
            codes.append(province + sub.group(1))
    return codes


REGIONS = _stable_regions()


# --- unit cases ------------------------------------------------------------------------------


def test_reason_codes_and_labels() -> None:
    """The reason table holds exactly the documented codes, each with a Chinese label."""
    assert list(ID_REASONS) == [
        "missing",
        "spreadsheet_scientific",
        "characters",
        "length",
        "province",
        "birth_date",
        "future_birth",
        "spreadsheet_rounded",
        "check_digit",
    ]
    assert "15 位有效数字" in ID_REASONS["spreadsheet_rounded"]
    assert "0" in ID_REASONS["spreadsheet_rounded"]


def test_valid_id_parts() -> None:
    """A valid ID yields its normal form, key, sex and birth date and no reason."""
    expected = pl.DataFrame(
        {
            "id_norm": [VALID, VALID_X],
            "id_reason": [None, None],
            "id_key": [34062119900307123, 34062119900307101],
            "id_sex": ["男", "男"],
            "id_birth": [date(1990, 3, 7), date(1990, 3, 7)],
        },
        schema={
            "id_norm": pl.String,
            "id_reason": pl.String,
            "id_key": pl.Int64,
            "id_sex": pl.String,
            "id_birth": pl.Date,
        },
    )
    assert_frame_equal(check_frame([VALID, VALID_X]), expected)


def test_sex_from_sequence_digit() -> None:
    """An even sequence digit means female, an odd one male."""
    female = with_check("34062119900307122")
    assert check_frame([female, VALID])["id_sex"].to_list() == ["女", "男"]


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000", "\t\n"])
def test_missing(value: str | None) -> None:
    """Null, empty and whitespace-only values are missing."""
    assert validate_id(value, AS_OF) == "missing"


@pytest.mark.parametrize("value", ["3.40621199E+17", "3.40621E+17", "3.40621199e+17", "3E17"])
def test_spreadsheet_scientific(value: str) -> None:
    """A value in scientific notation is reported as spreadsheet damage, kept as written."""
    frame = check_frame([f" {value} "])
    assert frame["id_reason"][0] == "spreadsheet_scientific"
    assert frame["id_norm"][0] == value


@pytest.mark.parametrize(
    "value", ["34062119900307123A", "无", "340621-19900307-1239", "34062119900307X239", "x"]
)
def test_characters(value: str) -> None:
    """Letters, dashes and an X anywhere but last are wrong characters."""
    assert validate_id(value, AS_OF) == "characters"


@pytest.mark.parametrize("value", ["3406211990030712", "3406211990030712391", "12345", "12345X"])
def test_length(value: str) -> None:
    """Digits of a length other than 15 or 18 are the wrong length."""
    assert validate_id(value, AS_OF) == "length"


@pytest.mark.parametrize("first17", ["99062119900307123", "00062119900307123", "84000019900307123"])
def test_province(first17: str) -> None:
    """A province part that is no real province is reported even with a right check character."""
    assert validate_id(with_check(first17), AS_OF) == "province"


@pytest.mark.parametrize("province", ["71", "81", "82", "83"])
def test_taiwan_hong_kong_macao_accepted(province: str) -> None:
    """Taiwan, Hong Kong, Macao and the Taiwan residence permit (83) are accepted provinces."""
    assert validate_id(with_check(f"{province}000019900307123"), AS_OF) is None


@pytest.mark.parametrize("birth", ["19900230", "19900001", "19901301", "19900100", "18791231"])
def test_birth_date(birth: str) -> None:
    """An impossible calendar date, or one before 1880-01-01, is a bad birth date."""
    assert validate_id(with_check(f"340621{birth}123"), AS_OF) == "birth_date"


def test_earliest_birth_date_accepted() -> None:
    """1880-01-01 itself is accepted."""
    assert validate_id(with_check("34062118800101001"), AS_OF) is None


@pytest.mark.parametrize(
    ("birth", "reason"),
    [
        ("20000229", None),
        ("20240229", None),
        ("19000229", "birth_date"),
        ("20230229", "birth_date"),
    ],
)
def test_leap_day(birth: str, reason: str | None) -> None:
    """29 February exists in 2000 and 2024 but not in 1900 (a century) or 2023."""
    assert validate_id(with_check(f"340621{birth}002"), AS_OF) == reason


def test_as_of_boundary() -> None:
    """A birth on the as-of date is valid; the day after is a future birth."""
    on_day = with_check("34062120261101001")
    next_day = with_check("34062120261102001")
    assert reasons([on_day, next_day]) == [None, "future_birth"]
    assert reasons([next_day], as_of=AS_OF + timedelta(days=1)) == [None]


def test_check_digit() -> None:
    """A wrong check character (not ending in 00) is a check-digit error."""
    assert validate_id("340621199003071238", AS_OF) == "check_digit"
    assert validate_id("340621199003071230", AS_OF) == "check_digit"


def test_spreadsheet_rounded() -> None:
    """An ID saved as a number keeps 15 or 16 significant digits and ends in zeros."""
    genuine = "340621198506121061"
    sixteen = str(int(Decimal(repr(float(genuine)))))  # float round-trip, shortest repr
    fifteen = str(int(Decimal(f"{float(genuine):.15g}")))  # Excel's 15 significant digits
    assert (sixteen, fifteen) == ("340621198506121100", "340621198506121000")
    assert reasons([sixteen, fifteen]) == ["spreadsheet_rounded", "spreadsheet_rounded"]


def test_precedence() -> None:
    """Each value gets the first reason that applies: structure before date before check."""
    assert reasons(["99062119900230123X", "340621199002301230", "3406211990030712391"]) == [
        "province",
        "birth_date",
        "length",
    ]
    # a 15-digit number with an impossible date is a date error, not a length error
    assert validate_id("340621900230123", AS_OF) == "birth_date"


def test_fifteen_to_eighteen() -> None:
    """A 15-digit legacy number gains 19 before the year and a computed check character."""
    frame = check_frame(["340621900307123", " 110101850612002 "])
    assert frame["id_norm"].to_list() == [VALID, with_check("11010119850612002")]
    assert frame["id_reason"].to_list() == [None, None]
    assert frame["id_birth"].to_list() == [date(1990, 3, 7), date(1985, 6, 12)]


def test_full_width_and_lowercase_x() -> None:
    """Full-width digits, full-width Ｘ and a lowercase x normalise to the ASCII ID."""
    values = [VALID_X.translate(FULL_WIDTH), VALID_X[:-1] + "x", VALID_X[:-1] + "ｘ"]
    frame = check_frame(values)
    assert frame["id_norm"].to_list() == [VALID_X] * 3
    assert frame["id_reason"].to_list() == [None] * 3


@pytest.mark.parametrize(
    "value",
    [
        f"  {VALID}  ",
        "340621 19900307 1239",
        "340621\t19900307\u30001239",
        f"\u200b{VALID}\ufeff",
        f"{VALID}\r\n",
    ],
)
def test_whitespace_anywhere(value: str) -> None:
    """Spaces, tabs, ideographic and zero-width spaces are dropped wherever they are."""
    frame = check_frame([value])
    assert frame["id_norm"][0] == VALID
    assert frame["id_reason"][0] is None


def test_invalid_norm_is_value_as_written() -> None:
    """For an invalid value the norm column holds the value as written, trimmed, not normalised."""
    frame = check_frame(["  ３４０６２１１９９００３０７１２３８ ", "340621 19900307 1238"])
    assert frame["id_norm"].to_list() == [
        "３４０６２１１９９００３０７１２３８",
        "340621 19900307 1238",
    ]
    assert frame["id_key"].to_list() == [None, None]


def test_normalize_id() -> None:
    """normalize_id rewrites text only: full width, spaces, x, and 15 to 18 digits."""
    frame = pl.DataFrame({"v": [" 34062119900307101ｘ", "340621900307123", "abc", None]})
    assert frame.select(normalize_id(pl.col("v")))["v"].to_list() == [
        VALID_X,
        VALID,
        "ABC",
        None,
    ]
    assert normalize_id_value("340621 900307 123") == VALID


def test_key_round_trip() -> None:
    """key_to_id turns every valid ID's key back into its normal form."""
    values = [VALID, VALID_X, "340621900307123", with_check("83000019900307123")]
    frame = check_frame(values).with_columns(back=key_to_id(pl.col("id_key")))
    assert frame["back"].to_list() == frame["id_norm"].to_list()


def test_key_to_id_range() -> None:
    """Keys are zero-padded to 17 digits; negative or too large keys give null."""
    keys = pl.DataFrame({"k": [123, -1, 10**17, None]}, schema={"k": pl.Int64})
    out = keys.select(key_to_id(pl.col("k")))["k"].to_list()
    assert out == [with_check("00000000000000123"), None, None, None]


def test_check_char_expr_needs_17_digits() -> None:
    """check_char_expr gives null for anything but exactly 17 ASCII digits."""
    frame = pl.DataFrame({"v": ["34062119900307123", "3406211990030712", "3406211990030712A"]})
    assert frame.select(check_char_expr(pl.col("v")))["v"].to_list() == ["9", None, None]


def test_struct_matches_list_and_lazy() -> None:
    """The one-pass struct form, eager or lazy, gives the same columns as the list form."""
    values = [VALID, "340621900307123", "3.40621E+17", None, "340621199003071200"]
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    listed = frame.select(citizen_id_exprs(pl.col("v"), as_of=AS_OF))
    packed = (
        frame.lazy()
        .select(citizen_id_struct(pl.col("v"), as_of=AS_OF).alias("t"))
        .unnest("t")
        .collect()
    )
    assert_frame_equal(listed, packed)


def test_custom_prefix() -> None:
    """The prefix names every output column."""
    frame = pl.DataFrame({"v": [VALID]})
    out = frame.select(citizen_id_exprs(pl.col("v"), as_of=AS_OF, prefix="hh_"))
    assert out.columns == ["hh_norm", "hh_reason", "hh_key", "hh_sex", "hh_birth"]


# --- python-stdnum as an oracle ---------------------------------------------------------------


def random_valid_id(rng: random.Random) -> str:
    """A valid 18-character ID that python-stdnum accepts too (stable region, past birth)."""
    birth = date(1880, 1, 1) + timedelta(
        days=rng.randrange((date(2025, 12, 31) - date(1880, 1, 1)).days)
    )
    return with_check(f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randrange(1000):03d}")


def random_damaged_id(rng: random.Random) -> str:
    """A valid ID, left alone or damaged the way rosters damage them."""
    value = random_valid_id(rng)
    kind = rng.choice(["none", "digit", "swap", "check", "lower_x", "full_width", "pad", "date"])
    if kind == "digit":
        pos = rng.randrange(18)
        value = (
            value[:pos]
            + rng.choice("0123456789X" if pos == 17 else "0123456789")
            + value[pos + 1 :]
        )
    elif kind == "swap":
        pos = rng.randrange(17)
        value = value[:pos] + value[pos + 1] + value[pos] + value[pos + 2 :]
    elif kind == "check":
        value = value[:17] + rng.choice("0123456789X")
    elif kind == "lower_x":
        value = value.lower()
    elif kind == "full_width":
        # digits only: stdnum does not fold a full-width Ｘ (see the differences test)
        value = value.translate(FULL_WIDTH_DIGITS)
    elif kind == "pad":
        value = rng.choice([" ", "\t", ""]) + value + rng.choice([" ", ""])
    elif kind == "date":
        # any date digits with a year both accept: impossible dates and 29 February included
        year, month, day = rng.randint(1880, 2025), rng.randint(0, 13), rng.randint(0, 32)
        value = with_check(f"{value[:6]}{year}{month:02d}{day:02d}{value[14:17]}")
    return value


# Hypothesis draws one seed per batch and plain `random` builds the batch from it: drawing each of
# thousands of values field by field through Hypothesis took a minute. A failure names the value.
@given(st.integers(min_value=0, max_value=2**32))
def test_verdict_agrees_with_stdnum(seed: int) -> None:
    """Where docs/ids.md and stdnum's rules agree, both give the same verdict and normal form."""
    rng = random.Random(seed)
    values = [random_damaged_id(rng) for _ in range(250)]
    frame = pl.DataFrame({"v": values}).select(citizen_id_exprs(pl.col("v"), as_of=AS_OF))
    for value, norm, reason in zip(values, frame["id_norm"], frame["id_reason"], strict=True):
        expected = ric.is_valid(value)
        assert (reason is None) == expected, (value, reason)
        if expected:
            assert norm == ric.compact(value)


@given(st.integers(min_value=0, max_value=2**32))
def test_check_char_agrees_with_stdnum(seed: int) -> None:
    """check_char_expr computes stdnum's check character for any 17 digits."""
    rng = random.Random(seed)
    first17s = ["".join(rng.choice("0123456789") for _ in range(17)) for _ in range(200)]
    frame = pl.DataFrame({"v": first17s}, schema={"v": pl.String})
    got = frame.select(check_char_expr(pl.col("v")))["v"].to_list()
    assert got == [ric.calc_check_digit(v + "0") for v in first17s]


def test_deliberate_differences_from_stdnum() -> None:
    """Where canbao's rules differ from stdnum's on purpose, both verdicts are pinned down."""
    cases = {
        # 通州区 (110112) exists only from 1997: stdnum rejects a genuine-looking 1990 birth
        with_check("11011219900307123"): (False, None),
        # 83: residence permit for Taiwan residents, not in stdnum's region list
        with_check("83000019900307123"): (False, None),
        # the 15-digit legacy form: stdnum has none
        "340621900307123": (False, None),
        # whitespace inside the number: stdnum keeps it
        "340621 19900307 1239": (False, None),
        # a birth after the as-of date: stdnum has no future check
        with_check("34062120270101001"): (True, "future_birth"),
        # a full-width Ｘ: stdnum folds full-width digits but not the letter
        VALID_X.translate(FULL_WIDTH): (False, None),
        # a birth before 1880: stdnum accepts any calendar date
        with_check("34062118790101001"): (True, "birth_date"),
    }
    values = list(cases)
    got = reasons(values)
    for value, reason in zip(values, got, strict=True):
        stdnum_valid, canbao_reason = cases[value]
        assert ric.is_valid(value) is stdnum_valid, value
        assert reason == canbao_reason, value
