"""The comparison grid: topics (and their quantities) as rows, entities as columns, a cell
cursor, the header row and the topic column frozen while the rest scrolls.

The layout is plain Rich Text cut into lines (`grid_lines`), shared with the CLI's
`pivot compare --format table`, so the screen and the terminal agree cell for cell. The
widget draws only the visible lines (Textual's line API) and lays out again on resize:
a grid has at most a few hundred rows, whatever the size of the corpus.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.store.fmt import one_line, safe_text
from tui.store.grid import Grid, GridCell, GridRow, figure_parts

TOPIC_WIDTH = 24
MIN_COLUMN = 24
MAX_FIGURE_LINES = 3  # lines a cell's figures may wrap onto


PART_STYLE = {
    "sep": "dim",
    "disputed": "bold red",
    "at-odds": "red",
    "revised": "cyan",
    "differs": "yellow",
    "corroborated": "green",
    "value": "bold",
    "value-disputed": "bold red",
    "period": "dim",
    "sources": "cyan",
    "more": "dim italic",
}


def figure_text(grid: Grid, row: GridRow, cell: GridCell) -> Text:
    """'⚠ 10 % (2026) [2] · ⚠ ≥ 20 % [3]': the distinct figures of a cell, marks and sources
    (the same parts as the Markdown and the terminal table: store.grid.figure_parts)."""
    text = Text()
    for piece, kind in figure_parts(grid, row, cell):
        text.append(safe_text(piece), style=PART_STYLE.get(kind, ""))
    return text


def statement_lines(cell: GridCell, width: int, lines: int) -> list[Text]:
    """The cell's shortest statements, one line each, and how many there are in all."""
    out: list[Text] = []
    shown = cell.statements[:lines]
    for i, s in enumerate(shown):
        last = i == len(shown) - 1
        rest = cell.statement_total - len(shown)
        suffix = f" +{rest:,} more" if last and rest > 0 else ""
        body = one_line(s, max(width - len(suffix), 8))
        t = Text(body)
        if suffix:
            t.append(suffix, style="dim italic")
        out.append(t)
    return out


@dataclass
class Laid:
    """One grid row laid out: its lines per column (topic column first)."""

    row: GridRow
    columns: list[list[Text]]

    @property
    def height(self) -> int:
        return max((len(c) for c in self.columns), default=1) or 1


