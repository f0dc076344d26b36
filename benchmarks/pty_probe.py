"""Keystrokes as a person meets them: pivot in a real pty, the screen emulated with pyte.

    python benchmarks/pty_probe.py --db STORE --data CORPUS [--query "layoffs cuts"] [--pace person|fast] [--rounds 3]

The `pivot` process runs in a pseudo-terminal of 120x40; keys are written into it as a
terminal writes them (one byte string per key, on a schedule: a person's 150-200 ms
between keys, a fast typist's 40-60 ms, never waiting for the screen; each key stamped
just before it is written), and everything the process writes is read as it comes and
stamped when it was read. Only after the round is it fed to a pyte screen, chunk by
chunk in order, so the emulator takes no core from pivot while it is timed. Nothing of
the app is imported: what counts is what the emulated screen shows.

For every prefix of the query (`l`, `la`, ... `layoffs cuts`) the rows it must show come
from the real CLI (`pivot list PREFIX --limit 5`, the same filter language and order), and
its facets from a reference pass in which the same keys are typed slowly and the facet
pane is read once it has been still for a while. A key's rows are shown at the first
frame after it was written in which the screen shows the typed text and the first rows
of its result on consecutive lines (an empty result: the previous rows gone; a key that
changes neither, the space after a word, counts at the first output after it); a key whose
rows are not shown before the next key is written is a failure, kept in the figures
(as never: it sorts last). Its facets are shown when the facet pane reads as the reference
pane of that text; a key whose facets never showed before a later key's rows did is
counted apart when that later key's rows came within the facets' goal (FACETS_GOAL: its
facets were due no sooner, and once the rows changed they would be wrong), and as never
otherwise; at a fast typist's pace most are overtaken: the pane of the text typed last is
the one a person waits for, reported on its own.

The same keys at the same pace into a bare Textual app's Input, timed until they are
echoed, are the floor of a keystroke. Then `key:value` filters (FILTERS) are pasted whole,
as a terminal pastes (bracketed), each timed until its rows are on screen.

Prints one JSON object: per key the text, echo_ms (the text in the bar, whatever the
rows), rows_ms (None: failure), facets_ms (None: not shown), overtaken_ms (a later key's
rows came first, this long after it); per round the pivot process's own peak RSS (VmHWM
from /proc/<pid>/status) and its CPU a key (cpu_ms_per_key: every thread, from the first
key to TAIL after the last); the bare Input's echo per key ("echo") and its CPU a key
("echo_cpu_ms_per_key"); each pasted filter's rows_ms ("paste").
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import math
import os
import pty
import random
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pyte

COLS, LINES = 120, 40
PACES = {"person": (0.150, 0.200), "fast": (0.040, 0.060)}
REF_ROWS = 5  # rows of each result compared on screen
PREFIX = 14  # characters of each row's claim compared (the column is wider at 120 columns)
FRAME = re.compile("[│▊▎▏▕┃║]")  # what stands between panes and at their edges
WAITS = 1.0  # TAIL, WAIT and the pause between two pastes are multiplied by this (--waits: a smoke run's same steps, shorter)


def pivot_cmd() -> list[str]:
    return [sys.executable, "-m", "tui"]


class Term:
    """One process in a pty. Its output is read as it comes and stamped with the time it was
    read; the pyte screen is fed later (catch_up), so that emulating the terminal never takes
    a core from the process measured while it is being timed."""

    def __init__(self, cmd: list[str], env: dict) -> None:
        self.screen = pyte.Screen(COLS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        self.chunks: list[tuple[float, bytes]] = []  # (time read, bytes)
        self.fed = 0  # chunks fed to the screen so far
        self.t0 = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # child
            try:
                os.execvpe(cmd[0], cmd, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLS, 0, 0))
        self.closed = False

    def write(self, data: str | bytes) -> float:
        """Write data as typed; returns the time just before it was written (a probe taken off
        its core right after the write would otherwise stamp the key after pivot answered it)."""
        t = time.perf_counter()
        os.write(self.fd, data.encode() if isinstance(data, str) else data)
        return t

    def read(self, timeout: float) -> bool:
        """Read what is there, waiting at most timeout for the first bytes; False when nothing came."""
        got = False
        wait = max(0.0, timeout)
        while not self.closed:
            ready, _, _ = select.select([self.fd], [], [], wait)
            if not ready:
                break
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError:
                data = b""
            if not data:
                self.closed = True
                break
            self.chunks.append((time.perf_counter(), data))
            got = True
            wait = 0.0
        return got

    def catch_up(self, each: Callable[[float, list[str]], bool] | None = None) -> float | None:
        """Feed the screen every chunk read so far; with each(time read, screen lines) called
        after every chunk, stop at (and return the time of) the first for which it is true."""
        while self.fed < len(self.chunks):
            t, data = self.chunks[self.fed]
            self.fed += 1
            self.stream.feed(data)
            if each is not None and each(t, self.screen.display):
                return t
        return None

    def wait_for(self, check: Callable[[list[str]], bool], timeout: float, marker: bytes = b"") -> float | None:
        """Seconds from spawn to the first chunk after which check(screen lines) holds. The screen
        is only fed once the raw output holds marker (cheap to look for), or after a second
        without it, so that the probe takes no core from the process while it starts."""
        deadline = time.perf_counter() + timeout
        seen = b""
        while True:
            got = self.read(min(0.1, max(0.0, deadline - time.perf_counter())))
            if got:
                seen = (seen + b"".join(c for _, c in self.chunks[-8:]))[-(1 << 16) :]
            late = time.perf_counter() - self.t0 > 1.0
            if not marker or marker in seen or late or self.closed:
                t = self.catch_up(lambda _, lines: check(lines))
                if t is not None:
                    return t - self.t0
            if self.closed or time.perf_counter() >= deadline:
                return None

    def idle(self, seconds: float) -> None:
        """Keep reading (and showing) for seconds."""
        end = time.perf_counter() + seconds
        while time.perf_counter() < end and not self.closed:
            self.read(end - time.perf_counter())
        self.catch_up()

    def peak_rss_mb(self) -> float | None:
        """VmHWM of the process in the pty (pivot itself, not this probe)."""
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def cpu_ms(self) -> float | None:
        """CPU time (user + system, every thread) the process in the pty has used so far."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def first_paint(cmd: list[str], check: Callable[[list[str]], bool], env: dict, marker: bytes = b"", timeout: float = 60) -> float:
    """Seconds from spawning cmd in the pty to the first frame where check(screen) holds."""
    term = Term(cmd, env)
    try:
        t = term.wait_for(check, timeout, marker)
        if t is None:
            raise RuntimeError(f"no first paint within {timeout}s; the screen:\n" + "\n".join(term.screen.display))
        return t
    finally:
        term.close()


