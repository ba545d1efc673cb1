"""Sealed hand-outs: AES-256 zips whose one-time password is shown once and stored nowhere."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
import pyzipper
from typer.testing import CliRunner

from canbao.cli import app
from canbao.forms.survey import ENTRY_FILE, FORMS_FILE, ROSTER_FILE
from canbao.seal import new_password

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "survey"
PASSWORD = re.compile(r"(\S+) 的密码：((?:[A-Za-z]{4}-){4}[A-Za-z]{4})")


def _passwords(stderr: str) -> dict[str, str]:
    return dict(PASSWORD.findall(stderr))


def _everything_written(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_seal_command_packs_a_folder(tmp_path: Path, audit_log: Path) -> None:
    """`canbao seal DIR` writes an AES-256 zip that the shown password opens, and nothing else."""
    folder = tmp_path / "village"
    folder.mkdir()
    (folder / "名册.csv").write_text("公民身份号码,姓名\n", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "b.txt").write_bytes(b"b")
    archive = tmp_path / "out" / "handout.zip"
    archive.parent.mkdir()
    result = runner.invoke(app, ["seal", str(folder), "--output", str(archive)])
    assert result.exit_code == 0, result.stderr
    (password,) = _passwords(result.stderr).values()
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with pyzipper.AESZipFile(archive) as zf:
        assert all(info.flag_bits & 0x1 for info in zf.infolist())  # every entry encrypted
        zf.setpassword(password.encode())
        assert zf.read("village/名册.csv").decode("utf-8") == "公民身份号码,姓名\n"
        assert zf.read("village/sub/b.txt") == b"b"
    with pyzipper.AESZipFile(archive) as zf, pytest.raises(RuntimeError):
        zf.setpassword(b"wrong")
        zf.read("village/sub/b.txt")
    assert password not in result.stdout
    assert password.encode() not in _everything_written(archive.parent)
    assert password not in audit_log.read_text("utf-8")
    assert '"command": "seal"' in audit_log.read_text("utf-8")


def test_seal_never_overwrites(tmp_path: Path) -> None:
    """An existing archive is refused with exit 2 and left as it was."""
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    archive = tmp_path / "a.zip"
    archive.write_bytes(b"old")
    result = runner.invoke(app, ["seal", str(tmp_path / "a.txt")])
    assert result.exit_code == 2
    assert "canbao 不会覆盖加密压缩包" in result.stderr
    assert archive.read_bytes() == b"old"


def test_passwords_are_fresh_and_strong() -> None:
    """Passwords are 20 letters in groups of four, and differ from run to run."""
    passwords = {new_password() for _ in range(50)}
    assert len(passwords) == 50
    shape = re.compile(r"(?:[A-HJ-NP-Za-km-z]{4}-){4}[A-HJ-NP-Za-km-z]{4}")
    assert all(shape.fullmatch(p) for p in passwords)


def test_forms_survey_seal_one_zip_per_village(tmp_path: Path, audit_log: Path) -> None:
    """`forms survey --seal` seals each village's three workbooks with its own password."""
    out = tmp_path / "forms"
    result = runner.invoke(
        app, ["forms", "survey", "--from", str(EXAMPLE), "--output", str(out), "--seal"]
    )
    assert result.exit_code == 0, result.stderr
    passwords = _passwords(result.stderr)
    assert len(passwords) == 3
    assert len(set(passwords.values())) == 3
    for archive, password in passwords.items():
        assert archive.startswith("sealed/濉溪县-")  # folders and zips by county name
        with pyzipper.AESZipFile(out / archive) as zf:
            zf.setpassword(password.encode())
            assert set(zf.namelist()) == {ROSTER_FILE, FORMS_FILE, ENTRY_FILE}
            village = archive.removeprefix("sealed/").removesuffix(".zip").replace("-", "/")
            assert zf.read(ENTRY_FILE) == (out / village / ENTRY_FILE).read_bytes()
    written = _everything_written(out)
    log = audit_log.read_text("utf-8")
    for password in passwords.values():
        assert password.encode() not in written
        assert password not in log
        assert password not in result.stdout
