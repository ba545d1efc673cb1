"""The legal-group rule (法定群体): who should have work-injury, unemployment and maternity cover.

The rule is data, not code: a TOML file under ``rules/legal-groups/`` (bundled in the wheel with
the scoring rule sets) or any file a city writes; TOML because Python reads it itself
(``tomllib``), so a match loads no YAML library (tests/test_cli_imports.py). It names the
employee schemes and statuses that put a person in the group, the insurance kinds the group
requires, and the statutory retirement age by sex and birth month (the gradual rise decided in
2024 is a table). The whole file is checked before any roster is read, and every problem is
reported at once (exit 5).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Final

import polars as pl

from canbao.codes import ENROLMENT_STATUS_LABELS, SCHEMES
from canbao.errors import RulesError, level_word
from canbao.i18n import _
from canbao.match.vocabulary import LegalKind
from canbao.shown_path import shown_path

__all__ = ["DEFAULT_LEGAL_GROUPS", "OFF", "LegalRule", "load_legal_rule"]

# The bundled rule of who must have these covers (rules/legal-groups/), and the word for "off".
DEFAULT_LEGAL_GROUPS: Final = "employees-2024"
OFF: Final = "none"
FOLDER: Final = "legal-groups"
_SUFFIX = ".toml"
PathT = tuple[str | int, ...]
_KEYS = ("name", "title", "source", "schemes", "statuses", "requires", "retirement_age")
_SEXES = ("男", "女")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")


@dataclass(frozen=True)
class AgeRow:
    """Birth months ``first``..``last`` (month numbers, None: open) retire at ``months`` of age."""

    first: int | None
    last: int | None
    months: int


@dataclass(frozen=True)
class LegalRule:
    """A validated legal-group rule."""

    name: str
    file: Path
    schemes: tuple[str, ...]
    statuses: tuple[str, ...]
    requires: tuple[LegalKind, ...]
    ages: dict[str, tuple[AgeRow, ...]]

    def retirement_table(self) -> pl.DataFrame:
        """One row per sex and birth month of the table's closed range, with the open ends.

        ``birth_month`` is year * 12 + month - 1; persons born before the first closed month
        (or after the last) are looked up at the month just outside it (:func:`clip_month`).
        """
        low, high = self.month_bounds()
        rows: list[tuple[str, int, int]] = []
        for sex, table in self.ages.items():
            for row in table:
                first = low - 1 if row.first is None else row.first
                last = high + 1 if row.last is None else row.last
                rows += [(sex, m, row.months) for m in range(first, last + 1)]
        return pl.DataFrame(
            rows,
            schema={"sex": pl.String, "birth_month": pl.Int32, "retire_months": pl.Int32},
            orient="row",
        )

    def month_bounds(self) -> tuple[int, int]:
        """The first and last birth month any row names (0, 0 when every row is open)."""
        named = [
            m for t in self.ages.values() for r in t for m in (r.first, r.last) if m is not None
        ]
        return (min(named), max(named)) if named else (0, 0)

    def retirement_age(self, sex: str, born: date) -> int:
        """The statutory retirement age in months of a person (for messages and tests)."""
        month = born.year * 12 + born.month - 1
        for row in self.ages[sex]:
            if (row.first is None or row.first <= month) and (
                row.last is None or month <= row.last
            ):
                return row.months
        raise ValueError(f"no row for {sex} born {born:%Y-%m}")  # a validated table has one


def clip_month(month: pl.Expr, rule: LegalRule) -> pl.Expr:
    """A birth month clipped into the range :meth:`LegalRule.retirement_table` spells out."""
    low, high = rule.month_bounds()
    return month.clip(low - 1, high + 1).cast(pl.Int32)


def bundled_dir() -> Path | None:
    """The bundled legal-group rules: in the installed package, else the clone's ``rules/``.

    The same folders as :func:`canbao.score.rulesets.bundled_dir`, which a match does not import.
    """
    packaged = Path(str(resources.files("canbao"))) / "rules"
    if packaged.is_dir():
        return packaged
    clone = Path(__file__).resolve().parents[3] / "rules"
    return clone if clone.is_dir() else None


def render_path(path: PathT) -> str:
    """``retirement_age.男[3].from``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top)"


