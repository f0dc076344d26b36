"""A keystroke's new rows, counts and facets are repaints of the widgets that show them, not
a layout of the whole screen (a full Screen._refresh_layout was most of the main thread
while typing); and the claims table draws a row it has drawn before from its kept lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen

from pilot import next_frames, settle
from tui.app import PivotApp
from tui.state import History
from tui.store.db import FacetValue
from tui.widgets.claims_table import ClaimsTable
from tui.widgets.query_bar import QueryBar
from tui.widgets.side import FacetList

SMALL = Path(__file__).resolve().parent / "fixtures" / "small"


def rows(n: int, start: int = 0) -> list[dict]:
    return [
        {
            "id": f"c{i}",
            "relation": None,
            "entity_name": "Meta",
            "topic_label": "Jobs",
            "summary": f"claim number {i}",
            "value_low": None,
            "value_high": None,
            "unit": None,
            "bound": "exact",
            "period": "2026",
            "presumed_period": None,
            "draft": 0,
            "standing": None,
            "status": "reported",
            "source": "s",
            "publisher": "Alpha",
            "source_title": "t",
        }
        for i in range(start, start + n)
    ]


class Widgets(App):
    CSS = "ClaimsTable { height: 1fr; } FacetList { height: 10; }"

    def compose(self) -> ComposeResult:
        yield QueryBar(History(), id="query")
        yield FacetList(id="facets")
        yield ClaimsTable(id="claims")


async def test_new_rows_counts_facets_and_text_ask_for_no_layout(monkeypatch) -> None:
    laid_out: list[str] = []
    on_layout = Screen._on_layout

    async def spy(self, message):
        laid_out.append(type(message.widget).__name__)
        await on_layout(self, message)

    monkeypatch.setattr(Screen, "_on_layout", spy)
    app = Widgets()
    async with app.run_test(size=(100, 40)) as pilot:
        table, facets, bar = app.query_one(ClaimsTable), app.query_one(FacetList), app.query_one(QueryBar)
        table.reset(1, 1_000, rows(100))
        facets.show({"source": ([FacetValue(f"s{i}", f"Source {i}", 30 - i) for i in range(20)], False)}, set())
        await next_frames(pilot)  # the scrollbars' own layout, before counting
        laid_out.clear()
        for generation, total, n_facets, text in ((2, 5_000, 14, "l"), (3, 240, 18, "la"), (4, 100_000, 12, "lay")):
            bar.value = text  # typed
            table.reset(generation, total, rows(100, generation))  # the keystroke's first page
            table.set_total(generation, total * 2)  # its exact count
            facets.show({"source": ([FacetValue(f"s{i}", f"Source {i}", 30 - i) for i in range(n_facets)], False)}, set())
            await pilot.pause()
        assert table.virtual_size.height == 200_001 and table.show_vertical_scrollbar
        assert facets.option_count == 13 and facets.show_vertical_scrollbar
        assert laid_out == []


async def test_the_table_draws_a_row_again_from_its_kept_lines(small_db: Path, monkeypatch) -> None:
    app = PivotApp(data_dir=SMALL, db_path=small_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.main.table
        built: list[int] = []
        row_line = ClaimsTable._row_line

        def counting(self, row, *args):
            built.append(1)
            return row_line(self, row, *args)

        monkeypatch.setattr(ClaimsTable, "_row_line", counting)
        first = [table.render_line(y) for y in range(1, 6)]
        assert built == []  # drawn for the first frame: kept
        await pilot.press("j")  # the cursor moves: the two rows it leaves and reaches are drawn anew
        again = [table.render_line(y) for y in range(1, 6)]
        assert len(built) == 2
        assert again[2:] == first[2:] and again[0] != first[0] and again[1] != first[1]


async def test_a_keystroke_that_keeps_the_first_claim_keeps_its_detail(small_db: Path, monkeypatch) -> None:
    from tui.screens.main import MainScreen

    loads: list[str] = []
    load_detail = MainScreen.load_detail

    def counting(self, row):
        loads.append(row["id"])
        return load_detail(self, row)

    monkeypatch.setattr(MainScreen, "load_detail", counting)
    app = PivotApp(data_dir=SMALL, db_path=small_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = app.main.table.current_row
        assert loads == [first["id"]]
        app.main.set_query(f"company:{first['entity']}")  # the same claim stays first
        await settle(pilot)
        assert app.main.table.current_row["id"] == first["id"] and app.main.result.text.startswith("company:")
        assert loads == [first["id"]]  # not loaded (nor laid out) again
        app.main.set_query("")
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert len(loads) == 2 and loads[1] != first["id"]


async def test_a_keystroke_parses_the_filter_once(small_db: Path, monkeypatch) -> None:
    """The query bar's text is parsed once per keystroke (tui.session.Filter.set): the query,
    the facets and the entity list read that one Parsed (Compiled keeps it)."""
    import tui.query
    import tui.session

    parsed: list[str] = []
    parse = tui.query.parse

    def counting(text: str):
        parsed.append(text)
        return parse(text)

    monkeypatch.setattr(tui.query, "parse", counting)
    monkeypatch.setattr(tui.session, "parse", counting)
    app = PivotApp(data_dir=SMALL, db_path=small_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        parsed.clear()
        await pilot.press("slash", *"company:meta is:con")
        await settle(pilot)
        assert app.main.result.text == "company:meta is:con" and app.main.result.total > 0
        assert parsed == ["company:meta is:con"[:n] for n in range(1, 20)]


async def test_keys_typed_show_their_rows_and_the_facets_wait_for_a_pause(small_db: Path, monkeypatch) -> None:
    """While a person types, each key's rows are shown at once; the facets, the exact count and
    the first row's detail wait until typing pauses (typing_pause), so that the loop is free to
    echo the next key. Leaving the bar is a pause: they come at once, for the text typed last."""
    from tui.screens.main import MainScreen

    counted: list[str] = []
    details: list[str] = []
    count_facets, load_detail = MainScreen.count_facets, MainScreen.load_detail

    def counting(self, result):
        counted.append(result.text)
        return count_facets(self, result)

    def loading(self, row):
        details.append(row["id"])
        return load_detail(self, row)

    monkeypatch.setattr(MainScreen, "count_facets", counting)
    monkeypatch.setattr(MainScreen, "load_detail", loading)
    monkeypatch.setattr(MainScreen, "typing_pause", 600.0)  # no pause while this test types
    monkeypatch.setattr(MainScreen, "detail_delay", 0.06)
    app = PivotApp(data_dir=SMALL, db_path=small_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # the first row's detail is due detail_delay after the first rows: settled can come
        # before it (conftest's finer idle check), and it must not count as loaded while typing
        for _ in range(500):
            if app.main._detail_timer is None:
                break
            await pilot.pause(0.01)
        else:
            pytest.fail("the first row's detail was never loaded")
        await settle(pilot)
        assert details == [app.main.table.current_row["id"]]  # once, after its delay
        counted.clear()
        details.clear()
        shown = {app.main.table.current_row["id"]}
        await pilot.press("slash")
        for key, text in (("c", "c"), ("u", "cu"), ("t", "cut"), ("s", "cuts")):
            await pilot.press(key)
            await settle(pilot)
            assert app.main.result.text == text  # the key's rows are on screen
            row = app.main.table.current_row
            shown.add(row["id"] if row else None)
        assert counted == [] and details == []  # nothing else while typing
        assert len(shown) > 1  # the keys did change the first row (its detail waited)
        await pilot.press("enter")  # leaves the bar: typing stopped
        await settle(pilot)
        assert counted == ["cuts"]
        assert details == [app.main.table.current_row["id"]]
        assert app.main.facet_list.option_count > 0


async def test_a_keystroke_with_no_rows_keeps_the_scrollbar_and_asks_for_no_layout(monkeypatch) -> None:
    """`l` or `layoffs c` match nothing, the next key matches thousands again: the table's
    scrollbar, once shown, stays (its thumb the whole track), so that neither key lays out
    the whole screen to take it away and bring it back."""
    laid_out: list[str] = []
    on_layout = Screen._on_layout

    async def spy(self, message):
        laid_out.append(type(message.widget).__name__)
        await on_layout(self, message)

    monkeypatch.setattr(Screen, "_on_layout", spy)
    app = Widgets()
    async with app.run_test(size=(100, 40)) as pilot:
        table = app.query_one(ClaimsTable)
        table.reset(1, 1_000, rows(100))
        await next_frames(pilot)  # the scrollbars' own layout, before counting
        assert table.show_vertical_scrollbar
        laid_out.clear()
        for generation, total in ((2, 0), (3, 5_000), (4, 3), (5, 40_000)):
            table.reset(generation, total, rows(min(total, 100), generation))
            await pilot.pause()
            assert table.show_vertical_scrollbar
        assert laid_out == []


async def test_rows_after_a_key_that_matched_nothing_are_not_beside_no_claim_matches(small_db: Path, monkeypatch) -> None:
    """A key that matches nothing says so in the detail pane; the next key's rows take that
    away at once, though the first row's detail waits for typing to pause."""
    from textual.geometry import Region

    from tui.screens.main import MainScreen
    from tui.widgets.detail import DetailPane

    monkeypatch.setattr(MainScreen, "typing_pause", 600.0)
    monkeypatch.setattr(MainScreen, "detail_delay", 0.06)
    app = PivotApp(data_dir=SMALL, db_path=small_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        body = app.main.query_one(DetailPane)
        await pilot.press("slash", "x")
        await settle(pilot)
        assert app.main.table.total == 0 and "No claim matches" in str(body.content)
        await pilot.press("backspace")
        await settle(pilot)
        assert app.main.table.current_row is not None
        assert "No claim matches" not in str(body.content)
        await pilot.press("enter")
        await settle(pilot)
        shown = " ".join(strip.text for strip in body.render_lines(Region(0, 0, body.size.width, body.size.height)))
        assert app.main.table.current_row["summary"][:20] in shown  # its detail, once typing stopped


async def test_keys_queued_behind_slash_go_to_the_query_bar(small_db: Path) -> None:
    """`/` and the keys typed right after it reach the app together when its loop was busy
    (one read of the terminal; the app forwards each key to the widget focused as it takes
    it): `/` takes the bar at once, so that the keys after it are typed into the bar and
    not taken by the table (`l` moves its column cursor). A `/` typed in the bar is text."""
    from textual import events

    app = PivotApp(data_dir=SMALL, db_path=small_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        column = app.main.table.column
        for key, character in (("slash", "/"), ("l", "l"), ("a", "a"), ("slash", "/"), ("y", "y")):
            app.post_message(events.Key(key, character))  # queued together, before any is handled
        await settle(pilot)
        assert app.main.query_text == "la/y" and app.main.table.column == column
        assert app.main.result.text == "la/y"


async def test_a_claim_s_detail_asks_for_no_layout_and_is_wrapped_at_one_width(small_db: Path, monkeypatch) -> None:
    """Moving between claims whose detail fits the pane and claims whose detail does not
    lays nothing out (besides the pane's scrollbar coming and going): a claim's detail is the
    pane's lines and its virtual size, drawn where the pane is (a Static in a scrolling
    container was laid out anew with the whole screen for each claim); and the detail is
    wrapped at one width only: the scrollbar's room is kept (a scrollbar coming in narrowed
    the text, to be wrapped again)."""
    from tui.widgets.detail import DetailPane

    layouts: list[list[str]] = []
    widths: set[int] = set()
    refresh_layout, post_render = Screen._refresh_layout, DetailPane.post_render

    def spy(self, *args, **kwargs):
        layouts.append([type(w).__name__ for ws in self._layout_widgets.values() for w in ws])
        return refresh_layout(self, *args, **kwargs)

    def wrapped(self, renderable, style):  # the detail is wrapped (at the pane's width)
        widths.add(self.scrollable_content_region.width)
        return post_render(self, renderable, style)

    monkeypatch.setattr(Screen, "_refresh_layout", spy)
    monkeypatch.setattr(DetailPane, "post_render", wrapped)
    app = PivotApp(data_dir=SMALL, db_path=small_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.main.query_one(DetailPane)
        scrolls: list[bool] = []
        widths.clear()
        for _ in range(40):
            layouts.clear()
            await pilot.press("j")
            await settle(pilot)
            scrolls.append(pane.max_scroll_y > 0)
            assert [x for x in layouts if x != ["ScrollBar"]] == [], layouts
        assert True in scrolls and False in scrolls  # some details fit the pane, some do not
        assert len(widths) == 1


async def test_a_cursor_move_draws_the_two_rows_it_changes_in_one_frame(small_db: Path, monkeypatch) -> None:
    """`j` draws the row the cursor leaves and the row it reaches, not every line of the
    table (a repaint of the whole widget had the compositor draw every line of it); `j` past
    the last row on screen scrolls, and draws every line once, in one frame."""
    from tui.screens.main import MainScreen

    monkeypatch.setattr(MainScreen, "detail_delay", 600.0)  # the detail's frame is another test's
    drawn: list[int] = []
    frames: list[list[int]] = []
    render_line, compositor_refresh = ClaimsTable.render_line, MainScreen._compositor_refresh

    def counting(self, y):
        drawn.append(y)
        return render_line(self, y)

    def frame(self):
        compositor_refresh(self)
        if drawn:
            frames.append(sorted(drawn))
            drawn.clear()

    monkeypatch.setattr(ClaimsTable, "render_line", counting)
    monkeypatch.setattr(MainScreen, "_compositor_refresh", frame)
    app = PivotApp(data_dir=SMALL, db_path=small_db)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.main.table
        body = table.size.height - 1
        assert table.total > body + 1  # rows enough to scroll
        frames.clear()
        await pilot.press("j")
        await settle(pilot)
        assert frames == [[1, 2]]  # the rows of claims 0 and 1, under the header line
        for _ in range(body - 2):
            await pilot.press("j")
        await settle(pilot)
        assert table.cursor == body - 1 and table.scroll_y == 0
        frames.clear()
        await pilot.press("j")  # the row below the last on screen: the rows scroll by one
        await settle(pilot)
        assert table.scroll_y == 1 and len(frames) == 1, frames
        assert frames[0] == list(range(table.size.height))  # every line, once


async def test_the_detail_s_text_can_be_selected(small_db: Path) -> None:
    """The detail pane draws its own lines: the mouse still selects its text (to copy), as it
    did when the pane held a Static."""
    from textual.geometry import Offset
    from textual.selection import Selection

    from tui.widgets.detail import DetailPane

    app = PivotApp(data_dir=SMALL, db_path=small_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.main.query_one(DetailPane)
        summary = app.main.table.current_row["summary"]
        text, _ = pane.get_selection(Selection(Offset(0, 0), Offset(12, 0)))
        assert text == summary[:12]
        pane.selection_updated(Selection(Offset(0, 0), Offset(12, 0)))
        app.screen.selections = {pane: Selection(Offset(0, 0), Offset(12, 0))}
        await pilot.pause()
        assert app.screen.get_selected_text() == summary[:12]
        line = pane.render_line(0)
        chosen, rest = line.divide([12, line.cell_length])
        assert chosen.text == summary[:12]
        background = {seg.style.bgcolor for seg in rest if seg.style}
        assert {seg.style.bgcolor for seg in chosen if seg.style}.isdisjoint(background)  # drawn selected
        assert all(seg.style and seg.style.color != seg.style.bgcolor for seg in chosen)  # and readable
