"""Snapshots of the main screens at 120x40 on the small fixture corpus (pytest-textual-snapshot),
so that a user's articles added to data/ never change them (the README's screenshots, made by
scripts/screenshots.py, show the bundled corpus).

Regenerate after an intended visual change with: pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from pilot import settle
from tui.app import PivotApp
from tui.widgets.claims_table import ClaimsTable

SIZE = (120, 40)
SMALL = Path(__file__).resolve().parent / "fixtures" / "small"


@pytest.fixture
def app(make_app) -> PivotApp:
    # a fixed export directory keeps the export dialog's default path stable
    return make_app("small", export_dir=Path("/tmp/pivot-snapshots"))


def test_main_screen(snap_compare, app) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_filtered_with_facets(snap_compare, app) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one("#query", Input).value = "company:meta topic:job-cuts"
        await settle(pilot)
        pilot.app.screen.query_one("#facets").focus()
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_detail_on_a_disputed_claim(snap_compare, app) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one("#query", Input).value = "company:meta is:conflict"
        await settle(pilot)
        pilot.app.screen.query_one(ClaimsTable).focus()
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_sources_screen(snap_compare, app) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def open_compare(pilot) -> None:
    await settle(pilot)
    await pilot.press("c")
    await settle(pilot)
    assert pilot.app.screen.complete


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_compare_screen(snap_compare, app, size) -> None:
    """The headline grid: topics and their quantities, Meta and Microsoft, the cursor on a cell."""

    async def run_before(pilot) -> None:
        await open_compare(pilot)
        await pilot.press("j", "j")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_figure_view(snap_compare, app, size) -> None:
    """Meta's workforce cut: every source's figure on one axis, the related measures below."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one("#query", Input).value = "id:alpha-meta-cut-pct"
        await settle(pilot)
        pilot.app.screen.query_one(ClaimsTable).focus()
        await pilot.press("f")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_export_dialog(snap_compare, app, monkeypatch) -> None:
    # the preview's header is dated: a fixed date (SOURCE_DATE_EPOCH, 2026-01-01) keeps the
    # snapshot true on any day
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("space", "j", "space", "j", "space", "e")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
