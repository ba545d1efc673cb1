"""Scoring submissions by a rule set: review scores, self scores, totals, fees, relations.

Every problem (a value in no band, an unknown grade or indicator, a missing indicator, an
award above the maximum, a county missing a fee fact) is collected and raised at once as a
:class:`~canbao.errors.ScoringError`, one line per problem naming county, indicator and value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import polars as pl

from canbao import regions
from canbao.errors import RulesError, ScoringError
from canbao.i18n import _, ngettext
from canbao.score import model as m
from canbao.score.bands import Hit, Inputs, Leaf
from canbao.score.check import Finding, check_rules, total_points
from canbao.score.counties import CountyCodes, task_rows
from canbao.score.fees import Fee, FeeTable
from canbao.score.leaves import build_leaf
from canbao.score.loader import LoadedRules
from canbao.score.relations import evaluate_relation, parse_formula
from canbao.score.submissions import Row
from canbao.score.values import ValueProblem, clean, decimal, points_text, total_text


@dataclass(frozen=True)
class RelationResult:
    """One logic relation checked for one county."""

    id: str
    formula: str
    holds: bool
    left: Fraction
    right: Fraction


@dataclass
class CountyResult:
    """One county's evaluation, keyed by its six-digit code; ``name`` is what tables print."""

    county: str
    hits: dict[str, Hit]
    total: Decimal | None
    self_scores: dict[str, Decimal] | None = None
    self_total: Decimal | None = None
    fee: Fee | None = None
    relations: list[RelationResult] = field(default_factory=list)
    name: str = ""

    def above_review(self) -> list[str]:
        """Leaf numbers whose self-score is above the review score."""
        if self.self_scores is None:
            return []
        return [
            n
            for n, s in self.self_scores.items()
            if (h := self.hits[n].score) is not None and s > h
        ]


@dataclass
class Evaluation:
    """A rule set applied to all counties of the submissions."""

    loaded: LoadedRules
    leaves: list[Leaf]
    counties: list[CountyResult]
    notes: list[Finding]
    places: int

    @property
    def name(self) -> str:
        """The rule set's name."""
        return self.loaded.rules.name

    def as_json(self) -> dict[str, object]:
        """``{"rules": NAME, "counties": [{"county", "total", "scores", "fee"}, ...]}``."""
        counties = []
        for c in self.counties:
            item: dict[str, object] = {
                "county": c.name,
                "code": c.county,
                "total": None if c.total is None else total_text(c.total, self.places),
                "scores": {
                    n: (points_text(h.score) if h.score is not None else h.shown)
                    for n, h in c.hits.items()
                },
                "fee": None if c.fee is None else c.fee.as_json(),
            }
            if self.loaded.rules.relations:
                item["checks"] = {r.id: r.holds for r in c.relations}
            if c.self_scores is not None:
                item["self"] = {
                    "total": total_text(c.self_total or Decimal(0), self.places),
                    "scores": {n: points_text(s) for n, s in c.self_scores.items()},
                    "above_review": c.above_review(),
                }
            counties.append(item)
        return {"rules": self.name, "counties": counties}

    def ranking(self) -> list[tuple[int, CountyResult]]:
        """Counties by total, highest first; equal totals share a rank (1, 2, 2, 4)."""
        scored = [c for c in self.counties if c.total is not None]
        order = sorted(scored, key=lambda c: -(c.total or Decimal(0)))
        out: list[tuple[int, CountyResult]] = []
        for i, c in enumerate(order):
            rank = out[-1][0] if out and out[-1][1].total == c.total else i + 1
            out.append((rank, c))
        return out


def validated(loaded: LoadedRules) -> list[Finding]:
    """Check a rule set before any submission is read: errors raise, notes are returned."""
    findings = check_rules(loaded)
    errors = [f.render() for f in findings if f.level == "error"]
    if errors:
        raise RulesError(errors, fix=_("run `canbao rules check` and correct the rule file"))
    return [f for f in findings if f.level == "note"]


def _places(rules: m.RuleSet) -> int:
    numbers: list[Decimal] = []
    for node, _path, _depth in m.walk(rules.indicators):
        numbers += [node.points] if node.points is not None else []
        rule = node.rule
        numbers += [b.score for b in getattr(rule, "bands", [])]
        numbers += list(getattr(rule, "grades", {}).values())
        numbers += [getattr(rule, a) for a in ("per_item", "step") if hasattr(rule, a)]
    return max([1, *(-int(n.normalize().as_tuple().exponent) for n in numbers)])


