# Long because the full build writes every table of the store in one pass; the rows it
# writes (claims, sources, stances, terms) and its transaction and meta are also the
# update's (update.py), so that both write the same rows the same way.
"""Build the SQLite store from a validated corpus, atomically.

A full build writes a new file beside the target, inside one transaction, and
moves it into place with os.replace: a failed or interrupted build leaves the
last good store untouched, and an explorer that has the old file open keeps
reading it. A lock file serialises builders (lock.py). The in-place update of
changed source files is update.py's; which of the two a store needs is decided
in refresh.py (`ensure_store`).

How sources relate is decided by the agreement model (store/agreement/): the full build
applies it to the whole corpus, the update to the quantities and positions a changed
file touches, through the same function (`agreement.model_of`), and both store its
values per claim (`agreement.stored`). The store keeps counts, not pairs; pairs are
listed on demand (store/disputes.py).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import agreement
from .agreement import Figure
from .files import FILES_DIGEST, RECORD_SQL, FileState, digest_of, records_digest
from .lock import build_lock
from .metrics import insert_metrics
from .model import Claim, Corpus, Source
from .recovery import remove_dead_temps, roll_back_journal
from .schema import CLAIM_FIELDS, FTS_SQL, GRID_INDEX_SQL, INDEXES, SCHEMA, SCHEMA_VERSION, TERMS_SQL
from .stamps import stamp_written

__all__ = ["SCHEMA_VERSION", "BuildReport", "build_store", "corpus_conflicts", "corpus_model", "find_conflicts"]


_CLAIM_COLUMNS = ", ".join(CLAIM_FIELDS)
_CLAIM_MARKS = ", ".join("?" * len(CLAIM_FIELDS))


@dataclass
class BuildReport:
    path: Path
    sources: int
    entities: int
    claims: int
    conflicts: int
    seconds: float
    mode: str = "full"  # "full", "update", or "refresh" (the same bytes: only the file records were renewed)
    changed_files: int = 0
    added_claims: int = 0
    removed_claims: int = 0
    steps: list[tuple[str, float]] = field(default_factory=list)  # an update's steps and their seconds (`pivot build -v`)

    def line(self) -> str:
        """What the CLI says on standard error after building before the explorer opens."""
        return f"built {self.path} ({self.claims} claims) in {self.seconds:.2f}s"

    @property
    def changed(self) -> bool:
        """Whether what the store says changed (a refresh of the file records is not worth a word)."""
        return self.mode != "refresh"


# --- the agreement model, applied to a corpus -------------------------------------------

EntityInfo = dict[str, tuple[str, str | None, list[str], str]]  # id -> (kind, parent, members, name)


def entity_info(corpus: Corpus) -> EntityInfo:
    return {e.id: (e.kind, e.parent, list(e.members), e.name) for e in corpus.entities}


def source_info(s: Source) -> agreement.SourceInfo:
    return agreement.SourceInfo.of(s.title, s.publisher, s.published, s.as_of)


def corpus_figures(corpus: Corpus, info: EntityInfo | None = None) -> dict[str, Figure]:
    """Every claim of the corpus as the agreement model reads it, by claim id."""
    info = entity_info(corpus) if info is None else info
    out: dict[str, Figure] = {}
    for s in corpus.sources:
        si = source_info(s)
        for c in s.claims:
            out[c.id] = agreement.figure_of_claim(c, info, si)
    return out


def corpus_model(corpus: Corpus) -> tuple[agreement.Model, dict[str, Figure]]:
    """The model of a whole corpus: what `pivot build` stores and `pivot check` counts."""
    info = entity_info(corpus)
    figures = corpus_figures(corpus, info)
    return agreement.model_of(figures.values(), info), figures


def corpus_conflicts(corpus: Corpus) -> int:
    """The number of disagreeing pairs among reviewed claims (`pivot check` and `pivot build`
    say this one number)."""
    model, figures = corpus_model(corpus)
    return _pairs_of(model, figures)


def _pairs_of(model: agreement.Model, figures: dict[str, Figure]) -> int:
    return agreement.conflict_pairs(
        (s.conflicts, s.odds, s.opposed, figures[cid].draft) for cid, s in model.summaries.items() if cid in figures
    )


def find_conflicts(corpus: Corpus, kinds: tuple[str, ...] = agreement.CONFLICTS) -> list[tuple[str, str]]:
    """Every disagreeing pair of reviewed claims (for reports and tests; the store keeps counts)."""
    return [(a, b) for a, b, _ in agreement.pairs(corpus_figures(corpus).values(), kinds)]


def _add_terms(conn: sqlite3.Connection, schema: str, table: str) -> None:
    conn.execute(f"CREATE VIRTUAL TABLE temp.pivot_vocab USING fts5vocab({schema}, {table}, 'row')")
    try:
        conn.execute("INSERT OR IGNORE INTO fts_terms (term) SELECT term FROM temp.pivot_vocab")
    finally:
        conn.execute("DROP TABLE temp.pivot_vocab")


def _claim_row(c: Claim, f: Figure, title: str, model: agreement.Model) -> tuple[Any, ...]:
    lo, hi = f.span if f.numeric else (None, None)
    return (
        c.id,
        c.source,
        c.entity,
        c.topic,
        c.summary,
        c.quote,
        c.metric,
        c.value_low,
        c.value_high,
        c.unit,
        c.bound,
        c.period,
        c.status,
        c.speaker,
        c.note,
        int(bool(getattr(c, "draft", False))),
        title,
        f.qentity,
        f.unit,
        f.period,
        lo,
        hi,
        f.presumed,
        f.date,
        int(f.as_of),
        f.label,
        agreement.stances_text(f.stances),
        *agreement.stored(c.id, model),
        *(c.table or (None, None)),
    )


def _stance_rows(claims: list[Claim]) -> list[tuple[str, str, str]]:
    return [(c.id, prop, pos) for c in claims for prop, pos in sorted(c.stance.items())]


def _source_row(s: Source, claims: int, conflicts: int) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "publisher": s.publisher,
        "author": s.author,
        "published": s.published,
        "url": s.url,
        "kind": s.kind,
        "document": s.document,
        "flags": json.dumps(s.flags),
        "notes": s.notes,
        "file": s.file,
        "claim_count": claims,
        "conflict_count": conflicts,
        "as_of": s.as_of,
    }


def _file_of(states: dict[str, FileState] | None) -> dict[str, FileState]:
    """source id (= file stem) -> the state of its file."""
    out = {}
    for rel, st in (states or {}).items():
        if rel.startswith("sources/"):
            out[Path(rel).stem] = st
    return out


class _Steps:
    """Seconds per step of a build, printed to stderr when PIVOT_BUILD_PROFILE=1 (benchmarks)."""

    def __init__(self) -> None:
        self.on = os.environ.get("PIVOT_BUILD_PROFILE") == "1"
        self.last = time.perf_counter()

    def __call__(self, name: str) -> None:
        if self.on:
            import sys

            now = time.perf_counter()
            print(f"build step {name}: {now - self.last:.2f}s", file=sys.stderr)
            self.last = now


def _write(db_path: Path, corpus: Corpus, states: dict[str, FileState] | None) -> tuple[int, float]:
    import sqlite_utils  # kept off the explorer's start-up path

    started = time.perf_counter()
    step = _Steps()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=OFF")  # a fresh temp file: the rename is the commit
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-200000")
    db = sqlite_utils.Database(conn)
    table = db.table  # tables, never views (typed so)
    topic_order = {t.id: t.order for t in corpus.topics}
    entity_name = {e.id: e.name.lower() for e in corpus.entities}
    info = entity_info(corpus)
    claims = corpus.claims
    figures = corpus_figures(corpus, info)
    step("figures")
    model = agreement.model_of(figures.values(), info)
    step("agreement model")
    claims.sort(key=_store_order(claims, figures, model, entity_name, topic_order))
    step("sort")
    n_pairs = _pairs_of(model, figures)
    per_entity: dict[str, int] = defaultdict(int)
    per_topic: dict[str, int] = defaultdict(int)
    per_source: dict[str, int] = defaultdict(int)
    conflicts_entity: dict[str, int] = defaultdict(int)
    conflicts_source: dict[str, int] = defaultdict(int)
    for c in claims:
        per_entity[c.entity] += 1
        per_topic[c.topic] += 1
        per_source[c.source] += 1
        stored = agreement.stored(c.id, model) if c.id in model.summaries else None
        if not c.draft and stored is not None and agreement.in_conflict(stored.standing):
            conflicts_entity[c.entity] += 1
            conflicts_source[c.source] += 1
    titles = {s.id: s.title for s in corpus.sources}
    files = _file_of(states)
    facet_rows: dict[tuple[str, str | None], int] = defaultdict(int)
    for c in claims:
        facet_rows[("status", c.status)] += 1
        facet_rows[("period", c.period)] += 1
    for s in corpus.sources:
        for f in s.flags:
            facet_rows[("flag", f)] += per_source.get(s.id, 0)

    step("counts")
    with transaction(conn):
        for stmt in SCHEMA.split(";\n"):
            if stmt.strip():
                conn.execute(stmt)
        meta = {
            "schema_version": str(SCHEMA_VERSION),
            "corpus_hash": digest_of(states.values()) if states else corpus.digest,
            "built_at": _now(),
            "dense_rowids": "1",
            "conflict_pairs": str(n_pairs),  # kept by incremental updates, so reports need no scan
        }
        set_meta(conn, meta)
        table("entities").insert_all(
            {
                "id": e.id,
                "name": e.name,
                "kind": e.kind,
                "parent": e.parent,
                "ticker": e.ticker,
                "aliases": json.dumps(e.aliases),
                "members": json.dumps(e.members),
                "claim_count": per_entity.get(e.id, 0),
                "conflict_count": conflicts_entity.get(e.id, 0),
            }
            for e in corpus.entities
        )
        names = set()
        for e in corpus.entities:
            for n in (e.id, e.name, *e.aliases, *([e.ticker] if e.ticker else [])):
                names.add((e.id, n.lower()))
        table("entity_names").insert_all({"entity": e, "name": n} for e, n in sorted(names))
        table("topics").insert_all(
            {"id": t.id, "label": t.label, "order": t.order, "description": t.description, "claim_count": per_topic.get(t.id, 0)}
            for t in corpus.topics
        )
        insert_metrics(conn, corpus.metrics)
        table("sources").insert_all(
            (_source_row(s, per_source.get(s.id, 0), conflicts_source.get(s.id, 0)) for s in corpus.sources),
            batch_size=5000,
        )
        table("source_flags").insert_all({"source": s.id, "flag": f} for s in corpus.sources for f in s.flags)
        conn.executemany(
            "INSERT INTO propositions VALUES (?, ?, ?, ?, ?)",
            [(p.id, p.text, p.entity, p.topic, p.note) for p in corpus.propositions],
        )
        conn.executemany("INSERT INTO stances VALUES (?, ?, ?)", _stance_rows(claims))
        conn.executemany("INSERT INTO facet_counts VALUES (?, ?, ?)", [(k[0], k[1], n) for k, n in facet_rows.items()])
        base = [st for rel, st in (states or {}).items() if "/" not in rel]
        rows = [st.record(None) for st in base]
        rows += [st.record(sid) for sid, st in files.items() if sid in titles]
        conn.executemany(RECORD_SQL, rows)
        set_meta(conn, {FILES_DIGEST: records_digest((r[0], r[2], r[3], r[5], r[6]) for r in rows)})  # the no-op's
        # The claims table is the hot path: plain executemany over tuples is several
        # times faster than insert_all's dict handling at a million rows.
        step("other tables")
        conn.executemany(
            f"INSERT INTO claims ({_CLAIM_COLUMNS}) VALUES ({_CLAIM_MARKS})",
            (_claim_row(c, figures[c.id], titles[c.source], model) for c in claims),
        )
        step("claims insert")
        for name, columns in INDEXES:
            table(name).create_index(list(columns), if_not_exists=True)
        for sql in GRID_INDEX_SQL:
            conn.execute(sql)
        step("indexes")
        conn.execute(FTS_SQL)
        # FTS5 flushes its in-memory terms to a new segment each 1 MB by default, and merges
        # those segments as it goes; 64 MB per flush leaves far fewer segments to merge
        # (100k claims: ~35-40 % less CPU for the rebuild, memory bounded by the 64 MB), and
        # the default is set back for the updates that follow
        conn.execute("INSERT INTO claims_fts (claims_fts, rank) VALUES ('hashsize', ?)", (64 << 20,))
        conn.execute("INSERT INTO claims_fts (claims_fts) VALUES ('rebuild')")
        conn.execute("DELETE FROM claims_fts_config WHERE k = 'hashsize'")
        step("fts rebuild")
        conn.execute(TERMS_SQL)
        _add_terms(conn, "main", "claims_fts")
        step("fts terms")
        conn.execute("ANALYZE")
        step("analyze")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    return n_pairs, time.perf_counter() - started


@contextmanager
def transaction(conn: sqlite3.Connection, *, immediate: bool = False) -> Iterator[sqlite3.Connection]:
    """One transaction of a full build or an update: committed whole, or rolled back."""
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def set_meta(conn: sqlite3.Connection, values: dict[str, str]) -> None:
    """Write pivot_meta keys (the build's and the update's one way to record them)."""
    conn.executemany(
        "INSERT INTO pivot_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        list(values.items()),
    )


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _store_order(
    claims: list[Claim],
    figures: dict[str, Figure],
    model: agreement.Model,
    entity_name: dict[str, str],
    topic_order: dict[str, int],
) -> Callable[[Claim], tuple[Any, ...]]:
    """The order claims are stored in, which is the order the explorer opens on (and the
    exports' store order): the most-covered entities first, each a company then its events
    (grouped by the entity a figure is about, so that `company:x` is one short rowid span),
    and in each entity its figures (those in dispute first), then its positions in dispute,
    then the rest (commentary), then by topic and source."""
    covered: dict[str, int] = defaultdict(int)
    for c in claims:
        covered[figures[c.id].qentity] += 1

    def weight(c: Claim) -> int:
        stored = agreement.stored(c.id, model) if c.id in model.summaries else None
        disputed = not c.draft and stored is not None and agreement.in_conflict(stored.standing)
        if c.value_low is not None:
            return 0 if disputed else 1  # the figures, those in dispute first
        return 2 if disputed else 3  # then the positions in dispute, then the commentary

    def key(c: Claim) -> tuple[Any, ...]:
        q = figures[c.id].qentity
        return (-covered[q], entity_name[q], q, c.entity != q, entity_name[c.entity], c.entity, weight(c),
                topic_order[c.topic], c.source, c.id)  # fmt: skip

    return key


def build_store(corpus: Corpus, db_path: Path | str, states: dict[str, FileState] | None = None) -> BuildReport:
    """Write the store for `corpus` to db_path, replacing any previous one atomically.

    `states` (corpus file -> size, time, hash) lets later refreshes re-read only
    what changed; without it the next refresh does a full build."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(db_path):
        import fcntl

        remove_dead_temps(db_path)  # of builds that were killed (SIGKILL, a power cut)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=".tmp", dir=db_path.parent)
        fcntl.flock(fd, fcntl.LOCK_EX)  # held while this build lives: its temp file is not dead
        tmp = Path(tmp_name)
        try:
            n_conflicts, seconds = _write(tmp, corpus, states)
            os.chmod(tmp, 0o644)
            _move_into_place(tmp, db_path, fd)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        finally:
            os.close(fd)
    return BuildReport(
        path=db_path,
        sources=len(corpus.sources),
        entities=len(corpus.entities),
        claims=sum(len(s.claims) for s in corpus.sources),
        conflicts=n_conflicts,
        seconds=seconds,
    )


def _move_into_place(tmp: Path, db_path: Path, fd: int) -> None:
    """A finished new store file takes the store's name, durably (the file synced, renamed,
    its folder synced: it was written with journaling and syncing off)."""
    from . import durable

    # a journal beside the target belongs to a killed writer of the old file:
    # it must go before the new file takes the name, or it is replayed into it
    roll_back_journal(db_path, drop=True)
    durable.replace(tmp, db_path, fd)
    stamp_written(db_path)
