"""pivot's scale benchmark: prints one table of medians with their spread.

    python benchmarks/run.py                     # 1k and 1M claims (the 1M corpus takes minutes)
    python benchmarks/run.py --sizes 1k --runs 3 # the smoke run CI does
    python benchmarks/run.py --sizes 100k,1m --work /tmp/pivot-bench

Synthetic corpora (benchmarks/synth.py) and their stores are kept under
--work and reused when their size and seed match. Every figure is a median
over --runs runs (a full build of 1M claims runs --build-runs times), with
its spread (max - min). Start-up is measured through a real pty as a whole
process, until the first frame that shows claim rows, and reported as a ratio
to a bare Textual app measured the same way in the same run. UI latencies
come from benchmarks/ui_probe.py, inside the app, headless.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pty
import select
import shutil
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import termios
import fcntl
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("BARE-APP-READY")
Bare().run()
"""


def stats(values: list[float]) -> dict:
    v = sorted(values)
    p95 = v[min(len(v) - 1, int(round(0.95 * (len(v) - 1))))]
    return {"median": statistics.median(v), "p95": p95, "spread": v[-1] - v[0], "n": len(v)}


def fmt(s: dict, unit: str = "ms", digits: int = 0) -> str:
    return f"{s['median']:,.{digits}f} {unit} (±{s['spread'] / 2:,.{digits}f}, n={s['n']})"


def pivot_cmd() -> list[str]:
    return [sys.executable, "-m", "tui"]


def ensure_corpus(work: Path, n: int, seed: int) -> Path:
    out = work / f"corpus-{n}-{seed}"
    marker = out / ".complete"
    if not marker.exists():
        print(f"  generating {n:,} claims …", file=sys.stderr)
        synth.generate(out, n, seed)
        marker.write_text("ok")
    return out


def timed(cmd: list[str], env=None) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr[-2000:]}")
    return dt, proc.stdout


