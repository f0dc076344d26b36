"""Latency of the explorer from the inside, headless: key event -> first frame showing the rows.

    python benchmarks/ui_probe.py --db STORE --data CORPUS [--query "layoffs"] [--json]

Keys are handed to the driver exactly as a terminal would send them (no Pilot
waits in the measured path). The claims table's `render_line` is wrapped: the
time is taken when a frame is composed whose first row belongs to the query
that the key started. Facet timing is taken when the facet pane receives its
counts for that query. Prints one JSON object (times in milliseconds) and the
process's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time
from pathlib import Path

from textual import events

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tui.app import PivotApp
from tui.query import build_filter
from tui.screens.compare import CompareScreen
from tui.store import db
from tui.store.export import render_claims
from tui.store.locate import open_readonly
from tui.widgets.side import FacetList


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def probe(db_path: Path, data_dir: Path | None, query: str, out: dict) -> None:
    app = PivotApp(data_dir=data_dir, db_path=db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.main
        table = screen.table
        facets = screen.query_one("#facets", FacetList)
        state: dict = {"want": None, "rows_at": None, "facets_at": None}
        original_render = table.render_line
        original_show = facets.show

        def render_line(y: int):
            strip = original_render(y)
            if (
                state["want"] is not None
                and state["rows_at"] is None
                and y == 1
                and table.generation >= state["want"]
                and (table.total == 0 or table.row_at(int(table.scroll_y)) is not None)
            ):
                state["rows_at"] = time.perf_counter()
            return strip

        def show(values, active):
            if state["want"] is not None and screen.result and screen.result.generation >= state["want"]:
                state["facets_at"] = time.perf_counter()
            return original_show(values, active)

        table.render_line = render_line  # type: ignore[method-assign]
        facets.show = show  # type: ignore[method-assign]

        await pilot.press("slash")
        await settle(pilot)
        driver = app._driver
        rows_ms, facet_ms = [], []
        for _ in range(3):
            for ch in query:
                state.update(want=screen.generation + 1, rows_at=None, facets_at=None)
                key = "space" if ch == " " else ch
                event = events.Key(key, ch)
                event.set_sender(app)
                t0 = time.perf_counter()
                driver.send_message(event)
                deadline = t0 + 10
                while state["rows_at"] is None and time.perf_counter() < deadline:
                    await asyncio.sleep(0.0005)
                if state["rows_at"] is not None:
                    rows_ms.append((state["rows_at"] - t0) * 1000)
                await app.workers.wait_for_complete()
                while state["facets_at"] is None and time.perf_counter() < deadline:
                    await asyncio.sleep(0.001)
                if state["facets_at"] is not None:
                    facet_ms.append((state["facets_at"] - t0) * 1000)
            # clear the bar for the next round
            screen.query_input.value = ""
            await settle(pilot)
        out["keystroke_rows_ms"] = rows_ms
        out["keystroke_facets_ms"] = facet_ms

        # key:value filters applied at once (a facet toggle or a pasted filter)
        conn = open_readonly(app.store_path)
        top = conn.execute("SELECT id FROM entities ORDER BY claim_count DESC LIMIT 1").fetchone()[0]
        filters = [
            f"company:{top}",
            "topic:job-cuts",
            "status:estimated period:2025",
            "is:conflict",
            "value>=80b",
            f"company:{top} layoffs",
            "-status:reported",
        ]
        filt_ms, filt_facets = [], []
        for _ in range(3):
            for f in filters:
                screen.query_input.value = ""
                await settle(pilot)
                state.update(want=screen.generation + 1, rows_at=None, facets_at=None)
                t0 = time.perf_counter()
                screen.query_input.value = f
                deadline = t0 + 10
                while state["rows_at"] is None and time.perf_counter() < deadline:
                    await asyncio.sleep(0.0005)
                filt_ms.append((state["rows_at"] or deadline) * 1000 - t0 * 1000)
                await app.workers.wait_for_complete()
                while state["facets_at"] is None and time.perf_counter() < deadline:
                    await asyncio.sleep(0.001)
                filt_facets.append((state["facets_at"] or deadline) * 1000 - t0 * 1000)
        out["filter_rows_ms"] = filt_ms
        out["filter_facets_ms"] = filt_facets
        conn.close()

        # scroll to the middle of the unfiltered result
        screen.query_input.value = ""
        await settle(pilot)
        table.focus()
        mids = []
        for _ in range(5):
            middle = table.total // 2
            state.update(want=table.generation, rows_at=None)
            t0 = time.perf_counter()
            table.cursor = middle
            deadline = t0 + 10
            while time.perf_counter() < deadline:
                await asyncio.sleep(0.0005)
                if table.row_at(middle) is not None:
                    break
            await pilot.pause()
            mids.append((time.perf_counter() - t0) * 1000)
            table.cursor = 0
            table._pages.clear()
            await settle(pilot)
        out["scroll_middle_ms"] = mids

        # compare the two largest companies
        conn = open_readonly(app.store_path)
        top = [r[0] for r in conn.execute("SELECT id FROM entities ORDER BY claim_count DESC LIMIT 2")]
        cmp_ms, cmp_full_ms = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            app.action_compare(tuple(top))
            # the headline grid (summarised by SQL) is on screen
            while not (isinstance(app.screen, CompareScreen) and app.screen.grid_data is not None):
                await asyncio.sleep(0.001)
            await pilot.pause()
            cmp_ms.append((time.perf_counter() - t0) * 1000)
            while not app.screen.complete:
                await asyncio.sleep(0.001)
            await pilot.pause()
            cmp_full_ms.append((time.perf_counter() - t0) * 1000)
            app.pop_screen()
            await settle(pilot)
        out["compare_ms"] = cmp_ms
        out["compare_full_ms"] = cmp_full_ms

        out["peak_rss_browsing_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        # export 10,000 claims to Markdown (the export function the dialog and the CLI use)
        flt = build_filter("", conn)
        exp_ms = []
        for _ in range(3):
            t0 = time.perf_counter()
            rows = conn.execute(
                f"SELECT {db.CLAIM_COLUMNS} FROM claims {db.CLAIM_JOINS} WHERE {flt.where} ORDER BY claims.rowid LIMIT 10000",
                flt.params,
            ).fetchall()
            text = render_claims(conn, rows, "md", title="benchmark")
            exp_ms.append((time.perf_counter() - t0) * 1000)
        out["export_10k_md_ms"] = exp_ms
        out["export_10k_md_bytes"] = len(text.encode())
        conn.close()
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--data", type=Path)
    ap.add_argument("--query", default="layoffs cuts")
    args = ap.parse_args(argv)
    out: dict = {}
    asyncio.run(probe(args.db, args.data, args.query, out))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())


def summary(values: list[float]) -> tuple[float, float, float]:
    """median, p95, spread (max - min)."""
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return statistics.median(values), p95, values[-1] - values[0]
