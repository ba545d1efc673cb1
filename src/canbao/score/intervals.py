"""Intervals as the seeds write them, with exact (``Fraction``) bounds.

Accepted spellings (after NFKC, so full-width ``［ ］ （ ） ％ ＋ ，`` work too):

- ``[20,100]``, ``[5,20)``, ``(5,20)``, ``[1,5﹞`` (``﹞``, ``〕`` and ``】`` close like ``]``);
- ``[90%,1]``: a percentage is a share (``90%`` is 9/10), a bare ``1`` is 100 %;
- ``100+`` or ``≥100``: from 100 up; ``>5``, ``<=5``, ``≤5``, ``<5``;
- ``+∞``, ``∞`` or an empty bound: unbounded, as in ``(100,+∞)`` or ``[20,)``;
- ``[0)`` (淮人社秘〔2017〕376号, indicator 19): read as the single value 0, see
  :attr:`Interval.odd`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

from canbao.i18n import _

_CLOSE = {"〕": "]", "】": "]", "﹞": "]", "〔": "[", "【": "[", "﹝": "["}
_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)%?"
_PAIR = re.compile(rf"^([\[(])({_NUM}|-∞|)?,({_NUM}|\+?∞|)?([\])])$")
_POINT = re.compile(rf"^\[({_NUM})[)\]]$")
_PLUS = re.compile(rf"^({_NUM})\+$")
_CMP = re.compile(rf"^(>=|≥|>|<=|≤|<)({_NUM})$")


class IntervalSyntaxError(ValueError):
    """An interval that cannot be read; the message says what is accepted."""


def normalise_text(text: str) -> str:
    """NFKC, map the documents' odd brackets, drop spaces and the Chinese enumeration comma."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(_CLOSE.get(ch, ch) for ch in text)
    return re.sub(r"\s+", "", text).replace("、", ",")


def parse_number(text: str) -> Fraction:
    """Read ``92``, ``0.92``, ``92%`` or ``1.5`` exactly (a percentage becomes a share)."""
    text = normalise_text(text).replace(",", "")
    if not re.fullmatch(_NUM, text):
        raise IntervalSyntaxError(_("not a number: {text!r}").format(text=text))
    if text.endswith("%"):
        return Fraction(text[:-1]) / 100
    return Fraction(text)


@dataclass(frozen=True)
class Interval:
    """A set of numbers ``lo .. hi``; ``None`` is unbounded on that side."""

    lo: Fraction | None
    hi: Fraction | None
    lo_closed: bool = True
    hi_closed: bool = True
    text: str = ""
    odd: str | None = None  # a remark when the written form needed interpretation

    def __post_init__(self) -> None:
        if self.lo is not None and self.hi is not None:
            if self.lo > self.hi:
                problem = _("lower bound above upper bound in {interval!r}")
                raise IntervalSyntaxError(problem.format(interval=self.label))
            if self.lo == self.hi and not (self.lo_closed and self.hi_closed):
                raise IntervalSyntaxError(
                    _("empty interval {interval!r}").format(interval=self.label)
                )

    @property
    def label(self) -> str:
        """The interval as written in the rule file, or a canonical form."""
        return self.text or self.canonical()

    def canonical(self) -> str:
        """A plain ASCII form: ``[5,20)``, ``(100,+∞)``, ``{0}``."""
        if self.lo is not None and self.lo == self.hi:
            return "{" + _fmt(self.lo) + "}"
        lo = "-∞" if self.lo is None else _fmt(self.lo)
        hi = "+∞" if self.hi is None else _fmt(self.hi)
        left = "[" if self.lo_closed and self.lo is not None else "("
        right = "]" if self.hi_closed and self.hi is not None else ")"
        return f"{left}{lo},{hi}{right}"

    def contains(self, value: Fraction) -> bool:
        """Tell whether ``value`` lies in the interval."""
        if self.lo is not None and (value < self.lo or (value == self.lo and not self.lo_closed)):
            return False
        return not (
            self.hi is not None and (value > self.hi or (value == self.hi and not self.hi_closed))
        )

    def intersect(self, other: Interval) -> Interval | None:
        """The common part of two intervals, or ``None`` when they are disjoint."""
        lo, lo_closed = _max_lower(self, other)
        hi, hi_closed = _min_upper(self, other)
        if (
            lo is not None
            and hi is not None
            and (lo > hi or (lo == hi and not (lo_closed and hi_closed)))
        ):
            return None
        return Interval(lo, hi, lo_closed, hi_closed)

    def has_integer(self) -> bool:
        """Tell whether a whole number lies in the interval (for counts such as 场 and 人)."""
        if self.lo is None or self.hi is None:
            return True
        first = math.ceil(self.lo) if self.lo_closed else math.floor(self.lo) + 1
        last = math.floor(self.hi) if self.hi_closed else math.ceil(self.hi) - 1
        return first <= last

    def is_subset(self, other: Interval) -> bool:
        """Tell whether every value of this interval lies in ``other``."""
        return self.intersect(other) == Interval(self.lo, self.hi, self.lo_closed, self.hi_closed)


