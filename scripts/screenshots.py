"""Regenerate screenshots/*.svg from the real app on the bundled corpus at 120x40.

python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from textual.widgets import Input

from tui.app import PivotApp
from tui.screens.main import MainScreen
from tui.widgets.claims_table import ClaimsTable
from tui.widgets.compare_grid import CompareGrid

OUT = Path(__file__).resolve().parents[1] / "screenshots"
SIZE = (120, 40)


async def settle(pilot) -> None:
    for _ in range(4):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def shoot() -> None:
    OUT.mkdir(exist_ok=True)
    MainScreen.detail_delay = 0  # the detail pane loads at once: nothing to wait for
    MainScreen.typing_pause = 0  # and the facets of what is typed: nothing to wait for
    with tempfile.TemporaryDirectory() as tmp:
        # the export dialog shows a path a reader has too, never this machine's temporary folder
        app = PivotApp(db_path=Path(tmp) / "store.db", export_dir=Path("~/notes"))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.save_screenshot(str(OUT / "main.svg"))

            await pilot.press("slash")
            await pilot.press(*"company:meta topic:job-cuts")
            await settle(pilot)
            app.screen.query_one("#facets").focus()
            await settle(pilot)
            app.save_screenshot(str(OUT / "filtered-facets.svg"))

            app.screen.query_one("#query", Input).value = "company:meta is:conflict"
            await settle(pilot)
            table = app.screen.query_one(ClaimsTable)
            table.focus()
            await pilot.press("j")
            await settle(pilot)
            app.save_screenshot(str(OUT / "detail-disputed.svg"))

            app.screen.query_one("#query", Input).value = ""
            await settle(pilot)
            await pilot.press("s")
            await settle(pilot)
            await pilot.press("down")
            await settle(pilot)
            app.save_screenshot(str(OUT / "sources.svg"))
            await pilot.press("escape")
            await settle(pilot)

            await pilot.press("c")
            await settle(pilot)
            grid = app.screen.query_one("#grid", CompareGrid)
            grid.focus()
            target = next(i for i, r in enumerate(grid.grid.rows) if r.metric == "workforce-cut-pct")
            for _ in range(target):
                await pilot.press("j")
            await settle(pilot)
            app.save_screenshot(str(OUT / "compare.svg"))
            await pilot.press("f")
            await settle(pilot)
            app.save_screenshot(str(OUT / "figure.svg"))
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)

            table = app.screen.query_one(ClaimsTable)
            table.focus()
            await pilot.press("space", "j", "space", "j", "space")
            await pilot.press("e")
            await settle(pilot)
            app.save_screenshot(str(OUT / "export.svg"))
    print(f"wrote {len(list(OUT.glob('*.svg')))} screenshots to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(shoot())
