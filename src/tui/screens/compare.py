"""Compare screen: topics as rows, chosen entities as columns, every claim in each cell."""

from __future__ import annotations

import sqlite3
import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, SelectionList
from textual.widgets.selection_list import Selection
from textual.worker import get_current_worker

from tui.rich_tables import compare_table
from tui.store import db
from tui.store.fmt import one_line
from tui.widgets.rendered import RenderedView, render_lines

DEFAULT_PAIR = ("meta", "microsoft")
COLUMN_WIDTH = 28  # the narrowest an entity column gets; wider when the screen allows
CELL_LIMIT = 8  # claims shown per cell on screen; the rest are counted ("+ 1,204 more")
PAINT_PAUSE = 0.05  # seconds
FIRST_TOPICS = 6  # rows drawn first when a comparison is large
TOPIC_WIDTH = 18
PICKER_LIMIT = 200  # entities offered at once; the find box above reaches the others


class CompareScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="compare.back"),
        Binding("e", "export", "Export", id="compare.export"),
        Binding("p", "focus_picker", "Entities", id="compare.picker"),
        Binding("slash", "find", "Find entity", id="compare.find"),
        Binding("t", "focus_grid", "Table", id="compare.grid"),
    ]

    def __init__(self, entity_ids: tuple[str, ...] = DEFAULT_PAIR) -> None:
        super().__init__()
        self.entity_ids = list(entity_ids)
        self.comparison: db.Comparison | None = None
        self.complete = False  # the whole grid is drawn (not only its first rows)

    def compose(self) -> ComposeResult:
        with Horizontal(id="compare-body"):
            with Vertical(id="picker-pane"):
                yield Input(placeholder="find an entity", id="picker-find")
                yield SelectionList[str](id="picker")
            yield RenderedView(id="grid")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#picker").border_title = "Compare (space)"
        self.query_one("#grid").border_title = "Comparison"
        self.load_entities("")
        self.refresh_comparison()
        self.query_one("#picker").focus()

    @work(thread=True, exclusive=True, group="compare-entities")
    def load_entities(self, search: str) -> None:
        def job(conn):
            return db.entities(conn, PICKER_LIMIT, search, list(self.entity_ids)), db.entity_count(conn)

        try:
            rows, total = self.app.pool.run(job)
        except sqlite3.Error as exc:
            self.app.store_failed(exc)
            return
        self.app.call_from_thread(self._show_entities, search, rows, total)

    @on(Input.Changed, "#picker-find")
    def find_changed(self, event: Input.Changed) -> None:
        self.load_entities(event.value)

    @on(Input.Submitted, "#picker-find")
    def find_submitted(self) -> None:
        self.query_one("#picker").focus()

    def _show_entities(self, search: str, rows, total: int) -> None:
        if search != self.query_one("#picker-find", Input).value:
            return  # stale
        picker = self.query_one("#picker", SelectionList)
        with picker.prevent(SelectionList.SelectedChanged):
            picker.clear_options()
            picker.add_options(
                Selection(Text(one_line(r["name"], 30)), r["id"], r["id"] in self.entity_ids) for r in rows
            )
        shown = len(rows)
        picker.border_subtitle = f"{shown:,} of {total:,}" if shown < total else ""

    @on(SelectionList.SelectedChanged, "#picker")
    def picked(self, event: SelectionList.SelectedChanged) -> None:
        chosen = list(event.selection_list.selected)
        # keep the order in which entities were added: earlier ones stay on the left
        self.entity_ids = [e for e in self.entity_ids if e in chosen] + [e for e in chosen if e not in self.entity_ids]
        self.refresh_comparison()

    @work(thread=True, exclusive=True, group="compare")
    def refresh_comparison(self) -> None:
        # query and draw in the worker: the UI thread only shows finished lines. A large
        # comparison is drawn twice: its first rows at once, then the whole grid.
        ids = list(self.entity_ids)
        try:
            cmp = self.app.pool.run(db.compare, ids, None, CELL_LIMIT)
        except sqlite3.Error as exc:  # a damaged or vanished store: say so, keep the app
            lines = render_lines(Text(f"The store could not answer: {exc}", style="bold red"), 60)
            self.app.call_from_thread(self._show_error, ids, lines)
            return
        view_width = max(self.query_one("#grid", RenderedView).scrollable_content_region.width, 40)
        if not cmp.entities:
            lines = render_lines(Text("Pick entities on the left (space) to compare them.", style="dim"), view_width)
            self.app.call_from_thread(self._show, ids, cmp, lines, view_width, True)
            return
        n = len(cmp.entities)  # cells with their padding, and a border beside each
        width = max(view_width, TOPIC_WIDTH + 2 + n * (COLUMN_WIDTH + 2) + n + 2)
        if len(cmp.topics) > FIRST_TOPICS:
            first = compare_table(cmp, cmp.topics[:FIRST_TOPICS], TOPIC_WIDTH, caption=False)
            self.app.call_from_thread(self._show, ids, cmp, render_lines(first, width), width, False)
            # let the UI thread paint those rows before this thread takes the interpreter
            # for the whole grid (drawing is Python work: it competes for the GIL)
            time.sleep(PAINT_PAUSE)
            if get_current_worker().is_cancelled:
                return
        lines = render_lines(compare_table(cmp, None, TOPIC_WIDTH), width)
        self.app.call_from_thread(self._show, ids, cmp, lines, width, True)

    def _show_error(self, ids: list[str], lines) -> None:
        if ids == self.entity_ids:
            self.query_one("#grid", RenderedView).show(lines, 60)
            self.complete = True

    def _show(self, ids: list[str], cmp: db.Comparison, lines, width: int, complete: bool) -> None:
        if ids != self.entity_ids:
            return  # stale
        grid = self.query_one("#grid", RenderedView)
        grid.show(lines, width, keep_scroll=self.comparison is cmp)
        self.comparison = cmp
        self.complete = complete
        self._drawn_width = grid.size.width
        if not cmp.entities:
            grid.border_title, grid.border_subtitle = "Comparison", ""
            return
        names = " vs ".join(e["name"] for e in cmp.entities)
        grid.border_title = Text(f"Comparison: {one_line(names, 80)}")  # Text, not a markup string
        disputed = sum(1 for c in cmp.cells.values() if c.disputed)
        drawing = "" if complete else " · drawing the rest …"
        grid.border_subtitle = f"{len(cmp.topics)} topics · {disputed} disputed cells{drawing}"

    def on_resize(self) -> None:
        grid = self.query_one("#grid", RenderedView)
        if self.comparison is not None and grid.size.width != getattr(self, "_drawn_width", None):
            self.refresh_comparison()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_export(self) -> None:
        self.app.open_export(comparison=list(self.entity_ids))

    def action_focus_picker(self) -> None:
        self.query_one("#picker").focus()

    def action_find(self) -> None:
        self.query_one("#picker-find").focus()

    def action_focus_grid(self) -> None:
        self.query_one("#grid").focus()



