# Long because it is the explorer's whole state in one place, on purpose (issue 22): the
# filter and its history, the selection and its undo, the compare memory, export scopes and
# named views change together and are tested together without Textual.
"""The explorer's state, without Textual: what the screens show and change, in one place.

    Session
      filter     the current filter: its text, parsed once per change (or its message), the
                 generation of the query it started, and the sort the pages are read in
      selection  the claims picked with space / a, and `u`'s stack of earlier states
      compare    the comparison's picks, cell, picker and the filter a cell was opened into
      views      named views (a filter, a sort and compare picks under a name), kept
                 beside the query history (tui.state)
      store      the handle on the store the screens read through (the app swaps its pool)

Screens render the session and change it through the methods below; what only the app
can do (open a dialog for the whole explorer, rebuild the store) they ask for with a
message (tui.messages). Every rule here is tested without starting Textual
(tests/test_session.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from tui.query import (
    Compiled,
    Parsed,
    QueryError,
    format_term,
    parse,
    remove_tokens,
    replace_term,
    resolve_entities,
    resolve_sources,
    resolve_topics,
    toggle_term,
)
from tui.state import History, View, Views

if TYPE_CHECKING:
    from tui.store.db import Frequency
    from tui.store.export import Selection  # imported when an export is first asked for (start-up)
    from tui.store.pool import ConnectionPool

T = TypeVar("T")
Sort = tuple[str, bool] | None  # (a key of db.SORT_KEYS, descending); None: store order
UNDO_LIMIT = 100  # filter and selection changes `u` can undo
ENTITY_KEYS = ("company", "entity")


class StoreHandle:
    """The store the explorer reads, as the screens hold it: a pool of read-only connections
    (tui.store.pool.ConnectionPool) that the app replaces when the file is rebuilt. A
    screen keeps the handle, never the pool, so it always reads the current file."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        return self.pool.run(fn, *args)

    def run_for(self, generation: int, fn: Callable[..., T], *args: Any) -> T:
        """fn on a pooled connection, interrupted (and not started) once a newer generation asks."""
        return self.pool.run_for(generation, fn, *args)

    def interrupt_all(self, older_than: int) -> None:
        self.pool.interrupt_all(older_than=older_than)


# --- the filter --------------------------------------------------------------------------


class Filter:
    """The filter as the query bar shows it, parsed once per change."""

    def __init__(self, text: str = "") -> None:
        self.text = ""
        self.parsed: Parsed = Parsed()
        self.error: str | None = None  # the parser's message for people, if the text is not a query
        self.generation = 0  # of the query started for the latest text (the app's workers compare it)
        self.sort: Sort = None
        self.set(text)

    def set(self, text: str) -> None:
        """Take the bar's text and parse it: the one parse of a keystroke (the compiled
        filter keeps this Parsed; the facets and the entity list read it)."""
        self.text = text
        try:
            self.parsed, self.error = parse(text), None
        except QueryError as exc:
            self.parsed, self.error = Parsed(), str(exc)

    def next_generation(self) -> int:
        self.generation += 1
        return self.generation

    @property
    def entities(self) -> list[str]:
        """The entities the filter names (company:meta entity:x, not negated), as typed."""
        return [t.value for t in self.parsed.terms if t.key in ENTITY_KEYS and not t.negated]

    def toggled(self, key: str, value: str) -> str:
        """The text with `key:value` removed if it is there, else added at the end."""
        return toggle_term(self.text, key, value)

    def replaced(self, keys: tuple[str, ...], term: str | None, *, first: bool = False) -> str:
        """The text with every term of `keys` (as the language spells them) replaced by `term`."""
        return replace_term(self.text, keys, term, first=first)

    def without(self, written: Iterable[str]) -> str:
        """The text without the tokens written so (the terms a facet was ticked by)."""
        return remove_tokens(self.text, written)


# --- the selection and undo ---------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What `u` brings back: the filter's text and the selection."""

    text: str
    selected: frozenset[str]


