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

from pilot import set_query, settle
from tui.app import PivotApp
from tui.screens.compare import CompareScreen
from tui.screens.export import ExportScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.sources import SourcesScreen
from tui.store import db, ensure_store
from tui.widgets.claims_table import ClaimsTable
from tui.widgets.side import FacetList

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


async def test_a_bad_query_shows_its_message_and_keeps_the_rows(app: PivotApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await set_query(pilot, "company:meta")
        table = app.screen.query_one(ClaimsTable)
        before = table.total
        # pasted in one go: typed key by key, "company:meta c..." are good queries of their own
        app.screen.query_one("#query", Input).value = "company:meta compnay:x"
        await settle(pilot)
        message = str(app.screen.query_one("#query-message", Static).content)
        assert "unknown key 'compnay'" in message and "did you mean 'company'" in message
        assert table.total == before


async def test_toggling_a_source_facet_filters_and_updates_the_query_bar(app: PivotApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        facets = app.screen.query_one(FacetList)
        facets.focus()
        await pilot.pause()
        ids = [facets.get_option_at_index(i).id for i in range(facets.option_count)]
        first_source = next(i for i, oid in enumerate(ids) if oid and oid.startswith("v:source"))
        facets.highlighted = first_source
        source_id = ids[first_source].split("\0", 1)[1]
        await pilot.press("enter")
        await settle(pilot)
        query = app.screen.query_one("#query", Input).value
        assert f"source:{source_id}" in query
        table = app.screen.query_one(ClaimsTable)
        assert table.total > 0
        assert {r["source"] for r in loaded_rows(table)} == {source_id}
        # toggling it again removes the term
        facets.focus()
        await pilot.pause()
        ids = [facets.get_option_at_index(i).id for i in range(facets.option_count)]
        facets.highlighted = ids.index(f"v:source\0{source_id}")
        await pilot.press("enter")
        await settle(pilot)
        assert "source:" not in app.screen.query_one("#query", Input).value


async def test_opening_a_source_filters_to_it(app: PivotApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen)
        await pilot.press("down")
        await settle(pilot)
        body = plain(app.screen.query_one("#source-says-body", Static).content)
        assert "•" in body  # the highlighted source's claims are listed
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, SourcesScreen)
        query = app.screen.query_one("#query", Input).value
        assert query.startswith("source:")
        table = app.screen.query_one(ClaimsTable)
        assert table.total > 0
        assert {r["source"] for r in loaded_rows(table)} == {query.split(":", 1)[1]}


async def test_selecting_three_claims_and_exporting_markdown(app: PivotApp, tmp_path: Path) -> None:
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
        assert any("Wrote" in n.message for n in app._notifications)


async def test_exporting_the_filter_writes_every_claim_uncut(app: PivotApp, tmp_path: Path) -> None:
    # the explorer streams the whole filter to disk (no 50,000-claim cap any more)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")  # nothing selected: the current filter (every claim)
        await settle(pilot)
        target = tmp_path / "all.md"
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        tokens = MarkdownIt("commonmark").enable("table").parse(target.read_text(encoding="utf-8"))
        total = app.main.result.total
        assert len([t for t in tokens if t.type == "tr_open"]) == 1 + total
        notes = [n for n in app._notifications if "Wrote" in n.message]
        assert notes and notes[-1].title == f"Exported {total:,} claims" and notes[-1].severity == "information"


async def test_a_bad_export_path_notifies_instead_of_crashing(app: PivotApp, tmp_path: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#path", Input).value = str(tmp_path / "no" / "such" / "dir" / "x.md")
        await pilot.press("ctrl+s")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("Export failed" in m and "does not exist" in m for m in messages), messages
        assert app.is_running


async def test_an_existing_file_is_kept_unless_the_user_says_overwrite(app: PivotApp, tmp_path: Path) -> None:
    target = tmp_path / "keep.md"
    target.write_text("precious\n")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
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
        detail = plain(app.screen.query_one("#detail-body", Static).content)
        assert "[bold]not bold[/bold] and ␛[2Jcleared␍ over" in detail
        assert "[/] a quote with <U+202E> reversed" in detail
        assert "[i]Someone[/i]" in detail
        assert "[b]Evil[/b]" in detail
        entities = app.screen.query_one("#entities")
        prompts = [str(entities.get_option_at_index(i).prompt) for i in range(entities.option_count)]
        assert any("[bold red]Acme[/]" in p for p in prompts)


async def test_help_lists_the_bindings(app: PivotApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = plain(app.screen.query_one("#help-keys", Static).content)
        for words in ("Export", "Compare", "Sources", "Select all", "main.export", "table.toggle"):
            assert words in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query("#claims")


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


async def test_usable_at_80_by_24(app: PivotApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = table_lines(app)
        assert lines[0].startswith("  ") and "Claim" in lines[0]
        assert any(line.strip() for line in lines[1:])
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)


# --- a 40x12 terminal, resizing while a query runs, NO_COLOR ----------------------------------------


# controls, DEL, C1, bidi controls and zero-width characters: none may reach the screen
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def screen_lines(app) -> list[str]:
    """What the terminal shows, line by line (every layer of the current screen)."""
    return ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]


def screen_text(app) -> str:
    return "\n".join(screen_lines(app))


async def test_every_screen_opens_at_40_by_12_without_a_crash(tmp_path: Path, make_app) -> None:
    app = make_app("small")
    async with app.run_test(size=(40, 12), notifications=True) as pilot:
        await settle(pilot)
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


async def test_claims_are_visible_at_40_by_12(tmp_path: Path, make_app) -> None:
    """The claims are what the explorer is for: at 40x12 some of them must be on screen."""
    app = make_app("small")
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        assert table.total == 19
        assert table.size.height >= 3, f"the claims table is {table.size.height} lines high at 40x12"
        first = table.row_at(0)["summary"]
        assert first[:8] in screen_text(app)


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
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
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


@pytest.mark.parametrize(
    "keys", [(), ("c",), ("s",), ("e",), ("question_mark",)], ids=["main", "compare", "sources", "export", "help"]
)
async def test_no_color_shows_every_screen_without_colour(tmp_path: Path, make_app, monkeypatch, keys: tuple[str, ...]) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app("small")
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
            assert "Current filter (6)" in screen_text(app)


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


# --- notifications with markup in them, an empty export ---------------------------------------------


async def export_to(pilot, path: Path) -> None:
    await pilot.press("e")
    await settle(pilot)
    pilot.app.screen.query_one("#path", Input).value = str(path)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_an_export_folder_with_brackets_in_its_name(tmp_path: Path, make_app) -> None:
    """`Wrote PATH` is shown as text: a folder named [draft] or [/] must not be read as markup."""
    folder = tmp_path / "[" / "] [draft] [@click=app.quit]x"  # the path reads [/] [draft] ...
    folder.mkdir(parents=True)
    app = make_app("small")
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        await export_to(pilot, folder / "claims.md")
        assert (folder / "claims.md").read_text(encoding="utf-8").startswith("# Claims")
        assert app.is_running
        assert any(n.message == f"Wrote {folder / 'claims.md'}" for n in app._notifications)
        # the toast wraps a long path over lines: its markup-looking parts are shown as typed
        shown = screen_text(app)
        assert "[draft]" in shown and "[/]" in shown


async def test_a_failed_export_to_a_path_with_markup(tmp_path: Path, make_app) -> None:
    app = make_app("small")
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        target = tmp_path / "[/]missing" / "x.md"
        await export_to(pilot, target)
        assert app.is_running
        assert any(n.message == f"Export failed: {target.parent} does not exist" for n in app._notifications)
        assert "[/]missing" in screen_text(app)  # shown as typed, not read as markup


async def test_exporting_zero_claims_from_the_explorer(tmp_path: Path, make_app) -> None:
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
