# Long because the grid's layout (cells wrapped whole, rows laid out as the screen reaches
# them, the legend) and its cursor and frozen header are one widget's rendering.
"""The comparison grid: topics (and their quantities) as rows, entities as columns, a cell
cursor, the header row and the topic column frozen while the rest scrolls.

The layout is plain Rich Text cut into lines (`grid_lines`), shared with the CLI's
`pivot compare --format table`, so the screen and the terminal agree cell for cell. The
widget draws only the visible lines (Textual's line API) and lays out again on resize:
a grid has at most a few hundred rows, whatever the size of the corpus.
"""

from __future__ import annotations

from collections.abc import Callable
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
from tui.store.grid import Grid, GridCell, GridRow, RowKey, figure_parts

TOPIC_WIDTH = 24
MIN_COLUMN = 24
LABEL_LINES = 3  # lines a row label may wrap onto (a cell's figures wrap whole: each with its period)


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


def figure_lines(grid: Grid, row: GridRow, cell: GridCell, width: int) -> list[Text]:
    """The cell's figures wrapped whole: a figure (its mark, value, scope, period and
    sources) starts a new line rather than break ("≥" never apart from "20 %"); only a
    figure wider than the column is wrapped inside itself."""
    units: list[tuple[Text, Text]] = []  # (the separator before it, the figure)
    sep, body = Text(), Text()
    for piece, kind in figure_parts(grid, row, cell):
        if kind == "sep":
            if body:
                units.append((sep, body))
            sep, body = Text(safe_text(piece), style=PART_STYLE.get(kind, "")), Text()
            continue
        body.append(safe_text(piece), style=PART_STYLE.get(kind, ""))
    if body:
        units.append((sep, body))
    out: list[Text] = []
    line = Text()
    for sep, body in units:
        if line and line.cell_len + sep.cell_len + body.cell_len <= width:
            line.append_text(sep)
            line.append_text(body)
            continue
        if line:
            out.append(line)
        if body.cell_len <= width:
            line = body.copy()
        else:
            *whole, line = list(body.wrap(_console(), width)) or [Text("")]
            out += whole
    if line:
        out.append(line)
    return out or [Text("")]


def statement_lines(cell: GridCell, width: int, lines: int) -> list[Text]:
    """The cell's lead statements: every cell of an article's own table whole (wrapped), then
    as many other statements as `lines` allows, one line each; the last says how many
    statements the cell holds beyond those."""
    out: list[Text] = []
    tables = [i for i, s in enumerate(cell.statements) if i < len(cell.tables) and cell.tables[i]]
    others = [i for i in range(len(cell.statements)) if i not in tables]
    shown = tables + others[: max(lines - len(tables), 0 if tables else 1)]
    rest = cell.statement_total - len(shown)
    suffix = f" +{rest:,}\u00a0more" if rest > 0 else ""  # kept whole (a line of its own when it does not fit)
    for n, i in enumerate(shown):
        last = n == len(shown) - 1
        text = cell.statements[i]
        if i in tables:
            wrapped = list(Text(safe_text(text)).wrap(_console(), width)) or [Text("")]
            if last and suffix:  # "+7 more" whole: on the last line if it fits, else on its own
                more = Text(suffix.replace("\u00a0", " "), style="dim italic")
                if wrapped[-1].cell_len + more.cell_len <= width:
                    wrapped[-1].append_text(more)
                else:
                    wrapped.append(Text(more.plain.strip(), style="dim italic"))
            out += wrapped
            continue
        end = suffix if last else ""
        t = Text(one_line(text, max(width - len(end), 8)))
        if end:
            t.append(end, style="dim italic")
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


def row_label(row: GridRow, topic_width: int) -> list[Text]:
    """A row's label, wrapped onto at most three lines (a quantity's label indented)."""
    if row.metric is None:
        lines = list(Text(safe_text(row.label), style="bold").wrap(_console(), topic_width - 1))
        return lines[:LABEL_LINES] or [Text("")]
    lines = list(Text(safe_text(row.label)).wrap(_console(), topic_width - 3))
    if len(lines) > LABEL_LINES:  # the rest of a long label said to be cut
        lines = lines[:LABEL_LINES]
        lines[-1] = Text(one_line(lines[-1].plain.rstrip() + " …", topic_width - 3))
    return [Text("  ") + line for line in lines] or [Text("")]