class ClaimSelection:
    """The claims picked by id (space, a); `u` undoes changes to it.

    A selection survives filter changes and ctrl+l on purpose (a set gathered across
    several filters, as VisiData's is), but never silently: the status line says how many
    of the selected claims the filter hides (`Session.selection_note`), and `y` and `e`
    say what they take (`Session.copy_scope`)."""

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._ids: set[str] = set(ids)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._ids))

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self._ids)

    def toggle(self, claim_id: str) -> bool:
        """Select or unselect one claim; True if it is selected now."""
        if claim_id in self._ids:
            self._ids.discard(claim_id)
            return False
        self._ids.add(claim_id)
        return True

    def add(self, ids: Iterable[str]) -> None:
        self._ids.update(ids)

    def replace(self, ids: Iterable[str]) -> None:
        self._ids = set(ids)

    def clear(self) -> None:
        self._ids.clear()


class Undo:
    """Earlier states of the filter and the selection, newest last, at most UNDO_LIMIT."""

    def __init__(self) -> None:
        self.stack: list[Snapshot] = []

    def push(self, state: Snapshot) -> None:
        if not self.stack or self.stack[-1] != state:
            self.stack.append(state)
            del self.stack[:-UNDO_LIMIT]

    def pop(self, current: Snapshot) -> Snapshot | None:
        """The latest state that differs from `current` (None: nothing to undo)."""
        while self.stack and self.stack[-1] == current:
            self.stack.pop()
        return self.stack.pop() if self.stack else None


# --- the comparison ------------------------------------------------------------------------


@dataclass
class CompareMemory:
    """The comparison as the user left it, kept while the explorer runs."""

    picks: list[str] = field(default_factory=list)  # none yet: the most-covered entities (asked of the store)
    cursor: tuple[int, int] | None = None  # the grid cell (row, column)
    drill: str | None = None  # the filter a compare cell was opened into


@dataclass(frozen=True)
class CompareTarget:
    """What `c` opens: these picks, or the entities `named` by the filter once resolved, at `cursor`."""

    picks: tuple[str, ...]
    named: tuple[str, ...] = ()
    cursor: tuple[int, int] | None = None


def with_named(found: list[str], picks: list[str]) -> list[str]:
    """The picks once the entities a filter named are resolved (`found`): one entity named
    is compared with the ones compared before it (all but the last, at least one); several
    are compared together; none leaves the picks as they were."""
    if len(found) == 1:
        return found + [e for e in picks if e not in found][: max(len(picks) - 1, 1)]
    return list(found) if found else list(picks)


def resolve_named(conn: sqlite3.Connection, names: Iterable[str]) -> list[str]:
    """The entities names of a filter stand for, the first match of each, in order."""
    found: list[str] = []
    for name in names:
        found += [i for i in resolve_entities(conn, name)[:1] if i not in found]
    return found


def picked_facets(conn: sqlite3.Connection, parsed: Parsed, facets: Iterable[str]) -> dict[tuple[str, str], list[str]]:
    """The facet values a filter's terms pick, as the store resolves them (typing
    `source:synapnews` picks the source whose id or publisher that is; `company:facebook`
    the entity meta), each with the terms that pick it as written, so that unticking the
    facet removes them (Filter.without)."""
    resolvers = {"source": resolve_sources, "topic": resolve_topics, "company": resolve_entities, "entity": resolve_entities}
    wanted = {*facets, *ENTITY_KEYS}
    picked: dict[tuple[str, str], list[str]] = {}
    for t in parsed.terms:
        if t.negated or t.key not in wanted:
            continue
        values = resolvers[t.key](conn, t.value) if t.key in resolvers else [t.value]
        key = "entity" if t.key == "company" else t.key
        for v in values:
            picked.setdefault((key, str(v).lower()), []).append(t.token)
    return picked


# --- what y and e take ---------------------------------------------------------------------


@dataclass(frozen=True)
class CopyScope:
    """What `y` copies: the selected claims when any are selected (`hidden` of them are
    not in the filter), else the highlighted claim alone (None: nothing to copy)."""

    ids: tuple[str, ...]
    selected: bool
    hidden: int = 0

    def describe(self, header: bool = False) -> str:
        shape = "a Markdown table" if header else "Markdown rows"
        if not self.selected:
            return f"the highlighted claim as {shape}"
        n = len(self.ids)
        out = f"{n:,} selected claim{'' if n == 1 else 's'} as {shape}"
        return out + (f" ({self.hidden:,} hidden by the filter)" if self.hidden else "")


