"""The export dialog and the overwrite question. Both only collect a choice and return it;
the app writes the file with the same functions as `pivot export`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static

from tui.store.export import with_format
from tui.store.fmt import safe_text

SCOPES = {"selected": "Selected claims", "filter": "Current filter", "comparison": "Current comparison"}
FORMATS = {"md": "Markdown", "csv": "CSV", "json": "JSON"}


@dataclass(frozen=True)
class ExportRequest:
    scope: str  # selected | filter | comparison
    fmt: str  # md | csv | json
    path: Path
    quotes: bool = False
    ids: bool = False  # Markdown: a column of claim ids


# Textual draws every radio button and checkbox with the same mark (● / X) and tells the
# chosen one by colour alone, which NO_COLOR and screen readers lose: the mark is drawn
# only when the button is on.
class MarkedRadio(RadioButton):
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "●" if self.value else " "


class MarkedCheckbox(Checkbox):
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "X" if self.value else " "


class ExportScreen(ModalScreen[ExportRequest | None]):
    """Scope, format, path and a preview of the first lines; returns an ExportRequest.

    `fmt` is the format chosen when it opens (the palette's "export: CSV"); `again` is a
    request to show once more, its file name selected (after "keep it" to an overwrite)."""

    CSS_PATH = "screens.tcss"  # the styling of every screen but the main one (read as the first opens)
    DEFAULT_CSS = """
    ExportScreen #export-options { height: auto; width: auto; }
    ExportScreen #export-options Checkbox { width: auto; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "submit", "Export", id="export.submit"),
        # enter exports from anywhere in the dialog (space ticks a box or picks a scope)
        Binding("enter", "submit", "Export", priority=True, id="export.enter"),
    ]

    def __init__(
        self,
        scopes: dict[str, int],
        default_scope: str,
        preview: Callable[[str, str, bool, bool], str],
        default_name: Callable[[str, str], str],
        *,
        fmt: str = "md",
        again: ExportRequest | None = None,
        notes: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.scopes = scopes  # available scope -> number of claims
        self.notes = notes or {}  # scope -> a word beside its count ("2 hidden by the filter")
        self.default_scope = again.scope if again is not None and again.scope in scopes else default_scope
        self.preview_fn = preview
        self.default_name = default_name
        self.initial_fmt = again.fmt if again is not None else (fmt if fmt in FORMATS else "md")
        self.again = again
        self._path_edited = again is not None
        self._shown_fmt = self.initial_fmt

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Label("Export", id="export-title")
            with Horizontal(id="export-choices"):
                with RadioSet(id="scope"):
                    for key, n in self.scopes.items():
                        note = f", {self.notes[key]}" if key in self.notes else ""
                        yield MarkedRadio(Text(f"{SCOPES[key]} ({n:,}{note})"), value=key == self.default_scope, name=key)
                with RadioSet(id="format"):
                    for key, label in FORMATS.items():
                        yield MarkedRadio(label, value=key == self.initial_fmt, name=key)
                with Vertical(id="export-options"):
                    yield MarkedCheckbox("Quotes (Markdown)", self.again.quotes if self.again else False, id="quotes")
                    yield MarkedCheckbox("Claim ids (Markdown)", self.again.ids if self.again else False, id="ids")
            path = str(self.again.path) if self.again else self.default_name(self.default_scope, self.initial_fmt)
            yield Input(path, id="path")
            yield Static("", id="preview")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="do-export")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#preview").border_title = "Preview"
        self.query_one("#path").border_title = "File"
        self.query_one("#scope").border_title = "Scope"
        self.query_one("#format").border_title = "Format"
        if self.again is not None:
            path = self.query_one("#path", Input)
            path.focus()
            path.select_all()
        self.update_preview()

    @property
    def scope(self) -> str:
        pressed = self.query_one("#scope", RadioSet).pressed_button
        return pressed.name if pressed and pressed.name else self.default_scope

    @property
    def fmt(self) -> str:
        pressed = self.query_one("#format", RadioSet).pressed_button
        return pressed.name if pressed and pressed.name else self.initial_fmt

    @property
    def quotes(self) -> bool:
        return self.query_one("#quotes", Checkbox).value

    @property
    def ids(self) -> bool:
        return self.query_one("#ids", Checkbox).value

    @on(RadioSet.Changed)
    @on(Checkbox.Changed)
    def choice_changed(self) -> None:
        path = self.query_one("#path", Input)
        if not self._path_edited:
            with path.prevent(Input.Changed):
                path.value = self.default_name(self.scope, self.fmt)
        elif self.fmt != self._shown_fmt:
            # a name the user typed keeps its stem; its extension follows the format
            with path.prevent(Input.Changed):
                path.value = with_format(path.value, self.fmt)
        self._shown_fmt = self.fmt
        self.update_preview()

    @on(Input.Changed, "#path")
    def path_changed(self) -> None:
        self._path_edited = True

    @work(thread=True, exclusive=True, group="preview")
    def update_preview(self) -> None:
        scope, fmt, quotes, ids = self.scope, self.fmt, self.quotes, self.ids
        try:
            text = self.preview_fn(scope, fmt, quotes, ids)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never raised
            text = f"(no preview: {exc})"
        lines = text.splitlines()[:12]
        self.app.call_from_thread(self._show_preview, "\n".join(lines))

    def _show_preview(self, text: str) -> None:
        # CSV and JSON carry corpus text as it is: escapes and bidi marks made visible here
        self.query_one("#preview", Static).update(Text(safe_text(text, keep_newlines=True), no_wrap=True, overflow="ellipsis"))

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#do-export")
    def action_submit(self) -> None:
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self.notify("Give a file name", severity="warning")
            return
        self.dismiss(ExportRequest(self.scope, self.fmt, Path(raw).expanduser(), self.quotes, self.ids))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; returns True for yes."""

    CSS_PATH = "screens.tcss"  # the styling of every screen but the main one (read as the first opens)
    BINDINGS = [
        Binding("y", "yes", "Yes", id="confirm.yes"),
        Binding("n,escape", "no", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Label(Text(self.question))
            with Horizontal(id="confirm-buttons"):
                yield Button("Overwrite (y)", variant="error", id="yes")
                yield Button("Keep it (n)", id="no")

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)
