"""The command line on a real pseudo-terminal: `TERM=dumb` gets plain text, `NO_COLOR` no
colour, the tables fit a 40-column terminal, and on a colour terminal the only escape
sequences pivot writes are its own styles (the hostile corpus, conftest.py, tries others).
Each test runs `python -m tui` with a pty as stdin, stdout and stderr.
"""

from __future__ import annotations

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


def run_in_pty(args: list, env: dict, cols: int = 40, rows: int = 12) -> tuple[int, str]:
    """Run `pivot args` with a pseudo-terminal as stdin, stdout and stderr."""
    import fcntl
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("PIVOT_", "COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM"))
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", *map(str, args)],
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
    code = proc.wait(timeout=120)
    return code, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


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
    extra = [] if args[0] == "check" else ["--db", small_db]
    code, out = run_in_pty([*args, "--data", SMALL, *extra], {"TERM": "dumb"})
    assert code == 0, out
    assert "\x1b" not in out
    assert EXPECTED[args[0]] in out


@pytest.mark.parametrize("term", ["xterm-256color", "dumb"])
@pytest.mark.parametrize("args", COMMANDS[:4], ids=[a[0] for a in COMMANDS[:4]])
def test_tables_fit_a_40_column_terminal(small_db: Path, args: list[str], term: str) -> None:
    """A table wider than the terminal wraps every row into a jumble: Rich must draw it
    at the terminal's width, whatever TERM says."""
    code, out = run_in_pty([*args, "--data", SMALL, "--db", small_db], {"TERM": term}, cols=40, rows=12)
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
    code, out = run_in_pty([*args, "--data", SMALL, "--db", small_db], {"TERM": "xterm-256color", "NO_COLOR": "1"}, cols=120)
    assert code == 0, out
    assert _colour_codes(out) == []
    assert ("19 of 19 claims" if args[0] == "list" else "Microsoft") in out


def test_with_colour_the_only_escapes_are_rich_styles(hostile) -> None:
    """On a colour terminal the hostile corpus produces style codes (SGR) and nothing
    else: no screen clearing, no title change, no hyperlink, no cursor movement."""
    data, db_path = hostile
    for args in (["list"], ["compare", "acme", "other"], ["entities"], ["sources"]):
        code, out = run_in_pty([*args, "--data", data, "--db", db_path], {"TERM": "xterm-256color"}, cols=200)
        assert code == 0, out
        assert SGR.search(out), "expected some styling on a colour terminal"
        others = [m.group(0) for m in ANY_ESCAPE.finditer(out) if not SGR.fullmatch(m.group(0))]
        assert others == [], (args, others[:5])
        assert "\r" not in out.replace("\n", "") and "\x07" not in out
