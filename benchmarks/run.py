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
import fcntl
import json
import os
import platform
import pty
import select
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import termios
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
    p95 = v[min(len(v) - 1, round(0.95 * (len(v) - 1)))]
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


def timed_rss(cmd: list[str], env=None) -> tuple[float, float]:
    """(seconds, peak RSS in MB of the process itself, from wait4) of one run of cmd."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    dt = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}")
    return dt, usage.ru_maxrss / 1024


def update_rows(db: Path, corpus: Path, name: str, runs: int, env, results: dict) -> list[tuple[str, str, str]]:
    """Add, edit and remove one source file, each followed by `pivot build`, beside a no-op
    `pivot build` on the unchanged corpus (the floor), alternating."""
    build = pivot_cmd() + ["build", "--data", str(corpus), "--db", str(db)]
    timed(build, env)  # up to date first
    got: dict[str, list[float]] = {"noop": [], "add": [], "edit": [], "remove": []}
    for i in range(runs):
        got["noop"].append(timed(build, env)[0])
        extra = synth.extra_source(corpus, f"zz-added-{i}", seed=100 + i)
        got["add"].append(timed(build, env)[0])
        extra.write_text(extra.read_text().replace('summary: "', 'summary: "Edited: ', 1))
        got["edit"].append(timed(build, env)[0])
        extra.unlink()
        got["remove"].append(timed(build, env)[0])
    results[f"{name}_update_s"] = got
    floor = stats([x * 1000 for x in got["noop"]])
    out = [(name, "no-op `pivot build` (the floor of an update)", fmt(floor))]
    for kind in ("add", "edit", "remove"):
        s = stats([x * 1000 for x in got[kind]])
        out.append(
            (
                name,
                f"{kind} one source file, `pivot build` (whole process)",
                f"{fmt(s)} = {s['median'] / floor['median']:.1f}× no-op",
            )
        )
    return out


def streamed(cmd: list[str], env=None) -> dict:
    """Run cmd with its standard output read and thrown away: seconds to the first byte and
    to the end, bytes written, and the child's peak RSS (MB, from wait4's rusage)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    first = None
    size = 0
    while True:
        chunk = proc.stdout.read1(1 << 16)
        if not chunk:
            break
        if first is None:
            first = time.perf_counter() - t0
        size += len(chunk)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}")
    return {
        "first_byte_s": first or 0.0,
        "total_s": time.perf_counter() - t0,
        "bytes": size,
        "peak_rss_mb": usage.ru_maxrss / 1024,
    }


