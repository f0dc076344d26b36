"""What a journalist asks for next (issue 20): the frequency of a column (F), named views,
the first screen, the entity list's counts; at 120x40 and 80x24, through Textual's Pilot.
The rules behind them are tested without Textual in test_session.py."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from helpers import all_claims
from pilot import settle
from tui.query import build_filter
from tui.screens.frequency import FrequencyScreen
from tui.session import frequency_term
from tui.store import db, open_readonly
from tui.store.agreement import in_conflict
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
async def test_F_counts_a_column_over_the_filter_and_enter_filters_to_a_line(make_app, size) -> None:
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


async def test_a_figures_line_filters_to_the_claims_whose_figure_is_or_contains_it(make_app) -> None:
    app = make_app("small")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        conn = open_readonly(app.store_path)
        lines, _ = db.frequency(conn, build_filter("", conn), "value")
        for line in lines:
            term = frequency_term("value", line)
            assert term is not None
            rows = all_claims(conn, build_filter(term, conn))
            assert len(rows) >= line.count and all(r["value_low"] <= line.high and r["value_high"] >= line.low for r in rows)
        conn.close()


# --- the entity list's count is what enter opens --------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_an_entitys_count_is_what_enter_opens(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        entities = app.screen.query_one(EntityList)
        checked = 0
        for i in range(1, min(entities.option_count, 8)):
            option = entities.get_option_at_index(i)
            if option.disabled:
                continue
            shown = int(str(option.prompt.tail).split()[-2 if "⚠" in str(option.prompt.tail) else -1].replace(",", ""))
            entities.focus()
            entities.highlighted = i
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen.query_one(ClaimsTable).total == shown, option.id
            checked += 1
        assert checked >= 4


# --- the first screen -----------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_the_first_screen_opens_on_the_figures_and_disagreements_of_the_most_covered(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        conn = open_readonly(app.store_path)
        top = db.most_covered(conn, 1)[0]
        table = app.screen.query_one(ClaimsTable)
        first = [table.row_at(i) for i in range(10)]
        assert all(r["qentity"] == top for r in first)  # the most-covered entity first
        weights = [(r["value_low"] is None, not (in_conflict(r["standing"]) and not r["draft"])) for r in first]
        assert weights == sorted(weights)  # the figures (disputed first), then the disputed positions, then the rest

        # the status line says how the order is chosen; [ ] still sort
        assert "order: most-covered entities" in str(app.screen.query_one("#status").render())
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
        await pilot.press("slash", "ctrl+u", *":w meta-big")
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
        await pilot.press("slash", *"@meta-big", "enter")
        await settle(pilot)
        assert app.screen.query_one("#query", Input).value == "company:meta" and table.sort == ("value", True)
        history = (Path(os.environ["PIVOT_STATE_DIR"]) / "history").read_text(encoding="utf-8")
        assert ":w" not in history and "@meta-big" not in history
        # the palette lists it
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"view: meta-big")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, CommandPalette)
        assert app.screen.query_one("#query", Input).value == "company:meta"
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
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = next(line for line in screen_text(app).splitlines()[::-1] if line.strip())
        for word in ("Compare", "Figure", "Quit", "Keys"):
            assert word in footer, (word, footer)
        table = app.screen.query_one(ClaimsTable)
        header = "".join(seg.text for seg in table.render_line(0))
        assert "Value" in header and "Claim" in header and "Entity" in header


def screen_text(app) -> str:
    """The screen as plain text (the footer's line included)."""
    from rich.console import Console

    console = Console(width=app.size.width, record=True, color_system=None, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


async def test_enter_in_the_export_dialog_exports(make_app, tmp_path: Path) -> None:
    from tui.screens.export import ExportScreen

    app = make_app("small")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("enter")  # focus is on the scope: enter exports all the same
        await settle(pilot)
        assert not isinstance(app.screen, ExportScreen)
        assert list(tmp_path.glob("pivot-*.md"))
