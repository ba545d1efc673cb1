"""An xlsxwriter workbook that never writes text as a formula (see :mod:`canbao.cells`).

A module of its own so that importing :mod:`canbao.cells` does not load xlsxwriter (0.3 s): a
match imports it on a thread meanwhile (canbao.match.api.import_in_background).
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import xlsxwriter

from canbao.cells import needs_quote_prefix


class TextWorkbook(xlsxwriter.Workbook):  # type: ignore[misc]  # xlsxwriter has no type hints
    """An xlsxwriter workbook in which no written text becomes a formula.

    ``strings_to_formulas`` is off, so ``write`` (and Polars' ``write_excel``, which writes
    through it) stores ``=…`` as text; every worksheet gets a handler that writes text beginning
    with a formula character as a string with the quote-prefix twin of its format.
    """

    def __init__(self, path: str | Path | BytesIO, options: dict[str, Any] | None = None) -> None:
        # Set before the base class adds its default formats through add_format.
        self._format_props: dict[int, dict[str, Any]] = {}
        self._quoted: dict[int, Any] = {}
        target = path if isinstance(path, BytesIO) else str(path)  # BytesIO: with in_memory
        super().__init__(target, {**(options or {}), "strings_to_formulas": False})

    def add_format(self, properties: dict[str, Any] | None = None) -> Any:
        """Add a format, remembering its properties so that its quote-prefix twin can be made."""
        made = super().add_format(properties)
        self._format_props[id(made)] = dict(properties or {})
        return made

    def add_worksheet(self, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        """Add a worksheet whose ``write`` keeps formula-like text a quote-prefixed string."""
        sheet = super().add_worksheet(name, *args, **kwargs)
        sheet.add_write_handler(str, self._write_text)
        return sheet

    def quoted(self, fmt: Any) -> Any:
        """The quote-prefix twin of a format (of no format: a plain quote-prefix format)."""
        key = id(fmt)
        if key not in self._quoted:
            props = self._format_props.get(key, {}) if fmt is not None else {}
            self._quoted[key] = self.add_format({**props, "quote_prefix": True})
        return self._quoted[key]

    def _write_text(self, sheet: Any, row: int, col: int, text: str, *args: Any) -> Any:
        if not needs_quote_prefix(text):
            return None  # xlsxwriter writes it as usual (a string: strings_to_formulas is off)
        fmt = args[0] if args else None
        return sheet.write_string(row, col, text, self.quoted(fmt))
