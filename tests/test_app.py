"""The explorer, driven through Textual's Pilot on the bundled corpus and on a hostile fixture."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from rich.console import Console
from textual.widgets import Input, Static

from pilot import settle
from tui.app import PivotApp
from tui.screens.compare import CompareScreen
from tui.screens.export import ExportScreen
from tui.screens.sources import SourcesScreen
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
def app(tmp_path: Path) -> PivotApp:
    return PivotApp(db_path=tmp_path / "store.db", export_dir=tmp_path)


async def type_query(pilot, text: str) -> None:
    await pilot.press("slash")
    query = pilot.app.screen.query_one("#query", Input)
    query.value = ""
    await pilot.press(*text) if text else None
    await settle(pilot)


async def test_typing_a_query_narrows_the_rows(app: PivotApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        everything = table.total
        assert everything > 50
        await type_query(pilot, "company:facebook")
        assert 0 < table.total < everything
        assert {r["entity"] for r in loaded_rows(table)} == {"meta"}
        await type_query(pilot, "company:facebook is:conflict")
        assert 0 < table.total < everything
        assert all(r["conflict_count"] > 0 for r in loaded_rows(table))


async def test_a_bad_query_shows_its_message_and_keeps_the_rows(app: PivotApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "company:meta")
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
        assert len(app.selection) == 3
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
        await type_query(pilot, "company:meta")
        await pilot.press("escape")  # leaves the query bar
        assert app.screen.query_one(ClaimsTable).has_focus
        await pilot.press("a")
        await settle(pilot)
        total = app.screen.query_one(ClaimsTable).total
        assert len(app.selection) == total > 0
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert len(app.selection) == total
        assert app.screen.query_one("#query", Input).value == "company:meta"
        await pilot.press("A")
        await settle(pilot)
        assert not app.selection
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert app.screen.query_one("#query", Input).value == ""
        await pilot.press("u")
        await settle(pilot)
        assert app.screen.query_one("#query", Input).value == "company:meta"
        await pilot.press("u")
        await settle(pilot)
        assert len(app.selection) == total


async def test_usable_at_80_by_24(app: PivotApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = table_lines(app)
        assert lines[0].startswith("  ") and "Claim" in lines[0]
        assert any(line.strip() for line in lines[1:])
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
