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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import agreement
from .agreement import Figure
from .files import FILES_DIGEST, RECORD_SQL, FileState, digest_of, keep_snapshot, records_digest
from .lock import build_lock
from .metrics import insert_metrics
from .model import Claim, Corpus, Entity, Source, Topic
from .recovery import remove_dead_temps, roll_back_journal
from .schema import AGREEMENT_FIELDS, CLAIM_FIELDS, FTS_SQL, GRID_INDEX_SQL, INDEXES, SCHEMA, SCHEMA_VERSION, TERMS_SQL
from .stamps import stamp_written

__all__ = ["SCHEMA_VERSION", "BuildReport", "build_files", "build_store", "corpus_conflicts", "corpus_model", "find_conflicts"]


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
    base_files: list[str] = field(
        default_factory=list
    )  # entities.yaml, topics.yaml ...: changed, applied without re-reading the sources

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
    return (*_figure_row(c, f, title), *agreement.stored(c.id, model), *(c.table or (None, None)), c.scope)


def _figure_row(c: Claim, f: Figure, title: str) -> tuple[Any, ...]:
    """A claim's columns up to the agreement model's (schema.CLAIM_FIELDS)."""
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
    )


ENTITY_SQL = (
    "INSERT INTO entities (id, name, kind, parent, ticker, aliases, members, claim_count, conflict_count) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
TOPIC_SQL = 'INSERT INTO topics (id, label, "order", description, claim_count) VALUES (?, ?, ?, ?, ?)'


def insert_base(
    conn: sqlite3.Connection,
    entities: list[Entity],
    topics: list[Topic],
    claims_of: dict[str, int],
    conflicts_of: dict[str, int],
    claims_of_topic: dict[str, int],
) -> None:
    """The rows of entities, entity_names and topics, with their counts (the full build's and
    the base update's one way to write them; topics in their order)."""
    conn.executemany(
        ENTITY_SQL,
        [
            (
                e.id,
                e.name,
                e.kind,
                e.parent,
                e.ticker,
                json.dumps(e.aliases),
                json.dumps(e.members),
                claims_of.get(e.id, 0),
                conflicts_of.get(e.id, 0),
            )
            for e in entities
        ],
    )
    names = set()
    for e in entities:
        for n in (e.id, e.name, *e.aliases, *([e.ticker] if e.ticker else [])):
            names.add((e.id, n.lower()))
    conn.executemany("INSERT INTO entity_names (entity, name) VALUES (?, ?)", sorted(names))
    conn.executemany(TOPIC_SQL, [(t.id, t.label, t.order, t.description, claims_of_topic.get(t.id, 0)) for t in topics])


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


_FIGURE_FIELDS = tuple(k for k in CLAIM_FIELDS if k not in AGREEMENT_FIELDS)  # _figure_row's, then the table cell's
# the claims as they are read, in file order, with their sort keys (a claim's entity's name
# and the like) and where they were written (for the message on a duplicate id); the
# claims table gets them sorted, with the agreement model's columns (work.agree); both in a
# file of their own beside the new store (`work`, removed with it), not in the temp folder
_STAGE_SQL = f"CREATE TABLE work.stage ({', '.join(_FIGURE_FIELDS)}, k_qname, k_ename, k_order, k_file, k_line)"
_STAGE_INSERT = f"INSERT INTO work.stage VALUES ({', '.join('?' * (len(_FIGURE_FIELDS) + 5))})"
_AGREE_SQL = f"CREATE TABLE work.agree (rowid INTEGER PRIMARY KEY, {', '.join(AGREEMENT_FIELDS)})"
_AGREE_INSERT = f"INSERT INTO work.agree VALUES (?, {', '.join('?' * len(AGREEMENT_FIELDS))})"
_SOURCE_INSERT = (
    "INSERT INTO sources (id, title, publisher, author, published, url, kind, document, flags, notes, file, claim_count, conflict_count, as_of) "
    "VALUES (:id, :title, :publisher, :author, :published, :url, :kind, :document, :flags, :notes, :file, :claim_count, :conflict_count, :as_of)"
)
_NOTHING = dict(zip(AGREEMENT_FIELDS, agreement.NOTHING, strict=True))  # a claim with nothing to count
_IN_CONFLICT = (
    f"(CASE WHEN draft = 0 AND standing IN ({', '.join(repr(k) for k in agreement.CONFLICT_SUMMARIES)}) THEN 1 ELSE 0 END)"
)

FirstAt = Callable[[list[str]], dict[str, tuple[str, int]]]  # claim ids -> the file and line of the first claim of each
SourcesOf = Callable[[FirstAt], Iterable[Source]]


def _write(
    db_path: Path, corpus: Corpus, sources_of: SourcesOf, finish: Callable[[], dict[str, FileState] | None]
) -> tuple[int, int, int, float]:
    """Write a new store at db_path: the sources streamed in (`sources_of(first_at)`, each
    stored as it comes and let go), then `finish()` (which raises CorpusError when the corpus
    has problems: nothing is kept) gives the record of every file. The agreement model is
    applied one family at a time from the stored rows (_agreement), the claims copied into
    place sorted, and every count taken by SQL: memory holds one source and one family at a
    time, whatever the corpus's size. (pairs in conflict, sources, claims, seconds)"""
    started = time.perf_counter()
    conn = sqlite3.connect(db_path)
    work = Path(f"{db_path}.work.tmp")  # the staged rows: beside the new store, a dead build's removed with its file
    conn.execute("ATTACH ? AS work", (str(work),))
    for schema in ("main", "work"):
        conn.execute(f"PRAGMA {schema}.journal_mode=OFF")  # fresh temp files: the rename is the commit
        conn.execute(f"PRAGMA {schema}.synchronous=OFF")
        conn.execute(f"PRAGMA {schema}.cache_size=-32768")  # 32 MB of pages each (SQLite's sorts and caches, bounded)
    try:
        return _write_into(conn, started, corpus, sources_of, finish)
    finally:
        conn.close()
        work.unlink(missing_ok=True)


def _write_into(
    conn: sqlite3.Connection,
    started: float,
    corpus: Corpus,
    sources_of: SourcesOf,
    finish: Callable[[], dict[str, FileState] | None],
) -> tuple[int, int, int, float]:
    import sqlite_utils  # kept off the explorer's start-up path

    step = _Steps()
    db = sqlite_utils.Database(conn)
    table = db.table  # tables, never views (typed so)
    info = entity_info(corpus)
    # (a streamed corpus is checked at its end: a name or an order it lacks is a problem then)
    name_of = {e.id: (e.name or "").lower() for e in corpus.entities}
    topic_order = {t.id: t.order if isinstance(t.order, int) and abs(t.order) < 1 << 62 else 0 for t in corpus.topics}
    with transaction(conn):
        for stmt in SCHEMA.split(";\n"):
            if stmt.strip():
                conn.execute(stmt)
        conn.execute(_STAGE_SQL)
        indexed = False

        def first_at(ids: list[str]) -> dict[str, tuple[str, int]]:
            nonlocal indexed
            if not ids:
                return {}
            if not indexed:  # only when a corpus has a duplicate id to report
                conn.execute("CREATE INDEX work.stage_id ON stage (id)")
                indexed = True
            out: dict[str, tuple[str, int]] = {}
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                sql = f"SELECT id, k_file, k_line FROM work.stage WHERE id IN ({', '.join('?' * len(chunk))}) ORDER BY rowid DESC"
                out.update((cid, (file, line)) for cid, file, line in conn.execute(sql, chunk))  # the first one last
            return out

        for s in sources_of(first_at):
            si = source_info(s)
            conn.execute(_SOURCE_INSERT, _source_row(s, 0, 0))
            conn.executemany("INSERT INTO source_flags (source, flag) VALUES (?, ?)", [(s.id, f) for f in s.flags])
            conn.executemany("INSERT INTO stances VALUES (?, ?, ?)", _stance_rows(s.claims))
            rows = []
            for c in s.claims:
                f = agreement.figure_of_claim(c, info, si)
                keys = (name_of.get(f.qentity, ""), name_of.get(c.entity, ""), topic_order.get(c.topic, 0), c.file, c.line)
                rows.append((*_figure_row(c, f, s.title), *(c.table or (None, None)), c.scope, *keys))
            conn.executemany(_STAGE_INSERT, rows)
        states = finish()
        step("figures and sort")
        _agreement(conn, info)
        step("agreement model")
        # The store's order, which is the order the explorer opens on (and the exports' store
        # order): the most-covered entities first, each grouped by the entity a figure is
        # about (a company, then its events), so that `company:x` is one short rowid span; in
        # each entity its figures (those in dispute first), then its positions in dispute,
        # then the commentary; then topic, source and id
        conn.execute("CREATE TABLE work.cover (qentity TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID")
        conn.execute("INSERT INTO work.cover SELECT qentity, count(*) FROM work.stage GROUP BY qentity")
        disputed = f"coalesce(s.draft = 0 AND a.standing IN ({', '.join(repr(k) for k in agreement.CONFLICT_SUMMARIES)}), 0)"
        weight = f"(CASE WHEN s.value_low IS NOT NULL THEN 1 - {disputed} ELSE 3 - {disputed} END)"
        conn.execute(
            f"INSERT INTO claims ({', '.join(CLAIM_FIELDS)}) SELECT "
            + ", ".join(
                f"s.{k}" if k not in AGREEMENT_FIELDS else f"a.{k}" if _NOTHING[k] is None else f"coalesce(a.{k}, {_NOTHING[k]})"
                for k in CLAIM_FIELDS
            )
            + " FROM work.stage s LEFT JOIN work.agree a ON a.rowid = s.rowid JOIN work.cover v ON v.qentity = s.qentity "
            f"ORDER BY v.n DESC, s.k_qname, s.qentity, s.entity != s.qentity, s.k_ename, s.entity, {weight}, s.k_order, s.source, s.id"
        )
        step("claims insert")
        for name, columns in INDEXES:
            table(name).create_index(list(columns), if_not_exists=True)
        for sql in GRID_INDEX_SQL:
            conn.execute(sql)
        step("indexes")
        counts = _counts(conn)
        insert_base(conn, corpus.entities, corpus.topics, *counts)
        conn.executemany(
            "INSERT INTO propositions VALUES (?, ?, ?, ?, ?)",
            [(p.id, p.text, p.entity, p.topic, p.note) for p in corpus.propositions],
        )
        insert_metrics(conn, corpus.metrics)
        n_pairs = conn.execute(
            "SELECT coalesce(sum(conflict_count + odds_count + oppose_count), 0) / 2 FROM claims WHERE draft = 0"
        ).fetchone()[0]
        ids = {r[0] for r in conn.execute("SELECT id FROM sources")}
        base = [st.record(None) for rel, st in (states or {}).items() if "/" not in rel]
        rows = base + [st.record(sid) for sid, st in _file_of(states).items() if sid in ids]
        conn.executemany(RECORD_SQL, rows)
        set_meta(conn, {FILES_DIGEST: records_digest((r[0], r[2], r[3], r[5], r[6]) for r in rows)})  # the no-op's
        set_meta(
            conn,
            {
                "schema_version": str(SCHEMA_VERSION),
                "corpus_hash": digest_of(states.values()) if states else corpus.digest,
                "built_at": _now(),
                "dense_rowids": "1",
                "conflict_pairs": str(n_pairs),  # kept by incremental updates, so reports need no scan
            },
        )
        keep_snapshot(conn)  # the records' snapshot: the next update's diff reads no record
        step("counts")
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
        conn.execute("ANALYZE main")
        step("analyze")
        n_sources, n_claims = conn.execute("SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM claims)").fetchone()
    conn.execute("DETACH work")
    conn.execute("PRAGMA journal_mode=DELETE")
    return n_pairs, n_sources, n_claims, time.perf_counter() - started


def _agreement(conn: sqlite3.Connection, info: EntityInfo) -> None:
    """The agreement model over the staged claims, one family (quantity entity, metric,
    unit) at a time, read in order from SQL: what agreement.model_of gives for the whole
    corpus (the same summarise_family, the positions of every claim that takes one, and the
    check of each group figure against its members' figures), into work.agree by the
    stage's rowid. Only the claims with something to count get a row."""
    from .agreement.counting import summarise_family, summarise_positions

    conn.execute(_AGREE_SQL)
    groups = {e: i[2] for e, i in info.items() if i[0] == "group" and i[2]}
    names = {e: i[3] for e, i in info.items()}
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    holders = [
        (r["rowid"], agreement.figure_of_record(r))
        for r in cur.execute("SELECT rowid, * FROM work.stage WHERE stances IS NOT NULL")
    ]
    positions = summarise_positions([f for _, f in holders]) if holders else {}
    out: list[tuple[Any, ...]] = []
    grouped: list[tuple[int, Figure, agreement.Summary]] = []  # group figures: checked once every family is read

    def with_position(f: Figure, s: agreement.Summary) -> agreement.Summary:
        if f.id in positions:
            s.opposed, s.concurs, s.concur_sources = positions[f.id]
            s.has_position = True
        return s

    def flush(items: list[tuple[int, Figure]]) -> None:
        summaries = summarise_family([f for _, f in items])
        for rowid, f in items:
            s = with_position(f, summaries[f.id])
            if f.qentity in groups:
                grouped.append((rowid, f, s))
            else:
                out.append((rowid, *agreement.stored(f.id, agreement.Model({f.id: s}))))
        if len(out) >= 20_000:
            conn.executemany(_AGREE_INSERT, out)
            out.clear()

    family: tuple[Any, ...] | None = None
    items: list[tuple[int, Figure]] = []
    rows = conn.cursor()
    rows.row_factory = sqlite3.Row
    for r in rows.execute(
        "SELECT rowid, * FROM work.stage WHERE value_low IS NOT NULL AND metric IS NOT NULL ORDER BY qentity, metric, qunit, rowid"
    ):
        key = (r["qentity"], r["metric"], r["qunit"])
        if key != family:
            if items:
                flush(items)
            family, items = key, []
        items.append((r["rowid"], agreement.figure_of_record(r)))
    if items:
        flush(items)
    for rowid, f in holders:  # a position without a figure
        if not f.numeric:
            s = with_position(f, agreement.Summary(numeric=False))
            out.append((rowid, *agreement.stored(f.id, agreement.Model({f.id: s}))))
    if grouped:
        conn.execute("CREATE INDEX work.stage_family ON stage (qentity, metric, qunit)")
        members_of: dict[tuple[Any, ...], list[Figure]] = {}
        for rowid, f, s in grouped:
            figures: dict[str, list[Figure]] = {}
            for m in groups[f.qentity]:
                key = (m, f.metric, f.unit)
                if key not in members_of:
                    members_of[key] = [
                        agreement.figure_of_record(r)
                        for r in cur.execute(
                            "SELECT rowid, * FROM work.stage WHERE qentity = ? AND metric = ? AND qunit IS ? AND value_low IS NOT NULL",
                            key,
                        )
                    ]
                figures[m] = members_of[key]
            check = agreement.group_check(f, groups[f.qentity], names, figures)
            model = agreement.Model({f.id: s}, {f.id: check} if check is not None else {})
            out.append((rowid, *agreement.stored(f.id, model)))
    conn.executemany(_AGREE_INSERT, out)


def _counts(conn: sqlite3.Connection) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Claims and claims in conflict per entity, claims per topic (returned), per source and
    the facets (written): by SQL over the claims stored."""
    claims_of: dict[str, int] = {}
    conflicts_of: dict[str, int] = {}
    for e, n, k in conn.execute(f"SELECT entity, count(*), sum({_IN_CONFLICT}) FROM claims GROUP BY entity"):
        claims_of[e], conflicts_of[e] = n, k
    claims_of_topic = dict(conn.execute("SELECT topic, count(*) FROM claims GROUP BY topic").fetchall())
    conn.execute("CREATE TEMP TABLE per_source (source TEXT PRIMARY KEY, n INTEGER, k INTEGER)")
    conn.execute(f"INSERT INTO per_source SELECT source, count(*), sum({_IN_CONFLICT}) FROM claims GROUP BY source")
    conn.execute(
        "UPDATE sources SET claim_count = coalesce((SELECT n FROM per_source WHERE source = sources.id), 0), "
        "conflict_count = coalesce((SELECT k FROM per_source WHERE source = sources.id), 0)"
    )
    conn.execute("DROP TABLE temp.per_source")
    conn.execute(
        "INSERT INTO facet_counts SELECT 'status', status, count(*) FROM claims GROUP BY status "
        "UNION ALL SELECT 'period', period, count(*) FROM claims GROUP BY period "
        "UNION ALL SELECT 'flag', f.flag, sum(s.claim_count) FROM source_flags f JOIN sources s ON s.id = f.source GROUP BY f.flag"
    )
    return claims_of, conflicts_of, claims_of_topic


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


def build_store(
    corpus: Corpus,
    db_path: Path | str,
    states: dict[str, FileState] | None = None,
    *,
    sources_of: SourcesOf | None = None,
    finish: Callable[[], dict[str, FileState] | None] | None = None,
) -> BuildReport:
    """Write the store for `corpus` to db_path, replacing any previous one atomically.

    `states` (corpus file -> size, time, hash) lets later refreshes re-read only
    what changed; without it the next refresh does a full build. `sources_of` and
    `finish` stream the sources instead (build_files)."""
    if sources_of is None:
        sources_of = lambda first_at: corpus.sources
    if finish is None:
        finish = lambda: states
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(db_path):
        import fcntl

        remove_dead_temps(db_path)  # of builds that were killed (SIGKILL, a power cut)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=".tmp", dir=db_path.parent)
        fcntl.flock(fd, fcntl.LOCK_EX)  # held while this build lives: its temp file is not dead
        tmp = Path(tmp_name)
        try:
            n_conflicts, n_sources, n_claims, seconds = _write(tmp, corpus, sources_of, finish)
            os.chmod(tmp, 0o644)
            _move_into_place(tmp, db_path, fd)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        finally:
            os.close(fd)
    return BuildReport(
        path=db_path, sources=n_sources, entities=len(corpus.entities), claims=n_claims, conflicts=n_conflicts, seconds=seconds
    )


def build_files(data_dir: Path, db_path: Path | str) -> BuildReport:
    """The full build from the corpus's files, streamed (`pivot build --full`, and whenever
    the store cannot be brought up to date otherwise): each source file parsed, checked and
    stored as it comes, nothing held whole (load.CorpusStream, _write). Raises CorpusError
    (nothing written) when the corpus has problems."""
    from .load import CorpusStream

    stream = CorpusStream(data_dir)
    return build_store(stream.corpus, db_path, sources_of=stream.sources, finish=stream.finish)


def _move_into_place(tmp: Path, db_path: Path, fd: int) -> None:
    """A finished new store file takes the store's name, durably (the file synced, renamed,
    its folder synced: it was written with journaling and syncing off)."""
    from . import durable

    # a journal beside the target belongs to a killed writer of the old file:
    # it must go before the new file takes the name, or it is replayed into it
    roll_back_journal(db_path, drop=True)
    durable.replace(tmp, db_path, fd)
    stamp_written(db_path)
