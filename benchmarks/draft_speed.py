"""How long `pivot add` takes to draft a large page, per 1,000 figures, at two sizes: the ratio
of the two says whether drafting is linear in the page (1.0) or worse.

Two pages of our own making, each at SIZE and 4 x SIZE figures:
- `captions`: one HTML <article> of figure captions naming Meta ("Meta cut 120 jobs at site 7."),
- `paragraphs`: a text page of paragraphs with three figures each.
Each is run through the real command (`pivot add PAGE --data TMP`, a fresh copy of the bundled
corpus), best of --runs.

    python benchmarks/draft_speed.py [--size 1000] [--runs 2]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def captions(n: int) -> str:
    items = "\n".join(
        f"<figure><img src='p{i}.png'><figcaption>Meta cut {100 + i % 900} jobs at site {i}, "
        f"about {1 + i % 9}% of its staff there.</figcaption></figure>"
        for i in range(n // 2)
    )
    return f"<!doctype html><html><head><title>Meta's cuts, site by site</title></head><body><article><h1>Meta's cuts, site by site</h1>\n{items}\n</article></body></html>\n"


def paragraphs(n: int) -> str:
    lines = ["Meta's Long Year of Cuts and Capital Spending", ""]
    for i in range(n // 3):
        lines.append(
            f"In {2020 + i % 7}, Meta cut {1000 + i} employees at unit {i}, about {1 + i % 20}% of its staff there, "
            f"and planned to spend ${10 + i % 90} billion on data centers."
        )
    return "\n".join(lines) + "\n"


def run_once(page: Path, data: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "add", str(page), "--id", "speed", "--data", str(data)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    took = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"pivot add failed: {result.stderr.strip()}")
    return took


def measure(kind: str, n: int, runs: int, tmp: Path) -> float:
    page = tmp / f"{kind}-{n}.{'html' if kind == 'captions' else 'txt'}"
    page.write_text(captions(n) if kind == "captions" else paragraphs(n), encoding="utf-8")
    best = float("inf")
    for _ in range(runs):
        data = tmp / "data"
        if data.exists():
            shutil.rmtree(data)
        shutil.copytree(REPO / "data", data, ignore=shutil.ignore_patterns("texts"))
        best = min(best, run_once(page, data))
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=1000, help="figures on the smaller page (the larger has 4x)")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        floor = measure("paragraphs", 3, args.runs, Path(tmp))  # a page of three figures: start-up and the rest
        print(f"a page of 3 figures: {floor:.2f} s (the floor: start-up, corpus, writing)")
        print("| page | figures | seconds | seconds per 1,000 figures (floor taken off) |")
        print("|---|---|---|---|")
        for kind in ("captions", "paragraphs"):
            per = []
            for n in (args.size, 4 * args.size):
                took = measure(kind, n, args.runs, Path(tmp))
                per.append(max(took - floor, 0.0) / n * 1000)
                print(f"| {kind} | {n:,} | {took:.2f} | {per[-1]:.2f} |")
            ratio = per[1] / per[0] if per[0] else float("nan")
            print(f"| {kind}: per-1,000 ratio, {4 * args.size:,} vs {args.size:,} | | | {ratio:.2f} (1.0 = linear) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
