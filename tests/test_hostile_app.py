"""Hostile and broken input in the explorer (issue 5), driven through Textual's Pilot.

A 40x12 terminal, resizing while a query runs, NO_COLOR, corpus text full of
markup and escape sequences in every pane the existing tests do not look at
(facets, sources, compare, export preview, notifications), export paths with
markup in them, and a store that is rebuilt, damaged or removed under the
running explorer. Every test waits with `settle` (workers and messages), never
with a sleep.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
import textwrap
import threading
from pathlib import Path

import pytest
from textual.widgets import Input, RadioButton, Static

from helpers import damage_table
from pilot import settle
from tui.app import PivotApp
from tui.screens.compare import CompareScreen
from tui.screens.export import ExportScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.sources import SourcesScreen
from tui.store import build as build_mod
from tui.store import build_store, db, ensure_store, load_corpus
from tui.store.files import file_states
from tui.widgets.claims_table import ClaimsTable

SMALL = Path(__file__).resolve().parent / "fixtures" / "small"

# controls, DEL, C1, bidi controls and zero-width characters: none may reach the screen
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def screen_lines(app) -> list[str]:
    """What the terminal shows, line by line (every layer of the current screen)."""
    return ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]


def screen_text(app) -> str:
    return "\n".join(screen_lines(app))


def small_app(tmp_path: Path, **kwargs) -> PivotApp:
    data = tmp_path / "data"
    if not data.exists():
        shutil.copytree(SMALL, data)
    return PivotApp(data_dir=data, db_path=tmp_path / "store.db", export_dir=tmp_path, **kwargs)


async def set_query(pilot, text: str) -> None:
    pilot.app.screen.query_one("#query", Input).value = text
    await settle(pilot)


# --- a 40x12 terminal ----------------------------------------------------------------------------


async def test_every_screen_opens_at_40_by_12_without_a_crash(tmp_path: Path) -> None:
    app = small_app(tmp_path)
    async with app.run_test(size=(40, 12), notifications=True) as pilot:
        await settle(pilot)
        await set_query(pilot, "company:meta is:conflict")
        assert app.main.result.total == 2
        seen = []
        for key, screen in (("question_mark", HelpScreen), ("c", CompareScreen), ("s", SourcesScreen), ("e", ExportScreen)):
            app.screen.query_one(ClaimsTable).focus()
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen), (key, app.screen)
            seen.append(screen.__name__)
            lines = screen_lines(app)
            assert len(lines) == 12 and all(len(line) == 40 for line in lines)
            await pilot.press("escape")
            await settle(pilot)
        assert seen == ["HelpScreen", "CompareScreen", "SourcesScreen", "ExportScreen"]
        assert isinstance(app.screen, MainScreen) and app.is_running


async def test_claims_are_visible_at_40_by_12(tmp_path: Path) -> None:
    """The claims are what the explorer is for: at 40x12 some of them must be on screen."""
    app = small_app(tmp_path)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        assert table.total == 19
        assert table.size.height >= 3, f"the claims table is {table.size.height} lines high at 40x12"
        first = table.row_at(0)["summary"]
        assert first[:8] in screen_text(app)


async def test_resizing_while_a_query_runs(tmp_path: Path, monkeypatch) -> None:
    """The query's worker is held until the terminal has been resized three times."""
    entered, release = threading.Event(), threading.Event()
    real_page = db.page

    def held_page(conn, flt, offset=0, limit=100):
        if "meta" in str(flt.params):
            entered.set()
            assert release.wait(30)
        return real_page(conn, flt, offset, limit)

    monkeypatch.setattr(db, "page", held_page)
    app = small_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#query", Input).value = "company:meta"
        assert await asyncio.to_thread(entered.wait, 30)
        for size in ((40, 12), (200, 60), (41, 13)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
        release.set()
        await settle(pilot)
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        assert app.is_running and table.total == 10  # Meta and its event
        assert {table.row_at(i)["entity"] for i in range(9)} == {"meta"}
        assert all(len(line) == 100 for line in screen_lines(app))
        assert "10 claims" in screen_text(app)


# --- NO_COLOR --------------------------------------------------------------------------------------


def colours(app) -> set[tuple[int, int, int]]:
    found = set()
    for strip in app.screen._compositor.render_strips():
        for seg in strip:
            if seg.style is None:
                continue
            for colour in (seg.style.color, seg.style.bgcolor):
                if colour is not None:
                    rgb = colour.get_truecolor()
                    found.add((rgb.red, rgb.green, rgb.blue))
    return found


@pytest.mark.parametrize(
    "keys", [(), ("c",), ("s",), ("e",), ("question_mark",)], ids=["main", "compare", "sources", "export", "help"]
)
async def test_no_color_shows_every_screen_without_colour(tmp_path: Path, monkeypatch, keys: tuple[str, ...]) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = small_app(tmp_path)
    assert app.no_color
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await set_query(pilot, "is:conflict")
        app.screen.query_one(ClaimsTable).focus()
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        assert app.is_running
        found = colours(app)
        assert found and all(r == g == b for r, g, b in found), sorted(c for c in found if len(set(c)) > 1)[:5]
        if keys == ("e",):
            assert "Current filter (4)" in screen_text(app)


# --- corpus text in the panes test_app.py does not look at --------------------------------------

HOSTILE = {
    "entities.yaml": r"""
        entities:
          - {id: acme, name: "[bold red]Acme[/] \e[31mred \u202erev \u200bzw", kind: company}
          - {id: other, name: "[link=file:///etc/passwd]Other[/link]", kind: company}
    """,
    "topics.yaml": r"""
        topics:
          - {id: job-cuts, label: "[i]Jobs[/i] \e[2J", order: 1}
    """,
    "sources/evil.yaml": r"""
        id: evil
        title: "[b]Evil[/b] \e]8;;http://evil.example\e\\title\e]8;;\e\\ \r end"
        publisher: "[u]Pub[/u] \e[5m"
        kind: blog
        claims:
          - id: evil-1
            entity: acme
            topic: job-cuts
            summary: "[bold]not bold[/bold] \e[2Jcleared \x07 bell"
            quote: "[/] quote \u2066iso"
            speaker: "[i]Someone[/i] \e]0;title\a"
            metric: employees-cut
            value: 100
            unit: "[red]people\e[0m"
            status: reported
          - id: evil-2
            entity: other
            topic: job-cuts
            summary: "plain 🚀 שלום"
            quote: "q"
            metric: employees-cut
            value: 5
            unit: "[red]people\e[0m"
            status: reported
    """,
}


@pytest.fixture
def hostile_app(tmp_path: Path) -> PivotApp:
    data = tmp_path / "data"
    for name, text in HOSTILE.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return PivotApp(data_dir=data, db_path=tmp_path / "hostile.db", export_dir=tmp_path)


def unsafe(lines: list[str]) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for line in lines for c in UNSAFE.findall(line)})


