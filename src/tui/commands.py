"""Command palette (ctrl+p): commands named "group: action"."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.store import db


class PivotCommands(Provider):
    async def startup(self) -> None:
        app = self.app
        worker = app.run_worker(partial(app.pool.run, _palette_data), thread=True, group="palette")
        await worker.wait()
        self.entities, self.sources = worker.result or ([], [])

    def _commands(self):
        app = self.app
        yield "compare: Meta vs Microsoft", partial(app.action_compare, ("meta", "microsoft")), "side by side, topic by topic"
        yield "compare: 2023 vs 2026 layoff waves", partial(app.action_compare, ("meta-year-of-efficiency", "meta-ai-rebalancing")), "Year of Efficiency vs AI Rebalancing"
        yield "compare: Meta, Microsoft, Amazon and Alphabet", partial(app.action_compare, ("meta", "microsoft", "amazon", "alphabet")), "the four companies"
        yield "filter: conflicts only", partial(app.filter_to, "is:conflict"), "claims that another source contradicts"
        yield "filter: numbers only", partial(app.filter_to, "is:numeric"), "claims with a figure"
        yield "filter: clear", partial(app.filter_to, ""), "show every claim"
        for fmt, label in (("md", "Markdown"), ("csv", "CSV"), ("json", "JSON")):
            yield f"export: {label}", partial(app.open_export, fmt=fmt), "open the export dialog"
        yield "screen: sources", app.action_sources, "every source with its flags"
        yield "help: keys and filters", app.action_help, "every binding and the filter language"
        for s in self.sources:
            name = s["publisher"] or s["title"]
            yield f"source: {name}", partial(app.filter_to, f"source:{s['id']}"), s["title"]
        for e in self.entities:
            yield f"entity: {e['name']}", partial(app.filter_to, f"company:{e['id']}"), f"{e['claim_count']} claims"

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


def _palette_data(conn):
    return db.entities(conn), db.sources(conn, None, 500)
