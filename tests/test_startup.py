"""Start-up: the first frame shows the query bar and the claims table; the side panes, the
footer and the background work come after it, and then work as before.

The first test runs the real `pivot` in a real pseudo-terminal and reads its output on an
emulated screen (pyte), piece by piece, so that what the first frame showing rows holds is
seen as a terminal would show it."""

from __future__ import annotations

import fcntl
import importlib
import os
import pty
import re
import select
import signal
import sqlite3
import struct
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pyte
import pytest
from wcwidth import wcwidth

from pilot import settle
from tui.app import PivotApp
from tui.screens import main as main_screen
from tui.widgets import side

SMALL = Path(__file__).resolve().parent / "fixtures" / "small"
COLUMNS, LINES = 120, 40
_PIECE = re.compile(rb"(?=\x1b\[)")  # the output cut before each control sequence


class Terminal:
    """`python -m tui ARGS` in a pty of 120x40 whose output is drawn on a pyte screen."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        self._lines = [""] * LINES  # the screen's text, line by line, redrawn where pyte marks it dirty
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the explorer
            os.execvpe(sys.executable, [sys.executable, "-m", "tui", *args], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))

    @property
    def text(self) -> str:
        """What pyte's Screen.display shows, keeping the lines no piece changed (display
        draws all 40 lines every time: asked after every control sequence, that was most
        of this test's time)."""
        for y in self.screen.dirty:
            self._lines[y] = _line_text(self.screen.buffer[y])
        self.screen.dirty.clear()
        return "\n".join(self._lines)

    def until(self, seen: Callable[[str], bool], limit: float = 60) -> str:
        """Feed the output to the screen a control sequence at a time until `seen(screen
        text)` holds; the screen text then. Fails after `limit` seconds of not seeing it."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.5)
            if not ready:
                continue
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError:
                break
            if not data:
                break
            for piece in _PIECE.split(data):
                self.stream.feed(piece)
                if seen(self.text):
                    return self.text
        raise AssertionError(f"not seen on the screen within {limit}s; it shows:\n{self.text}")

    def close(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def _line_text(line) -> str:
    """One line of a pyte screen as Screen.display draws it (a wide character's second cell skipped)."""
    out, wide = [], False
    for x in range(COLUMNS):
        if wide:
            wide = False
            continue
        char = line[x].data
        out.append(char)
        wide = bool(char) and wcwidth(char[0]) == 2
    return "".join(out)


@pytest.fixture
def terminal_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIVOT_", "TEXTUAL")) and k not in ("COLUMNS", "LINES")}
    env.update(
        TERM="xterm-256color",
        PIVOT_STATE_DIR=str(tmp_path / "state"),
        PIVOT_KEYMAP=str(tmp_path / "keymap.toml"),
    )
    return env


def test_first_frame_holds_rows_and_the_side_panes_follow(small_db: Path, tmp_path: Path, terminal_env) -> None:
    db = tmp_path / "store.db"
    db.write_bytes(small_db.read_bytes())
    conn = sqlite3.connect(db)
    first_summary = conn.execute("SELECT summary FROM claims ORDER BY rowid LIMIT 1").fetchone()[0]
    conn.close()
    marker = first_summary[:20]
    term = Terminal(["--data", str(SMALL), "--db", str(db)], terminal_env)
    try:
        first = term.until(lambda text: marker in text)
        # the frame that first shows a claim row: query bar and table, no side panes yet
        assert "Claims" in first and "Entities" not in first and "Facets" not in first
        later = term.until(lambda text: "Entities" in text and "Facets" in text and "Source" in text)
        later = term.until(lambda text: "Filter" in text.splitlines()[-1] and "Export" in text.splitlines()[-1])  # the footer
        assert marker in later  # the rows stayed where they were
    finally:
        term.close()


async def test_a_refused_query_keeps_its_red_border_when_the_bar_is_left(small_db: Path) -> None:
    app = PivotApp(data_dir=SMALL, db_path=small_db)
    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        await settle(pilot)
        app.main.query_input.focus()
        await pilot.press(*"colour:red")
        await settle(pilot)
        assert app.main.query_input.has_class("-invalid")
        await pilot.press("enter")  # submitted: the table takes the focus
        await settle(pilot)
        assert app.main.focused is app.main.table
        assert app.main.query_input.has_class("-invalid")


async def test_side_panes_are_mounted_after_the_first_rows_and_work(small_db: Path) -> None:
    app = PivotApp(data_dir=SMALL, db_path=small_db)
    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        await settle(pilot)
        screen = app.main
        sidebar = screen.query_one("#sidebar")
        assert [w.id for w in sidebar.children] == ["entities", "facets"]
        assert not screen.query("#footer-space")  # the footer's line is the footer now
        facets = screen.facet_list
        facet_ids = [facets.get_option_at_index(i).id for i in range(facets.option_count)]
        assert "h:source" in facet_ids  # the first query's facets, counted after the first frame
        entities = screen.entity_list
        meta = entities.get_option_index("meta")
        entities.focus()
        entities.highlighted = meta
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_text == "company:meta"
        assert app.main.result is not None and app.main.result.total > 0


async def test_a_first_query_that_fails_still_brings_the_side_panes(small_db: Path) -> None:
    app = PivotApp(data_dir=SMALL, db_path=small_db, query="colour:red")
    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        await settle(pilot)
        assert app.main.query_text == "colour:red"
        assert app.main.query_input.has_class("-invalid")  # the bar's red border, not only the message
        message = app.main.query_one("#query-message")
        assert message.has_class("-shown") and "unknown key 'colour'" in str(message.render())
        assert [w.id for w in app.main.query_one("#sidebar").children] == ["entities", "facets"]


def test_the_facets_the_screen_lists_are_the_side_panes_facets() -> None:
    assert main_screen.FACET_ORDER == side.FACET_ORDER


def test_the_size_classes_are_set_before_the_first_resize() -> None:
    class Sized:
        HORIZONTAL_BREAKPOINTS = PivotApp.HORIZONTAL_BREAKPOINTS
        VERTICAL_BREAKPOINTS = PivotApp.VERTICAL_BREAKPOINTS

        def __init__(self, width: int, height: int) -> None:
            self.size = (width, height)

    assert main_screen._breakpoint_classes(Sized(120, 40)) == ["-wide", "-tall"]
    assert main_screen._breakpoint_classes(Sized(80, 24)) == ["-narrow", "-short"]
    assert main_screen._breakpoint_classes(Sized(60, 10)) == ["-tiny", "-tiny-height"]


# --- what the first frame parses and imports ------------------------------------------------

# `pivot` as tui.launch runs it, in a pty, stopped at the first frame (PivotApp._first_frame):
# what the process holds then.
_AT_FIRST_FRAME = r"""
import json, os, sys
from tui.app import PivotApp

out = sys.argv[1]

def _first_frame(self):
    with open(out, "w") as fh:
        json.dump({
            "modules": sorted(sys.modules),
            "sources": [path for path, _ in self.stylesheet.source],
        }, fh)
    os._exit(0)

PivotApp._first_frame = _first_frame
sys.argv = ["pivot", *sys.argv[2:]]
from tui.launch import main
main()
"""


def _at_first_frame(args: list[str], env: dict[str, str], out: Path) -> dict:
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(sys.executable, [sys.executable, "-c", _AT_FIRST_FRAME, str(out), *args], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    end = time.monotonic() + 60
    said = b""
    try:
        while time.monotonic() < end:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    data = os.read(fd, 1 << 16)
                except OSError:
                    break
                if not data:
                    break
                said += data
            if os.waitpid(pid, os.WNOHANG)[0]:
                pid = 0
                break
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    import json

    assert out.exists(), said.decode(errors="replace")[-3000:]
    return json.loads(out.read_text())


def test_the_first_frame_imports_and_parses_only_what_the_main_screen_shows(small_db: Path, tmp_path: Path, terminal_env) -> None:
    from tui.app import SCREENS_CSS

    db = tmp_path / "store.db"
    db.write_bytes(small_db.read_bytes())
    seen = _at_first_frame(["--data", str(SMALL), "--db", str(db)], terminal_env, tmp_path / "first.json")
    modules = set(seen["modules"])
    assert "tui.screens.main" in modules  # the hook did see the explorer's first frame
    # the relation rules (~30 regular expressions), the records of the answers that are not the
    # first page and of the terms of a filter (the first is empty), the export, Label (its CSS)
    # come after the first frame
    later_modules = (
        "tui.store.agreement.rules",
        "tui.store.answers",
        "tui.query_terms",
        "tui.store.export",
        "textual.widgets._label",
    )
    for later in later_modules:
        assert later not in modules, later
    assert str(SCREENS_CSS) not in seen["sources"]  # the other screens' CSS: after the first frame
    assert any(path.endswith("app.tcss") for path in seen["sources"])


def _selector_ids(path: Path, variables: dict[str, str]) -> set[str]:
    from textual.css.model import SelectorType
    from textual.css.stylesheet import Stylesheet

    sheet = Stylesheet(variables=variables)
    sheet.read(path)
    sheet.parse()
    return {
        selector.name
        for rule in sheet.rules
        for selector_set in rule.selector_set
        for selector in selector_set.selectors
        if selector.type == SelectorType.ID
    }


async def test_app_tcss_styles_the_main_screen_and_screens_tcss_the_others(small_db: Path) -> None:
    import inspect
    import pkgutil

    from textual.css.match import match
    from textual.css.stylesheet import Stylesheet
    from textual.screen import Screen

    import tui.screens
    from tui.app import SCREENS_CSS
    from tui.screens.main import MainScreen

    app = PivotApp(data_dir=SMALL, db_path=small_db)
    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        await settle(pilot)
        nodes = list(app.main.walk_children(with_self=True))
        main_ids = {n.id for n in nodes if n.id} | {"footer-space"}  # the footer's line, until the footer
        # app.tcss, parsed before the first frame, names only the main screen's widgets
        assert _selector_ids(Path(inspect.getfile(PivotApp)).parent / PivotApp.CSS_PATH, app.get_css_variables()) <= main_ids
        # screens.tcss, read after it, matches nothing there: the main screen's styles need no update
        sheet = Stylesheet(variables=app.get_css_variables())
        sheet.read(SCREENS_CSS)
        sheet.parse()
        for rule in sheet.rules:
            for node in nodes:
                assert not match(rule.selector_set, node), (rule.selectors, node)
        assert app.stylesheet.has_source(str(SCREENS_CSS))  # read after the first frame: no reparse when a screen opens
    # every other screen names screens.tcss, so that one opened first reads it itself
    screens = [
        cls
        for info in pkgutil.iter_modules(tui.screens.__path__)
        for cls in vars(importlib.import_module(f"tui.screens.{info.name}")).values()
        if inspect.isclass(cls) and issubclass(cls, Screen) and cls.__module__.startswith("tui.screens.")
    ]
    assert len(screens) >= 8
    for cls in screens:
        if cls is not MainScreen:
            assert Path(inspect.getfile(cls)).parent / cls.CSS_PATH == SCREENS_CSS, cls


@pytest.mark.parametrize("read_after_the_first_frame", [True, False])
async def test_the_other_screens_are_styled_whenever_they_first_open(
    small_db: Path, monkeypatch, read_after_the_first_frame: bool
) -> None:
    from tui.app import SCREENS_CSS

    if not read_after_the_first_frame:  # a screen opened before the app read the file
        monkeypatch.setattr(PivotApp, "read_screens_css", lambda self: None)
    app = PivotApp(data_dir=SMALL, db_path=small_db)
    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        await settle(pilot)
        assert app.stylesheet.has_source(str(SCREENS_CSS)) is read_after_the_first_frame
        await pilot.press("c")
        await settle(pilot)
        grid = app.screen.query_one("#grid")
        assert grid.styles.border_top[0] == "round" and grid.styles.width is not None and grid.styles.width.value == 1
        assert app.screen.query_one("#compare-body").styles.height.value == 1  # 1fr
        assert app.stylesheet.has_source(str(SCREENS_CSS))
        # the main screen kept its styles
        await pilot.press("escape")
        await settle(pilot)
        assert app.main.query_one("#claims").styles.border_top[0] == "round"
        assert app.main.query_one("#detail").styles.height.value == 14


async def test_the_main_screen_is_the_first_screen_with_none_beneath_it(small_db: Path) -> None:
    # a blank default screen beneath the main one was styled, laid out and resized with it
    # before the first frame (a bare Textual app has one screen too)
    from tui.screens.main import MainScreen

    app = PivotApp(data_dir=SMALL, db_path=small_db)
    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        await settle(pilot)
        assert len(app.screen_stack) == 1 and isinstance(app.screen, MainScreen)
        await pilot.press("c")  # another screen, and back
        await settle(pilot)
        assert len(app.screen_stack) == 2
        await pilot.press("f")  # the compare screen's figure, then the compare key from it
        await settle(pilot)
        app.action_compare()
        await settle(pilot)
        assert [type(s).__name__ for s in app.screen_stack] == ["MainScreen", "CompareScreen"]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.main and len(app.screen_stack) == 1


def test_keys_typed_before_the_first_frame_are_not_lost(small_db: Path, tmp_path: Path, terminal_env) -> None:
    # typed as the process starts, before Textual reads its terminal or the main screen is
    # mounted: `/` takes the query bar, the rest is the filter
    db = tmp_path / "store.db"
    db.write_bytes(small_db.read_bytes())
    term = Terminal(["--data", str(SMALL), "--db", str(db)], terminal_env)
    try:
        os.write(term.fd, b"/meta")
        shown = term.until(lambda text: "filter: meta" in text)
        assert "/ filter:" not in shown.splitlines()[1]  # the bar holds the text, not its placeholder
    finally:
        term.close()


@pytest.mark.parametrize(("size", "detail", "sidebar"), [((120, 40), 14, 31), ((80, 24), 8, 22)])
async def test_the_size_classes_style_the_main_screen_from_its_mount(small_db: Path, size, detail: int, sidebar: int) -> None:
    # the classes are added before the screen is attached (no restyle then): its mount styles them
    app = PivotApp(data_dir=SMALL, db_path=small_db)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert app.main.query_one("#detail").outer_size.height == detail
        assert app.main.query_one("#sidebar").outer_size.width == sidebar
        assert app.main.query_one("#footer-space" if not app.main.query("Footer") else "Footer").region.y == size[1] - 1
