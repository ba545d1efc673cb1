"""Pydantic's own rule-file messages (missing, unknown, wrongly typed keys) follow the language."""

from __future__ import annotations

from pathlib import Path

import pytest

from canbao._pydantic_words import WORDS
from canbao.errors import RulesError
from canbao.i18n import Language, set_language
from canbao.score.loader import load_rules

ROOT = Path(__file__).resolve().parents[1]


def _broken(tmp_path: Path) -> Path:
    """The bundled Changzhou rules with their ``name`` key misspelt ``nmae``."""
    text = (ROOT / "rules" / "changzhou-2016.yaml").read_text("utf-8")
    assert "\nname: " in text
    text = text.replace("\nname: ", "\nnmae: ", 1)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path, language: Language) -> list[str]:
    set_language(language)
    try:
        with pytest.raises(RulesError) as caught:
            load_rules(path)
        return caught.value.render().splitlines()
    finally:
        set_language("zh")


@pytest.mark.parametrize(
    ("language", "missing", "unknown"),
    [
        ("zh", "name: 错误: 缺少此项（必填）", "nmae: 错误: 不是已知的键（拼错了？）"),
        ("en", "name: error: required, but missing", "nmae: error: not a known key (misspelt?)"),
    ],
)
def test_missing_and_unknown_keys_read_in_the_language(
    tmp_path: Path, language: Language, missing: str, unknown: str
) -> None:
    """A missing name and a misspelt key are each one line in the run's language."""
    lines = _problems(_broken(tmp_path), language)
    assert any(line.endswith(missing) for line in lines), lines
    assert any(line.endswith(unknown) for line in lines), lines
    assert not any("Field required" in line or "Extra inputs" in line for line in lines)


def test_every_word_has_its_placeholders_in_the_context_pydantic_gives() -> None:
    """Each message names only context values of its error type (checked against Pydantic)."""
    from pydantic import BaseModel, ValidationError, conint, conlist

    class Probe(BaseModel, extra="forbid"):
        small: conint(le=5)  # type: ignore[valid-type]
        items: conlist(int, min_length=2)  # type: ignore[valid-type]

    with pytest.raises(ValidationError) as caught:
        Probe.model_validate({"small": 9, "items": [1], "other": 1})
    kinds = {error["type"]: error.get("ctx", {}) for error in caught.value.errors()}
    assert set(kinds) == {"less_than_equal", "too_short", "extra_forbidden"}
    for kind, context in kinds.items():
        assert WORDS[kind].format(**{k: "x" for k in context}), kind
