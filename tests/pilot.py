"""What every test of the explorer shares (imported by the UI tests; conftest.py makes the
detail pane load at once for all of them, and its `make_app` builds the app)."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled


async def settle(pilot: Pilot[object]) -> None:
    """Let every worker finish and every message it posted be handled: four rounds of
    "every message queued so far handled" (pause(0): no sleep) and "every worker done",
    then one pause until the process is idle (at least 20 ms: a zero-second timer fires).
    Pausing until idle in every round cost 0.1-1 s of sleep per settle, most of the UI
    tests' time."""
    for _ in range(4):
        await pilot.pause(0)
        await workers_done(pilot)
    await pilot.pause()


async def next_frames(pilot: Pilot[object]) -> None:
    """Let what the screen lays out on its next frames happen (a scrollbar that comes in is
    laid out a frame after the widget that needs it): a pause of two frames at Textual's
    60 a second, then until idle. Pilot's own pause waits only until the process is idle,
    which with conftest's finer idle check can come before the next frame."""
    await pilot.pause(2 / 60)
    await pilot.pause()


async def resized(pilot: Pilot[object], width: int, height: int) -> None:
    """The terminal resized, its new layout drawn (a frame or two after the resize event:
    next_frames), and what that set off settled."""
    await pilot.resize_terminal(width, height)
    await next_frames(pilot)
    await settle(pilot)


async def workers_done(pilot: Pilot[object]) -> None:
    """Every worker of the app finished. A worker cancelled on the way (an exclusive worker
    that a newer one replaced) counts as finished; one that failed raises, as
    App.workers.wait_for_complete does."""
    workers = list(pilot.app.workers)
    for outcome in await asyncio.gather(*(w.wait() for w in workers), return_exceptions=True):
        if isinstance(outcome, BaseException) and not isinstance(outcome, WorkerCancelled):
            raise outcome


async def set_query(pilot: Pilot[object], text: str) -> None:
    """Put text in the query bar at once (as a paste does) and let its query run. Typing key
    by key is tested once (test_app.py::test_typing_a_query_narrows_the_rows)."""
    pilot.app.screen.query_one("#query", Input).value = text
    await settle(pilot)