# --- what the screen must show ---------------------------------------------------------------


def list_rows(text: str, db: Path, data: Path | None, env: dict, limit: int = REF_ROWS) -> list[str]:
    """The first claims (their text, as `pivot list` prints them) that a query selects."""
    cmd = pivot_cmd() + ["list", "--limit", str(limit), "--db", str(db)]
    if data is not None:
        cmd += ["--data", str(data)]
    cmd += ["--", text]  # a query may begin with "-" (a negation)
    out = subprocess.run(cmd, capture_output=True, text=True, env=dict(env, COLUMNS="400"))
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {out.stderr[-2000:]}")
    lines = out.stdout.splitlines()
    head = next((i for i, line in enumerate(lines) if " Claim " in line), None)
    if head is None:
        raise RuntimeError(f"`pivot list` printed no Claim column: {out.stdout[:500]!r}")
    start = lines[head].index(" Claim ") + 1
    rest = lines[head][start + len("Claim") :]
    end = start + len("Claim") + (len(rest) - len(rest.lstrip())) if rest.strip() else None
    rows = []
    for line in lines[head + 2 :]:
        if not line.strip():
            break
        rows.append(line[start:end].strip())
    return rows[:limit]


def rows_shown(lines: list[str], rows: list[str]) -> bool:
    """The claims' texts begin consecutive screen lines, in order (as the table draws them)."""
    want = [r[:PREFIX] for r in rows]
    if not want:
        return False
    for i, line in enumerate(lines[: len(lines) - len(want) + 1]):
        if want[0] in line and all(w in lines[i + k] for k, w in enumerate(want)):
            return True
    return False


