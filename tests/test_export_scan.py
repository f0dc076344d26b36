"""The relation lists' search stops once its lists are full (issue 23's regression: at a
million claims the export spent 90 % of its time deciding candidates for lists that could
take no more, 50 million rule evaluations for 64,000 searches). Counted, not timed: the
candidates the figure rule decides per claim stay near what the lists hold, and stopping
early lists exactly what looking at every candidate lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import build
from helpers import all_claims
from test_export_stream import _corpus
from tui.store import open_readonly
from tui.store.export import LISTED_IDS, RelationLister
from tui.store.export.relations import RELATION_FIELDS, counts_of_mapping, figure_of_mapping

SOURCES = 200


def _quantity(root: Path) -> Path:
    """One quantity, one period, a source a claim (each dated apart): 120 state the same
    figure, 60 a range around it, 20 figures far above it (a contradiction with each other
    claim), so every claim's lists fill from a few of the 200 claims."""
    (root / "sources").mkdir(parents=True)
    (root / "entities.yaml").write_text("entities:\n  - {id: meta, name: Meta, kind: company}\n")
    (root / "topics.yaml").write_text("topics:\n  - {id: job-cuts, label: Job cuts, order: 1}\n")
    for s in range(SOURCES):
        value = "1000" if s < 120 else f"[900, {1100 + s}]" if s < 180 else str(5000 + 10 * s)
        lines = [
            f"id: s{s:03d}",
            f"title: Source {s}",
            "kind: news",
            f"published: 2026-{1 + s % 12:02d}-{1 + s % 28:02d}",
            "claims:",
            f"  - id: s{s:03d}-c0",
            "    entity: meta",
            "    topic: job-cuts",
            "    summary: Meta cuts staff",
            "    quote: cuts staff",
            "    metric: employees-cut",
            f"    value: {value}",
            "    unit: employees",
            "    period: '2026'",
            "    status: reported",
        ]
        (root / "sources" / f"s{s:03d}.yaml").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture(scope="module")
def quantity(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("one-quantity")
    return build(_quantity(root / "data"), root / "store.db")


@pytest.fixture(scope="module")
def crowd(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("crowd-scan")
    return build(_corpus(root / "data", sources=40, per_source=6, seed=11), root / "store.db")


def _examined_per_claim(conn, limit: int = LISTED_IDS) -> list[tuple[str, int, int]]:
    """(id, candidates decided, claims listed) for each claim."""
    lister = RelationLister(conn, limit=limit)
    out = []
    for r in all_claims(conn):
        f = figure_of_mapping(r)
        lister.load([(f.qentity, f.metric, f.unit)])
        before = lister.examined
        lists = lister.of(f, counts_of_mapping(r))
        out.append((r["id"], lister.examined - before, sum(len(v) for v in lists.values())))
    return out


def test_a_search_stops_once_its_lists_are_full(quantity: Path) -> None:
    """Each claim of a 200-claim quantity has its lists full from a few dozen candidates;
    looking on past them (every candidate of every place, ~300 a claim) is the regression."""
    conn = open_readonly(quantity)
    seen = _examined_per_claim(conn)
    assert len(seen) == SOURCES
    for cid, examined, listed in seen:
        assert listed >= LISTED_IDS, cid  # the lists are not trivially empty
        # every candidate decided is listed, but for at most one list's worth passed over
        assert examined <= listed + LISTED_IDS, (cid, examined, listed)
    assert sum(e for _, e, _ in seen) <= 3 * LISTED_IDS * SOURCES


def test_a_claim_with_nothing_to_list_decides_nothing(quantity: Path) -> None:
    """A claim whose stored counts say it relates to nobody (asked anyway) looks at no candidate."""
    conn = open_readonly(quantity)
    r = all_claims(conn)[0]
    lister = RelationLister(conn)
    f = figure_of_mapping(r)
    lister.load([(f.qentity, f.metric, f.unit)])
    assert all(not v for v in lister.of(f, (0, 0, 0, 0, 0)).values())
    assert lister.examined == 0


@pytest.mark.parametrize("limit", [3, LISTED_IDS])
@pytest.mark.parametrize("corpus", ["small", "bundled", "hostile", "crowd", "quantity"])
def test_stopping_early_lists_what_looking_everywhere_lists(corpus: str, limit: int, request) -> None:
    """With the stored counts (the search stops once its lists hold all they can) and without
    (it looks at every candidate of every place), each claim's lists are the same claims in
    the same order."""
    if corpus in ("small", "bundled"):
        conn = request.getfixturevalue(f"{corpus}_conn")
    else:
        path = request.getfixturevalue("hostile")[1] if corpus == "hostile" else request.getfixturevalue(corpus)
        conn = open_readonly(Path(path))
    rows = all_claims(conn)
    early, everywhere = RelationLister(conn, limit=limit), RelationLister(conn, limit=limit)
    compared = 0
    for r in rows:
        f = figure_of_mapping(r)
        if f.numeric:
            early.load([(f.qentity, f.metric, f.unit)])
            everywhere.load([(f.qentity, f.metric, f.unit)])
        elif not f.stances:
            continue
        got, want = early.of(f, counts_of_mapping(r)), everywhere.of(f)
        for name in RELATION_FIELDS:
            assert [x.id for x in got[name]] == [x.id for x in want[name]], (r["id"], name)
        compared += 1
    assert compared or not rows
