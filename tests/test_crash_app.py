"""The explorer when the corpus or the store change under it, and the command palette
on hostile corpus text (issue 12, cases 2 and 11). Driven through Pilot; never sleeps."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from tui.app import PivotApp
from tui.screens.main import MainScreen

SMALL = Path(__file__).resolve().parent / "fixtures" / "small"


@pytest.fixture(autouse=True)
def immediate_detail(monkeypatch):
    monkeypatch.setattr(MainScreen, "detail_delay", 0, raising=False)


async def settle(pilot) -> None:
    for _ in range(4):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app) -> str:
    return "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())


def app_on(tmp_path: Path) -> PivotApp:
    data = tmp_path / "data"
    if not data.exists():
        shutil.copytree(SMALL, data)
    return PivotApp(data_dir=data, db_path=tmp_path / "store.db", export_dir=tmp_path)


# --- 2. the command palette shows corpus text as it is ------------------------------------

MARKUP_SOURCE = """\
id: zeta-markup
title: "Broken [/] markup [reverse]title[/reverse] and [link=x]"
publisher: "[/] Zeta [bold]Press"
kind: news
claims:
  - id: zeta-one
    entity: meta
    topic: job-cuts
    summary: one
    quote: one
    status: reported
"""


def with_markup(tmp_path: Path) -> PivotApp:
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    (data / "sources" / "zeta-markup.yaml").write_text(MARKUP_SOURCE)
    entities = (data / "entities.yaml").read_text()
    (data / "entities.yaml").write_text(entities + "  - id: odd-name\n    name: \"[/] Odd [reverse]Corp\"\n    kind: company\n")
    return app_on(tmp_path)


@pytest.mark.parametrize("typed", ["", "zeta", "odd", "[/]"])
async def test_the_palette_shows_markup_in_the_corpus_as_text(tmp_path: Path, typed: str) -> None:
    app = with_markup(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        if typed:
            app.screen.query_one(Input).value = typed
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)  # no MarkupError took the app down
        shown = [str(o.prompt) for o in app.screen.query_one(CommandList).options]
        if typed in ("", "zeta"):
            assert any("source: [/] Zeta [bold]Press" in p for p in shown), shown
        if typed in ("", "odd"):
            assert any("entity: [/] Odd [reverse]Corp" in p for p in shown), shown
        if typed == "zeta":
            assert "Broken [/] markup [reverse]title[/reverse]" in screen_text(app)  # the help line
