"""The explorer when the corpus or the store change under it, and the command palette
on hostile corpus text (issue 12, cases 2 and 11). Driven through Pilot; never sleeps."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from pilot import settle
from tui.app import PivotApp

SMALL = Path(__file__).resolve().parent / "fixtures" / "small"


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
    (data / "entities.yaml").write_text(entities + '  - id: odd-name\n    name: "[/] Odd [reverse]Corp"\n    kind: company\n')
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


# --- 11. the explorer notices a replaced store, an edited corpus and a damaged store -------

EXTRA = """\
id: omega
title: Omega
kind: news
claims:
  - id: omega-one
    entity: meta
    topic: job-cuts
    summary: omega says one thing
    quote: one thing
    status: reported
"""


async def test_a_store_replaced_by_pivot_build_full_is_reloaded(tmp_path: Path) -> None:
    from tui.store import build_store, load_corpus
    from tui.store.files import file_states

    app = app_on(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "19 claims" in screen_text(app)
        data = tmp_path / "data"
        (data / "sources" / "omega.yaml").write_text(EXTRA)
        inode = (tmp_path / "store.db").stat().st_ino
        build_store(load_corpus(data), tmp_path / "store.db", file_states(data))  # as `pivot build --full` does
        assert (tmp_path / "store.db").stat().st_ino != inode
        app.check_store_file()  # what the explorer's timer runs every STORE_CHECK_SECONDS
        await settle(pilot)
        assert "20 claims" in screen_text(app)


async def test_a_source_file_edited_while_the_explorer_runs_is_picked_up_on_focus(tmp_path: Path) -> None:
    from textual import events

    app = app_on(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (tmp_path / "data" / "sources" / "omega.yaml").write_text(EXTRA)
        app.post_message(events.AppFocus())  # the terminal has the focus back
        await settle(pilot)
        assert "20 claims" in screen_text(app)


async def test_one_claim_is_one_claim(tmp_path: Path) -> None:
    app = app_on(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#query", Input).value = "openings"  # one claim of the small corpus
        await settle(pilot)
        text = screen_text(app)
        assert app.main.result.total == 1
        assert "1 claim " in text and "1 claims" not in text, text


async def test_a_damaged_store_met_by_a_query_is_rebuilt_and_reloaded(tmp_path: Path) -> None:
    import sqlite3

    app = app_on(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        inode = (tmp_path / "store.db").stat().st_ino
        app.store_failed(sqlite3.DatabaseError("database disk image is malformed"))  # as a worker reports it
        await settle(pilot)
        assert (tmp_path / "store.db").stat().st_ino != inode  # rebuilt whole (a new file renamed in)
        assert "19 claims" in screen_text(app)
