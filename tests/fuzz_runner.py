"""Fuzz one command with broken files (run by tests/test_fuzz_inputs.py in a child process).

The child runs under an address-space limit, so a file that makes a reader allocate without
bound kills it (a MemoryError is exit 1, a Rust allocation failure is SIGABRT): either way the
parent sees it. Every generated file is a mutation of an example input: truncated, bytes
flipped, control characters or quotes inserted, a huge field, a far cell or a declared range
in a workbook, anchors, aliases and deep nesting in YAML. Usage:
``python -m tests.fuzz_runner COMMAND MAX_EXAMPLES``.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from canbao.cli import app
from canbao.forms.form_codes import ENTRY_HEADINGS
from tests.hostile_files import alias_bomb, deep_yaml

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTED_EXITS = frozenset({0, 2, 3, 4, 5, 6, 7})  # README "Exit codes", 1 being a bug
ID_RUN = re.compile(rb"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
runner = CliRunner()


def _head_lines(path: Path, lines: int) -> bytes:
    return b"".join(path.read_bytes().splitlines(keepends=True)[:lines])


def _entry_sheet() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ENTRY_HEADINGS)
    row = {"县区": "340621", "姓名": "张伟", "公民身份号码": "340621198003150119", "性别": "男"}
    writer.writerow([row.get(h, "是") for h in ENTRY_HEADINGS])
    return out.getvalue().encode("utf-8-sig")


def _entry_workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in csv.reader(io.StringIO(_entry_sheet().decode("utf-8-sig"))):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Text mutations: each takes the seed bytes and a drawn position/size.
CONTROL = [b"\x00", b"\x1f", b"\r", b'"', b"\xff", b"\xef\xbb\xbf", b"\n\n", b",", b"\t"]


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """Apply one to four random mutations to ``seed``."""
    data = seed
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cut", "flip", "insert", "huge", "repeat", "gbk"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "cut":
            data = data[:at]
        elif kind == "flip" and data:
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif kind == "insert":
            data = data[:at] + draw(st.sampled_from(CONTROL)) + data[at:]
        elif kind == "huge":
            size = draw(st.sampled_from([70_000, 200_000, 1_000_000]))
            data = data[:at] + draw(st.sampled_from([b"9", b"x", b'"', b","])) * size + data[at:]
        elif kind == "repeat":
            data = data[:at] + data[at : at + 200] * draw(st.integers(2, 50)) + data[at:]
        else:
            data = data[:at].decode("utf-8", "replace").encode("gbk", "replace") + data[at:]
    return data


@st.composite
def yaml_mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """A rule file mutated as bytes, or with an alias bomb or deep nesting spliced in."""
    choice = draw(st.sampled_from(["bytes", "bomb", "deep", "anchor"]))
    if choice == "bytes":
        return draw(mutated(seed))
    if choice == "bomb":
        return alias_bomb().encode() + seed
    if choice == "deep":
        return seed + deep_yaml(draw(st.integers(30, 3000))).encode()
    return seed.replace(b"rule:", b"rule: &r", 1).replace(b"rule:", b"rule: *r #", 1)


@st.composite
def xlsx_mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """A workbook whose sheet XML is mutated (far cell, declared range), or raw byte damage."""
    choice = draw(st.sampled_from(["bytes", "far", "dimension", "sheet"]))
    if choice == "bytes":
        return draw(mutated(seed))
    source = zipfile.ZipFile(io.BytesIO(seed))
    out = io.BytesIO()
    col = draw(st.sampled_from(["A", "Z", "AAA", "XFD"]))
    row = draw(st.sampled_from([2, 5000, 1048576]))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                if choice == "far":
                    cell = f'<row r="{row}"><c r="{col}{row}" t="inlineStr"><is><t>x</t></is></c>'
                    cell += "</row>"
                    data = data.replace(b"</sheetData>", cell.encode() + b"</sheetData>")
                elif choice == "dimension":
                    data = re.sub(
                        rb'<dimension ref="[^"]*"', f'<dimension ref="A1:{col}{row}"'.encode(), data
                    )
                else:
                    data = draw(mutated(data))
            book.writestr(info, data)
    return out.getvalue()


def _check(args: list[str], inputs: list[bytes]) -> None:
    result = runner.invoke(app, args)
    out = result.output
    assert result.exit_code in DOCUMENTED_EXITS, (result.exit_code, out[-2000:])
    assert "Traceback" not in out, out[-2000:]
    shown = out.encode("utf-8", "replace")
    for data in inputs:
        for pid in set(ID_RUN.findall(data)):
            assert pid not in shown, "an input's 18-digit ID was printed unmasked"


def _files(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _runs(command: str) -> tuple[st.SearchStrategy[bytes], Callable[[Path, bytes], list[str]]]:
    """The strategy of broken files for ``command`` and how to call it on one."""
    household = _head_lines(ROOT / "examples/city/household.csv", 40)
    if command == "inspect":
        csv_seed = (ROOT / "examples/formats/household_utf8.csv").read_bytes()
        gbk_seed = (ROOT / "examples/formats/household_gbk.csv").read_bytes()
        xlsx_seed = (ROOT / "examples/formats/household.xlsx").read_bytes()
        strategy = st.one_of(mutated(csv_seed), mutated(gbk_seed), xlsx_mutated(xlsx_seed))

        def call(folder: Path, data: bytes) -> list[str]:
            name = "roster.xlsx" if data.startswith(b"PK") else "roster.csv"
            return ["inspect", str(_files(folder, name, data))]

        return strategy, call
    if command == "match":
        pension = _head_lines(ROOT / "examples/city/pension_employee.csv", 40)

        def call(folder: Path, data: bytes) -> list[str]:
            hh = _files(folder, "household.csv", data)
            pe = _files(folder, "pension.csv", pension)
            return [
                "match",
                "--household",
                str(hh),
                "--pension",
                str(pe),
                "--area",
                "3406",
                "--output",
                str(folder / "out"),
            ]

        return mutated(household), call
    if command == "rules":
        seed = (ROOT / "rules/huaibei-2017.yaml").read_bytes()

        def call(folder: Path, data: bytes) -> list[str]:
            return ["rules", "check", str(_files(folder, "rules.yaml", data))]

        return yaml_mutated(seed), call
    if command == "score":
        csv_seed = (ROOT / "examples/score/huaibei-2017-submission.csv").read_bytes()
        xlsx_seed = (ROOT / "examples/score/huaibei-2017-submission.xlsx").read_bytes()

        def call(folder: Path, data: bytes) -> list[str]:
            name = "sub.xlsx" if data.startswith(b"PK") else "sub.csv"
            return [
                "score",
                "--rules",
                "huaibei-2017",
                str(_files(folder, name, data)),
                "--output",
                str(folder / "out"),
            ]

        return st.one_of(mutated(csv_seed), xlsx_mutated(xlsx_seed)), call
    if command == "survey":
        seed = (ROOT / "examples/survey/needs_survey.csv").read_bytes()

        def call(folder: Path, data: bytes) -> list[str]:
            match_dir = folder / "match"
            match_dir.mkdir(exist_ok=True)
            _files(match_dir, "needs_survey.csv", data)
            return ["forms", "survey", "--from", str(match_dir), "--output", str(folder / "out")]

        return mutated(seed), call
    if command == "intake":

        def call(folder: Path, data: bytes) -> list[str]:
            return [
                "intake",
                str(_files(folder, "entries.csv", data)),
                "--output",
                str(folder / "out"),
            ]

        return st.one_of(mutated(_entry_sheet()), xlsx_mutated(_entry_workbook())), call
    raise SystemExit(f"unknown command {command}")


def fuzz(command: str, max_examples: int) -> None:
    """Run ``max_examples`` broken files through ``command``; raise on the first failure."""
    strategy, call = _runs(command)

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        # No explain phase: it traces every line canbao runs to explain a failure, and under
        # the 3 GiB address-space limit that ran out of memory and hid the failure itself.
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    )
    @given(strategy)
    def one(data: bytes) -> None:
        with tempfile.TemporaryDirectory(prefix="canbao-fuzz-") as tmp:
            _check(call(Path(tmp), data), [data])

    one()


if __name__ == "__main__":
    fuzz(sys.argv[1], int(sys.argv[2]))
    print("ok")
