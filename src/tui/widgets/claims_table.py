"""The claims table: a ScrollView that renders only the visible lines.

It never holds the result set. It knows the number of rows, keeps a small LRU
cache of pages (PAGE_SIZE rows each), and asks its owner for a missing page
with a `PageWanted` message; the owner loads it in a worker and hands it back
with `add_page`. Pages of an older result (an earlier keystroke) are dropped
by generation number.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.store.export import value_text
from tui.store.fmt import one_line

PAGE_SIZE = 100
MAX_PAGES = 24


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int  # 0 = takes the remaining width
    priority: int  # lower is dropped first when the table is narrow


COLUMNS = (
    Column("mark", "", 2, 9),
    Column("entity", "Entity", 13, 8),
    Column("topic", "Topic", 12, 3),
    Column("summary", "Claim", 0, 9),
    Column("value", "Value", 13, 7),
    Column("period", "Period", 7, 2),
    Column("status", "Status", 9, 4),
    Column("source", "Source", 11, 6),
)


class ClaimsTable(ScrollView, can_focus=True):
    """Claims of the current filter, a page at a time."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "first", "First", show=False, id="table.first"),
        Binding("end,G", "last", "Last", show=False, id="table.last"),
    ]

    COMPONENT_CLASSES = {
        "claims-table--header",
        "claims-table--cursor",
        "claims-table--selected",
        "claims-table--conflict",
        "claims-table--dim",
    }

    DEFAULT_CSS = """
    ClaimsTable { background: $surface; }
    ClaimsTable > .claims-table--header { text-style: bold; background: $panel; color: $text; }
    ClaimsTable > .claims-table--cursor { background: $block-cursor-blurred-background; }
    ClaimsTable:focus > .claims-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    ClaimsTable > .claims-table--selected { color: $success; text-style: bold; }
    ClaimsTable > .claims-table--conflict { color: $error; text-style: bold; }
    ClaimsTable > .claims-table--dim { color: $text-muted; }
    """

    cursor = reactive(0, always_update=False, init=False)

    class PageWanted(Message):
        def __init__(self, table: "ClaimsTable", generation: int, page: int) -> None:
            super().__init__()
            self.table, self.generation, self.page = table, generation, page

    class Highlighted(Message):
        def __init__(self, table: "ClaimsTable", row) -> None:
            super().__init__()
            self.table, self.row = table, row

    class Toggled(Message):
        """space on a row: select or unselect the claim."""

        def __init__(self, table: "ClaimsTable", row) -> None:
            super().__init__()
            self.table, self.row = table, row

    BINDINGS.append(Binding("space", "toggle", "Select", id="table.toggle"))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.total = 0
        self.generation = 0
        self._pages: OrderedDict[int, list] = OrderedDict()
        self._pending: set[int] = set()
        self.selected: set[str] = set()
        self.source_labels: dict[str, str] = {}

    # --- data ------------------------------------------------------------------------

    def reset(self, generation: int, total: int, first_page: list | None = None) -> None:
        """A new result: forget every page, keep nothing of the old rows."""
        self.generation = generation
        self.total = total
        self._pages.clear()
        self._pending.clear()
        if first_page is not None:
            self._pages[0] = first_page
        self.virtual_size = Size(self.size.width, total + 1)
        self.cursor = 0
        self.scroll_to(0, 0, animate=False)
        self.refresh()
        self._announce()

    def set_total(self, generation: int, total: int) -> None:
        """The exact count arrived after the first page (the rows stay as they are)."""
        if generation != self.generation or total == self.total:
            return
        self.total = total
        self.virtual_size = Size(self.size.width, total + 1)
        self.refresh()

    def add_page(self, generation: int, page: int, rows: list) -> None:
        if generation != self.generation:
            return  # stale: a newer query replaced this result
        self._pending.discard(page)
        self._pages[page] = rows
        self._pages.move_to_end(page)
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        self.refresh()
        if self.cursor // PAGE_SIZE == page:
            self._announce()

    def row_at(self, index: int):
        """The row at index if its page is loaded, else None (and the page is requested)."""
        if not 0 <= index < self.total:
            return None
        page = index // PAGE_SIZE
        rows = self._pages.get(page)
        if rows is None:
            if page not in self._pending:
                self._pending.add(page)
                self.post_message(self.PageWanted(self, self.generation, page))
            return None
        self._pages.move_to_end(page)
        offset = index % PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    @property
    def current_row(self):
        return self.row_at(self.cursor)

    @property
    def cached_rows(self) -> int:
        return sum(len(p) for p in self._pages.values())

    # --- cursor -----------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        self._announce()

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self, self.current_row))

    def _scroll_cursor_into_view(self) -> None:
        body = max(self.size.height - 1, 1)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + body:
            self.scroll_to(y=self.cursor - body + 1, animate=False)

    def _move(self, delta: int) -> None:
        if self.total:
            self.cursor = max(0, min(self.total - 1, self.cursor + delta))

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_page_up(self) -> None:
        self._move(-max(self.size.height - 2, 1))

    def action_page_down(self) -> None:
        self._move(max(self.size.height - 2, 1))

    def action_first(self) -> None:
        self._move(-self.total)

    def action_last(self) -> None:
        self._move(self.total)

    def action_toggle(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Toggled(self, row))

    def on_click(self, event) -> None:
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < self.total and event.y >= 1:
            self.cursor = index

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.total + 1)

    # --- rendering --------------------------------------------------------------------

    def _layout(self, width: int) -> list[tuple[Column, int]]:
        cols = list(COLUMNS)
        while True:
            fixed = sum(c.width + 1 for c in cols if c.width)
            if width - fixed >= 20 or len(cols) <= 3:
                break
            cols.remove(min((c for c in cols if c.width and c.key != "mark"), key=lambda c: c.priority))
        rest = max(width - sum(c.width + 1 for c in cols if c.width) - 1, 8)
        return [(c, c.width or rest) for c in cols]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        layout = self._layout(width)
        if y == 0:
            style = self.get_component_rich_style("claims-table--header")
            text = Text(no_wrap=True, overflow="crop")
            for col, w in layout:
                text.append(col.title.ljust(w)[:w] + " ", style)
            return self._strip(text, width, style)
        index = int(self.scroll_y) + y - 1
        if index >= self.total:
            return Strip.blank(width, self.rich_style)
        row = self.row_at(index)
        base = self.rich_style
        if index == self.cursor:
            base = base + self.get_component_rich_style("claims-table--cursor")
        if row is None:
            dim = self.get_component_rich_style("claims-table--dim")
            return self._strip(Text("  …", style=base + dim), width, base)
        text = Text(no_wrap=True, overflow="crop")
        conflict = self.get_component_rich_style("claims-table--conflict")
        for col, w in layout:
            cell, style = self._cell(col.key, row, conflict)
            cell = one_line(cell, w)
            text.append(cell.ljust(w) + " ", base + style if style else base)
        return self._strip(text, width, base)

    def _cell(self, key: str, row, conflict: Style) -> tuple[str, Style | None]:
        if key == "mark":
            selected = row["id"] in self.selected
            mark = ("✓" if selected else " ") + TABLE_MARK.get(row["relation"], " ")
            return mark, (self.get_component_rich_style("claims-table--selected") if selected else conflict)
        if key == "entity":
            return row["entity_name"], None
        if key == "topic":
            return row["topic_label"], None
        if key == "summary":
            return row["summary"], None
        if key == "value":
            return value_text(row), conflict if row["relation"] == "disputed" else None
        if key == "period":
            return row["period"] or "", None
        if key == "status":
            return row["status"], None
        if key == "source":
            return self.source_labels.get(row["source"]) or row["publisher"] or row["source_title"], None
        return "", None

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        segments = list(text.render(self.app.console))
        return Strip(segments).adjust_cell_length(width, style).simplify()


# a claim's summary in the agreement model (the selection's ✓ is the column before)
TABLE_MARK = {"disputed": "⚠", "differs": "≠", "corroborated": "="}

__all__ = ["ClaimsTable", "PAGE_SIZE", "TABLE_MARK"]
