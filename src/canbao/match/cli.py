"""``canbao match``: parse options, call :func:`canbao.match.run_match`, print the summary."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from canbao.cli_common import (
    AsOfOption,
    FormatOption,
    JsonOption,
    QuietOption,
    TableFormat,
    VerboseOption,
    is_terminal,
    output_option,
    print_json,
    reporting,
    stderr_console,
    stdout_console,
)
from canbao.match.api import MatchResult, run_match
from canbao.match.legal_kinds import DEFAULT_LEGAL_GROUPS
from canbao.match.repairs import APPLY_THRESHOLD
from canbao.match.writers import OutputFormat

# The library speaks the writers' literal names; the CLI's enum maps onto them one to one.
OUTPUT_FORMATS: dict[TableFormat, OutputFormat] = {
    TableFormat.CSV: "csv",
    TableFormat.PARQUET: "parquet",
    TableFormat.XLSX: "xlsx",
}


def _parse_score(value: str | Decimal) -> Decimal:
    """Read ``--apply-links`` as a number; :func:`run_match` alone checks that it is 0 to 100."""
    if isinstance(value, Decimal):
        return value
    try:
        score = Decimal(value.strip())
    except InvalidOperation:
        score = Decimal("NaN")
    if not score.is_finite():
        raise typer.BadParameter(
            f"{value!r} 不是分数（--apply-links {value!r} is not a score）；修正方法 (fix): "
            f"give a score from 0 to 100, e.g. --apply-links {APPLY_THRESHOLD}"
        )
    return score


def match(
    household: Annotated[list[Path], typer.Option(help="Household (户籍) roster file(s).")],
    output: Annotated[Path, output_option("Directory for the results (replaced atomically).")],
    pension: Annotated[
        list[Path] | None, typer.Option(help="Pension (养老) enrolment roster file(s).")
    ] = None,
    medical: Annotated[
        list[Path] | None, typer.Option(help="Medical (医疗) enrolment roster file(s).")
    ] = None,
    floating: Annotated[
        list[Path] | None, typer.Option(help="Floating population (流动人口) roster(s).")
    ] = None,
    injury: Annotated[list[Path] | None, typer.Option(help="Work injury (工伤) roster(s).")] = None,
    unemployment: Annotated[
        list[Path] | None, typer.Option(help="Unemployment (失业) roster(s).")
    ] = None,
    maternity: Annotated[
        list[Path] | None, typer.Option(help="Maternity (生育) roster(s).")
    ] = None,
    as_of: AsOfOption = None,
    area: Annotated[
        list[str] | None,
        typer.Option(help="Region-code prefix(es) of the area (default: household counties)."),
    ] = None,
    columns: Annotated[
        Path | None, typer.Option(help="YAML mapping of other headers to fields.")
    ] = None,
    format: FormatOption = TableFormat.CSV,
    units: Annotated[
        list[Path] | None, typer.Option(help="Market registry (登记注册单位) roster(s).")
    ] = None,
    insured_units: Annotated[
        list[Path] | None,
        typer.Option("--insured-units", help="Insured units (参保单位) roster(s)."),
    ] = None,
    apply_links: Annotated[
        Decimal | None,
        typer.Option(
            "--apply-links",
            parser=_parse_score,
            metavar="MIN_SCORE",
            help=f"Apply the unique top suggested links scoring at least MIN_SCORE (0-100; "
            f"{APPLY_THRESHOLD} is the documented safe threshold). Default: only suggest.",
        ),
    ] = None,
    accept_damaged_ids: Annotated[
        bool,
        typer.Option(
            "--accept-damaged-ids",
            help="Run even when most IDs of a roster are invalid or damaged by a spreadsheet.",
        ),
    ] = False,
    legal_groups: Annotated[
        str,
        typer.Option(
            "--legal-groups",
            metavar="FILE|NAME",
            help="Rule saying who should have injury, unemployment and maternity cover (法定群体): "
            "a TOML file or a bundled rule's name; 'none' switches the judgement off.",
        ),
    ] = DEFAULT_LEGAL_GROUPS,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Match household, pension and medical rosters into the campaign's result sets."""
    with reporting(verbose):
        result = run_match(
            household,
            floating=floating or (),
            pension=pension or (),
            medical=medical or (),
            injury=injury or (),
            unemployment=unemployment or (),
            maternity=maternity or (),
            units=units or (),
            insured_units=insured_units or (),
            as_of=as_of,
            area=area,
            columns=columns,
            output=output,
            format=OUTPUT_FORMATS[format],
            apply_links=apply_links,
            progress=_progress(quiet),
            accept_damaged_ids=accept_damaged_ids,
            legal_groups=legal_groups,
        )
        if json_output:
            print_json(result.summary)
        elif not quiet:
            print_summary(result)


