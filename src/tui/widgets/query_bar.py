"""The query bar: an Input that walks the query history (`up` / `down`) and completes the
filter language's keys and values from the store (`right` or `end` accepts).

Completions are answered by StoreSuggester in a thread (asyncio.to_thread) on a pooled
read-only connection, held to a small time budget, so typing never waits for the store.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable

from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import Reactive
from textual.suggester import Suggester
from textual.widgets import Input

from tui.query import IS_VALUES, KEYS, tokens
from tui.state import History
from tui.store import db
from tui.store.vocab import ENTITY_KINDS, FLAGS, STATUSES

COMPLETION_BUDGET = 0.05  # seconds a completion may take in the store
FIXED_VALUES: dict[str, tuple[str, ...]] = {
    "is": IS_VALUES,
    "status": STATUSES,
    "flag": FLAGS,
    "kind": ENTITY_KINDS,
}
KEY_WORDS = tuple(sorted({*KEYS, "value", "sources"}))


class StoreSuggester(Suggester):
    """Completes the last word of the query: a key (`comp` → `company:`), or a value after
    `key:` (`company:mi` → `company:microsoft`, entity ids and names from the store)."""

    def __init__(self, run: Callable[[Callable[[sqlite3.Connection], list[str]]], list[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.run = run  # app.pool.run: fn(conn, ...) on a pooled connection

    async def get_suggestion(self, value: str) -> str | None:
        if not value or value[-1].isspace():
            return None
        toks = tokens(value)
        if not toks or toks[-1].end != len(value):
            return None
        word = toks[-1].text
        head = value[: toks[-1].start]
        sign = "-" if word.startswith("-") else ""
        body = word[len(sign) :]
        if ":" not in body:
            lower = body.lower()
            if not lower.isalpha():
                return None
            for key in KEY_WORDS:
                if key.startswith(lower) and key != lower:
                    return head + sign + body + key[len(lower) :] + (":" if key not in ("value", "sources") else "")
            return None
        key, _, typed = body.partition(":")
        canonical = KEYS.get(key.lower())
        if canonical is None or typed.startswith('"'):
            return None
        candidates = await self._values(canonical, typed)
        for candidate in candidates:
            if candidate.lower().startswith(typed.lower()) and len(candidate) > len(typed):
                shown = candidate if " " not in candidate else f'"{candidate}"'
                if shown.startswith('"'):
                    if typed:
                        continue  # a name with spaces completes only from nothing typed
                    return head + sign + key + ":" + shown
                return head + sign + key + ":" + typed + candidate[len(typed) :]
        return None

    async def _values(self, key: str, typed: str) -> list[str]:
        if key in FIXED_VALUES:
            return list(FIXED_VALUES[key])

        def job(conn: sqlite3.Connection) -> list[str]:
            try:
                with db.deadline(conn, COMPLETION_BUDGET):
                    return db.completions(conn, key, typed)
            except sqlite3.Error:
                return []

        try:
            return await asyncio.to_thread(self.run, job)
        except Exception:  # noqa: BLE001 - a store that cannot answer completes nothing
            return []


class QueryBar(Input):
    """The filter bar; `up` / `down` walk the queries of this and earlier runs."""

    # Input sets its virtual size to the text's width on every keystroke; the bar's own size
    # never changes with it, so no layout of the whole screen (Widget.virtual_size asks for one)
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    BINDINGS = [
        Binding("up", "history(-1)", "Earlier query", show=False, id="query.history_back"),
        Binding("down", "history(1)", "Later query", show=False, id="query.history_forward"),
    ]

    def __init__(
        self, history: History, *, suggester: Suggester | None = None, placeholder: str = "", id: str | None = None
    ) -> None:
        # validate_on=[]: Input's own validation (it has no validators) would mark every value
        # valid and take off the -invalid class the main screen sets for a query the store refuses
        super().__init__(placeholder=placeholder, suggester=suggester, id=id, validate_on=[])
        self.history = history

    def action_history(self, step: int) -> None:
        text = self.history.previous(self.value) if step < 0 else self.history.next()
        if text is not None:
            self.value = text
            self.cursor_position = len(text)
