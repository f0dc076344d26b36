"""The side panes and the sources screen at the widths people use: every line one line,
counts whole at the right edge, names cut (never the counts), and what a narrow terminal
cuts shown in full elsewhere (the entity pane's subtitle, the source pane)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.content import Content

from pilot import resized, settle
from tui.app import PivotApp
from tui.screens.sources import SourcesScreen
from tui.store import db, open_readonly
from tui.widgets.side import EntityList, FacetList, SideLine


@pytest.fixture
def app(bundled_db: Path, tmp_path: Path) -> PivotApp:
    store = tmp_path / "store.db"
    shutil.copy(bundled_db, store)
    return PivotApp(db_path=store, export_dir=tmp_path)


def shown(widget) -> list[str]:
    return ["".join(seg.text for seg in widget.render_line(y)).rstrip() for y in range(widget.size.height)]


def subtitle(widget) -> str:
    """The pane's subtitle as drawn (Textual keeps it as markup)."""
    return Content.from_markup(widget.border_subtitle or "").plain


def entity_rows(app: PivotApp) -> list:
    conn = open_readonly(app.store_path)
    try:
        return list(db.entities(conn))
    finally:
        conn.close()


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40), (200, 50)])
async def test_side_lines_and_sources_keep_their_counts_at_every_width(app: PivotApp, size) -> None:
    """At each width, in one run: every line of the entity and facet panes is one line with
    its count whole at the right (names cut, never counts); then the sources screen keeps
    ids, flags and counts, and says below what its columns drop."""
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for pane in (app.screen.query_one(EntityList), app.screen.query_one(FacetList)):
            width = pane.scrollable_content_region.width
            lines = shown(pane)
            prompts = [pane.get_option_at_index(i).prompt for i in range(pane.option_count)]
            lined = [p for p in prompts if isinstance(p, SideLine)]
            assert lined, "no counted options"
            # one screen line per option: the lines on screen are the options in order
            visible = prompts[pane.scroll_offset.y :][: len(lines)]
            for prompt, line in zip(visible, lines, strict=False):
                if isinstance(prompt, SideLine):
                    assert line.endswith(prompt.tail.plain.strip()), (line, str(prompt))
                    assert len(line) <= width
                    name = prompt.name.plain
                    assert name in line or (line.count("…") == 1 and name.startswith(line.strip().split("…")[0].lstrip("●✓ ")))
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen)
        table = app.screen.query_one("#sources-table")
        lines = ["".join(s.text for s in table.render_line(y)).rstrip() for y in range(table.row_count + 1)]
        assert "Claims" in lines[0] and "Disputed" in lines[0] and "Id (source:)" in lines[0]
        assert all(len(line) <= table.size.width for line in lines)
        conn = open_readonly(app.store_path)
        try:
            sources = list(db.sources(conn))
        finally:
            conn.close()
        for s, line in zip(sources, lines[1:], strict=False):
            assert s["id"] in line and line.rstrip().split()[-1] in (str(s["claim_count"]), f"⚠{s['conflict_count']}")
        # what the columns drop at this width, the pane below says for the highlighted source
        first = sources[0]
        body = " ".join(shown(app.screen.query_one("#source-says-body")))
        for field in ("publisher", "published"):
            if first[field]:
                assert first[field] in body
        # another width fits the columns again (the same width does not lay them out twice)
        other = (200, 50) if size[0] < 200 else (80, 24)
        await resized(pilot, *other)
        lines = ["".join(s.text for s in table.render_line(y)).rstrip() for y in range(table.row_count + 1)]
        assert all(len(line) <= table.size.width for line in lines)
        assert ("Title" in lines[0]) == (other[0] >= 120), lines[0]


async def test_a_long_name_is_cut_in_its_line_and_whole_under_the_pane(app: PivotApp) -> None:
    """A long name: cut in its line (its count whole), whole in the pane's subtitle while the
    pane has the focus, given its room by a wider terminal; a name with markup, as written."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(EntityList)
        listed = [r for r in entity_rows(app) if r["kind"] != "event"]
        longest = max(listed, key=lambda r: len(r["name"]))
        index = pane.get_option_index(longest["id"])
        pane.focus()
        pane.highlighted = index
        await settle(pilot)
        line = "".join(seg.text for seg in pane.render_line(index - pane.scroll_offset.y)).rstrip()
        assert f"{longest['claim_count']:,}" in line  # the count stays whole
        if len(longest["name"]) + 8 > pane.scrollable_content_region.width:
            assert "…" in line and longest["name"] not in line
        assert subtitle(pane) == longest["name"]
        # the subtitle is for the list in use: it goes with the focus
        app.screen.query_one("#query").focus()
        await settle(pilot)
        assert subtitle(pane) == ""
        # a wider terminal gives the name its room, without rebuilding the options
        await resized(pilot, 200, 50)
        wide = "".join(seg.text for seg in pane.render_line(index - pane.scroll_offset.y)).rstrip()
        assert f"{longest['claim_count']:,}" in wide
        assert longest["name"] in wide or len(wide.split("…")[0].strip()) > len(line.split("…")[0].strip())
        # a name with markup is shown in the subtitle as written, not styled or run as an action
        rows = [dict(r) for r in entity_rows(app)[:1]]
        rows[0]["name"] = "[bold]Evil[/] [@click=app.quit]x"
        pane.show(rows, set())
        pane.focus()
        pane.highlighted = 1
        await settle(pilot)
        assert subtitle(pane) == "[bold]Evil[/] [@click=app.quit]x"  # as written, not styled or an action
        assert app.is_running
