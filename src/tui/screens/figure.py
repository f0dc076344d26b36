"""The figure view: every source's value for one quantity on a shared axis, the related
measures below with their own axes, and the highlighted figure's quote and relations."""

from __future__ import annotations

import sqlite3

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tui.session import StoreHandle
from tui.store.figure import Plot, plot, plot_of_claim
from tui.widgets.figure import plot_lines, relation_note
from tui.widgets.footer import Footer
from tui.widgets.rendered import RenderedView, render_lines


class FigureScreen(Screen[None]):
    CSS_PATH = "screens.tcss"  # the styling of every screen but the main one (read as the first opens)
    BINDINGS = [
        Binding("escape,f", "back", "Back", id="figure.back"),
        Binding("j,down", "move(1)", "Next figure", id="figure.down"),
        Binding("k,up", "move(-1)", "Previous figure", id="figure.up"),
        Binding("t", "timeline", "By date", id="figure.timeline"),
    ]

    def __init__(
        self, store: StoreHandle, entity_id: str | None, metric: str | None, unit: str | None, claim_id: str | None = None
    ) -> None:
        super().__init__()
        self.store = store
        self.entity_id, self.metric, self.unit, self.claim_id = entity_id, metric, unit, claim_id
        self.plot: Plot | None = None
        self.cursor = 0
        self.order = "period"  # or "date": each source's figure as it was printed, earliest first

    def compose(self) -> ComposeResult:
        yield RenderedView(id="figure-body")
        yield Static("", id="figure-note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#figure-body").border_title = "Figures on one axis"
        self.load()

    @work(thread=True, exclusive=True, group="figure")
    def load(self) -> None:
        def job(conn):
            if self.claim_id:
                return plot_of_claim(conn, self.claim_id, order=self.order)
            if self.entity_id and self.metric:
                return plot(conn, self.entity_id, self.metric, self.unit, order=self.order)
            return None

        try:
            found = self.store.run(job)
        except sqlite3.Error as exc:
            self.app.call_from_thread(self._message, f"The store could not answer: {exc}")
            return
        self.app.call_from_thread(self._loaded, found)

    def _message(self, text: str, style: str = "bold red") -> None:
        self.query_one("#figure-body", RenderedView).show(render_lines(Text(text, style=style), 60), 60)

    def _loaded(self, found: Plot | None) -> None:
        if found is None:
            self._message("No figure for this: it has no numeric claims.", "dim")
            return
        keep = self.plot.rows[self.cursor]["id"] if self.plot is not None and self.cursor < len(self.plot.rows) else None
        self.plot = found
        if keep is not None:  # the order changed: the same figure stays under the cursor
            self.cursor = next((i for i, r in enumerate(found.rows) if r["id"] == keep), 0)
        elif self.claim_id:
            self.cursor = next((i for i, r in enumerate(found.rows) if r["id"] == self.claim_id), 0)
        else:  # start on the strongest disagreement: that is what the reader came to see
            for summary in ("disputed", "at-odds", "revised", "differs"):
                hit = next((i for i, r in enumerate(found.rows) if r["relation"] == summary), None)
                if hit is not None:
                    self.cursor = hit
                    break
        by = "by the sources' dates" if self.order == "date" else "by period"
        self.query_one("#figure-body").border_title = Text(
            f"Figures on one axis: {found.entity_name}, {found.label or found.metric} ({by})"
        )
        self.redraw()

    def redraw(self) -> None:
        if self.plot is None:
            return
        view = self.query_one("#figure-body", RenderedView)
        width = max(view.scrollable_content_region.width, 50)
        parts: list[Text] = plot_lines(self.plot, width, cursor=self.cursor)
        if self.plot.related:
            parts.append(Text(""))
            parts.append(Text("Related measures", style="bold underline"))
            for p in self.plot.related:
                parts.append(Text(""))
                parts += plot_lines(p, width)
        # drawn by Rich at the view's width (no wrapping: a bar's spaces are positions)
        view.show(render_lines(Group(*parts), width), width, keep_scroll=True)
        self.query_one("#figure-note", Static).update(Text("\n").join(relation_note(self.plot, self.cursor)))

    def on_resize(self) -> None:
        self.redraw()

    def action_move(self, step: int) -> None:
        if self.plot is None:
            return
        self.cursor = max(0, min(len(self.plot.rows) - 1, self.cursor + step))
        self.redraw()

    def action_timeline(self) -> None:
        """Order the figures by their sources' dates (the story of a figure), or by period again."""
        self.order = "date" if self.order == "period" else "period"
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
