# Long because the main screen's workers (query, pages, counts, facets, detail) and the messages
# between them are one state machine; the rules they apply live in tui.session.
"""The main screen: entities, query bar, claims table, facets and the detail pane."""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from tui.messages import CompareRequested, ExportRequested, FirstRowsShown, StoreFailed
from tui.query import Compiled, Parsed, QueryError, compile_query, format_term
from tui.session import ENTITY_KEYS, Session, command_hint, is_command, picked_facets, selection_note
from tui.store import db
from tui.store.fmt import one_line
from tui.widgets.claims_table import COLUMN_TITLES, PAGE_SIZE, ClaimsTable
from tui.widgets.detail import DetailPane
from tui.widgets.query_bar import QueryBar, StoreSuggester

if TYPE_CHECKING:
    from tui.widgets.side import EntityList, FacetList

# The side panes (entity list, facets) and the footer are mounted after the first frame, with
# their imports (tui.widgets.side and .keys, Textual's OptionList and Footer): the first frame shows the
# query bar, the table and the detail pane, and a bare Textual app is what start-up is held to.
FACET_ORDER = ("source", "topic", "status", "period", "flag")  # the facets listed (tui.widgets.side shows them)

SELECT_ALL_CAP = 100_000
QUICK_COUNT = 1_000  # counted on the keystroke path; the exact count follows
COUNT_BUDGET = 2.0  # seconds for the exact count in the background
FACET_BUDGET = 0.06  # seconds for exact facet counts, else they are counted over the first matches
FIRST_PAGE_BUDGET = 0.05  # seconds the opening page may take before the first frame
DETAIL_DELAY = 0.06  # seconds the cursor rests before the detail pane loads
# While a person types, each key's rows are shown at once; the facets, the exact count and the
# detail pane of the first row wait until the bar has been still this long (a fast typist's
# 40-60 ms a key never waits for them, so the loop stays free to echo the next key)
TYPING_PAUSE = 0.12
# the detail pane of a keystroke's first row waits longer: drawing a claim's detail (its quote,
# source and every related claim, measured and wrapped) takes the loop 20-50 ms at 1M, the
# time of a whole key at a fast typist's pace
DETAIL_TYPING_PAUSE = 0.4
QUICK_COUNT_BUDGET = 0.02  # seconds for the first, capped count ("1,000+")
SHARED_COLUMNS = ("entity", "source", "topic", "period", "status")  # hidden when the filter shares them
COPY_LIMIT = 1_000  # claims `y` copies from a selection
# the store's order (tui.store.build._store_order), said on the status line until [ or ] sorts
STORE_ORDER = "order: most-covered entities, figures and disputes first ([ ] sorts)"


@dataclass
class Result:
    generation: int
    text: str
    where: str
    params: list
    total: int
    flt: Compiled  # the compiled filter
    capped: bool = False  # total is a lower bound until the exact count arrives
    sort: tuple[str, bool] | None = None  # (column, descending) the pages are read in; None: store order

    @property
    def total_text(self) -> str:
        return f"{self.total:,}+" if self.capped else f"{self.total:,}"


class Counted(Message):
    def __init__(self, generation: int, total: int, capped: bool) -> None:
        super().__init__()
        self.generation, self.total, self.capped = generation, total, capped


class QueryFinished(Message):
    def __init__(self, result: Result, first_page: list) -> None:
        super().__init__()
        self.result, self.first_page = result, first_page


class QueryFailed(Message):
    def __init__(self, generation: int, message: str) -> None:
        super().__init__()
        self.generation, self.message = generation, message


class PageLoaded(Message):
    def __init__(self, generation: int, page: int, rows: list) -> None:
        super().__init__()
        self.generation, self.page, self.rows = generation, page, rows


class FacetsCounted(Message):
    def __init__(self, generation: int, facets, active: dict[tuple[str, str], list[str]] | None = None) -> None:
        super().__init__()
        self.generation, self.facets = generation, facets
        self.active = active or {}  # (facet, value) the filter picks -> the terms that pick it


class DetailLoaded(Message):
    def __init__(self, claim_id: str, content) -> None:
        super().__init__()
        self.claim_id, self.content = claim_id, content


class Copied(Message):
    def __init__(self, text: str, what: str) -> None:
        super().__init__()
        self.text, self.what = text, what


