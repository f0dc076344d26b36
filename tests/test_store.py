"""The SQLite store: what a build writes, the conflicts it finds, and that builds are atomic.

The small fixture corpus (tests/fixtures/small) holds hand-made pairs for every
conflict rule; its alpha-news.yaml lists them. The last section: a damaged store
(empty, truncated, random bytes, a table's pages overwritten) is rebuilt, and a store
path that cannot hold a store gets a one-line message. Locks, concurrent builds and
file permissions are in test_store_access.py.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import SMALL, all_claims, assert_clear_error, cli, count, damage_table, store_files
from tui.cli import main
from tui.store import CorpusError, build_store, db, ensure_store, find_conflicts, load_corpus, open_readonly
from tui.store import build as build_mod
from tui.store.agreement import effective as interval_of
from tui.store.build import SCHEMA_VERSION, corpus_conflicts
from tui.store.errors import StoreError
from tui.store.files import corpus_digest, file_states
from tui.store.locate import store_info
from tui.store.model import Claim

# both directions of every disagreeing pair in the small corpus
EXPECTED_CONFLICTS = {
    ("alpha-meta-cut-pct", "beta-meta-cut-pct"),
    ("beta-meta-cut-pct", "alpha-meta-cut-pct"),
    ("alpha-msft-capex", "gamma-msft-capex"),
    ("gamma-msft-capex", "alpha-msft-capex"),
    # 600 with no period, presumed 2026 from Gamma's date (March 2026), against 8,000 in 2026
    ("alpha-meta-cut", "gamma-meta-cut-unknown"),
    ("gamma-meta-cut-unknown", "alpha-meta-cut"),
}


def conflict_pairs(db_path: Path) -> set[tuple[str, str]]:
    """Every (claim, claim in conflict with it) pair of the store, through the store's own query."""
    conn = open_readonly(db_path)
    try:
        ids = [r[0] for r in conn.execute("SELECT id FROM claims WHERE conflict_count + odds_count > 0")]
        return {(a, b) for a in ids for b in db.conflicts_of(conn, a)}
    finally:
        conn.close()


