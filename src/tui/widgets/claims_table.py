# Long because the paged table's layout, paging, cursor, sort and rendering share the widget's
# state; Textual's line API wants them in one class.
"""The claims table: a ScrollView that renders only the visible lines.

It never holds the result set. It knows the number of rows, keeps a small LRU
cache of pages (PAGE_SIZE rows each), and asks its owner for a missing page
with a `PageWanted` message; the owner loads it in a worker and hands it back
with `add_page`. Pages of an older result (an earlier keystroke) are dropped
by generation number.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Container
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.store.fmt import format_value, one_line, source_label

Row = sqlite3.Row  # a claim as the store reads it (tui.store.db.CLAIM_COLUMNS)
PAGE_SIZE = 100
MAX_PAGES = 24
LINES_KEPT = 2_000  # rendered lines kept (as Toolong keeps its strips): drawing a row again is a lookup


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int  # 0 = the claim: takes the remaining width; else the widest it grows to
    priority: int  # lower is dropped first when the table is narrow
    least: int = 0  # the narrowest it is cut to (entity, figure, source only) before being dropped


COLUMNS = (
    Column("mark", "", 2, 9, 2),
    Column("entity", "Entity", 22, 8, 10),
    Column("topic", "Topic", 18, 3),
    Column("summary", "Claim", 0, 9),
    Column("value", "Value", 18, 7, 13),  # "~8,000 employees" whole wherever the table has room
    Column("period", "Period", 9, 2),
    Column("status", "Status", 12, 4),
    Column("source", "Source", 20, 6, 10),
)
SUMMARY_LEAST = 24  # the claim keeps this many cells (or SUMMARY_SHARE of the width) before other columns give way
SUMMARY_SHARE = 0.4
ROW_HEIGHTS = (1, 2, 3)  # lines per row, cycled by `w`: the claim wraps onto the others
SORT_MARK = {False: "▲", True: "▼"}


class ClaimsTable(ScrollView, can_focus=True):
    """Claims of the current filter, a page at a time."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "first", "First", show=False, id="table.first"),
        Binding("end,G", "last", "Last", show=False, id="table.last"),
        Binding("left,h", "column(-1)", "Column left", show=False, id="table.column_left"),
        Binding("right,l", "column(1)", "Column right", show=False, id="table.column_right"),
        Binding("left_square_bracket", "sort(False)", "Sort", id="table.sort_ascending"),
        Binding("right_square_bracket", "sort(True)", "Sort descending", show=False, id="table.sort_descending"),
        Binding("w", "row_height", "Row height (1-3 lines)", show=False, id="table.row_height"),
    ]

    COMPONENT_CLASSES = {
        "claims-table--header",
        "claims-table--cursor",
        "claims-table--selected",
        "claims-table--conflict",
        "claims-table--dim",
        "claims-table--column",
    }

    # the columns are laid out in the width left of the vertical scrollbar: nothing to scroll
    # sideways (overflow-x auto showed an empty horizontal scrollbar under the last row)
    DEFAULT_CSS = """
    ClaimsTable { background: $surface; overflow-x: hidden; }
    ClaimsTable > .claims-table--header { text-style: bold; background: $panel; color: $text; }
    ClaimsTable > .claims-table--cursor { background: $block-cursor-blurred-background; }
    ClaimsTable:focus > .claims-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    ClaimsTable > .claims-table--selected { color: $success; text-style: bold; }
    ClaimsTable > .claims-table--conflict { color: $error; text-style: bold; }
    ClaimsTable > .claims-table--dim { color: $text-muted; }
    ClaimsTable > .claims-table--column { text-style: bold underline; }
    ClaimsTable:focus > .claims-table--column { text-style: bold reverse; }
    """

    cursor = reactive(0, always_update=False, init=False, repaint=False)  # watch_cursor repaints
    # The row count changes with every keystroke, the table's size does not: a new virtual size
    # is a new scrollbar, never a layout of the whole screen (Widget.virtual_size asks for one;
    # the scrollbar appearing or going still does, through show_vertical_scrollbar)
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    class PageWanted(Message):
        def __init__(self, table: ClaimsTable, generation: int, page: int) -> None:
            super().__init__()
            self.table, self.generation, self.page = table, generation, page

    class Highlighted(Message):
        def __init__(self, table: ClaimsTable, row: Row | None) -> None:
            super().__init__()
            self.table, self.row = table, row

    class Toggled(Message):
        """space on a row: select or unselect the claim."""

        def __init__(self, table: ClaimsTable, row: Row) -> None:
            super().__init__()
            self.table, self.row = table, row

    class SortWanted(Message):
        """`[` / `]` on a column: sort the whole result by it (None: back to store order)."""

        def __init__(self, table: ClaimsTable, sort: tuple[str, bool] | None) -> None:
            super().__init__()
            self.table, self.sort = table, sort

    BINDINGS.append(Binding("space", "toggle_row", "Select and move down", show=False, id="table.toggle"))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.total = 0
        self.generation = 0
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._pending: set[int] = set()
        self.selected: Container[str] = frozenset()  # the claims marked ✓ (the session's selection)
        self.source_labels: dict[str, str] = {}
        self.row_height = 1
        self.shared: dict[str, str] = {}  # columns the same on every row of the filter -> the value
        self.sort: tuple[str, bool] | None = None  # shown in the header; the owner reads the rows so
        self.column = 3  # the column cursor (an index into COLUMNS; `[` `]` sort by it)
        self._natural: dict[str, int] = {}  # each column's width on the first page
        self._layouts: dict[tuple[int, tuple[str, ...]], list[tuple[Column, int]]] = {}
        # rendered row lines of this result: (row, line of the row, width, cursor, selected, focus) -> Strip
        self._lines: OrderedDict[tuple[int, int, int, bool, bool, bool], Strip] = OrderedDict()
        self._styles: dict[str, Style] = {}  # this widget's styles, looked up once per style change
        self.empty_lines: tuple[str, ...] = ()  # shown where the rows were when the filter matches nothing

    # --- data ------------------------------------------------------------------------

    def reset(self, generation: int, total: int, first_page: list[Row] | None = None) -> None:
        """A new result: forget every page, keep nothing of the old rows."""
        self.generation = generation
        self.total = total
        self._lines.clear()
        self._pages.clear()
        self._pending.clear()
        if first_page is not None:
            self._pages[0] = first_page
        self._measure(first_page or [])
        self._update_virtual_size()
        self.cursor = 0
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()
        self._announce()

    def set_total(self, generation: int, total: int) -> None:
        """The exact count arrived after the first page (the rows stay as they are)."""
        if generation != self.generation or total == self.total:
            return
        self.total = total
        self._update_virtual_size()
        self.refresh()

    def add_page(self, generation: int, page: int, rows: list[Row]) -> None:
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

    def row_at(self, index: int) -> Row | None:
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
    def current_row(self) -> Row | None:
        return self.row_at(self.cursor)

    # --- cursor -----------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        top = self.scroll_offset
        self._scroll_cursor_into_view()
        if self.scroll_offset == top:
            # the rows did not move: only the row the cursor left and the one it reached are
            # drawn again (a refresh of the whole table had the compositor draw every line)
            self._refresh_row(old)
            self._refresh_row(new)
        else:
            self.refresh()  # scrolled: every line shows another row
        self._announce()

    def _refresh_row(self, index: int) -> None:
        """Mark the lines of one row dirty (under the header line), if it is on screen."""
        y = 1 + index * self.row_height - int(self.scroll_y)
        if y + self.row_height > 1 and y < self.size.height:
            self.refresh(Region(0, y, self.size.width, self.row_height))

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self, self.current_row))

    def _scroll_cursor_into_view(self) -> None:
        # at once, not after the next refresh (Textual's default): watch_cursor sees whether the
        # rows moved, and redraws two rows or all of them in the same frame as the cursor
        h = self.row_height
        body = max(self.size.height - 1, h)
        top = int(self.scroll_y)
        first, last = self.cursor * h, self.cursor * h + h - 1
        if first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif last >= top + body:
            self.scroll_to(y=last - body + 1, animate=False, immediate=True)

    def _move(self, delta: int) -> None:
        if self.total:
            self.cursor = max(0, min(self.total - 1, self.cursor + delta))

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_page_up(self) -> None:
        self._move(-max((self.size.height - 2) // self.row_height, 1))

    def action_page_down(self) -> None:
        self._move(max((self.size.height - 2) // self.row_height, 1))

    def action_first(self) -> None:
        self._move(-self.total)

    def action_last(self) -> None:
        self._move(self.total)

    def action_toggle_row(self) -> None:
        """Select or unselect the highlighted claim and move to the next (VisiData's `s`)."""
        row = self.current_row
        if row is not None:
            self.post_message(self.Toggled(self, row))
            self._move(1)

    def action_row_height(self) -> None:
        """One line per claim, or the claim wrapped onto two or three."""
        i = ROW_HEIGHTS.index(self.row_height) if self.row_height in ROW_HEIGHTS else 0
        self.row_height = ROW_HEIGHTS[(i + 1) % len(ROW_HEIGHTS)]
        self._lines.clear()
        self._update_virtual_size()
        self._scroll_cursor_into_view()
        self.refresh()
        self.notify(f"{self.row_height} line{'s' if self.row_height > 1 else ''} per claim", timeout=2)

    @property
    def column_key(self) -> str:
        """The key of the column under the column cursor (among the columns shown)."""
        keys = [c.key for c, _ in self._layout(self._width) if c.key != "mark"]
        key = COLUMNS[self.column].key
        return key if key in keys else (keys[0] if keys else "summary")

    def action_column(self, delta: int) -> None:
        keys = [c.key for c, _ in self._layout(self._width) if c.key != "mark"]
        if not keys:
            return
        at = keys.index(self.column_key)
        key = keys[max(0, min(len(keys) - 1, at + delta))]
        self.column = next(i for i, c in enumerate(COLUMNS) if c.key == key)
        self.refresh()

    def action_sort(self, descending: bool) -> None:
        """Sort the whole result by the column under the column cursor; the same key on the
        column already sorted that way goes back to store order."""
        key = self.column_key
        sort = None if self.sort == (key, descending) else (key, descending)
        self.post_message(self.SortWanted(self, sort))

    def on_click(self, event: events.Click) -> None:
        index = (int(self.scroll_y) + event.y - 1) // self.row_height
        if 0 <= index < self.total and event.y >= 1:
            self.cursor = index

    def on_resize(self) -> None:
        self._update_virtual_size()

    def _update_virtual_size(self) -> None:
        size = Size(self.size.width, self.total * self.row_height + 1)
        if size != self.virtual_size:
            self.virtual_size = size
            self._scroll_update(size)  # the scrollbar's length and thumb, the scroll offset kept in range
            self.refresh()
            if self.show_vertical_scrollbar and self.styles.overflow_y == "auto":
                # once shown, the scrollbar stays (its thumb the whole track when all rows fit):
                # a keystroke whose result is empty or short (`l`, `layoffs c`) would otherwise
                # take it away and the next bring it back, each a layout of the whole screen
                self.styles.overflow_y = "scroll"

    def _measure(self, rows: list[Row]) -> None:
        """Each column's width from the first page: a column grows to its widest cell there
        (up to its Column.width), so an empty Value column takes its title's width and gives
        the rest to the claim."""
        conflict = Style()
        natural: dict[str, int] = {}
        for col in COLUMNS:
            if not col.width or col.key == "mark":
                continue
            cells = {self._cell(col.key, r, conflict)[0] for r in rows}  # a page repeats its names
            widest = max((cell_len(one_line(cell)) for cell in cells), default=0)
            natural[col.key] = max(min(widest, col.width), len(col.title) + 2)
        self._natural = natural
        self._layouts.clear()
        self._lines.clear()

    def set_shared(self, shared: dict[str, str]) -> None:
        """Columns whose value is the same on every row of the filter: hidden, their value
        said in the table's title instead."""
        if shared == self.shared:
            return
        self.shared = shared
        self._layouts.clear()
        self._lines.clear()
        words = [f"{COLUMN_TITLES[k].lower()}: {v}" for k, v in shared.items()]
        self.border_title = Text(" · ".join(["Claims", *(one_line(w, 40) for w in words)]))  # Text: never markup
        self.refresh()

    # --- rendering --------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()  # focus, theme: the lines are drawn again in the new styles
        self._lines.clear()

    def _style(self, name: str) -> Style:
        """A component's Rich style ("base": the widget's own), kept until the styles change."""
        style = self._styles.get(name)
        if style is None:
            style = self.rich_style if name == "base" else self.get_component_rich_style(f"claims-table--{name}")
            self._styles[name] = style
        return style

    def _layout(self, width: int) -> list[tuple[Column, int]]:
        """The columns shown and their widths: the claim gets the room. Columns the filter
        shares are hidden; the others are taken most important first (entity, figure,
        source, status, topic, period) at their width on the first page while the claim
        keeps SUMMARY_SHARE of the width (at least SUMMARY_LEAST cells); a column that does
        not fit whole is left out, never cut, except the entity, the figure and the source,
        which are cut to their Column.least first. The claim takes what is left."""
        key = (width, tuple(self.shared))
        cached = self._layouts.get(key)
        if cached is not None:
            return cached
        cols = [c for c in COLUMNS if c.key not in self.shared]
        target = max(SUMMARY_LEAST, int(width * SUMMARY_SHARE))
        widths: dict[str, int] = {"mark": 2}
        room = width - (3 + target + 1)  # less the mark and its gap, the claim and its gap
        ranked = sorted((c for c in cols if c.width and c.key != "mark"), key=lambda c: -c.priority)
        natural = {c.key: self._natural.get(c.key, c.width) for c in ranked}
        # the entity, the figure and the source first, at the least they are cut to...
        for col in ranked:
            least = min(col.least, natural[col.key])
            if col.least and least + 1 <= room:
                widths[col.key] = least
                room -= least + 1
        # ...then each grows to its width on the first page, the figure first (it is cut last)...
        for col in sorted(ranked, key=lambda c: c.key != "value"):
            if col.key in widths and col.key != "mark":
                grow = min(natural[col.key] - widths[col.key], room)
                widths[col.key] += grow
                room -= grow
        # ...and the others come in whole where there is room: a column is never cut to fit
        for col in ranked:
            if col.key not in widths and not col.least and natural[col.key] + 1 <= room:
                widths[col.key] = natural[col.key]
                room -= natural[col.key] + 1
        cols = [c for c in cols if not c.width or c.key in widths]

        def rest() -> int:
            return width - sum(w + 1 for w in widths.values()) - 1

        layout = [(c, widths[c.key] if c.width else max(rest(), 8)) for c in cols]
        self._layouts[key] = layout
        return layout

    @property
    def _width(self) -> int:
        """Cells for the columns: the widget's width less its vertical scrollbar."""
        return max(self.scrollable_content_region.width, 1)

    def render_line(self, y: int) -> Strip:
        width = self._width
        layout = self._layout(width)
        if y == 0:
            style = self._style("header")
            column_style = style + self._style("column")
            cursor_key = self.column_key
            segments: list[Segment] = []
            for col, w in layout:
                title = col.title
                if self.sort and self.sort[0] == col.key:
                    arrow = SORT_MARK[self.sort[1]]
                    title = f"{title} {arrow}" if len(title) + 2 <= w else f"{title[: max(w - 1, 0)]}{arrow}"
                segments += (Segment(title.ljust(w)[:w], column_style if col.key == cursor_key else style), Segment(" ", style))
            return self._segments_strip(segments, width, style)
        h = self.row_height
        line = int(self.scroll_y) + y - 1
        index, sub = divmod(line, h)
        if index >= self.total:
            if not self.total and sub == 0 and index < len(self.empty_lines):
                dim = self._style("dim") if index else Style(bold=True)
                return self._strip(
                    Text("  " + self.empty_lines[index], style=self._style("base") + dim), width, self._style("base")
                )
            return Strip.blank(width, self._style("base"))
        row = self.row_at(index)
        cursor = index == self.cursor
        base = self._style("base")
        if cursor:
            base = base + self._style("cursor")
        if row is None:
            return self._strip(Text("  …" if sub == 0 else "", style=base + self._style("dim")), width, base)
        key = (index, sub, width, cursor, row["id"] in self.selected, cursor and self.has_focus)
        strip = self._lines.get(key)
        if strip is not None:
            self._lines.move_to_end(key)
            return strip
        strip = self._row_line(row, layout, sub, width, base)
        self._lines[key] = strip
        if len(self._lines) > LINES_KEPT:
            self._lines.popitem(last=False)
        return strip

    def _row_line(self, row: Row, layout: list[tuple[Column, int]], sub: int, width: int, base: Style) -> Strip:
        h = self.row_height
        segments: list[Segment] = []
        conflict = self._style("conflict")
        for col, w in layout:
            cell, cell_style = self._cell(col.key, row, conflict)
            if col.key == "summary" and h > 1:
                cell = _wrapped(cell, w, h)[sub]
            elif sub:
                cell = ""
            else:
                cell = one_line(cell, w)
            segments.append(Segment(cell.ljust(w) + " ", base + cell_style if cell_style else base))
        return self._segments_strip(segments, width, base)

    def _cell(self, key: str, row: Row, conflict: Style) -> tuple[str, Style | None]:
        if key == "mark":
            selected = row["id"] in self.selected
            # a draft's relation is what it would be once reviewed: shown as "?" until then; an
            # opposed position shows as a disagreement too
            standing = row["standing"]
            rel = "?" if row["draft"] and standing else TABLE_MARK.get(standing, " ")
            mark = ("✓" if selected else " ") + rel
            return mark, (self._style("selected") if selected else conflict)
        if key == "entity":
            return row["entity_name"], None
        if key == "topic":
            return row["topic_label"], None
        if key == "summary":
            return row["summary"], None
        if key == "value":
            return _value_text(row), conflict if row["relation"] in ("disputed", "at-odds") and not row["draft"] else None
        if key == "period":
            # a period presumed from the article's date is marked "?" (the detail pane says it in words)
            return row["period"] or (f"{row['presumed_period']}?" if row["presumed_period"] else ""), None
        if key == "status":
            return row["status"], None
        if key == "source":
            return self.source_labels.get(row["source"]) or source_label(row["publisher"], row["source_title"]), None
        return "", None

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        return self._segments_strip(list(text.render(self.app.console)), width, style)

    @staticmethod
    def _segments_strip(segments: list[Segment], width: int, style: Style) -> Strip:
        """A line of cells, each a Segment of its text and its whole style: the segments Rich
        renders a Text of those spans to (a span's style over the Text's null one), without
        the Text (the rows of the first frame are drawn before it)."""
        return Strip(segments).adjust_cell_length(width, style).simplify()


def _value_text(row: Row) -> str:
    """tui.store.export's value_text, without importing the export package before the first
    frame (start-up is held to a bare Textual app)."""
    return format_value(row["value_low"], row["value_high"], row["unit"], row["bound"])


def _wrapped(text: str, width: int, lines: int) -> list[str]:
    """The claim on `lines` lines of `width` (the last cut with an ellipsis), padded."""
    import textwrap

    out = textwrap.wrap(one_line(text), max(width, 1), break_long_words=True) or [""]
    if len(out) > lines:
        out = [*out[: lines - 1], one_line(" ".join(out[lines - 1 :]), width)]
    return out + [""] * (lines - len(out))


COLUMN_TITLES = {c.key: c.title for c in COLUMNS}

# a claim's summary in the agreement model (the selection's ✓ is the column before)
TABLE_MARK = {"disputed": "⚠", "at-odds": "!", "revised": "→", "corroborated": "=", "differs": "≠"}

__all__ = ["PAGE_SIZE", "TABLE_MARK", "ClaimsTable"]