def column_widths(total: int, n_entities: int, topic_width: int = TOPIC_WIDTH) -> tuple[int, int, int]:
    """(topic width, entity column width, entity columns that fit) for a total width;
    the topic column takes what the entity columns leave (within a few characters)."""
    if n_entities == 0:
        return topic_width, MIN_COLUMN, 0
    topic_width = min(topic_width, max(total // 4, 14))
    room = total - topic_width
    fit = max(1, min(n_entities, room // (MIN_COLUMN + 1)))
    width = max(MIN_COLUMN, room // fit - 1)
    return topic_width + max(room - fit * (width + 1), 0), width, fit


def lay_out(grid: Grid, entity_ids: list[str], col_width: int, topic_width: int, height: int | None) -> list[Laid]:
    """Every row's lines. With a `height`, statements get the lines left once every row
    has one (topics in their order first), so that the whole grid fits when it can."""
    laid: list[Laid] = []
    for row in grid.rows:
        label = Text(one_line(row.label, topic_width - 1), style="bold" if row.metric is None else "dim")
        if row.metric is not None:
            label = Text("  " + one_line(row.label, topic_width - 3), style="")
        cols: list[list[Text]] = [[label]]
        for eid in entity_ids:
            cell = grid.cell(row, eid)
            if cell is None:
                cols.append([Text("·", style="dim")])
            elif row.metric is None:
                cols.append(statement_lines(cell, col_width, 1) or [Text("")])
            else:
                wrapped = figure_text(grid, row, cell).wrap(_console(), col_width)
                lines = list(wrapped)[:MAX_FIGURE_LINES]
                cols.append(lines or [Text("")])
        laid.append(Laid(row, cols))
    if height is not None:
        spare = height - sum(x.height for x in laid)
        extra = 1
        while spare > 0 and extra < 3:
            grown = False
            for x in laid:
                if x.row.metric is not None or spare <= 0:
                    continue
                cells = [grid.cell(x.row, e) for e in entity_ids]
                if any(c is not None and len(c.statements) > extra for c in cells):
                    for i, c in enumerate(cells, 1):
                        if c is not None:
                            x.columns[i] = statement_lines(c, col_width, extra + 1)
                    spare -= 1
                    grown = True
            if not grown:
                break
            extra += 1
    return laid


_CONSOLE = None


def _console() -> Console:
    global _CONSOLE
    if _CONSOLE is None:
        from rich.console import Console

        _CONSOLE = Console(width=200, color_system=None, force_terminal=False)
    return _CONSOLE


def grid_lines(grid: Grid, width: int, height: int | None = None, statements: int = 2) -> list[Text]:
    """The whole grid as lines of text (the CLI's table): a title, the header, a rule and
    the rows; on a terminal too narrow for the columns, each row lists its entities one
    under the other. The numbered sources follow."""
    ids = [e["id"] for e in grid.entities]
    out = [Text(" vs ".join(one_line(e["name"]) for e in grid.entities), style="bold")]
    longest = max((len(r.label) + (2 if r.metric else 0) for r in grid.rows), default=12)
    topic_w = max(12, min(longest + 1, max(width // 4, 24), 48))
    col_w = (width - topic_w) // max(len(ids), 1) - 1 if ids else MIN_COLUMN
    if ids and col_w < 16:  # stacked: a row's label, then one line per entity
        inner = max(width - 4, 10)
        for x in lay_out(grid, ids, inner, inner, None):
            out.append(Text(one_line(x.row.label, width), style="bold" if x.row.metric is None else ""))
            for e, lines in zip(grid.entities, x.columns[1:]):
                head = Text("  " + one_line(e["name"], max(width - 4, 4)) + ":", style="dim")
                out.append(head)
                out += [_join([Text("    "), line], 4, width - 5) for line in lines]
    else:
        laid = lay_out(grid, ids, col_w, topic_w, None)
        for x in laid:  # statements: as many lines as asked, the topic label beside the first
            if x.row.metric is None and statements > 1:
                for i, eid in enumerate(ids, 1):
                    cell = grid.cell(x.row, eid)
                    if cell is not None and cell.statements:
                        x.columns[i] = statement_lines(cell, col_w, statements)
        out.append(_join([Text("")] + [Text(one_line(e["name"], col_w), style="bold") for e in grid.entities], topic_w, col_w))
        out.append(Text("─" * topic_w + ("┼" + "─" * col_w) * len(ids), style="dim"))
        for x in laid:
            for i in range(x.height):
                out.append(_join([c[i] if i < len(c) else Text("") for c in x.columns], topic_w, col_w))
    out.append(Text(""))
    out.append(
        Text(
            f"{grid.disputed_cells} cell{'s' if grid.disputed_cells != 1 else ''} in conflict · "
            "⚠ contradicted ! at odds → revised ≠ differs ✓ corroborated",
            style="dim",
        )
    )
    if grid.sources:
        for sid, n in sorted(grid.sources.items(), key=lambda kv: kv[1]):
            out.append(Text(one_line(f"[{n}] {grid.source_labels.get(sid, sid)}", width), style="cyan"))
    return out


def _join(parts: list[Text], topic_w: int, col_w: int, highlight: int | None = None, style: Style | None = None) -> Text:
    """One line of the grid: the topic column, then each entity column cut or padded to
    its width, with `style` over the column numbered `highlight` (the cursor's cell)."""
    line = Text()
    for i, p in enumerate(parts):
        w = topic_w if i == 0 else col_w
        if i:
            line.append("│", style="dim")
        piece = p.copy()
        piece.truncate(w, overflow="ellipsis")
        piece.pad_right(w - piece.cell_len)
        if i == highlight and style is not None:
            piece.stylize(style)
        line.append_text(piece)
    return line


class CompareGrid(ScrollView, can_focus=True):
    """The headline grid with a cell cursor; `enter` asks to open the cell's claims."""

    BINDINGS = [
        Binding("j,down", "move(1, 0)", "Down", show=False, id="grid.down"),
        Binding("k,up", "move(-1, 0)", "Up", show=False, id="grid.up"),
        Binding("l,right", "move(0, 1)", "Right", show=False, id="grid.right"),
        Binding("h,left", "move(0, -1)", "Left", show=False, id="grid.left"),
        Binding("g,home", "edge(-1)", "First", show=False, id="grid.first"),
        Binding("G,end", "edge(1)", "Last", show=False, id="grid.last"),
        Binding("enter", "open", "Open cell", id="grid.open"),
    ]
    COMPONENT_CLASSES = {"compare-grid--cursor", "compare-grid--header"}
    DEFAULT_CSS = """
    CompareGrid { height: 1fr; }
    CompareGrid > .compare-grid--cursor { background: $block-cursor-blurred-background; }
    CompareGrid:focus > .compare-grid--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    CompareGrid > .compare-grid--header { text-style: bold; background: $panel; }
    """

    class Open(Message):
        def __init__(self, row: GridRow, entity_id: str) -> None:
            super().__init__()
            self.row, self.entity_id = row, entity_id

    class Moved(Message):
        def __init__(self, row: GridRow, entity_id: str) -> None:
            super().__init__()
            self.row, self.entity_id = row, entity_id

    HEADER_LINES = 2

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.grid: Grid | None = None
        self.cursor = (0, 0)  # (row index, entity column index)
        self.first_col = 0  # the leftmost entity column shown
        self._laid: list[Laid] = []
        self._starts: list[int] = []  # first body line of each row
        self._lines: list[tuple[int, int]] = []  # body line -> (row index, line within the row)
        self._widths = (TOPIC_WIDTH, MIN_COLUMN, 0)

    # --- data and layout --------------------------------------------------------

    def show(self, grid: Grid, cursor: tuple[int, int] | None = None) -> None:
        self.grid = grid
        if cursor is not None:
            self.cursor = cursor
        self._clamp()
        self.relayout()

    def relayout(self) -> None:
        if self.grid is None:
            return
        # the width left of the vertical scrollbar when the grid needs one: laid out at the
        # whole width first, and again without the scrollbar's cells when it does not fit
        # the height (the scrollbar appears only after the layout, and the region it takes
        # does not resize the widget: the last column was cut by its width)
        ids = [e["id"] for e in self.grid.entities]
        height = self.size.height - self.HEADER_LINES if self.size.height else None
        full = max(self.size.width or self.scrollable_content_region.width, 40)
        for width in (full, max(full - self.styles.scrollbar_size_vertical, 40)):
            self._widths = column_widths(width, len(ids))
            topic_w, col_w, fit = self._widths
            shown = ids[self.first_col : self.first_col + fit] if ids else []
            self._laid = lay_out(self.grid, shown, col_w, topic_w, height)
            if height is None or sum(x.height for x in self._laid) <= height:
                break
        self._starts, self._lines = [], []
        for i, x in enumerate(self._laid):
            self._starts.append(len(self._lines))
            self._lines += [(i, j) for j in range(x.height)]
        self.virtual_size = Size(width, len(self._lines) + self.HEADER_LINES)
        self._scroll_to_cursor()
        self.refresh()

    def on_resize(self) -> None:
        self.relayout()

    def _clamp(self) -> None:
        if self.grid is None:
            return
        rows, cols = len(self.grid.rows), len(self.grid.entities)
        r, c = self.cursor
        self.cursor = (min(max(r, 0), max(rows - 1, 0)), min(max(c, 0), max(cols - 1, 0)))

    @property
    def text(self) -> str:
        """What the grid shows, as plain text (for tests)."""
        return "\n".join(self._line_text(y).plain.rstrip() for y in range(len(self._lines) + self.HEADER_LINES))

    @property
    def current(self) -> tuple[GridRow, str] | None:
        if self.grid is None or not self.grid.rows or not self.grid.entities:
            return None
        r, c = self.cursor
        return self.grid.rows[r], self.grid.entities[c]["id"]

    # --- drawing --------------------------------------------------------------------

    def _line_text(self, y: int) -> Text:
        """Line y of the whole grid: header lines, then the body."""
        if self.grid is None:
            return Text("")
        topic_w, col_w, fit = self._widths
        ents = self.grid.entities[self.first_col : self.first_col + fit]
        if y == 0:
            left = "◀ " if self.first_col else ""
            right = " ▶" if self.first_col + fit < len(self.grid.entities) else ""
            parts = [Text(left)] + [Text(one_line(e["name"], col_w), style="bold") for e in ents]
            line = _join(parts, topic_w, col_w)
            if right:
                line.append(right, style="dim")
            return line
        if y == 1:
            return Text("─" * topic_w + ("┼" + "─" * col_w) * len(ents), style="dim")
        index = y - self.HEADER_LINES
        if index >= len(self._lines):
            return Text("")
        r, j = self._lines[index]
        x = self._laid[r]
        parts = [c[j] if j < len(c) else Text("") for c in x.columns]
        highlight = self.cursor[1] - self.first_col + 1 if r == self.cursor[0] else None
        return _join(parts, topic_w, col_w, highlight, self.get_component_rich_style("compare-grid--cursor"))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        style = self.rich_style
        if y < self.HEADER_LINES:
            text = self._line_text(y)
            if y == 0:
                text.stylize(self.get_component_rich_style("compare-grid--header"))
        else:
            text = self._line_text(int(self.scroll_y) + y)
        plain = Style()  # unstyled segments get an empty style: NO_COLOR's filter needs one
        segments = [Segment(t, st or plain, c) for t, st, c in text.render(self.app.console)]
        return Strip(segments).adjust_cell_length(width, style or plain).simplify()

    # --- moving -------------------------------------------------------------------------

    def _scroll_to_cursor(self) -> None:
        if not self._starts:
            return
        r, c = self.cursor
        fit = self._widths[2]
        if fit and not (self.first_col <= c < self.first_col + fit):
            self.first_col = max(0, c - fit + 1) if c >= self.first_col + fit else c
            self.relayout()
            return
        top = self._starts[r]
        bottom = top + self._laid[r].height
        body = max(self.size.height - self.HEADER_LINES, 1)
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False)
        elif bottom > self.scroll_y + body:
            self.scroll_to(y=bottom - body, animate=False)

    def _moved(self) -> None:
        self._scroll_to_cursor()
        self.refresh()
        cur = self.current
        if cur is not None:
            self.post_message(self.Moved(*cur))

    def action_move(self, rows: int, cols: int) -> None:
        r, c = self.cursor
        self.cursor = (r + rows, c + cols)
        self._clamp()
        self._moved()

    def action_edge(self, direction: int) -> None:
        if self.grid is None:
            return
        self.cursor = (0 if direction < 0 else len(self.grid.rows) - 1, self.cursor[1])
        self._moved()

    def action_open(self) -> None:
        cur = self.current
        if cur is not None:
            self.post_message(self.Open(*cur))
