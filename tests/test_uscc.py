"""Unified social credit code checks (canbao.uscc): unit cases and python-stdnum as an oracle."""

from __future__ import annotations

import random

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from stdnum.cn import uscc

from canbao.uscc import (
    ALPHABET,
    USCC_REASONS,
    normalize_uscc,
    uscc_check_char_expr,
    uscc_exprs,
    uscc_struct,
    validate_uscc,
)

VALID = "91110000600037341L"  # python-stdnum's own example
FULL_WIDTH = str.maketrans(
    "0123456789ABCDEFGHJKLMNPQRTUWXY",
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ",
)

FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def check_frame(values: list[str | None]) -> pl.DataFrame:
    """Run the three USCC expressions over a list of values in one frame."""
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(uscc_exprs(pl.col("v")))


def with_check(first17: str) -> str:
    """Complete 17 characters with their check character, computed by python-stdnum."""
    return first17 + uscc.calc_check_digit(first17 + "0")


def test_reason_codes() -> None:
    """The reason table holds exactly the documented codes in precedence order."""
    assert list(USCC_REASONS) == ["missing", "characters", "length", "check_digit"]


def test_valid_code_parts() -> None:
    """A valid code gives its normal form and region and no reason."""
    expected = pl.DataFrame(
        {"uscc_norm": [VALID], "uscc_reason": [None], "uscc_region": ["110000"]},
        schema={"uscc_norm": pl.String, "uscc_reason": pl.String, "uscc_region": pl.String},
    )
    assert_frame_equal(check_frame([VALID]), expected)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("  \u3000", "missing"),
        ("91110000-600037341L", "characters"),
        ("9111000060003734IL", "characters"),  # I is not in the alphabet
        ("9111000060003734OL", "characters"),  # nor is O
        ("12345678", "length"),
        ("911100006000373411L", "length"),
        ("91110000600037341M", "check_digit"),
    ],
)
def test_reasons(value: str | None, reason: str) -> None:
    """Each kind of fault gets its reason code."""
    assert validate_uscc(value) == reason


def test_normalisation() -> None:
    """Spaces, lower case and full-width characters normalise to the plain code."""
    values = [f"  {VALID.lower()} ", "9111 0000 6000 3734 1L", VALID.translate(FULL_WIDTH)]
    frame = check_frame(values)
    assert frame["uscc_norm"].to_list() == [VALID] * 3
    assert frame["uscc_reason"].to_list() == [None] * 3
    plain = pl.DataFrame({"v": ["9111 0000 6000 3734 1l"]}).select(normalize_uscc(pl.col("v")))
    assert plain["v"][0] == VALID


def test_invalid_norm_is_value_as_written() -> None:
    """For an invalid code the norm column holds the value as written, trimmed."""
    frame = check_frame([" 9111 0000 6000 3734 1m "])
    assert frame.row(0) == ("9111 0000 6000 3734 1m", "check_digit", None)


def test_check_char_zero() -> None:
    """A weighted sum divisible by 31 gives the check character 0, not 31."""
    first17 = next(
        f"9111000060003{n:04d}"
        for n in range(10000)
        if with_check(f"9111000060003{n:04d}")[-1] == "0"
    )
    assert validate_uscc(first17 + "0") is None


def test_struct_matches_list() -> None:
    """The one-pass struct form gives the same columns as the list form."""
    frame = pl.DataFrame({"v": [VALID, "x", None, "91110000600037341M"]}, schema={"v": pl.String})
    packed = frame.select(uscc_struct(pl.col("v")).alias("t")).unnest("t")
    assert_frame_equal(frame.select(uscc_exprs(pl.col("v"))), packed)


def random_valid_code(rng: random.Random) -> str:
    """A valid code that python-stdnum accepts too: the first 8 characters are digits."""
    head = "".join(rng.choice("0123456789") for _ in range(8))
    tail = "".join(rng.choice(ALPHABET) for _ in range(9))
    return with_check(head + tail)


def random_damaged_code(rng: random.Random) -> str:
    """A valid code, left alone or damaged the way registers damage them."""
    value = random_valid_code(rng)
    kind = rng.choice(["none", "char", "swap", "check", "lower", "full_width", "spaces"])
    if kind == "char":
        pos = rng.randrange(8, 18)  # letters in the first 8 are a deliberate difference
        value = value[:pos] + rng.choice(ALPHABET) + value[pos + 1 :]
    elif kind == "swap":
        pos = rng.randrange(8, 17)
        value = value[:pos] + value[pos + 1] + value[pos] + value[pos + 2 :]
    elif kind == "check":
        value = value[:17] + rng.choice(ALPHABET)
    elif kind == "lower":
        value = value.lower()
    elif kind == "full_width":
        # digits only: stdnum does not fold full-width letters (see the differences test)
        value = value.translate(FULL_WIDTH_DIGITS)
    elif kind == "spaces":
        value = f" {value[:2]} {value[2:8]} {value[8:]} "
    return value


@given(st.integers(min_value=0, max_value=2**32))
def test_verdict_agrees_with_stdnum(seed: int) -> None:
    """On inputs where docs/ids.md and stdnum agree, both give the same verdict and normal form."""
    rng = random.Random(seed)
    values = [random_damaged_code(rng) for _ in range(250)]
    frame = check_frame(values)
    for value, norm, reason in zip(values, frame["uscc_norm"], frame["uscc_reason"], strict=True):
        expected = uscc.is_valid(value)
        assert (reason is None) == expected, (value, reason)
        if expected:
            assert norm == uscc.compact(value)


@given(st.integers(min_value=0, max_value=2**32))
def test_check_char_agrees_with_stdnum(seed: int) -> None:
    """uscc_check_char_expr computes stdnum's check character for any 17 alphabet characters."""
    rng = random.Random(seed)
    first17s = ["".join(rng.choice(ALPHABET) for _ in range(17)) for _ in range(200)]
    frame = pl.DataFrame({"v": first17s}, schema={"v": pl.String})
    got = frame.select(uscc_check_char_expr(pl.col("v")).alias("c"))["c"].to_list()
    assert got == [uscc.calc_check_digit(v + "0") for v in first17s]


def test_deliberate_differences_from_stdnum() -> None:
    """Where canbao's rules differ from stdnum's on purpose, both verdicts are pinned down."""
    letter_region = with_check("91A10000600037341")
    hyphenated = "91110000-600037341L"
    assert not uscc.is_valid(letter_region)  # stdnum wants 8 digits first; docs/ids.md does not
    assert validate_uscc(letter_region) is None
    assert uscc.is_valid(hyphenated)  # stdnum drops hyphens; canbao reports them
    assert validate_uscc(hyphenated) == "characters"
    full_width = VALID.translate(FULL_WIDTH)
    assert not uscc.is_valid(full_width)  # stdnum folds full-width digits, not letters
    assert validate_uscc(full_width) is None