def text_shown(lines: list[str], text: str) -> bool:
    """Some pane's line (the query bar's) begins with the text typed."""
    t = text.strip()
    return any(part.strip().startswith(t) for line in lines for part in FRAME.split(line))


def pane(lines: list[str], title: str) -> tuple[str, ...] | None:
    """The text inside the box titled `title` (its bottom border and subtitle included)."""
    for y, line in enumerate(lines):
        at = line.find(f"─ {title} ")
        if at < 0:
            continue
        left = line.rfind("╭", 0, at)
        right = line.find("╮", at)
        if left < 0 or right < 0:
            continue
        out = []
        for below in lines[y + 1 :]:
            out.append(below[left + 1 : right])
            if below[left : left + 1] == "╰":
                break
        return tuple(out)
    return None


# --- the probe --------------------------------------------------------------------------------


def prefixes(query: str) -> list[str]:
    return [query[: i + 1] for i in range(len(query))]


def references(db: Path, data: Path | None, query: str, env: dict) -> dict:
    """Rows of "" and of every prefix (from the CLI), then the facet pane of each (a slow
    pass in the explorer, each key's pane read once it has been still for STILL seconds)."""
    texts = ["", *prefixes(query)]
    rows = {t: list_rows(t, db, data, env) for t in texts}
    if not rows[""]:
        raise RuntimeError("the store has no claims to show")
    top = top_entity(db, data, env)
    filters = {f.format(top=top): list_rows(f.format(top=top), db, data, env) for f in FILTERS}
    facets: dict[str, tuple[str, ...] | None] = {}
    term = spawn(db, data, env)
    try:
        if term.wait_for(lambda s: rows_shown(s, rows[""]), 120) is None:
            raise RuntimeError("the explorer never showed its first rows:\n" + "\n".join(term.screen.display))
        facets[""] = still_pane(term)
        term.write("/")
        term.idle(0.3)
        for i, t in enumerate(texts[1:]):
            term.write(t[-1])
            want = want_rows(rows[t], shown_before(rows, texts[1:], i))
            if term.wait_for(lambda s, t=t, w=want: text_shown(s, t) and w(s), 30) is None:
                raise RuntimeError(
                    f"the explorer's rows for {t!r} never matched `pivot list {t!r}`:\n"
                    + "\n".join(rows[t])
                    + "\nthe screen:\n"
                    + "\n".join(term.screen.display)
                )
            facets[t] = still_pane(term)
    finally:
        term.close()
    return {"rows": rows, "filters": filters, "facets": {t: list(f) if f is not None else None for t, f in facets.items()}}


STILL = 1.5  # seconds the facet pane must not change to count as settled (reference pass)
TAIL = 3.0  # seconds read without emulating after the last key of a timed round


def still_pane(term: Term, timeout: float = 30) -> tuple[str, ...] | None:
    end = time.perf_counter() + timeout
    last = pane(term.screen.display, "Facets")
    since = time.perf_counter()
    while time.perf_counter() < end:
        term.read(0.05)
        term.catch_up()
        now = pane(term.screen.display, "Facets")
        if now != last:
            last, since = now, time.perf_counter()
        elif time.perf_counter() - since >= STILL:
            break
    return last


def shown_before(rows: dict, texts: list[str], i: int) -> list[str]:
    """The rows on screen before texts[i]'s: the last non-empty result typed before it."""
    for t in reversed(texts[:i]):
        if rows[t]:
            return rows[t]
    return rows[""]


def want_rows(rows: list[str], shown: list[str]) -> Callable[[list[str]], bool]:
    """The check for a result: its rows on screen, or for an empty result the rows before it gone."""
    if rows:
        return lambda s: rows_shown(s, rows)
    return lambda s: not rows_shown(s, shown)


def spawn(db: Path, data: Path | None, env: dict) -> Term:
    cmd = pivot_cmd() + ["--db", str(db)]
    if data is not None:
        cmd += ["--data", str(data)]
    return Term(cmd, env)


def marker_of(rows: list[str]) -> bytes:
    """A piece of the first row's text, to look for in the raw output before emulating it."""
    return rows[0][:PREFIX].split()[0].encode() if rows else b""


