"""What every test of the explorer shares (imported by the UI tests; conftest.py makes the
detail pane load at once for all of them)."""

from __future__ import annotations

from textual.pilot import Pilot


async def settle(pilot: Pilot[object]) -> None:
    """Let every worker finish and every message it posted be handled."""
    for _ in range(4):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()
