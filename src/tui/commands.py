"""Command palette (ctrl+p): commands named "group: action"."""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from tui.store import db
from tui.store.fmt import safe_text

if TYPE_CHECKING:
    from tui.app import PivotApp


class PivotCommands(Provider):
    entities: list[sqlite3.Row]
    sources: list[sqlite3.Row]

    @property
    def app(self) -> PivotApp:  # the app this palette runs in, typed
        return cast("PivotApp", super().app)

    async def startup(self) -> None:
        app = self.app
        worker = app.run_worker(partial(app.pool.run, _palette_data), thread=True, group="palette")
        await worker.wait()
        self.entities, self.sources = worker.result or ([], [])

    def _commands(self):
        for name, callback, help_text, binding_id in self._all_commands():
            key = key_for(self.app, binding_id) if binding_id else ""
            yield name, callback, (f"{key} · {help_text}" if key else help_text)

    def _all_commands(self):
        """(name, callback, help, the id of the binding that does the same, or None)."""
        for name, callback, help_text in self._plain_commands():
            yield name, callback, help_text, COMMAND_KEYS.get(name)

    def _plain_commands(self):
        app = self.app
        yield "compare: Meta vs Microsoft", partial(app.action_compare, ("meta", "microsoft")), "side by side, topic by topic"
        yield (
            "compare: 2023 vs 2026 layoff waves",
            partial(app.action_compare, ("meta-year-of-efficiency", "meta-ai-rebalancing")),
            "Year of Efficiency vs AI Rebalancing",
        )
        yield (
            "compare: Meta, Microsoft, Amazon and Alphabet",
            partial(app.action_compare, ("meta", "microsoft", "amazon", "alphabet")),
            "the four companies",
        )
        yield "filter: conflicts only", partial(app.filter_to, "is:conflict"), "claims that another source contradicts"
        yield "filter: numbers only", partial(app.filter_to, "is:numeric"), "claims with a figure"
        yield "filter: clear", partial(app.filter_to, ""), "show every claim"
        for fmt, label in (("md", "Markdown"), ("csv", "CSV"), ("json", "JSON")):
            yield f"export: {label}", partial(app.open_export, fmt=fmt), "open the export dialog"
        yield (
            "copy: claims as a Markdown table",
            partial(app.main.action_copy_claims, header=True),
            "the selection (else the highlighted claim) with the table's header; y copies the rows alone",
        )
        yield "screen: sources", app.action_sources, "every source with its flags"
        yield "help: keys and filters", app.action_help, "every binding and the filter language"
        for s in self.sources:
            name = s["publisher"] or s["title"]
            yield f"source: {safe_text(name)}", partial(app.filter_to, f"source:{s['id']}"), s["title"]
        for e in self.entities:
            n = e["claim_count"]
            yield (
                f"entity: {safe_text(e['name'])}",
                partial(app.filter_to, f"company:{e['id']}"),
                f"{n:,} claim{'' if n == 1 else 's'}",
            )

    # Names and help come from the corpus (titles, publishers, entity names): Textual reads
    # a str prompt or help as markup (`[/]` raises, `[reverse]` styles), so both are given
    # as Content, which is shown as it is, and the match is highlighted on that text.

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=_literal(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, _highlight(matcher, name), callback, text=name, help=_literal(help_text))


# palette commands that a key also does: the palette shows the key (as the keymap has it)
COMMAND_KEYS = {
    "filter: conflicts only": "main.conflicts",
    "filter: clear": "main.clear_filter",
    "export: Markdown": "main.export",
    "screen: sources": "main.sources",
    "help: keys and filters": "app.help",
    "compare: Meta vs Microsoft": "main.compare",
}


def key_for(app, binding_id: str) -> str:
    """The key that runs binding `binding_id` now (after the user's keymap), as shown."""
    from textual.binding import Binding

    keymap: dict[str, str] = getattr(app, "pivot_keymap", {})
    keys = keymap.get(binding_id)
    if keys is None:
        main = getattr(app, "main", None)  # the main screen (commands do not import the screens)
        for binding in [*(type(main).BINDINGS if main is not None else []), *type(app).BINDINGS]:
            if isinstance(binding, Binding) and binding.id == binding_id:
                keys = binding.key
                break
    if not keys:
        return ""
    return ", ".join(app.get_key_display(Binding(k, "")) for k in keys.split(",")[:2])


def _literal(text: str | None):
    # Content where Textual expects a str: from_markup() passes a Content through untouched
    return Content(safe_text(text)) if text else None


def _highlight(matcher, name: str) -> Content:
    """matcher.highlight(name) without reading name as markup."""
    content = Content(name)
    _, offsets = matcher.fuzzy_search.match(matcher.query, name)
    for offset in offsets:
        if not name[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def _palette_data(conn: sqlite3.Connection) -> tuple[list[sqlite3.Row], list[sqlite3.Row]]:
    return db.entities(conn), db.sources(conn, None, 500)