def type_round(db: Path, data: Path | None, query: str, refs: dict, pace: str, rng: random.Random, env: dict) -> dict:
    """One pivot process: wait for its first rows and a second more, `/`, then the query typed
    on the pace's schedule (never waiting for the screen). The screen is replayed afterwards,
    chunk by chunk in the order and at the times they were read, to time each key."""
    rows = refs["rows"]
    ref_facets = {t: tuple(f) if f is not None else None for t, f in refs["facets"].items()}
    texts = prefixes(query)
    term = spawn(db, data, env)
    try:
        if term.wait_for(lambda s: rows_shown(s, rows[""]), 120, marker_of(rows[""])) is None:
            raise RuntimeError("the explorer never showed its first rows:\n" + "\n".join(term.screen.display))
        term.idle(1.0)  # a person looks at the screen before typing
        term.write("/")
        term.idle(0.3)
        lo, hi = PACES[pace]
        at: list[float] = []
        cpu0 = term.cpu_ms()
        t_next = time.perf_counter()
        for t in texts:
            while (now := time.perf_counter()) < t_next:
                term.read(t_next - now)
            at.append(term.write(t[-1]))
            t_next = at[-1] + rng.uniform(lo, hi)
        end = time.perf_counter() + TAIL * WAITS
        while (now := time.perf_counter()) < end:
            term.read(end - now)
        cpu1 = term.cpu_ms()
        judge = Judge(texts, at, rows, ref_facets)
        term.catch_up(judge.chunk)
        end = time.perf_counter() + 30
        while not judge.done() and time.perf_counter() < end and not term.closed:
            term.read(0.2)
            term.catch_up(judge.chunk)
        rss = term.peak_rss_mb()
    finally:
        term.close()
    cpu = None if cpu0 is None or cpu1 is None else (cpu1 - cpu0) / len(texts)
    return {"keys": judge.finish(), "peak_rss_mb": rss, "writes_s": [a - at[0] for a in at], "cpu_ms_per_key": cpu}


FILTERS = [  # pasted whole (as a terminal pastes: bracketed), as one picks a facet or pastes a query
    "company:{top}",
    "topic:job-cuts",
    "status:estimated period:2025",
    "is:conflict",
    "value>=80b",
    "company:{top} layoffs",
    "-status:reported",
]


def top_entity(db: Path, data: Path | None, env: dict) -> str:
    """The id of the entity with the most claims, as `pivot entities` lists it first."""
    cmd = pivot_cmd() + ["entities", "--db", str(db)] + (["--data", str(data)] if data is not None else [])
    out = subprocess.run(cmd, capture_output=True, text=True, env=dict(env, COLUMNS="400"), check=True).stdout.splitlines()
    head = next(i for i, line in enumerate(out) if line.split()[:1] == ["Id"])
    return out[head + 2].split()[0]


def paste_round(db: Path, data: Path | None, refs: dict, env: dict) -> list[dict]:
    """One pivot process: each filter pasted into the query bar, timed until its rows are on
    screen (the raw output is kept unemulated for WAIT seconds, then replayed); ctrl+u and the
    unfiltered rows between two filters. Facets are not timed here: a filter that is not a
    text search counts them exactly or from a sample, whichever fits its time budget, so the
    pane has no single reference."""
    rows = refs["rows"]
    term = spawn(db, data, env)
    got = []
    try:
        if term.wait_for(lambda s: rows_shown(s, rows[""]), 120, marker_of(rows[""])) is None:
            raise RuntimeError("the explorer never showed its first rows:\n" + "\n".join(term.screen.display))
        term.idle(1.0)
        term.write("/")
        term.idle(0.3)
        for f, want in refs["filters"].items():
            check = want_rows(want, rows[""])
            at = term.write(b"\x1b[200~" + f.encode() + b"\x1b[201~")
            end = at + WAIT * WAITS
            while (now := time.perf_counter()) < end:
                term.read(end - now)
            shown = term.catch_up(lambda t, s, f=f, c=check: text_shown(s, f) and c(s))
            end = time.perf_counter() + 30
            while shown is None and time.perf_counter() < end and not term.closed:
                term.read(0.1)
                shown = term.catch_up(lambda t, s, f=f, c=check: text_shown(s, f) and c(s))
            got.append({"text": f, "rows_ms": None if shown is None else (shown - at) * 1000, "same_page": want == rows[""]})
            term.write("\x15")  # ctrl+u: the bar emptied
            if term.wait_for(lambda s: rows_shown(s, rows[""]), 30) is None:
                raise RuntimeError("ctrl+u did not bring the unfiltered rows back:\n" + "\n".join(term.screen.display))
            term.idle(0.5 * WAITS)
    finally:
        term.close()
    return got