def _progress(quiet: bool) -> Any:
    def step(message: str) -> None:
        if not quiet:
            stderr_console.print(
                f"[canbao] {message}", markup=False, style="dim" if is_terminal() else None
            )

    return step


def print_summary(result: MatchResult) -> None:
    """Print the summary table and where the files are."""
    # Here rather than at the top: --help, --json and --quiet never draw a table.
    from rich.table import Table

    s = result.summary
    table = Table(title=f"canbao match · as of {s['as_of']} · area {', '.join(s['area'])}")
    table.add_column("项目 (item)")
    table.add_column("人数/条数 (count)", justify="right")
    rows = [
        ("户籍人口行数 household rows", s["household_rows"]),
        ("  目标人群 target", s["target"]),
        ("  排除 (死亡/迁出/注销) excluded", s["excluded"]),
        ("直接确认登记 confirmed", s["confirmed"]),
        ("需入户调查 needs survey", s["needs_survey"]),
        ("应参未参 uninsured", s["uninsured"]),
        *((f"  {k}", v) for k, v in s["uninsured_flags"].items()),
        *((f"重复参保 {k}", v) for k, v in s["duplicates"].items()),
        *((f"信息错误 {k}", v) for k, v in s["conflicts"].items()),
        ("参保记录行数 enrolment rows", s["enrolment_rows"]),
        ("  外地户籍参保 non-local", s["non_local"]),
        ("无法读取的行 unreadable rows", s["unreadable_rows"]),
        ("建议关联 records with suggested links", s["suggested_links"]),
        ("已应用关联 links applied", s["applied_links"]),
    ]
    if s.get("units"):
        rows += [
            ("登记注册单位 registry units", s["units"]["registry_rows"]),
            ("需入户调查单位 units needing survey", s["units"]["needing_survey"]),
            ("  登记注册未参保 not insured", s["units"]["not_insured"]),
            ("  统一社会信用代码有误 invalid USCC", s["units"]["invalid_uscc"]),
        ]
    legal = s.get("legal_groups") or {}
    for kind in legal.get("judged", []):
        rows.append((f"法定群体未参保 missing_{kind}", legal[f"missing_{kind}"]))
    for label, value in rows:
        table.add_row(label, f"{value:,}")
    stdout_console.print(table)
    for key, label in (
        ("pension", "养老保险参保率 pension"),
        ("medical", "医疗保险参保率 medical"),
    ):
        rate = s["coverage"][key]
        stdout_console.print(
            f"{label} (户籍口径 hukou basis): {rate['rate'] or '—'} "
            f"({rate['numerator']:,}/{rate['denominator']:,})",
            markup=False,
        )
    for eq in s["conservation"]:
        mark = "ok" if eq["ok"] else "FAILED"
        stdout_console.print(
            f"conservation {mark}: {eq['equation']}  ({eq['left']:,} = {eq['right']:,})",
            markup=False,
        )
    stdout_console.print(f"results written to {result.output}/", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``canbao match`` to the application."""
    app.command("match")(match)
