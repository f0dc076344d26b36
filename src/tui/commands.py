"""Command palette (ctrl+p): commands named "group: action"."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any, cast

from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.message import Message

from tui.messages import (
    CommandRequested,
    CompareRequested,
    CopyRequested,
    ExportRequested,
    FilterRequested,
    SourcesRequested,
)
from tui.session import HasSession
from tui.store import db
from tui.store.fmt import safe_text


class PivotCommands(Provider):
    entities: list[sqlite3.Row]
    sources: list[sqlite3.Row]

    async def startup(self) -> None:
        app = self.app
        store = cast(HasSession, app).session.store  # commands do not import the app
        worker = app.run_worker(partial(store.run, _palette_data), thread=True, group="palette")
        await worker.wait()
        self.entities, self.sources = worker.result or ([], [])

    def _commands(self):
        for name, callback, help_text, binding_id in self._all_commands():
            key = key_for(self.app, binding_id) if binding_id else ""
            yield name, callback, (f"{key} · {help_text}" if key else help_text)

    def _ask(self, message: type[Message], *args: Any, **kwargs: Any) -> Callable[[], None]:
        """A command that posts a fresh `message(*args)` to the app (tui.messages)."""

        def post() -> None:
            self.app.post_message(message(*args, **kwargs))

        return post

    def _all_commands(self):
        """(name, callback, help, the id of the binding that does the same, or None)."""
        for name, ids, help_text in compare_presets(self.entities):
            yield name, self._ask(CompareRequested, ids), help_text, None
        yield "compare: the filter's entities or the last picks", self._ask(CompareRequested), "as c does", "main.compare"
        yield (
            "filter: conflicts only",
            self._ask(FilterRequested, "is:conflict"),
            "claims that another source contradicts",
            "main.conflicts",
        )
        yield "filter: numbers only", self._ask(FilterRequested, "is:numeric"), "claims with a figure", None
        yield "filter: clear", self._ask(FilterRequested, ""), "show every claim", "main.clear_filter"
        for fmt, label in (("md", "Markdown"), ("csv", "CSV"), ("json", "JSON")):
            yield (
                f"export: {label}",
                self._ask(ExportRequested, fmt),
                "open the export dialog",
                "main.export" if fmt == "md" else None,
            )
        yield (
            "copy: claims as a Markdown table",
            self._ask(CopyRequested, header=True),
            "the selection (else the highlighted claim) with the table's header; y copies the rows alone",
            None,
        )
        yield (
            "view: save the filter, its sort and the compare picks",
            self._ask(CommandRequested, ":w"),
            "type a name after :w in the query bar; @NAME opens it again",
            None,
        )
        for view in cast(HasSession, self.app).session.views.views.values():
            yield f"view: {view.name}", self._ask(CommandRequested, f"@{view.name}"), view.line(), None
        yield "screen: sources", self._ask(SourcesRequested), "every source with its flags", "main.sources"
        yield (
            "help: keys and filters",
            lambda: self.app.run_action("app.help"),
            "every binding and the filter language",
            "app.help",
        )
        for src in self.sources:
            name = src["publisher"] or src["title"]
            yield f"source: {safe_text(name)}", self._ask(FilterRequested, f"source:{src['id']}"), src["title"], None
        for e in self.entities:
            n = e["open_count"]  # what company:ID opens
            yield (
                f"entity: {safe_text(e['name'])}",
                self._ask(FilterRequested, f"company:{e['id']}"),
                f"{n:,} claim{'' if n == 1 else 's'}",
                None,
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


def compare_presets(entities: list[sqlite3.Row]) -> list[tuple[str, tuple[str, ...], str]]:
    """The palette's comparisons, from the corpus: its two and four most-covered companies,
    and the events of the most-covered company that has two (entities come companies first,
    most claims first: db.entities). (name, entity ids, help)."""
    companies = [e for e in entities if e["kind"] == "company"]
    out: list[tuple[str, tuple[str, ...], str]] = []

    def names(rows: list[sqlite3.Row]) -> str:
        shown = [safe_text(r["name"]) for r in rows]
        return " vs ".join(shown) if len(shown) == 2 else ", ".join(shown[:-1]) + " and " + shown[-1]

    if len(companies) >= 2:
        out.append((f"compare: {names(companies[:2])}", tuple(c["id"] for c in companies[:2]), "the two most-covered companies"))
    if len(companies) >= 3:
        top = companies[:4]
        out.append((f"compare: {names(top)}", tuple(c["id"] for c in top), f"the {len(top)} most-covered companies"))
    for company in companies:
        events = [e for e in entities if e["kind"] == "event" and e["parent"] == company["id"]][:2]
        if len(events) == 2:
            out.append(
                (f"compare: {names(events)}", tuple(e["id"] for e in events), f"the events of {safe_text(company['name'])}")
            )
            break
    return out


def key_for(app: App[Any], binding_id: str) -> str:
    """The key that runs binding `binding_id` now (after the user's keymap), as shown."""
    keys = cast(HasSession, app).session.keymap.get(binding_id)
    if keys is None:
        # the main screen's bindings, then the app's (commands do not import the screens)
        main = next((s for s in app.screen_stack if any(b.id == binding_id for b in _bindings(s))), None)
        for binding in [*(_bindings(main) if main is not None else []), *_bindings(app)]:
            if binding.id == binding_id:
                keys = binding.key
                break
    if not keys:
        return ""
    return ", ".join(app.get_key_display(Binding(k, "")) for k in keys.split(",")[:2])


def _bindings(node: DOMNode) -> list[Binding]:
    return [b for b in type(node).BINDINGS if isinstance(b, Binding)]


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