def _row_lines(text: str) -> dict[PathT, int]:
    """The line of each table row (``retirement_age.男[i]``): rows are one line each."""
    lines: dict[PathT, int] = {}
    sex, index = None, 0
    for number, line in enumerate(text.splitlines(), start=1):
        head = re.match(r'^\s*"?(男|女)"?\s*=\s*\[', line)
        if head:
            sex, index = head.group(1), 0
        elif sex is not None and line.lstrip().startswith("{"):
            lines[("retirement_age", sex, index)] = number
            index += 1
        elif line.strip().startswith("]"):
            sex = None
    return lines


def _read(file: Path) -> tuple[Any, dict[PathT, int]]:
    """Parse the TOML file; a file that is no TOML is one problem with its line."""
    try:
        text = file.read_bytes().decode("utf-8")
        return tomllib.loads(text), _row_lines(text)
    except UnicodeDecodeError as exc:
        problem = _("not UTF-8 text (near byte {at})").format(at=exc.start)
    except tomllib.TOMLDecodeError as exc:
        problem = _("TOML syntax error: {reason}").format(reason=exc)
    except OSError as exc:
        problem = _("cannot read the file: {reason}").format(reason=exc.strerror)
    raise RulesError(
        [f"{shown_path(file)}: (file): {level_word()}: {problem}"],
        fix=_("save the rule as UTF-8 TOML"),
    )


def bundled_rules() -> list[str]:
    """The names of the bundled legal-group rules (``employees-2024``)."""
    folder = bundled_dir()
    if folder is None or not (folder / FOLDER).is_dir():
        return []
    return sorted(p.name.removesuffix(_SUFFIX) for p in (folder / FOLDER).glob(f"*{_SUFFIX}"))


def resolve_legal_groups(value: str | Path) -> Path | None:
    """The file a ``--legal-groups`` value names: None for ``none``, a path, or a bundled name."""
    if str(value).strip().lower() == OFF:
        return None
    path = Path(value)
    if path.exists() or len(path.parts) > 1:
        return path
    folder = bundled_dir()
    if folder is not None:
        candidate = folder / FOLDER / (path.name.removesuffix(_SUFFIX) + _SUFFIX)
        if candidate.is_file():
            return candidate
    return path


def load_legal_rule(value: str | Path | None) -> LegalRule | None:
    """Read and check a legal-group rule; None when switched off (``none`` or None)."""
    if value is None:
        return None
    file = resolve_legal_groups(value)
    if file is None:
        return None
    if not file.is_file():
        names = "、".join(bundled_rules()) or "-"
        raise RulesError(
            [
                f"{shown_path(file)}:1: (file): {level_word()}: "
                + _("no such legal-group rule file")
            ],
            fix=_(
                "give the path of a rule file, the name of a bundled rule ({names}), "
                "or none to switch the rule off"
            ).format(names=names),
        )
    data, lines = _read(file)
    problems: list[str] = []

    def report(path: PathT, message: str) -> None:
        row = next((lines[path[:n]] for n in range(len(path), 0, -1) if path[:n] in lines), None)
        where = f"{shown_path(file)}:{row}" if row else str(file)
        problems.append(f"{where}: {render_path(path)}: {level_word()}: {message}")

    if not isinstance(data, dict):
        raise RulesError(
            [f"{shown_path(file)}:1: (top): {level_word()}: " + _("the file must be a mapping")]
        )
    for key in data:
        if key not in _KEYS:
            report((key,), _("unknown field; known: {known}").format(known=", ".join(_KEYS)))
    schemes = _codes(data, "schemes", list(SCHEMES), report)
    statuses = _codes(data, "statuses", list(ENROLMENT_STATUS_LABELS), report)
    requires = _codes(data, "requires", [k.value for k in LegalKind], report)
    ages = _ages(data.get("retirement_age"), report)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        report(("name",), _("a name is required"))
    if problems:
        fix = _("correct the legal-group rule file; every problem is listed")
        raise RulesError(problems, fix=fix)
    return LegalRule(
        name=str(name),
        file=file,
        schemes=tuple(schemes),
        statuses=tuple(statuses),
        requires=tuple(LegalKind.of(k) for k in requires),
        ages=ages,
    )


