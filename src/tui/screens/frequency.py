"""F: the frequency of a column over the current filter (VisiData's Shift+F).

How many of the filter's claims have each source, entity, topic, status, period, flag or
figure, counted by the store (db.frequency); enter on a line narrows the filter to it
(tui.session.frequency_term) and goes back to the claims."""

from __future__ import annotations

import sqlite3

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Label

from tui.messages import FilterRequested
from tui.query import Compiled
from tui.session import Session, frequency_term, with_term
from tui.store import db
from tui.store.fmt import one_line
from tui.widgets.footer import Footer

TITLES = {
    "source": "Source",
    "entity": "Entity",
    "topic": "Topic",
    "status": "Status",
    "period": "Period",
    "flag": "Flag",
    "value": "Figure",
}
BAR = 20  # cells of the longest bar


class FrequencyScreen(Screen[None]):
    CSS_PATH = "screens.tcss"  # the styling of every screen but the main one (read as the first opens)
    BINDINGS = [
        Binding("escape", "close", "Back", id="frequency.close"),
        # before the table's own left / right (which scroll it sideways in a narrow terminal)
        Binding("right,l,tab", "column(1)", "Next column", priority=True, id="frequency.next"),
        Binding("left,h,shift+tab", "column(-1)", "Previous column", priority=True, id="frequency.previous"),
        Binding("j", "cursor(1)", "Down", show=False, id="frequency.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="frequency.up"),
        Binding("enter", "narrow", "Filter to it", id="frequency.narrow"),
    ]

    def __init__(self, session: Session, flt: Compiled, total: int, column: str = "source", *, capped: bool = False) -> None:
        super().__init__()
        self.session = session
        self.flt = flt
        self.total = total  # the filter's claims
        self.capped = capped  # total is a lower bound: counted again here
        self.text = session.filter.text
        self.column = column if column in db.FREQUENCY_COLUMNS else "source"
        self.lines: list[db.Frequency] = []

    def compose(self) -> ComposeResult:
        yield Label("", id="frequency-columns")
        yield DataTable(id="frequency-table", cursor_type="row", zebra_stripes=True)
        yield Label("", id="frequency-note")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Value", key="value")
        table.add_column("Claims", key="count")
        table.add_column("Share", key="share")
        table.add_column("", key="bar")
        table.focus()
        self.load()

    def _header(self) -> Text:
        text = Text()
        for column in db.FREQUENCY_COLUMNS:
            style = "bold reverse" if column == self.column else "dim"
            text.append(f" {TITLES[column]} ", style=style)
            text.append(" ")
        text.append("  ← → change column · enter filters to a line", style="dim")
        return text

    @work(thread=True, exclusive=True, group="frequency")
    def load(self) -> None:
        column = self.column
        try:
            if self.capped:
                self.total, self.capped = self.session.store.run(db.count_matches, self.flt, None, 5.0)
            lines, more = self.session.store.run(db.frequency, self.flt, column)
        except sqlite3.Error as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, column, lines, more)

    def _failed(self, message: str) -> None:
        self.query_one("#frequency-note", Label).update(Text(f"⚠ the store could not count: {message}", style="bold red"))

    def _show(self, column: str, lines: list[db.Frequency], more: bool) -> None:
        if column != self.column:
            return
        self.lines = lines
        self.query_one("#frequency-columns", Label).update(self._header())
        table = self.query_one(DataTable)
        table.clear()
        top = max((line.count for line in lines), default=0)
        room = max(min(60, self.app.size.width - BAR - 22), 16)  # the label gives way to the counts and the bar
        for i, line in enumerate(lines):
            share = line.count / self.total if self.total else 0.0
            bar = "█" * max(1, round(BAR * line.count / top)) if top else ""
            label = Text(one_line(line.label, room), style="dim italic" if frequency_term(column, line) is None else "")
            table.add_row(
                label,
                Text(f"{line.count:,}", justify="right"),
                Text(f"{share:.0%}", justify="right"),
                Text(bar, style="cyan"),
                key=str(i),
            )
        counted = sum(line.count for line in lines)
        where = f"the filter “{one_line(self.text.strip(), 50)}”" if self.text.strip() else "the corpus"
        note = f"{TITLES[column]}: {len(lines):,} value{'' if len(lines) == 1 else 's'}{' (the most frequent)' if more else ''} over the {self.total:,} claims of {where}"
        if column == "value":
            note += f"; {self.total - counted:,} without a figure" if self.total >= counted else ""
        elif column == "flag":
            note += "; a claim counts once per flag of its source"
        if not lines:
            note = f"No claim of {where} to count."
        self.query_one("#frequency-note", Label).update(Text(note, style="dim"))

    def action_column(self, step: int) -> None:
        columns = db.FREQUENCY_COLUMNS
        self.column = columns[(columns.index(self.column) + step) % len(columns)]
        self.query_one("#frequency-columns", Label).update(self._header())
        self.load()

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + step)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_narrow()

    def action_narrow(self) -> None:
        table = self.query_one(DataTable)
        if not self.lines or not 0 <= table.cursor_row < len(self.lines):
            return
        term = frequency_term(self.column, self.lines[table.cursor_row])
        if term is None:
            self.notify("No filter term picks this line (claims without a period)", timeout=3)
            return
        self.app.post_message(FilterRequested(with_term(self.text, term)))

    def action_close(self) -> None:
        self.dismiss(None)
