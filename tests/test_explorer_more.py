"""What a journalist asks for next (issue 20): the frequency of a column (F), named views,
the first screen, the entity list's counts; at 120x40 and 80x24, through Textual's Pilot.
The rules behind them are tested without Textual in test_session.py and, against a real
store, test_session_explorer.py (F's counts, an entity's count, the first screen's order)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from helpers import all_claims
from pilot import settle
from tui.query import build_filter
from tui.screens.compare import CompareScreen
from tui.screens.frequency import FrequencyScreen
from tui.store import open_readonly
from tui.store.fmt import format_value
from tui.widgets.claims_table import ClaimsTable
from tui.widgets.side import EntityList

SIZES = [(120, 40), (80, 24)]


async def set_query(pilot, text: str) -> None:
    pilot.app.screen.query_one("#query", Input).value = text
    await settle(pilot)


def frequency_lines(screen: FrequencyScreen) -> list[tuple[str, int]]:
    table = screen.query_one(DataTable)
    return [(str(table.get_row_at(i)[0]), int(str(table.get_row_at(i)[1]).replace(",", ""))) for i in range(table.row_count)]


# --- F: the frequency of a column -----------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_F_shows_a_column_and_enter_narrows_the_filter_to_a_line(make_app, size) -> None:
    """The frequency screen on the filter's claims (the counts and terms themselves, without
    Textual: test_session_explorer.py::test_F_counts_a_column_over_the_filter_and_enter_filters_to_a_line)."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await set_query(pilot, "company:meta")
        conn = open_readonly(app.store_path)
        flt = build_filter("company:meta", conn)
        claims = all_claims(conn, flt)
        await pilot.press("F")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FrequencyScreen) and screen.column == "source"
        expected = Counter(r["source"] for r in claims)
        lines = frequency_lines(screen)
        assert sorted(n for _, n in lines) == sorted(expected.values())  # every source, counted by the store
        assert sum(n for _, n in lines) == len(claims)
        # the figures: claims counted by their figure, those without one left out
        while screen.column != "value":
            await pilot.press("right")
            await settle(pilot)
        figures = Counter(
            format_value(r["value_low"], r["value_high"], r["unit"], r["bound"]) for r in claims if r["value_low"] is not None
        )
        shown: Counter[str] = Counter()
        for label, n in frequency_lines(screen):
            shown[label] += n
        assert shown == figures
        # back to the statuses; enter on the first line narrows the filter to it
        while screen.column != "status":
            await pilot.press("left")
            await settle(pilot)
        label, n = frequency_lines(screen)[0]
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, FrequencyScreen)
        assert app.screen.query_one("#query", Input).value == f"company:meta status:{label}"
        assert app.screen.query_one(ClaimsTable).total == n == sum(1 for r in claims if r["status"] == label)
        conn.close()


# --- named views ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_w_saves_a_view_that_at_and_the_palette_and_pivot_list_reopen(make_app, size) -> None:
    from textual.command import CommandPalette

    from test_cli import small

    app = make_app("small")
    views = Path(os.environ["PIVOT_STATE_DIR"]) / "views"
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await set_query(pilot, "company:meta")
        table = app.screen.query_one(ClaimsTable)
        table.column = next(i for i, c in enumerate(table_columns()) if c.key == "value")
        await pilot.press("right_square_bracket")  # sorted by the figure, descending
        await settle(pilot)
        await pilot.press("slash", "ctrl+u")
        app.screen.query_one("#query", Input).value = ":w meta-big"  # as typed (a command from its first key)
        await settle(pilot)  # the queries of the cleared bar and of the filter back in effect end: the hint stays
        assert app.screen.query_one("#query-message").display
        assert "enter saves the filter" in str(app.screen.query_one("#query-message").render())
        assert app.session.filter.text == "company:meta"  # a command is not run as a query
        await pilot.press("enter")
        await settle(pilot)
        assert views.read_text(encoding="utf-8").startswith("meta-big company:meta | sort:value:desc")
        assert app.screen.query_one("#query", Input).value == "company:meta"
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert app.screen.query_one("#query", Input).value == ""
        await pilot.press("slash")
        app.screen.query_one("#query", Input).value = "@meta-big"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#query", Input).value == "company:meta" and table.sort == ("value", True)
        history = (Path(os.environ["PIVOT_STATE_DIR"]) / "history").read_text(encoding="utf-8")
        assert ":w" not in history and "@meta-big" not in history
        # the palette lists it
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        app.screen.query_one(Input).value = "view: meta-big"  # the palette's search field
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, CommandPalette)
        assert app.screen.query_one("#query", Input).value == "company:meta"
    if size != SIZES[0]:
        return  # the file is the same at every size: pivot list reads it once
    # and pivot list @meta-big reads it from the same file, in its sort
    db_path = app.store_path
    out = small("list", "@meta-big", db=db_path).stdout
    assert "Meta" in out and out.index("8,000") < out.index("600 employees")
    assert "no view named 'nope'" in small("list", "@nope", db=db_path, code=2).output


def table_columns():
    from tui.widgets.claims_table import COLUMNS

    return COLUMNS


# --- 80x24: the footer, the figure in the table; the export dialog's enter ------------------


async def test_at_80x24_the_footer_keeps_compare_figure_quit_and_keys_and_the_table_the_figure(make_app) -> None:
    """At 80x24 on the bundled corpus: the footer's keys, the table's figure, the status
    line's word on the opening order (the order itself: test_session_explorer.py::
    test_the_first_screen_opens_on_the_figures_and_disagreements_of_the_most_covered), an
    entity's enter opening the count shown beside it (every entity's count:
    test_session_explorer.py::test_an_entitys_count_is_what_enter_opens), and `c`."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = next(line for line in screen_text(app).splitlines()[::-1] if line.strip())
        for word in ("Compare", "Figure", "Quit", "Keys"):
            assert word in footer, (word, footer)
        table = app.screen.query_one(ClaimsTable)
        lines = [table_line(table, y) for y in range(table.size.height)]
        header = lines[0]
        assert "Value" in header and "Claim" in header and "Entity" in header
        assert lines[0].startswith("  ") and any(line.strip() for line in lines[1:])
        assert "order: most-covered entities" in str(app.screen.query_one("#status").render())
        entities = app.screen.query_one(EntityList)
        at = next(i for i in range(1, entities.option_count) if not entities.get_option_at_index(i).disabled)
        tail = str(entities.get_option_at_index(at).prompt.tail)
        shown = int(tail.split()[-2 if "⚠" in tail else -1].replace(",", ""))
        entities.focus()
        entities.highlighted = at
        await pilot.press("enter")
        await settle(pilot)
        assert table.total == shown
        table.focus()
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)


def table_line(table: ClaimsTable, y: int) -> str:
    return "".join(seg.text for seg in table.render_line(y))


def screen_text(app) -> str:
    """The screen as plain text (the footer's line included)."""
    from rich.console import Console

    console = Console(width=app.size.width, record=True, color_system=None, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()
