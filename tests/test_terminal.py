"""The command line on a real pseudo-terminal: `TERM=dumb` gets plain text, `NO_COLOR` no
colour, the tables fit a 40-column terminal, and on a colour terminal the only escape
sequences pivot writes are its own styles (the hostile corpus, conftest.py, tries others).
Each terminal (its TERM, NO_COLOR and width) is one child process with a pty as stdin,
stdout and stderr, in which pivot's click group (what `pivot CMD` runs: tui.launch) answers
each command of the tests in turn, its output and exit code kept apart per command.
"""

from __future__ import annotations

import functools
import json
import os
import pty
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from helpers import SMALL

# The commands one after the other in one process on the terminal, each followed by a line
# with its exit code (click ends every command with SystemExit, as in `pivot CMD`).
COMMANDS_IN_TURN = """
import json, sys
from tui.cli import main
for args in json.loads(sys.argv[1]):
    try:
        main(args, prog_name="pivot")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    sys.stdout.write("\\n@@ pivot exited " + str(code) + "\\n")
    sys.stdout.flush()
"""
END = "@@ pivot exited "  # as COMMANDS_IN_TURN writes it


def run_in_pty(commands: list[list], env: dict, cols: int = 40, rows: int = 12) -> list[tuple[int, str]]:
    """`pivot ARGS` of each command on a pseudo-terminal of cols x rows with env: the exit
    code and what was written of each, in order (one child for the lot, kept for the tests
    that ask again)."""
    return _in_pty(tuple(tuple(map(str, c)) for c in commands), tuple(sorted(env.items())), cols, rows)


@functools.cache
def _in_pty(commands: tuple[tuple[str, ...], ...], env: tuple, cols: int, rows: int) -> list[tuple[int, str]]:
    out = _run_in_pty(list(commands), dict(env), cols, rows)
    parts = out.split(END)
    assert len(parts) == len(commands) + 1, out[-2000:]
    answers = []
    for i in range(len(commands)):
        text = parts[i] if i == 0 else parts[i].split("\n", 1)[1]
        code = int(parts[i + 1].split("\n", 1)[0])
        answers.append((code, text.removesuffix("\n")))
    return answers


def _run_in_pty(commands: list[tuple[str, ...]], env: dict, cols: int, rows: int) -> str:
    import fcntl
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("PIVOT_", "COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM"))
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", COMMANDS_IN_TURN, json.dumps(commands)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**base, **env},
        close_fds=True,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


COMMANDS = [["list"], ["compare", "meta", "microsoft"], ["sources"], ["entities"], ["check"]]


EXPECTED = {
    "list": "19 of 19 claims",
    "compare": "Microsoft",
    "sources": "Alpha",
    "entities": "meta",
    "check": "ok: 3 sources, 5 entities, 19 claims, 3 conflicts",
}


@pytest.mark.parametrize("args", COMMANDS, ids=[a[0] + ("-" + a[1] if len(a) > 1 else "") for a in COMMANDS])
def test_term_dumb_gets_plain_text(small_db: Path, args: list[str]) -> None:
    commands = [[*a, "--data", SMALL, *([] if a[0] == "check" else ["--db", small_db])] for a in COMMANDS]
    code, out = run_in_pty(commands, {"TERM": "dumb"})[COMMANDS.index(args)]
    assert code == 0, out
    assert "\x1b" not in out
    assert EXPECTED[args[0]] in out


@pytest.mark.parametrize("term", ["xterm-256color", "dumb"])
@pytest.mark.parametrize("args", COMMANDS[:4], ids=[a[0] for a in COMMANDS[:4]])
def test_tables_fit_a_40_column_terminal(small_db: Path, args: list[str], term: str) -> None:
    """A table wider than the terminal wraps every row into a jumble: Rich must draw it
    at the terminal's width, whatever TERM says."""
    commands = [[*a, "--data", SMALL, "--db", small_db] for a in COMMANDS[:4]]
    code, out = run_in_pty(commands, {"TERM": term}, cols=40, rows=12)[COMMANDS.index(args)]
    assert code == 0, out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    too_wide = [line for line in plain.splitlines() if cell_len(line) > 40]
    assert too_wide == [], f"{len(too_wide)} lines wider than 40 columns, e.g. {too_wide[0]!r}"
    if args[0] == "list":
        assert "19 of 19 claims" in plain
    if args[0] == "compare":  # both entities compared, not one of them cropped away
        # too narrow for columns: each row lists the entities one under the other
        lines = plain.splitlines()
        assert any(line.strip().startswith("Meta") for line in lines[1:]), plain
        assert any(line.strip().startswith("Micro") for line in lines[1:]), plain


SGR = re.compile(r"\x1b\[([0-9;]*)m")


ANY_ESCAPE = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07\x1b]*(\x07|\x1b\\)|.)")


def _colour_codes(out: str) -> list[str]:
    found = []
    for params in SGR.findall(out):
        parts = [p for p in params.split(";") if p]
        for p in parts:
            n = int(p)
            if 30 <= n <= 49 or 90 <= n <= 107:
                found.append(p)
    return found


@pytest.mark.parametrize("args", COMMANDS[:2], ids=["list", "compare"])
def test_no_color_gets_no_colour(small_db: Path, args: list[str]) -> None:
    commands = [[*a, "--data", SMALL, "--db", small_db] for a in COMMANDS[:2]]
    code, out = run_in_pty(commands, {"TERM": "xterm-256color", "NO_COLOR": "1"}, cols=120)[COMMANDS.index(args)]
    assert code == 0, out
    assert _colour_codes(out) == []
    assert ("19 of 19 claims" if args[0] == "list" else "Microsoft") in out


def test_with_colour_the_only_escapes_are_rich_styles(hostile) -> None:
    """On a colour terminal the hostile corpus produces style codes (SGR) and nothing
    else: no screen clearing, no title change, no hyperlink, no cursor movement."""
    data, db_path = hostile
    commands = [
        [*a, "--data", data, "--db", db_path] for a in (["list"], ["compare", "acme", "other"], ["entities"], ["sources"])
    ]
    for args, (code, out) in zip(commands, run_in_pty(commands, {"TERM": "xterm-256color"}, cols=200)):
        assert code == 0, out
        assert SGR.search(out), "expected some styling on a colour terminal"
        others = [m.group(0) for m in ANY_ESCAPE.finditer(out) if not SGR.fullmatch(m.group(0))]
        assert others == [], (args, others[:5])
        assert "\r" not in out.replace("\n", "") and "\x07" not in out
