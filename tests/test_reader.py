"""The reader view (`o`): a claim beside its saved source text, the quote found the way
`pivot check` verifies it (whitespace aside), n / N through the source's quotes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static

from pilot import settle
from tui.app import PivotApp
from tui.screens.reader import ReaderScreen
from tui.texts import find_text, locate, paragraphs
from tui.widgets.claims_table import ClaimsTable

SIZE = (120, 40)
SMALL = Path(__file__).resolve().parent / "fixtures" / "small"

# alpha.txt, as an article is saved: the quotes broken across lines and spaces doubled
ALPHA = """Big Tech Cuts Jobs to Fund AI

Meta will cut approximately
8,000 employees, about 10%  of its global workforce, while it spends
an estimated $115 billion to $135 billion on AI infrastructure in 2026.

Microsoft reported 15,000 layoffs in 2025 and a second round of 9,000; it has
committed over $80 billion towards its AI infrastructure, targeting 7% of its US workforce.

The trade: human headcount for compute power. Reorganizing remaining staff into 'AI pods.'
"""


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch) -> Path:
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    (data / "texts").mkdir()
    (data / "texts" / "alpha.txt").write_text(ALPHA, encoding="utf-8")
    monkeypatch.delenv("PIVOT_TEXTS", raising=False)
    return data


def plain(renderable) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_a_quote_is_found_whitespace_aside() -> None:
    span = locate(ALPHA, "cut approximately 8,000 employees")
    assert span is not None and ALPHA[span.start : span.end] == "cut approximately\n8,000 employees"
    span = locate(ALPHA, "about 10% of its global workforce")
    assert ALPHA[span.start : span.end] == "about 10%  of its global workforce"
    assert locate(ALPHA, "about 11% of its global workforce") is None
    assert [ALPHA[p.start : p.end].split()[0] for p in paragraphs(ALPHA)] == ["Big", "Meta", "Microsoft", "The"]


def test_a_document_outside_the_texts_folders_is_never_followed(corpus: Path) -> None:
    assert find_text("alpha.txt", corpus) == corpus / "texts" / "alpha.txt"
    assert find_text("../data/texts/alpha.txt", corpus) is None
    assert find_text(str(corpus / "texts" / "alpha.txt"), corpus) is None
    assert find_text(None, corpus) is None


async def open_reader(pilot, app: PivotApp, claim_id: str) -> ReaderScreen:
    app.main.set_query(f"id:{claim_id}")
    await settle(pilot)
    app.screen.query_one(ClaimsTable).focus()
    await pilot.press("o")
    await settle(pilot)
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


async def test_o_opens_the_source_text_with_the_quote_highlighted_and_n_N_walk_the_quotes(
    corpus: Path, tmp_path: Path, make_app
) -> None:
    """o opens the reader on the claim's quote; n and N walk the text's quotes; escape
    closes it; enter in the detail pane opens it as o does."""
    app = make_app("small", editable=True)  # the corpus fixture's copy, with its texts
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_reader(pilot, app, "alpha-meta-cut")
        assert reader.current_claim == "alpha-meta-cut"
        marked = [p for p in reader.query(".reader-para") if plain(p.content).startswith("▶")]
        assert len(marked) == 1
        content = marked[0].content
        highlighted = [content.plain[s.start : s.end] for s in content.spans if "reverse" in str(s.style)]
        assert highlighted == ["cut approximately\n8,000 employees"]
        order = [q.claim_id for q in reader.loaded.quotes]
        assert order.index("alpha-meta-cut") + 1 < len(order)
        header = reader.query_one("#reader-claim", Static)
        first_summary = reader.row["summary"]
        assert plain(header.content).startswith(f"Claim: {first_summary}")
        await pilot.press("n")
        await settle(pilot)
        assert reader.current_claim == order[order.index("alpha-meta-cut") + 1]
        # the header names the claim whose quote is marked now (issue 20)
        now = next(q.summary for q in reader.loaded.quotes if q.claim_id == reader.current_claim)
        assert now != first_summary and plain(header.content).startswith(f"Claim: {now}")
        await pilot.press("N")
        await settle(pilot)
        assert reader.current_claim == "alpha-meta-cut"
        assert order[0] == "alpha-meta-cut"  # the first quote of the text: N stays and says so
        await pilot.press("N")
        await settle(pilot)
        assert reader.current_claim == "alpha-meta-cut"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ReaderScreen)
        # enter in the detail pane opens the reader too
        app.main.set_query("id:alpha-msft-layoffs")
        await settle(pilot)
        app.screen.query_one("#detail").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and app.screen.current_claim == "alpha-msft-layoffs"


async def test_the_reader_scrolls_to_a_quote_far_down(corpus: Path, tmp_path: Path, make_app) -> None:
    """The reader scrolls to a quote far down its text; without a saved text it says so."""
    long = ALPHA.replace(
        "Microsoft reported", "\n\n".join(f"Filler paragraph {i}." for i in range(80)) + "\n\nMicrosoft reported"
    )
    (corpus / "texts" / "alpha.txt").write_text(long, encoding="utf-8")
    app = make_app("small", editable=True)  # the corpus fixture's copy, with its texts
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_reader(pilot, app, "alpha-msft-capex")
        pane = reader.query_one("#reader-text")
        assert pane.scroll_y > 0
        widget = next(p for p in reader.query(".reader-para") if plain(p.content).startswith("▶"))
        assert pane.region.contains_region(widget.region) or pane.region.overlaps(widget.region)
        await pilot.press("escape")
        await settle(pilot)
        # a claim whose source has no saved text: the reader says so, and n walks nothing
        reader = await open_reader(pilot, app, "beta-meta-cut-pct")
        text = plain(reader.query_one("#reader-none").content)
        assert "No text is saved for this source" in text
        await pilot.press("n")  # nothing to walk: a message, no crash
        await settle(pilot)
        assert app.is_running
