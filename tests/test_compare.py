"""The comparison as a headline grid, its drill-down, and the figure view (issue 10).

The corpus is the five founding articles (copied from data/ by name, so that articles a
user adds to data/ change nothing here), plus files of our own where a test needs them.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt
from textual.widgets import Input

from pilot import settle
from tui.app import PivotApp
from tui.cli import main
from tui.screens.compare import CompareScreen
from tui.screens.figure import FigureScreen
from tui.screens.main import MainScreen
from tui.store import build_store, db, load_corpus, open_readonly
from tui.store.grid import Grid, figure_parts, head, headline, skeleton
from tui.widgets.claims_table import ClaimsTable
from tui.widgets.compare_grid import CompareGrid
from tui.widgets.rendered import RenderedView

REPO = Path(__file__).resolve().parents[1]
FOUNDING = [
    "synapnews-ai-pivot",
    "meta-ai-spending-analysis",
    "ai-rebalancing-meta-layoffs",
    "0xmetalabs-compute-shift",
    "meta-600-ai-layoffs",
]


@pytest.fixture
def founding(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / "sources").mkdir(parents=True)
    for name in ("entities.yaml", "topics.yaml", "propositions.yaml"):  # the founding claims' stances need the last
        shutil.copy(REPO / "data" / name, data / name)
    for sid in FOUNDING:
        shutil.copy(REPO / "data" / "sources" / f"{sid}.yaml", data / "sources" / f"{sid}.yaml")
    return data


def founding_app(data: Path, tmp_path: Path) -> PivotApp:
    """The explorer on the founding articles (conftest's make_app is for the bundled and small corpora)."""
    return PivotApp(data_dir=data, db_path=tmp_path / "store.db", export_dir=tmp_path)


def grid_of(app: PivotApp) -> CompareGrid:
    return app.screen.query_one("#grid", CompareGrid)


async def open_compare(app: PivotApp, pilot, to_metric: str | None = None) -> CompareGrid:
    """Open the compare screen (Meta vs Microsoft); with `to_metric`, put the cursor on
    that quantity's row."""
    await settle(pilot)
    await pilot.press("c")
    await settle(pilot)
    assert isinstance(app.screen, CompareScreen)
    view = grid_of(app)
    if to_metric is not None:
        target = next(i for i, r in enumerate(view.grid.rows) if r.metric == to_metric)
        for _ in range(target):
            await pilot.press("j")
    return view


def row_line(text: str, label: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith(label))


def row_text(view: CompareGrid, metric: str) -> str:
    """A quantity's row on screen, its lines joined (labels and cells wrap)."""
    view.lay_out_all()
    assert view.grid is not None
    r = next(i for i, row in enumerate(view.grid.rows) if row.metric == metric)
    laid = view._laid[r]
    assert laid is not None
    return " ".join(line.plain.strip() for column in laid.columns for line in column)


EXTRA = """id: {sid}
title: An added article {sid}
kind: news
claims:
{claims}"""
EXTRA_CLAIM = """  - id: {sid}-{i}
    entity: meta
    topic: job-cuts
    summary: Added claim {i} about Meta's cuts
    quote: words {i}
    status: reported
    metric: employees-cut
    value: {value}
    unit: employees
    period: "2026"
"""


def add_three_files_that_sort_first(data: Path) -> None:
    for sid in ("aaa-first", "aab-second", "aac-third"):
        claims = "".join(EXTRA_CLAIM.format(sid=sid, i=i, value=8000 + i) for i in range(12))
        (data / "sources" / f"{sid}.yaml").write_text(EXTRA.format(sid=sid, claims=claims))


# --- the grid on screen --------------------------------------------------------------------


async def test_meta_vs_microsoft_shows_every_topic(founding: Path, tmp_path: Path) -> None:
    app = founding_app(founding, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_compare(app, pilot)
        grid = view.grid
        assert [e["id"] for e in grid.entities] == ["meta", "microsoft"]
        text = view.text
        conn = open_readonly(app.store_path)
        topics = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT topics.label FROM claims JOIN topics ON topics.id = claims.topic "
                "WHERE claims.qentity IN ('meta', 'microsoft')"
            )
        ]
        for label in topics:
            assert any(line.startswith(label[:12]) for line in text.splitlines()), label
        assert "Rule of 70" in text
        workforce = row_text(view, "workforce-cut-pct")
        # at odds (!), not contradicting (⚠): the ">= 20 %" is a possibility and a projection, the 10 % a report
        assert "! 10 %" in workforce and "! ≥ 20 %" in workforce
        n = grid.disputed_cells
        assert n >= 1 and f"{n} disputed cell{'' if n == 1 else 's'} ·" in str(view.border_subtitle)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_the_grid_lists_the_sources_on_screen_and_labels_rows_as_the_registry(founding: Path, tmp_path: Path, size) -> None:
    """A legend under the grid names the sources of the rows on screen, with the numbers the
    cells carry; a quantity's row is labelled with metrics.yaml's label; a topic's row leads
    with the cells of an article's own table (SynapNews's "Second wave possible H2 2026")."""
    shutil.copy(REPO / "data" / "metrics.yaml", founding / "metrics.yaml")
    app = founding_app(founding, tmp_path)
    async with app.run_test(size=size) as pilot:
        view = await open_compare(app, pilot)
        screen = [view.render_line(y).text for y in range(view.size.height)]
        legend = " ".join(screen[-view.LEGEND_LINES :])
        body = "\n".join(screen[: -view.LEGEND_LINES])
        numbers = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
        listed = {int(n) for n in re.findall(r"\[(\d+)\]", legend)}
        # every number on screen is listed; the legend lists the sources of the rows on screen
        # (a row the bottom edge cuts included: its last marks may be below the edge)
        of_rows = {
            view.grid.sources[s]
            for r in view.visible_rows()
            for eid in ("meta", "microsoft")
            if (cell := view.grid.cell(view.grid.rows[r], eid)) is not None
            for item in cell.figures
            for s in item.sources
        }
        assert numbers and numbers <= listed <= of_rows
        assert "[2] SynapNews" in legend  # the numbers are those of the cells
        labels = [row.label for row in view.grid.rows if row.metric]
        assert "Share of the workforce offered voluntary retirement" in labels
        assert not any("retirement eligible" in label for label in labels)
        jobs = next(i for i, row in enumerate(view.grid.rows) if row.topic == "job-cuts" and row.metric is None)
        cell = view.grid.cell(view.grid.rows[jobs], "meta")
        assert cell is not None and cell.tables[0] and "second wave" in cell.statements[0]


