"""The two tables the bundled articles print, rebuilt from pivot (issue 20's "done means").

SynapNews prints "Comparison Table: Meta vs. Microsoft's AI Restructuring" (five aspects,
Meta beside Microsoft); the Rebalancing prints "Comparing the Waves of Contraction" (2023's
"Year of Efficiency" beside 2026's "AI Rebalancing"). Their cells are claims marked
`table: {name, row}` in data/sources/. Each test reads the article's table from its text in
../shared/seeds/ (its rows, one a line, each opening with its heading), checks that the
marked claims are that table's cells (every figure of a row is a claim of it), then that
`pivot compare` of the table's two columns holds every cell in its Markdown export (parsed
with markdown-it-py) and on screen at 120x40: each figure with its period, each statement
whole.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from markdown_it import MarkdownIt

from pilot import settle
from tui.app import PivotApp
from tui.cli import main
from tui.screens.compare import CompareScreen
from tui.store.fmt import format_value
from tui.widgets.compare_grid import CompareGrid

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / ".." / "shared" / "seeds"
TABLES = {  # source id -> the line that heads its table (the columns), as the text prints it
    "synapnews-ai-pivot": "Aspect Meta Microsoft",
    "ai-rebalancing-meta-layoffs": 'Feature 2023 "Year of Efficiency" 2026 "AI Rebalancing"',
}
NUMBER = re.compile(r"\d[\d,.]*")


def seeds() -> Path:
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the source articles are missing: {SEEDS.resolve()} does not exist")
        pytest.skip("the source articles (../shared/seeds) are not beside this checkout (skipped outside CI only)")
    return SEEDS


def article_table(source: dict, header: str, rows: list[str]) -> dict[str, str]:
    """{row heading: the rest of its line} for the table the article prints under `header`."""
    lines = (seeds() / source["document"]).read_text(encoding="utf-8").splitlines()
    start = lines.index(header) + 1
    body = []
    for line in lines[start:]:
        if not line.strip():
            break
        body.append(line.strip())
    table = {}
    for line in body:
        heading = next(h for h in rows if line.startswith(h + " "))
        table[heading] = line[len(heading) + 1 :]
    assert set(table) == set(rows), "every row the claims name is a row of the article's table"
    return table


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The bundled corpus's founding files (articles a user adds change nothing here)."""
    root = tmp_path_factory.mktemp("seed-tables")
    data = root / "data"
    (data / "sources").mkdir(parents=True)
    for name in ("entities.yaml", "topics.yaml", "propositions.yaml", "metrics.yaml"):
        shutil.copy(REPO / "data" / name, data / name)
    for sid in (*TABLES, "meta-ai-spending-analysis", "0xmetalabs-compute-shift", "meta-600-ai-layoffs"):
        shutil.copy(REPO / "data" / "sources" / f"{sid}.yaml", data / "sources" / f"{sid}.yaml")
    return data, root / "store.db"


def cells_of(source_id: str) -> tuple[dict, list[dict], list[str]]:
    source = yaml.safe_load((REPO / "data" / "sources" / f"{source_id}.yaml").read_text(encoding="utf-8"))
    cells = [c for c in source["claims"] if c.get("table")]
    columns = list(dict.fromkeys(c["entity"] for c in cells))
    return source, cells, columns


def markdown_cells(text: str) -> dict[str, list[str]]:
    """{row label: its cells} of the export's table, as a reader sees them (inline rendered)."""
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    rows: list[list[str]] = []
    for i, t in enumerate(tokens):
        if t.type == "table_close":
            break  # the grid (every claim follows it, in a table of its own)
        if t.type == "tr_open":
            rows.append([])
        elif t.type == "inline" and tokens[i - 1].type in ("td_open", "th_open"):
            shown = re.sub(r"<[^>]+>", "\n", md.renderInline(t.content))
            rows[-1].append(shown.replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&"))
    return {r[0].lstrip("· ").strip(): r[1:] for r in rows[1:]}


def figure_said(claim: dict, presumed: str | None) -> tuple[str, str]:
    """(the figure without its bound mark, its period as the comparison words it)."""
    value = claim["value"]
    low, high = (value, value) if not isinstance(value, list) else value
    period = claim.get("period")
    return format_value(low, high, claim.get("unit"), "exact"), f"({period})" if period else f"({presumed}, presumed)"


def said_with_period(text: str, figure: str, period: str, scope: str | None = None) -> bool:
    """The figure, then (where the claim has one) the article's qualifier of it, then its period."""
    flat = " ".join(text.split())
    words = [" ".join(w for w in scope.split() if w not in ("its", "the"))] if scope else []
    after = [f"{w} {period}" for w in words + ([scope] if scope else [])] or [period]
    return any(flat[m.end() :].lstrip().startswith(tuple(after)) for m in re.finditer(re.escape(figure), flat))


@pytest.mark.parametrize("source_id", sorted(TABLES))
def test_the_article_s_table_is_rebuilt_in_the_markdown_export(store: tuple[Path, Path], source_id: str) -> None:
    data, db_path = store
    source, cells, columns = cells_of(source_id)
    rows = list(dict.fromkeys(c["table"]["row"] for c in cells))
    table = article_table(source, TABLES[source_id], rows)
    for heading, line in table.items():
        mine = [c for c in cells if c["table"]["row"] == heading]
        assert all(c["quote"] in line for c in mine), heading  # each marked claim is a cell of this row
        quoted = " ".join(c["quote"] for c in mine)
        assert set(NUMBER.findall(line)) <= set(NUMBER.findall(quoted)), heading  # every figure of the row is a claim
    out = CliRunner().invoke(main, ["compare", *columns, "--format", "md", "--data", str(data), "--db", str(db_path)])
    assert out.exit_code == 0, out.output
    exported = markdown_cells(out.stdout)
    labels = {m["id"]: m["label"] for m in yaml.safe_load((data / "metrics.yaml").read_text())["metrics"]}
    topics = {t["id"]: t["label"] for t in yaml.safe_load((data / "topics.yaml").read_text())["topics"]}
    presumed = (source.get("published") or source.get("as_of") or "")[:4] or None
    for c in cells:
        col = columns.index(c["entity"])
        if "value" in c:
            text = exported[labels[c["metric"]]][col]
            figure, period = figure_said(c, presumed)
            assert said_with_period(text, figure, period, c.get("scope")), (c["id"], text)
        else:
            text = exported[topics[c["topic"]]][col]
            assert c["summary"] in text.replace("\n", " "), (c["id"], text)  # whole, never cut
        assert "…" not in text


@pytest.mark.parametrize("source_id", sorted(TABLES))
async def test_every_cell_of_the_article_s_table_is_on_screen(store: tuple[Path, Path], source_id: str) -> None:
    data, db_path = store
    _, cells, columns = cells_of(source_id)
    app = PivotApp(data_dir=data, db_path=db_path, export_dir=db_path.parent)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_compare(tuple(columns))
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen) and app.screen.complete
        view = app.screen.query_one("#grid", CompareGrid)
        view.lay_out_all()
        assert view.grid is not None
        for c in cells:
            r = next(i for i, row in enumerate(view.grid.rows) if row.topic == c["topic"] and row.metric == c.get("metric"))
            laid = view._laid[r]
            assert laid is not None
            shown = " ".join(line.plain.strip() for line in laid.columns[1 + columns.index(c["entity"])])
            if "value" in c:
                figure, period = figure_said(c, None)
                assert figure in shown and (period in shown or "presumed)" in shown), (c["id"], shown)
            else:
                assert c["summary"] in shown, (c["id"], shown)  # whole, wrapped, never cut
