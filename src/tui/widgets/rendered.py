"""A scrollable view of a Rich renderable drawn once, in a worker, into lines.

A Rich table inside a Static is measured and drawn again on every layout pass,
on the UI thread; a comparison of two large entities takes seconds that way.
Here the worker renders the table to lines at the width it will be shown, and
the widget only crops the visible lines (Textual's line API), so opening,
scrolling and resizing never render the table again.
"""

from __future__ import annotations

from rich.console import Console, RenderableType
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


def render_lines(renderable: RenderableType, width: int) -> list[list[Segment]]:
    """Render off the UI thread: a private console, so no state is shared with the app's."""
    console = Console(width=width, color_system="truecolor", force_terminal=True, legacy_windows=False, record=False)
    options = console.options.update(width=width, height=None)
    return console.render_lines(renderable, options, pad=True)


class RenderedView(ScrollView, can_focus=True):
    DEFAULT_CSS = "RenderedView { height: 1fr; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[Strip] = []
        self._width = 0

    def show(self, lines: list[list[Segment]], width: int, keep_scroll: bool = False) -> None:
        plain = Style()  # unstyled segments get an empty style: NO_COLOR's filter needs one
        self._lines = [Strip([Segment(t, st or plain, c) for t, st, c in line], width) for line in lines]
        self._width = width
        self.virtual_size = Size(width, len(self._lines))
        if not keep_scroll:
            self.scroll_to(0, 0, animate=False)
        self.refresh()

    @property
    def text(self) -> str:
        """What is drawn, as plain text (for tests and copying)."""
        return "\n".join("".join(seg.text for seg in strip).rstrip() for strip in self._lines)

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.size.width
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        x = int(self.scroll_x)
        return self._lines[index].crop(x, x + width).extend_cell_length(width, self.rich_style)
