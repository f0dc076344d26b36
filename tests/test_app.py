"""The explorer, driven through Textual's Pilot on the bundled corpus and on hostile fixtures.

Also: a 40x12 terminal, resizing while a query runs, NO_COLOR, corpus text full of markup
and escape sequences in every pane (facets, sources, compare, export preview,
notifications) and export paths with markup in them. The store changing under the running
explorer is in test_crash_app.py."""

from __future__ import annotations

import asyncio
import re
import shutil
import textwrap
import threading
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from rich.console import Console
from textual.widgets import Input, RadioButton, Static

from pilot import resized, set_query, settle
from tui.app import PivotApp
from tui.screens.compare import CompareScreen
from tui.screens.export import ExportScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.sources import SourcesScreen
from tui.store import db, ensure_store
from tui.widgets.claims_table import ClaimsTable
from tui.widgets.detail import DetailPane

SIZE = (120, 40)


def table_lines(app) -> list[str]:
    table = app.screen.query_one(ClaimsTable)
    return ["".join(seg.text for seg in table.render_line(y)) for y in range(table.size.height)]


def loaded_rows(table: ClaimsTable) -> list:
    return [table.row_at(i) for i in range(min(table.total, 100))]


def plain(renderable, width: int = 200) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


@pytest.fixture
def app(make_app) -> PivotApp:
    return make_app()


async def test_typing_a_query_narrows_the_rows(app: PivotApp) -> None:
    """The one test that types a query key by key (the others set the query bar at once)."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        everything = table.total
        assert everything > 50
        await pilot.press("slash", *"company:facebook")
        await settle(pilot)
        assert app.screen.query_one("#query", Input).value == "company:facebook"
        assert 0 < table.total < everything
        assert {r["entity"] for r in loaded_rows(table)} == {"meta"}
        await set_query(pilot, "company:facebook is:conflict")
        assert 0 < table.total < everything
        assert all(r["standing"] in ("disputed", "at-odds") for r in loaded_rows(table))


async def test_exporting_the_selection_then_the_filter_and_never_overwriting_without_a_yes(app: PivotApp, tmp_path: Path) -> None:
    """e opens on the selection (three claims picked with space) and writes those claims; once
    unselected (A), on the filter, whose every claim it streams to disk (no 50,000-claim
    cap any more); an existing file is kept unless the user says overwrite."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        table.focus()
        chosen = []
        for _ in range(3):
            chosen.append(table.current_row["summary"])
            await pilot.press("space", "j")
        await settle(pilot)
        assert len(app.session.selection) == 3
        assert "3 selected" in str(app.screen.query_one("#status", Static).content)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        path_input = app.screen.query_one("#path", Input)
        target = tmp_path / "three.md"
        path_input.value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert target.is_file()
        tokens = MarkdownIt("commonmark").enable("table").parse(target.read_text(encoding="utf-8"))
        rows = [t for t in tokens if t.type == "tr_open"]
        assert len(rows) == 1 + 3  # header + the three claims
        cells = [t.content for t in tokens if t.type == "inline"]
        for summary in chosen:
            assert any(summary in c for c in cells), summary
        notes = [n for n in app._notifications if "Wrote" in n.message]
        assert notes and notes[-1].title == "Exported 3 claims"
        # nothing selected: the current filter (every claim), uncut
        table.focus()
        await pilot.press("A")
        await settle(pilot)
        await export_to(pilot, tmp_path / "all.md")
        tokens = MarkdownIt("commonmark").enable("table").parse((tmp_path / "all.md").read_text(encoding="utf-8"))
        total = app.main.result.total
        assert total > 100 and len([t for t in tokens if t.type == "tr_open"]) == 1 + total
        notes = [n for n in app._notifications if "Wrote" in n.message]
        assert notes[-1].title == f"Exported {total:,} claims" and notes[-1].severity == "information"
        # an existing file is kept unless the user says overwrite
        target = tmp_path / "keep.md"
        target.write_text("precious\n")
        await export_to(pilot, target)
        await pilot.press("n")
        await settle(pilot)
        assert target.read_text() == "precious\n"
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert target.read_text().startswith("# Claims")