class MainScreen(Screen):
    # in the footer's order: what fits at 80 columns first (the compare, the figure, quit and
    # the keys come before the rest; q and ? are the app's, repeated here for their place)
    BINDINGS = [
        # priority: `/` is handled as the app takes the key from the terminal, so that the keys
        # read with it (a busy loop reads `/lay` at once) are forwarded to the bar, not the table
        Binding("slash", "focus_query", "Filter", priority=True, id="main.focus_query"),
        Binding("c", "compare", "Compare", id="main.compare"),
        Binding("f", "figure", "Figure", id="main.figure"),
        Binding("e", "export", "Export", id="main.export"),
        Binding("q", "app.quit", "Quit", id="app.quit"),
        Binding("question_mark", "app.help", "Keys", id="app.help"),
        Binding("x", "conflicts_only", "Conflicts", id="main.conflicts"),
        Binding("F", "frequency", "Counts", id="main.frequency"),
        Binding("s", "sources", "Sources", id="main.sources"),
        Binding("o", "reader", "Source text", id="main.reader"),
        Binding("u,ctrl+z", "undo", "Undo", id="main.undo"),
        Binding("space", "toggle_selected", "Select", show=False, id="main.toggle"),
        Binding("a", "select_all", "Select all", show=False, id="main.select_all"),
        Binding("A", "clear_selection", "Unselect all", show=False, id="main.clear_selection"),
        Binding("ctrl+l", "clear_filter", "Clear filter", show=False, id="main.clear_filter"),
        Binding("escape", "escape", "Back", show=False, id="main.escape"),
        Binding("y", "copy_claims", "Copy", show=False, id="main.copy"),
        Binding("Y", "copy_quote", "Copy quote", show=False, id="main.copy_quote"),
        Binding("enter", "open", "Open", show=False, id="main.open"),
        # tab and shift+tab go round the panes; the query bar is reached with / (or a click),
        # so that a stray key after shift+tab never becomes a filter
        Binding("tab", "pane(1)", "Next pane", show=False, id="main.next_pane"),
        Binding("shift+tab", "pane(-1)", "Previous pane", show=False, id="main.previous_pane"),
    ]

    # the table has the focus from the start: focusing the first focusable (the query bar)
    # and then the table restyled both before the first frame
    AUTO_FOCUS = "#claims"
    detail_delay = DETAIL_DELAY  # tests and the screenshot script set 0: no timer to wait for
    typing_pause = TYPING_PAUSE  # the same: 0 counts the facets of every key at once

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session  # the filter, the selection, undo, the store (tui.session)
        self.result: Result | None = None
        self.entity_rows: list = []
        self._detail_timer: Timer | None = None
        self._first_rows_shown = False
        self._bar_start: str | None = None  # the filter when the query bar took focus
        self._facet_terms: dict[tuple[str, str], list[str]] = {}
        self._detail_shown: str | None = None  # the claim the detail pane shows
        self._side_mounted = False  # the entity list, the facets and the footer (after the first frame)
        self._pending_facets: FacetsCounted | None = None  # counted before the facets were mounted
        self._typed_at = 0.0  # time.monotonic() of the last change typed in the query bar
        self._facet_timer: Timer | None = None  # the facets of a result typed, once typing pauses
        self.hidden: int | None = 0  # selected claims the filter hides (None: being counted)
        # the terminal's size classes (-wide, -tall...) from the start, so that the first resize
        # does not restyle every widget of the screen before the first frame
        self.add_class(*_breakpoint_classes(self.app), update=False)  # styled as it is mounted

    @property
    def generation(self) -> int:
        return self.session.filter.generation

    def compose(self) -> ComposeResult:
        # the screen lays the two columns side by side (app.tcss), the footer docked under them:
        # no container of its own for the two (each container is drawn whole, under its children)
        yield Vertical(id="sidebar")  # the entity list and the facets: _mount_side, after the first frame
        with Vertical(id="centre"):
            yield QueryBar(
                self.session.history,
                suggester=StoreSuggester(self.session.store.run),
                placeholder='/ filter: company:meta is:conflict "ai pods" value>=10%',
                id="query",
            )
            # Statics styled as Labels in app.tcss (Label's own CSS is parsed for nothing else
            # before the first frame)
            yield Static("", id="query-message")
            yield ClaimsTable(id="claims")
            yield DetailPane(
                Text("Highlight a claim to see its quote, source and what other sources say.", style="dim"), id="detail"
            )
            yield Static("", id="status")
        yield Static("", id="footer-space")  # the footer's line, until the footer is mounted

    def on_mount(self) -> None:
        self.query_one("#claims", ClaimsTable).border_title = "Claims"
        self.query_one("#detail").border_title = "Detail"
        self.table.selected = self.session.selection
        if self.session.filter.text:
            with self.query_input.prevent(Input.Changed):  # the first query runs here, not from the bar
                self.query_input.value = self.session.filter.text
        self._first_query()  # the entities follow the first rows
        self.table.focus()
        if self.session.history.problem:  # not a regular file (a FIFO): skipped, and said
            self.app.notify(self.session.history.problem, severity="warning", timeout=10)

    _resumed = False

    def _on_screen_resume(self, event) -> None:
        # Textual restyles the whole screen when it resumes (Screen._on_screen_resume, private,
        # Textual 8); the first time, every widget was styled as it was mounted an instant
        # before: that second pass over ~45 widgets is skipped.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False
        super()._on_screen_resume(event)

    def _compositor_refresh(self) -> None:
        # Textual draws the whole screen here, and throws the frame away while the app holds a
        # batch (its start-up runs in one, up to and with this screen's mount): the screen stays
        # dirty instead and is drawn once, when the batch is over. Screen._compositor_refresh is
        # private (Textual 8); should it go, only this saving goes with it.
        if self.app._batch_count:
            self._repaint_required = True
            return
        super()._compositor_refresh()

    def _first_query(self) -> None:
        """The opening page is read here, before the first frame, so that the explorer
        opens with its rows instead of an empty table that a worker fills a few frames
        later (one indexed page: about a millisecond at a million claims). Anything
        slower, or a query with a problem, goes through the worker as usual."""
        flt_state = self.session.filter
        generation, text, parsed, sort = flt_state.next_generation(), flt_state.text, flt_state.parsed, flt_state.sort
        if flt_state.error is not None:
            self.post_message(QueryFailed(generation, flt_state.error))
            return

        def job(conn: sqlite3.Connection):
            with db.deadline(conn, FIRST_PAGE_BUDGET):
                flt = compile_query(parsed, conn)
                return flt, db.sorted_page(conn, flt, sort, 0, PAGE_SIZE)

        try:
            flt, first = self.session.store.run(job)
        except (QueryError, sqlite3.Error):
            self.run_query(text, parsed, generation, sort)
            return
        result = Result(generation, text, flt.where, flt.params, len(first), flt, len(first) == PAGE_SIZE, sort)
        self.on_query_finished(QueryFinished(result, first))

    # --- helpers ----------------------------------------------------------------------

    @property
    def table(self) -> ClaimsTable:
        return self.query_one("#claims", ClaimsTable)

    @property
    def entity_list(self) -> EntityList:
        from tui.widgets.side import EntityList

        return self.query_one("#entities", EntityList)

    @property
    def facet_list(self) -> FacetList:
        from tui.widgets.side import FacetList

        return self.query_one("#facets", FacetList)

    @property
    def query_input(self) -> Input:
        return self.query_one("#query", Input)

    @property
    def query_text(self) -> str:
        return self.query_input.value

    def set_query(self, text: str) -> None:
        """Replace the filter (the query bar always shows the whole filter); `u` undoes it."""
        if text != self.query_text:
            self.session.remember(self.query_text)
        self.query_input.value = text  # Input.Changed runs the query

    def update_status(self) -> None:
        r = self.result
        n = f"{r.total_text} claim{'' if r.total_text == '1' else 's'}" if r else "…"
        sel = len(self.session.selection)
        status = Text()
        status.append(n, style="bold")
        # what y and e take: the selection, and how much of it this filter hides
        style = "bold yellow" if sel and self.hidden else ("bold green" if sel else "dim")
        status.append("  ·  " + selection_note(sel, self.hidden), style=style)
        if r and r.text.strip():
            status.append("  ·  filter: ", style="dim")
            status.append(one_line(r.text.strip(), 80), style="dim")
        if r and r.sort is None:  # how the rows are ordered, until [ or ] sorts them
            status.append(f"  ·  {STORE_ORDER}", style="dim")
        self.query_one("#status", Static).update(status, layout=False)  # one fixed line: no relayout
        subtitle = r.total_text if r else ""
        if sel:
            subtitle = f"{sel:,} selected · {subtitle}"
        self.table.border_subtitle = subtitle

    def store_replaced(self) -> None:
        """The store file changed under the explorer: everything on screen is read again."""
        self._detail_shown = None
        self.load_entities()
        self.start_query()

    def _after_first_rows(self) -> None:
        """The first rows are laid out: once the frame showing them is written, the rest of
        the screen and the background work follow (the app calls after_first_frame)."""
        self.post_message(FirstRowsShown())

    async def after_first_frame(self) -> None:
        """The side panes, the first query's counts and facets, the entities."""
        await self._mount_side()
        if self.result is not None:
            self.count_facets(self.result)
        self.load_entities()

    async def _mount_side(self) -> None:
        """The entity list, the facets and the footer, in the room kept for them."""
        if self._side_mounted:
            return
        from tui.widgets.footer import Footer  # Textual's, composing once per change of keys (the compare screen's note)
        from tui.widgets.side import EntityList, FacetList

        entities, facets = EntityList(id="entities"), FacetList(id="facets")
        entities.border_title, facets.border_title = "Entities", "Facets"
        with self.app.batch_update():
            await self.query_one("#sidebar").mount(entities, facets)
            await self.query_one("#footer-space").remove()
            await self.mount(Footer())
        self._side_mounted = True
        self.refresh_bindings()  # a footer composes its keys when the bindings are announced
        if self.entity_rows:
            self._refresh_entities()
        if self._pending_facets is not None:
            pending, self._pending_facets = self._pending_facets, None
            self.on_facets_counted(pending)

    # --- workers ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="entities")
    def load_entities(self) -> None:
        try:
            rows = self.session.store.run(db.entities)
        except sqlite3.Error as exc:
            self.post_message(StoreFailed(exc))
            return
        self.app.call_from_thread(self._show_entities, rows)

    def _show_entities(self, rows) -> None:
        self.entity_rows = rows
        self._refresh_entities()

    def _refresh_entities(self) -> None:
        if not self._side_mounted:
            return  # shown when the entity list is mounted
        active = set(self.session.filter.entities)
        active |= {v for (k, v), _ in self._facet_terms.items() if k == "entity"}  # company:facebook is Meta
        ids = {r["id"] for r in self.entity_rows}
        self.entity_list.show(self.entity_rows, {a for a in active if a in ids})

    def start_query(self) -> None:
        """Run the session's filter (its text parsed once, when it was set) in its sort."""
        flt = self.session.filter
        generation = flt.next_generation()
        # the older keystroke's page, counts and facets are no longer wanted: their statements stop
        self.session.store.interrupt_all(older_than=generation)
        if flt.error is not None:
            self.post_message(QueryFailed(generation, flt.error))
            return
        self.run_query(flt.text, flt.parsed, generation, flt.sort)

    @work(thread=True, exclusive=True, group="query")
    def run_query(self, text: str, parsed: Parsed, generation: int, sort: tuple[str, bool] | None) -> None:
        def job(conn: sqlite3.Connection):
            # only the page on screen: the count (a lower bound first, then exact) and
            # the facets follow in another worker without holding up the rows
            flt = compile_query(parsed, conn)
            first = db.sorted_page(conn, flt, sort, 0, PAGE_SIZE)
            return flt, len(first), len(first) == PAGE_SIZE, first

        try:
            flt, total, capped, first = self.session.store.run_for(generation, job)
        except QueryError as exc:
            self.post_message(QueryFailed(generation, str(exc)))
            return
        except sqlite3.Error as exc:
            self.post_message(QueryFailed(generation, f"the store could not answer: {exc}"))
            return
        self.post_message(QueryFinished(Result(generation, text, flt.where, flt.params, total, flt, capped, sort), first))

    def _typing_left(self, pause: float = TYPING_PAUSE) -> float:
        """Seconds until the query bar has been still for `pause` (0: it has; always 0
        when typing_pause is 0, and when typing has stopped: _typed_at 0, whatever the clock
        reads, which on a machine up for less than the pause is less than the pause)."""
        if self.typing_pause <= 0 or not self._typed_at:
            return 0.0
        return max(0.0, self._typed_at + max(pause, self.typing_pause) - time.monotonic())

    def _facets_when_still(self, result: Result) -> None:
        """Count a result's facets (and its exact total) now, or once typing pauses: a key
        typed before then brings a newer result, and these are never counted."""
        if self._facet_timer is not None:
            self._facet_timer.stop()
            self._facet_timer = None
        wait = self._typing_left()
        if wait <= 0:
            self.count_facets(result)
            return

        def still() -> None:
            self._facet_timer = None
            if self.result is result:
                self.count_facets(result)

        self._facet_timer = self.set_timer(wait, still)

    def _typing_stopped(self) -> None:
        """The person left the query bar (enter, escape, tab): what waited for a pause in
        typing is done at once."""
        self._typed_at = 0.0
        if self._facet_timer is not None and self.result is not None:
            self._facets_when_still(self.result)
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
            self._load_current_detail()

    @work(thread=True, exclusive=True, group="facets")
    def count_facets(self, result: Result) -> None:
        try:
            if result.capped:
                # a capped count first ("1,000+" in a millisecond or two), then the exact one
                try:
                    total, capped = self.session.store.run_for(result.generation, self._quick_count, result.flt)
                    self.post_message(Counted(result.generation, total, capped))
                except sqlite3.OperationalError:
                    pass  # too slow to count quickly (speaker:, negations): the exact count follows
            # the entity facet is not listed: it tells the table whether one entity is shared
            facets = self.session.store.run_for(result.generation, db.facets, result.flt, (*FACET_ORDER, "entity"), FACET_BUDGET)
            active = self.session.store.run_for(result.generation, picked_facets, result.flt.parsed, FACET_ORDER)
            self.post_message(FacetsCounted(result.generation, facets, active))
            if result.capped and not get_current_worker().is_cancelled:
                total, capped = self.session.store.run_for(result.generation, db.count_matches, result.flt, None, COUNT_BUDGET)
                self.post_message(Counted(result.generation, total, capped))
        except sqlite3.Error as exc:
            if not _superseded(exc):  # a damaged or locked store: the recovery every worker gives
                self.post_message(StoreFailed(exc))

    @staticmethod
    def _quick_count(conn: sqlite3.Connection, flt) -> tuple[int, bool]:
        with db.deadline(conn, QUICK_COUNT_BUDGET):
            return db.count_matches(conn, flt, cap=QUICK_COUNT)

    @work(thread=True, group="pages")
    def load_page(self, result: Result, page: int) -> None:
        try:
            rows = self.session.store.run_for(
                result.generation, db.sorted_page, result.flt, result.sort, page * PAGE_SIZE, PAGE_SIZE
            )
        except sqlite3.Error as exc:
            if not _superseded(exc):
                self.post_message(StoreFailed(exc))
            return
        self.post_message(PageLoaded(result.generation, page, rows))

    @work(thread=True, exclusive=True, group="detail")
    def load_detail(self, row) -> None:
        def job(conn):
            return db.source(conn, row["source"]), db.related(conn, row), db.positions(conn, row)

        try:
            source, related, positions = self.session.store.run(job)
        except sqlite3.Error as exc:
            self.post_message(DetailLoaded(row["id"], Text(f"cannot load detail: {exc}", style="red")))
            return
        from tui.widgets.detail import claim_detail

        self.post_message(DetailLoaded(row["id"], claim_detail(row, source, related, positions)))

    @work(thread=True, exclusive=True, group="select")
    def select_all_matching(self, result: Result) -> None:
        try:
            ids = self.session.store.run(db.claim_ids, result.flt, SELECT_ALL_CAP + 1)
        except sqlite3.Error as exc:
            self.post_message(StoreFailed(exc))
            return
        self.app.call_from_thread(self._selected_all, ids)

    def _selected_all(self, ids: list[str]) -> None:
        capped = len(ids) > SELECT_ALL_CAP
        self.session.select(ids[:SELECT_ALL_CAP])
        self.table.refresh()
        self.selection_changed()
        note = f" (capped at {SELECT_ALL_CAP:,})" if capped else ""
        self.notify(f"Selected {min(len(ids), SELECT_ALL_CAP):,} claims{note}")

    # --- message handlers -------------------------------------------------------------

    @on(Input.Changed, "#query")
    def query_changed(self, event: Input.Changed) -> None:
        cleaned = _CONTROLS.sub(" ", event.value)
        if cleaned != event.value:
            # a pasted escape sequence or newline would reach the terminal from the bar
            self.query_input.value = cleaned  # runs the query through the next Changed
            return
        if is_command(event.value):  # :w NAME, @NAME: run on enter, never as a query
            self._show_hint(command_hint(event.value))
            start = self._bar_start
            if start is not None and not is_command(start) and self.session.filter.text != start:
                # the bar was cleared to type the command: the filter it held is the one in
                # effect again (and the one :w saves)
                self.session.filter.set(start)
                self.start_query()
            return
        self._show_hint(None)
        if self.query_input.has_focus:  # typed (a facet ticked or a view opened is not)
            self._typed_at = time.monotonic()
        self.session.filter.set(event.value)
        self.start_query()

    @on(Input.Submitted, "#query")
    def query_submitted(self) -> None:
        """enter: the query is kept in the history (a valid one), and the claims take focus."""
        if is_command(self.query_text):
            self.run_command(self.query_text)
            return
        self.session.keep_query(self.query_text, refused=self.query_input.has_class("-invalid"))
        self._focus(self.table)

    @on(Input.Changed, "#query")
    def _reset_history_walk(self, event: Input.Changed) -> None:
        bar = self.query_input
        if isinstance(bar, QueryBar) and bar.history.cursor is not None and event.value not in bar.history.entries:
            bar.history.cursor = None  # typed over a recalled query: the walk starts again

    def on_descendant_focus(self, event) -> None:
        if event.widget is self.query_input:
            self._bar_start = self.session.filter.text if is_command(self.query_text) else self.query_text

    def on_descendant_blur(self, event) -> None:
        """Leaving the query bar commits what was typed: to the history, and for `u`; and
        typing has stopped: the facets and the detail that waited for a pause come now."""
        if event.widget is self.query_input:
            self._typing_stopped()
        if event.widget is not self.query_input or self._bar_start is None:
            return
        if is_command(self.query_text):  # a command left unfinished: the bar shows the filter again
            self._restore_bar()
        start, self._bar_start = self._bar_start, None
        if self.query_text != start:
            self.session.remember(start)
            # left in the bar (escape, a click elsewhere): kept in the history only if it is
            # a query that matches claims; a stray key that matches nothing is not kept
            r = self.result
            matched = r is not None and r.text == self.query_text and r.total > 0
            self.session.keep_query(self.query_text, refused=self.query_input.has_class("-invalid"), matched=matched)

    def on_query_finished(self, message: QueryFinished) -> None:
        if message.result.generation != self.generation:
            return  # a newer keystroke is on its way
        self.result = message.result
        label = self.query_one("#query-message", Static)
        if label.has_class("-shown") and not label.has_class("-hint"):  # a :w / @ hint stays while typed
            label.update("")
            label.remove_class("-shown")
        self.query_input.remove_class("-invalid")
        self.table.sort = message.result.sort
        self.table.empty_lines = _nothing_matches(message.result.text) if not message.first_page else ()
        self.table.reset(message.result.generation, message.result.total, message.first_page)
        self.selection_changed()
        if not message.first_page and self._detail_shown != "":
            # nothing matches: the pane must not go on showing a claim the filter left out
            self._detail_shown = ""
            self.query_one(DetailPane).update(Text("No claim matches this filter.", style="dim italic"))
        elif message.first_page and self._detail_shown == "":
            # rows again: "no claim matches" must not stay beside them while the first row's
            # detail waits for typing to pause (one line for one line: no layout)
            self._detail_shown = None
            self.query_one(DetailPane).update(Text("…", style="dim"))
        if not self._first_rows_shown:
            self._first_rows_shown = True
            self.call_after_refresh(self._after_first_rows)  # the facets are counted after the first frame
        else:
            self._refresh_entities()
            self._facets_when_still(message.result)

    def on_query_failed(self, message: QueryFailed) -> None:
        if message.generation != self.generation:
            return
        if not self._first_rows_shown:  # the first frame shows the message instead of rows
            self._first_rows_shown = True
            self.call_after_refresh(self._after_first_rows)
        label = self.query_one("#query-message", Static)
        label.update(Text("⚠ " + message.message, style="bold red"))
        label.add_class("-shown")
        self.query_input.add_class("-invalid")  # last good rows stay on screen

    def on_claims_table_page_wanted(self, message: ClaimsTable.PageWanted) -> None:
        if self.result and message.generation == self.result.generation:
            self.load_page(self.result, message.page)

    def on_page_loaded(self, message: PageLoaded) -> None:
        self.table.add_page(message.generation, message.page, message.rows)

    def on_counted(self, message: Counted) -> None:
        if self.result is None or message.generation != self.result.generation:
            return
        self.result.total, self.result.capped = message.total, message.capped
        self.table.set_total(message.generation, message.total)
        self.update_status()

    def on_facets_counted(self, message: FacetsCounted) -> None:
        if self.result is None or message.generation != self.result.generation:
            return
        if not self._side_mounted:
            self._pending_facets = message  # shown when the facets are mounted
            return
        active = {(t.key, t.value.lower()) for t in self.result.flt.parsed.terms if not t.negated} | set(message.active)
        self._facet_terms = message.active
        facets = self.facet_list
        facets.show(message.facets.values, active)
        sampled = message.facets.sampled
        facets.border_subtitle = f"≈ first {sampled:,} matches" if sampled else ""
        self.table.set_shared(self._shared_columns(message.facets) if not sampled else {})
        self._refresh_entities()

    def _shared_columns(self, facets) -> dict[str, str]:
        """Columns with one value on every row of the filter (from its exact facet counts)."""
        shared: dict[str, str] = {}
        if self.result is None or self.result.total < 2:
            return shared
        for name in SHARED_COLUMNS:
            values, more = facets.values.get(name, ([], False))
            if len(values) == 1 and not more and values[0].count == self.result.total:
                shared[name] = "none" if values[0].value is None else values[0].label
        return shared

    def on_claims_table_highlighted(self, message: ClaimsTable.Highlighted) -> None:
        # the detail pane follows the cursor a moment later, so that holding j or typing
        # a query paints rows first and loads one detail, not one per row passed
        if message.row is None:
            return
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if message.row["id"] == self._detail_shown:
            return  # the pane shows this claim already (a keystroke often keeps the first row)
        if self.detail_delay <= 0:
            self.load_detail(message.row)
            return
        # a keystroke's first row waits, as its facets do, until typing pauses
        self._detail_timer = self.set_timer(
            max(self.detail_delay, self._typing_left(DETAIL_TYPING_PAUSE)), self._load_current_detail
        )

    def _load_current_detail(self) -> None:
        self._detail_timer = None
        row = self.table.current_row
        if row is not None:
            self.load_detail(row)

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        row = self.table.current_row
        if row is not None and row["id"] == message.claim_id:
            # every claim opens at its top; the same claim read again stays where it was scrolled
            self.query_one(DetailPane).update(message.content, home=message.claim_id != self._detail_shown)
            self._detail_shown = message.claim_id

    def on_claims_table_sort_wanted(self, message: ClaimsTable.SortWanted) -> None:
        self.session.filter.sort = message.sort
        self.start_query()
        if message.sort is None:
            self.notify(f"Store {STORE_ORDER}", timeout=3)
        else:
            key, descending = message.sort
            self.notify(
                f"Sorted by {COLUMN_TITLES[key].lower()}, {'descending' if descending else 'ascending'}, over the whole result",
                timeout=3,
            )

    def on_claims_table_toggled(self, message: ClaimsTable.Toggled) -> None:
        self.session.toggle_selected(message.row["id"])
        self.table.refresh()
        self.selection_changed()

    # --- what y and e take --------------------------------------------------------------

    def selection_changed(self) -> None:
        """The selection or the filter changed: the status line says again how many selected
        claims the filter hides (counted by the store in the background)."""
        self.hidden = None if self.session.selection and self.result is not None else 0
        self.update_status()
        if self.hidden is None and self.result is not None:
            self.count_hidden(self.result)

    @work(thread=True, exclusive=True, group="hidden")
    def count_hidden(self, result: Result) -> None:
        try:
            hidden = self.session.store.run(self.session.hidden_selected, result.flt)
        except sqlite3.Error as exc:
            self.post_message(StoreFailed(exc))
            return
        self.app.call_from_thread(self._show_hidden, result.generation, hidden)

    def _show_hidden(self, generation: int, hidden: int) -> None:
        if self.result is not None and generation == self.result.generation:
            self.hidden = hidden
            self.update_status()

    def on_entity_list_chosen(self, message: EntityList.Chosen) -> None:
        term = format_term("company", message.entity_id) if message.entity_id else None
        self.set_query(self.session.filter.replaced(ENTITY_KEYS, term, first=True))

    def on_facet_list_toggled(self, message: FacetList.Toggled) -> None:
        self.set_query(self.session.facet_toggled(message.facet, message.value, self._facet_terms))

    # --- actions ----------------------------------------------------------------------

    def action_focus_query(self) -> None:
        if isinstance(self.focused, Input):
            raise SkipAction()  # typed in the bar: a `/` of the filter (a priority binding sees it first)
        self._focus(self.query_input)

    def _focus(self, widget) -> None:
        """Focus `widget` now, not when the app's queue reaches it (Widget.focus defers it
        with call_later): a key read right after the one that moves the focus would
        otherwise go to the widget focused before."""
        self.set_focus(widget)

    # --- named views (the query bar's :w NAME and @NAME; tui.session.Session.command) ---------

    def run_command(self, text: str) -> None:
        """`:w NAME` saves the filter, its sort and the compare picks; `@NAME` opens a view.
        A mistake stays in the bar to be corrected; otherwise the bar shows the filter."""
        if text.strip() in (":w", ":"):  # from the palette: the name is to be typed
            self.query_input.value = ":w "
            self.query_input.cursor_position = 3
            self._focus(self.query_input)
            return
        result = self.session.command(text)
        self.notify(result.message, severity="warning" if result.error else "information", timeout=6)
        if result.error:
            return
        self._restore_bar(result.text)
        if result.text is not None:
            self.session.history.add(result.text)
        self.table.focus()

    def _restore_bar(self, text: str | None = None) -> None:
        """The bar shows the filter `text` (else the one in effect) and runs it in the session's sort."""
        self._show_hint(None)
        new = self.session.filter.text if text is None else text
        if new != self.session.filter.text:
            self.session.remember(self.session.filter.text)
        with self.query_input.prevent(Input.Changed):
            self.query_input.value = new
        self._bar_start = None if self._bar_start is None else new
        self.session.filter.set(new)
        self.start_query()

    def _show_hint(self, hint: str | None) -> None:
        label = self.query_one("#query-message", Static)
        if hint is None:
            if label.has_class("-hint"):
                label.update("")
                label.remove_class("-shown", "-hint")
            return
        label.update(Text(hint))
        label.add_class("-shown", "-hint")

    def action_pane(self, step: int) -> None:
        """The next (or previous) pane: the entities, the facets, the claims, the detail."""
        panes = [w for w in self.query("#entities, #facets, #claims, #detail") if w.focusable]
        if not panes:
            return
        focused = self.focused
        if focused in panes:
            at = panes.index(focused) + step
        else:  # from the query bar: the claims
            at = panes.index(self.table) if self.table in panes else 0
        panes[at % len(panes)].focus()

    def action_toggle_selected(self) -> None:
        self.table.action_toggle_row()

    def action_select_all(self) -> None:
        if self.result:
            self.select_all_matching(self.result)

    def action_escape(self) -> None:
        """One escape leaves the query bar or a pane for the table; it never clears anything
        (ctrl+l clears the filter, A the selection, u undoes either)."""
        if self.focused is not self.table:
            self.table.focus()
        elif self.query_text or self.session.selection:
            self.notify("ctrl+l clears the filter, A the selection; u undoes", timeout=3)

    def action_clear_filter(self) -> None:
        """ctrl+l clears the filter and keeps the selection (a set gathered across filters),
        saying so: the status line shows it, and y and e take it."""
        if self.query_text:
            self.set_query("")
            self.notify(self.session.filter_cleared_note(), timeout=4)

    def action_clear_selection(self) -> None:
        if self.session.clear_selection():
            self.table.refresh()
            self.selection_changed()
            self.notify("Selection cleared (u undoes)", timeout=3)

    def action_undo(self) -> None:
        """Back to the filter and selection before the last change."""
        before = self.session.selection.ids
        state = self.session.undo(self.query_text)
        if state is None:
            self.notify("Nothing to undo", timeout=2)
            return
        what = []
        if state.text != self.query_text:
            what.append(f"filter: {one_line(state.text, 60) or '(none)'}")
            self._bar_start = None
            self.query_input.value = state.text
        if state.selected != before:
            what.append(f"{len(state.selected):,} selected")
            self.table.refresh()
            self.selection_changed()
        self.notify("Undone: " + ", ".join(what), timeout=3)

    # --- reading and copying ---------------------------------------------------------------

    def action_reader(self) -> None:
        """The highlighted claim in its source's saved text, the quote highlighted."""
        row = self.table.current_row
        if row is None:
            self.notify("o opens a claim in its source: highlight a claim first")
            return
        from tui.screens.reader import ReaderScreen

        self.app.push_screen(ReaderScreen(self.session.store, self.session.data_dir, row))

    def action_copy_claims(self, header: bool = False) -> None:
        """y: the selected claims if any are selected (the status line says how many, and how
        many of them the filter hides), else the highlighted claim; as the Markdown export's
        table rows (its columns: they paste under its header) and the sources they cite.
        The palette's "copy: claims as a Markdown table" adds the header."""
        row = self.table.current_row
        scope = self.session.copy_scope(row["id"] if row is not None else None, self.hidden or 0)
        if scope is None:
            self.notify("y copies the selected claims, else the highlighted one: nothing to copy", timeout=3)
            return
        self.copy_claims(list(scope.ids), scope.describe(header), header)

    @work(thread=True, exclusive=True, group="copy")
    def copy_claims(self, ids: list[str], what: str, header: bool = False) -> None:
        from tui.store.export import claims_markdown

        def job(conn: sqlite3.Connection) -> str:
            return claims_markdown(conn, db.claims_by_ids(conn, ids[:COPY_LIMIT]), header)

        try:
            text = self.session.store.run(job)
        except sqlite3.Error as exc:
            self.post_message(StoreFailed(exc))
            return
        cut = f" (the first {COPY_LIMIT:,})" if len(ids) > COPY_LIMIT else ""
        self.post_message(Copied(text, what + cut))

    def action_copy_quote(self) -> None:
        row = self.table.current_row
        if row is not None:
            self._copy(quote_text(row), "the quote with its source")

    def on_copied(self, message: Copied) -> None:
        self._copy(message.text, message.what)

    def _copy(self, text: str, what: str) -> None:
        self.app.copy_to_clipboard(text)  # OSC 52: the terminal puts it on the system clipboard
        self.notify(f"Copied {what}", timeout=3)

    def action_conflicts_only(self) -> None:
        self.set_query(self.session.filter.toggled("is", "conflict"))

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, ClaimsTable):
            self.query_one("#detail").focus()

    def action_export(self) -> None:
        self.post_message(ExportRequested())

    def action_sources(self) -> None:
        """Every source; the one chosen replaces the filter's source terms. Opened on the
        entity the filter names, its claims are what the pane below the list shows."""
        named = self.session.filter.entities
        entity = named[0] if named else None
        name = next((r["name"] for r in self.entity_rows if r["id"] == entity), None) if entity else None
        if name is None:
            entity = None

        def chosen(source_id: str | None) -> None:
            if source_id:
                self.set_query(self.session.filter.replaced(("source",), f"source:{source_id}"))

        from tui.screens.sources import SourcesScreen

        self.app.push_screen(SourcesScreen(self.session.store, entity, name), chosen)

    def action_compare(self) -> None:
        self.post_message(CompareRequested())

    def action_frequency(self) -> None:
        """F: how many of the filter's claims have each value of a column (the column under
        the column cursor, else the source); enter on a line narrows the filter to it."""
        if self.result is None:
            return
        from tui.screens.frequency import FrequencyScreen
        from tui.store.db import FREQUENCY_COLUMNS

        column = self.table.column_key if self.table.column_key in FREQUENCY_COLUMNS else "source"
        r = self.result
        self.app.push_screen(FrequencyScreen(self.session, r.flt, r.total, column, capped=r.capped))

    def action_figure(self) -> None:
        """Every source's figure for the highlighted claim's quantity, on one axis."""
        row = self.table.current_row
        if row is None or row["value_low"] is None or not row["metric"]:
            self.notify("f draws a figure: highlight a claim with a number")
            return
        from tui.screens.figure import FigureScreen

        self.app.push_screen(FigureScreen(self.session.store, row["qentity"], row["metric"], row["unit"], row["id"]))


