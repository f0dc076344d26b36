"""The in-place update is the full build (issue 23): random additions, edits and removals of
source files on a small generated corpus, each followed by the update (`ensure_store`, which
moves only the counts of the quantities the changed files name), then every table of the
updated store compared with a fresh full build's, row by row, build timestamps aside.

The generated corpus exercises what the counting distinguishes: several claims of one
source in one quantity, drafts, a group with members (its figures checked against theirs),
a division and an event (counted under their company), positions on propositions, periods
stated, presumed from a date or unknown, outcomes and expectations, dated leads, bounds,
and a few figures shared so that claims agree."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import assert_snapshot_is_the_records
from tui.store import build_store, files, load_corpus, update
from tui.store.agreement import counting
from tui.store.files import FILES_DIGEST
from tui.store.refresh import ensure_store

ENTITIES = """entities:
  - {id: meta, name: Meta Platforms, kind: company}
  - {id: microsoft, name: Microsoft, kind: company}
  - {id: google, name: Google, kind: company}
  - {id: meta-labs, name: Meta Labs, kind: division, parent: meta}
  - {id: meta-round, name: Meta's round, kind: event, parent: meta}
  - {id: big-two, name: Meta and Microsoft, kind: group, members: [meta, microsoft]}
"""
TOPICS = """topics:
  - {id: job-cuts, label: Job reductions, order: 1}
  - {id: ai-capex, label: AI investment, order: 2}
  - {id: motivation, label: Motivation, order: 3}
"""
PROPOSITIONS = """propositions:
  - {id: cuts-fund-ai, text: "Job cuts pay for AI", entity: meta, topic: motivation}
  - {id: ai-first, text: "AI comes first", entity: microsoft, topic: motivation}
"""
ENTITY_IDS = ("meta", "microsoft", "google", "meta-labs", "meta-round", "big-two")
QUANTITIES = (("employees-cut", "employees", "job-cuts"), ("ai-capex-usd", "USD", "ai-capex"))
VALUES = ("1000", "1000", "2000", "5000", "[1000, 3000]", "[4000, 6000]", "10000")
PERIODS = (None, None, '"2025"', '"2026"', '"2026"', "2026-Q1", "long-term")
STATUSES = ("confirmed", "reported", "estimated", "projected", "planned", "possible", "opinion")
BOUNDS = ("exact", "exact", "approx", "at-least", "at-most")
DATES = (None, "2025-11-02", "2026-01-15", "2026-03", "2026-05-02")


def claim(rng: random.Random, sid: str, i: int) -> str:
    cid = f"{sid}-c{i}"
    entity = rng.choice(ENTITY_IDS)
    lines = [f"  - id: {cid}", f"    entity: {entity}"]
    if rng.random() < 0.8:
        metric, unit, topic = rng.choice(QUANTITIES)
        lines += [f"    topic: {topic}", f"    metric: {metric}", f"    value: {rng.choice(VALUES)}", f"    unit: {unit}"]
        lines.append(f"    bound: {rng.choice(BOUNDS)}")
        period = rng.choice(PERIODS)
        if period:
            lines.append(f"    period: {period}")
    else:
        lines.append("    topic: motivation")
    if rng.random() < 0.25:
        prop = rng.choice(("cuts-fund-ai", "ai-first"))
        lines.append(f"    stance: {{{prop}: {rng.choice(('for', 'against'))}}}")
    lines += [f"    summary: s {cid}", f"    quote: q {cid}", f"    status: {rng.choice(STATUSES)}"]
    if rng.random() < 0.15:
        lines.append("    draft: true")
    return "\n".join(lines) + "\n"


def source_text(rng: random.Random, sid: str, version: int) -> str:
    head = f'id: {sid}\ntitle: "Source {sid} v{version}"\nkind: news\n'
    date = rng.choice(DATES)
    if date:
        head += f"{'as_of' if rng.random() < 0.3 else 'published'}: {date}\n"
    claims = "".join(claim(rng, sid, i) for i in range(rng.randint(1, 5)))
    return head + "claims:\n" + claims


def make_corpus(root: Path, rng: random.Random, n_sources: int) -> Path:
    data = root / "data"
    (data / "sources").mkdir(parents=True)
    (data / "entities.yaml").write_text(ENTITIES)
    (data / "topics.yaml").write_text(TOPICS)
    (data / "propositions.yaml").write_text(PROPOSITIONS)
    for k in range(n_sources):
        (data / "sources" / f"s{k}.yaml").write_text(source_text(rng, f"s{k}", 0))
    return data


TIMESTAMPS = {"built_at"}


def tables(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table of the store, its rows sorted (rowids aside: an update appends), the
    meta's build time and the file records' times aside (a copy has its own)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'")
            if not r[0].startswith(("claims_fts", "sqlite_"))
        ]
        out: dict[str, list[tuple[object, ...]]] = {}
        for name in names:
            cur = conn.execute(f'SELECT * FROM "{name}"')
            columns = [d[0] for d in cur.description]
            rows = [{k: v for k, v in zip(columns, r) if k != "rowid"} for r in cur]
            if name == "pivot_meta":
                rows = [r for r in rows if r["key"] not in TIMESTAMPS]
            out[name] = sorted((tuple((k, v) for k, v in r.items()) for r in rows), key=repr)
        # the text index, as searches see it: every claim found by the words of its own text
        out["fts"] = sorted(
            conn.execute(
                "SELECT c.id, f.summary, f.quote, f.speaker, f.source_title FROM claims_fts f JOIN claims c ON c.rowid = f.rowid"
            ).fetchall()
        )
        return out
    finally:
        conn.close()


def assert_same_as_full_build(data: Path, db_path: Path, fresh: Path) -> None:
    fresh.unlink(missing_ok=True)
    build_store(load_corpus(data), fresh)
    got, want = tables(db_path), tables(fresh)
    assert got.keys() == want.keys()
    for name in want:
        if name in ("source_files", "file_snapshot"):  # the update records the files it read; the build, its states
            continue
        if name == "pivot_meta":
            continue  # compared below, key by key
        if name == "fts_terms":  # words of removed claims stay listed (schema.TERMS_SQL): harmless
            assert set(got[name]) >= set(want[name])
            continue
        assert got[name] == want[name], f"table {name} differs from the full build's"
    meta = lambda rows: {dict(r)["key"]: dict(r)["value"] for r in rows}
    got_meta, want_meta = meta(got["pivot_meta"]), meta(want["pivot_meta"])
    for key in ("schema_version", "conflict_pairs", "corpus_hash"):
        assert got_meta[key] == want_meta[key], key
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:  # the no-op's digest is that of the records the update left
        assert got_meta[FILES_DIGEST] == files.recorded_digests(conn)[1]
    finally:
        conn.close()
    assert_snapshot_is_the_records(db_path)


def run_ops(
    tmp: Path, seed: int, n_ops: int, delta_limit: int | None, monkeypatch: pytest.MonkeyPatch, n_sources: int | None = None
) -> None:
    if delta_limit is not None:
        monkeypatch.setattr(counting, "DELTA_LIMIT", delta_limit)
    rng = random.Random(seed)
    data = make_corpus(tmp, rng, n_sources=n_sources or rng.randint(4, 10))
    db_path = tmp / "store.db"
    ensure_store(data, db_path)
    next_id = 100
    for step in range(n_ops):
        files = sorted((data / "sources").glob("*.yaml"))
        op = rng.choice(("add", "add", "edit", "edit", "remove")) if len(files) > 2 else "add"
        if op == "add":
            sid = f"s{next_id}"
            next_id += 1
            (data / "sources" / f"{sid}.yaml").write_text(source_text(rng, sid, 0))
        elif op == "edit":
            path = rng.choice(files)
            path.unlink()  # a new file, as editors save (and never the same inode and size by chance)
            path.write_text(source_text(rng, path.stem, step + 1))
        else:
            rng.choice(files).unlink()
        ready = ensure_store(data, db_path)
        assert ready.warning is None, ready.warning
        assert ready.built is not None and ready.built.mode == "update", (op, ready.built)
        assert_same_as_full_build(data, db_path, tmp / "fresh.db")


@pytest.mark.parametrize("delta_limit", [None, 0])
def test_random_changes_update_the_store_as_a_full_build_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, delta_limit: int | None
) -> None:
    """The counts moved pair by pair (the default), and counted whole (DELTA_LIMIT 0): the same."""
    run_ops(tmp_path, seed=23, n_ops=12, delta_limit=delta_limit, monkeypatch=monkeypatch)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6))
def test_any_sequence_of_changes_updates_the_store_as_a_full_build_would(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    run_ops(tmp_path_factory.mktemp("ops"), seed=seed, n_ops=4, delta_limit=None, monkeypatch=monkeypatch)


def test_counts_moved_in_bulk_are_those_of_a_full_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many sources stating each quantity, so that most claims' counts move without their
    summaries changing: those are moved by their deltas alone (counting.move_by_kind, claims
    alike decided once), the others one by one, and the store is the full build's."""
    moved = {"in bulk": 0, "one by one": 0}
    real = counting.move_by_kind

    def spy(*args: Any) -> counting.Moved | None:
        got = real(*args)
        if got is not None:
            moved["in bulk"] += sum(len(v) for v in got.bulk.values())
            moved["one by one"] += len(got.one_by_one)
        return got

    monkeypatch.setattr(update, "move_by_kind", spy)
    run_ops(tmp_path, seed=18, n_ops=8, delta_limit=None, monkeypatch=monkeypatch, n_sources=60)
    assert moved["in bulk"] > 20 and moved["one by one"] > 0, moved
