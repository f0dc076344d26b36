# Long because the App holds the store pool, its reload and failure handling, the first-frame
# hand-off and the export flow's worker: the one place they meet.
"""The explorer: a Textual app over the read-only store.

The screens share a tui.session.Session (the filter, the selection, the comparison, the
store handle); what only the app can do they ask for with tui.messages, handled below
(on_export_requested, on_compare_requested, on_filter_requested, ...)."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual._compositor import LayoutUpdate
from textual.app import App
from textual.binding import Binding

from tui.messages import (
    CommandRequested,
    CompareRequested,
    CopyRequested,
    ExportRequested,
    FilterRequested,
    FirstRowsShown,
    SourcesRequested,
    StoreFailed,
)
from tui.screens.main import MainScreen
from tui.session import Session, StoreHandle
from tui.store import db
from tui.store.pool import ConnectionPool, lower_thread_priority
from tui.store.refresh import ensure_store

if TYPE_CHECKING:
    from textual.command import Provider

    from tui.screens.export import ExportRequest
    from tui.store.refresh import Ready

# The other screens' styling (each of them names it, CSS_PATH): read once the first frame is
# out, so that the start-up parses app.tcss alone (what the main screen shows)
SCREENS_CSS = Path(__file__).parent / "screens" / "screens.tcss"
STORE_CHECK_SECONDS = 2.0  # how often the explorer looks whether the store file was replaced
FIRST_FRAME_WAIT = 1.0  # seconds the work after the first frame waits for it at most


def _stamp(path: Path) -> tuple[int, int, int, int] | None:
    """The store file's identity and last change (device, inode, mtime, size); None if gone."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size


# The other screens and the export code are imported when first opened: the first
# frame needs only the main screen (start-up is measured against a bare Textual app).


def _commands() -> type[Provider]:
    """The palette's provider, imported when the palette first opens."""
    from tui.commands import PivotCommands

    return PivotCommands


