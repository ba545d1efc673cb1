"""Sealed hand-outs: files leaving the centre packed into an AES-256 zip with a one-time password.

Huaibei's survey notice (淮人社秘〔2017〕166号) hands each village its survey forms and binds
everyone to keep the people's data to the campaign. A sealed zip travels by USB stick, e-mail or
chat without exposing the forms; the password goes another way (read out on the phone).

pyzipper writes WinZip's AES-256 format (AE-2), which 7-Zip, WinRAR, Bandizip and macOS's
Archive Utility open (Windows Explorer's built-in zip does not: it knows only ZipCrypto, which is
broken). The password comes from :mod:`secrets`, is returned to the caller to be shown once and
is never written anywhere by canbao: not in the archive, the output folder or the audit log.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyzipper

from canbao.errors import OutputError, UsageError
from canbao.i18n import _
from canbao.shown_path import shown_path

# Letters only, without the look-alikes I, l, O and o: a password read out on the phone is
# written down right, and no run of digits is mistaken for an ID by the masker.
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"
PASSWORD_GROUPS = 5
GROUP_LENGTH = 4  # 20 letters of 48: about 111 bits


def new_password() -> str:
    """A fresh random password, grouped for reading aloud: ``AbcD-efGh-…``."""
    letters = "".join(
        secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUPS * GROUP_LENGTH)
    )
    return "-".join(letters[i : i + GROUP_LENGTH] for i in range(0, len(letters), GROUP_LENGTH))


def _members(sources: Sequence[Path]) -> list[tuple[Path, str]]:
    """Each file to pack and its name in the archive (a folder keeps its own name as the top)."""
    members: list[tuple[Path, str]] = []
    for source in sources:
        if source.is_dir():
            for file in sorted(p for p in source.rglob("*") if p.is_file()):
                members.append((file, (source.name / file.relative_to(source)).as_posix()))
        elif source.is_file():
            members.append((source, source.name))
        else:
            raise UsageError(
                _("{path}: no such file or folder").format(path=shown_path(source)),
                fix=_("check the path and the file name"),
            )
    return members


def seal(sources: Sequence[Path], archive: Path, password: str) -> list[str]:
    """Pack ``sources`` into the AES-256 zip ``archive`` (0600, never overwritten); list names."""
    if archive.exists():
        raise UsageError(
            _("{path}: the file exists; canbao does not overwrite a sealed archive").format(
                path=archive
            ),
            fix=_("name another file with --output, or move the old one away first"),
        )
    members = _members(sources)
    if not members:
        raise UsageError(
            _("nothing to seal: the folders are empty"), fix=_("name files or folders")
        )
    partial = archive.with_name(f".{archive.name}.partial-{os.getpid()}")
    try:
        write_archive(partial, ((path, name) for path, name in members), password)
        partial.replace(archive)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OutputError(
            _("cannot write the sealed archive {path}: {reason}").format(
                path=archive, reason=exc.strerror
            ),
            fix=_("check the folder exists, is writable and the disk has room"),
        ) from None
    return [name for _, name in members]


def write_archive(path: Path, members: Iterable[tuple[Path, str]], password: str) -> None:
    """Write an AES-256 zip of ``members`` (file, name inside) at ``path``, created 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with (
        os.fdopen(fd, "wb") as raw,
        pyzipper.AESZipFile(
            raw, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
        ) as zf,
    ):
        zf.setpassword(password.encode("ascii"))
        zf.setencryption(pyzipper.WZ_AES, nbits=256)
        for file, name in members:
            zf.write(file, name)


def default_archive(sources: Sequence[Path]) -> Path:
    """``DIR.zip`` or ``FILE.zip`` beside a single source; several sources need --output."""
    if len(sources) != 1:
        raise UsageError(
            _("several files or folders to seal and no --output"),
            fix=_("add --output HANDOUT.zip"),
        )
    source = sources[0].resolve()
    return source.with_name(f"{source.stem if source.is_file() else source.name}.zip")
