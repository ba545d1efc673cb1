"""Errors read wholly in Chinese by default and wholly in English with set_language("en")."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from canbao.cli import app
from canbao.db import open_database
from canbao.errors import CanbaoError, DatabaseError, InputError, RulesError, UsageError
from canbao.i18n import Language, set_language
from canbao.match._arguments import check_arguments
from canbao.match.legal_rule import load_legal_rule
from canbao.progress._inputs import read_population
from canbao.register.person import person_key

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules" / "huaibei-2017.yaml"
# An ID with a wrong check character: refused, and quoted only masked.
BAD_ID = "340621198001011235"
MASKED_ID = "340621********1235"
# Paths, file names and options are the same in both languages; so are quoted values.
_PATHS = re.compile(r"[^\s：，（）;；'\"]*[/\\.][^\s：，（）;；'\"]*|--[a-z][\w-]*")
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]")


@pytest.fixture
def english() -> Iterator[None]:
    """The messages in English for one test (the suite runs in Chinese)."""
    set_language("en")
    try:
        yield
    finally:
        set_language("zh")


def _without(text: str, kept: tuple[str, ...]) -> str:
    for value in kept:
        text = text.replace(value, " ")
    return _PATHS.sub(" ", text)


def _wholly_chinese(text: str, kept: tuple[str, ...] = ()) -> bool:
    """No English word left once paths, options and the quoted values are taken out."""
    return (
        _CJK.search(text) is not None and re.search(r"[A-Za-z]{2,}", _without(text, kept)) is None
    )


def _wholly_english(text: str, kept: tuple[str, ...] = ()) -> bool:
    """No Chinese character left once paths, options and the quoted values are taken out."""
    return _CJK.search(_without(text, kept)) is None


def _caught(kind: type[CanbaoError], act: Callable[[], object]) -> str:
    with pytest.raises(kind) as caught:
        act()
    return caught.value.render()


def _population(tmp_path: Path) -> str:
    path = tmp_path / "人口.csv"
    path.write_text("县区,常住人口\n杜集区,十万\n", encoding="utf-8")
    return _caught(InputError, lambda: read_population(path))


def _database(tmp_path: Path) -> str:
    return _caught(DatabaseError, lambda: open_database(tmp_path))


def _rules(tmp_path: Path) -> str:
    # The bundled rule without its name and with a retirement age of 99: two problems.
    text = (ROOT / "rules" / "legal-groups" / "employees-2024.toml").read_text("utf-8")
    text = text.replace('name = "employees-2024"\n', "").replace(
        "years = 60, months = 0", "years = 99, months = 0", 1
    )
    path = tmp_path / "rule.toml"
    path.write_text(text, encoding="utf-8")
    return _caught(RulesError, lambda: load_legal_rule(path))


def _arguments(tmp_path: Path) -> str:
    return _caught(UsageError, lambda: check_arguments({}, "101"))


def _person(tmp_path: Path) -> str:
    return _caught(UsageError, lambda: person_key(BAD_ID))


CASES: dict[str, tuple[Callable[[Path], str], tuple[str, ...], str, str]] = {
    # name: (make the error, values quoted as they are, a Chinese part, its English)
    "input error naming file, row and value": (
        _population,
        ("常住人口", "十万"),
        "第 2 行：“常住人口”列的值 '十万' 不是人数\n修正方法：写不带小数的人数",
        ", line 2: 常住人口: '十万' is not a whole number of persons\nFix: write a whole",
    ),
    "database error": (_database, (), "是文件夹，不是数据库文件", "is a folder, not a database"),
    "rules error listing every problem": (
        _rules,
        ("retirement_age", "years", "name", "男"),
        "规则文件中有 2 处问题：",
        "2 problems in the rule file(s):",
    ),
    "usage error listing every problem": (
        _arguments,
        (),
        "参数有 2 处问题：\n  没有给出户籍名册\n  --apply-links 101 不是 0 到 100 的分数",
        "2 problems with the arguments:\n  no household roster given\n  --apply-links 101 is not",
    ),
    "usage error quoting an ID": (
        _person,
        (),
        "不是有效的公民身份号码",
        "is not a valid citizen ID",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_error_reads_in_one_language(tmp_path: Path, name: str, language: Language) -> None:
    """Each representative error is wholly Chinese by default and wholly English in English."""
    make, kept, chinese, english_part = CASES[name]
    set_language(language)
    try:
        text = make(tmp_path)
    finally:
        set_language("zh")
    if language == "zh":
        assert chinese in text, text
        assert _wholly_chinese(text, kept), text
    else:
        assert english_part in text, text
        assert _wholly_english(text, kept), text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_masked_id_stays_masked_in_both_languages(language: Language) -> None:
    """The ID an error quotes is masked in Chinese and in English alike."""
    set_language(language)
    try:
        text = _caught(UsageError, lambda: person_key(BAD_ID))
    finally:
        set_language("zh")
    assert MASKED_ID in text and BAD_ID not in text


def test_the_labels_follow_the_language(english: None) -> None:
    """错误：/修正方法： in Chinese read Error:/Fix: in English, around an English message."""
    args = ["forms", "template", "x", "--rules", str(RULES), "-o", "t.xlsx"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr == "Error: unknown template 'x'\nFix: use evaluation or datatable\n"


def test_the_labels_are_chinese_by_default() -> None:
    """The same error in the default language: 错误：…\\n修正方法：…, nothing in English."""
    args = ["forms", "template", "x", "--rules", str(RULES), "-o", "t.xlsx"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr == "错误：未知的模板 'x'\n修正方法：请用 evaluation 或 datatable\n"
    assert _wholly_chinese(result.stderr, ("evaluation", "datatable"))
