"""Build the SQLite store from a validated corpus, atomically; update it in place.

A full build writes a new file beside the target, inside one transaction, and
moves it into place with os.replace: a failed or interrupted build leaves the
last good store untouched, and an explorer that has the old file open keeps
reading it. An update (`refresh_store`) re-reads only the source files whose
bytes changed and applies the difference inside one SQLite transaction, which
either commits whole or not at all. A lock file serialises builders.

Conflicts follow the contract: two claims from different sources about the same
entity, metric, unit and period whose value ranges, after their bounds, cannot
both be true. Each claim stores its effective range (`lo_eff`, `hi_eff`) and how
many claims disagree with it (`conflict_count`); the pairs themselves are the
`conflicts` view, which answers for one claim through an index. Counting uses
sorted bounds per group, so a group of 50,000 claims costs a sort, not 2.5
billion comparisons.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .files import FileState, digest_of, recorded_digest
from .model import Claim, Corpus, CorpusError, Problem, Source

from .schema import SCHEMA_VERSION  # noqa: E402  (re-exported)
APPROX_TOLERANCE = 0.10  # "about 10 %" is taken to mean 9–11 %
INF = float("inf")


@dataclass
class BuildReport:
    path: Path
    sources: int
    entities: int
    claims: int
    conflicts: int
    seconds: float
    mode: str = "full"  # "full" or "update"
    changed_files: int = 0
    added_claims: int = 0
    removed_claims: int = 0


# --- conflicts -------------------------------------------------------------------------

def interval(c: Claim) -> tuple[float, float]:
    """The values a claim allows, after its bound: at-least 20 -> [20, inf)."""
    assert c.value_low is not None and c.value_high is not None
    return interval_of(c.value_low, c.value_high, c.bound)


def interval_of(low: float, high: float, bound: str | None) -> tuple[float, float]:
    if bound == "approx":
        return low - abs(low) * APPROX_TOLERANCE, high + abs(high) * APPROX_TOLERANCE
    if bound == "at-least":
        return low, INF
    if bound == "at-most":
        return -INF, high
    return low, high


def group_key(c: Claim) -> tuple:
    return (c.entity, c.metric, c.unit, c.period)


def conflict_counts(items: list[tuple[str, str, float, float]]) -> dict[str, int]:
    """items: (claim id, source, lo_eff, hi_eff) of one group -> claim id -> number of
    claims from other sources in the group whose range is disjoint from its own."""
    los = sorted(i[2] for i in items)
    his = sorted(i[3] for i in items)
    per_source: dict[str, list] = defaultdict(list)
    for i in items:
        per_source[i[1]].append(i)
    same: dict[str, tuple[list[float], list[float]]] = {}
    for src, group in per_source.items():
        if len(group) > 1:
            same[src] = (sorted(i[2] for i in group), sorted(i[3] for i in group))
    out: dict[str, int] = {}
    n = len(items)
    for cid, src, lo, hi in items:
        disjoint = bisect_left(his, lo) + (n - bisect_right(los, hi))
        if src in same:
            s_los, s_his = same[src]
            disjoint -= bisect_left(s_his, lo) + (len(s_los) - bisect_right(s_los, hi))
        out[cid] = disjoint
    return out


def find_conflicts(claims: list[Claim]) -> list[tuple[str, str]]:
    """Every disagreeing pair (for reports and tests; the store keeps counts, not pairs)."""
    groups: dict[tuple, list[Claim]] = defaultdict(list)
    for c in claims:
        if c.numeric and c.metric:
            groups[group_key(c)].append(c)
    pairs: list[tuple[str, str]] = []
    for group in groups.values():
        if len({c.source for c in group}) < 2:
            continue
        spans = sorted(((interval(c), c) for c in group), key=lambda x: x[0][0])
        starts = [s[0][0] for s in spans]
        for (lo_a, hi_a), a in spans:
            # every claim starting above a's end is disjoint from a (the other half of the
            # pairs is found from the other side)
            for (_, _), b in spans[bisect_right(starts, hi_a):]:
                if a.source != b.source:
                    pairs.append((a.id, b.id))
    return pairs


def count_conflicts(claims: list[Claim]) -> tuple[dict[str, int], int]:
    """(claim id -> conflict count, number of disagreeing pairs)."""
    groups: dict[tuple, list] = defaultdict(list)
    for c in claims:
        if c.numeric and c.metric:
            lo, hi = interval(c)
            groups[group_key(c)].append((c.id, c.source, lo, hi))
    counts: dict[str, int] = {}
    for items in groups.values():
        if len(items) > 1:
            counts.update({k: v for k, v in conflict_counts(items).items() if v})
    return counts, sum(counts.values()) // 2


# --- schema ------------------------------------------------------------------------------

SCHEMA = """
CREATE TABLE pivot_meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE entities (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
  parent TEXT REFERENCES entities(id), ticker TEXT, aliases TEXT, members TEXT,
  claim_count INTEGER NOT NULL DEFAULT 0, conflict_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE entity_names (
  entity TEXT NOT NULL REFERENCES entities(id), name TEXT NOT NULL, PRIMARY KEY (name, entity)
) WITHOUT ROWID;
CREATE TABLE topics (
  id TEXT PRIMARY KEY, label TEXT NOT NULL, "order" INTEGER NOT NULL, description TEXT,
  claim_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE sources (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT, author TEXT, published TEXT,
  url TEXT, kind TEXT NOT NULL, document TEXT, flags TEXT, notes TEXT, file TEXT,
  claim_count INTEGER NOT NULL DEFAULT 0, conflict_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE source_flags (
  source TEXT NOT NULL REFERENCES sources(id), flag TEXT NOT NULL, PRIMARY KEY (flag, source)
) WITHOUT ROWID;
CREATE TABLE source_files (
  file TEXT PRIMARY KEY, source TEXT, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL
);
CREATE TABLE facet_counts (
  facet TEXT NOT NULL, value TEXT, n INTEGER NOT NULL, PRIMARY KEY (facet, value)
);
CREATE TABLE claims (
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL REFERENCES sources(id),
  entity TEXT NOT NULL REFERENCES entities(id),
  topic TEXT NOT NULL REFERENCES topics(id),
  summary TEXT NOT NULL, quote TEXT NOT NULL,
  metric TEXT, value_low REAL, value_high REAL, unit TEXT, bound TEXT NOT NULL DEFAULT 'exact',
  period TEXT, status TEXT NOT NULL, speaker TEXT, note TEXT,
  source_title TEXT NOT NULL,
  lo_eff REAL, hi_eff REAL,
  conflict_count INTEGER NOT NULL DEFAULT 0
);
CREATE VIEW conflicts AS
  SELECT a.id AS claim, b.id AS other
  FROM claims AS a JOIN claims AS b
    ON b.entity = a.entity AND b.metric = a.metric AND b.unit = a.unit AND b.period IS a.period
   AND b.source != a.source AND (b.hi_eff < a.lo_eff OR b.lo_eff > a.hi_eff)
  WHERE a.conflict_count > 0;
"""

CLAIM_FIELDS = (
    "id", "source", "entity", "topic", "summary", "quote", "metric", "value_low", "value_high", "unit",
    "bound", "period", "status", "speaker", "note", "source_title", "lo_eff", "hi_eff", "conflict_count",
)
FTS_COLUMNS = ("summary", "quote", "speaker", "source_title")
# The shape sqlite-utils' enable_fts() creates (Datasette recognises it by `content=[claims]`),
# plus two- and three-letter prefix indexes, so that the first letters typed in the query bar
# read one index entry instead of merging the lists of every word they begin.
FTS_SQL = (
    "CREATE VIRTUAL TABLE [claims_fts] USING FTS5 ([summary], [quote], [speaker], [source_title], "
    "prefix='2 3', content=[claims])"
)

# Every word of the text index, so that a word being typed ("layoffs" as a prefix) can be
# expanded into the few words it begins ("layoffs" OR "layoffs'"), which FTS5 walks in rowid
# order and stops after one page, instead of merging the whole of each word's list first.
# Words that later leave the index stay listed: expanding to a word with no rows is harmless.
TERMS_SQL = "CREATE TABLE fts_terms (term TEXT PRIMARY KEY) WITHOUT ROWID"


def _add_terms(conn: sqlite3.Connection, schema: str, table: str) -> None:
    conn.execute(f"CREATE VIRTUAL TABLE temp.pivot_vocab USING fts5vocab({schema}, {table}, 'row')")
    try:
        conn.execute("INSERT OR IGNORE INTO fts_terms (term) SELECT term FROM temp.pivot_vocab")
    finally:
        conn.execute("DROP TABLE temp.pivot_vocab")


def _add_terms_of(conn: sqlite3.Connection, texts: list[tuple]) -> None:
    """Add the words of new claims to fts_terms, split by FTS5's own tokenizer."""
    if not texts:
        return
    conn.execute("CREATE VIRTUAL TABLE temp.pivot_new_text USING fts5(summary, quote, speaker, source_title)")
    try:
        conn.executemany("INSERT INTO temp.pivot_new_text VALUES (?, ?, ?, ?)", texts)
        _add_terms(conn, "temp", "pivot_new_text")
    finally:
        conn.execute("DROP TABLE temp.pivot_new_text")


INDEXES = [
    ("claims", ("entity",)), ("claims", ("source",)), ("claims", ("topic",)), ("claims", ("metric",)),
    ("claims", ("period",)), ("claims", ("status",)), ("claims", ("unit",)), ("claims", ("speaker",)),
    ("claims", ("value_low",)), ("claims", ("value_high",)), ("claims", ("conflict_count",)),
    ("claims", ("entity", "topic")), ("claims", ("entity", "metric", "period")),
    ("entity_names", ("entity",)), ("source_flags", ("source",)), ("entities", ("parent",)),
    ("sources", ("claim_count",)), ("sources", ("published",)),
]


def _claim_row(c: Claim, title: str, conflicts: int) -> tuple:
    lo, hi = interval(c) if c.numeric else (None, None)
    return (
        c.id, c.source, c.entity, c.topic, c.summary, c.quote, c.metric, c.value_low, c.value_high, c.unit,
        c.bound, c.period, c.status, c.speaker, c.note, title, lo, hi, conflicts,
    )


def _source_row(s: Source, claims: int, conflicts: int) -> dict:
    return {
        "id": s.id, "title": s.title, "publisher": s.publisher, "author": s.author,
        "published": s.published, "url": s.url, "kind": s.kind, "document": s.document,
        "flags": json.dumps(s.flags), "notes": s.notes, "file": s.file,
        "claim_count": claims, "conflict_count": conflicts,
    }


def _file_of(states: dict[str, FileState] | None) -> dict[str, FileState]:
    """source id (= file stem) -> the state of its file."""
    out = {}
    for rel, st in (states or {}).items():
        if rel.startswith("sources/"):
            out[Path(rel).stem] = st
    return out


def _write(db_path: Path, corpus: Corpus, states: dict[str, FileState] | None) -> tuple[int, float]:
    import sqlite_utils  # kept off the explorer's start-up path

    started = time.perf_counter()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=OFF")  # a fresh temp file: the rename is the commit
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-200000")
    db = sqlite_utils.Database(conn)
    topic_order = {t.id: t.order for t in corpus.topics}
    entity_name = {e.id: e.name.lower() for e in corpus.entities}
    claims = corpus.claims
    claims.sort(key=lambda c: (entity_name[c.entity], topic_order[c.topic], c.source, c.id))
    conflicted, n_pairs = count_conflicts(claims)
    per_entity: dict[str, int] = defaultdict(int)
    per_topic: dict[str, int] = defaultdict(int)
    per_source: dict[str, int] = defaultdict(int)
    conflicts_entity: dict[str, int] = defaultdict(int)
    conflicts_source: dict[str, int] = defaultdict(int)
    for c in claims:
        per_entity[c.entity] += 1
        per_topic[c.topic] += 1
        per_source[c.source] += 1
        if c.id in conflicted:
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

    conn.execute("BEGIN")
    for stmt in SCHEMA.split(";\n"):
        if stmt.strip():
            conn.execute(stmt)
    meta = {
        "schema_version": str(SCHEMA_VERSION),
        "corpus_hash": digest_of(states.values()) if states else corpus.digest,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "dense_rowids": "1",
        "conflict_pairs": str(n_pairs),  # kept by incremental updates, so reports need no scan
    }
    db["pivot_meta"].insert_all([{"key": k, "value": v} for k, v in meta.items()])
    db["entities"].insert_all(
        {
            "id": e.id, "name": e.name, "kind": e.kind, "parent": e.parent, "ticker": e.ticker,
            "aliases": json.dumps(e.aliases), "members": json.dumps(e.members),
            "claim_count": per_entity.get(e.id, 0), "conflict_count": conflicts_entity.get(e.id, 0),
        }
        for e in corpus.entities
    )
    names = set()
    for e in corpus.entities:
        for n in (e.id, e.name, *e.aliases, *([e.ticker] if e.ticker else [])):
            names.add((e.id, n.lower()))
    db["entity_names"].insert_all({"entity": e, "name": n} for e, n in sorted(names))
    db["topics"].insert_all(
        {"id": t.id, "label": t.label, "order": t.order, "description": t.description,
         "claim_count": per_topic.get(t.id, 0)}
        for t in corpus.topics
    )
    db["sources"].insert_all(
        (_source_row(s, per_source.get(s.id, 0), conflicts_source.get(s.id, 0)) for s in corpus.sources),
        batch_size=5000,
    )
    db["source_flags"].insert_all({"source": s.id, "flag": f} for s in corpus.sources for f in s.flags)
    conn.executemany("INSERT INTO facet_counts VALUES (?, ?, ?)", [(k[0], k[1], n) for k, n in facet_rows.items()])
    base = [st for rel, st in (states or {}).items() if "/" not in rel]
    rows = [(st.rel, None, st.size, st.mtime_ns, st.sha256) for st in base]
    rows += [(st.rel, sid, st.size, st.mtime_ns, st.sha256) for sid, st in files.items() if sid in titles]
    conn.executemany("INSERT INTO source_files VALUES (?, ?, ?, ?, ?)", rows)
    # The claims table is the hot path: plain executemany over tuples is several
    # times faster than insert_all's dict handling at a million rows.
    marks = ", ".join("?" * len(CLAIM_FIELDS))
    conn.executemany(
        f"INSERT INTO claims ({', '.join(CLAIM_FIELDS)}) VALUES ({marks})",
        (_claim_row(c, titles[c.source], conflicted.get(c.id, 0)) for c in claims),
    )
    for table, columns in INDEXES:
        db[table].create_index(list(columns), if_not_exists=True)
    conn.execute(FTS_SQL)
    conn.execute("INSERT INTO claims_fts (claims_fts) VALUES ('rebuild')")
    conn.execute(TERMS_SQL)
    _add_terms(conn, "main", "claims_fts")
    conn.execute("ANALYZE")
    conn.commit()
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    return n_pairs, time.perf_counter() - started


@contextmanager
def build_lock(db_path: Path, *, wait: bool = True):
    """Serialise builds of one store between processes (advisory lock on a side file).
    With wait=False, raises BlockingIOError at once when another build holds it."""
    import fcntl

    lock_path = db_path.with_name(db_path.name + ".lock")
    with open(lock_path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_store(corpus: Corpus, db_path: Path | str, states: dict[str, FileState] | None = None) -> BuildReport:
    """Write the store for `corpus` to db_path, replacing any previous one atomically.

    `states` (corpus file -> size, time, hash) lets later refreshes re-read only
    what changed; without it the next refresh does a full build."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(db_path):
        fd, tmp_name = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=".tmp", dir=db_path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            n_conflicts, seconds = _write(tmp, corpus, states)
            os.chmod(tmp, 0o644)
            from .locate import roll_back_journal

            # a journal beside the target belongs to a killed writer of the old file:
            # it must go before the new file takes the name, or it is replayed into it
            roll_back_journal(db_path, drop=True)
            os.replace(tmp, db_path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return BuildReport(
        path=db_path, sources=len(corpus.sources), entities=len(corpus.entities),
        claims=sum(len(s.claims) for s in corpus.sources), conflicts=n_conflicts, seconds=seconds,
    )


# --- incremental update ---------------------------------------------------------------------

from .files import Changes, diff_corpus  # noqa: E402  (they live beside the file states; re-exported)


def update_store(db_path: Path, data_dir: Path, changes: Changes, label) -> BuildReport:
    """Apply `changes` (source files only) to the store in one transaction.

    Raises CorpusError (nothing written) when a changed file has problems."""
    from .load import _did_you_mean, parse_source_file

    started = time.perf_counter()
    db_path = Path(db_path)
    with build_lock(db_path):
        conn = sqlite3.connect(db_path, timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("BEGIN IMMEDIATE")
            entity_ids = {r[0] for r in conn.execute("SELECT id FROM entities")}
            topic_ids = {r[0] for r in conn.execute("SELECT id FROM topics")}
            to_read = [*changes.added, *changes.changed]
            problems: list[Problem] = []
            parsed: list[tuple[FileState, Source]] = []
            for st in to_read:
                path = data_dir / st.rel
                source, ps = parse_source_file(path, label(path))
                problems += ps
                if source is not None:
                    parsed.append((st, source))
            gone = [s.rel for s in changes.changed] + changes.removed
            replaced_sources = [
                r[0] for r in conn.execute(
                    f"SELECT source FROM source_files WHERE file IN ({', '.join('?' * len(gone))})", gone
                ) if r[0]
            ] if gone else []
            leaving = set(replaced_sources)
            # cross-file checks against what stays in the store
            new_ids: dict[str, Claim] = {}
            for _, s in parsed:
                if s.id and s.id not in leaving and conn.execute("SELECT 1 FROM sources WHERE id = ?", (s.id,)).fetchone():
                    problems.append(Problem(s.file, s.line, "id", f"duplicate source id {s.id!r}"))
                for c in s.claims:
                    if c.id in new_ids:
                        problems.append(Problem(c.file, c.at("id"), "id", f"duplicate claim id {c.id!r} (first at {new_ids[c.id].file}:{new_ids[c.id].line})"))
                    new_ids[c.id] = c
                    if c.entity and c.entity not in entity_ids:
                        problems.append(Problem(c.file, c.at("entity"), "entity", f"unknown entity {c.entity!r}{_did_you_mean(c.entity, entity_ids)}"))
                    if c.topic and c.topic not in topic_ids:
                        problems.append(Problem(c.file, c.at("topic"), "topic", f"unknown topic {c.topic!r}{_did_you_mean(c.topic, topic_ids)}"))
            ids = list(new_ids)
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                for r in conn.execute(
                    f"SELECT id, source FROM claims WHERE id IN ({', '.join('?' * len(chunk))})", chunk
                ):
                    if r["source"] not in leaving:
                        c = new_ids[r["id"]]
                        problems.append(Problem(c.file, c.at("id"), "id", f"duplicate claim id {c.id!r} (already in source {r['source']!r})"))
            if problems:
                raise CorpusError(problems)

            touched_groups: set[tuple] = set()
            touched_entities: set[str] = set()
            touched_topics: set[str] = set()
            removed_claims = 0
            count_sum_before = count_sum_after = 0  # sum of conflict_count over the claims of touched groups
            facet_delta: dict[tuple[str, str | None], int] = defaultdict(int)
            for sid in leaving:
                flags = [r[0] for r in conn.execute("SELECT flag FROM source_flags WHERE source = ?", (sid,))]
                for r in conn.execute(
                    "SELECT rowid, entity, topic, metric, unit, period, value_low, summary, quote, speaker, source_title, status, "
                    "conflict_count FROM claims WHERE source = ?", (sid,)
                ).fetchall():
                    facet_delta[("status", r["status"])] -= 1
                    facet_delta[("period", r["period"])] -= 1
                    for f in flags:
                        facet_delta[("flag", f)] -= 1
                    conn.execute(
                        "INSERT INTO claims_fts (claims_fts, rowid, summary, quote, speaker, source_title) "
                        "VALUES ('delete', ?, ?, ?, ?, ?)",
                        (r["rowid"], r["summary"], r["quote"], r["speaker"], r["source_title"]),
                    )
                    touched_entities.add(r["entity"])
                    touched_topics.add(r["topic"])
                    if r["value_low"] is not None and r["metric"]:
                        touched_groups.add((r["entity"], r["metric"], r["unit"], r["period"]))
                    removed_claims += 1
                    count_sum_before += r["conflict_count"]
                conn.execute("DELETE FROM claims WHERE source = ?", (sid,))
                conn.execute("DELETE FROM source_flags WHERE source = ?", (sid,))
                conn.execute("DELETE FROM sources WHERE id = ?", (sid,))
            if gone:
                conn.execute(f"DELETE FROM source_files WHERE file IN ({', '.join('?' * len(gone))})", gone)

            next_rowid = (conn.execute("SELECT max(rowid) FROM claims").fetchone()[0] or 0) + 1
            added_claims = 0
            marks = ", ".join("?" * len(CLAIM_FIELDS))
            new_texts: list[tuple] = []
            for st, s in parsed:
                conn.execute(
                    "INSERT INTO sources (id, title, publisher, author, published, url, kind, document, flags, notes, file, claim_count, conflict_count) "
                    "VALUES (:id, :title, :publisher, :author, :published, :url, :kind, :document, :flags, :notes, :file, :claim_count, :conflict_count)",
                    _source_row(s, len(s.claims), 0),
                )
                conn.executemany("INSERT INTO source_flags (source, flag) VALUES (?, ?)", [(s.id, f) for f in s.flags])
                conn.execute("INSERT INTO source_files VALUES (?, ?, ?, ?, ?)", (st.rel, s.id, st.size, st.mtime_ns, st.sha256))
                for c in s.claims:
                    facet_delta[("status", c.status)] += 1
                    facet_delta[("period", c.period)] += 1
                    for f in s.flags:
                        facet_delta[("flag", f)] += 1
                    row = _claim_row(c, s.title, 0)
                    conn.execute(f"INSERT INTO claims (rowid, {', '.join(CLAIM_FIELDS)}) VALUES (?, {marks})", (next_rowid, *row))
                    conn.execute(
                        "INSERT INTO claims_fts (rowid, summary, quote, speaker, source_title) VALUES (?, ?, ?, ?, ?)",
                        (next_rowid, c.summary, c.quote, c.speaker, s.title),
                    )
                    new_texts.append((c.summary, c.quote, c.speaker, s.title))
                    next_rowid += 1
                    added_claims += 1
                    touched_entities.add(c.entity)
                    touched_topics.add(c.topic)
                    if c.numeric and c.metric:
                        touched_groups.add(group_key(c))
            _add_terms_of(conn, new_texts)
            for (facet, value), n in facet_delta.items():
                if n and conn.execute(
                    "UPDATE facet_counts SET n = n + ? WHERE facet = ? AND value IS ?", (n, facet, value)
                ).rowcount == 0:
                    conn.execute("INSERT INTO facet_counts VALUES (?, ?, ?)", (facet, value, n))
            for st in changes.touched:
                conn.execute("UPDATE source_files SET size = ?, mtime_ns = ? WHERE file = ?", (st.size, st.mtime_ns, st.rel))

            # conflicts: recount every group a claim entered or left
            # (a source's or entity's conflict_count counts its disputed claims, so only a
            # claim that becomes or stops being disputed changes those)
            touched_sources: set[str] = set()
            for ent, metric, unit, period in touched_groups:
                rows = conn.execute(
                    "SELECT rowid, id, source, lo_eff, hi_eff, conflict_count FROM claims "
                    "WHERE entity = ? AND metric = ? AND unit = ? AND period IS ? AND lo_eff IS NOT NULL",
                    (ent, metric, unit, period),
                ).fetchall()
                counts = conflict_counts([(r["id"], r["source"], r["lo_eff"], r["hi_eff"]) for r in rows])
                updates = []
                for r in rows:
                    new = counts[r["id"]]
                    count_sum_before += r["conflict_count"]
                    count_sum_after += new
                    if new != r["conflict_count"]:
                        updates.append((new, r["rowid"]))
                        if (new > 0) != (r["conflict_count"] > 0):
                            touched_sources.add(r["source"])
                            touched_entities.add(ent)
                conn.executemany("UPDATE claims SET conflict_count = ? WHERE rowid = ?", updates)
            pairs_row = conn.execute("SELECT value FROM pivot_meta WHERE key = 'conflict_pairs'").fetchone()
            if pairs_row is not None:
                pairs = int(pairs_row[0]) + (count_sum_after - count_sum_before) // 2
                conn.execute("UPDATE pivot_meta SET value = ? WHERE key = 'conflict_pairs'", (str(pairs),))
            for e in touched_entities:
                conn.execute(
                    "UPDATE entities SET claim_count = (SELECT count(*) FROM claims WHERE entity = :e), "
                    "conflict_count = (SELECT count(*) FROM claims WHERE entity = :e AND conflict_count > 0) WHERE id = :e",
                    {"e": e},
                )
            for t in touched_topics:
                conn.execute("UPDATE topics SET claim_count = (SELECT count(*) FROM claims WHERE topic = :t) WHERE id = :t", {"t": t})
            for s_id in touched_sources | {s.id for _, s in parsed}:
                conn.execute(
                    "UPDATE sources SET claim_count = (SELECT count(*) FROM claims WHERE source = :s), "
                    "conflict_count = (SELECT count(*) FROM claims WHERE source = :s AND conflict_count > 0) WHERE id = :s",
                    {"s": s_id},
                )
            conn.execute("UPDATE pivot_meta SET value = ? WHERE key = 'corpus_hash'", (recorded_digest(conn),))
            conn.execute(
                "UPDATE pivot_meta SET value = ? WHERE key = 'built_at'", (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),)
            )
            if removed_claims:
                # rowids are still 1..n when the removed claims were the last ones (a file
                # added and taken out again): then the middle of the list stays a seek
                dense = conn.execute("SELECT coalesce(max(rowid), 0) = count(*) FROM claims").fetchone()[0]
                conn.execute("UPDATE pivot_meta SET value = ? WHERE key = 'dense_rowids'", ("1" if dense else "0",))
            conn.commit()
            totals = conn.execute(
                "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM entities), (SELECT count(*) FROM claims), "
                "(SELECT CAST(value AS INTEGER) FROM pivot_meta WHERE key = 'conflict_pairs')"
            ).fetchone()
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.close()
    return BuildReport(
        path=db_path, sources=totals[0], entities=totals[1], claims=totals[2], conflicts=totals[3],
        seconds=time.perf_counter() - started, mode="update",
        changed_files=len(to_read) + len(changes.removed), added_claims=added_claims, removed_claims=removed_claims,
    )
