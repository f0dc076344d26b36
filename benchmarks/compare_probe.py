"""The compare grid as a person meets it: `c` in pivot's pty, timed until the grid is on screen.

    python benchmarks/compare_probe.py --db STORE [--data CORPUS] [--rounds 3]

Runs pivot in the pty of benchmarks/pty_probe.py (120x40, the screen emulated with pyte once
the output is read). Per round, one pivot process: once its first rows are on screen and the
explorer has finished its own start-up work (`settle`: at a million claims its facets, counts
and entity list take a core's half for ~5 s after the first rows), `c`
opens the comparison of the two most-covered companies (the first picks; at a million claims
the two largest entities), timed from the key to the first frame that shows the grid: its
title names both, its header row too, and the first row's cells are drawn. Then the floor in
the same process: the bar given a filter naming two of the smallest companies, enter, `c`,
timed the same way (the same screen for entities of a few claims). Prints one JSON object:
{"large": [ms...], "small": [ms...], "entities": {...}}.

The entities are read from the store with sqlite3 (the same order as pivot's first picks:
companies by claim count, then name); nothing of pivot is imported.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pty_probe


def companies(db: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """((id, name) of the two most-covered companies, the same of two of the least covered
    that have claims)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        large = conn.execute(
            "SELECT id, name FROM entities WHERE kind = 'company' ORDER BY claim_count DESC, name, id LIMIT 2"
        ).fetchall()
        small = conn.execute(
            "SELECT id, name FROM entities WHERE kind = 'company' AND claim_count >= 3 ORDER BY claim_count, name, id LIMIT 2"
        ).fetchall()
    finally:
        conn.close()
    return [tuple(r) for r in large], [tuple(r) for r in small]


def grid_shown(names: list[str]):
    """The grid of `names` is on screen: the title names both, the header row does too, and
    the first body row is drawn (a cell's text or its '·')."""
    title = " vs ".join(names)

    def check(lines: list[str]) -> bool:
        top = next((i for i, line in enumerate(lines) if "Comparison:" in line), None)
        if top is None or title[:60] not in lines[top]:
            return False
        body = lines[top + 1 : top + 6]
        if len(body) < 4 or not all(n[:20] in body[0] for n in names):
            return False
        first = body[2]
        return "│" in first and first.split("│", 2)[-1].strip() not in ("", "…")

    return check


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(term: pty_probe.Term, window: float = 0.5, busy: float = 0.03, timeout: float = 60.0) -> float:
    """Wait until the explorer has finished its own start-up work (its facets, counts and
    entity list: at a million claims ~5 s after the first rows, about a core's half): until
    it uses under `busy` CPU seconds in `window`. Returns the seconds waited. The key is then
    timed against the compare path alone, as the floor (two small entities, later in the same
    process) is; the start-up work has its own row (cold start)."""
    start = time.perf_counter()
    last = cpu_seconds(term.pid)
    while time.perf_counter() - start < timeout and not term.closed:
        term.idle(window)
        now = cpu_seconds(term.pid)
        if now - last < busy:
            break
        last = now
    return time.perf_counter() - start


def one_round(db: Path, data: Path | None, large: list[tuple[str, str]], small: list[tuple[str, str]], env: dict) -> dict:
    term = pty_probe.spawn(db, data, env)
    out: dict = {}
    try:
        if term.wait_for(lambda s: sum(1 for line in s if "│" in line) > 5, 180) is None:
            raise RuntimeError("the explorer never showed its rows:\n" + "\n".join(term.screen.display))
        term.idle(2.0)
        out["settled_s"] = settle(term)
        for key, picks in (("large", large), ("small", small)):
            if key == "small":  # a filter naming the two, submitted, then c
                term.write("\x1b")  # back to the explorer
                term.idle(1.0)
                term.write("/")
                term.idle(0.3)
                term.write(b"\x1b[200~" + " ".join(f"company:{i}" for i, _ in picks).encode() + b"\x1b[201~")
                term.idle(2.0)
                term.write("\r")
                term.idle(1.0)
            check = grid_shown([n for _, n in picks])
            at = term.write("c")
            end = time.perf_counter() + 60
            shown = None
            while shown is None and time.perf_counter() < end and not term.closed:
                term.read(0.05)
                shown = term.catch_up(lambda t, s, c=check: c(s))
            if shown is None:
                raise RuntimeError(f"the {key} grid never showed:\n" + "\n".join(term.screen.display))
            out[key] = (shown - at) * 1000
            term.idle(1.5)
    finally:
        term.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--data", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(pty_probe.COLS), LINES=str(pty_probe.LINES))
    env.pop("NO_COLOR", None)
    large, small = companies(args.db)
    rounds = [one_round(args.db, args.data, large, small, env) for _ in range(args.rounds)]
    print(
        json.dumps(
            {
                "large": [r["large"] for r in rounds],
                "small": [r["small"] for r in rounds],
                "entities": {"large": [i for i, _ in large], "small": [i for i, _ in small]},
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