def selection_note(selected: int, hidden: int | None) -> str:
    """The status line's word on the selection: "3 selected, 2 hidden by the filter" (what `y`
    and `e` take); `hidden` None while it is being counted."""
    if not selected:
        return "none selected"
    if hidden is None or not hidden:
        return f"{selected:,} selected"
    if hidden == selected:
        return f"{selected:,} selected, all hidden by the filter"
    return f"{selected:,} selected, {hidden:,} hidden by the filter"


# --- the frequency of a column (F) ---------------------------------------------------------------

FREQUENCY_KEYS = {
    "source": "source",
    "entity": "entity",
    "topic": "topic",
    "status": "status",
    "period": "period",
    "flag": "flag",
}
UNIT_WORDS = {"USD": "$", "percent": "%"}


def frequency_term(column: str, item: Frequency) -> str | None:
    """The filter term a line of a column's frequency stands for (enter adds it): `source:ID`,
    `entity:ID`, `status:X`...; for a figure `value=N` (or `value>=LOW value<=HIGH`) with
    its unit, which keeps the claims whose figure is or contains it. None: a line no term
    picks (claims with no period)."""
    if column == "value":
        if item.low is None:
            return None
        unit = item.unit or ""
        lead, tail = ("$", "") if unit == "USD" else ("", "%" if unit == "percent" else "")
        number = _plain_number
        if item.high is None or item.high == item.low:
            terms = [f"value={lead}{number(item.low)}{tail}"]
        else:
            terms = [f"value>={lead}{number(item.low)}{tail}", f"value<={lead}{number(item.high)}{tail}"]
        if unit and unit not in UNIT_WORDS:
            terms.append(format_term("unit", unit))
        return " ".join(terms)
    key = FREQUENCY_KEYS.get(column)
    if key is None or item.value is None:
        return None
    return format_term(key, str(item.value))


def _plain_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def with_term(text: str, term: str) -> str:
    """The filter `text` narrowed by `term` (added at the end, unless it is there already)."""
    words = text.split()
    return text if term in text and all(t in words for t in term.split()) else f"{text.strip()} {term}".strip()


# --- export scopes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportScope:
    key: str  # selected | filter | comparison
    count: int  # claims (entities, for the comparison)
    selection: Selection | None  # the claims it writes (None for the comparison)