def _codes(data: dict[str, Any], key: str, allowed: list[str], report: Any) -> list[str]:
    """A non-empty list of distinct values from ``allowed`` (codes are written as strings)."""
    value = data.get(key)
    if not isinstance(value, list) or not value:
        report((key,), _("a non-empty list of: {allowed}").format(allowed=", ".join(allowed)))
        return []
    seen: list[str] = []
    for i, item in enumerate(value):
        text = str(item)
        if text not in allowed:
            problem = _("unknown value {value!r}; accepted: {allowed}")
            report((key, i), problem.format(value=text, allowed=", ".join(allowed)))
        elif text in seen:
            report((key, i), _("{value!r} is listed twice").format(value=text))
        else:
            seen.append(text)
    return seen


def _month(value: Any, path: PathT, report: Any) -> int | None:
    match = _MONTH.match(str(value))
    if match is None or not 1 <= int(match.group(2)) <= 12:
        report(path, _("a birth month is written YYYY-MM, not {value!r}").format(value=value))
        return None
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def _ages(value: Any, report: Any) -> dict[str, tuple[AgeRow, ...]]:
    """The table of each sex: rows in order, contiguous, open at both ends."""
    top: PathT = ("retirement_age",)
    if not isinstance(value, dict):
        report(top, _("a table per sex: 男 and 女"))
        return {}
    for sex in value:
        if sex not in _SEXES:
            report((*top, sex), _("unknown sex {sex!r} (use 男 and 女)").format(sex=sex))
    out: dict[str, tuple[AgeRow, ...]] = {}
    for sex in _SEXES:
        rows = value.get(sex)
        if not isinstance(rows, list) or not rows:
            report((*top, sex), _("a non-empty list of rows is required for this sex"))
            continue
        out[sex] = tuple(_rows(rows, (*top, sex), report))
    return out


def _rows(rows: list[Any], top: PathT, report: Any) -> list[AgeRow]:
    parsed: list[AgeRow] = []
    for i, row in enumerate(rows):
        path = (*top, i)
        if not isinstance(row, dict):
            report(path, _("each row is a mapping of from, to, years, months"))
            continue
        for key in row:
            if key not in ("from", "to", "years", "months"):
                report((*path, key), _("unknown field (known: from, to, years, months)"))
        first = _month(row["from"], (*path, "from"), report) if "from" in row else None
        last = _month(row["to"], (*path, "to"), report) if "to" in row else None
        years, months = row.get("years"), row.get("months", 0)
        if not (isinstance(years, int) and 16 <= years <= 80):
            problem = _("years: a retirement age of 16 to 80 whole years, not {value!r}")
            report((*path, "years"), problem.format(value=years))
            years = 0
        if not (isinstance(months, int) and 0 <= months <= 11):
            problem = _("months: 0 to 11, not {value!r}")
            report((*path, "months"), problem.format(value=months))
            months = 0
        if ("from" in row) == (i == 0):
            report(path, _("only the first row has no `from`; every other row has one"))
        if ("to" in row) == (i == len(rows) - 1):
            report(path, _("only the last row has no `to`; every other row has one"))
        if first is not None and last is not None and first > last:
            report(path, _("`from` is later than `to` (the range is empty)"))
        previous = parsed[-1].last if parsed else None
        if first is not None and previous is not None and first != previous + 1:
            report(
                (*path, "from"),
                _("must start the month after the previous row's `to` (no gap, no overlap)"),
            )
        parsed.append(AgeRow(first, last, int(years) * 12 + int(months)))
    return parsed
