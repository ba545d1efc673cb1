"""Pydantic's own messages about a rule file or a command-line value (a key missing, a wrong
type, a number out of range) in canbao's language.

Pydantic writes its messages in English only. Its error *types* are stable names, so each
type a rule file commonly meets gets a message of canbao's catalog; any other type keeps
Pydantic's English text, and a rule's own check (``value_error``) is already canbao's message.
"""

from __future__ import annotations

from typing import Final

from pydantic_core import ErrorDetails

from canbao.i18n import N_, _

_NUMBER: Final = N_("must be a number")
_WHOLE: Final = N_("must be a whole number")
_YES_NO: Final = N_("must be true or false")
_LIST: Final = N_("must be a list")
_MAPPING: Final = N_("must be a mapping (key: value)")

# Pydantic's error type -> canbao's message; {name} takes the error's context value of that name.
WORDS: Final[dict[str, str]] = {
    "missing": N_("required, but missing"),
    "extra_forbidden": N_("not a known key (misspelt?)"),
    "string_type": N_("must be text"),
    "int_type": _WHOLE,
    "int_parsing": _WHOLE,
    "int_from_float": _WHOLE,
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "bool_type": _YES_NO,
    "bool_parsing": _YES_NO,
    "list_type": _LIST,
    "tuple_type": _LIST,
    "dict_type": _MAPPING,
    "model_type": _MAPPING,
    "greater_than": N_("must be greater than {gt}"),
    "greater_than_equal": N_("must be at least {ge}"),
    "less_than": N_("must be less than {lt}"),
    "less_than_equal": N_("must be at most {le}"),
    "literal_error": N_("must be one of {expected}"),
    "enum": N_("must be one of {expected}"),
    "union_tag_invalid": N_("{tag} is not a known kind: write one of {expected_tags}"),
    "too_short": N_("needs at least {min_length} item(s)"),
    "too_long": N_("takes at most {max_length} item(s)"),
}


def pydantic_message(error: ErrorDetails) -> str:
    """The message of one of Pydantic's errors, in canbao's language where its type is known."""
    word = WORDS.get(error["type"])
    if word is None:
        return error["msg"].removeprefix("Value error, ")
    context = {name: str(value) for name, value in (error.get("ctx") or {}).items()}
    try:
        return _(word).format(**context)
    except (KeyError, IndexError):  # a context Pydantic did not give: its own text says it
        return error["msg"]
