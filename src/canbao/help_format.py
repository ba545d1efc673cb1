"""Help text that fits the terminal in Chinese: wrapped by display width, breakable between 汉字.

Click wraps help with :mod:`textwrap`, which breaks only at spaces and counts characters: a
Chinese sentence (no spaces, each character two columns wide) came out as one line twice as wide
as the terminal. :class:`HelpFormatter` wraps the same paragraphs (``\\b`` blocks kept as
written) and definition lists (the options) by display width, between any two CJK characters
but never before closing punctuation (，。）…), after an opening one (（《…) nor between a
digit or letter and a CJK character (``2017年6月``); English wraps at spaces as before. The
commands built by :mod:`canbao.cli_help` use it through their context.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import typer

# Click's formatter, reached through the public context class (typer keeps Click private).
_ClickFormatter = typer.Context.formatter_class

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CLOSING = "，。、；：！？）》」』】〕,.;:!?)"
_OPENING = "（《「『【〔(["
# A break may fall between any two tokens: a space run, one CJK character, or a run of others.
_TOKEN = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}]+")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: two for a wide (CJK) character, one for others."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _mixed(before: str, after: str) -> bool:
    """A letter or digit against a CJK character with no space: ``2017年``, ``6月``, ``30日``."""
    last, first = before[-1], after[0]
    is_cjk = re.compile(f"[{_CJK}]").match
    return last.isalnum() and first.isalnum() and bool(is_cjk(last)) != bool(is_cjk(first))


def _tokens(text: str) -> list[str]:
    """The unbreakable pieces of ``text``, punctuation kept with the character it belongs to."""
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        glued = tokens and not tokens[-1].isspace() and not token.isspace()
        if glued and (
            token[0] in _CLOSING or tokens[-1][-1] in _OPENING or _mixed(tokens[-1], token)
        ):
            tokens[-1] += token
        else:
            tokens.append(token)
    return tokens


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """``text`` as lines of at most ``width`` columns (a longer unbreakable piece stays whole)."""
    lines: list[str] = []
    line, filled, space = initial_indent, False, ""
    for token in _tokens(text.strip()):
        if token.isspace():  # Click's two spaces before [required] stay two
            space = token.replace("\n", " ") if filled else ""
            continue
        if filled and display_width(line + space + token) > width:
            lines.append(line)
            line, space = subsequent_indent, ""
        line += space + token
        filled, space = True, ""
    lines.append(line)
    return "\n".join(lines)


def wrap_paragraphs(text: str, width: int, indent: str = "") -> str:
    """Click's ``wrap_text(preserve_paragraphs=True)``, by display width."""
    paragraphs: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text.expandtabs()):
        lines = block.splitlines()
        if not lines:
            continue
        extra = " " * (len(lines[0]) - len(lines[0].lstrip()))
        if lines[0].strip() == "\b":  # kept as written (an example's command lines)
            paragraphs.append("\n".join(indent + extra + line for line in lines[1:]))
        else:
            joined = " ".join(line.strip() for line in lines)
            paragraphs.append(wrap(joined, width, indent + extra, indent + extra))
    return "\n\n".join(paragraphs)


class HelpFormatter(_ClickFormatter):  # type: ignore[misc,valid-type]
    """Click's help formatter, its text and definition lists wrapped by display width."""

    def write_text(self, text: str) -> None:
        """Write ``text`` re-indented and re-wrapped, paragraphs kept."""
        self.write(wrap_paragraphs(text, self.width, " " * self.current_indent))
        self.write("\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        """Write the options (or commands) and their help in two columns."""
        rows = list(rows)
        first_col = min(max((display_width(r[0]) for r in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - display_width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            text_width = max(self.width - first_col - 2, 10)
            lines = wrap_paragraphs(second, text_width).splitlines() or [""]
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


class HelpContext(typer.Context):
    """Typer's context, its help written by :class:`HelpFormatter`."""

    formatter_class = HelpFormatter
