"""Every query the explorer issues on its interactive path uses an index or the FTS index.

The statements are captured with SQLite's trace callback while the same db
functions the explorer calls run against a synthetic store, then each one is
put through EXPLAIN QUERY PLAN. A plain `SCAN claims` (a walk over the whole
table) is allowed only where the statement stops after one page by itself: a
page read in rowid order with a LIMIT, which SQLite chooses when most claims
match (the unfiltered list, or `is:conflict` where most claims conflict).
"""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

import pytest

from helpers import all_claims
from tui.query import build_filter
from tui.store import db
from tui.store.build import build_store
from tui.store.files import file_states
from tui.store.load import load_corpus
from tui.store.locate import open_readonly

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import synth

FILTERS = [
    "",
    "company:{top}",
    "topic:job-cuts",
    "status:estimated period:2025",
    "is:conflict",
    "value>=80b",
    "metric:employees-cut",
    "source:src-000003",
    "flag:no-byline",
    "speaker:{speaker}",
    "layoffs",
    "la",
    '"data centers"',
    "company:{top} layoffs",
    "topic:job-cuts cuts",
]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("plans")
    synth.generate(root / "corpus", 3_000, seed=3)
    path = root / "store.db"
    build_store(load_corpus(root / "corpus"), path, file_states(root / "corpus"))
    return path


def _capture(conn: sqlite3.Connection, fn) -> list[str]:
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        fn()
    finally:
        conn.set_trace_callback(None)
    return [s for s in seen if s.lstrip().upper().startswith("SELECT")]


def _full_scans(conn: sqlite3.Connection, sql: str) -> list[str]:
    plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
    return [line for line in plan if re.fullmatch(r"SCAN (claims|sources|entities)( AS \w+)?", line)]


@pytest.mark.parametrize("template", FILTERS)
def test_the_explorers_queries_use_an_index(store: Path, template: str) -> None:
    conn = open_readonly(store)
    top = conn.execute("SELECT id FROM entities ORDER BY claim_count DESC LIMIT 1").fetchone()[0]
    speaker = conn.execute("SELECT speaker FROM claims WHERE speaker IS NOT NULL LIMIT 1").fetchone()[0].split()[0]
    text = template.format(top=top, speaker=speaker)
    flt = build_filter(text, conn)

    def explorer_path() -> None:
        first = db.page(conn, flt, 0, 100)
        db.count_matches(conn, flt, cap=1_000)
        db.count_matches(conn, flt, cap=None, budget=2.0)
        db.facets(conn, flt, ("source", "topic", "status", "period", "flag"), budget=2.0)
        db.page(conn, flt, 200, 100)
        if first:
            db.related(conn, first[0])

    statements = _capture(conn, explorer_path)
    assert statements, "nothing was traced"
    offenders = {}
    for sql in statements:
        scans = _full_scans(conn, sql)
        flat = " ".join(sql.split())
        # A page read in rowid order (the claims table's own key) stops after one page of
        # matches; SQLite picks it over a filter index only when most rows match.
        page_in_key_order = bool(re.search(r"ORDER BY claims\.rowid LIMIT \d+ OFFSET \d+$", flat)) or "claims.rowid > " in sql
        if scans and not page_in_key_order:
            offenders[" ".join(sql.split())[:300]] = scans
    assert not offenders, f"full scans on the interactive path for {text!r}: {offenders}"


def test_compare_uses_the_entity_topic_index(store: Path) -> None:
    conn = open_readonly(store)
    ids = [r[0] for r in conn.execute("SELECT id FROM entities ORDER BY claim_count DESC LIMIT 2")]
    statements = _capture(conn, lambda: db.compare(conn, ids, None, 12))
    for sql in statements:
        assert not _full_scans(conn, sql), sql