class _Keys:
    """Resolves a row's 指标 cell to a leaf number or a fact name."""

    def __init__(self, rules: m.RuleSet, leaves: list[Leaf]) -> None:
        self.map: dict[str, str] = {}
        for fact in rules.facts:
            for name in (fact.name, *fact.aliases):
                self.map[clean(name)] = "@" + fact.name
            if fact.column:
                self.map[f"({fact.column})"] = "@" + fact.name
                self.map[f"第{fact.column}栏"] = "@" + fact.name
        for leaf in leaves:
            self.map[clean(leaf.name)] = leaf.number
            self.map[clean(leaf.number)] = leaf.number

    def resolve(self, key: str) -> str | None:
        word = clean(key)
        if word in self.map:
            return self.map[word]
        word = re.sub(r"[（(]\d+(?:\.\d+)?分[）)]$", "", word).rstrip(".．、")
        if m_ := re.match(r"^(\d+)[.．、](.+)$", word):
            word = m_.group(1)
        return self.map.get(word)


def evaluate(
    loaded: LoadedRules,
    rows: list[Row],
    *,
    self_rows: list[Row] | None = None,
    self_are_scores: bool = True,
    notes: list[Finding] | None = None,
    area: Sequence[str] = (),
    task: pl.DataFrame | None = None,
    task_file: str = "task_table.csv",
    fact_rows: list[Row] | None = None,
) -> Evaluation:
    """Score the rows (review) and optional self rows; raise ScoringError listing every problem.

    Counties are joined on their six-digit code: a name is mapped inside ``area`` (region-code
    prefixes); ``task`` (the match's task table) fills the ``source: task_table`` facts.
    """
    rules = loaded.rules
    notes = validated(loaded) if notes is None else notes
    leaves = [build_leaf(n, rules.hit_policy) for n in m.leaves(rules)]
    keys = _Keys(rules, leaves)
    problems: list[str] = []
    codes = CountyCodes(area)
    table = _table(rows, keys, problems, codes)
    if fact_rows:
        _fill_facts(table, fact_rows, keys, codes, problems)
    if task is not None:
        given = {c: {k[1:] for k in v if k.startswith("@")} for c, v in table.items()}
        for row in task_rows(rules, task, given, task_file):
            table[row.county]["@" + row.key] = row.value
    counties = list(table)
    units = {f.name: f.unit for f in rules.facts}
    results = _score(leaves, counties, table, problems, units)
    labels = regions.display_names(counties)
    for c in results:
        c.name = labels[c.county]
    for c in results:
        c.total = _total(c.hits) if total_points(rules) is not None else None
    if rules.fee is not None:
        fees = FeeTable.build(rules.fee)
        for c in results:
            try:
                c.fee = fees.fee(
                    c.total or Decimal(0), table[c.county].get("@" + rules.fee.entered)
                )
            except ValueProblem as exc:
                problems.append(
                    _("county {county}, fee: {problem}").format(county=c.name, problem=exc)
                )
    columns = {f.column: f.name for f in rules.facts if f.column}
    for c in results:
        facts = {k[1:]: v for k, v in table[c.county].items() if k.startswith("@")}
        for rel in rules.relations:
            try:
                ok, left, right = evaluate_relation(parse_formula(rel.formula), columns, facts)
                c.relations.append(RelationResult(rel.id, rel.formula, ok, left, right))
            except ValueProblem as exc:
                problem = _("county {county}, relation {id}: {problem}")
                problems.append(problem.format(county=c.name, id=rel.id, problem=exc))
    if self_rows is not None:
        _self(leaves, results, self_rows, keys, self_are_scores, problems, units, codes)
    if problems:
        raise ScoringError(
            "\n".join([_submission_head(len(problems)), *problems]),
            fix=_("correct the submitted values; nothing was written"),
        )
    return Evaluation(loaded, leaves, results, notes, _places(rules))


def _submission_head(n: int) -> str:
    return ngettext(
        "{n} problem in the submissions:", "{n} problems in the submissions:", n
    ).format(n=n)