WAIT = 2.0  # seconds a pasted filter's output is read before it is emulated


BARE_INPUT = """
from textual.app import App
from textual.widgets import Input, Static
class Bare(App):
    def compose(self):
        yield Input()
        yield Static("BARE-INPUT-READY")
Bare().run()
"""


def echo_round(query: str, pace: str, rng: random.Random, env: dict, cpu: list[float] | None = None) -> list[float | None]:
    """The floor of a keystroke: the same keys at the same pace into a bare Textual app's
    Input, each timed until the screen shows the text typed so far (None: not before the next key).
    With `cpu`, the bare app's CPU a key (from the first key to a second after the last) is
    appended to it: a figure the machine's load changes far less than the times."""
    term = Term([sys.executable, "-c", BARE_INPUT], env)
    texts = prefixes(query)
    try:
        if term.wait_for(lambda s: any("BARE-INPUT-READY" in line for line in s), 60, b"BARE-INPUT-READY") is None:
            raise RuntimeError("the bare Textual app never showed:\n" + "\n".join(term.screen.display))
        term.idle(1.0)
        lo, hi = PACES[pace]
        at: list[float] = []
        cpu0 = term.cpu_ms()
        t_next = time.perf_counter()
        for t in texts:
            while (now := time.perf_counter()) < t_next:
                term.read(t_next - now)
            at.append(term.write(t[-1]))
            t_next = at[-1] + rng.uniform(lo, hi)
        end = time.perf_counter() + 1.0
        while (now := time.perf_counter()) < end:
            term.read(end - now)
        cpu1 = term.cpu_ms()
        if cpu is not None and cpu0 is not None and cpu1 is not None:
            cpu.append((cpu1 - cpu0) / len(texts))
        got: list[float | None] = [None] * len(texts)
        current = -1

        def each(t: float, lines: list[str]) -> bool:
            nonlocal current
            while current + 1 < len(at) and at[current + 1] < t:
                current += 1
            if current >= 0 and got[current] is None and text_shown(lines, texts[current]):
                got[current] = (t - at[current]) * 1000
            return False

        term.catch_up(each)
    finally:
        term.close()
    return got


class Judge:
    """Replays a round's output: for each chunk, the key written last before it was read is
    the one whose rows the screen must show; earlier keys' facets may still come."""

    def __init__(self, texts: list[str], at: list[float], rows: dict, ref_facets: dict) -> None:
        self.keys = [
            {
                "text": t,
                "at": a,
                "echo_ms": None,
                "rows_ms": None,
                "facets_ms": None,
                "rows_failed": False,
                "facets_superseded": False,
                "overtaken_ms": None,  # key -> a later key's rows on screen, its facets not shown by then
            }
            for t, a in zip(texts, at)
        ]
        self.want = [want_rows(rows[t], shown_before(rows, texts, i)) for i, t in enumerate(texts)]
        for i, (t, k) in enumerate(zip(texts, self.keys)):
            # the first page is the one already on screen: it shows as soon as the text does
            k["same_page"] = rows[t] == (rows[texts[i - 1]] if i else rows[""])
        self.ref_facets = ref_facets
        self.current = -1
        self.pending: list[int] = []  # keys whose facets are awaited

    def chunk(self, t: float, lines: list[str]) -> bool:
        while self.current + 1 < len(self.keys) and self.keys[self.current + 1]["at"] < t:
            if self.current >= 0 and self.keys[self.current]["rows_ms"] is None:
                self.keys[self.current]["rows_failed"] = True  # the next key came before its rows
            self.current += 1
            self.pending.append(self.current)
        if self.current < 0:
            return False
        i, key = self.current, self.keys[self.current]
        typed = key["rows_ms"] is None and not key["rows_failed"] and text_shown(lines, key["text"])
        if typed and key["echo_ms"] is None:
            key["echo_ms"] = (t - key["at"]) * 1000  # the text in the bar, whatever the rows
        if typed and self.want[i](lines):
            key["rows_ms"] = (t - key["at"]) * 1000
            for j in self.pending:
                if j != i:
                    self.keys[j]["facets_superseded"] = True  # a later key's rows are on screen
                    self.keys[j]["overtaken_ms"] = (t - self.keys[j]["at"]) * 1000
            self.pending = [i]
        if self.pending:
            now = pane(lines, "Facets")
            for j in list(self.pending):
                k = self.keys[j]
                if k["rows_ms"] is not None and now is not None and now == self.ref_facets.get(k["text"]):
                    k["facets_ms"] = (t - k["at"]) * 1000
                    self.pending.remove(j)
        return False

    def done(self) -> bool:
        last = self.keys[-1]
        return self.current == len(self.keys) - 1 and last["rows_ms"] is not None and last["facets_ms"] is not None

    def finish(self) -> list[dict]:
        if self.keys[-1]["rows_ms"] is None:
            self.keys[-1]["rows_failed"] = True
        for k in self.keys:
            del k["at"]
        return self.keys


