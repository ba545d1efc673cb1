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
        files: Annotated[list[Path], typer.Argument(help="Roster files to inspect.")],
        kind: Annotated[
            str | None,
            typer.Option(
                "--kind", help=f"Roster kind (guessed from headers if omitted): {', '.join(KINDS)}."
            ),
        ] = None,
        columns: Annotated[
            Path | None,
            typer.Option(
                "--columns", help="YAML file naming headers for fields (docs/reading.md)."
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
    kind = f"{r.kind} (guessed; set --kind to be sure)" if r.kind_guessed else r.kind
    fmt = r.format
    if r.encoding:
        fmt += f", {ENCODING_LABELS.get(r.encoding, r.encoding)}"
    if r.separator:
        fmt += f", {SEPARATOR_LABELS.get(r.separator, repr(r.separator))}-separated"
    if r.sheet:
        fmt += f", sheet {r.sheet!r}, header in row {r.header_line}"
    out.print(f"\n{r.path}", style="bold", markup=False)
    out.print(f"  kind: {kind}\n  format: {fmt}", markup=False)
    out.print(f"  rows: {r.rows:,} readable, {r.unreadable:,} unreadable", markup=False)
    for reason, n in r.unreadable_by_reason.items():
        out.print(f"    {reason} ({REASONS.get(reason, '')}): {n:,}", markup=False)
    table = Table("field", "字段", "header in file", title="columns", title_justify="left")
    for fld, header in r.mapping.items():
        table.add_row(fld, FIELD_LABELS[fld], header)
    for header in r.unmapped:
        table.add_row("-", "-", f"{header or '(empty)'} (unmapped)")
    out.print(table)
    if r.missing_fields:
        out.print(f"  fields not in the file: {', '.join(r.missing_fields)}", markup=False)
    if r.ids_valid is not None:
        out.print(f"  citizen IDs: {r.ids_valid:,} valid, {r.ids_invalid:,} invalid", markup=False)
        for reason, n in r.ids_invalid_by_reason.items():
            out.print(f"    {reason} ({ID_REASONS.get(reason, '')}): {n:,}", markup=False)
    if r.samples:
        out.print("  sample problems:", markup=False)
        for p in r.samples:
            shown = f" {p.masked_id}" if p.masked_id else ""
            out.print(f"    line {p.line}:{shown} {p.reason} ({p.label})", markup=False)
