"""The explorer's rules checked against a real store, without Textual: what a facet's enter,
a source chosen, an entity chosen, a line of `F` and the opening page give. Moved here
from the Pilot tests (test_app.py, test_explorer_more.py) under the same names; the keys
and panes that reach these rules stay tested through Pilot (the test each docstring names).

The filters are the session's (tui.session.Filter: the text the query bar would show),
compiled and counted by the store as the explorer's workers do."""

from __future__ import annotations

import sqlite3
from collections import Counter

from helpers import all_claims
from tui.query import build_filter, format_term
from tui.session import ENTITY_KEYS, Filter, Session, frequency_term, with_term
from tui.store import db
from tui.store.agreement import in_conflict
from tui.store.fmt import format_value

FACETS = ("source",)


def claims_of(conn: sqlite3.Connection, text: str) -> list[sqlite3.Row]:
    """Every claim the filter `text` keeps, in store order (what the table would list)."""
    return all_claims(conn, build_filter(text, conn))


# --- the facets and the sources screen ---------------------------------------------------------


def test_toggling_a_source_facet_filters_and_updates_the_query_bar(bundled_conn: sqlite3.Connection) -> None:
    """The facet pane's enter on a source (Pilot: test_explorer_keys.py::
    test_a_typed_source_term_ticks_its_facet_and_unticking_removes_it) toggles `source:ID`:
    the bar gets the term, the rows are that source's; enter again takes it out."""
    listed, _ = db.facets(bundled_conn, build_filter("", bundled_conn), FACETS).values["source"]
    source_id = str(listed[0].value)
    session = Session()
    session.filter.set(session.filter.toggled("source", source_id))
    assert f"source:{source_id}" in session.filter.text
    rows = claims_of(bundled_conn, session.filter.text)
    assert rows and {r["source"] for r in rows} == {source_id}
    session.filter.set(session.filter.toggled("source", source_id))
    assert "source:" not in session.filter.text


def test_opening_a_source_filters_to_it(bundled_conn: sqlite3.Connection) -> None:
    """The sources screen's enter (Pilot: test_explorer_keys.py::
    test_sources_show_ids_flags_and_counts_and_enter_replaces_the_source_term) replaces the
    filter's source terms by the source chosen: from no filter, exactly its claims."""
    for source in list(db.sources(bundled_conn))[:5]:
        text = Filter("").replaced(("source",), f"source:{source['id']}")
        assert text == f"source:{source['id']}"
        rows = claims_of(bundled_conn, text)
        assert len(rows) == source["claim_count"] > 0 and {r["source"] for r in rows} == {source["id"]}


# --- the entity list ----------------------------------------------------------------------------


def test_an_entitys_count_is_what_enter_opens(bundled_conn: sqlite3.Connection) -> None:
    """The entity list shows each entity's `open_count` beside its name (tui.widgets.side);
    enter replaces the filter's entity terms by `company:ID` (Pilot: test_explorer_more.py::
    test_at_80x24_the_footer_keeps_compare_figure_quit_and_keys_and_the_table_the_figure).
    The count shown is what that filter opens, for every entity."""
    rows = db.entities(bundled_conn)
    assert len(rows) >= 4
    for row in rows:
        text = Filter("-company:x").replaced(ENTITY_KEYS, format_term("company", row["id"]), first=True)
        assert text == format_term("company", row["id"])
        opened, _ = db.count_matches(bundled_conn, build_filter(text, bundled_conn), None)
        assert opened == row["open_count"], row["id"]


# --- the first screen ---------------------------------------------------------------------------


def test_the_first_screen_opens_on_the_figures_and_disagreements_of_the_most_covered(bundled_conn: sqlite3.Connection) -> None:
    """The opening page (no filter, no sort: the store's order, read as MainScreen's first
    query reads it): the most-covered entity first, its figures (disputed first), then its
    disputed positions, then the rest. The status line's word on it is a Pilot check
    (test_explorer_more.py::test_at_80x24_the_footer_keeps_compare_figure_quit_and_keys_and_the_table_the_figure)."""
    top = db.most_covered(bundled_conn, 1)[0]
    first = db.sorted_page(bundled_conn, build_filter("", bundled_conn), None, 0, 10)
    assert len(first) == 10 and all(r["qentity"] == top for r in first)
    weights = [(r["value_low"] is None, not (in_conflict(r["standing"]) and not r["draft"])) for r in first]
    assert weights == sorted(weights)


# --- F: the frequency of a column ---------------------------------------------------------------


def test_F_counts_a_column_over_the_filter_and_enter_filters_to_a_line(bundled_conn: sqlite3.Connection) -> None:
    """What the frequency screen lists (db.frequency, as FrequencyScreen reads it) and what
    its enter does (with_term(filter, frequency_term(line))): every source counted by the
    store, the figures counted by their figure, and a status's line narrowing the filter
    to exactly the claims it counted. The screen itself: test_explorer_more.py::
    test_F_shows_a_column_and_enter_narrows_the_filter_to_a_line."""
    text = "company:meta"
    flt = build_filter(text, bundled_conn)
    claims = claims_of(bundled_conn, text)
    lines, more = db.frequency(bundled_conn, flt, "source")
    assert not more
    assert sorted(line.count for line in lines) == sorted(Counter(r["source"] for r in claims).values())
    assert sum(line.count for line in lines) == len(claims)
    figures = Counter(
        format_value(r["value_low"], r["value_high"], r["unit"], r["bound"]) for r in claims if r["value_low"] is not None
    )
    shown: Counter[str] = Counter()
    for line in db.frequency(bundled_conn, flt, "value")[0]:
        shown[line.label] += line.count
    assert shown == figures
    for line in db.frequency(bundled_conn, flt, "status")[0]:
        term = frequency_term("status", line)
        assert term is not None
        narrowed = with_term(text, term)
        assert narrowed == f"company:meta status:{line.label}"
        assert len(claims_of(bundled_conn, narrowed)) == line.count == sum(1 for r in claims if r["status"] == line.label)


def test_a_figures_line_filters_to_the_claims_whose_figure_is_or_contains_it(small_conn: sqlite3.Connection) -> None:
    lines, _ = db.frequency(small_conn, build_filter("", small_conn), "value")
    assert lines
    for line in lines:
        term = frequency_term("value", line)
        assert term is not None
        rows = claims_of(small_conn, term)
        assert len(rows) >= line.count and all(r["value_low"] <= line.high and r["value_high"] >= line.low for r in rows)


# --- the query bar's completion -----------------------------------------------------------------


async def test_the_query_bar_completes_keys_and_entity_values_from_the_store(small_db) -> None:
    """What `right` takes in the query bar (Pilot: test_explorer_keys.py::
    test_the_query_history_is_kept_between_runs): a key from its first letters, an entity
    id from the store, a fixed value; nothing after a space."""
    from tui.store.pool import ConnectionPool
    from tui.widgets.query_bar import StoreSuggester

    pool = ConnectionPool(small_db)
    try:
        suggest = StoreSuggester(pool.run).get_suggestion
        assert await suggest("comp") == "company:"
        assert await suggest("company:micro") == "company:microsoft"
        assert await suggest("company:microsoft is:con") == "company:microsoft is:conflict"
        assert await suggest("-sour") == "-source:"
        assert await suggest("company:microsoft ") is None
    finally:
        pool.close()