HOSTILE = {
    "entities.yaml": """
        entities:
          - {id: acme, name: "[bold red]Acme[/]", kind: company, aliases: ["\\e[31mred"]}
    """,
    "topics.yaml": """
        topics:
          - {id: job-cuts, label: "[link=file:///etc/passwd]Jobs[/link]", order: 1}
    """,
    "sources/evil.yaml": """
        id: evil
        title: "[b]Evil[/b] \\e]8;;http://x\\e\\\\title"
        kind: blog
        claims:
          - id: evil-1
            entity: acme
            topic: job-cuts
            summary: "[bold]not bold[/bold] and \\e[2Jcleared\\r over"
            quote: "[/] a quote with \\u202e reversed"
            speaker: "[i]Someone[/i]"
            status: reported
    """,
}


async def test_markup_and_escapes_in_the_corpus_render_literally(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for name, text in HOSTILE.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    app = PivotApp(data_dir=data, db_path=tmp_path / "hostile.db", export_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen_text = "\n".join(table_lines(app))
        assert "[bold]not bold[/bold]" in screen_text
        assert "\x1b" not in screen_text and "\r" not in screen_text
        detail = plain(app.screen.query_one(DetailPane).content)
        assert "[bold]not bold[/bold] and ␛[2Jcleared␍ over" in detail
        assert "[/] a quote with <U+202E> reversed" in detail
        assert "[i]Someone[/i]" in detail
        assert "[b]Evil[/b]" in detail
        entities = app.screen.query_one("#entities")
        prompts = [str(entities.get_option_at_index(i).prompt) for i in range(entities.option_count)]
        assert any("[bold red]Acme[/]" in p for p in prompts)


async def test_escape_never_clears_its_own_keys_do_and_u_undoes(app: PivotApp) -> None:
    """One escape leaves the query bar; it clears neither the selection nor the filter
    (A and ctrl+l do), and u brings back what they cleared."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await set_query(pilot, "company:meta")
        await pilot.press("escape")  # leaves the query bar
        assert app.screen.query_one(ClaimsTable).has_focus
        await pilot.press("a")
        await settle(pilot)
        total = app.screen.query_one(ClaimsTable).total
        assert len(app.session.selection) == total > 0
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert len(app.session.selection) == total
        assert app.screen.query_one("#query", Input).value == "company:meta"
        await pilot.press("A")
        await settle(pilot)
        assert not app.session.selection
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert app.screen.query_one("#query", Input).value == ""
        await pilot.press("u")
        await settle(pilot)
        assert app.screen.query_one("#query", Input).value == "company:meta"
        await pilot.press("u")
        await settle(pilot)
        assert len(app.session.selection) == total


# --- a 40x12 terminal, resizing while a query runs, NO_COLOR ----------------------------------------


# controls, DEL, C1, bidi controls and zero-width characters: none may reach the screen
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def screen_lines(app) -> list[str]:
    """What the terminal shows, line by line (every layer of the current screen)."""
    return ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]


def screen_text(app) -> str:
    return "\n".join(screen_lines(app))


async def test_every_screen_opens_at_40_by_12_without_a_crash(tmp_path: Path, make_app) -> None:
    """The claims are what the explorer is for: at 40x12 some of them are on screen (the side
    panes give way); then every screen opens and closes there."""
    app = make_app("small")
    async with app.run_test(size=(40, 12), notifications=True) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        assert table.total == 19
        assert table.size.height >= 3, f"the claims table is {table.size.height} lines high at 40x12"
        assert table.row_at(0)["summary"][:8] in screen_text(app)
        await set_query(pilot, "company:meta is:conflict")
        assert app.main.result.total == 4
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


async def test_resizing_while_a_query_runs(tmp_path: Path, make_app, monkeypatch) -> None:
    """The query's worker is held until the terminal has been resized three times."""
    entered, release = threading.Event(), threading.Event()
    real_page = db.page

    def held_page(conn, flt, offset=0, limit=100):
        if "meta" in str(flt.params):
            entered.set()
            assert release.wait(30)
        return real_page(conn, flt, offset, limit)

    monkeypatch.setattr(db, "page", held_page)
    app = make_app("small")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#query", Input).value = "company:meta"
        assert await asyncio.to_thread(entered.wait, 30)
        for size in ((40, 12), (200, 60), (41, 13)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
        release.set()
        await settle(pilot)
        await resized(pilot, 100, 30)
        table = app.screen.query_one(ClaimsTable)
        assert app.is_running and table.total == 10  # Meta and its event
        assert {table.row_at(i)["entity"] for i in range(9)} == {"meta"}
        assert all(len(line) == 100 for line in screen_lines(app))
        assert "10 claims" in screen_text(app)


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


def grey(found: set[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The colours that are not a grey (none may be under NO_COLOR)."""
    return sorted(c for c in found if len(set(c)) > 1)[:5]


async def test_no_color_shows_every_screen_without_colour(tmp_path: Path, make_app, monkeypatch) -> None:
    """Under NO_COLOR every screen (main, compare, sources, export, help) is drawn in greys
    only, and the export dialog marks its chosen radio button and ticked checkbox with a
    sign (Textual draws the same ● and X on every button and tells them apart by colour)."""
    from textual.widgets import Checkbox

    def drawn(widget) -> str:
        return "".join(seg.text for seg in widget.render_line(0))

    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app("small")
    assert app.no_color
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await set_query(pilot, "is:conflict")
        found = colours(app)
        assert found and not grey(found), ("main", grey(found))
        for key, screen in (("c", CompareScreen), ("s", SourcesScreen), ("e", ExportScreen), ("question_mark", HelpScreen)):
            app.screen.query_one(ClaimsTable).focus()
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen) and app.is_running
            found = colours(app)
            assert found and not grey(found), (screen.__name__, grey(found))
            if screen is ExportScreen:
                assert "Current filter (6)" in screen_text(app)
                formats = {b.name: b for b in app.screen.query("#format RadioButton").results(RadioButton)}
                assert "●" in drawn(formats["md"]) and "●" not in drawn(formats["csv"]) + drawn(formats["json"])
                formats["csv"].value = True
                await settle(pilot)
                assert "●" in drawn(formats["csv"]) and "●" not in drawn(formats["md"])
                quotes = app.screen.query_one("#quotes", Checkbox)
                assert "X" not in drawn(quotes).split("Quotes")[0]
                quotes.value = True
                await settle(pilot)
                assert "X" in drawn(quotes).split("Quotes")[0]
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)


# --- hostile corpus text in the panes above do not look at: facets, sources, compare, export preview ---


HOSTILE_PANES = {
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


@pytest.fixture(scope="module")
def hostile_panes(tmp_path_factory) -> tuple[Path, Path]:
    """HOSTILE_PANES written out and built once a module (the tests below only read it)."""
    base = tmp_path_factory.mktemp("hostile-panes")
    data = base / "data"
    for name, text in HOSTILE_PANES.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    ensure_store(data, base / "store.db")
    return data, base / "store.db"


@pytest.fixture
def hostile_app(hostile_panes: tuple[Path, Path], tmp_path: Path) -> PivotApp:
    data, built = hostile_panes
    shutil.copyfile(built, tmp_path / "hostile.db")
    return PivotApp(data_dir=data, db_path=tmp_path / "hostile.db", export_dir=tmp_path)


def unsafe(lines: list[str]) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for line in lines for c in UNSAFE.findall(line)})


def assert_clean(app, *literal: str) -> None:
    assert unsafe(screen_lines(app)) == []
    text = screen_text(app)
    for piece in literal:
        assert piece in text, (piece, text)


async def test_hostile_text_is_shown_literally_in_every_pane(hostile_app: PivotApp) -> None:
    """In one run, each pane the tests above do not look at: the facets (counted, not the
    stored ones), the sources screen, the compare screen (the headline grid, then every
    claim in full) and the export dialog's preview in each format (md, csv, json)."""
    app = hostile_app
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        # the facets
        await set_query(pilot, "is:numeric")  # counted facets (not the stored ones)
        assert_clean(app, "[u]Pub[/u] ␛[5m", "[i]Jobs[/i] ␛[2J")
        # the sources screen
        app.screen.query_one(ClaimsTable).focus()
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen)
        assert_clean(app, "[b]Evil[/b] ␛]8;;http://evil.example␛\\title", "[bold]not bold[/bold] ␛[2Jcleared")
        await pilot.press("escape")
        await settle(pilot)
        # the compare screen: names, topic label and the unit of the figures, literally
        app.action_compare(("acme", "other"))
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert_clean(
            app,
            "[bold red]Acme[/] ␛[31mred <U+202E>rev",
            "[link=file:///etc/passwd]Other[/link]",
            "[i]Jobs[/i] ␛[2J",
            "100 [red]people␛[0m",
        )
        await pilot.press("v")  # every claim in full: summaries and sources too
        await settle(pilot)
        assert_clean(app, "[bold]not bold[/bold]", "[u]Pub[/u]")
        while isinstance(app.screen, CompareScreen):
            await pilot.press("escape")
            await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        # the export dialog's preview, in each format
        app.screen.query_one(ClaimsTable).focus()
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        for fmt in ("md", "csv", "json"):
            next(b for b in app.screen.query(RadioButton) if b.name == fmt).value = True
            await settle(pilot)
            preview = app.screen.query_one("#preview", Static)
            lines = ["".join(seg.text for seg in strip) for strip in preview.render_lines(preview.region.reset_offset)]
            assert any("Acme" in line for line in lines), (fmt, lines)
            assert unsafe(lines) == [], fmt
            assert_clean(app)


async def test_hostile_queries_in_the_query_bar(hostile_app: PivotApp) -> None:
    """Hostile text typed or pasted into the query bar: rows or a message (a bad query's
    keeps the last good rows), never a crash, and a pasted escape sequence never reaches
    the terminal."""
    from textual import events

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
        # pasted in one go: typed key by key, "company:acme c..." are good queries of their own
        await set_query(pilot, "company:acme compnay:x")
        message = str(hostile_app.screen.query_one("#query-message").content)
        assert "unknown key 'compnay'" in message and "did you mean 'company'" in message
        assert hostile_app.main.result.total == 2  # the last good rows stay
        await set_query(pilot, "a" * 10_000)  # a term longer than any name or phrase: a message
        assert str(hostile_app.screen.query_one("#query-message").content).startswith("⚠ a term of 10,000 characters")
        assert hostile_app.main.result.total == 2  # the last good rows stay
        await set_query(pilot, "company:[/]x " + "z" * 500)
        message = str(hostile_app.screen.query_one("#query-message").content)
        assert message.startswith("⚠ no company matches '[/]x'")
        assert hostile_app.main.result.total == 2  # the last good rows stay
        assert hostile_app.is_running
        # text pasted from a web page may carry escape sequences: the query bar and the
        # status line show them as visible symbols, never as live sequences
        await set_query(pilot, "")
        query = hostile_app.screen.query_one("#query", Input)
        query.focus()
        query.post_message(events.Paste("\x1b]0;pwned\x07 \x1b[2J bold"))
        await settle(pilot)
        assert "bold" in hostile_app.main.result.text  # the query ran
        assert unsafe(screen_lines(hostile_app)) == []


# --- notifications with markup in them, an empty export ---------------------------------------------


async def export_to(pilot, path: Path) -> None:
    await pilot.press("e")
    await settle(pilot)
    pilot.app.screen.query_one("#path", Input).value = str(path)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_an_export_folder_with_brackets_in_its_name(tmp_path: Path, make_app) -> None:
    """`Export failed: PATH ...` and `Wrote PATH` are shown as text: a folder named [/]missing,
    [draft] or [/] must not be read as markup, and the explorer keeps running."""
    folder = tmp_path / "[" / "] [draft] [@click=app.quit]x"  # the path reads [/] [draft] ...
    folder.mkdir(parents=True)
    app = make_app("small")
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        # a failed export to a path with markup
        target = tmp_path / "[/]missing" / "x.md"
        await export_to(pilot, target)
        assert app.is_running
        assert any(n.message == f"Export failed: {target.parent} does not exist" for n in app._notifications)
        assert "[/]missing" in screen_text(app)  # shown as typed, not read as markup
        # a written one, into the folder with brackets
        await export_to(pilot, folder / "claims.md")
        assert (folder / "claims.md").read_text(encoding="utf-8").startswith("# Claims")
        assert app.is_running
        assert any(n.message == f"Wrote {folder / 'claims.md'}" for n in app._notifications)
        # the toast wraps a long path over lines: its markup-looking parts are shown as typed
        shown = screen_text(app)
        assert "[draft]" in shown and "[/]" in shown


async def test_exporting_zero_claims_from_the_explorer(tmp_path: Path, make_app) -> None:
    """A filter that matches nothing exports a valid empty file; then enter in the dialog
    (its focus on the scope) exports under the proposed name all the same."""
    app = make_app("small")
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
        assert not list(tmp_path.glob("pivot-*.md"))
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ExportScreen)
        assert list(tmp_path.glob("pivot-*.md"))
