"""The message catalog is complete and compiled, and the language is chosen as README says."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from canbao import i18n
from canbao.config import configured_language, load_defaults
from canbao.errors import UsageError

SRC = Path(i18n.__file__).resolve().parent
MESSAGES = SRC / "locale" / "zh_CN" / "LC_MESSAGES"
# {name}, {name!r}, {n:,}, {} and %s, %(name)d: what str.format or % fills in.
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]")


def _catalog() -> Catalog:
    with (MESSAGES / "canbao.po").open("rb") as handle:
        return read_po(handle)


def _extracted() -> dict[str, str]:
    """Every msgid marked in the source (as Babel extracts it, babel.cfg), with where it is."""
    found: dict[str, str] = {}
    for filename, lineno, message, *_ in extract_from_dir(SRC, method_map=[("**.py", "python")]):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, f"src/canbao/{filename}:{lineno}")
    return found


def _ids(catalog: Catalog) -> set[str]:
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}


def test_every_marked_message_has_its_chinese() -> None:
    """Each msgid of the source has a non-empty, non-fuzzy Chinese msgstr in canbao.po."""
    catalog = _catalog()
    missing = []
    for msgid, where in sorted(_extracted().items()):
        entry = catalog.get(msgid)
        strings = () if entry is None else entry.string
        strings = (strings,) if isinstance(strings, str) else strings
        if entry is None or entry.fuzzy or not strings or not all(strings):
            missing.append(f"{where}: {msgid!r}")
    assert missing == [], "untranslated (add the Chinese, run make catalog):\n" + "\n".join(missing)


def test_the_catalog_holds_no_message_the_source_lost() -> None:
    """No msgstr waits for a msgid the source no longer has (make catalog drops them)."""
    assert sorted(_ids(_catalog()) - set(_extracted())) == []


def test_the_committed_mo_is_the_compiled_po() -> None:
    """canbao.mo is canbao.po compiled (make catalog), byte for byte."""
    compiled = io.BytesIO()
    write_mo(compiled, _catalog())
    assert (MESSAGES / "canbao.mo").read_bytes() == compiled.getvalue()


def test_placeholders_survive_translation() -> None:
    """Each msgstr fills in the same placeholders ({name}, %s) as its msgid."""
    wrong = []
    for entry in _catalog():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = Counter(PLACEHOLDER.findall(ids[-1]))
        wrong += [(ids[0], s) for s in strings if Counter(PLACEHOLDER.findall(s)) != wanted]
    assert wrong == []


@pytest.mark.parametrize(
    ("environ", "configured", "expected"),
    [
        ({}, None, "zh"),
        ({"LANG": "C.UTF-8"}, None, "zh"),
        ({"LANG": "POSIX"}, None, "zh"),
        ({"LANG": "zh_CN.UTF-8"}, None, "zh"),
        ({"LANG": "en_US.UTF-8"}, None, "en"),
        ({"LANG": "de_DE.UTF-8"}, None, "zh"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, None, "zh"),
        ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, None, "en"),
        ({"LANG": "en_US.UTF-8"}, "zh", "zh"),
        ({"LANG": "zh_CN.UTF-8"}, "en", "en"),
        ({"LANG": "en_US.UTF-8", "CANBAO_LANG": "zh"}, "en", "zh"),
        ({"CANBAO_LANG": "en"}, "zh", "en"),
        ({"CANBAO_LANG": "fr", "LANG": "en_US.UTF-8"}, None, "en"),
    ],
)
def test_the_language_precedence(
    environ: dict[str, str], configured: str | None, expected: str
) -> None:
    """CANBAO_LANG, then canbao.toml's language, then LC_ALL/LC_MESSAGES/LANG; else Chinese."""
    assert i18n.resolve_language(environ, configured, platform="linux") == expected


@pytest.mark.parametrize(
    ("ui_language", "locale_name", "expected"),
    [
        (0x0804, "Chinese (Simplified)_China", "zh"),  # zh-CN Windows
        (0x0409, "English_United States", "en"),
        (0x0809, "Chinese (Simplified)_China", "en"),  # an English UI wins over the locale
        (None, "English_United States", "en"),
        (None, "Chinese (Simplified)_China", "zh"),
        (None, None, None),
    ],
)
def test_the_windows_language(
    ui_language: int | None, locale_name: str | None, expected: str | None
) -> None:
    """On Windows (no LANG) the UI language decides, else the locale's name."""
    assert i18n.windows_language(ui_language, locale_name) == expected


def test_the_config_file_names_the_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`language = "en"` in the folder's canbao.toml is read; a wrong value is a usage error."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "canbao.toml").write_text('language = "en"\n', encoding="utf-8")
    assert configured_language() == "en"
    assert load_defaults() == {"language": "en"}  # checked; no option takes it
    (tmp_path / "canbao.toml").write_text('language = "fr"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="language"):
        load_defaults()


def test_the_language_switches_the_messages() -> None:
    """The same msgid reads Chinese by default and English when the language is English."""
    try:
        i18n.set_language("en")
        assert i18n._("Usage:") == "Usage:"
        i18n.set_language("zh")
        assert i18n._("Usage:") == "用法:"
        assert i18n._("a message nobody marked") == "a message nobody marked"
    finally:
        i18n.set_language("zh")


def test_babel_finds_no_problem_in_the_catalog() -> None:
    """Babel's own checks pass, so ``make catalog`` compiles: a msgid with ``% o`` or ``% d`` in
    its text (read as a %-format) would fail them."""
    problems = [
        f"{message.id!r}: {error}" for message, errors in _catalog().check() for error in errors
    ]
    assert problems == []