async def test_only_the_rows_on_screen_are_laid_out_before_the_first_frame(founding: Path, tmp_path: Path) -> None:
    """The grid lays out the rows the screen shows, the rest in batches after the frame
    (issue 23: the grid of two entities of 100,000 claims laid out 472 rows twice)."""
    app = founding_app(founding, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_compare(app, pilot)
        rows = len(view.grid.rows)
        assert rows > view.body_height  # the case: a grid taller than the screen
        view.relayout()
        laid = sum(x is not None for x in view._laid)
        assert laid <= view.body_height < rows
        await pilot.pause(0.5)  # the batches
        assert all(x is not None for x in view._laid)
        assert "Meta Platforms" in view.text.splitlines()[0]


def test_the_first_screen_is_read_from_the_first_topics_and_the_rest_numbered_on(founding: Path, tmp_path: Path) -> None:
    """`head` reads topic by topic and fills row by row until the screen is full (issue 23:
    at a million claims the whole skeleton and 33 rows were read before the first frame);
    its rows begin the whole grid's, its cells and source numbers are those of the whole
    grid, and the rest is filled on from them (`take`)."""
    db_path = tmp_path / "store.db"
    build_store(load_corpus(founding), db_path)
    conn = open_readonly(db_path)
    ids = ["meta", "microsoft"]
    whole = headline(conn, ids)
    asked: list[int] = []

    def three_rows(grid: Grid) -> bool:
        asked.append(len(grid.filled))
        return len(grid.filled) >= 3

    first = head(conn, ids, three_rows)
    assert not first.whole and asked == [1, 2, 3]  # asked after each row filled, stopped at the third
    keys = [r.key for r in first.rows]
    assert keys == [r.key for r in whole.rows[: len(keys)]] and len(keys) < len(whole.rows)
    assert {r.key for r in first.rows[:3]} == first.filled
    assert {k: c for k, c in first.cells.items() if k[0] in first.filled} == {
        k: c for k, c in whole.cells.items() if k[0] in first.filled
    }
    assert first.sources == {s: n for s, n in whole.sources.items() if n <= len(first.sources)}
    rest = skeleton(conn, ids)
    assert rest.take(first)
    from tui.store.grid import fill

    fill(conn, rest, rest.rows)
    assert rest.cells == whole.cells and rest.sources == whole.sources and rest.disputed_cells == whole.disputed_cells
    everything = head(conn, ids, lambda grid: False)  # a screen the grid never fills: every topic read
    assert everything.whole and [r.key for r in everything.rows] == [r.key for r in whole.rows]
    assert everything.cells == whole.cells and everything.sources == whole.sources
    assert not skeleton(conn, ["microsoft"]).take(first)  # not its first rows: nothing taken


async def test_the_first_frame_shows_the_first_screen_then_the_whole_grid(founding: Path, tmp_path: Path) -> None:
    """The first grid on screen is the first topics' rows, filled (the subtitle says the rest
    is being counted); then the whole grid, identical to `pivot compare`'s."""
    app = founding_app(founding, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown: list[tuple[bool, int, str]] = []  # each grid shown: whole, its rows, the subtitle said
        original = CompareScreen._titles

        def spy(screen: CompareScreen, grid: Grid) -> None:
            original(screen, grid)
            shown.append((grid.whole, len(grid.rows), str(grid_of(app).border_subtitle)))

        CompareScreen._titles = spy  # type: ignore[method-assign]
        try:
            view = await open_compare(app, pilot)
        finally:
            CompareScreen._titles = original  # type: ignore[method-assign]
        whole = headline(open_readonly(app.store_path), ["meta", "microsoft"])
        assert shown[0][0] is False and shown[0][1] < len(whole.rows) and "counting topics…" in shown[0][2]
        assert shown[-1][:2] == (True, len(whole.rows)) and "disputed cell" in shown[-1][2]
        assert view.grid.cells == whole.cells and view.grid.sources == whole.sources
        first_row = view.render_line(view.HEADER_LINES).text
        assert all(cell.strip() not in ("", "…") for cell in first_row.split("│")[1:])  # filled, not pending


async def test_the_footer_composes_once_as_the_screen_opens_and_follows_the_focus(founding: Path, tmp_path: Path) -> None:
    """The compare screen's footer is composed once or twice as it opens, not once per
    binding announcement (five, ~20 ms each at a million claims), and still shows the keys
    of what has the focus: the grid's `enter` (Open cell) goes when the picker has it."""
    from textual.widgets._footer import FooterKey

    from tui.widgets.footer import Footer

    composed: list[str] = []
    original = Footer.recompose

    async def counted(footer: Footer) -> None:
        composed.append(type(footer.screen).__name__)
        await original(footer)

    app = founding_app(founding, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        Footer.recompose = counted  # type: ignore[method-assign]
        try:
            await open_compare(app, pilot)
        finally:
            Footer.recompose = original  # type: ignore[method-assign]

        def keys() -> list[str]:
            return [k.description for k in app.screen.query_one(Footer).query(FooterKey)]

        assert 1 <= composed.count("CompareScreen") <= 2 and "MainScreen" not in composed
        assert "Open cell" in keys() and "Back" in keys()
        await pilot.press("p")
        await settle(pilot)
        assert "Open cell" not in keys() and "Back" in keys()
        await pilot.press("escape")
        await settle(pilot)
        assert "Open cell" in keys()


async def test_the_disagreement_survives_three_files_that_sort_first(founding: Path, tmp_path: Path) -> None:
    add_three_files_that_sort_first(founding)
    app = founding_app(founding, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_compare(app, pilot)
        assert view.grid.disputed_cells >= 1
        workforce = row_text(view, "workforce-cut-pct")
        assert "! 10 %" in workforce and "! ≥ 20 %" in workforce  # at odds: a possibility against a report
        # the added figures: one line each for distinct values, capped and counted
        employees = view.grid.cell(next(r for r in view.grid.rows if r.metric == "employees-cut"), "meta")
        assert employees is not None and employees.more_figures > 0


async def test_both_columns_are_on_screen_at_80_by_24(founding: Path, tmp_path: Path) -> None:
    app = founding_app(founding, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_compare(app, pilot)
        grid = grid_of(app)
        header = grid.text.splitlines()[0]
        assert "Meta Platforms" in header and "Microsoft" in header
        # whole: no line runs under the vertical scrollbar (the last column was cut by its
        # width when the grid was laid out before the scrollbar appeared)
        assert grid.max_scroll_y > 0  # the case: the grid is taller than the screen
        room = grid.scrollable_content_region.width
        assert all(len(line.rstrip()) <= room for line in grid.text.splitlines())


async def test_cursor_moves_drills_down_and_comes_back_to_the_same_cell(founding: Path, tmp_path: Path) -> None:
    app = founding_app(founding, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_compare(app, pilot, "workforce-cut-pct")
        target = view.cursor[0]
        await pilot.press("l", "h")
        assert view.cursor == (target, 0)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one("#query", Input).value == "company:meta topic:job-cuts metric:workforce-cut-pct"
        table = app.screen.query_one(ClaimsTable)
        rows = [table.row_at(i) for i in range(table.total)]
        assert rows and all(r["qentity"] == "meta" and r["metric"] == "workforce-cut-pct" for r in rows)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert grid_of(app).cursor == (target, 0)
        assert [e["id"] for e in grid_of(app).grid.entities] == ["meta", "microsoft"]


async def test_picks_are_kept_and_a_filter_naming_entities_is_compared(founding: Path, tmp_path: Path) -> None:
    """The picker, and c on a filter naming two entities; which entities a filter's names
    come to (one named beside the last picks) is test_session.py::test_a_filter_naming_entities_is_compared."""
    app = founding_app(founding, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("p")  # the picker, hidden by default
        await settle(pilot)
        picker = app.screen.query_one("#picker")
        assert picker.display and picker.has_focus
        await pilot.press("slash", *"amazon", "enter")  # find it; enter picks the first found
        await settle(pilot)
        values = [picker.get_option_at_index(i).value for i in range(picker.option_count)]
        assert "amazon" in values  # the picks stay listed beside what is found
        assert [e["id"] for e in grid_of(app).grid.entities] == ["meta", "microsoft", "amazon"]
        await pilot.press("escape")  # out of the picker, closed
        await settle(pilot)
        assert not app.screen.query_one("#picker-pane").display and grid_of(app).has_focus
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert [e["id"] for e in grid_of(app).grid.entities] == ["meta", "microsoft", "amazon"]
        assert not app.screen.query_one("#picker-pane").display  # not left open for the next visit
        await pilot.press("escape")
        await settle(pilot)
        app.screen.query_one("#query", Input).value = "company:amazon company:alphabet"
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert [e["id"] for e in grid_of(app).grid.entities] == ["amazon", "alphabet"]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_amazon_and_alphabet_in_a_few_keys_with_a_cursor_at_once(founding: Path, tmp_path: Path, size) -> None:
    """The picker: a cursor before the first key, narrow beside the grid, type-to-find with
    enter picking, x to start from no pick; closed again once left."""
    app = founding_app(founding, tmp_path)
    async with app.run_test(size=size) as pilot:
        await open_compare(app, pilot)
        await pilot.press("p")
        await settle(pilot)
        picker = app.screen.query_one("#picker")
        assert picker.has_focus and picker.highlighted == 0  # a visible cursor at once
        pane = app.screen.query_one("#picker-pane")
        assert pane.size.width <= 26 and grid_of(app).size.width >= size[0] - 28
        keys = ["escape", "x", *"amazon", "enter", *"alphabet", "enter", "escape"]
        await pilot.press(*keys)
        await settle(pilot)
        assert len(keys) <= 20
        assert [e["id"] for e in grid_of(app).grid.entities] == ["amazon", "alphabet"]
        assert not pane.display and grid_of(app).has_focus
        header = grid_of(app).text.splitlines()[0]
        assert "Amazon" in header and "Alphabet" in header


async def test_more_entities_than_columns_say_so(founding: Path, tmp_path: Path) -> None:
    app = founding_app(founding, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_compare(app, pilot)
        await pilot.press("slash", *"amazon", "enter", "escape")
        await settle(pilot)
        view = grid_of(app)
        assert [e["id"] for e in view.grid.entities] == ["meta", "microsoft", "amazon"]
        header = view.text.splitlines()[0]
        assert "more (l) ▶" in header  # the third is one l away
        await pilot.press("l", "l")
        await settle(pilot)
        header = view.text.splitlines()[0]
        assert "Amazon" in header and "◀" in header


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_v_shows_every_claim_in_full_and_back(founding: Path, tmp_path: Path, size) -> None:
    """Every claim of every cell (no "+N more"), each figure with its period, inside the
    view (its right border and the sources' legend drawn, no cell cut), j g G moving it;
    the sources numbered as the grid numbers them."""
    app = founding_app(founding, tmp_path)
    async with app.run_test(size=size) as pilot:
        view = await open_compare(app, pilot)
        numbers = dict(view.grid.sources)
        await pilot.press("v")
        await settle(pilot)
        full = app.screen.query_one("#full", RenderedView)
        assert full.display and not grid_of(app).display and full.has_focus
        text = full.text
        assert "sources disagree" in text and "$115–135 B (2026)" in text
        assert not re.search(r"\+ ?[\d,]+ more", text)  # no "+N more": every claim
        conn = open_readonly(app.store_path)
        total = conn.execute("SELECT count(*) FROM claims WHERE qentity IN ('meta', 'microsoft') AND draft = 0").fetchone()[0]
        assert sum(text.count(f"[{n}]") for n in range(1, 40)) >= total  # each claim with its source
        room = full.scrollable_content_region.width
        lines = text.splitlines()
        assert all(len(line) <= room for line in lines)  # the right border inside the view
        assert max(len(line) for line in lines) >= room - 4  # and the table as wide as the view
        assert sum(1 for line in lines if line.rstrip().endswith(("│", "┃", "┓", "┩", "┘", "┛", "┐"))) > 10
        labels = dict(conn.execute("SELECT id, coalesce(publisher, title) FROM sources").fetchall())
        legend = " ".join(" ".join(lines).split())
        for sid, n in numbers.items():  # the legend: the grid's numbers
            assert f"[{n}] {labels[sid][:10]}" in legend
        # the Rule of 70 cell whole: "Rule of 70" and what follows it are on the lines of one cell
        assert "Rule of 70" in text
        await pilot.press("j", "j")
        await settle(pilot)
        assert full.scroll_y == 2
        await pilot.press("G")
        await settle(pilot)
        assert full.scroll_y == full.max_scroll_y > 2
        await pilot.press("g")
        await settle(pilot)
        assert full.scroll_y == 0
        await pilot.press("v")
        await settle(pilot)
        assert grid_of(app).display and not full.display


async def test_f_draws_every_sources_figure_on_one_axis(founding: Path, tmp_path: Path) -> None:
    app = founding_app(founding, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_compare(app, pilot, "workforce-cut-pct")
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FigureScreen)
        text = app.screen.query_one("#figure-body", RenderedView).text
        lines = text.splitlines()
        twenty = [line for line in lines if "≥ 20 %" in line]
        assert twenty and all("▶" in line for line in twenty)  # an open bound runs to the edge
        assert any("╌" in line and "~10 %" in line for line in lines)  # "about" drawn with its band
        # each quantity by its label (the registry's, else one read from its id), not its id
        assert "SynapNews 2026-04-25" in text and "Related measures" in text and "Employees cut" in text
        assert "employees-cut" not in text
        note = str(app.screen.query_one("#figure-note").content)
        # a possibility against a report is at odds, never "cannot both hold"
        assert note.startswith("Quote: ") and "a possibility (≥ 20 %" in note and "the figures do not meet" in note
        assert "cannot both hold" not in note
        start = app.screen.cursor
        assert app.screen.plot.rows[start]["relation"] == "at-odds"  # it opens on the disagreement
        await pilot.press("j")
        await settle(pilot)
        assert app.screen.cursor == start + 1
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)


async def test_f_on_a_claim_of_the_main_table(founding: Path, tmp_path: Path) -> None:
    app = founding_app(founding, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#query", Input).value = "id:reb-tbl-2026-magnitude"
        await settle(pilot)
        app.screen.query_one(ClaimsTable).focus()
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FigureScreen)
        plot = app.screen.plot
        # the event's figure is drawn with Meta's other figures for the quantity
        assert plot is not None and plot.entity == "meta" and len({r["source"] for r in plot.rows}) >= 2
        assert plot.rows[app.screen.cursor]["id"] == "reb-tbl-2026-magnitude"


# --- the CLI agrees with the screen cell for cell -------------------------------------------------


def test_pivot_compare_prints_the_same_headline_grid(founding: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "store.db"
    build_store(load_corpus(founding), db_path)
    conn = open_readonly(db_path)
    grid = headline(conn, ["meta", "microsoft"])
    runner = CliRunner()
    out = runner.invoke(main, ["compare", "meta", "microsoft", "--format", "md", "--data", str(founding), "--db", str(db_path)])
    assert out.exit_code == 0, out.output
    tokens = MarkdownIt("commonmark").enable("table").parse(out.stdout)
    cells, row = [], []
    for t in tokens:
        if t.type == "tr_open":
            row = []
        elif t.type == "inline" and any(x.type in ("td_open", "th_open") for x in tokens[tokens.index(t) - 1 : tokens.index(t)]):
            row.append(t.content)
        elif t.type == "tr_close":
            cells.append(row)
        elif t.type == "table_close":
            break  # the grid; every claim follows it in a table of its own
    header, body = cells[0], cells[1:]
    assert header == ["Topic", "Meta Platforms", "Microsoft"]
    assert len(body) == len(grid.rows)
    # the export hides nothing the grid leaves out: what a cell does not lead with is "below",
    # under "Every claim", where every reviewed claim of both entities is (by its summary)
    assert "more)" not in out.stdout and "## Every claim" in out.stdout
    full = db.compare(conn, ["meta", "microsoft"])
    every = html.unescape(
        re.sub(r"<[^>]+>", " ", MarkdownIt("commonmark").enable("table").render(out.stdout.split("## Every claim", 1)[1]))
    )
    every = " ".join(every.split())
    summaries = [claim["summary"] for c in full.cells.values() for claim in c.claims]
    assert summaries and all(" ".join(x.split()) in every for x in summaries)
    for r, md_row in zip(grid.rows, body):
        for e, md_cell in zip(grid.entities, md_row[1:]):
            cell = grid.cell(r, e["id"])
            if r.metric and cell is not None:
                said = "".join(p for p, _ in figure_parts(grid, r, cell))
                rendered = MarkdownIt("commonmark").renderInline(md_cell)
                assert rendered.replace("&gt;", ">").replace("&lt;", "<") == said.replace("~", "~")
    table = runner.invoke(
        main, ["compare", "meta", "microsoft", "--data", str(founding), "--db", str(db_path)], env={"COLUMNS": "140"}
    )
    assert "! 10 %" in table.stdout and "Rule of 70" in table.stdout  # at odds
    full = runner.invoke(
        main, ["compare", "meta", "microsoft", "--full", "--format", "md", "--data", str(founding), "--db", str(db_path)]
    )
    assert "sources disagree" in full.stdout


def test_every_figure_carries_its_period_in_every_format(founding: Path, tmp_path: Path) -> None:
    """Stated, presumed from the article's date, or said to be missing: beside every figure of
    the grid, the Markdown of every claim, and in the JSON and CSV rows (period, period_presumed)."""
    import csv
    import io
    import json

    from tui.store import db
    from tui.store.export import render_compare
    from tui.store.grid import period_note

    db_path = tmp_path / "store.db"
    build_store(load_corpus(founding), db_path)
    conn = open_readonly(db_path)
    ids = ["meta", "microsoft"]
    figures = conn.execute(
        "SELECT summary, period, presumed_period FROM claims WHERE qentity IN ('meta', 'microsoft') "
        "AND value_low IS NOT NULL AND draft = 0"
    ).fetchall()
    assert any(r["period"] is None and r["presumed_period"] for r in figures)  # the case: a presumed period
    grid = headline(conn, ids)
    for row in grid.rows:
        for e in ids:
            cell = grid.cell(row, e)
            if row.metric and cell is not None:
                parts = figure_parts(grid, row, cell)
                values = [i for i, (_, kind) in enumerate(parts) if kind.startswith("value")]
                assert all(parts[i + 1][1] == "period" for i in values), parts
    md = render_compare(conn, db.compare(conn, ids), "md")
    for r in figures:
        assert f"{period_note(r['period'], r['presumed_period'])} — {r['summary']}" in md.replace("\\", ""), r["summary"]
    undated = {r[0] for r in conn.execute("SELECT id FROM claims WHERE period IS NULL AND presumed_period IS NULL")}
    records = json.loads(render_compare(conn, db.compare(conn, ids), "json"))
    claims = [c for t in records["topics"] for cell in t["cells"].values() for c in cell["claims"] if c["value"] is not None]
    assert claims and all(c["period"] or c["period_presumed"] or c["id"] in undated for c in claims)
    rows = list(csv.DictReader(io.StringIO(render_compare(conn, db.compare(conn, ids), "csv"))))
    assert all(r["period"] or r["period_presumed"] or r["id"] in undated for r in rows if r["value_low"])


def test_pivot_figure_draws_bars_and_plain_text_under_term_dumb(founding: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "store.db"
    runner = CliRunner()
    args = ["figure", "company:meta", "metric:workforce-cut-pct", "--data", str(founding), "--db", str(db_path)]
    out = runner.invoke(main, args, env={"COLUMNS": "120"})
    assert out.exit_code == 0, out.output
    assert "●" in out.stdout and "▶" in out.stdout and "\x1b" not in out.stdout
    dumb = runner.invoke(main, args, env={"COLUMNS": "120", "TERM": "dumb"})
    assert "o" in dumb.stdout and ">" in dumb.stdout and "●" not in dumb.stdout and "\x1b" not in dumb.stdout
    none = runner.invoke(main, ["figure", "is:qualitative", "--data", str(founding), "--db", str(db_path)])
    assert none.exit_code == 1 and "no numeric claim" in none.output


def test_the_story_of_a_figure_orders_it_by_the_sources_dates(tmp_path: Path) -> None:
    """`pivot figure --order date` (and `t` in the figure view): each source's figure as it was
    printed, earliest first, undated last; a revised guidance reads as its revision."""
    data = tmp_path / "data"
    (data / "sources").mkdir(parents=True)
    (data / "entities.yaml").write_text("entities:\n  - {id: meta, name: Meta, kind: company}\n")
    (data / "topics.yaml").write_text("topics:\n  - {id: ai-capex, label: AI capex, order: 1}\n")
    claim = (
        "  - {{id: {sid}-c, entity: meta, topic: ai-capex, summary: Meta guides {v} B, quote: q, metric: ai-capex-usd,\n"
        "     value: {v}000000000, unit: USD, period: '2026', status: projected}}\n"
    )
    for sid, date, v in (
        ("may", "2026-05-02", 145),
        ("jan", "2026-01-29", 115),
        ("undated", None, 130),
        ("apr", "2026-04-25", 135),
    ):
        dated = f"published: {date}\n" if date else ""
        (data / "sources" / f"{sid}.yaml").write_text(
            f"id: {sid}\ntitle: {sid.title()}\nkind: news\n{dated}claims:\n" + claim.format(sid=sid, v=v)
        )
    args = ["figure", "metric:ai-capex-usd", "--data", str(data), "--db", str(tmp_path / "s.db")]
    by_date = CliRunner().invoke(main, [*args, "--order", "date"], env={"COLUMNS": "140"})
    assert by_date.exit_code == 0, by_date.output
    order = [name for line in by_date.stdout.splitlines() for name in ("Jan", "Apr", "May", "Undated") if f"] {name}" in line]
    assert order == ["Jan", "Apr", "May", "Undated"]
    by_period = CliRunner().invoke(main, args, env={"COLUMNS": "140"})
    order = [name for line in by_period.stdout.splitlines() for name in ("Jan", "Apr", "May", "Undated") if f"] {name}" in line]
    assert order == ["Jan", "Undated", "Apr", "May"]  # by value within the period
    conn = open_readonly(tmp_path / "s.db")
    # the dated three revise one another; the undated projection cannot be placed in the story, so
    # its figure, which meets none of theirs, is at odds with each (and each with it)
    counts = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, revise_count, odds_count FROM claims")}
    assert counts == {"jan-c": (2, 1), "apr-c": (2, 1), "may-c": (2, 1), "undated-c": (0, 3)}


def test_a_cell_is_summarised_whole_whatever_its_size(tmp_path: Path) -> None:
    """A disputed figure read last in a cell of 600 claims still marks the cell."""
    data = tmp_path / "data"
    (data / "sources").mkdir(parents=True)
    (data / "entities.yaml").write_text("entities:\n  - {id: meta, name: Meta, kind: company}\n")
    (data / "topics.yaml").write_text("topics:\n  - {id: job-cuts, label: Job reductions, order: 1}\n")
    many = "".join(EXTRA_CLAIM.format(sid="aaa", i=i, value=9000 + i).replace('"2026"', '"2025"') for i in range(600))
    (data / "sources" / "aaa.yaml").write_text(EXTRA.format(sid="aaa", claims=many))
    for sid, value in (("zzy", 100), ("zzz", 50000)):
        (data / "sources" / f"{sid}.yaml").write_text(EXTRA.format(sid=sid, claims=EXTRA_CLAIM.format(sid=sid, i=0, value=value)))
    db_path = tmp_path / "store.db"
    build_store(load_corpus(data), db_path)
    grid = headline(open_readonly(db_path), ["meta"])
    assert grid.disputed_cells == 1
    cell = grid.cell(next(r for r in grid.rows if r.metric), "meta")
    assert cell is not None and cell.more_figures == 602 - len(cell.figures)


def test_a_figure_keeps_the_articles_qualifier_in_every_face_of_the_comparison(founding: Path, tmp_path: Path) -> None:
    """Issue 20: a label from the quantity's name lost "US" ("retirement eligible %" for a
    programme that targets 7 % of the US workforce). The row is the registry's label, and the
    figure keeps the article's own words (`scope`) in the grid, its Markdown and `v`; two
    claims of one figure worded "of its US workforce" and "of US workforce" show the shorter."""
    shutil.copy(REPO / "data" / "metrics.yaml", founding / "metrics.yaml")  # the registry's labels
    db_path = tmp_path / "store.db"
    build_store(load_corpus(founding), db_path)
    conn = open_readonly(db_path)
    grid = headline(conn, ["meta", "microsoft"])
    row = next(r for r in grid.rows if r.metric == "retirement-eligible-pct")
    assert row.label == "Share of the workforce offered voluntary retirement"
    cell = grid.cell(row, "microsoft")
    assert cell is not None and [f.text for f in cell.figures] == ["7 % of US workforce"]
    said = "".join(p for p, _ in figure_parts(grid, row, cell))
    assert said.startswith("7 % of US workforce (2026) [")
    out = CliRunner().invoke(
        main, ["compare", "meta", "microsoft", "--format", "md", "--data", str(founding), "--db", str(db_path)]
    )
    assert "| · Share of the workforce offered voluntary retirement | · | 7 % of US workforce (2026) \\[" in out.stdout
    assert "7 % of its US workforce (2026) — " in out.stdout  # every claim, in its own article's words
    # a merged figure whose claims name different scopes shows none rather than a wrong one
    from tui.store.grid import _one_scope

    assert _one_scope("of its US workforce", "of US workforce") == "of US workforce"
    assert _one_scope("of US workforce", "of global workforce") is None
    assert _one_scope("of US workforce", None) is None


def test_a_cells_figures_and_its_more_note_wrap_whole_at_80_columns(founding: Path, tmp_path: Path) -> None:
    """Issue 20: at 80x24 "≥ 20 %" wrapped away from its mark and "+7 more" from its count.
    A figure (mark, value, scope, period, sources) starts a new line rather than break, and a
    table cell's "+N more" is whole on its last line or on a line of its own."""
    from tui.widgets.compare_grid import figure_lines, statement_lines

    db_path = tmp_path / "store.db"
    build_store(load_corpus(founding), db_path)
    grid = headline(open_readonly(db_path), ["meta", "microsoft"])
    for width in (20, 27, 40):
        for row in grid.rows:
            cell = grid.cell(row, "meta")
            if cell is None:
                continue
            if row.metric:
                said = "".join(p for p, _ in figure_parts(grid, row, cell))
                figures = [f.strip() for f in said.split(" · ")]
                lines = [line.plain for line in figure_lines(grid, row, cell, width)]
                assert all(len(line) <= width for line in lines)
                for f in figures:  # each figure that fits a line is on one line
                    assert len(f) > width or any(f in line for line in lines), (f, lines)
            else:
                lines = [line.plain for line in statement_lines(cell, width, 3)]
                assert not any(re.search(r"\+[\d,]+$", line) for line in lines), lines  # never "+7" / "more"
                assert all(len(line) <= width for line in lines), lines