def lay_out_row(grid: Grid, row: GridRow, entity_ids: list[str], col_width: int, topic_width: int, statements: int = 1) -> Laid:
    """One row's lines: its label, then each entity's cell (a cell not filled yet: '…')."""
    cols: list[list[Text]] = [row_label(row, topic_width)]
    for eid in entity_ids:
        cell = grid.cell(row, eid)
        if cell is None:
            pending = row.key not in grid.filled and (row.key, eid) in grid.counts
            cols.append([Text("…" if pending else "·", style="dim")])
        elif row.metric is None:
            cols.append(statement_lines(cell, col_width, statements) or [Text("")])
        else:
            cols.append(figure_lines(grid, row, cell, col_width))
    return Laid(row, cols)


def lay_out(grid: Grid, entity_ids: list[str], col_width: int, topic_width: int, height: int | None) -> list[Laid]:
    """Every row's lines. With a `height`, statements get the lines left once every row
    has one (topics in their order first), so that the whole grid fits when it can."""
    laid = [lay_out_row(grid, row, entity_ids, col_width, topic_width) for row in grid.rows]
    if height is not None:
        grow(grid, laid, entity_ids, col_width, height)
    return laid


def grow(grid: Grid, laid: list[Laid], entity_ids: list[str], col_width: int, height: int) -> None:
    """Give topics' statements the lines the grid leaves free, a line per topic at a time."""
    spare = height - sum(x.height for x in laid)
    extra = 1
    while spare > 0 and extra < 3:
        grown = False
        for x in laid:
            if x.row.metric is not None or spare <= 0:
                continue
            cells = [grid.cell(x.row, e) for e in entity_ids]
            if any(c is not None and len(c.statements) > extra for c in cells):
                before = x.height
                for i, c in enumerate(cells, 1):
                    if c is not None:
                        x.columns[i] = statement_lines(c, col_width, extra + 1)
                spare -= x.height - before
                grown = True
        if not grown:
            break
        extra += 1


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
    LEGEND_LINES = 2  # the sources of the rows on screen, under the body
    BATCH = 40  # rows laid out at a time once the first screen is drawn

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.grid: Grid | None = None
        self.cursor = (0, 0)  # (row index, entity column index)
        self.first_col = 0  # the leftmost entity column shown
        self._laid: list[Laid | None] = []  # rows laid out so far (None: not yet, counted one line)
        self._starts: list[int] = []  # first body line of each row
        self._lines: list[tuple[int, int]] = []  # body line -> (row index, line within the row)
        self._widths = (TOPIC_WIDTH, MIN_COLUMN, 0)
        self._shown: list[str] = []  # the entity columns laid out
        self._pending = False  # a batch of rows is due
        self._width = 40
        self._legend_cache: tuple[tuple[object, ...], list[Text]] | None = None  # (what it depends on, its lines)
        self._shows = 0  # grids shown so far (a legend is of one of them)

    # --- data and layout --------------------------------------------------------

    def show(self, grid: Grid, cursor: tuple[int, int] | None = None) -> None:
        self.grid = grid
        self._shows += 1
        if cursor is not None:
            self.cursor = cursor
        self._clamp()
        self.relayout()

    @property
    def body_height(self) -> int:
        return max(self.size.height - self.HEADER_LINES - self._legend_height(), 1)

    def _legend_height(self) -> int:
        return self.LEGEND_LINES if self.grid is not None and self.grid.sources else 0

    def relayout(self) -> None:
        """Lay out the rows on screen (and the cursor's) now, the rest in batches after the
        first frame: a grid of 472 rows is drawn from its first 40."""
        if self.grid is None:
            return
        ids = [e["id"] for e in self.grid.entities]
        body = self.body_height if self.size.height else None
        full = max(self.size.width or self.scrollable_content_region.width, 40)
        rows = self.grid.rows
        # the width left of the vertical scrollbar when the grid needs one: a grid with more rows
        # than the screen has lines needs it for sure; a shorter one is laid out at the whole
        # width first, and again without the scrollbar's cells when it does not fit
        short = body is not None and len(rows) <= body and self.grid.whole  # (rows still to come: a scrollbar)
        widths = [full] if short else []
        widths.append(max(full - self.styles.scrollbar_size_vertical, 40))
        for width in widths:
            self._widths = column_widths(width, len(ids))
            topic_w, col_w, fit = self._widths
            self._shown = ids[self.first_col : self.first_col + fit] if ids else []
            self._laid = [None] * len(rows)
            self._width = width
            if short and body is not None:
                self._laid = list(lay_out(self.grid, self._shown, col_w, topic_w, body))
                if sum(x.height for x in self._laid if x) <= body:
                    break
            else:
                self._lay_rows(0, self._rows_for(int(self.scroll_y) + (body or 40)))
                self._lay_rows(self.cursor[0], self.cursor[0] + (body or 40))
        self._index()
        self._scroll_to_cursor()
        self.refresh()
        self._schedule()

    def screen_filled(self, width: int, height: int) -> Callable[[Grid], bool]:
        """A test of whether a grid's first rows (those filled) fill this widget's body at
        `width` x `height` (its size, or the size it will have), laid out as `relayout` lays
        out a grid with more rows to come: for the worker that reads the first screen first
        (store.grid.head), from its thread."""
        body = height - self.HEADER_LINES - self.LEGEND_LINES
        width = max(max(width, 40) - self.styles.scrollbar_size_vertical, 40)
        first_col = self.first_col
        heights: dict[RowKey, int] = {}  # a row's height does not change as the rows below it are read

        def filled(grid: Grid) -> bool:
            topic_w, col_w, fit = column_widths(width, len(grid.entities))
            ids = [e["id"] for e in grid.entities][first_col : first_col + fit]
            lines = 0
            for row in grid.rows:
                if row.key not in grid.filled:
                    return False
                if row.key not in heights:
                    heights[row.key] = lay_out_row(grid, row, ids, col_w, topic_w).height
                lines += heights[row.key]
                if lines >= body:
                    return True
            return False

        return filled

    def _rows_for(self, lines: int) -> int:
        """How many rows from the top the first `lines` body lines need (at least one each)."""
        return min(lines, len(self._laid))

    def _lay_rows(self, start: int, stop: int) -> None:
        if self.grid is None:
            return
        topic_w, col_w, _ = self._widths
        for i in range(max(start, 0), min(stop, len(self._laid))):
            if self._laid[i] is None:
                self._laid[i] = lay_out_row(self.grid, self.grid.rows[i], self._shown, col_w, topic_w)

    def _index(self) -> None:
        self._starts, self._lines = [], []
        for i, x in enumerate(self._laid):
            self._starts.append(len(self._lines))
            self._lines += [(i, j) for j in range(x.height if x is not None else 1)]
        self.virtual_size = Size(self._width, len(self._lines) + self.HEADER_LINES + self._legend_height())

    def _schedule(self) -> None:
        if not self._pending and any(x is None for x in self._laid):
            self._pending = True
            self.set_timer(0.05, self._lay_more)

    def _lay_more(self) -> None:
        self._pending = False
        first = next((i for i, x in enumerate(self._laid) if x is None), None)
        if first is None or self.grid is None or self.grid.rows[first].key not in self.grid.filled:
            return  # every row laid out, or the rest not read yet (laid out once it is: `show`)
        self._lay_rows(first, first + self.BATCH)
        self._index()
        self.refresh()
        self._schedule()

    def lay_out_all(self) -> None:
        self._lay_rows(0, len(self._laid))
        self._index()

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
        """What the grid shows, as plain text (for tests): every row, then the legend."""
        self.lay_out_all()
        body = [self._line_text(y).plain.rstrip() for y in range(len(self._lines) + self.HEADER_LINES)]
        return "\n".join(body + [t.plain.rstrip() for t in self._legend(range(len(self._laid)))])

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
            # more entities than columns: say how many, and where (h and l move to them)
            before = self.first_col
            after = len(self.grid.entities) - self.first_col - len(ents)
            left = Text(f"◀ {before} more (h)" if before else "", style="dim")
            names = [Text(one_line(e["name"], col_w), style="bold") for e in ents]
            if after and names:
                hint = f" {after} more (l) ▶"
                names[-1] = Text(one_line(ents[-1]["name"], max(col_w - len(hint), 4)), style="bold")
                names[-1].append(hint, style="dim")
            return _join([left, *names], topic_w, col_w)
        if y == 1:
            return Text("─" * topic_w + ("┼" + "─" * col_w) * len(ents), style="dim")
        index = y - self.HEADER_LINES
        if index >= len(self._lines):
            return Text("")
        r, j = self._lines[index]
        x = self._laid[r]
        if x is None:  # drawn before its batch: laid out now
            self._lay_rows(r, r + self.body_height)
            self._index()
            self.refresh()
            return Text("")
        parts = [c[j] if j < len(c) else Text("") for c in x.columns]
        highlight = self.cursor[1] - self.first_col + 1 if r == self.cursor[0] else None
        return _join(parts, topic_w, col_w, highlight, self.get_component_rich_style("compare-grid--cursor"))

    def visible_rows(self) -> range:
        if not self._lines:
            return range(0)
        top = min(int(self.scroll_y), len(self._lines) - 1)
        bottom = min(top + self.body_height, len(self._lines)) - 1
        return range(self._lines[top][0], self._lines[bottom][0] + 1)

    def _legend(self, rows: range) -> list[Text]:
        """The sources of `rows`, numbered as every face of this comparison numbers them
        (worked out once for a frame's lines)."""
        key = (rows, tuple(self._shown), self._width, self._shows)
        if self._legend_cache is None or self._legend_cache[0] != key:
            self._legend_cache = (key, self._legend_lines(rows))
        return self._legend_cache[1]

    def _legend_lines(self, rows: range) -> list[Text]:
        grid = self.grid
        if grid is None or not grid.sources:
            return []
        seen: dict[int, str] = {}
        for r in rows:
            row = grid.rows[r]
            for eid in self._shown:
                cell = grid.cell(row, eid)
                for item in cell.figures if cell else []:
                    for sid in item.sources:
                        if sid in grid.sources:
                            seen[grid.sources[sid]] = sid
        width = max(self._width, 40)
        if not seen:
            return [Text("no figure on screen: the sources are numbered beside the figures", style="dim")]
        each = max(12, (width * self.LEGEND_LINES) // len(seen) - 6)
        text = Text()
        for n in sorted(seen):
            if text:
                text.append("  ")
            text.append(f"[{n}] ", style="cyan")
            text.append(one_line(grid.source_labels.get(seen[n], seen[n]), each), style="dim")
        return list(text.wrap(_console(), width))[: self.LEGEND_LINES]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        style = self.rich_style
        legend_at = self.size.height - self._legend_height()
        if y < self.HEADER_LINES:
            text = self._line_text(y)
            if y == 0:
                text.stylize(self.get_component_rich_style("compare-grid--header"))
        elif y >= legend_at:
            legend = self._legend(self.visible_rows())
            text = legend[y - legend_at] if y - legend_at < len(legend) else Text("")
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
        if self._laid[r] is None:
            self._lay_rows(max(r - self.body_height, 0), r + self.body_height)
            self._index()
        top = self._starts[r]
        laid = self._laid[r]
        bottom = top + (laid.height if laid is not None else 1)
        body = self.body_height
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
        if direction > 0:
            self.lay_out_all()  # the last row's place is known once every row above it is laid out
        self._moved()

    def action_open(self) -> None:
        cur = self.current
        if cur is not None:
            self.post_message(self.Open(*cur))