def _table(
    rows: list[Row], keys: _Keys, problems: list[str], codes: CountyCodes
) -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    origin: dict[tuple[str, str], Row] = {}
    for row in rows:
        written = clean(row.county)
        if not written:
            problem = _("{file}:{line}: no county (县区) for indicator {key}")
            problems.append(problem.format(file=row.file, line=row.line, key=row.key))
            continue
        where = _("{file}, line {line}").format(file=row.file, line=row.line)
        county = codes.code(written, where, problems)
        if county is None:
            continue
        target = keys.resolve(row.key)
        if target is None:
            problem = _(
                "county {county}, indicator {key}: unknown indicator (value {value}; {file}:{line})"
            )
            problems.append(
                problem.format(
                    county=written,
                    key=clean(row.key),
                    value=clean(row.value),
                    file=row.file,
                    line=row.line,
                )
            )
            continue
        values = table.setdefault(county, {})
        before = origin.get((county, target))
        if before is not None and clean(before.value) != clean(row.value):
            problem = _(
                "county {county}, indicator {key}: two values {first} ({first_at}) and "
                "{second} ({second_at})"
            )
            problems.append(
                problem.format(
                    county=written,
                    key=clean(row.key),
                    first=clean(before.value),
                    first_at=f"{before.file}:{before.line}",
                    second=clean(row.value),
                    second_at=f"{row.file}:{row.line}",
                )
            )
        origin[(county, target)] = row
        values[target] = row.value
    return table


def _fill_facts(
    table: dict[str, dict[str, str]],
    rows: list[Row],
    keys: _Keys,
    codes: CountyCodes,
    problems: list[str],
) -> None:
    """Rows of ``--facts`` files (``canbao progress``'s facts.csv) fill the facts the rule set
    declares for each county with a submission, where its submission does not give them."""
    for row in rows:
        target = keys.resolve(row.key)
        if target is None or not target.startswith("@"):
            continue  # a fact of another rule set
        county = codes.code(clean(row.county), f"{row.file} 第 {row.line} 行", problems)
        if county in table and target not in table[county]:
            table[county][target] = row.value


def _with_unit(text: str | None, unit: str) -> str | None:
    """A bare number from a fact row is in the fact's unit (培训人次 350 is 350 人次)."""
    if text is None or not _BARE.match(clean(text)):
        return text
    return clean(text) + unit


_BARE = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$")


def _score(
    leaves: list[Leaf],
    counties: list[str],
    table: dict[str, dict[str, str]],
    problems: list[str],
    units: dict[str, str],
) -> list[CountyResult]:
    results = [CountyResult(c, {}, None, name=regions.display_name(c)) for c in counties]
    for leaf in leaves:
        facts = {
            f: [_with_unit(table[c].get("@" + f), units.get(f, "")) for c in counties]
            for f in leaf.fields()
        }
        column = Inputs(counties, [table[c].get(leaf.number) for c in counties], facts)
        for res, hit in zip(results, leaf.evaluate(column), strict=True):
            if hit.error:
                problem = _("county {county}, indicator {number} {name}: {problem}")
                problems.append(
                    problem.format(
                        county=res.name, number=leaf.number, name=leaf.name, problem=hit.error
                    )
                )
            res.hits[leaf.number] = hit
    return results


def _total(hits: dict[str, Hit]) -> Decimal:
    return sum((h.score for h in hits.values() if h.score is not None), Decimal(0))


def _self(
    leaves: list[Leaf],
    results: list[CountyResult],
    rows: list[Row],
    keys: _Keys,
    are_scores: bool,
    problems: list[str],
    units: dict[str, str],
    codes: CountyCodes,
) -> None:
    table = _table(rows, keys, problems, codes)
    by_county = {c.county: c for c in results}
    for county in table:
        if county not in by_county:
            shown = regions.display_name(county)
            problem = _("county {county}: a self-evaluation but no submission to review")
            problems.append(problem.format(county=shown))
    present = [c for c in results if c.county in table]
    if not are_scores:
        scored = _score(leaves, [c.county for c in present], table, problems, units)
        for res, mine in zip(present, scored, strict=True):
            res.self_scores = {n: h.score for n, h in mine.hits.items() if h.score is not None}
            res.self_total = _total(mine.hits)
        return
    for res in present:
        own: dict[str, Decimal] = {}
        for leaf in leaves:
            text = table[res.county].get(leaf.number)
            where = _("county {county}, indicator {number} {name}").format(
                county=res.name, number=leaf.number, name=leaf.name
            )
            if text in (None, ""):
                problems.append(_("{where}: no self-evaluation score (自评分)").format(where=where))
                continue
            try:
                value = decimal(str(text))
            except ValueProblem as exc:
                problem = _("{where}: self-evaluation score (自评分): {problem}")
                problems.append(problem.format(where=where, problem=exc))
                continue
            if not Decimal(0) <= value <= leaf.max_points:
                top = points_text(leaf.max_points)
                problem = _("{where}: self-evaluation score (自评分) {score} is outside [0, {top}]")
                problems.append(problem.format(where=where, score=points_text(value), top=top))
            own[leaf.number] = value
        res.self_scores = own
        res.self_total = sum(own.values(), Decimal(0))
