"""Sources screen: every source with its provenance; choosing one sifts the claims to it."""

from __future__ import annotations

import sqlite3

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.messages import StoreFailed
from tui.session import StoreHandle
from tui.store import db
from tui.store.export import value_text
from tui.store.fmt import one_line, safe_text
from tui.widgets.footer import Footer

SOURCES_SHOWN = 2_000  # a DataTable of 100,000 rows takes seconds to fill
SOURCE_CLAIMS_SHOWN = 200  # claims of the highlighted source listed below the table
COLUMNS = ("Id (source:)", "Title", "Publisher", "Published", "Flags (flag:)", "Claims", "Disputed")
TITLE, PUBLISHER, PUBLISHED, FLAGS, CLAIMS = (
    COLUMNS.index(c) for c in ("Title", "Publisher", "Published", "Flags (flag:)", "Claims")
)
# provenance flags in a few letters each, each a prefix `flag:` takes (flag:anon); the
# detail pane spells them out
FLAG_SHORT = {
    "ai-assisted": "ai",
    "anonymous-sourcing": "anon",
    "composite-examples": "comp",
    "no-byline": "no-byline",
    "secondary-reporting": "second",
    "unverified-figures": "unverif",
}


def fit_columns(cells: list[list[str]], room: int) -> tuple[list[int], dict[int, int]]:
    """Which columns fit `room` cells, and the width each cut one is cut to. The id (what
    source: takes) and the counts always stay whole; the title gives way first (cut, then
    gone: the pane below names the highlighted source), then the publisher and the date
    (also in the pane below), and last the flags are cut (the pane spells them out)."""
    widths = [max([len(name), *(len(c[i]) for c in cells)]) for i, name in enumerate(COLUMNS)]
    shown = list(range(len(COLUMNS)))

    def used(without: int | None = None) -> int:
        return sum(widths[i] + 2 for i in shown if i != without)

    title_room = room - used(TITLE)
    if title_room >= 12:
        return shown, {TITLE: title_room - 2}
    shown.remove(TITLE)
    for gone in (PUBLISHER, PUBLISHED):
        if used() <= room:
            break
        shown.remove(gone)
    over = used() - room
    return shown, ({FLAGS: max(widths[FLAGS] - over, 5)} if over > 0 else {})


