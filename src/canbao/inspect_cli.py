"""``canbao inspect FILE...``: print what each roster file is and how clean it is."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from canbao.cli_common import (
    AsOfOption,
    JsonOption,
    QuietOption,
    VerboseOption,
    print_json,
    reporting,
    stdout_console,
)
from canbao.cli_help import example
from canbao.errors import UsageError
from canbao.i18n import _
from canbao.ids import ID_REASONS
from canbao.inspect import FileReport, inspect_files
from canbao.roster import KINDS, load_column_map
from canbao.roster.fields import FIELD_LABELS
from canbao.roster.reader import ENCODING_LABELS, SEPARATOR_LABELS
from canbao.roster.unreadable import REASONS


def register(app: typer.Typer) -> None:
    """Add the ``inspect`` command to ``app``."""

    @app.command(
        "inspect",
        help=_(
            "Show each file's format, encoding, header mapping, unreadable rows and ID validity."
        )
        + example("canbao inspect examples/city/household.csv examples/city/pension_resident.xlsx"),
    )
    def inspect_command(
        files: Annotated[list[Path], typer.Argument(help=_("Roster files to inspect."))],
        kind: Annotated[
            str | None,
            typer.Option(
                "--kind",
                help=_("Roster kind (guessed from headers if omitted): {kinds}.").format(
                    kinds=", ".join(KINDS)
                ),
            ),
        ] = None,
        columns: Annotated[
            Path | None,
            typer.Option(
                "--columns", help=_("YAML file naming headers for fields (docs/reading.md).")
            ),
        ] = None,
        as_of: AsOfOption = None,
        json_output: JsonOption = False,
        quiet: QuietOption = False,
        verbose: VerboseOption = False,
    ) -> None:
        """Show each file's format, encoding, header mapping, unreadable rows and ID validity."""
        with reporting(verbose):
            if kind is not None and kind not in KINDS:
                raise UsageError(
                    _("unknown --kind {kind!r}").format(kind=kind),
                    fix=_("use one of: {choices}").format(choices=", ".join(KINDS)),
                )
            day = as_of or date.today()
            colmap = load_column_map(columns) if columns is not None else None
            reports = inspect_files(files, columns=colmap, as_of=day, kind=kind)
            if json_output:
                payload = {"as_of": day.isoformat(), "files": [r.to_dict() for r in reports]}
                print_json(payload)
            elif not quiet:  # --quiet: only the exit code (and errors) tell
                for report in reports:
                    _print(report)


def _print(r: FileReport) -> None:
    out = stdout_console
    kind = (
        _("{kind} (guessed; set --kind to be sure)").format(kind=r.kind)
        if r.kind_guessed
        else r.kind
    )
    fmt = r.format
    if r.encoding:
        fmt += f", {_(ENCODING_LABELS.get(r.encoding, r.encoding))}"
    if r.separator:
        separator = _(SEPARATOR_LABELS.get(r.separator, repr(r.separator)))
        fmt += ", " + _("{separator}-separated").format(separator=separator)
    if r.sheet:
        fmt += ", " + _("sheet {sheet!r}, header in row {row}").format(
            sheet=r.sheet, row=r.header_line
        )
    out.print(f"\n{r.path}", style="bold", markup=False)
    out.print(_("  kind: {kind}\n  format: {format}").format(kind=kind, format=fmt), markup=False)
    rows = _("  rows: {rows:,} readable, {unreadable:,} unreadable")
    out.print(rows.format(rows=r.rows, unreadable=r.unreadable), markup=False)
    for reason, n in r.unreadable_by_reason.items():
        out.print(f"    {reason} ({REASONS.get(reason, '')}): {n:,}", markup=False)
    table = Table(
        _("field"), _("field name"), _("header in file"), title=_("columns"), title_justify="left"
    )
    for fld, header in r.mapping.items():
        table.add_row(fld, FIELD_LABELS[fld], header)
    for header in r.unmapped:
        table.add_row("-", "-", _("{header} (unmapped)").format(header=header or _("(empty)")))
    out.print(table)
    if r.missing_fields:
        missing = _("  fields not in the file: {fields}")
        out.print(missing.format(fields=", ".join(r.missing_fields)), markup=False)
    if r.ids_valid is not None:
        ids = _("  citizen IDs: {valid:,} valid, {invalid:,} invalid")
        out.print(ids.format(valid=r.ids_valid, invalid=r.ids_invalid), markup=False)
        for reason, n in r.ids_invalid_by_reason.items():
            out.print(f"    {reason} ({ID_REASONS.get(reason, '')}): {n:,}", markup=False)
    if r.samples:
        out.print(_("  sample problems:"), markup=False)
        for p in r.samples:
            shown = f" {p.masked_id}" if p.masked_id else ""
            line = _("    line {line}:{id} {reason} ({label})")
            out.print(
                line.format(line=p.line, id=shown, reason=p.reason, label=p.label), markup=False
            )
