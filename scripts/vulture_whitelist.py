"""Names vulture (scripts/check's dead-code gate) cannot see used: read by Textual, aiohttp or
the tests by name, kept for the work that follows, or in files others are rewriting now.
Each line says which. A name that goes from the code goes from here too."""

# ruff: noqa: B018, F821
from tui.screens.compare import CompareScreen
from tui.session import Session

CompareScreen.complete  # read by tests/test_snapshots.py: the grid for the picks is drawn
Session.save_view  # named views (issue 20): the palette's `:w name` and `pivot list @name` build on these
Session.open_view
_.row_factory  # sqlite3: set, then read by sqlite3 itself
_.cursor_position  # textual Input: set to move the cursor
_._repaint_required  # textual Screen: set to draw the screen once its batch is over
AUTO_FOCUS  # textual Screen: the widget focused when the screen has no focus (MainScreen: the table)
_.refresh_styles  # textual ScreenResume: set False for the main screen's first resume (styled as it mounted)
_.get_default_screen  # textual App: the first screen (PivotApp: the main screen, no blank one beneath it)
_.handle_index  # textual-serve's Server: aiohttp calls the route by this name
__getattr__  # tui.store: a module's __getattr__ imports its names on first use
__getitem__  # tui.store.agreement.RowLike: a Protocol's method (sqlite3.Row has it)
corpus_digest  # tui.store.files (the reliability helper's; files.py is being reworked)
verify_quotes  # tui.store: the quote test's entry point (tests/test_corpus.py checks every quote)
_.writable  # tui.cli.common's stdout wrapper: io asks a stream for it
_.revise_count  # tui.store.agreement.apply.Stored: the store's agreement columns, by name (the lead's rework)
_.differ_count
_.agree_count
conflicts_of  # tui.store.db: the claims in conflict with one claim, a store API the tests hold to the model
metric_labels  # tui.store.metrics: new with the metrics registry, only tests/test_metrics.py calls them yet
registry_of
_.concur_count  # tui.store.agreement.apply.Stored: the store's agreement columns, by name (the lead's rework)
_.position_relation
_.periods_differ  # tui.store.grid.Grid: set, not read yet (the lead's work on how relations are shown)
AUTO_FOCUS  # tui.screens.compare.CompareScreen: Textual reads it when the screen is shown
_.bindings_changed  # tui.widgets.footer.Footer: Textual's Footer subscribes it to the screen's bindings signal
_._bindings_ready  # tui.widgets.footer.Footer: Textual's Footer composes its keys once it is set
ALLOW_SELECT  # tui.widgets.detail.DetailPane: Textual reads it (the mouse selects the detail's text)
_.get_selection  # tui.widgets.detail.DetailPane: Textual calls it to copy the selected text
_.selection_updated  # tui.widgets.detail.DetailPane: Textual calls it when the selection changes
