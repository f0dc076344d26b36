"""The explorer when the corpus or the store change under it, and the command palette
on hostile corpus text (issue 12, cases 2 and 11); the store opened read-only, rebuilt by
another `pivot build`, removed, damaged where the start-up check does not look, or not
writable (issue 5). Driven through Pilot; never sleeps."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from helpers import damage_table
from pilot import set_query, settle
from tui.app import PivotApp
from tui.store import baseupdate, build_store, load_corpus
from tui.store import build as build_mod
from tui.store.files import file_states
from tui.widgets.claims_table import ClaimsTable

SMALL = Path(__file__).resolve().parent / "fixtures" / "small"


def screen_text(app) -> str:
    return "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())


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
    return PivotApp(data_dir=data, db_path=tmp_path / "store.db", export_dir=tmp_path)  # built for this corpus


async def test_the_palette_shows_markup_in_the_corpus_as_text(tmp_path: Path) -> None:
    """One palette, searched in turn for nothing, a source, an entity and `[/]` itself."""
    app = with_markup(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        for typed in ("", "zeta", "odd", "[/]"):
            app.screen.query_one(Input).value = typed
            await settle(pilot)
            assert isinstance(app.screen, CommandPalette), typed  # no MarkupError took the app down
            shown = [str(o.prompt) for o in app.screen.query_one(CommandList).options]
            if typed in ("", "zeta"):
                assert any("source: [/] Zeta [bold]Press" in p for p in shown), (typed, shown)
            if typed in ("", "odd"):
                assert any("entity: [/] Odd [reverse]Corp" in p for p in shown), (typed, shown)
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


async def test_a_store_replaced_by_pivot_build_full_is_reloaded(tmp_path: Path, make_app) -> None:
    """The status line counts the claims ("1 claim", never "1 claims") and counts them again
    once another `pivot build --full` replaced the store under the explorer."""
    from tui.store import build_store, load_corpus
    from tui.store.files import file_states

    app = make_app("small", editable=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "19 claims" in screen_text(app)
        await set_query(pilot, "openings")  # one claim of the small corpus: "1 claim"
        text = screen_text(app)
        assert app.main.result.total == 1
        assert "1 claim " in text and "1 claims" not in text, text
        await set_query(pilot, "")
        data = tmp_path / "data"
        (data / "sources" / "omega.yaml").write_text(EXTRA)
        inode = (tmp_path / "store.db").stat().st_ino
        build_store(load_corpus(data), tmp_path / "store.db", file_states(data))  # as `pivot build --full` does
        assert (tmp_path / "store.db").stat().st_ino != inode
        app.check_store_file()  # what the explorer's timer runs every STORE_CHECK_SECONDS
        await settle(pilot)
        assert "20 claims" in screen_text(app)


async def test_a_source_file_edited_while_the_explorer_runs_is_picked_up_on_focus(tmp_path: Path, make_app) -> None:
    from textual import events

    app = make_app("small", editable=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (tmp_path / "data" / "sources" / "omega.yaml").write_text(EXTRA)
        app.post_message(events.AppFocus())  # the terminal has the focus back
        await settle(pilot)
        assert "20 claims" in screen_text(app)


async def test_a_damaged_store_met_by_a_query_is_rebuilt_and_reloaded(tmp_path: Path, make_app) -> None:
    import sqlite3

    app = make_app("small")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        inode = (tmp_path / "store.db").stat().st_ino
        app.store_failed(sqlite3.DatabaseError("database disk image is malformed"))  # as a worker reports it
        await settle(pilot)
        assert (tmp_path / "store.db").stat().st_ino != inode  # rebuilt whole (a new file renamed in)
        assert "19 claims" in screen_text(app)


# --- the store under the running explorer: read-only, rebuilt by another build, removed, damaged -----


async def test_the_explorer_opens_the_store_read_only(tmp_path: Path, make_app) -> None:
    app = make_app("small")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = (tmp_path / "store.db").read_bytes()
        with pytest.raises(sqlite3.OperationalError, match="readonly|read-only|query_only"):
            app.pool.run(lambda conn: conn.execute("DELETE FROM claims"))
        await set_query(pilot, "company:meta")
        assert (tmp_path / "store.db").read_bytes() == before


async def test_a_rebuild_by_another_pivot_build_while_the_explorer_runs(tmp_path: Path, make_app) -> None:
    app = make_app("small", editable=True)
    data, db_path = tmp_path / "data", tmp_path / "store.db"
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await set_query(pilot, "company:meta")
        assert app.main.result.total == 10  # Meta and its event
        # another process rebuilds the store from a changed corpus (a new file, renamed into place)
        (data / "sources" / "alpha-news.yaml").unlink()
        build_store(load_corpus(data), db_path, file_states(data))
        for text in ("company:microsoft", "pods", "is:conflict", ""):
            await set_query(pilot, text)
            assert app.main.result is not None and app.main.result.text == text
            assert not app.screen.query_one("#query-message").has_class("-shown")
        assert app.main.result.total in (19, 10)  # the old store it has open, or the new one
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running


async def test_a_store_removed_before_the_first_query(tmp_path: Path, make_app) -> None:
    """The store checked at start-up is gone when the first query runs (a cache cleaner,
    a `rm`): the explorer rebuilds it or says so, and keeps running."""
    app = make_app("small")
    (tmp_path / "store.db").unlink()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert app.is_running
        table = app.screen.query_one(ClaimsTable)
        shown = app.screen.query_one("#query-message").has_class("-shown")
        assert table.total == 19 or shown or any(n.severity in ("warning", "error") for n in app._notifications)


@pytest.mark.parametrize("table", ["claims", "entities", "topics"])
async def test_a_store_damaged_where_the_start_up_check_does_not_look(
    tmp_path: Path, small_db: Path, make_app, table: str
) -> None:
    db_path = tmp_path / "store.db"
    shutil.copyfile(small_db, db_path)
    damage_table(db_path, table)
    app = make_app("small")  # on the damaged copy
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert app.is_running
        await set_query(pilot, "company:meta")
        await pilot.press("c")
        await settle(pilot)
        assert app.is_running


async def test_a_store_that_cannot_be_updated_is_used_as_it_is(tmp_path: Path, make_app, monkeypatch) -> None:
    """The corpus changed but the store's folder refuses writes: the explorer keeps
    showing the store it has and says why it is not updated."""
    app = make_app("small", editable=True)  # the store, up to date
    entities = tmp_path / "data" / "entities.yaml"
    entities.write_text(entities.read_text().replace("aliases: [MSFT]", "aliases: [MSFT, Redmond]"))

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr(build_mod.tempfile, "mkstemp", refuse)
    # the change to entities.yaml is applied in place first (store/baseupdate.py): the
    # folder refuses that write too (SQLite's journal beside the store), then the full build's
    monkeypatch.setattr(baseupdate, "base_update", refuse)
    app = make_app("small", editable=True)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert app.is_running and app.screen.query_one(ClaimsTable).total == 19
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert len(warnings) == 1 and "permission denied" in warnings[0].lower(), warnings
        await set_query(pilot, "company:redmond")
        assert "no company matches 'redmond'" in str(app.screen.query_one("#query-message").content)