def _fmt(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    scaled = value * 100
    if scaled.denominator == 1:
        return f"{scaled.numerator}%"
    return str(float(value))  # display only; never compared


def _max_lower(a: Interval, b: Interval) -> tuple[Fraction | None, bool]:
    if a.lo is None:
        return b.lo, b.lo_closed if b.lo is not None else False
    if b.lo is None or a.lo > b.lo:
        return a.lo, a.lo_closed
    if b.lo > a.lo:
        return b.lo, b.lo_closed
    return a.lo, a.lo_closed and b.lo_closed


def _min_upper(a: Interval, b: Interval) -> tuple[Fraction | None, bool]:
    if a.hi is None:
        return b.hi, b.hi_closed if b.hi is not None else False
    if b.hi is None or a.hi < b.hi:
        return a.hi, a.hi_closed
    if b.hi < a.hi:
        return b.hi, b.hi_closed
    return a.hi, a.hi_closed and b.hi_closed


def parse_interval(text: str) -> Interval:
    """Parse one interval written as in the seeds (see the module docstring)."""
    raw = text
    norm = normalise_text(text)
    if m := _PAIR.match(norm):
        left, lo_s, hi_s, right = m.groups()
        lo = parse_number(lo_s) if lo_s not in (None, "", "-∞") else None
        hi = parse_number(hi_s) if hi_s not in (None, "", "∞", "+∞") else None
        return Interval(
            lo, hi, left == "[" and lo is not None, right == "]" and hi is not None, raw
        )
    if m := _POINT.match(norm):
        value = parse_number(m.group(1))
        odd = None if norm.endswith("]") else f"{raw!r} has one bound; read as the single value"
        return Interval(value, value, True, True, raw, odd)
    if m := _PLUS.match(norm):
        return Interval(parse_number(m.group(1)), None, True, False, raw)
    if m := _CMP.match(norm):
        op, num = m.groups()
        value = parse_number(num)
        if op in (">=", "≥"):
            return Interval(value, None, True, False, raw)
        if op == ">":
            return Interval(value, None, False, False, raw)
        if op in ("<=", "≤"):
            return Interval(None, value, False, True, raw)
        return Interval(None, value, False, False, raw)
    raise IntervalSyntaxError(
        _(
            "cannot read the interval {interval!r}: write [a,b], [a,b), (a,b], (a,+∞), a+ or ≥a "
            "(full-width brackets and % are accepted)"
        ).format(interval=raw)
    )


def subtract(domain: Interval, parts: list[Interval]) -> list[Interval]:
    """What is left of ``domain`` once every interval in ``parts`` is removed."""
    left = [domain]
    for part in parts:
        nxt: list[Interval] = []
        for piece in left:
            nxt.extend(_minus(piece, part))
        left = nxt
    return sorted(left, key=lambda i: (i.lo is not None, i.lo or 0))


def _minus(a: Interval, b: Interval) -> list[Interval]:
    if a.intersect(b) is None:
        return [a]
    out: list[Interval] = []
    if b.lo is not None and (
        a.lo is None or a.lo < b.lo or (a.lo == b.lo and a.lo_closed and not b.lo_closed)
    ):
        piece = _safe(a.lo, b.lo, a.lo_closed, not b.lo_closed)
        if piece is not None:
            out.append(piece)
    if b.hi is not None and (
        a.hi is None or a.hi > b.hi or (a.hi == b.hi and a.hi_closed and not b.hi_closed)
    ):
        piece = _safe(b.hi, a.hi, not b.hi_closed, a.hi_closed)
        if piece is not None:
            out.append(piece)
    return out


def _safe(lo: Fraction | None, hi: Fraction | None, lo_c: bool, hi_c: bool) -> Interval | None:
    try:
        return Interval(lo, hi, lo_c and lo is not None, hi_c and hi is not None)
    except IntervalSyntaxError:
        return None