def rows(db_path: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def dump(db_path: Path) -> dict[str, list[tuple]]:
    """The data of a store, for comparing two stores (no times, no row ids)."""
    return {
        "entities": rows(db_path, "SELECT * FROM entities ORDER BY id"),
        "entity_names": rows(db_path, "SELECT * FROM entity_names ORDER BY entity, name"),
        "topics": rows(db_path, "SELECT * FROM topics ORDER BY id"),
        "sources": rows(
            db_path,
            "SELECT id, title, publisher, author, published, url, kind, document, flags, notes, "
            "claim_count, conflict_count FROM sources ORDER BY id",
        ),
        "source_flags": rows(db_path, "SELECT * FROM source_flags ORDER BY source, flag"),
        "claims": rows(
            db_path,
            "SELECT id, source, entity, topic, summary, quote, metric, value_low, value_high, unit, "
            "bound, period, status, speaker, note, source_title, lo_eff, hi_eff, qentity, qunit, qperiod, "
            "conflict_count, differ_count, agree_count, agree_sources, quantity_sources, relation, "
            "group_relation, group_reason, group_low, group_high FROM claims ORDER BY id",
        ),
        "conflicts": sorted(conflict_pairs(db_path)),
        "fts": rows(
            db_path,
            "SELECT claims.id FROM claims_fts JOIN claims ON claims.rowid = claims_fts.rowid "
            "WHERE claims_fts MATCH 'pods OR monetization OR wedbush OR compute' ORDER BY claims.id",
        ),
    }


# --- what a build writes ------------------------------------------------------------------


def test_counts_equal_the_corpus(small_data: Path, small_db: Path) -> None:
    corpus = load_corpus(small_data)
    assert rows(small_db, "SELECT count(*) FROM entities") == [(len(corpus.entities),)] == [(5,)]
    assert rows(small_db, "SELECT count(*) FROM topics") == [(len(corpus.topics),)] == [(4,)]
    assert rows(small_db, "SELECT count(*) FROM sources") == [(len(corpus.sources),)] == [(3,)]
    assert rows(small_db, "SELECT count(*) FROM claims") == [(len(corpus.claims),)] == [(19,)]
    assert rows(small_db, "SELECT id, claim_count FROM sources ORDER BY id") == [
        ("alpha-news", 9),
        ("beta-blog", 4),
        ("gamma-report", 6),
    ]
    assert rows(
        small_db, "SELECT id, claim_count, conflict_count FROM entities WHERE id IN ('meta', 'microsoft') ORDER BY id"
    ) == [("meta", 9, 4), ("microsoft", 7, 2)]


def test_aliases_flags_and_foreign_keys(small_db: Path) -> None:
    assert rows(small_db, "SELECT name FROM entity_names WHERE entity = 'meta' ORDER BY name") == [
        ("facebook",),
        ("meta",),
        ("meta platforms",),
    ]
    assert rows(small_db, "SELECT source, flag FROM source_flags ORDER BY source, flag") == [
        ("alpha-news", "ai-assisted"),
        ("beta-blog", "no-byline"),
        ("beta-blog", "unverified-figures"),
        ("gamma-report", "composite-examples"),
    ]
    fks = {(r[2], r[3], r[4]) for r in rows(small_db, "PRAGMA foreign_key_list(claims)")}
    assert fks == {("sources", "source", "id"), ("entities", "entity", "id"), ("topics", "topic", "id")}
    assert rows(small_db, "PRAGMA foreign_key_check") == []
    indexed = {r[1] for r in rows(small_db, "PRAGMA index_list(claims)")}
    columns = {rows(small_db, f"PRAGMA index_info([{name}])")[0][2] for name in indexed}
    assert {"entity", "source", "topic", "metric", "period", "status", "unit", "speaker"} <= columns


def test_values_and_effective_ranges(small_db: Path) -> None:
    got = {r[0]: r[1:] for r in rows(small_db, "SELECT id, value_low, value_high, lo_eff, hi_eff, period FROM claims")}
    assert got["alpha-meta-capex"] == (115e9, 135e9, 115e9, 135e9, "2026")
    assert got["alpha-meta-cut-pct"] == (10, 10, pytest.approx(9), pytest.approx(11), "2026")
    assert got["beta-meta-cut-pct"][:3] == (20, 20, 20) and got["beta-meta-cut-pct"][3] == float("inf")
    assert got["gamma-msft-capex"][2] == float("-inf") and got["gamma-msft-capex"][3] == 50e9
    assert got["gamma-meta-cut-unknown"][4] is None
    assert got["alpha-meta-pods"] == (None, None, None, None, None)


def test_fts_finds_words_of_quotes_summaries_speakers_and_titles(small_db: Path) -> None:
    def match(q: str) -> set[str]:
        return {
            r[0]
            for r in rows(
                small_db,
                "SELECT claims.id FROM claims_fts JOIN claims ON claims.rowid = claims_fts.rowid WHERE claims_fts MATCH ?",
                (q,),
            )
        }

    assert match("pipeline") == {"gamma-meta-ives"}  # a word only in a quote
    assert match("monetization") == {"gamma-meta-ives"}  # summary and quote
    assert match("wedbush") == {"gamma-meta-ives"}  # only in the speaker
    assert match("speaker:daniel") == {"gamma-meta-ives"}
    assert match("source_title:shift") == {  # the source title, copied into every claim
        "gamma-meta-capex",
        "gamma-meta-cut-unknown",
        "gamma-msft-capex",
        "gamma-msft-openings",
        "gamma-meta-ives",
        "gamma-acme-model",
    }
    assert match('"ai pods"') == {"alpha-meta-pods"}
    # sqlite-utils' shape: an external-content table over claims, as Datasette expects
    sql = rows(small_db, "SELECT sql FROM sqlite_master WHERE name = 'claims_fts'")[0][0]
    assert "content=[claims]" in sql and "[source_title]" in sql


def test_the_known_conflicts_are_found(small_db: Path) -> None:
    conn = open_readonly(small_db)
    ids = [r[0] for r in conn.execute("SELECT id FROM claims")]
    assert {(a, b) for a in ids for b in db.conflicts_of(conn, a)} == EXPECTED_CONFLICTS
    counts = dict(rows(small_db, "SELECT id, conflict_count + odds_count FROM claims WHERE conflict_count + odds_count > 0"))
    assert counts == {c: 1 for pair in EXPECTED_CONFLICTS for c in pair}


def test_find_conflicts_agrees_with_the_store(small_data: Path) -> None:
    corpus = load_corpus(small_data)
    pairs = find_conflicts(corpus)
    assert {tuple(sorted(p)) for p in pairs} == {tuple(sorted(p)) for p in EXPECTED_CONFLICTS}
    assert len(pairs) == corpus_conflicts(corpus) == 3


def claim(
    cid: str,
    source: str,
    low: float,
    high: float | None = None,
    bound: str = "exact",
    *,
    unit: str = "percent",
    period: str | None = "2026",
    entity: str = "meta",
    metric: str = "m",
) -> Claim:
    return Claim(
        id=cid,
        source=source,
        entity=entity,
        topic="t",
        summary="s",
        quote="q",
        status="reported",
        metric=metric,
        value_low=low,
        value_high=low if high is None else high,
        unit=unit,
        bound=bound,
        period=period,
    )


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        (claim("a", "s1", 10, bound="approx"), claim("b", "s2", 20, bound="at-least"), True),  # 9-11 vs 20+
        (claim("a", "s1", 10, bound="approx"), claim("b", "s2", 11), False),  # 11 is within about 10
        (claim("a", "s1", 10, bound="approx"), claim("b", "s2", 11.5), True),
        (claim("a", "s1", 10, 20), claim("b", "s2", 15, 30), False),  # overlapping ranges
        (claim("a", "s1", 10, 20), claim("b", "s2", 20, 30), False),  # ranges that touch
        (claim("a", "s1", 10, 20), claim("b", "s2", 21, 30), True),
        (claim("a", "s1", 80, bound="at-least"), claim("b", "s2", 50, bound="at-most"), True),
        (claim("a", "s1", 80, bound="at-least"), claim("b", "s2", 500, bound="at-least"), False),
        (claim("a", "s1", 10), claim("b", "s2", 20, period="2025"), False),  # different periods
        (claim("a", "s1", 10), claim("b", "s2", 20, period=None), False),  # an unstated period: differs, not contradicts
        # neither states a period, and no date to presume one from: they may be for different periods
        (claim("a", "s1", 10, period=None), claim("b", "s2", 20, period=None), False),
        (claim("a", "s1", 10), claim("b", "s1", 20), False),  # same source
        (claim("a", "s1", 7), claim("b", "s2", 8750, unit="employees"), False),  # different units
        (claim("a", "s1", 10), claim("b", "s2", 20, entity="microsoft"), False),  # different entities
        (claim("a", "s1", 10), claim("b", "s2", 20, metric="other"), False),  # different metrics
    ],
)
def test_conflict_rules(a: Claim, b: Claim, conflict: bool) -> None:
    from tui.store.model import Corpus, Entity, Source

    sources = [Source(sid, sid, "news", claims=[c for c in (a, b) if c.source == sid]) for sid in sorted({a.source, b.source})]
    corpus = Corpus([Entity("meta", "Meta", "company"), Entity("microsoft", "Microsoft", "company")], [], sources)
    assert bool(find_conflicts(corpus)) is conflict
    assert corpus_conflicts(corpus) == int(conflict)