@dataclass(frozen=True)
class ExportScopes:
    """The scopes the export dialog offers, the one it opens on, and the comparison's picks."""

    scopes: dict[str, ExportScope]
    default: str
    comparison: tuple[str, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        return {k: s.count for k, s in self.scopes.items()}

    def selection(self, key: str) -> Selection:
        """The claims scope `key` writes (the filter's for a scope that writes no claims)."""
        scope = self.scopes.get(key)
        if scope is None or scope.selection is None:
            scope = self.scopes["filter"]
        assert scope.selection is not None  # the filter's scope always writes claims
        return scope.selection

    def stem(self, key: str) -> str:
        if key == "comparison" and self.comparison:
            return "pivot-" + "-vs-".join(self.comparison)
        return self.selection(key).stem()


# --- commands of the query bar: named views ---------------------------------------------------


def is_command(text: str) -> bool:
    """Is the query bar's text a command rather than a filter: `:w NAME` (save a view),
    `@NAME` (open one)? Such text is never run as a query nor kept in the history."""
    t = text.lstrip()
    return t.startswith(":") or (t.startswith("@") and " " not in t.strip())


@dataclass(frozen=True)
class CommandResult:
    message: str
    text: str | None = None  # the filter the bar shows after it (None: the filter as it was)
    error: bool = False


def command_hint(text: str) -> str:
    """What enter will do with the command being typed (shown under the query bar)."""
    t = text.strip()
    if t.startswith("@"):
        return f"enter opens the view “{t[1:]}”" if t[1:] else "@NAME opens a named view"
    if t.startswith(":w") and t[2:].strip():
        name, _, rest = t[2:].strip().partition(" ")
        what = "this line" if rest.strip() else "the filter, its sort and the compare picks"
        return f"enter saves {what} as the view “{name}” (@{name} opens it)"
    return ":w NAME saves the filter, its sort and the compare picks as a view; @NAME opens one"


class HasSession(Protocol):
    """An app that holds a session (the palette's view of the app: it does not import it)."""

    session: Session


# --- the session ---------------------------------------------------------------------------


class Session:
    """Everything the explorer's screens share, without Textual."""

    def __init__(
        self,
        store: StoreHandle | None = None,
        *,
        text: str = "",
        history: History | None = None,
        views: Views | None = None,
        data_dir: Path | None = None,
        keymap: dict[str, str] | None = None,
    ) -> None:
        self._store = store
        self.filter = Filter(text)
        self.selection = ClaimSelection()
        self.undo_stack = Undo()
        self.compare = CompareMemory()
        self._history = history
        self._views = views
        self.data_dir = data_dir  # the corpus (None: the default one)
        self.keymap: dict[str, str] = keymap or {}  # binding id -> keys, from the user's keymap.toml

    @property
    def store(self) -> StoreHandle:
        if self._store is None:
            raise RuntimeError("this session has no store")
        return self._store

    @property
    def history(self) -> History:
        if self._history is None:
            self._history = History()
        return self._history

    @property
    def views(self) -> Views:
        if self._views is None:
            self._views = Views()
        return self._views

    # --- the query history --------------------------------------------------------------

    def keep_query(self, text: str, *, refused: bool = False, matched: bool | None = None) -> bool:
        """Keep `text` in the query history, and say whether it was kept: a query submitted
        with enter (`matched` None) unless it is refused (the parser's message, or the
        store's: `refused`); one left in the bar (escape, a click elsewhere) only if it
        also matched claims (a stray key that matches nothing is not kept). A command
        (:w NAME, @NAME) is never kept."""
        if not text.strip() or is_command(text) or refused or matched is False:
            return False
        if text == self.filter.text and self.filter.error is not None:
            return False
        self.history.add(text)
        return True

    # --- undo ---------------------------------------------------------------------------

    def snapshot(self, text: str | None = None) -> Snapshot:
        return Snapshot(self.filter.text if text is None else text, self.selection.ids)

    def remember(self, text: str | None = None) -> None:
        """Keep the filter (`text`, else the current one) and the selection as they are, for `u`."""
        self.undo_stack.push(self.snapshot(text))

    def undo(self, current_text: str | None = None) -> Snapshot | None:
        """Back to the state before the last change: the selection is restored here, the
        filter's text is returned for the query bar to show (None: nothing to undo)."""
        state = self.undo_stack.pop(self.snapshot(current_text))
        if state is not None and state.selected != self.selection.ids:
            self.selection.replace(state.selected)
        return state

    # --- the facets -------------------------------------------------------------------------

    def facet_toggled(self, facet: str, value: str, picked: Mapping[tuple[str, str], list[str]]) -> str:
        """The filter's text after enter on a facet value: a value the filter's terms tick
        (`picked`, from picked_facets: source:synapnews ticks a source) is unticked by taking
        those terms out as written; any other value toggles `facet:value`."""
        written = picked.get((facet, value.lower()))
        return self.filter.without(written) if written else self.filter.toggled(facet, value)

    # --- selection ------------------------------------------------------------------------

    def toggle_selected(self, claim_id: str) -> bool:
        self.remember()
        return self.selection.toggle(claim_id)

    def select(self, ids: Iterable[str]) -> None:
        self.remember()
        self.selection.add(ids)

    def copy_scope(self, highlighted: str | None, hidden: int = 0) -> CopyScope | None:
        """What `y` takes: the selection if there is one, else the highlighted claim."""
        if self.selection:
            return CopyScope(tuple(self.selection), True, hidden)
        return CopyScope((highlighted,), False) if highlighted is not None else None

    def hidden_selected(self, conn: sqlite3.Connection, flt: Compiled) -> int:
        """How many selected claims the filter `flt` leaves out (counted by the store)."""
        if not self.selection:
            return 0
        from tui.store import db

        return len(self.selection) - db.count_among(conn, flt, list(self.selection))

    def filter_cleared_note(self) -> str:
        """What ctrl+l says once it cleared the filter: how to undo it, and that the selection
        is kept (a set gathered across filters), never silently."""
        n = len(self.selection)
        kept = f"; {n:,} claim{'' if n == 1 else 's'} still selected (A unselects)" if n else ""
        return f"Filter cleared (u undoes){kept}"

    def clear_selection(self) -> bool:
        """Unselect everything; False when nothing was selected."""
        if not self.selection:
            return False
        self.remember()
        self.selection.clear()
        return True

    # --- compare ----------------------------------------------------------------------------

    def compare_target(self, entity_ids: Iterable[str] | None = None) -> CompareTarget:
        """What `c` compares: `entity_ids` if given; else the entities the filter names (unless
        the filter is the one a compare cell was opened into: then the last picks, at that
        cell); else the last picks, at the last cell."""
        if entity_ids is not None:
            return CompareTarget(tuple(entity_ids))
        text = self.filter.text.strip()
        picks = tuple(self.compare.picks)
        if text and text != self.compare.drill:
            named = tuple(self.filter.entities)
            if named:
                return CompareTarget(picks, named)
        return CompareTarget(picks, (), self.compare.cursor)

    def drill_down(self, text: str) -> None:
        """A compare cell's claims were opened into the main table as the filter `text`."""
        self.compare.drill = text

    # --- export -----------------------------------------------------------------------------

    def export_scopes(self, query: Selection, total: int, comparison: Iterable[str] | None = None) -> ExportScopes:
        """The scopes of an export: the selected claims (when any), the current filter
        (`query`, `total` claims) and the comparison (when exporting from it). The dialog
        opens on the comparison, else the selection, else the filter."""
        from tui.store.export import Selection

        scopes: dict[str, ExportScope] = {}
        if self.selection:
            scopes["selected"] = ExportScope("selected", len(self.selection), Selection.of_ids(self.selection.ids))
        scopes["filter"] = ExportScope("filter", total, query)
        picks = tuple(comparison or ())
        if picks:
            scopes["comparison"] = ExportScope("comparison", len(picks), None)
        default = "comparison" if picks else ("selected" if self.selection else "filter")
        return ExportScopes(scopes, default, picks)

    # --- named views ------------------------------------------------------------------------

    def view(self, name: str) -> View:
        """The current filter, sort and compare picks as a view named `name`."""
        return View(name, self.filter.text, self.filter.sort, tuple(self.compare.picks))

    def save_view(self, name: str) -> View:
        view = self.view(name)
        self.views.save(view)
        return view

    def command(self, text: str) -> CommandResult:
        """Run a query bar command: `:w NAME` saves the current filter, sort and compare
        picks as a view; `:w NAME FILTER | sort:KEY:desc | compare:A,B` (a view's line, as
        a colleague pastes it after `:w `) saves that view and opens it; `@NAME` opens one."""
        t = text.strip()
        if t.startswith("@"):
            name = t[1:]
            view = self.views.get(name)
            if view is None:
                known = ", ".join("@" + n for n in self.views.views) or "none yet: :w NAME saves one"
                return CommandResult(f"no view named “{name}” (views: {known})", error=True)
            return CommandResult(f"view {view.line()}", self.open_view(view))
        if t.startswith(":w") and (len(t) == 2 or t[2] == " "):
            rest = t[2:].strip()
            if not rest:
                return CommandResult(command_hint(":"), error=True)
            name, _, tail = rest.partition(" ")
            try:
                view = View.parse(rest) if tail.strip() else self.view(name)
                self.views.save(view)
            except ValueError as exc:
                return CommandResult(str(exc), error=True)
            opened = self.open_view(view) if tail.strip() else None
            return CommandResult(f"saved view {view.line()} (@{view.name} opens it)", opened)
        return CommandResult(f"not a command: {t[:40]}; {command_hint(':')}", error=True)

    def open_view(self, view: View) -> str:
        """Take a view's sort and picks; its filter text is returned for the query bar."""
        self.filter.sort = view.sort
        if view.picks:
            self.compare.picks = list(view.picks)
            self.compare.cursor = None
        return view.query
