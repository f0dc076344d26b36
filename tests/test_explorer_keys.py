"""Keys that behave and a table that reads (issue 13), through Textual's Pilot.

The bundled corpus for the detail, sorting and copying (long claims, more than one page);
the small fixture corpus where a test needs to know every claim.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from textual.widgets import Input, SelectionList, Static

from helpers import all_claims
from pilot import settle
from tui.app import PivotApp
from tui.screens.compare import CompareScreen
from tui.screens.export import ExportScreen
from tui.screens.help import HelpScreen
from tui.screens.sources import SourcesScreen
from tui.state import History
from tui.store import db, open_readonly
from tui.store.export import md, table_header
from tui.widgets.claims_table import ClaimsTable
from tui.widgets.detail import DetailPane
from tui.widgets.side import EntityList, FacetList

SIZE = (120, 40)


@pytest.fixture
def app(make_app) -> PivotApp:
    return make_app()


@pytest.fixture
def small_app(make_app) -> PivotApp:
    return make_app("small")


def lines(table: ClaimsTable) -> list[str]:
    return ["".join(seg.text for seg in table.render_line(y)) for y in range(table.size.height)]


async def set_query(pilot, text: str) -> None:
    pilot.app.screen.query_one("#query", Input).value = text
    await settle(pilot)


# --- 1. the detail pane ------------------------------------------------------------------


async def test_the_detail_opens_each_claim_at_the_top_scrolls_with_j_k_and_empties_when_nothing_matches(
    app: PivotApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        detail = app.screen.query_one(DetailPane)
        body = detail

        def shown() -> str:
            return " ".join("".join(seg.text for seg in body.render_line(y)) for y in range(body.size.height))

        first = table.current_row
        assert first["summary"][:30] in shown()
        # a claim whose detail is longer than the pane: j k G scroll it, the next claim opens at its top
        for _ in range(60):
            if detail.max_scroll_y > 2:
                break
            await pilot.press("j")
            await settle(pilot)
        assert detail.max_scroll_y > 2
        detail.focus()
        await pilot.press("j", "j")
        await pilot.pause()
        assert detail.scroll_y == 2
        await pilot.press("k")
        await pilot.pause()
        assert detail.scroll_y == 1
        await pilot.press("G")
        await pilot.pause()
        assert detail.scroll_y == detail.max_scroll_y
        table.focus()
        await pilot.press("j")
        await settle(pilot)
        assert detail.scroll_y == 0
        # a filter that matches nothing empties the detail; the claims come back with the filter
        await set_query(pilot, "zqxjv")  # a word no claim has
        assert table.current_row is None
        assert "No claim matches" in shown() and first["summary"][:30] not in shown()
        await set_query(pilot, "")
        assert table.current_row["summary"][:30] in shown()


# --- 2. columns ---------------------------------------------------------------------------


async def test_the_claim_gets_the_room_and_shared_columns_give_theirs_away(small_app: PivotApp) -> None:
    async with small_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = small_app.screen.query_one(ClaimsTable)
        layout = {c.key: w for c, w in table._layout(table._width)}
        assert layout["summary"] >= table._width // 3
        assert layout["summary"] == max(layout.values())
        assert "Source" in lines(table)[0]
        await set_query(pilot, "source:alpha-news")
        assert table.total > 1
        assert "source" in table.shared
        assert "Source" not in lines(table)[0]
        assert "source: Alpha News" in str(table.border_title)
        after = {c.key: w for c, w in table._layout(table._width)}
        # the source's room goes to the claim, or brings back a column that had no room
        assert after["summary"] > layout["summary"] or set(after) - set(layout) - {"source"}


async def test_w_cycles_the_row_height_and_wraps_the_claim(app: PivotApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        first = table.row_at(0)["summary"]
        await pilot.press("w")
        await pilot.pause()
        assert table.row_height == 2
        shown = lines(table)
        summary_at = shown[0].index("Claim")
        two_lines = (shown[1][summary_at:] + " " + shown[2][summary_at:]).split()
        assert " ".join(first.split()[:4]) in " ".join(two_lines)
        assert len(first) > 40 and shown[2][summary_at:].strip()  # the claim goes on on the second line
        await pilot.press("j")
        assert table.cursor == 1
        await pilot.press("w", "w")
        assert table.row_height == 1


# --- 3. sorting --------------------------------------------------------------------------


async def test_sorting_orders_the_whole_result_in_sql_not_the_rows_fetched(app: PivotApp, tmp_path: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        assert table.total > 100  # more than one page
        while table.column_key != "value":
            await pilot.press("l")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert table.sort == ("value", True)
        assert "Value ▼" in lines(table)[0]
        conn = open_readonly(tmp_path / "store.db")
        try:
            want = [r[0] for r in conn.execute("SELECT id FROM claims ORDER BY value_high DESC, rowid DESC")]
        finally:
            conn.close()
        assert table.row_at(0)["id"] == want[0]
        table.row_at(150)  # asks for the second page
        await settle(pilot)
        assert [table.row_at(i)["id"] for i in (0, 99, 100, 150)] == [want[i] for i in (0, 99, 100, 150)]
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert table.sort == ("value", False)
        await pilot.press("left_square_bracket")  # the same key again: store order
        await settle(pilot)
        assert table.sort is None


def test_a_sorted_page_is_one_statement_with_limit_and_offset(small_conn) -> None:
    from tui.query import build_filter

    flt = build_filter("company:meta", small_conn)
    seen: list[str] = []
    small_conn.set_trace_callback(seen.append)
    try:
        rows = db.sorted_page(small_conn, flt, ("summary", False), 2, 3)
    finally:
        small_conn.set_trace_callback(None)
    assert len(seen) == 1 and "ORDER BY claims.summary COLLATE NOCASE" in seen[0] and "LIMIT" in seen[0]
    everything = sorted(all_claims(small_conn, flt), key=lambda r: (r["summary"].lower(), r["rowid"]))
    assert [r["id"] for r in rows] == [r["id"] for r in everything[2:5]]


# --- 5. copying ---------------------------------------------------------------------------


MARKDOWN_HEADER = table_header()  # the Markdown export's header: y's rows paste under it


def _table_rows(text: str) -> int:
    return len([t for t in MarkdownIt("commonmark").enable("table").parse(text) if t.type == "tr_open"])


def _cells_per_row(text: str) -> list[int]:
    """The number of cells of each row of the first table in `text` (header first)."""
    counts: list[int] = []
    for t in MarkdownIt("commonmark").enable("table").parse(text):
        if t.type == "tr_open":
            counts.append(0)
        elif t.type in ("td_open", "th_open"):
            counts[-1] += 1
    return counts


async def test_y_copies_the_claim_as_a_markdown_row_and_Y_the_quote(app: PivotApp) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        row = table.current_row
        await pilot.press("y")
        await settle(pilot)
        # one row, no header: it pastes under the Markdown export's header, in its columns,
        # and the source its [1] cites follows the table
        copied = app.clipboard
        table_part, _, rest = copied.partition("\n\n")
        assert table_part.count("\n") == 0 and table_part.startswith("| 1 | ") and "---" not in table_part
        assert _table_rows(MARKDOWN_HEADER + copied) == 1 + 1
        assert len(set(_cells_per_row(MARKDOWN_HEADER + copied))) == 1  # the export's row shape
        assert "## Sources" in rest and row["source_title"].split()[0] in rest
        assert any("Copied the highlighted claim" in n.message for n in app._notifications)
        await pilot.press("Y")
        await settle(pilot)
        assert " ".join(row["quote"].split()) in app.clipboard
        # a selection: one row per selected claim
        await pilot.press("space", "space", "space")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert _table_rows(MARKDOWN_HEADER + app.clipboard) == 1 + 3
        assert any("Copied 3 selected claims" in n.message for n in app._notifications)
        # the palette's "copy: claims as a Markdown table" adds the header: a table alone
        app.main.action_copy_claims(header=True)
        await settle(pilot)
        assert app.clipboard.startswith(MARKDOWN_HEADER) and _table_rows(app.clipboard) == 1 + 3


def _status(app: PivotApp) -> str:
    return str(app.screen.query_one("#status", Static).render())


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_a_selection_the_filter_hides_is_said_and_y_says_what_it_takes(make_app, size) -> None:
    """A selection survives a filter change and ctrl+l (a set gathered across filters), never
    silently: the status line says how many selected claims the filter hides, ctrl+l's
    notice says the selection is kept, and y says it copies the selection, not the
    highlighted claim. Once unselected (A), y copies the highlighted claim."""
    app = make_app("small")
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await set_query(pilot, "company:meta")
        table = app.screen.query_one(ClaimsTable)
        picked = [table.current_row]
        await pilot.press("space")
        picked.append(table.current_row)
        await pilot.press("space")
        await settle(pilot)
        assert "2 selected" in _status(app) and "hidden" not in _status(app)
        await set_query(pilot, "-company:meta")
        assert "2 selected, all hidden by the filter" in _status(app)
        await pilot.press("y")
        await settle(pilot)
        assert any("2 selected claims as Markdown rows (2 hidden by the filter)" in n.message for n in app._notifications)
        assert _table_rows(MARKDOWN_HEADER + app.clipboard) == 1 + 2
        assert all(md(r["summary"]) in app.clipboard for r in picked)  # the selected claims, not the highlighted one
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert "2 selected" in _status(app) and "hidden" not in _status(app)
        assert any("2 claims still selected" in n.message for n in app._notifications)
        await pilot.press("A")
        await settle(pilot)
        assert "none selected" in _status(app)
        highlighted = table.current_row
        await pilot.press("y")
        await settle(pilot)
        assert _table_rows(MARKDOWN_HEADER + app.clipboard) == 1 + 1
        assert highlighted["summary"].split()[0] in app.clipboard


# --- 6. escape, undo, history, completion --------------------------------------------------


async def test_the_query_history_is_kept_between_runs(make_app) -> None:
    """An earlier run's queries (written as the explorer's enter writes them, History.add)
    are walked with up and down in the next run; right takes the completion the bar offers
    (which completions: test_session_explorer.py::test_the_query_bar_completes_keys_and_entity_values_from_the_store).
    A stray key that matches nothing is said (in the table and the facets) and not kept;
    a query that matches, left in the bar with escape or submitted with enter, is kept,
    and none of what was typed on the way to it. At 80x24."""
    earlier = History()
    for query in ("company:meta", "is:conflict"):
        earlier.add(query)
    history = Path(os.environ["PIVOT_STATE_DIR"]) / "history"
    assert history.read_text(encoding="utf-8").split("\n")[-3:] == ["company:meta", "is:conflict", ""]
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one("#query", Input)
        await pilot.press("slash", "up")
        assert bar.value == "is:conflict"
        await pilot.press("up")
        assert bar.value == "company:meta"
        await pilot.press("down", "down")
        assert bar.value == ""
        await pilot.press(*"comp")
        await settle(pilot)
        await pilot.press("right")
        assert bar.value == "company:"
        # a stray key
        await pilot.press("ctrl+u", "q", "z", "x", "q")  # a word no claim has
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        shown = "\n".join(lines(table))
        assert table.total == 0 and "No claim matches the filter “qzxq”" in shown and "ctrl+l clears it" in shown
        facets = app.screen.query_one(FacetList)
        assert facets.option_count == 1 and "No claim matches" in str(facets.get_option_at_index(0).prompt)
        await pilot.press("escape")  # left in the bar, matching nothing: not a query to keep
        await settle(pilot)
        assert "qzxq" not in history.read_text(encoding="utf-8")
        # a query that matches, left in the bar with escape, is kept; so is one submitted with enter
        await pilot.press("ctrl+l", "slash", *"meta", "escape")
        await settle(pilot)
        await pilot.press("slash", "ctrl+u", *"pods", "enter")
        await settle(pilot)
    kept = history.read_text(encoding="utf-8").splitlines()
    assert kept[-2:] == ["meta", "pods"], kept
    assert not {"m", "me", "met", "p", "po", "pod", "comp", "company:"} & set(kept), kept  # nothing typed on the way


# --- 7. j k g G everywhere ------------------------------------------------------------------


async def test_j_k_g_G_move_in_every_list(small_app: PivotApp) -> None:
    """j k g G in the entity and facet panes, the sources table and the help; then the
    compare picker, where j moves, space picks and moves down, and a pick is marked with ✓
    (not told apart by colour alone)."""
    async with small_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for selector in ("#entities", "#facets"):
            pane = small_app.screen.query_one(selector)
            pane.focus()
            pane.highlighted = 0 if selector == "#entities" else 1
            await pilot.pause()
            start = pane.highlighted
            await pilot.press("j")
            assert pane.highlighted > start
            await pilot.press("k")
            assert pane.highlighted == start
            await pilot.press("G")
            last = pane.highlighted
            assert last > start
            await pilot.press("g")
            assert pane.highlighted < last
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(small_app.screen, SourcesScreen)
        sources = small_app.screen.query_one("#sources-table")
        await pilot.press("G")
        assert sources.cursor_row == sources.row_count - 1
        await pilot.press("g")
        assert sources.cursor_row == 0
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(small_app.screen, HelpScreen)
        dialog = small_app.screen.query_one("#help-dialog")
        await pilot.press("j", "j")
        await pilot.pause()
        assert dialog.scroll_y == 2
        await pilot.press("g")
        await pilot.pause()
        assert dialog.scroll_y == 0
        # the compare picker: j moves, space picks (and moves down), a pick is marked without colour
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(small_app.screen, CompareScreen)
        await pilot.press("p")
        await settle(pilot)
        picker = small_app.screen.query_one("#picker", SelectionList)
        picker.focus()
        picker.highlighted = 0
        await pilot.pause()
        await pilot.press("j")
        assert picker.highlighted == 1
        rendered = ["".join(s.text for s in picker.render_line(y)) for y in range(picker.option_count)]
        for i, text in enumerate(rendered):
            picked = picker.get_option_at_index(i).value in picker.selected
            assert ("✓" in text[:3]) == picked, text
        before = list(picker.selected)
        await pilot.press("space")  # picks and moves down
        await settle(pilot)
        assert picker.highlighted == 2 and list(picker.selected) != before


# --- 8. help, palette, keymap ---------------------------------------------------------------


async def test_help_lists_the_apps_keys_before_the_text_editing_keys(app: PivotApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        from tests.test_app import plain

        text = plain(app.screen.query_one("#help-keys", Static).content)
        for words in ("Export", "Compare", "Sources", "Select all", "main.export", "table.toggle"):
            assert words in text
        editing = text.index("Text editing")
        for own in ("main.export", "table.sort_ascending", "main.undo", "app.quit"):
            assert text.index(own) < editing, own
        assert text.index("Delete character left") > editing
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query("#claims")


async def test_a_keymap_file_remaps_binding_ids(make_app) -> None:
    Path(os.environ["PIVOT_KEYMAP"]).write_text('[keys]\n"main.export" = "ctrl+e"\n"main.sources" = "S"\n', encoding="utf-8")
    app = make_app("small")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert not isinstance(app.screen, ExportScreen)
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen)
        from tui.commands import key_for

        assert key_for(app, "main.export") == app.get_key_display(__import__("textual.binding").binding.Binding("ctrl+e", ""))
        assert key_for(app, "main.conflicts") == "x"


async def test_a_broken_keymap_is_a_warning_and_the_default_keys(make_app) -> None:
    Path(os.environ["PIVOT_KEYMAP"]).write_text("[keys\n", encoding="utf-8")
    app = make_app("small")
    said: list[tuple[str, str]] = []  # every notice given (a toast leaves after its 10 s: a loaded machine outlived it)
    notify = app.notify
    app.notify = lambda message, **kw: (said.append((kw.get("severity", "information"), str(message))), notify(message, **kw))[1]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert any(severity == "warning" and "keymap" in message for severity, message in said), said
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)


# --- 9. sources -----------------------------------------------------------------------------


async def test_sources_show_ids_flags_and_counts_and_enter_replaces_the_source_term(app: PivotApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await set_query(pilot, "source:synapnews is:numeric")
        await pilot.press("s")
        await settle(pilot)
        table = app.screen.query_one("#sources-table")
        shown = ["".join(s.text for s in table.render_line(y)) for y in range(table.row_count + 1)]
        assert "Disputed" in shown[0] and "Claims" in shown[0]
        conn = open_readonly(app.store_path)
        try:
            ids = [r["id"] for r in db.sources(conn)]
        finally:
            conn.close()
        assert all(any(i in line for line in shown) for i in ids)
        assert all(len(line.rstrip()) <= table.size.width for line in shown)
        await pilot.press("G")
        await settle(pilot)
        from tests.test_app import plain

        body = plain(app.screen.query_one("#source-says-body", Static).content)
        assert "•" in body  # the highlighted source's claims are listed below the table
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, SourcesScreen)
        query = app.screen.query_one("#query", Input).value
        assert query.count("source:") == 1 and "is:numeric" in query
        chosen = query.split("source:", 1)[1].split()[0]
        assert chosen == ids[-1] and {
            r["source"] for r in (app.main.table.row_at(i) for i in range(app.main.table.total)) if r
        } == {chosen}


# --- 10. facets follow the query bar ---------------------------------------------------------


async def test_a_typed_source_term_ticks_its_facet_and_unticking_removes_it(small_app: PivotApp) -> None:
    """enter on a facet value toggles its term (the rule: test_session_explorer.py::
    test_toggling_a_source_facet_filters_and_updates_the_query_bar); a term typed as a
    prefix ticks the value it picks, and unticking takes out the term as typed."""
    async with small_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        facets = small_app.screen.query_one(FacetList)
        ids = [facets.get_option_at_index(i).id for i in range(facets.option_count)]
        facets.focus()
        facets.highlighted = ids.index("v:source\0alpha-news")
        await pilot.press("enter")  # not ticked: enter ticks it, the bar and the rows follow
        await settle(pilot)
        assert small_app.screen.query_one("#query", Input).value == "source:alpha-news"
        table = small_app.screen.query_one(ClaimsTable)
        assert table.total > 0 and {table.row_at(i)["source"] for i in range(table.total)} == {"alpha-news"}
        await set_query(pilot, "source:alpha")  # a prefix of the id alpha-news
        ids = [facets.get_option_at_index(i).id for i in range(facets.option_count)]
        at = ids.index("v:source\0alpha-news")
        assert str(facets.get_option_at_index(at).prompt).startswith("✓")
        facets.focus()
        facets.highlighted = at
        await pilot.press("enter")
        await settle(pilot)
        assert small_app.screen.query_one("#query", Input).value == ""
        await set_query(pilot, "company:facebook")  # an alias: the entity list marks Meta
        entities = small_app.screen.query_one(EntityList)
        prompt = str(entities.get_option(next(r["id"] for r in small_app.main.entity_rows if r["id"] == "meta")).prompt)
        assert prompt.startswith("●")


# --- issue 20: focus, history, a filter that matches nothing -------------------------------


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_shift_tab_goes_round_the_panes_never_into_the_query_bar(make_app, size) -> None:
    """Five presses each way: once round the (at most four) panes and on, never into the bar."""
    app = make_app("small")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        bar = app.screen.query_one("#query", Input)
        seen = []
        for _ in range(5):
            await pilot.press("shift+tab")
            seen.append(app.screen.focused)
            assert app.screen.focused is not bar
        for _ in range(5):
            await pilot.press("tab")
            assert app.screen.focused is not bar
        assert app.screen.query_one(ClaimsTable) in seen and app.screen.query_one("#detail") in seen
        # from the bar (opened with /), tab goes to the claims
        await pilot.press("slash")
        assert app.screen.focused is bar
        await pilot.press("tab")
        assert app.screen.focused is app.screen.query_one(ClaimsTable)
