"""`canbao --help` and every command's help speak the locale's language: Chinese, else English."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Prints the help of the application and of every command and subcommand, as a fresh process
# under the given locale sees it (the language is chosen once per process). Walks the groups
# itself: importing the tests package would pin the suite's language.
HELPS = """
import json
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner
from canbao.cli import app

def walk(command, ctx, words):
    yield words
    if isinstance(command, TyperGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            yield from walk(sub, typer.Context(sub, parent=ctx, info_name=name), [*words, name])

root = typer.main.get_command(app)
runner = CliRunner()
helps = {}
for words in walk(root, typer.Context(root, info_name="canbao"), []):
    result = runner.invoke(app, [*words, "--help"], prog_name="canbao", env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    helps[" ".join(["canbao", *words])] = result.output
print(json.dumps(helps, ensure_ascii=False))
"""

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")

# The Chinese words English help keeps on purpose: the names analysts meet in their files, the
# headings they type, the terms of the source documents and the file names canbao writes
# (README "Language"). Nothing else of the help may be Chinese in English.
_KEPT = """
    人社厅发〔2017〕28号 全民参保登记表 全民参保登记信息 需入户调查人员名单
    信息录入表 需入户调查人数 公民身份号码 决定类型 决定日期 决定人 理由 县区
    项目 值 台账 居民医保 城居保 新生儿登记 低保 暂住证 人口普查
    信息错误已人工更正 重复参保已由经办机构清理 双月调度 实际值 自评分 已核实入库
    常住人口 抽查表 抽查 数据表 评估表 汇总表 法定群体 经办人 户籍 流动人口
    养老 医疗 工伤 失业 生育 登记注册单位 参保单位 参保 年 月 日 一 二 跨地市 跨省
"""
KEPT_IN_ENGLISH = _KEPT.split()


@cache
def helps(lang: str) -> dict[str, str]:
    """The help of every command under ``LANG=lang`` (no CANBAO_LANG, no other locale variable)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.pop("CANBAO_LANG", None)
    env |= {"LANG": lang, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-c", HELPS], capture_output=True, text=True, env=env, cwd=ROOT,
        encoding="utf-8", timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found: dict[str, str] = json.loads(done.stdout)
    return found


def _join(text: str, line: str) -> str:
    """``line`` appended to ``text`` as wrapped: no space where a CJK word was broken."""
    line = line.strip()
    if CJK.match(text[-1:]) or CJK.match(line[:1]):
        return text + line
    return f"{text} {line}".strip()


def _entries(text: str) -> tuple[str, list[str]]:
    """The description (example lines left out) and each option or argument entry of a help."""
    description = ""
    entries: list[str] = []
    in_sections = False
    for line in text.splitlines():
        if line and not line.startswith(" "):
            in_sections = not line.startswith(("Usage", "用法"))
            continue
        if not in_sections:
            if not line.strip().startswith("canbao "):
                description = _join(description, line)
        elif line.startswith("  ") and not line.startswith("   "):
            entries.append(line.strip())
        elif entries:
            entries[-1] = _join(entries[-1], line)
    return description, entries


def _english(text: str) -> str:
    """``text`` without the Chinese words English keeps on purpose."""
    for term in sorted(KEPT_IN_ENGLISH, key=len, reverse=True):
        text = text.replace(term, "")
    return text


@pytest.mark.parametrize("lang", ["zh_CN.UTF-8", "C.UTF-8"])
def test_help_is_chinese(lang: str) -> None:
    """Under a Chinese or C locale every help, description and option text is Chinese."""
    english = []
    for command, text in helps(lang).items():
        description, entries = _entries(text)
        assert text.startswith("用法: canbao"), command
        assert CJK.search(description), f"{command}: {description}"
        english += [f"{command}: {entry}" for entry in entries if not CJK.search(entry)]
    assert english == []


def test_help_is_english() -> None:
    """Under an English locale no help says more Chinese than the terms it keeps on purpose."""
    chinese = []
    for command, text in helps("en_US.UTF-8").items():
        description, entries = _entries(text)
        assert text.startswith("Usage: canbao"), command
        chinese += [
            f"{command}: {part}" for part in [description, *entries] if CJK.search(_english(part))
        ]
    assert chinese == []


def test_every_command_was_seen() -> None:
    """The walk reached the application, every command and the groups' subcommands."""
    found = set(helps("en_US.UTF-8"))
    assert {"canbao", "canbao match", "canbao forms survey", "canbao rules check"} <= found