def first_paint(cmd: list[str], marker: bytes, env: dict, timeout: float = 60) -> float:
    """Seconds from spawning cmd in a 120x40 pty to the first output containing marker."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(cmd[0], cmd, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    t0 = time.perf_counter()
    buf = b""
    try:
        while marker not in buf:
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"no first paint within {timeout}s: {buf[-400:]!r}")
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    data = os.read(fd, 1 << 16)
                except OSError:
                    break
                if not data:
                    break
                buf = buf[-4096:] + data
        return time.perf_counter() - t0
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def first_row_marker(db: Path) -> bytes:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    summary = conn.execute("SELECT summary FROM claims ORDER BY rowid LIMIT 1").fetchone()[0]
    conn.close()
    return summary.split()[0].encode()[:12] if len(summary.split()[0]) >= 6 else summary[:10].encode()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="pivot scale benchmark")
    ap.add_argument("--sizes", default="1k,1m")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--build-runs", type=int, default=1, help="full builds of the largest size (each takes minutes at 1M)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=Path("/tmp/pivot-bench"))
    ap.add_argument("--query", default="layoffs cuts", help="typed into the query bar, one key at a time")
    ap.add_argument("--json", type=Path, help="also write the raw figures here")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="120", LINES="40")
    env.pop("NO_COLOR", None)
    results: dict = {}
    rows: list[tuple[str, str, str]] = []

    # the bare Textual app, for the start-up ratio
    bare_script = args.work / "bare_app.py"
    bare_script.write_text(BARE_APP)
    bare = [first_paint([sys.executable, str(bare_script)], b"BARE-APP-READY", env) for _ in range(args.runs)]
    results["bare_first_paint_s"] = bare
    bare_s = stats([b * 1000 for b in bare])
    rows.append(("bare Textual app", "first paint", fmt(bare_s)))

    # the bundled corpus
    bundled_db = args.work / "bundled.db"
    timed(pivot_cmd() + ["build", "--db", str(bundled_db)], env)
    marker = first_row_marker(bundled_db)
    cold = [first_paint(pivot_cmd() + ["--db", str(bundled_db)], marker, env) for _ in range(args.runs)]
    s = stats([c * 1000 for c in cold])
    results["bundled_first_paint_s"] = cold
    rows.append(("bundled corpus", "cold start → first rows painted", f"{fmt(s)}  = {s['median'] / bare_s['median']:.2f}× bare"))

    for label in args.sizes.split(","):
        n = SIZES[label.strip().lower()]
        name = label.strip().upper()
        corpus = ensure_corpus(args.work, n, args.seed)
        db = args.work / f"store-{n}-{args.seed}.db"
        builds = []
        for _ in range(args.build_runs if n >= 1_000_000 else args.runs):
            dt, _ = timed(pivot_cmd() + ["build", "--full", "--data", str(corpus), "--db", str(db)], env)
            builds.append(dt)
        s = stats(builds)
        results[f"{name}_full_build_s"] = builds
        rows.append((f"{name}", "full build (cold: YAML parse on all cores)", f"{s['median']:.1f} s = {n / s['median']:,.0f} claims/s (±{s['spread'] / 2:.1f} s, n={s['n']}), store {db.stat().st_size / 1e6:,.0f} MB"))

        inc = []
        for i in range(args.runs):
            extra = synth.extra_source(corpus, f"zz-added-{i}", seed=100 + i)
            dt, _ = timed(pivot_cmd() + ["build", "--data", str(corpus), "--db", str(db)], env)
            inc.append(dt)
            extra.unlink()
            timed(pivot_cmd() + ["build", "--data", str(corpus), "--db", str(db)], env)  # take it out again
        s = stats([x * 1000 for x in inc])
        results[f"{name}_incremental_s"] = inc
        rows.append((f"{name}", "add one source file, `pivot build` (whole process)", fmt(s)))

        marker = first_row_marker(db)
        cold = [first_paint(pivot_cmd() + ["--data", str(corpus), "--db", str(db)], marker, env) for _ in range(args.runs)]
        s = stats([c * 1000 for c in cold])
        results[f"{name}_first_paint_s"] = cold
        rows.append((f"{name}", "cold start → first rows painted", f"{fmt(s)}  = {s['median'] / bare_s['median']:.2f}× bare"))

        probes = []
        for _ in range(max(1, args.runs // 2)):
            out = subprocess.run(
                [sys.executable, str(HERE / "ui_probe.py"), "--db", str(db), "--data", str(corpus), "--query", args.query],
                capture_output=True, text=True, env=env,
            )
            if out.returncode != 0:
                raise RuntimeError(out.stderr[-3000:])
            probes.append(json.loads(out.stdout.strip().splitlines()[-1]))
        results[f"{name}_ui"] = probes
        merged = {k: [v for p in probes for v in p[k]] for k in probes[0] if isinstance(probes[0][k], list)}
        s = stats(merged["keystroke_rows_ms"])
        rows.append((f"{name}", f"keystroke → first page painted ({args.query!r}, per key)", f"median {s['median']:.0f} ms, p95 {s['p95']:.0f} ms (n={s['n']})"))
        s = stats(merged["keystroke_facets_ms"])
        rows.append((f"{name}", "keystroke → facet counts shown", f"median {s['median']:.0f} ms, p95 {s['p95']:.0f} ms (n={s['n']})"))
        s = stats(merged["filter_rows_ms"])
        rows.append((f"{name}", "key:value filter set → first page painted (7 filters)", f"median {s['median']:.0f} ms, p95 {s['p95']:.0f} ms (n={s['n']})"))
        s = stats(merged["filter_facets_ms"])
        rows.append((f"{name}", "key:value filter set → facet counts shown", f"median {s['median']:.0f} ms, p95 {s['p95']:.0f} ms (n={s['n']})"))
        rows.append((f"{name}", "scroll to the middle of the unfiltered result", fmt(stats(merged["scroll_middle_ms"]))))
        rows.append((f"{name}", "compare screen, two largest entities: first rows painted", fmt(stats(merged["compare_ms"]))))
        rows.append((f"{name}", "compare screen, two largest entities: whole grid painted", fmt(stats(merged["compare_full_ms"]))))
        rows.append((f"{name}", "export 10,000 claims to Markdown", fmt(stats(merged["export_10k_md_ms"]))))
        rss = [p["peak_rss_browsing_mb"] for p in probes]
        rows.append((f"{name}", "peak RSS of the explorer: typing, filters, scrolling, compare", f"{max(rss):.0f} MB"))
        rss = [p["peak_rss_mb"] for p in probes]
        rows.append((f"{name}", "peak RSS after also exporting 10,000 claims", f"{max(rss):.0f} MB"))

    width = max(len(r[1]) for r in rows)
    print(f"\npivot benchmark — {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}\n")
    print(f"| {'corpus':<8} | {'measure':<{width}} | result |")
    print(f"|{'-' * 10}|{'-' * (width + 2)}|--------|")
    for corpus, measure, value in rows:
        print(f"| {corpus:<8} | {measure:<{width}} | {value} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