def export_rows(db: Path, corpus: Path, name: str, runs: int, env, results: dict) -> list[tuple[str, str, str]]:
    """`pivot export` of every claim in each format, beside sqlite3's own CSV dump of the
    claims table (the floor: the same rows read and written, nothing looked up), run in turn."""
    rows = []
    floor = [streamed(["sqlite3", "-csv", "-readonly", str(db), "SELECT * FROM claims"], env) for _ in range(runs)]
    results[f"{name}_export_floor"] = floor
    fs = stats([f["total_s"] for f in floor])
    rows.append(
        (
            name,
            "floor: sqlite3 -csv of the claims table",
            f"{fs['median']:.1f} s (±{fs['spread'] / 2:.1f}, n={fs['n']}), {floor[0]['bytes'] / 1e6:,.0f} MB",
        )
    )
    for fmt in ("csv", "json", "md"):
        got = [
            streamed(pivot_cmd() + ["export", "--format", fmt, "--data", str(corpus), "--db", str(db)], env) for _ in range(runs)
        ]
        results[f"{name}_export_{fmt}"] = got
        s = stats([g["total_s"] for g in got])
        first = stats([g["first_byte_s"] for g in got])
        rss = max(g["peak_rss_mb"] for g in got)
        rows.append(
            (
                name,
                f"`pivot export --format {fmt}` of every claim",
                (
                    f"{s['median']:.1f} s (±{s['spread'] / 2:.1f}, n={s['n']}) = {s['median'] / fs['median']:.1f}× floor; "
                    f"first bytes {first['median']:.2f} s; peak RSS {rss:.0f} MB; {got[0]['bytes'] / 1e6:,.0f} MB"
                ),
            )
        )
    return rows


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
    ap.add_argument("--only", default="", help="comma-separated phases to run: startup, build, update, ui, export (default: all)")
    ap.add_argument("--db", type=Path, help="with --only export/ui: use this store (and --corpus) instead of building one")
    ap.add_argument("--corpus", type=Path, help="the corpus of --db")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="120", LINES="40")
    env.pop("NO_COLOR", None)
    results: dict = {}
    rows: list[tuple[str, str, str]] = []

    phases = {x.strip() for x in args.only.split(",") if x.strip()} or {"startup", "build", "update", "ui", "export"}
    print("note: timings on a shared 2-core VM are noisy; read each figure against its floor from the same run", file=sys.stderr)

    bare_s = None
    if "startup" in phases or "ui" in phases:
        # the bare Textual app and pivot on the bundled corpus, alternating, for the start-up ratio
        bare_script = args.work / "bare_app.py"
        bare_script.write_text(BARE_APP)
        bundled_db = args.work / "bundled.db"
        timed(pivot_cmd() + ["build", "--db", str(bundled_db)], env)
        marker = first_row_marker(bundled_db)
        bare, cold = [], []
        for _ in range(args.runs):
            bare.append(first_paint([sys.executable, str(bare_script)], b"BARE-APP-READY", env))
            cold.append(first_paint(pivot_cmd() + ["--db", str(bundled_db)], marker, env))
        results["bare_first_paint_s"] = bare
        results["bundled_first_paint_s"] = cold
        bare_s = stats([b * 1000 for b in bare])
        rows.append(("—", "floor: bare Textual app, first paint", fmt(bare_s)))
        s = stats([c * 1000 for c in cold])
        rows.append(
            ("bundled corpus", "cold start → first rows painted", f"{fmt(s)}  = {s['median'] / bare_s['median']:.2f}× bare")
        )

    for label in args.sizes.split(","):
        n = SIZES[label.strip().lower()]
        name = label.strip().upper()
        if args.db is not None:
            corpus, db = args.corpus, args.db
        else:
            corpus = ensure_corpus(args.work, n, args.seed)
            db = args.work / f"store-{n}-{args.seed}.db"
        if "build" in phases or not db.exists():
            floor = [
                timed_rss([sys.executable, str(HERE / "parse_floor.py"), str(corpus)], env)
                for _ in range(args.build_runs if n >= 1_000_000 else args.runs)
            ]
            builds = [
                timed_rss(pivot_cmd() + ["build", "--full", "--data", str(corpus), "--db", str(db)], env)
                for _ in range(args.build_runs if n >= 1_000_000 else args.runs)
            ]
            results[f"{name}_parse_floor"] = floor
            results[f"{name}_full_build"] = builds
            fs = stats([f[0] for f in floor])
            s = stats([b[0] for b in builds])
            rows.append(
                (
                    name,
                    "floor: CSafeLoader parse of every file (all cores)",
                    f"{fs['median']:.1f} s (±{fs['spread'] / 2:.1f}, n={fs['n']}), peak RSS {max(f[1] for f in floor):,.0f} MB",
                )
            )
            rows.append(
                (
                    name,
                    "full build, `pivot build --full` (whole process)",
                    (
                        f"{s['median']:.1f} s = {n / s['median']:,.0f} claims/s = {s['median'] / fs['median']:.2f}× floor "
                        f"(±{s['spread'] / 2:.1f} s, n={s['n']}); peak RSS {max(b[1] for b in builds):,.0f} MB; store {db.stat().st_size / 1e6:,.0f} MB"
                    ),
                )
            )

        if "update" in phases:
            rows += update_rows(db, corpus, name, args.runs, env, results)

        if "export" in phases:
            rows += export_rows(db, corpus, name, max(1, args.runs // 2) if n >= 1_000_000 else args.runs, env, results)

        if "startup" in phases and bare_s is not None:
            marker = first_row_marker(db)
            cold = [first_paint(pivot_cmd() + ["--data", str(corpus), "--db", str(db)], marker, env) for _ in range(args.runs)]
            s = stats([c * 1000 for c in cold])
            results[f"{name}_first_paint_s"] = cold
            rows.append((f"{name}", "cold start → first rows painted", f"{fmt(s)}  = {s['median'] / bare_s['median']:.2f}× bare"))

        if "ui" not in phases:
            continue
        probes = []
        for _ in range(max(1, args.runs // 2)):
            out = subprocess.run(
                [sys.executable, str(HERE / "ui_probe.py"), "--db", str(db), "--data", str(corpus), "--query", args.query],
                capture_output=True,
                text=True,
                env=env,
            )
            if out.returncode != 0:
                raise RuntimeError(out.stderr[-3000:])
            probes.append(json.loads(out.stdout.strip().splitlines()[-1]))
        results[f"{name}_ui"] = probes
        merged = {k: [v for p in probes for v in p[k]] for k in probes[0] if isinstance(probes[0][k], list)}
        s = stats(merged["keystroke_rows_ms"])
        rows.append(
            (
                f"{name}",
                f"keystroke → first page painted ({args.query!r}, per key)",
                f"median {s['median']:.0f} ms, p95 {s['p95']:.0f} ms (n={s['n']})",
            )
        )
        s = stats(merged["keystroke_facets_ms"])
        rows.append(
            (f"{name}", "keystroke → facet counts shown", f"median {s['median']:.0f} ms, p95 {s['p95']:.0f} ms (n={s['n']})")
        )
        s = stats(merged["filter_rows_ms"])
        rows.append(
            (
                f"{name}",
                "key:value filter set → first page painted (7 filters)",
                f"median {s['median']:.0f} ms, p95 {s['p95']:.0f} ms (n={s['n']})",
            )
        )
        s = stats(merged["filter_facets_ms"])
        rows.append(
            (
                f"{name}",
                "key:value filter set → facet counts shown",
                f"median {s['median']:.0f} ms, p95 {s['p95']:.0f} ms (n={s['n']})",
            )
        )
        rows.append((f"{name}", "scroll to the middle of the unfiltered result", fmt(stats(merged["scroll_middle_ms"]))))
        rows.append((f"{name}", "compare screen, two largest entities: first rows painted", fmt(stats(merged["compare_ms"]))))
        rows.append(
            (f"{name}", "compare screen, two largest entities: whole grid painted", fmt(stats(merged["compare_full_ms"])))
        )
        rows.append((f"{name}", "export 10,000 claims to Markdown", fmt(stats(merged["export_10k_md_ms"]))))
        rss = [p["peak_rss_browsing_mb"] for p in probes]
        rows.append((f"{name}", "peak RSS of the explorer: typing, filters, scrolling, compare", f"{max(rss):.0f} MB"))
        rss = [p["peak_rss_mb"] for p in probes]
        rows.append((f"{name}", "peak RSS after also exporting 10,000 claims", f"{max(rss):.0f} MB"))

    width = max(len(r[1]) for r in rows)
    print(
        f"\npivot benchmark — {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}\n"
    )
    print(f"| {'corpus':<8} | {'measure':<{width}} | result |")
    print(f"|{'-' * 10}|{'-' * (width + 2)}|--------|")
    for corpus, measure, value in rows:
        print(f"| {corpus:<8} | {measure:<{width}} | {value} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
