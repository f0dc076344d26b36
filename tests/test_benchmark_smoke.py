"""CI's smoke run of the scale benchmark at 1,000 claims: the script runs end to end
and reports every measure. It checks that figures are produced, not how fast they
are (timings belong to benchmarks, not to tests on a busy machine)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MEASURES = [
    "first paint",
    "cold start → first rows painted",
    "full build",
    "add one source file",
    "keystroke → first page painted",
    "keystroke → facet counts shown",
    "key:value filter set → first page painted",
    "scroll to the middle",
    "compare screen, two largest entities: first rows painted",
    "compare screen, two largest entities: whole grid painted",
    "export 10,000 claims to Markdown",
    "floor: CSafeLoader parse",
    "no-op `pivot build`",
    "`pivot export --format csv` of every claim",
    "peak RSS of the explorer",
]


def test_the_benchmark_runs_at_1k(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--sizes",
            "1k",
            "--runs",
            "1",
            "--work",
            str(tmp_path),
            "--json",
            str(tmp_path / "figures.json"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    table = out.stdout
    for measure in MEASURES:
        assert measure in table, measure
    rows = [line for line in table.splitlines() if line.startswith("| 1K")]
    assert len(rows) >= 12
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert figures["bare_first_paint_s"][0] > 0
    seconds, peak_mb = figures["1K_full_build"][0]  # (wall time, peak RSS) of the whole process
    assert seconds > 0 and peak_mb > 0
    assert figures["1K_parse_floor"][0][0] > 0  # the floor the build is read against
    for fmt in ("csv", "json", "md"):
        assert figures[f"1K_export_{fmt}"][0]["bytes"] > 0
    ui = figures["1K_ui"][0]
    assert len(ui["keystroke_rows_ms"]) == len("layoffs cuts") * 3
    assert all(v > 0 for v in ui["keystroke_rows_ms"])
    assert ui["peak_rss_mb"] > 10
