"""Build the SQLite store from a validated corpus, atomically.

The store is written into a temporary file beside the target inside one
transaction and moved into place with os.replace, so a failed or interrupted
build leaves the last good store untouched. A lock file serialises builds.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .model import Claim, Corpus

SCHEMA_VERSION = 1
APPROX_TOLERANCE = 0.10  # "about 10 %" is taken to mean 9–11 %


@dataclass
class BuildReport:
    path: Path
    sources: int
    entities: int
    claims: int
    conflicts: int
    seconds: float


def interval(c: Claim) -> tuple[float, float]:
    """The values a claim allows, after its bound: at-least 20 -> [20, inf)."""
    assert c.value_low is not None and c.value_high is not None
    return interval_of(c.value_low, c.value_high, c.bound)


def interval_of(low: float, high: float, bound: str | None) -> tuple[float, float]:
    if bound == "approx":
        return low - abs(low) * APPROX_TOLERANCE, high + abs(high) * APPROX_TOLERANCE
    if bound == "at-least":
        return low, float("inf")
    if bound == "at-most":
        return float("-inf"), high
    return low, high


def find_conflicts(claims: list[Claim]) -> list[tuple[str, str]]:
    """Pairs of claims from different sources about the same entity, metric, unit and
    period (null matching only null) whose value ranges cannot both be true."""
    groups: dict[tuple, list[Claim]] = defaultdict(list)
    for c in claims:
        if c.numeric and c.metric:
            groups[(c.entity, c.metric, c.unit, c.period)].append(c)
    pairs: list[tuple[str, str]] = []
    for group in groups.values():
        if len({c.source for c in group}) < 2:
            continue
        spans = sorted(((interval(c), c) for c in group), key=lambda x: x[0][0])
        for i, ((lo_a, hi_a), a) in enumerate(spans):
            for (lo_b, hi_b), b in spans[i + 1 :]:
                if a.source != b.source and (hi_a < lo_b or hi_b < lo_a):
                    pairs.append((a.id, b.id))
    return pairs


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
  claim_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE source_flags (
  source TEXT NOT NULL REFERENCES sources(id), flag TEXT NOT NULL, PRIMARY KEY (flag, source)
) WITHOUT ROWID;
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
  conflict_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE conflicts (
  claim TEXT NOT NULL REFERENCES claims(id), other TEXT NOT NULL REFERENCES claims(id),
  PRIMARY KEY (claim, other)
) WITHOUT ROWID;
"""

INDEXES = [
    ("claims", "entity"), ("claims", "source"), ("claims", "topic"), ("claims", "metric"),
    ("claims", "period"), ("claims", "status"), ("claims", "unit"), ("claims", "speaker"),
    ("claims", "value_low"), ("claims", "value_high"), ("claims", "conflict_count"),
    ("entity_names", "entity"), ("source_flags", "source"), ("entities", "parent"),
]


def _write(db_path: Path, corpus: Corpus) -> tuple[int, float]:
    import sqlite_utils  # kept off the explorer's start-up path

    started = time.perf_counter()
    conn = sqlite3.connect(db_path)
    db = sqlite_utils.Database(conn)
    topic_order = {t.id: t.order for t in corpus.topics}
    entity_name = {e.id: e.name for e in corpus.entities}
    claims = sorted(
        corpus.claims,
        key=lambda c: (entity_name[c.entity].lower(), topic_order[c.topic], c.source, c.id),
    )
    pairs = find_conflicts(claims)
    conflicted: dict[str, int] = defaultdict(int)
    for a, b in pairs:
        conflicted[a] += 1
        conflicted[b] += 1
    count = lambda attr: _count(claims, attr)  # noqa: E731
    per_entity, per_topic, per_source = count("entity"), count("topic"), count("source")
    conflicts_per_entity: dict[str, int] = defaultdict(int)
    for c in claims:
        if conflicted.get(c.id):
            conflicts_per_entity[c.entity] += 1
    sources = {s.id: s for s in corpus.sources}

    with db.atomic():
        for stmt in SCHEMA.split(";"):
            if stmt.strip():
                db.execute(stmt)
        db["pivot_meta"].insert_all(
            [
                {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                {"key": "corpus_hash", "value": corpus.digest},
                {"key": "built_at", "value": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            ]
        )
        db["entities"].insert_all(
            {
                "id": e.id, "name": e.name, "kind": e.kind, "parent": e.parent, "ticker": e.ticker,
                "aliases": json.dumps(e.aliases), "members": json.dumps(e.members),
                "claim_count": per_entity.get(e.id, 0), "conflict_count": conflicts_per_entity.get(e.id, 0),
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
            {
                "id": s.id, "title": s.title, "publisher": s.publisher, "author": s.author,
                "published": s.published, "url": s.url, "kind": s.kind, "document": s.document,
                "flags": json.dumps(s.flags), "notes": s.notes, "file": s.file,
                "claim_count": per_source.get(s.id, 0),
            }
            for s in corpus.sources
        )
        db["source_flags"].insert_all({"source": s.id, "flag": f} for s in corpus.sources for f in s.flags)
        db["claims"].insert_all(
            (
                {
                    "id": c.id, "source": c.source, "entity": c.entity, "topic": c.topic,
                    "summary": c.summary, "quote": c.quote, "metric": c.metric,
                    "value_low": c.value_low, "value_high": c.value_high, "unit": c.unit,
                    "bound": c.bound, "period": c.period, "status": c.status,
                    "speaker": c.speaker, "note": c.note, "source_title": sources[c.source].title,
                    "conflict_count": conflicted.get(c.id, 0),
                }
                for c in claims
            ),
            batch_size=2000,
        )
        db["conflicts"].insert_all(
            [{"claim": a, "other": b} for a, b in pairs] + [{"claim": b, "other": a} for a, b in pairs]
        )
        for table, column in INDEXES:
            db[table].create_index([column], if_not_exists=True)
        db["claims"].enable_fts(["summary", "quote", "speaker", "source_title"])
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return len(pairs), time.perf_counter() - started


def _count(claims: list[Claim], attr: str) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for c in claims:
        out[getattr(c, attr)] += 1
    return out


@contextmanager
def build_lock(db_path: Path):
    """Serialise builds of one store between processes (advisory lock on a side file)."""
    import fcntl

    lock_path = db_path.with_name(db_path.name + ".lock")
    with open(lock_path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_store(corpus: Corpus, db_path: Path | str) -> BuildReport:
    """Write the store for `corpus` to db_path, replacing any previous one atomically."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(db_path):
        fd, tmp_name = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=".tmp", dir=db_path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            n_conflicts, seconds = _write(tmp, corpus)
            os.replace(tmp, db_path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return BuildReport(
        path=db_path, sources=len(corpus.sources), entities=len(corpus.entities),
        claims=len(corpus.claims), conflicts=n_conflicts, seconds=seconds,
    )
