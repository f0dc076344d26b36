"""The ? screen: every binding of the screen below, and the filter language."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

FILTER_HELP = [
    ("company:meta  entity:meta", "claims about an entity and its events (id, name or alias); entity: the entity alone"),
    ("source:synapnews", "claims from a source (id, publisher or a title word)"),
    ("topic:job-cuts  metric:  period:2026  unit:USD", "exact fields"),
    ("status:estimated  speaker:ives  flag:ai-assisted", "framing, who said it, source warnings"),
    ("value>=80b  value<10k  value>=20%", "numbers (k m b t; % means percent, $ means USD)"),
    ("is:conflict  is:differs  is:single-source", "contradicted by another source; differs from one; no other source"),
    ("is:corroborated  sources>=2", "another source states the same figure; a quantity stated by 2+ sources"),
    ("is:numeric  is:qualitative  is:draft", "numbers only; words only; drafted by pivot add, unreviewed"),
    ('layoffs  "ai pods"  -word', "search summary, quote, speaker and source title"),
    ("-company:meta", "a leading - negates a term"),
    ("company:meta company:microsoft", "the same key twice: either; different keys: both"),
]


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "screens.tcss"  # the styling of every screen but the main one (read as the first opens)
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
        Binding("down,j", "scroll(1)", "Down", show=False, id="help.down"),
        Binding("up,k", "scroll(-1)", "Up", show=False, id="help.up"),
        Binding("home,g", "top", "Top", show=False, id="help.top"),
        Binding("end,G", "bottom", "Bottom", show=False, id="help.bottom"),
    ]

    def __init__(self, keymap: dict[str, str] | None = None) -> None:
        super().__init__()
        self.keymap = keymap or {}  # binding id -> keys, from the user's keymap.toml

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog"):
            yield Static(self._keys_table(), id="help-keys")
            yield Static(self._filters_table(), id="help-filters")

    def on_mount(self) -> None:
        self.query_one("#help-dialog").border_title = "Keys and filters (escape closes)"

    def _keys_table(self) -> Table:
        """The app's own keys first (the screen's, then its panes', then the app's), the
        query bar's text-editing keys last. Keys are shown as remapped by the keymap."""
        table = Table(title="Keys", title_justify="left", expand=True, show_edge=False)
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Does")
        table.add_column("Id (for keymap.toml)", style="dim")
        screen = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else self.app.screen
        widgets = list(screen.query("*"))
        own = [screen, *(w for w in widgets if not isinstance(w, Input)), self.app]
        editing = [w for w in widgets if isinstance(w, Input)]
        seen: set[tuple[str, str]] = set()
        self._add_rows(table, own, seen)
        self._add_rows(table, editing, seen, section="Text editing (the query bar)")
        return table

    def _add_rows(self, table: Table, nodes: list, seen: set[tuple[str, str]], section: str | None = None) -> None:
        keymap = self.keymap
        first = True
        for node in nodes:
            classes = [c for c in type(node).__mro__ if "BINDINGS" in c.__dict__] if section else [type(node)]
            bindings = [b for c in classes for b in c.__dict__.get("BINDINGS", getattr(c, "BINDINGS", []))]
            for binding in bindings:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                if (binding.key, binding.action) in seen:
                    continue
                seen.add((binding.key, binding.action))
                if section and first:
                    table.add_section()
                    table.add_row(Text(section, style="bold underline"), Text(""), Text(""))
                    first = False
                key = keymap.get(binding.id or "", binding.key)
                keys = ", ".join(self.app.get_key_display(Binding(k, binding.action)) for k in key.split(","))
                table.add_row(Text(keys), Text(binding.description), Text(binding.id or ""))

    def _filters_table(self) -> Table:
        table = Table(title="Filter language (/)", title_justify="left", expand=True, show_edge=False)
        table.add_column("Type", style="bold")
        table.add_column("Finds")
        for example, meaning in FILTER_HELP:
            table.add_row(Text(example), Text(meaning))
        return table

    def action_scroll(self, step: int) -> None:
        self.query_one("#help-dialog", VerticalScroll).scroll_relative(y=step, animate=False)

    def action_top(self) -> None:
        self.query_one("#help-dialog", VerticalScroll).scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.query_one("#help-dialog", VerticalScroll).scroll_end(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
