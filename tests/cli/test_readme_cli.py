"""The README's shell sessions (```console blocks) are what the CLI prints (issue 16: "the README
shows the friendlier CLI"). ``$ cat FILE`` writes the lines that follow it to FILE; every other
``$ sousei-kg …`` line is run in a terminal 100 columns wide and must print the lines that follow
it. A line ending in ``…`` stands for the rest of that line and any lines up to the next one shown."""

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO
from sousei_kg.cli.main import cli

BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)
Step = tuple[list[str], list[str]]


def sessions() -> list[list[Step]]:
    """Each console block as its commands, each with the lines shown after it."""
    found = []
    for block in BLOCK.findall((REPO / "README.md").read_text(encoding="utf-8")):
        steps: list[Step] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((shlex.split(line[2:]), []))
            else:
                steps[-1][1].append(line)
        found.append(steps)
    assert len(found) >= 2, "the README shows shell sessions of the CLI"
    return found


def matches(shown: list[str], printed: list[str]) -> bool:
    """Whether ``printed`` is ``shown``, where a line of ``shown`` ending in ``…`` matches a line
    starting with the rest of it and every line after it up to the next line shown."""
    i = 0
    for number, line in enumerate(shown):
        if line.endswith("…"):
            if i >= len(printed) or not printed[i].startswith(line[:-1]):
                return False
            following = shown[number + 1] if number + 1 < len(shown) else None
            i += 1
            while i < len(printed) and printed[i] != following:
                i += 1
            continue
        if i >= len(printed) or printed[i].rstrip() != line.rstrip():
            return False
        i += 1
    return i == len(printed)


@pytest.mark.parametrize("number", range(len(sessions())))
def test_the_readme_session_is_what_the_cli_prints(
    number: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for command, shown in sessions()[number]:
        if command[0] == "cat":
            (tmp_path / command[1]).write_text("\n".join(shown) + "\n", encoding="utf-8")
            continue
        assert command[0] == "sousei-kg", command
        result = CliRunner().invoke(cli, command[1:], env={"COLUMNS": "100"})
        printed = result.output.splitlines()
        assert matches(shown, printed), "\n".join(["README:", *shown, "printed:", *printed])


def test_an_ellipsis_stands_for_what_it_leaves_out() -> None:
    assert matches(["a", "b…", "z"], ["a", "b c d", "e", "f", "z"])
    assert not matches(["a", "b…", "z"], ["a", "c", "z"])
    assert not matches(["a"], ["a", "b"])