def assert_clean(app, *literal: str) -> None:
    assert unsafe(screen_lines(app)) == []
    text = screen_text(app)
    for piece in literal:
        assert piece in text, (piece, text)


async def test_facets_show_hostile_labels_literally(hostile_app: PivotApp) -> None:
    async with hostile_app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await set_query(pilot, "is:numeric")  # counted facets (not the stored ones)
        assert_clean(hostile_app, "[u]Pub[/u] ␛[5m", "[i]Jobs[/i] ␛[2J")


async def test_sources_screen_shows_hostile_text_literally(hostile_app: PivotApp) -> None:
    async with hostile_app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        assert isinstance(hostile_app.screen, SourcesScreen)
        assert_clean(hostile_app, "[b]Evil[/b] ␛]8;;http://evil.example␛\\title", "[bold]not bold[/bold] ␛[2Jcleared")


async def test_compare_screen_shows_hostile_text_literally(hostile_app: PivotApp) -> None:
    async with hostile_app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        hostile_app.action_compare(("acme", "other"))
        await settle(pilot)
        assert isinstance(hostile_app.screen, CompareScreen)
        # the headline grid: names, topic label and the unit of the figures, literally
        assert_clean(
            hostile_app,
            "[bold red]Acme[/] ␛[31mred <U+202E>rev",
            "[link=file:///etc/passwd]Other[/link]",
            "[i]Jobs[/i] ␛[2J",
            "100 [red]people␛[0m",
        )
        await pilot.press("v")  # every claim in full: summaries and sources too
        await settle(pilot)
        assert_clean(hostile_app, "[bold]not bold[/bold]", "[u]Pub[/u]")


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
async def test_export_preview_shows_hostile_text_literally(hostile_app: PivotApp, fmt: str) -> None:
    async with hostile_app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(hostile_app.screen, ExportScreen)
        if fmt != "md":
            next(b for b in hostile_app.screen.query(RadioButton) if b.name == fmt).value = True
            await settle(pilot)
        preview = hostile_app.screen.query_one("#preview", Static)
        lines = ["".join(seg.text for seg in strip) for strip in preview.render_lines(preview.region.reset_offset)]
        assert any("Acme" in line for line in lines), lines
        assert unsafe(lines) == []
        assert_clean(hostile_app)


