"""Logic relations between fields, such as ``(2) ≥ (3)`` of 人社厅发〔2017〕28号.

The national tables' relations: ``(2) ≥ (3)``, ``(1) = (2) − (3) + (4) + (5)``, ``(5) ≥ (6)``.

A formula is ``side OP side`` with OP one of ``= ≥ >= ≤ <= > <``; a side is fields joined by
``+`` and ``-`` (``−`` too), each a fact name or a column reference ``(n)``; tokens are separated
by spaces. Values are compared exactly.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from canbao.i18n import _
from canbao.score.values import ValueProblem, amount

_OPS = {"=": "=", "==": "=", "≥": ">=", ">=": ">=", "≤": "<=", "<=": "<=", ">": ">", "<": "<"}


class FormulaError(ValueError):
    """A formula that cannot be read."""


@dataclass(frozen=True)
class Formula:
    """A parsed relation: signed terms on each side and the comparison."""

    left: list[tuple[int, str]]
    op: str
    right: list[tuple[int, str]]

    def names(self) -> list[str]:
        """Every field (or ``(n)`` column reference) the formula names."""
        return [n for _, n in [*self.left, *self.right]]

    def holds(self, values: dict[str, Fraction]) -> tuple[bool, Fraction, Fraction]:
        """Whether the relation holds, with both sides' values."""
        lhs = sum((s * values[n] for s, n in self.left), Fraction(0))
        rhs = sum((s * values[n] for s, n in self.right), Fraction(0))
        ok = {
            "=": lhs == rhs,
            ">=": lhs >= rhs,
            "<=": lhs <= rhs,
            ">": lhs > rhs,
            "<": lhs < rhs,
        }[self.op]
        return ok, lhs, rhs


def parse_formula(text: str) -> Formula:
    """Parse ``a + b = c - d`` (spaces between tokens)."""
    tokens = unicodedata.normalize("NFKC", text).replace("−", "-").split()
    ops = [i for i, t in enumerate(tokens) if t in _OPS]
    if len(ops) != 1:
        problem = _("a relation needs exactly one of = ≥ ≤ > < between spaces: {formula!r}")
        raise FormulaError(problem.format(formula=text))
    at = ops[0]
    return Formula(_side(tokens[:at], text), _OPS[tokens[at]], _side(tokens[at + 1 :], text))


def _side(tokens: list[str], text: str) -> list[tuple[int, str]]:
    if not tokens or len(tokens) % 2 == 0:
        problem = _("each side is fields joined by + or - with spaces: {formula!r}")
        raise FormulaError(problem.format(formula=text))
    out = [(1, tokens[0])]
    for i in range(1, len(tokens), 2):
        sign, name = tokens[i], tokens[i + 1]
        if sign not in ("+", "-") or name in ("+", "-"):
            problem = _("expected + or - between fields in {formula!r}")
            raise FormulaError(problem.format(formula=text))
        out.append((1 if sign == "+" else -1, name))
    if any(n in ("+", "-") for _, n in out):
        raise FormulaError(_("a sign without a field in {formula!r}").format(formula=text))
    return out


def resolve(name: str, columns: Mapping[str, str]) -> str:
    """A ``(n)`` column reference to its fact name (unchanged when not a reference)."""
    if name.startswith("(") and name.endswith(")") and name[1:-1] in columns:
        return columns[name[1:-1]]
    return name


def evaluate_relation(
    formula: Formula, columns: Mapping[str, str], raw: Mapping[str, str | None]
) -> tuple[bool, Fraction, Fraction]:
    """Check a relation for one county from its raw fact values."""
    values: dict[str, Fraction] = {}
    for name in formula.names():
        fact = resolve(name, columns)
        text = raw.get(fact)
        if text in (None, ""):
            raise ValueProblem(_("no {fact} row for the relation").format(fact=fact))
        values[name] = amount(str(text))
    return formula.holds(values)
