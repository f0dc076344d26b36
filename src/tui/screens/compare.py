"""Compare screen: the headline grid (topics and their quantities as rows, the chosen
entities as columns), a picker that can be hidden, and every claim in full on `v`.

The picks, the cell cursor and the picker are kept in the session (tui.session's
CompareMemory) while the explorer runs; the first picks are the two most-covered companies.
`c` on the main screen with a filter naming entities (`company:amazon company:alphabet`) compares those. `enter`
on a cell shows its claims in the main table (filtered to that entity, topic and
quantity); `c` there comes back to the same cell.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading

from rich.segment import Segment
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, SelectionList
from textual.widgets.selection_list import Selection

from tui.messages import ExportRequested, FilterRequested, StoreFailed
from tui.query import format_term
from tui.session import CompareTarget, Session, resolve_named, with_named
from tui.store import db
from tui.store.fmt import one_line
from tui.store.grid import Grid, GridRow, fill, head, skeleton
from tui.widgets.compare_grid import CompareGrid
from tui.widgets.footer import Footer
from tui.widgets.rendered import RenderedView, render_lines
from tui.widgets.side import PickerList

CELL_LIMIT = 200  # claims per cell in the full view (every claim of any article-sized corpus: the bundled cells hold 30 at most); the export holds every one
TOPIC_WIDTH = 18
COLUMN_WIDTH = 20  # an entity's narrowest column in the full view (rich_tables.compare_table)
PICKER_LIMIT = 200  # entities offered at once; the find box above reaches the others
PICKER_WIDTH = 26


class FullView(RenderedView):
    """Every claim of the comparison; j k g G as in the grid and the lists."""

    BINDINGS = [
        Binding("j,down", "scroll_down", "Down", show=False, id="full.down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="full.up"),
        Binding("g,home", "scroll_home", "First", show=False, id="full.first"),
        Binding("G,end", "scroll_end", "Last", show=False, id="full.last"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="full.page"),
    ]


class CompareScreen(Screen[None]):
    CSS_PATH = "screens.tcss"  # the styling of every screen but the main one (read as the first opens)
    AUTO_FOCUS = "#grid"  # focused as the screen is shown (a focus() of its own would be a second focus change: a second footer)
    BINDINGS = [
        Binding("escape", "back", "Back", id="compare.back"),
        Binding("e", "export", "Export", id="compare.export"),
        Binding("p", "toggle_picker", "Picker", id="compare.picker"),
        Binding("slash", "find", "Find entity", id="compare.find"),
        Binding("v", "toggle_full", "Full claims", id="compare.full"),
        Binding("f", "figure", "Figure", id="compare.figure"),
        Binding("t", "focus_grid", "Grid", show=False, id="compare.grid"),
        Binding("x", "clear_picks", "Clear picks", show=False, id="compare.clear"),
    ]

    def __init__(self, session: Session, target: CompareTarget) -> None:
        super().__init__()
        self.session = session
        self.store = session.store
        self.entity_ids = list(target.picks)  # none: the two most-covered companies (found in the worker)
        self.named = list(target.named)  # entity names from the filter, resolved in the worker
        self.cursor = target.cursor
        self.comparison: db.Comparison | None = None
        self.full = False
        self.complete = False  # the grid for the current picks is on screen
        self.cleared = False  # the user took every pick away (x): no first picks put back

    def compose(self) -> ComposeResult:
        with Horizontal(id="compare-body"):
            with Vertical(id="picker-pane"):
                yield Input(placeholder="find an entity", id="picker-find")
                yield PickerList(id="picker")  # j k g G; a pick marked ✓ (tui.widgets.side)
            yield CompareGrid(id="grid")
            yield FullView(id="full")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#picker").border_title = "space picks"
        self.query_one("#picker-find").border_title = "type, ⏎ picks"
        # narrow beside the grid (the grid keeps two columns at 120), closed until asked for
        # (p or /): never left open for the next visit
        self.query_one("#picker-pane").styles.width = PICKER_WIDTH
        self.query_one("#grid").border_title = "Comparison"
        self.query_one("#full").border_title = "Every claim"
        self.query_one("#full").display = False
        self.query_one("#picker-pane").display = False
        self.refresh_comparison()

    # --- the picker -------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="compare-entities")
    def load_entities(self, search: str) -> None:
        def job(conn):
            return db.entities(conn, PICKER_LIMIT, search, list(self.entity_ids)), db.entity_count(conn)

        try:
            rows, total = self.store.run(job)
        except sqlite3.Error as exc:
            self.post_message(StoreFailed(exc))
            return
        self.app.call_from_thread(self._show_entities, search, rows, total)

    @on(Input.Changed, "#picker-find")
    def find_changed(self, event: Input.Changed) -> None:
        self.load_entities(event.value)

    @on(Input.Submitted, "#picker-find")
    def find_submitted(self, event: Input.Submitted) -> None:
        """⏎ in the find box picks (or unpicks) the first entity the text finds and empties
        the box for the next name: "amazon ⏎ alphabet ⏎" compares the two; ⏎ on an empty
        box goes to the list."""
        if not event.value.strip():
            self.query_one("#picker").focus()
            return
        self.pick_found(event.value)
        event.input.value = ""

    @work(thread=True, group="compare-pick")
    def pick_found(self, search: str) -> None:
        try:
            found = self.store.run(db.entities, 1, search)
        except sqlite3.Error as exc:
            self.post_message(StoreFailed(exc))
            return
        if found:
            self.app.call_from_thread(self._toggle_pick, found[0]["id"])
        else:
            self.app.call_from_thread(self.notify, f"no entity matches {search!r}")

    def _toggle_pick(self, entity_id: str) -> None:
        picks = [e for e in self.entity_ids if e != entity_id]
        self.entity_ids = picks if entity_id in self.entity_ids else [*picks, entity_id]
        self.cleared = not self.entity_ids
        self.refresh_comparison()
        self.load_entities(self.query_one("#picker-find", Input).value)

    def _show_entities(self, search: str, rows, total: int) -> None:
        if search != self.query_one("#picker-find", Input).value:
            return  # stale
        picker = self.query_one("#picker", SelectionList)
        with picker.prevent(SelectionList.SelectedChanged):
            picker.clear_options()
            picker.add_options(Selection(Text(one_line(r["name"], 30)), r["id"], r["id"] in self.entity_ids) for r in rows)
        if picker.option_count and picker.highlighted is None:
            picker.highlighted = 0  # a visible cursor at once, before the first key
        shown = len(rows)
        picker.border_subtitle = f"{shown:,} of {total:,}" if shown < total else f"{total:,}"

    @on(SelectionList.SelectedChanged, "#picker")
    def picked(self, event: SelectionList.SelectedChanged) -> None:
        chosen = list(event.selection_list.selected)
        # keep the order in which entities were added: earlier ones stay on the left
        self.entity_ids = [e for e in self.entity_ids if e in chosen] + [e for e in chosen if e not in self.entity_ids]
        self.cleared = not self.entity_ids  # none left: the grid stays empty until a pick
        self.refresh_comparison()

    # --- the grid ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="compare")
    def refresh_comparison(self) -> None:
        if self.named:
            try:
                found = self.store.run(resolve_named, self.named)
            except sqlite3.Error:
                found = []
            self.named = []
            self.entity_ids = with_named(found, self.entity_ids)
        if not self.entity_ids and not self.cleared:  # nothing compared yet: the two most-covered companies
            with contextlib.suppress(sqlite3.Error):  # the grid's query below says what is wrong
                self.entity_ids = self.store.run(db.most_covered, 2)
        ids = list(self.entity_ids)
        try:
            grid = self._first_screen(ids)
            if any(row.key not in grid.filled for row in grid.rows):
                grid = grid.copy()  # the screen draws the first; the rest is read into a copy
                self.store.run(fill, grid, grid.rows)
            cmp = self.store.run(db.compare, ids, None, CELL_LIMIT, grid.sources) if self.full else None
        except sqlite3.Error as exc:  # a damaged or vanished store: say so, keep the app
            lines = render_lines(Text(f"The store could not answer: {exc}", style="bold red"), 60)
            self.app.call_from_thread(self._show_error, ids, lines)
            return
        full_lines = None
        if cmp is not None:
            # the width of the view less its scrollbar (a comparison is taller than the screen):
            # the table's right border and legend are drawn inside it; many entities scroll sideways
            # (the view may not be laid out yet when v shows it: its width is the screen's less
            # the picker's, its border's and its scrollbar's)
            pane = self.query_one("#picker-pane")
            beside = pane.outer_size.width if pane.display else 0
            scrollbar = self.query_one("#full").styles.scrollbar_size_vertical
            width = max(self.app.size.width - beside - 2 - scrollbar, 40)
            topic = TOPIC_WIDTH if width >= 100 else 12
            width = max(width, topic + 4 + len(cmp.entities) * (COLUMN_WIDTH + 3))  # else it scrolls sideways
            from tui.rich_tables import compare_table  # (v only: the grid does not need it)

            lines = render_lines(compare_table(cmp, None, topic), width)
            # a blank last line: in a real terminal the view scrolled one line short of the
            # end (the legend's last line out of reach), where Pilot's screen does not
            full_lines = ([*lines, [Segment(" " * width)]], width)
        self.app.call_from_thread(self._show, ids, grid, cmp, full_lines)

    def _first_screen(self, ids: list[str]) -> Grid:
        """The grid's rows and counts with the cells of its first screen, on screen before
        the cells below it are read: from the top, the first topics' rows read and filled
        until they fill the screen (store.grid.head), then every row and count; at the
        cursor (back from a cell's claims) or for `v`, every row first. The first screen is
        drawn before the rest is read: that work's Python held the UI thread's frame back
        (the GIL), at 100k claims by ~0.7 s."""
        view = self.query_one("#grid", CompareGrid)
        if not self.full and not (self.cursor and self.cursor[0]):
            width, height = view.size
            if not width or not height:  # not laid out yet: the screen's size less the border, footer and picker
                pane = self.query_one("#picker-pane")
                beside = pane.outer_size.width if pane.display else 0
                width, height = self.app.size.width - beside - 2, self.app.size.height - 3
            first = self.store.run(head, ids, view.screen_filled(width, height))
            if first.whole:
                return first
            self._show_first(ids, first)
            grid = self.store.run(skeleton, ids)
            if grid.take(first):
                self.app.call_from_thread(self._show, ids, grid, None, None, True)  # every row, its counts
            else:  # the store changed between the two reads: the first screen read again
                self.store.run(fill, grid, grid.rows[: len(first.rows)])
            return grid
        grid = self.store.run(skeleton, ids)
        first_rows = grid.rows[: max(self.app.size.height - 7, 12)]  # a row a line at least: the body holds no more
        self.store.run(fill, grid, first_rows)
        if len(first_rows) < len(grid.rows) and not self.full:
            self._show_first(ids, grid)
        return grid

    def _show_first(self, ids: list[str], grid: Grid) -> None:
        """Show `grid` (a first screen of it) and wait until it is on the terminal."""
        drawn = threading.Event()
        self.app.call_from_thread(self._show, ids, grid, None, None, True, drawn)
        drawn.wait(timeout=2.0)

    def _show_error(self, ids: list[str], lines) -> None:
        if ids == self.entity_ids:
            self.query_one("#grid", CompareGrid).display = False
            full = self.query_one("#full", RenderedView)
            full.display = True
            full.show(lines, 60)
            self.complete = True

    def _show(
        self, ids: list[str], grid: Grid, cmp, full_lines, partial: bool = False, drawn: threading.Event | None = None
    ) -> None:
        if drawn is not None:
            self.call_after_refresh(drawn.set)
        if ids != self.entity_ids:
            return  # stale
        self.comparison = cmp
        view = self.query_one("#grid", CompareGrid)
        view.show(grid, self.cursor)
        self.cursor = None  # from here the grid's own (a key pressed before the rest is read stays)
        if partial:
            self._titles(grid)
            return
        if full_lines is not None:
            self.query_one("#full", RenderedView).show(*full_lines)
        self.session.compare.picks = list(ids)
        self._titles(grid)
        if self.query_one("#picker-pane").display:
            self.load_entities(self.query_one("#picker-find", Input).value)
        self.complete = True

    def _titles(self, grid: Grid) -> None:
        view = self.query_one("#grid", CompareGrid)
        if not grid.entities:
            view.border_title, view.border_subtitle = "Comparison", "no entity picked: / then a name, ⏎ picks it"
            return
        names = " vs ".join(e["name"] for e in grid.entities)
        view.border_title = Text(f"Comparison: {one_line(names, 80)}")  # Text, not a markup string
        marks = "⚠ contradicted ! at odds → revised ≠ differs ✓ corroborated"
        if not grid.whole:  # the first screen's rows: the topics and disputed cells not counted yet
            view.border_subtitle = f"counting topics… · {marks}"
            return
        topics = len({r.topic for r in grid.rows})
        n = grid.disputed_cells
        view.border_subtitle = f"{topics} topics · {n} disputed cell{'' if n == 1 else 's'} · {marks}"

    @on(CompareGrid.Moved)
    def moved(self) -> None:
        self.session.compare.cursor = self.query_one("#grid", CompareGrid).cursor

    @on(CompareGrid.Open)
    def open_cell(self, event: CompareGrid.Open) -> None:
        """The cell's claims in the main table; `c` there comes back to this cell."""
        terms = [format_term("company", event.entity_id), format_term("topic", event.row.topic)]
        if event.row.metric:
            terms.append(format_term("metric", event.row.metric))
        self.session.compare.cursor = self.query_one("#grid", CompareGrid).cursor
        self.post_message(FilterRequested(" ".join(terms), drill=True))

    # --- actions ------------------------------------------------------------------------------

    def action_back(self) -> None:
        """Out of the picker (closed) to the grid; from the grid, back to the explorer."""
        pane = self.query_one("#picker-pane")
        if pane.display and self.focused is not None and pane in self.focused.ancestors_with_self:
            pane.display = False
            self.query_one("#grid").focus()
            return
        self.app.pop_screen()

    def action_clear_picks(self) -> None:
        """Every pick taken away, the picker open to find the first: x / then names."""
        self.entity_ids, self.cleared = [], True
        self.refresh_comparison()
        self.action_find()

    def action_export(self) -> None:
        self.post_message(ExportRequested(comparison=list(self.entity_ids)))

    def action_toggle_picker(self) -> None:
        pane = self.query_one("#picker-pane")
        pane.display = not pane.display
        if pane.display:
            self.load_entities(self.query_one("#picker-find", Input).value)
            self.query_one("#picker").focus()
        else:
            self.query_one("#grid").focus()

    def action_find(self) -> None:
        pane = self.query_one("#picker-pane")
        if not pane.display:
            pane.display = True
            self.load_entities(self.query_one("#picker-find", Input).value)
        self.query_one("#picker-find").focus()

    def action_toggle_full(self) -> None:
        self.full = not self.full
        self.query_one("#grid").display = not self.full
        self.query_one("#full").display = self.full
        self.query_one("#full" if self.full else "#grid").focus()
        if self.full and self.comparison is None:
            self.complete = False
            self.refresh_comparison()

    def action_focus_grid(self) -> None:
        self.query_one("#full" if self.full else "#grid").focus()

    def action_figure(self) -> None:
        cur = self.query_one("#grid", CompareGrid).current
        if cur is None:
            return
        row, entity_id = cur
        if row.metric is None:
            self.notify("f shows a quantity's figures: move to a quantity's row (below its topic)")
            return
        from tui.screens.figure import FigureScreen

        self.app.push_screen(FigureScreen(self.store, entity_id, row.metric, row.unit))


__all__ = ["CompareScreen", "GridRow"]
