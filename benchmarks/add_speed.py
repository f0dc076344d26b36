"""`pivot add` of one article at corpus sizes, beside `pivot list` in the same run as its floor.

For each size a synthetic corpus is written (benchmarks/synth.py) and its store built; then,
alternating, `pivot list --limit 1` (start-up, the store's currency check, one page of rows) and
`pivot add PAGE` (the bundled test page; its two files removed after each run, so every run
adds to the same corpus). Whole processes, as a user meets them; median and spread of --runs.

    python benchmarks/add_speed.py [--sizes 10000 100000] [--runs 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "tests" / "fixtures" / "pages" / "ledger-meta-capex.html"


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, env=env, cwd=REPO)
    took = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"pivot {' '.join(args)} failed: {result.stderr.strip()[:500]}")
    return took


def spread(xs: list[float]) -> str:
    return f"{statistics.median(xs):.2f} s ({min(xs):.2f}-{max(xs):.2f})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--keep", type=Path, help="write the corpora and stores here (reused when present)")
    args = ap.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="pivot-add-speed-"))
    print("| claims | `pivot list` (floor) | `pivot add` one article | add / list |")
    print("|---|---|---|---|")
    for n in args.sizes:
        data, db = root / f"corpus-{n}", root / f"store-{n}.db"
        if not (data / "entities.yaml").exists():
            subprocess.run([sys.executable, str(REPO / "benchmarks" / "synth.py"), "--claims", str(n), "--out", str(data)], check=True,
                           capture_output=True)  # fmt: skip
        env = {**os.environ, "PIVOT_DB": str(db)}
        env.pop("PIVOT_DATA", None)
        timed(["build", "--data", str(data)], env)
        lists, adds = [], []
        for _ in range(args.runs):
            lists.append(timed(["list", "--data", str(data), "--limit", "1"], env))
            adds.append(timed(["add", str(PAGE), "--id", "speed-probe", "--data", str(data)], env))
            for leftover in (data / "sources" / "speed-probe.yaml", data / "texts" / "speed-probe.txt"):
                leftover.unlink()
        ratio = statistics.median(adds) / statistics.median(lists)
        print(f"| {n:,} | {spread(lists)} | {spread(adds)} | {ratio:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