def test_the_first_page_of_a_text_search_walks_the_text_index(store: Path) -> None:
    """Reading a page of `layoffs` must not collect every match first (it stops after a page)."""
    conn = open_readonly(store)
    flt = build_filter("layoffs", conn)
    statements = _capture(conn, lambda: db.page(conn, flt, 0, 100))
    plans = [row[3] for sql in statements for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
    assert any(p.startswith("SCAN claims_fts VIRTUAL TABLE") for p in plans), plans
    assert not any("USE TEMP B-TREE FOR ORDER BY" in p for p in plans), plans


@pytest.mark.parametrize(
    "typed", ["layo", "layoffs", "cuts", "data", "inve", "zzzz", "layoffs cuts", "-layoffs", "company:{top} inves"]
)
def test_expanded_prefixes_find_exactly_what_a_prefix_query_finds(store: Path, typed: str, monkeypatch) -> None:
    import tui.query

    conn = open_readonly(store)
    try:
        top = conn.execute("SELECT id FROM entities ORDER BY claim_count DESC LIMIT 1").fetchone()[0]
        flt = build_filter(typed.format(top=top), conn)
        assert flt.match is None or "*" not in flt.match or typed == "-layoffs"  # spelled out, not a prefix scan
        with monkeypatch.context() as m:
            m.setattr(tui.query, "_words_beginning", lambda conn, prefix: None)  # plain prefix queries
            native = build_filter(typed.format(top=top), conn)
        if typed == "layo":
            assert native.match == '"layo"*' and flt.match.startswith('("layoff')
        got = [r["id"] for r in all_claims(conn, flt)]
        want = [r["id"] for r in all_claims(conn, native)]
        assert got == want
        if typed in ("layo", "layoffs"):
            assert got  # the synthetic corpus has layoffs: the comparison is not empty == empty
    finally:
        conn.close()


def test_an_update_adds_the_new_words_to_the_expansion(tmp_path: Path) -> None:
    from tui.store.refresh import ensure_store

    corpus = tmp_path / "corpus"
    synth.generate(corpus, 300, seed=5)
    path = tmp_path / "store.db"
    ensure_store(corpus, path)
    extra = synth.extra_source(corpus, "zz-added", seed=9)
    extra.write_text(extra.read_text().replace("summary: ", "summary: Quokkanomics ", 1))
    assert ensure_store(corpus, path).built.mode == "update"
    conn = open_readonly(path)
    try:
        flt = build_filter("quokkan", conn)
        assert flt.match == '("quokkanomics")'
        assert [r["source"] for r in db.page(conn, flt, 0, 10)] == ["zz-added"]
    finally:
        conn.close()


SORTED = ["entity", "topic", "value", "period", "status", "source"]


@pytest.mark.parametrize("key", SORTED)
@pytest.mark.parametrize("descending", [False, True])
def test_a_sort_by_an_indexed_column_walks_its_index(store: Path, key: str, descending: bool) -> None:
    """`[` / `]` sort the whole result in SQL: unfiltered, a page walks the column's index
    (no sort of every claim, no full scan); filtered, the filter's index is used and only
    its matches are sorted. The claim's text (`summary`) has no index: a sort by it sorts
    the filter's matches, which is said in docs/performance.md."""
    conn = open_readonly(store)
    try:
        for text in ("", "topic:job-cuts", "company:{top}"):
            top = conn.execute("SELECT id FROM entities ORDER BY claim_count DESC LIMIT 1").fetchone()[0]
            flt = build_filter(text.format(top=top), conn)
            statements = _capture(conn, lambda flt=flt: db.sorted_page(conn, flt, (key, descending), 200, 100))
            assert len(statements) == 1
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statements[0])]
            assert not _full_scans(conn, statements[0]), (text, plan)
            if not text:
                assert not any("TEMP B-TREE" in p for p in plan), plan
    finally:
        conn.close()


@pytest.mark.parametrize("template", ["company:{top}", "topic:job-cuts", "is:conflict", "layoffs", "source:src-000003"])
def test_select_all_the_sources_screen_and_pivot_figure_use_an_index(store: Path, template: str) -> None:
    """The reads that were SQL in a screen and in the CLI (select all, a source's claims,
    the quantities `pivot figure` draws) are store functions, held to the same rule."""
    conn = open_readonly(store)
    try:
        top = conn.execute("SELECT id FROM entities ORDER BY claim_count DESC LIMIT 1").fetchone()[0]
        flt = build_filter(template.format(top=top), conn)
        source = conn.execute("SELECT source FROM claims WHERE entity = ? LIMIT 1", (top,)).fetchone()[0]

        def reads() -> None:
            db.claim_ids(conn, flt, 100_001)
            db.source_claims(conn, source)
            db.source_claims(conn, source, top, 200)
            db.quantity_families(conn, flt, 5)

        statements = _capture(conn, reads)
        assert len(statements) >= 4
        offenders = {s: _full_scans(conn, s) for s in statements if _full_scans(conn, s)}
        assert not offenders, offenders
    finally:
        conn.close()
