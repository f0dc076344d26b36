"""What the screens and the palette ask of the app, as Textual messages (Harlequin's way).

A screen never calls the app by name: it posts one of these (they bubble from the screen
to the app, from a worker thread too), and the app's `on_...` handler does what only the
app can do: open the export dialog over any screen, go back to the main screen and
compare, rebuild a damaged store, start the work that waits for the first frame.
"""

from __future__ import annotations

from textual.message import Message


class StoreFailed(Message):
    """A worker's query failed on the store (damaged, removed, locked)."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class FirstRowsShown(Message):
    """The main screen's first rows are laid out: the rest of the start-up may follow
    once the frame that shows them is written."""


class ExportRequested(Message):
    """Open the export dialog: the selection and the filter, or `comparison`'s entities."""

    def __init__(self, fmt: str = "md", comparison: list[str] | None = None) -> None:
        super().__init__()
        self.fmt, self.comparison = fmt, comparison


class CompareRequested(Message):
    """Compare `entity_ids`; None: what the session says `c` compares (Session.compare_target)."""

    def __init__(self, entity_ids: tuple[str, ...] | None = None) -> None:
        super().__init__()
        self.entity_ids = entity_ids


class FilterRequested(Message):
    """Show the main screen with this filter; `drill`: a compare cell's claims (c comes back)."""

    def __init__(self, text: str, *, drill: bool = False) -> None:
        super().__init__()
        self.text, self.drill = text, drill


class CommandRequested(Message):
    """Run a query bar command on the main screen (`@NAME` opens a view, `:w NAME` saves
    one); a command without its name (":w ") is put in the query bar to be finished."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class SourcesRequested(Message):
    """Open the sources screen over the main screen."""


class CopyRequested(Message):
    """Copy the selection (else the highlighted claim) as Markdown; `header`: a whole table."""

    def __init__(self, header: bool = False) -> None:
        super().__init__()
        self.header = header