def test_interval_of_bounds() -> None:
    assert interval_of(10, 10, "approx") == pytest.approx((9, 11))
    assert interval_of(115, 135, "approx") == pytest.approx((103.5, 148.5))
    assert interval_of(20, 20, "at-least") == (20, float("inf"))
    assert interval_of(50, 50, "at-most") == (float("-inf"), 50)
    assert interval_of(1, 2, "exact") == interval_of(1, 2, None) == (1, 2)


def test_pivot_meta_records_schema_and_corpus_hash(small_data: Path, small_db: Path) -> None:
    meta = dict(rows(small_db, "SELECT key, value FROM pivot_meta"))
    assert meta["schema_version"] == str(SCHEMA_VERSION)
    assert meta["corpus_hash"] == corpus_digest(small_data) == load_corpus(small_data).digest
    assert store_info(small_db)["corpus_hash"] == meta["corpus_hash"]


def test_corpus_hash_changes_with_any_byte(small_copy: Path) -> None:
    before = corpus_digest(small_copy)
    path = small_copy / "topics.yaml"
    path.write_text(path.read_text() + "\n")
    assert corpus_digest(small_copy) != before


def test_store_opens_read_only(small_db: Path) -> None:
    conn = open_readonly(small_db)
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM claims")
    conn.close()
    with pytest.raises(StoreError, match="no such store"):
        open_readonly(small_db.parent / "missing.db")


