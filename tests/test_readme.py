"""Every optanim command line in README.md parses and names scenes that load: a flag or a scene file
that does not exist fails here, not in front of a class. Nothing is rendered (--check)."""

from __future__ import annotations

import glob
import re
import shlex
from pathlib import Path

import pytest

from optanim import cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
#: How a command line starts, and how many of its words are the program.
PROGRAMS = {("optanim",): 1, (".venv/bin/optanim",): 1}
PROGRAMS.update({(python, "-m", "optanim"): 3 for python in ("python", "python3", ".venv/bin/python")})


def code_lines(markdown: str) -> list[str]:
    """The lines of the fenced code blocks, and of the indented ones (four spaces or a tab)."""
    lines, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif fenced or line.startswith(("    ", "\t")):
            lines.append(line.strip())
    return lines


def commands(markdown: str) -> list[list[str]]:
    """The arguments of each optanim command (after `&&` or `;` too), comments dropped; none of
    the benchmark's (optanim.bench), which has a parser of its own."""
    found = []
    for line in code_lines(markdown):
        for part in re.split(r"&&|;", line):
            try:
                words = shlex.split(part, comments=True)
            except ValueError:  # a line of Python, not of a shell
                continue
            for program, length in PROGRAMS.items():
                if tuple(words[:length]) == program:
                    found.append(words[length:])
    return found


def expand(args: list[str]) -> list[str]:
    """Shell globs (scenes/exp*.py) as the shell in the repository's root would expand them."""
    expanded = []
    for arg in args:
        matches = sorted(glob.glob(arg, root_dir=ROOT)) if glob.has_magic(arg) else []
        expanded += matches or [arg]
    return expanded


LINES = commands(README.read_text(encoding="utf-8"))


def test_the_readme_has_command_lines_to_check():
    assert LINES, "README.md shows no optanim command line"


def test_commands_are_found_in_fences_chains_and_comments():
    markdown = ("Run:\n\n```sh\n$ ignored\npython -m optanim scenes/exp1.py -ql  # all views\n"
                "python3 -m venv .venv && .venv/bin/python -m optanim scenes/exp*.py\n"
                "python -m optanim.bench --quick\n```\n\n    optanim --help\n\nprose: optanim nothing\n")
    assert commands(markdown) == [["scenes/exp1.py", "-ql"], ["scenes/exp*.py"], ["--help"]]
    assert expand(["scenes/exp*.py", "-ql"])[-1] == "-ql"
    assert "scenes/exp1.py" in expand(["scenes/exp*.py"]) and "scenes/exp*.py" not in expand(["scenes/exp*.py"])


@pytest.mark.parametrize("args", LINES, ids=[" ".join(a) for a in LINES])
def test_readme_command_parses_and_its_scenes_load(args, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    args = expand(args)
    if "--help" in args or "-h" in args:
        with pytest.raises(SystemExit) as done:
            cli.parser().parse_args(args)
        assert done.value.code == 0
        return
    if "--info" in args or "--from" in args:  # they read a file a render makes: parse only
        parsed = cli.parser().parse_args(args)
        assert (parsed.info or parsed.from_file).suffix and not parsed.scenes
        return
    # Our --out last (argparse keeps the last): --clear-cache then clears an empty folder.
    # An unknown flag exits (SystemExit: 2), a missing scene raises OptanimError: either fails.
    assert cli.run([*args, "--check", "--out", str(tmp_path)]) == 0
