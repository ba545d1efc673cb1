"""Read a rule file with ruamel.yaml (YAML 1.2, line numbers, no duplicate keys) into models.

Every problem in a file is collected and reported at once as ``file:line: path: message``,
before any submission is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from canbao._pydantic_words import pydantic_message
from canbao.errors import RulesError, level_word
from canbao.i18n import _
from canbao.limits import yaml_limit_hit
from canbao.score.model import RuleSet
from canbao.score.rulesets import bundled_names, resolve_rules
from canbao.shown_path import shown_path

PathT = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedRules:
    """A validated rule set with the file it came from and the line of every path."""

    rules: RuleSet
    file: Path
    lines: dict[PathT, int] = field(default_factory=dict)

    def where(self, path: PathT) -> str:
        """``file:line: path`` for a path in the file (the nearest enclosing line if unknown)."""
        return f"{shown_path(self.file)}:{line_of(self.lines, path)}: {render_path(path)}"


def render_path(path: PathT) -> str:
    """``indicators[0].children[1].rule.bands[2]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top)"


def line_of(lines: dict[PathT, int], path: PathT) -> int:
    """The 1-based line of ``path`` or of its nearest ancestor in the file."""
    probe = tuple(path)
    while probe:
        if probe in lines:
            return lines[probe]
        probe = probe[:-1]
    return lines.get((), 1)


def _plain(node: Any, path: PathT, lines: dict[PathT, int]) -> Any:
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key, value in node.items():
            try:
                line = node.lc.key(key)[0] + 1
            except (KeyError, TypeError):
                line = node.lc.line + 1
            lines[(*path, str(key))] = line
            out[str(key)] = _plain(value, (*path, str(key)), lines)
        return out
    if isinstance(node, CommentedSeq):
        items: list[Any] = []
        for i, value in enumerate(node):
            try:
                lines[(*path, i)] = node.lc.item(i)[0] + 1
            except (KeyError, TypeError):
                lines[(*path, i)] = node.lc.line + 1
            items.append(_plain(value, (*path, i), lines))
        return items
    return node


def read_yaml(file: Path) -> tuple[Any, dict[PathT, int]]:
    """Parse YAML 1.2 keeping lines; a syntax error or duplicate key becomes a RulesError."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        names = "、".join(bundled_names()) or "-"
        raise RulesError(
            [
                f"{shown_path(file)}:1: (file): {level_word()}: "
                + _("cannot read the rule file: {reason}").format(reason=exc.strerror)
            ],
            fix=_("give the path of a rule file, or the name of a bundled set: {names}").format(
                names=names
            ),
        ) from None
    except UnicodeDecodeError as exc:
        line = text_line_of(file, exc.start)
        raise RulesError(
            [
                f"{shown_path(file)}:{line}: (file): {level_word()}: "
                + _("not UTF-8 text (near byte {at})").format(at=exc.start)
            ],
            fix=_("save the rule file as UTF-8"),
        ) from None
    hit = yaml_limit_hit(text)
    if hit is not None:
        raise RulesError(
            [
                f"{shown_path(file)}:{hit.line}: (yaml): {level_word()}: "
                + _("the rule file is refused: {problem}").format(problem=hit.problem)
            ],
            fix=hit.fix,
        )
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        problem = problem.replace("\n", " ")
        raise RulesError(
            [
                f"{shown_path(file)}:{line}: (yaml): {level_word()}: "
                + _("YAML syntax error: {problem}").format(problem=problem)
            ]
        ) from None
    except YAMLError as exc:
        problem = str(exc).replace("\n", " ")
        raise RulesError(
            [
                f"{shown_path(file)}:1: (yaml): {level_word()}: "
                + _("YAML syntax error: {problem}").format(problem=problem)
            ]
        ) from None
    lines: dict[PathT, int] = {(): 1}
    return _plain(data, (), lines), lines


def text_line_of(file: Path, offset: int) -> int:
    """The 1-based line of byte ``offset`` in ``file`` (for a decoding error)."""
    try:
        return file.read_bytes()[:offset].count(b"\n") + 1
    except OSError:
        return 1


def load_rules(file: str | Path) -> LoadedRules:
    """Load and validate one rule file (a path or a bundled set's name); list every problem."""
    file = resolve_rules(file)
    data, lines = read_yaml(file)
    if not isinstance(data, dict):
        raise RulesError(
            [
                f"{shown_path(file)}:1: (top): {level_word()}: "
                + _("a rule file is a mapping (name, title, indicators)")
            ]
        )
    try:
        rules = RuleSet.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = _clean_loc(err["loc"])
            msg = pydantic_message(err)
            where = f"{shown_path(file)}:{line_of(lines, path)}"
            problems.append(f"{where}: {render_path(path)}: {level_word()}: {msg}")
        fix = _("correct the rule file; every problem is listed")
        raise RulesError(problems, fix=fix) from None
    return LoadedRules(rules, file, lines)


_TAGS = frozenset(
    {"yes_no", "grades", "bands", "derived", "tolerance", "deduction", "manual", "rate"}
)


def _clean_loc(loc: tuple[Any, ...]) -> PathT:
    # A discriminated union puts its tag (``bands``) right after ``rule``: drop it.
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if i > 0 and loc[i - 1] == "rule" and part in _TAGS:
            continue
        out.append(part if isinstance(part, int) else str(part))
    return tuple(out)