_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def _superseded(exc: sqlite3.Error) -> bool:
    """Was this work stopped because a newer keystroke's replaced it (ConnectionPool.run_for)?
    That is no failure; anything else is the store's (damaged, locked, gone)."""
    return isinstance(exc, sqlite3.OperationalError) and str(exc).startswith("interrupted")


def _breakpoint_classes(app) -> list[str]:
    """The classes Textual's Screen sets by the terminal's size (App.HORIZONTAL_BREAKPOINTS and
    VERTICAL_BREAKPOINTS: the widest breakpoint a dimension reaches), known before mounting."""
    width, height = app.size
    out = []
    for dimension, breakpoints in ((width, app.HORIZONTAL_BREAKPOINTS), (height, app.VERTICAL_BREAKPOINTS)):
        for at, name in sorted(breakpoints or [], reverse=True):
            if dimension >= at:
                out.append(name)
                break
    return out


def _citation(row) -> str:
    """Publisher, “title”, date, URL: what a reader needs to find the source again."""
    parts = [
        x
        for x in (row["publisher"], f"“{row['source_title']}”" if row["source_title"] else None, row["published"], row["url"])
        if x
    ]
    return ", ".join(parts)


def _nothing_matches(text: str) -> tuple[str, ...]:
    """What the claims table says where its rows were when the filter matches nothing."""
    return (
        f"No claim matches the filter “{one_line(text.strip(), 60)}”.",
        "ctrl+l clears it · u undoes the last change · / edits it",
    )


def quote_text(row) -> str:
    """The quote in quotation marks, with who said it and where."""
    speaker = f" ({one_line(row['speaker'])})" if row["speaker"] else ""
    return f"“{' '.join(row['quote'].split())}”{speaker} — {_citation(row)}"