async def test_hostile_queries_in_the_query_bar(hostile_app: PivotApp) -> None:
    async with hostile_app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot)
        for text, total in (
            ("שלום", 1),
            ("'; drop table claims; --", 0),
            ("a" * 1_000, 0),
            ("🚀", 2),
            ("speaker:[/]", 0),
            ("[bold]not", 1),
            ("NEAR(", 0),
            ('"', 2),
            ("-", 2),
        ):
            await set_query(pilot, text)
            assert hostile_app.main.result.text == text and hostile_app.main.result.total == total, text
            assert not hostile_app.screen.query_one("#query-message").has_class("-shown"), text
        await set_query(pilot, "a" * 10_000)  # a term longer than any name or phrase: a message
        assert str(hostile_app.screen.query_one("#query-message").content).startswith("⚠ a term of 10,000 characters")
        assert hostile_app.main.result.total == 2  # the last good rows stay
        await set_query(pilot, "company:[/]x " + "z" * 500)
        message = str(hostile_app.screen.query_one("#query-message").content)
        assert message.startswith("⚠ no company matches '[/]x'")
        assert hostile_app.main.result.total == 2  # the last good rows stay
        assert hostile_app.is_running


async def test_a_pasted_escape_sequence_does_not_reach_the_terminal(hostile_app: PivotApp) -> None:
    """Text pasted from a web page into the query bar may carry escape sequences: the query
    bar and the status line show them as visible symbols, never as live sequences."""
    from textual import events

    async with hostile_app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        query = hostile_app.screen.query_one("#query", Input)
        query.focus()
        pasted = "\x1b]0;pwned\x07 \x1b[2J bold"
        query.post_message(events.Paste(pasted))
        await settle(pilot)
        assert hostile_app.main.result is not None and "bold" in hostile_app.main.result.text  # the query ran
        assert unsafe(screen_lines(hostile_app)) == []


# --- notifications with markup in them -----------------------------------------------------------


async def export_to(pilot, path: Path) -> None:
    await pilot.press("e")
    await settle(pilot)
    pilot.app.screen.query_one("#path", Input).value = str(path)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_an_export_folder_with_brackets_in_its_name(tmp_path: Path) -> None:
    """`Wrote PATH` is shown as text: a folder named [draft] or [/] must not be read as markup."""
    folder = tmp_path / "[" / "] [draft] [@click=app.quit]x"  # the path reads [/] [draft] ...
    folder.mkdir(parents=True)
    app = small_app(tmp_path)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        await export_to(pilot, folder / "claims.md")
        assert (folder / "claims.md").read_text(encoding="utf-8").startswith("# Claims")
        assert app.is_running
        assert any(n.message == f"Wrote {folder / 'claims.md'}" for n in app._notifications)
        # the toast wraps a long path over lines: its markup-looking parts are shown as typed
        shown = screen_text(app)
        assert "[draft]" in shown and "[/]" in shown


