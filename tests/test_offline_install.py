"""The wheelhouse installs canbao with no package index, rule sets included (README "Offline")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CITY = ROOT / "examples" / "city"
SCORE = ROOT / "examples" / "score"


def _wheelhouse() -> Path:
    folder = Path(os.environ.get("CANBAO_WHEELHOUSE", ROOT / "dist" / "wheelhouse"))
    assert list(folder.glob("canbao-*.whl")), (
        f"no wheelhouse at {folder}: `make test` builds it first (`make wheelhouse`)"
    )
    return folder


def _offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    # The machine's own pip configuration (extra indexes, find-links) must play no part.
    return env | {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PYTHONNOUSERSITE": "1"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with canbao installed from the wheelhouse alone."""
    target = tmp_path_factory.mktemp("offline") / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    python = target / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-index", "--find-links", str(_wheelhouse()), "canbao"],
        check=True, env=_offline_env(), timeout=600,
    )  # fmt: skip
    return python.parent


@pytest.mark.slow
def test_the_installed_canbao_matches_the_example_city(installed: Path, tmp_path: Path) -> None:
    """canbao from the wheelhouse matches the examples outside the clone, as make demo does."""
    manifest = json.loads((CITY / "manifest.json").read_text(encoding="utf-8"))
    args = [str(installed / "canbao"), "match", "--as-of", manifest["as_of"], "--quiet"]
    for name, info in manifest["rosters"].items():
        args += [f"--{info['kind']}", str(CITY / name)]
    args += ["--output", str(tmp_path / "out")]
    done = subprocess.run(args, cwd=tmp_path, env=_offline_env(), capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    expected = json.loads((CITY / "golden" / "summary.json").read_text(encoding="utf-8"))
    assert summary["target"] == expected["target"]
    assert summary["needs_survey"] == expected["needs_survey"]


@pytest.mark.slow
def test_the_installed_canbao_scores_with_a_bundled_rule_set(
    installed: Path, tmp_path: Path
) -> None:
    """`--rules huaibei-2017` names the rule set shipped in the wheel (no clone, no path)."""
    args = [
        str(installed / "canbao"), "score", "--rules", "huaibei-2017",
        str(SCORE / "huaibei-2017-submission.csv"), str(SCORE / "huaibei-2017-submission.xlsx"),
        "--self", str(SCORE / "huaibei-2017-self.csv"), "--output", str(tmp_path / "score"),
    ]  # fmt: skip
    done = subprocess.run(args, cwd=tmp_path, env=_offline_env(), capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert (tmp_path / "score" / "huaibei-2017.xlsx").is_file()
    got = json.loads((tmp_path / "score" / "huaibei-2017.json").read_text(encoding="utf-8"))
    golden = SCORE / "expected" / "huaibei-2017" / "huaibei-2017.json"
    assert got == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_the_installed_canbao_declares_its_type_hints(installed: Path) -> None:
    """The wheel ships ``py.typed``, so mypy reads the installed package's annotations."""
    where = "import canbao, pathlib; print(pathlib.Path(canbao.__file__).parent)"
    done = subprocess.run(
        [str(installed / "python"), "-c", where],
        cwd=installed, env=_offline_env(), capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert (Path(done.stdout.strip()) / "py.typed").is_file()


@pytest.mark.slow
def test_the_installed_canbao_speaks_both_languages(installed: Path) -> None:
    """The wheel ships the compiled catalog: Chinese under LANG=C.UTF-8, English under en_US."""
    env = {k: v for k, v in _offline_env().items() if not k.startswith(("LC_", "LANG"))}
    env.pop("CANBAO_LANG", None)  # the suite's pin (tests/__init__.py); the audit log stays
    helps = {}
    for lang in ("C.UTF-8", "en_US.UTF-8"):
        done = subprocess.run(
            [str(installed / "canbao"), "seal", "--help"], env={**env, "LANG": lang},
            capture_output=True, text=True, encoding="utf-8", timeout=120, check=True,
        )  # fmt: skip
        helps[lang] = done.stdout
    assert helps["C.UTF-8"].startswith("用法: canbao seal") and "示例:" in helps["C.UTF-8"]
    assert helps["en_US.UTF-8"].startswith("Usage: canbao seal")