class SourcesScreen(Screen[str | None]):
    """Returns the chosen source id (or None)."""

    CSS_PATH = "screens.tcss"  # the styling of every screen but the main one (read as the first opens)
    BINDINGS = [
        Binding("escape", "dismiss_none", "Back", id="sources.back"),
        Binding("enter", "choose", "Filter to source", id="sources.choose"),
        Binding("j", "cursor_down", "Down", show=False, id="sources.down"),
        Binding("k", "cursor_up", "Up", show=False, id="sources.up"),
        Binding("g", "first", "First", show=False, id="sources.first"),
        Binding("G", "last", "Last", show=False, id="sources.last"),
    ]

    def __init__(self, store: StoreHandle, entity_id: str | None = None, entity_name: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.entity_id, self.entity_name = entity_id, entity_name
        self.rows: list = []

    def compose(self) -> ComposeResult:
        with Vertical(id="sources-body"):
            yield DataTable(id="sources-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="source-says"):
                yield Static("", id="source-says-body")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.border_title = "Sources"
        about = f" about {one_line(self.entity_name, 60)}" if self.entity_name else ""
        self.query_one("#source-says").border_title = Text(f"What this source says{about}")  # Text: never markup
        self.load()
        table.focus()

    def on_resize(self) -> None:
        # laid out again only for another width (a screen's first Resize comes with the width
        # it was shown at: redrawn then, the table was caught with its columns being re-added)
        if self.rows and self.app.size.width != self._fitted:
            self._show(self.rows, self._total)

    @work(thread=True, exclusive=True, group="sources")
    def load(self) -> None:
        try:
            rows = self.store.run(db.sources, None, SOURCES_SHOWN + 1)
            total = self.store.run(db.source_count)
        except sqlite3.Error as exc:
            self.post_message(StoreFailed(exc))
            return
        self.app.call_from_thread(self._show, rows, total)

    _total = 0
    _fitted = 0  # the width the columns were last fitted to

    def _show(self, rows, total: int = 0) -> None:
        table = self.query_one(DataTable)
        if len(rows) > SOURCES_SHOWN:
            rows = rows[:SOURCES_SHOWN]
            table.border_subtitle = f"first {SOURCES_SHOWN:,} of {total:,} by date · narrow with source:… in the filter bar"
        else:
            table.border_subtitle = f"{len(rows):,} sources"
        self.rows, self._total = rows, total
        cells = []
        for s in rows:
            flags = " ".join(FLAG_SHORT.get(f, f) for f in db.flags_of(s))
            cells.append(
                [
                    one_line(s["id"], 36),
                    one_line(s["title"]),
                    one_line(s["publisher"] or "—", 24),
                    s["published"] or "—",
                    flags,
                    str(s["claim_count"]),
                    "⚠" + str(s["conflict_count"]) if s["conflict_count"] else "",
                ]
            )
        self._fitted = self.app.size.width
        shown, cut = fit_columns(cells, self._fitted - 4)
        cursor = table.cursor_row
        table.clear(columns=True)
        for i in shown:
            table.add_column(COLUMNS[i], key=COLUMNS[i])
        styles = ("bold", "", "", "", "bold yellow", "", "bold red")
        for src, c in zip(rows, cells, strict=True):
            row = []
            for i in shown:
                text = one_line(c[i], cut[i]) if i in cut else c[i]
                row.append(Text(text, style=styles[i], justify="right" if i >= CLAIMS else "left"))
            table.add_row(*row, key=src["id"])
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key and event.row_key.value:
            self.load_claims(event.row_key.value)

    @work(thread=True, exclusive=True, group="source-claims")
    def load_claims(self, source_id: str) -> None:
        try:
            rows = self.store.run(db.source_claims, source_id, self.entity_id, SOURCE_CLAIMS_SHOWN)
            source = self.store.run(db.source, source_id)
        except sqlite3.Error as exc:
            self.post_message(StoreFailed(exc))
            return
        self.app.call_from_thread(self._show_claims, source, rows)

    def _show_claims(self, source, rows) -> None:
        parts = []
        if source is not None:
            head = Text(safe_text(source["title"]), style="bold")
            # the publisher and the date too: a narrow terminal drops their columns
            meta = [
                x
                for x in (
                    source["publisher"],
                    source["published"],
                    source["kind"],
                    source["author"] and f"by {source['author']}",
                    source["url"],
                )
                if x
            ]
            head.append("  " + safe_text(" · ".join(meta)) + f"\nsource:{safe_text(source['id'])}", style="dim")
            if source["notes"]:
                head.append("\n" + safe_text(source["notes"]), style="dim")
            parts.append(head)
        if not rows:
            parts.append(Text("Nothing" + (f" about {self.entity_name}" if self.entity_name else "") + ".", style="dim italic"))
        for r in rows:
            line = Text("• ")
            line.append(safe_text(r["entity_name"]) + " · " + safe_text(r["topic_label"]) + ": ", style="bold")
            v = value_text(r)
            if v:
                line.append(safe_text(v) + " ", style="bold red" if r["conflict_count"] else "bold")
            line.append(safe_text(r["summary"]))
            line.append(f" ({safe_text(r['status'])})", style="dim")
            parts.append(line)
        self.query_one("#source-says-body", Static).update(Group(*parts))

    def action_choose(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows:
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        self.dismiss(row_key.value)

    @on(DataTable.RowSelected)
    def selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(event.row_key.value)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()

    def action_first(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=0)

    def action_last(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)