async def test_a_failed_export_to_a_path_with_markup(tmp_path: Path) -> None:
    app = small_app(tmp_path)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        target = tmp_path / "[/]missing" / "x.md"
        await export_to(pilot, target)
        assert app.is_running
        assert any(n.message == f"Export failed: {target.parent} does not exist" for n in app._notifications)
        assert "[/]missing" in screen_text(app)  # shown as typed, not read as markup


async def test_exporting_zero_claims_from_the_explorer(tmp_path: Path) -> None:
    app = small_app(tmp_path)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        await set_query(pilot, "pods -pods")
        assert app.main.result.total == 0
        target = tmp_path / "none.md"
        await export_to(pilot, target)
        title, _, query, _, rest = target.read_text(encoding="utf-8").split("\n", 4)
        assert (title, rest) == ("# Claims: pods -pods", "_No claims matched._\n")
        assert query.startswith("Query: `pods -pods` · exported ")  # the export's header line
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
        assert app.is_running


# --- the store under the running explorer ---------------------------------------------------------


async def test_the_explorer_opens_the_store_read_only(tmp_path: Path) -> None:
    app = small_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = (tmp_path / "store.db").read_bytes()
        with pytest.raises(sqlite3.OperationalError, match="readonly|read-only|query_only"):
            app.pool.run(lambda conn: conn.execute("DELETE FROM claims"))
        await set_query(pilot, "company:meta")
        assert (tmp_path / "store.db").read_bytes() == before


async def test_a_rebuild_by_another_pivot_build_while_the_explorer_runs(tmp_path: Path) -> None:
    app = small_app(tmp_path)
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


async def test_a_store_removed_before_the_first_query(tmp_path: Path) -> None:
    """The store checked at start-up is gone when the first query runs (a cache cleaner,
    a `rm`): the explorer rebuilds it or says so, and keeps running."""
    app = small_app(tmp_path)
    (tmp_path / "store.db").unlink()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert app.is_running
        table = app.screen.query_one(ClaimsTable)
        shown = app.screen.query_one("#query-message").has_class("-shown")
        assert table.total == 19 or shown or any(n.severity in ("warning", "error") for n in app._notifications)


@pytest.mark.parametrize("table", ["claims", "entities", "topics"])
async def test_a_store_damaged_where_the_start_up_check_does_not_look(tmp_path: Path, table: str) -> None:
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    db_path = tmp_path / "store.db"
    ensure_store(data, db_path)
    damage_table(db_path, table)
    app = PivotApp(data_dir=data, db_path=db_path, export_dir=tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert app.is_running
        await set_query(pilot, "company:meta")
        await pilot.press("c")
        await settle(pilot)
        assert app.is_running


async def test_a_store_that_cannot_be_updated_is_used_as_it_is(tmp_path: Path, monkeypatch) -> None:
    """The corpus changed but the store's folder refuses writes: the explorer keeps
    showing the store it has and says why it is not updated."""
    app = small_app(tmp_path)  # builds the store
    entities = tmp_path / "data" / "entities.yaml"
    entities.write_text(entities.read_text().replace("aliases: [MSFT]", "aliases: [MSFT, Redmond]"))

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr(build_mod.tempfile, "mkstemp", refuse)
    app = small_app(tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert app.is_running and app.screen.query_one(ClaimsTable).total == 19
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert len(warnings) == 1 and "permission denied" in warnings[0].lower(), warnings
        await set_query(pilot, "company:redmond")
        assert "no company matches 'redmond'" in str(app.screen.query_one("#query-message").content)
