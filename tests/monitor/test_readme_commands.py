"""Docs stay honest: every `monitor ...` line in the README names a real command, and every
option it shows is one that command accepts."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_commands() -> list[list[str]]:
    blocks = README.read_text(encoding="utf-8").split("```")[1::2]
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("monitor ")]


def command_path(words: list[str]) -> list[str]:
    """The leading words that name a command or group (stop at an option or an argument)."""
    path, group = [], main
    for word in words:
        if word.startswith("-") or not hasattr(group, "commands") or word not in group.commands:
            break
        path.append(word)
        group = group.commands[word]
    return path


def test_every_readme_command_and_option_exists():
    commands = readme_commands()
    assert len(commands) >= 15
    for words in commands:
        words = [w for w in words if w not in ("[", "]")]
        path = command_path(words)
        assert path, words
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        for option in re.findall(r"(--[a-z-]+)", " ".join(words)):
            if option != "--home":
                assert option in result.output, (path, option)
