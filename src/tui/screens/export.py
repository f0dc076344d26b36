"""The export dialog and the overwrite question. Both only collect a choice and return it;
the app writes the file with the same functions as `pivot export`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static

from tui.store.fmt import safe_text

SCOPES = {"selected": "Selected claims", "filter": "Current filter", "comparison": "Current comparison"}
FORMATS = {"md": "Markdown", "csv": "CSV", "json": "JSON"}


@dataclass(frozen=True)
class ExportRequest:
    scope: str  # selected | filter | comparison
    fmt: str  # md | csv | json
    path: Path
    quotes: bool = False


class ExportScreen(ModalScreen[ExportRequest | None]):
    """Scope, format, path and a preview of the first lines; returns an ExportRequest."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "submit", "Export", id="export.submit"),
    ]

    def __init__(self, scopes: dict[str, int], default_scope: str, preview: Callable[[str, str, bool], str], default_name: Callable[[str, str], str]) -> None:
        super().__init__()
        self.scopes = scopes  # available scope -> number of claims
        self.default_scope = default_scope
        self.preview_fn = preview
        self.default_name = default_name
        self._path_edited = False

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Label("Export", id="export-title")
            with Horizontal(id="export-choices"):
                with RadioSet(id="scope"):
                    for key, n in self.scopes.items():
                        yield RadioButton(Text(f"{SCOPES[key]} ({n:,})"), value=key == self.default_scope, name=key)
                with RadioSet(id="format"):
                    for key, label in FORMATS.items():
                        yield RadioButton(label, value=key == "md", name=key)
                yield Checkbox("Quotes (Markdown)", id="quotes")
            yield Input(self.default_name(self.default_scope, "md"), id="path")
            yield Static("", id="preview")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="do-export")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#preview").border_title = "Preview"
        self.query_one("#path").border_title = "File"
        self.query_one("#scope").border_title = "Scope"
        self.query_one("#format").border_title = "Format"
        self.update_preview()

    @property
    def scope(self) -> str:
        pressed = self.query_one("#scope", RadioSet).pressed_button
        return pressed.name if pressed and pressed.name else self.default_scope

    @property
    def fmt(self) -> str:
        pressed = self.query_one("#format", RadioSet).pressed_button
        return pressed.name if pressed and pressed.name else "md"

    @property
    def quotes(self) -> bool:
        return self.query_one("#quotes", Checkbox).value

    @on(RadioSet.Changed)
    @on(Checkbox.Changed)
    def choice_changed(self) -> None:
        if not self._path_edited:
            path = self.query_one("#path", Input)
            with path.prevent(Input.Changed):
                path.value = self.default_name(self.scope, self.fmt)
        self.update_preview()

    @on(Input.Changed, "#path")
    def path_changed(self) -> None:
        self._path_edited = True

    @work(thread=True, exclusive=True, group="preview")
    def update_preview(self) -> None:
        scope, fmt, quotes = self.scope, self.fmt, self.quotes
        try:
            text = self.preview_fn(scope, fmt, quotes)
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
        self.dismiss(ExportRequest(self.scope, self.fmt, Path(raw).expanduser(), self.quotes))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; returns True for yes."""

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