# --- atomic builds ------------------------------------------------------------------------


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_a_failed_build_leaves_the_previous_store_byte_identical(small_data: Path, tmp_path: Path, monkeypatch) -> None:
    db_path = tmp_path / "store.db"
    build_store(load_corpus(small_data), db_path, file_states(small_data))
    before = db_path.read_bytes()
    monkeypatch.setattr(build_mod, "FTS_SQL", "CREATE VIRTUAL TABLE claims_fts USING no_such_module()")
    with pytest.raises(sqlite3.OperationalError):
        build_store(load_corpus(small_data), db_path, file_states(small_data))
    assert db_path.read_bytes() == before
    assert files_in(tmp_path) == {"store.db", "store.db.lock"}  # no temporary file left behind


def test_a_build_interrupted_at_the_rename_leaves_no_temp_file(small_data: Path, tmp_path: Path, monkeypatch) -> None:
    db_path = tmp_path / "store.db"
    db_path.write_bytes(b"previous store")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(build_mod.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        build_store(load_corpus(small_data), db_path)
    assert db_path.read_bytes() == b"previous store"
    assert files_in(tmp_path) == {"store.db", "store.db.lock"}


def test_a_broken_corpus_does_not_touch_the_store(small_copy: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "store.db"
    ensure_store(small_copy, db_path)
    before = db_path.read_bytes()
    broken = small_copy / "sources" / "beta-blog.yaml"
    broken.write_text(broken.read_text().replace("entity: meta\n", "entity: metaa\n", 1))
    with pytest.raises(CorpusError) as info:
        ensure_store(small_copy, db_path, force=True)
    assert "unknown entity 'metaa'" in str(info.value)
    assert db_path.read_bytes() == before
    # without force, the last good store is used with a warning, and still not touched
    ready = ensure_store(small_copy, db_path)
    assert ready.warning and "problem" in ready.warning and ready.built is None
    assert db_path.read_bytes() == before
    assert files_in(tmp_path) - {"data"} == {"store.db", "store.db.lock"}


def test_a_successful_build_leaves_only_the_store(small_data: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "sub" / "store.db"
    report = build_store(load_corpus(small_data), db_path)
    assert (report.sources, report.entities, report.claims, report.conflicts) == (3, 5, 19, 3)
    assert files_in(db_path.parent) == {"store.db", "store.db.lock"}
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db_path, "PRAGMA journal_mode") == [("delete",)]


# --- finding and refreshing the store -----------------------------------------------------------


def test_ensure_store_builds_when_missing_and_not_again(small_data: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "store.db"
    first = ensure_store(small_data, db_path)
    assert first.built is not None and first.built.mode == "full" and db_path.is_file()
    again = ensure_store(small_data, db_path)
    assert again.built is None and again.warning is None
    db_path.unlink()
    assert ensure_store(small_data, db_path).built is not None


def test_ensure_store_rebuilds_a_file_that_is_not_a_store(small_data: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "store.db"
    db_path.write_bytes(b"not sqlite at all" * 100)
    assert ensure_store(small_data, db_path).built is not None
    assert rows(db_path, "SELECT count(*) FROM claims") == [(19,)]


def test_ensure_store_rebuilds_another_schema_version(small_data: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "store.db"
    ensure_store(small_data, db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE pivot_meta SET value = '1' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    ready = ensure_store(small_data, db_path)
    assert ready.built is not None and ready.built.mode == "full"
    assert store_info(db_path)["schema_version"] == str(SCHEMA_VERSION)


def test_ensure_store_follows_a_changed_source_file(small_copy: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "store.db"
    ensure_store(small_copy, db_path)
    old_hash = store_info(db_path)["corpus_hash"]
    path = small_copy / "sources" / "gamma-report.yaml"
    # an estimate of about $130 B becomes a report of about $30 B: now it is at odds with alpha's $115-135 B
    path.write_text(
        path.read_text()
        .replace("value: 130000000000", "value: 30000000000")
        .replace("around $130 billion", "around $30 billion, updated")
        .replace("status: estimated", "status: reported")
    )
    ready = ensure_store(small_copy, db_path)
    assert ready.built is not None
    assert store_info(db_path)["corpus_hash"] == corpus_digest(small_copy) != old_hash
    assert ("alpha-meta-capex", "gamma-meta-capex") in conflict_pairs(db_path)
    assert rows(db_path, "SELECT summary, quote FROM claims WHERE id = 'gamma-meta-capex'") == [
        ("Meta's AI capex is around $30 billion, updated", "around $30 billion, updated")
    ]
    found = rows(
        db_path,
        "SELECT claims.id FROM claims_fts JOIN claims ON claims.rowid = claims_fts.rowid WHERE claims_fts MATCH 'updated'",
    )
    assert found == [("gamma-meta-capex",)]  # the search index follows the update
    assert ensure_store(small_copy, db_path).built is None


def test_ensure_store_follows_a_changed_entities_file(small_copy: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "store.db"
    ensure_store(small_copy, db_path)
    path = small_copy / "entities.yaml"
    path.write_text(path.read_text().replace("aliases: [MSFT]", "aliases: [MSFT, Redmond]"))
    ready = ensure_store(small_copy, db_path)
    # applied from the store's own rows (store/baseupdate.py), no source file read again
    assert ready.built is not None and ready.built.mode == "update" and ready.built.base_files == ["entities.yaml"]
    assert ("microsoft", "redmond") in set(rows(db_path, "SELECT entity, name FROM entity_names"))
    assert store_info(db_path)["corpus_hash"] == corpus_digest(small_copy)
    fresh = tmp_path / "fresh.db"
    build_store(load_corpus(small_copy), fresh, file_states(small_copy))
    assert dump(db_path) == dump(fresh)


def test_an_updated_store_equals_a_fresh_build(small_copy: Path, tmp_path: Path) -> None:
    """Adding, changing and removing source files in place gives the store a full build gives."""
    db_path = tmp_path / "store.db"
    ensure_store(small_copy, db_path)
    sources = small_copy / "sources"
    gamma = sources / "gamma-report.yaml"
    gamma.write_text(gamma.read_text().replace("value: 50000000000", "value: 90000000000"))  # no longer disputes alpha
    alpha = (sources / "alpha-news.yaml").read_text()
    (sources / "alpha-news.yaml").unlink()
    delta = (
        "id: delta\ntitle: Delta\nkind: blog\nclaims:\n"
        "  - {id: delta-meta-cut-pct, entity: meta, topic: job-cuts, summary: Meta cuts 5 %, quote: five percent,\n"
        "     metric: workforce-cut-pct, value: 5, unit: percent, period: '2026', status: possible}\n"
    )
    (sources / "delta.yaml").write_text(delta)
    (sources / "epsilon.yaml").write_text(alpha.replace("id: alpha-news", "id: epsilon").replace("id: alpha-", "id: eps-"))
    ready = ensure_store(small_copy, db_path)
    assert ready.built is not None and ready.built.mode == "update"
    fresh = tmp_path / "fresh.db"
    build_store(load_corpus(small_copy), fresh, file_states(small_copy))
    assert dump(db_path) == dump(fresh)
    assert ("delta-meta-cut-pct", "beta-meta-cut-pct") in conflict_pairs(db_path)
    assert store_info(db_path)["corpus_hash"] == store_info(fresh)["corpus_hash"] == corpus_digest(small_copy)


def test_an_update_lists_changed_claims_last_and_a_full_build_restores_the_order(small_copy: Path, tmp_path: Path) -> None:
    # Documented trade-off (docs/store.md): an in-place update appends a changed file's
    # claims after the others; `pivot build --full` restores the fresh-build order.
    db_path = tmp_path / "store.db"
    ensure_store(small_copy, db_path)
    path = small_copy / "sources" / "beta-blog.yaml"
    path.write_text(path.read_text().replace("Meta may cut", "Meta might cut"))
    assert ensure_store(small_copy, db_path).built.mode == "update"
    fresh = tmp_path / "fresh.db"
    build_store(load_corpus(small_copy), fresh, file_states(small_copy))
    order = "SELECT claims.id, claims.source FROM claims ORDER BY claims.rowid"
    updated, expected = rows(db_path, order), rows(fresh, order)
    assert sorted(updated) == sorted(expected) and updated != expected
    changed = [r for r in updated if r[1] == "beta-blog"]
    assert updated[-len(changed) :] == changed
    assert ensure_store(small_copy, db_path, force=True).built.mode == "full"
    assert rows(db_path, order) == expected


def test_a_broken_update_keeps_the_store(small_copy: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "store.db"
    ensure_store(small_copy, db_path)
    before = dump(db_path)
    path = small_copy / "sources" / "beta-blog.yaml"
    path.write_text(path.read_text().replace("status: projected", "status: rumoured"))
    ready = ensure_store(small_copy, db_path)
    assert ready.warning and ready.built is None
    assert dump(db_path) == before


def test_a_copied_corpus_builds_the_same_store(small_data: Path, tmp_path: Path) -> None:
    shutil.copytree(small_data, tmp_path / "copy")
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    ensure_store(small_data, a)
    ensure_store(tmp_path / "copy", b)
    assert dump(a) == dump(b)


def test_rowids_stay_dense_when_an_added_file_is_taken_out_again(small_copy: Path, tmp_path: Path) -> None:
    # the explorer seeks to the middle of the unfiltered list by rowid while rowids are 1..n
    db_path = tmp_path / "store.db"
    ensure_store(small_copy, db_path)
    meta = "SELECT value FROM pivot_meta WHERE key = 'dense_rowids'"
    extra = small_copy / "sources" / "zeta-extra.yaml"
    extra.write_text(
        (small_copy / "sources" / "beta-blog.yaml")
        .read_text()
        .replace("id: beta-blog", "id: zeta-extra")
        .replace("id: beta-", "id: zeta-")
    )
    assert ensure_store(small_copy, db_path).built.mode == "update"
    assert rows(db_path, meta) == [("1",)]
    extra.unlink()
    assert ensure_store(small_copy, db_path).built.mode == "update"
    assert rows(db_path, meta) == [("1",)]
    (small_copy / "sources" / "alpha-news.yaml").unlink()  # claims leave from the middle
    assert ensure_store(small_copy, db_path).built.mode == "update"
    assert rows(db_path, meta) == [("0",)]
    conn = open_readonly(db_path)
    try:
        from tui.query import build_filter

        flt = build_filter("", conn)
        everything = [r["id"] for r in all_claims(conn)]
        assert [r["id"] for r in db.page(conn, flt, 2, 3)] == everything[2:5]
    finally:
        conn.close()


# --- damaged stores and store paths that cannot be a store ------------------------------------


@pytest.mark.parametrize(
    "damage",
    ["empty", "truncated", "header-then-random-bytes", "zeroed-middle"],
)
def test_a_damaged_store_is_rebuilt_transparently(tmp_path: Path, small_store: tuple[Path, Path], damage: str) -> None:
    data, db_path = small_store
    good = db_path.read_bytes()
    if damage == "empty":
        db_path.write_bytes(b"")
    elif damage == "truncated":
        db_path.write_bytes(good[: len(good) // 3])
    elif damage == "header-then-random-bytes":
        db_path.write_bytes(good[:100] + os.urandom(len(good) - 100))
    else:
        db_path.write_bytes(good[:4096] + b"\0" * (len(good) - 8192) + good[-4096:])
    result = cli("list", "company:meta", "--data", data, "--db", db_path)
    assert result.stdout.rstrip().endswith("10 of 10 claims")
    assert result.stderr.startswith(f"built {db_path} (19 claims)")
    assert count(db_path) == 19
    assert store_files(tmp_path) == {"store.db", "store.db.lock"}


@pytest.mark.parametrize("table", ["claims", "entities", "sources"])
def test_a_store_damaged_where_the_usability_check_does_not_look(
    tmp_path: Path, small_store: tuple[Path, Path], table: str
) -> None:
    """`pivot list` rebuilds the store or says clearly that it is damaged; no traceback."""
    data, db_path = small_store
    damage_table(db_path, table)
    result = CliRunner().invoke(main, ["list", "company:meta", "--data", str(data), "--db", str(db_path)], env={"COLUMNS": "240"})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 0:
        assert result.stdout.rstrip().endswith("10 of 10 claims")
    else:
        assert_clear_error(result.stderr, str(db_path))


def test_pivot_build_repairs_a_damaged_store(tmp_path: Path, small_store: tuple[Path, Path]) -> None:
    data, db_path = small_store
    damage_table(db_path, "claims")
    result = cli("build", "--data", data, "--db", db_path)
    assert result.stdout != f"{db_path}: up to date\n"
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM claims").fetchone()[0] == 19
    conn.close()


def test_a_store_path_under_a_file_gives_a_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file\n")
    result = cli("build", "--data", SMALL, "--db", blocker / "store.db", code=1)
    assert_clear_error(result.stderr, str(blocker))
    assert "not a directory" in result.stderr.lower()
    assert blocker.read_text() == "a file\n"


def test_a_store_path_that_is_a_directory_gives_a_clear_message(tmp_path: Path) -> None:
    folder = tmp_path / "store.db"
    folder.mkdir()
    result = cli("list", "--data", SMALL, code=1, env={"PIVOT_DB": str(folder)})
    assert_clear_error(result.stderr, str(folder))
    assert "is a directory" in result.stderr.lower()
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