class PivotApp(App):
    """Browse, sift, compare and export the claims of the corpus."""

    TITLE = "pivot"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {_commands}
    # classes on every screen by terminal size (app.tcss gives small terminals a layout)
    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (70, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-tiny-height"), (20, "-short"), (32, "-tall")]
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.palette"),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="app.next"),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False, id="app.previous"),
    ]

    async def run_async(self, **kwargs: Any) -> Any:
        """App.run_async, with the explorer's worker threads (Textual runs its thread workers,
        and asyncio.to_thread its jobs, on the loop's default executor) starting at a lower
        priority than the UI thread: their statements give way to the frames a person
        waits for (pool.lower_thread_priority; the processes they start inherit it). The
        opening page is read on the UI thread, before the first frame, as before."""
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        executor = ThreadPoolExecutor(thread_name_prefix="pivot-worker", initializer=lower_thread_priority)
        asyncio.get_running_loop().set_default_executor(executor)
        return await super().run_async(**kwargs)

    def __init__(
        self,
        data_dir: Path | None = None,
        db_path: Path | None = None,
        *,
        query: str = "",
        export_dir: Path | None = None,
        ready: Ready | None = None,
    ) -> None:
        super().__init__()
        # A store of the right schema opens at once; whether it is current is checked
        # after the first frame (one stat per corpus file), and applied if not. `ready`: the
        # CLI found (or built) the store already, so it is not looked for twice.
        if ready is None:
            ready = ensure_store(data_dir, db_path, quick=True)
        self.data_dir, self.db_path = data_dir, db_path
        self.store_unchecked = ready.unchecked
        self.store_path = ready.path
        self.store_warning = ready.warning
        self.store_stamp = _stamp(ready.path)  # which file the pool reads, to notice a new one
        # what the screens share (the filter, the selection, the comparison, the store they read)
        self.session = Session(StoreHandle(ConnectionPool(ready.path)), text=query, data_dir=data_dir)
        self.export_dir = Path(export_dir) if export_dir else Path.cwd()
        self._after_frame: list[Callable[[], Awaitable[None] | None]] = []
        self.first_frame_written = False

    @property
    def pool(self) -> ConnectionPool:
        """The pool of read-only connections on the current store file."""
        return self.session.store.pool

    def notify(self, message, *, title: str = "", severity="information", timeout=None, markup: bool = False) -> None:
        """Notifications carry paths, error texts and corpus words: never read as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_store_failed(self, message: StoreFailed) -> None:
        self.store_failed(message.error)

    def store_failed(self, exc: Exception) -> None:
        """A worker's query failed on the store (damaged, removed, locked): say so and keep
        running on what is on screen. A damaged store is rebuilt from the corpus and what
        is on screen reloaded. Thread-safe."""
        from tui.store.errors import is_damage

        if is_damage(exc):
            self.notify("The store is damaged; rebuilding it from the corpus", severity="warning", timeout=10)
            if threading.get_ident() == self._thread_id:
                self.refresh_store(True)
            else:
                self.call_from_thread(self.refresh_store, True)
            return
        self.notify(
            f"The store could not answer: {exc}. Run `pivot build --full` if this persists.", severity="error", timeout=10
        )

    def on_mount(self) -> None:
        from tui.state import load_keymap

        keymap = load_keymap()
        self.session.keymap = keymap.keys
        if keymap.keys:
            self.set_keymap(keymap.keys)
        for problem in keymap.problems:
            self.notify(problem, severity="warning", timeout=10)
        if self.store_warning:
            self.notify(self.store_warning, severity="warning", timeout=10)
        self.set_interval(STORE_CHECK_SECONDS, self.check_store_file)

    def get_default_screen(self) -> MainScreen:
        """The main screen is the app's first screen, at the bottom of the stack: no blank
        default screen beneath it (a bare Textual app has one screen as well)."""
        return MainScreen(self.session)

    def after_first_frame(self, callback: Callable[[], Awaitable[None] | None]) -> None:
        """Run callback once the first whole frame is on the terminal (at once if it is, or
        when no terminal is written to: headless, under Pilot). Should the frame not be seen
        (another Textual), FIRST_FRAME_WAIT seconds later all the same."""
        if self.first_frame_written:
            self.call_later(callback)
            return
        self._after_frame.append(callback)
        if self.is_headless:
            self._first_frame()  # no terminal: no frame to wait for
        elif len(self._after_frame) == 1:
            self.set_timer(FIRST_FRAME_WAIT, self._first_frame)

    def _display(self, screen, renderable) -> None:
        # Textual writes every frame here (App._display, private, Textual 8); a whole-screen
        # update outside a batch (a batch throws its frames away) is the first frame
        super()._display(screen, renderable)
        if not self.first_frame_written and isinstance(renderable, LayoutUpdate) and not self._batch_count:
            self._first_frame()

    resume_gc = False  # the CLI turned the garbage collector off for the start-up: on again after the first frame

    def _first_frame(self) -> None:
        self.first_frame_written = True
        if self.resume_gc:
            import gc

            self.resume_gc = False
            gc.freeze()  # what start-up made lives as long as the app: later collections skip it
            gc.enable()
        callbacks, self._after_frame = self._after_frame, []
        for callback in callbacks:
            self.call_later(callback)

    def check_store_file(self) -> None:
        """One stat: has another process replaced the store (`pivot build --full` renames a
        new file in) or updated it in place? Then reload what is on screen from it."""
        stamp = _stamp(self.store_path)
        if stamp is not None and stamp != self.store_stamp:
            self.store_stamp = stamp
            self._reload_store("the store was rebuilt or updated by another pivot build")

    def on_app_focus(self, event) -> None:
        """Back in the terminal: the store file, then the corpus (an edited source file is
        applied in the background, as at start-up)."""
        self.check_store_file()
        self.refresh_store()

    def on_first_rows_shown(self, message: FirstRowsShown) -> None:
        """The main screen's first rows are laid out: once the frame showing them is
        written, the rest of the screen follows, and only then is the store checked against
        the corpus (stat every file, maybe update), so that this work does not compete with
        the first frame."""
        message.stop()
        self.after_first_frame(self._after_first_rows)

    async def _after_first_rows(self) -> None:
        await self.main.after_first_frame()
        self.read_screens_css()
        if self.store_unchecked:
            self.store_unchecked = False
            self.refresh_store()

    def read_screens_css(self) -> None:
        """The other screens' rules, added to the stylesheet and parsed alone when next
        styled (they match nothing on the main screen, which keeps its styles). A screen
        opened before this reads the file itself (Textual then parses the whole stylesheet
        again and restyles every widget: ~20 ms once)."""
        if not self.stylesheet.has_source(str(SCREENS_CSS)):
            self.stylesheet.read(SCREENS_CSS)

    @work(thread=True, exclusive=True, group="refresh")
    def refresh_store(self, force: bool = False) -> None:
        """Bring the store up to date with the corpus on disk, without blocking the screen
        (with force, rebuild it whole: it was found damaged)."""
        try:
            ready = ensure_store(self.data_dir, self.db_path, force=force)
        except Exception as exc:  # noqa: BLE001 - a broken corpus must not take the explorer down
            self.call_from_thread(self.notify, f"could not update the store: {exc}", severity="warning", timeout=10)
            return
        if ready.warning:
            self.call_from_thread(self.notify, ready.warning, severity="warning", timeout=10)
        if ready.built is not None:
            self.call_from_thread(self._store_changed, ready.built)

    def _store_changed(self, report) -> None:
        self.store_stamp = _stamp(self.store_path)
        if not report.changed:  # only the corpus's file records were renewed: nothing to show
            return
        self._reload_store(f"store updated from the corpus: {report.claims:,} claim{'' if report.claims == 1 else 's'}")

    def _reload_store(self, message: str) -> None:
        old = self.session.store.pool
        self.session.store.pool = ConnectionPool(self.store_path)
        old.close()
        self.main.store_replaced()
        self.notify(message)

    def on_unmount(self) -> None:
        self.session.store.pool.close()

    @property
    def main(self) -> MainScreen:
        return next(s for s in self.screen_stack if isinstance(s, MainScreen))

    # --- navigation -------------------------------------------------------------------

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.session.keymap))

    def on_sources_requested(self, message: SourcesRequested) -> None:
        message.stop()
        self._back_to_main()
        self.main.action_sources()

    def on_compare_requested(self, message: CompareRequested) -> None:
        message.stop()
        self.action_compare(message.entity_ids)

    def action_compare(self, entity_ids: tuple[str, ...] | None = None) -> None:
        """Compare `entity_ids`; else the entities the filter names; else the last picks
        (and, back from a cell's claims, that same cell): Session.compare_target."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, MainScreen):
            self.pop_screen()
        from tui.screens.compare import CompareScreen

        target = self.session.compare_target(entity_ids)
        self.push_screen(CompareScreen(self.session, target))

    def on_filter_requested(self, message: FilterRequested) -> None:
        """Show the main screen with a filter (the palette's, or a compare cell's claims:
        then `c` goes back to the cell)."""
        message.stop()
        if message.drill:
            self.session.drill_down(message.text)
        self._back_to_main()
        self.main.set_query(message.text)
        if message.drill:
            self.notify("the cell's claims; c goes back to the comparison")

    def on_command_requested(self, message: CommandRequested) -> None:
        """A named view opened or saved from the palette, as the query bar's @NAME and :w NAME."""
        message.stop()
        self._back_to_main()
        self.main.run_command(message.text)

    def on_copy_requested(self, message: CopyRequested) -> None:
        message.stop()
        self.main.action_copy_claims(message.header)

    def _back_to_main(self) -> None:
        while not isinstance(self.screen, MainScreen):
            self.pop_screen()

    # --- export -----------------------------------------------------------------------

    def on_export_requested(self, message: ExportRequested) -> None:
        message.stop()
        self.open_export(message.fmt, message.comparison)

    def open_export(self, fmt: str = "md", comparison: list[str] | None = None, *, again: ExportRequest | None = None) -> None:
        """Push the export dialog; its choice is written by one worker (write_export), which
        streams every claim of the scope to disk (tui.store.export): no cap, bounded memory.
        `again` re-opens the dialog on a request (after "keep it" to an overwrite)."""
        from tui.screens.export import ConfirmScreen, ExportRequest, ExportScreen
        from tui.store.export import Selection, default_name

        result = self.main.result
        current = Selection(result.where, tuple(result.params), result.text, sort=result.sort) if result else Selection()
        scopes = self.session.export_scopes(current, result.total if result else 0, comparison)

        def preview(scope: str, fmt_: str, quotes: bool, ids: bool) -> str:
            return self.pool.run(_export_text, scope, scopes.selection(scope), comparison, fmt_, quotes, ids, 20)

        def name(scope: str, fmt_: str) -> str:
            return str(self._free_path(self.export_dir / default_name(scopes.stem(scope), fmt_)))

        def chosen(request: ExportRequest | None) -> None:
            if request is None:
                return
            path = request.path if request.path.is_absolute() else self.export_dir / request.path
            request = ExportRequest(request.scope, request.fmt, path, request.quotes, request.ids)
            sel = scopes.selection(request.scope)
            if path.exists() and not path.is_dir():

                def answered(yes: bool | None) -> None:
                    if yes:
                        self.write_export(request, sel, comparison, force=True)
                    else:  # back to the dialog, the name selected, to choose another
                        self.open_export(request.fmt, comparison, again=request)

                self.push_screen(ConfirmScreen(f"{path} exists. Overwrite it?"), answered)
            else:
                self.write_export(request, sel, comparison, force=False)

        hidden = self.main.hidden
        notes = {"selected": f"{hidden:,} hidden by the filter"} if "selected" in scopes.scopes and hidden else {}
        self.push_screen(ExportScreen(scopes.counts, scopes.default, preview, name, fmt=fmt, again=again, notes=notes), chosen)

    @work(thread=True, group="export")
    def write_export(self, request: ExportRequest, sel, comparison: list[str] | None, force: bool) -> None:
        """Stream the export to its file (temporary file, then a rename) off the UI thread."""
        from tui.store.export import ExportError

        try:
            path, n = self.pool.run(_export_file, request, sel, comparison, force)
        except ExportError as exc:
            self.call_from_thread(self.notify, f"Export failed: {exc}", severity="error", timeout=8)
            return
        except Exception as exc:  # noqa: BLE001 - the app must never crash on an export
            self.call_from_thread(self.notify, f"Export failed: {exc}", severity="error", timeout=8)
            return
        self.export_dir = path.parent  # the folder of the last export, while the explorer runs
        what = f"Exported {n:,} claim{'' if n == 1 else 's'}" if n is not None else "Exported"
        self.call_from_thread(self.notify, f"Wrote {path}", title=what, timeout=8)

    @staticmethod
    def _free_path(path: Path) -> Path:
        if not path.exists():
            return path
        for i in range(2, 1000):
            candidate = path.with_name(f"{path.stem}-{i}{path.suffix}")
            if not candidate.exists():
                return candidate
        return path.with_name(f"{path.stem}-{int(time.time())}{path.suffix}")


# --- export jobs (run on a pooled connection, off the UI thread) ------------------------------


def run_explorer(data_dir: Path | None, db_path: Path | None, ready) -> None:
    """Open the explorer on the store `ready` names, as `pivot` does (tui.launch, tui.cli).

    Start-up allocates a few hundred thousand objects that live as long as the app (Textual,
    its CSS, our modules): collecting them over and over costs the first frame ~20 %, so
    collection is off until the first frame (PivotApp.resume_gc turns it back on)."""
    import gc

    gc.disable()
    app = PivotApp(data_dir=data_dir, db_path=db_path, ready=ready)
    app.resume_gc = True
    app.run()


def _export_text(
    conn, scope: str, sel, comparison: list[str] | None, fmt: str, quotes: bool, ids: bool, limit: int | None
) -> str:
    """The first `limit` claims of an export, as text (the dialog's preview)."""
    import io

    from tui.store.export import export_info, render_compare, stream_claims

    if scope == "comparison":
        return render_compare(conn, db.compare(conn, comparison or []), fmt)
    buf = io.StringIO()
    stream_claims(conn, buf, sel, fmt, quotes=quotes, info=export_info(conn, sel.query), ids=ids, limit=limit)
    return buf.getvalue()


def _export_file(conn, request: ExportRequest, sel, comparison: list[str] | None, force: bool) -> tuple[Path, int | None]:
    from tui.store.export import export_info, export_to, render_compare, write_atomic

    if request.scope == "comparison":
        text = render_compare(conn, db.compare(conn, comparison or []), request.fmt)
        return write_atomic(request.path, text, force=force), None
    return export_to(
        request.path,
        conn,
        sel,
        request.fmt,
        force=force,
        quotes=request.quotes,
        info=export_info(conn, sel.query),
        ids=request.ids,
    )