def summary(keys: list[dict], field: str) -> dict:
    """Median and p95 over every key, a missing figure counted as never (it sorts last)."""
    v = sorted(k[field] if k[field] is not None else math.inf for k in keys)
    if not v:
        return {"median": math.inf, "p95": math.inf, "max": math.inf, "n": 0, "missing": 0}
    p95 = v[min(len(v) - 1, math.ceil(0.95 * len(v)) - 1)]
    return {
        "median": statistics.median(v),
        "p95": p95,
        "max": v[-1],
        "n": len(v),
        "missing": sum(1 for x in v if x == math.inf),
    }


FACETS_GOAL = 300.0  # ms from a key to its facets on screen (issue 23)


def facets_summary(keys: list[dict], goal: float = FACETS_GOAL) -> tuple[dict, int]:
    """The facets' figures over the keys a person could have waited for: a key whose facets
    never showed because a later key's rows replaced its result within `goal` is left out
    (showing them then would be wrong: they are not the facets of the rows on screen; the
    goal could not be missed before the next key arrived), and counted apart. A key
    overtaken only after `goal`, or never overtaken, whose facets never showed is a miss
    (never: it sorts last)."""
    kept = [k for k in keys if not (k["facets_ms"] is None and k.get("overtaken_ms") is not None and k["overtaken_ms"] <= goal)]
    return summary(kept, "facets_ms"), len(keys) - len(kept)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--data", type=Path)
    ap.add_argument("--query", default="layoffs cuts")
    ap.add_argument("--pace", choices=sorted(PACES), action="append", help="person, fast (default: both)")
    ap.add_argument("--rounds", type=int, default=3, help="pivot processes per pace, each typing the query once")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--refs", type=Path, help="reuse the references kept in this file (written when missing)")
    ap.add_argument(
        "--waits", type=float, default=1.0, help="multiply the reads after the last key and after a paste (a smoke run: 0.25)"
    )
    args = ap.parse_args(argv)
    global WAITS
    WAITS = args.waits
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(LINES))
    env.pop("NO_COLOR", None)
    refs = None
    if args.refs is not None and args.refs.exists():
        kept = json.loads(args.refs.read_text())
        if kept.get("query") == args.query and kept.get("db") == [str(args.db), args.db.stat().st_mtime] and "filters" in kept:
            refs = kept
    if refs is None:
        refs = references(args.db, args.data, args.query, env)
        refs.update(query=args.query, db=[str(args.db), args.db.stat().st_mtime])
        if args.refs is not None:
            args.refs.write_text(json.dumps(refs))
    rng = random.Random(args.seed)
    out: dict = {"query": args.query, "paces": {}}
    for pace in args.pace or ["person", "fast"]:
        rounds = [type_round(args.db, args.data, args.query, refs, pace, rng, env) for _ in range(args.rounds)]
        out["paces"][pace] = rounds
        if args.rounds:
            cpu: list[float] = []
            out.setdefault("echo", {})[pace] = [
                ms for _ in range(args.rounds) for ms in echo_round(args.query, pace, rng, env, cpu)
            ]
            out.setdefault("echo_cpu_ms_per_key", {})[pace] = cpu
    out["paste"] = [paste_round(args.db, args.data, refs, env) for _ in range(args.rounds)]
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
