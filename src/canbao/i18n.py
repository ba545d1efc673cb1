"""Chinese first: canbao's messages through gettext catalogs, Chinese by default, English if asked.

Every user-facing string is written in English in the source and marked for translation; the
Chinese lives in the message catalog ``canbao/locale/zh_CN/LC_MESSAGES/canbao.po`` (compiled to
``canbao.mo``, shipped in the wheel). The English text is the message id, so English needs no
catalog: it is the msgid itself.

Marking a string (Babel extracts these names, see ``babel.cfg``; ``make catalog`` updates the
catalog)::

    from canbao.i18n import _, ngettext, N_

    _("Reference date (default today).")            # translated now
    _("{n} file(s) sealed into {archive}").format(n=3, archive=path)   # never an f-string
    ngettext("{n} file sealed", "{n} files sealed", n).format(n=n)
    LABEL = N_("Persons")   # a constant marked only; translate where it is shown: _(LABEL)

The language, the first source that says something:

1. the environment variable ``CANBAO_LANG`` (``zh`` or ``en``; ``zh_CN``, ``en_US`` … too);
2. ``language = "zh"`` or ``"en"`` in ``canbao.toml`` (the current folder's, else the user's);
3. the locale, as gettext reads it: ``LC_ALL``, ``LC_MESSAGES``, ``LANG``; on Windows, which
   has no ``LANG``, the system's UI language and then :func:`locale.getlocale`.

A locale starting ``en`` means English; ``zh_*``, ``C``, ``POSIX``, none at all and anything else
mean Chinese (the users are Chinese analysts; a bare server's ``C`` locale is no choice of theirs).

The language is resolved once, on the first message (before the command modules build their
options, whose help is evaluated when they are built) and kept for the process;
:func:`set_language` sets it (tests, a notebook) and ``set_language(None)`` resolves it again.
"""

from __future__ import annotations

import gettext
import locale
import os
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Literal

DOMAIN = "canbao"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANG_ENV = "CANBAO_LANG"
CHINESE_LOCALE = "zh_CN"

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

_language: Language | None = None


def classify(value: str | None) -> Language | None:
    """``en`` for a value naming English, ``zh`` for one naming Chinese, else None."""
    text = (value or "").strip().lower()
    if text.startswith("en"):
        return "en"
    if text.startswith(("zh", "chinese")):
        return "zh"
    return None


def locale_language(environ: Mapping[str, str]) -> Language | None:
    """The language of the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "en" if classify(value) == "en" else "zh"
    return None


def windows_language(ui_language: int | None, locale_name: str | None) -> Language | None:
    """The language Windows names: its UI language (a LANGID, primary language 0x09 English,
    0x04 Chinese), else the locale's name (``English_United States``, ``zh_CN``)."""
    primary = None if ui_language is None else ui_language & 0x3FF
    if primary == 0x09:
        return "en"
    if primary == 0x04:
        return "zh"
    return classify(locale_name)


def _windows_language() -> Language | None:  # pragma: no cover - Windows only
    """:func:`windows_language` of this Windows machine."""
    ui_language = None
    try:
        import ctypes

        ui_language = int(ctypes.windll.kernel32.GetUserDefaultUILanguage())  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        pass
    return windows_language(ui_language, locale.getlocale()[0])


def resolve_language(
    environ: Mapping[str, str], configured: str | None, platform: str = sys.platform
) -> Language:
    """The language by the precedence above, from ``environ`` and the config's ``language``."""
    for said in (classify(environ.get(LANG_ENV)), classify(configured)):
        if said is not None:
            return said
    found = locale_language(environ)
    if found is None and platform == "win32":
        found = _windows_language()
    return found or "zh"


def language() -> Language:
    """The language of this process (resolved on first use, see the module's docstring)."""
    global _language
    if _language is None:
        configured = None
        if classify(os.environ.get(LANG_ENV)) is None:
            from canbao.config import configured_language

            configured = configured_language()
        _language = resolve_language(os.environ, configured)
    return _language


def set_language(value: Language | None) -> None:
    """Use ``value`` from now on; ``None`` resolves the language again on the next message."""
    global _language
    if value is not None and value not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {value!r}")
    _language = value


@cache
def translations(lang: Language) -> gettext.NullTranslations:
    """The catalog of ``lang``: canbao's Chinese one, or none (the English msgids) for English."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[CHINESE_LOCALE], fallback=True)


def _(message: str) -> str:
    """``message`` (an English msgid) in the current language."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """``singular`` or ``plural`` (English msgids) for count ``n``, in the current language."""
    return translations(language()).ngettext(singular, plural, n)


def term(label: str, code: str) -> str:
    """A coded value as the screen shows it: its Chinese ``label`` in Chinese, its ``code``
    (as summary.json and the files name it) in English."""
    return label if language() == "zh" else code


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it (translate it where shown)."""
    return message
