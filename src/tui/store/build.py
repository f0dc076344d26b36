# Long because the full build and the in-place update share their steps here (insert, recount,
# meta, transaction); splitting them apart is what made the rules drift before.
"""Build the SQLite store from a validated corpus, atomically; update it in place.

A full build writes a new file beside the target, inside one transaction, and
moves it into place with os.replace: a failed or interrupted build leaves the
last good store untouched, and an explorer that has the old file open keeps
reading it. An update (`refresh_store`) re-reads only the source files whose
bytes changed and applies the difference inside one SQLite transaction, which
either commits whole or not at all. A lock file serialises builders.

How sources relate is decided by the agreement model (store/agreement/): the full build
applies it to the whole corpus, the update to the quantities and positions a changed
file touches (`_recount`), through the same function (`agreement.model_of`), and both
store its values per claim (`agreement.stored`). The store keeps counts, not pairs;
pairs are listed on demand.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import agreement
from .agreement import Figure
from .files import RECORD_SQL, TOUCH_SQL, FileState, digest_of, recorded_digest, settle
from .metrics import insert_metrics
from .model import Claim, Corpus, CorpusError, Entity, Problem, Source
from .schema import AGREEMENT_FIELDS, CLAIM_FIELDS, FTS_SQL, INDEXES, SCHEMA, SCHEMA_VERSION, TERMS_SQL

__all__ = ["SCHEMA_VERSION", "BuildReport", "build_store", "corpus_conflicts", "corpus_model", "find_conflicts", "update_store"]


_CLAIM_COLUMNS = ", ".join(CLAIM_FIELDS)
_CLAIM_MARKS = ", ".join("?" * len(CLAIM_FIELDS))
_INSERT_CLAIM_AT = f"INSERT INTO claims (rowid, {_CLAIM_COLUMNS}) VALUES (?, {_CLAIM_MARKS})"  # an update's claim, at its rowid


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


def _add_terms_of(conn: sqlite3.Connection, texts: list[tuple[Any, ...]]) -> None:
    """Add the words of new claims to fts_terms, split by FTS5's own tokenizer."""
    if not texts:
        return
    conn.execute("CREATE VIRTUAL TABLE temp.pivot_new_text USING fts5(summary, quote, speaker, source_title)")
    try:
        conn.executemany("INSERT INTO temp.pivot_new_text VALUES (?, ?, ?, ?)", texts)
        _add_terms(conn, "temp", "pivot_new_text")
    finally:
        conn.execute("DROP TABLE temp.pivot_new_text")


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
    # grouped by the entity a figure is about (a company, then its events), so that
    # `company:x` is one short rowid span
    claims.sort(
        key=lambda c: (
            entity_name[figures[c.id].qentity],
            figures[c.id].qentity,
            c.entity != figures[c.id].qentity,
            entity_name[c.entity],
            topic_order[c.topic],
            c.source,
            c.id,
        )
    )
    step("figures and sort")
    model = agreement.model_of(figures.values(), info)
    step("agreement model")
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


@contextmanager
def build_lock(db_path: Path, *, wait: bool = True) -> Iterator[None]:
    """Serialise builds of one store between processes (advisory lock on a side file).
    With wait=False, raises BlockingIOError at once when another build holds it; else a
    wait says what it waits for (locate.waiting), then lasts as long as that build."""
    import fcntl

    lock_path = db_path.with_name(db_path.name + ".lock")
    with open(lock_path, "a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise
            from .locate import waiting

            waiting(f"waiting for another pivot build of {db_path} to finish")
            fcntl.flock(fh, fcntl.LOCK_EX)
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
        import fcntl

        from .locate import remove_dead_temps

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
    from .locate import roll_back_journal, stamp_written

    # a journal beside the target belongs to a killed writer of the old file:
    # it must go before the new file takes the name, or it is replayed into it
    roll_back_journal(db_path, drop=True)
    durable.replace(tmp, db_path, fd)
    stamp_written(db_path)


# --- incremental update ---------------------------------------------------------------------

UPDATE_WAIT = 2.0  # seconds an update in place waits for readers before it updates a copy

_FAMILY_SQL = "SELECT rowid, * FROM claims WHERE qentity = ? AND metric = ? AND qunit IS ? AND value_low IS NOT NULL"
_HOLDERS_SQL = "SELECT rowid, * FROM claims WHERE stances IS NOT NULL"


def _recount(
    conn: sqlite3.Connection, families: set[tuple[Any, ...]], info: EntityInfo, positions: bool
) -> tuple[int, int, set[str], set[str]]:
    """Apply the agreement model again to every claim of the given families (quantity entity,
    metric, unit), of the groups their entities belong to, and, where a claim taking a
    position came or went (`positions`), to every claim taking one: the same function the
    full build calls, over the part of the corpus that can have changed. Returns the sums of
    the reviewed claims' disagreement counts before and after, and the sources and entities
    whose number of claims in conflict may have changed."""
    groups_of: dict[str, set[str]] = defaultdict(set)
    for e, (kind, _, members, _) in info.items():
        if kind == "group":
            for m in members:
                groups_of[m].add(e)
    rows: dict[str, sqlite3.Row] = {}
    if positions:
        for r in conn.execute(_HOLDERS_SQL):
            rows[r["id"]] = r
            if r["value_low"] is not None and r["metric"]:
                families = families | {(r["qentity"], r["metric"], r["qunit"])}
    todo = set(families)
    for qe, metric, unit in families:
        todo |= {(g, metric, unit) for g in groups_of.get(qe, ())}
    members_of: dict[str, list[Figure]] = defaultdict(list)
    for family in todo:
        for r in conn.execute(_FAMILY_SQL, family):
            rows[r["id"]] = r
        qe, metric, unit = family
        kind, _, members, _ = info.get(qe, ("company", None, [], qe))
        if kind == "group":
            for m in members:
                members_of[m] += [agreement.figure_of_record(r) for r in conn.execute(_FAMILY_SQL, (m, metric, unit))]
    figures = {cid: agreement.figure_of_record(r) for cid, r in rows.items()}
    for m, figs in members_of.items():  # a member's own family, if it was counted, is read once
        members_of[m] = list({f.id: f for f in [*figs, *(f for f in figures.values() if f.qentity == m)]}.values())
    model = agreement.model_of(figures.values(), info, member_figures=members_of)
    before = after = 0
    sources: set[str] = set()
    entities: set[str] = set()
    set_sql = f"UPDATE claims SET {', '.join(f'{k} = ?' for k in AGREEMENT_FIELDS)} WHERE rowid = ?"
    updates = []
    for cid, r in rows.items():
        new = agreement.stored(cid, model)
        old = agreement.Stored(*(r[k] for k in AGREEMENT_FIELDS))
        if not r["draft"]:
            before += old.conflict_count + old.odds_count + old.oppose_count
            after += new.conflict_count + new.odds_count + new.oppose_count
        if new != old:
            updates.append((*new, r["rowid"]))
            if not r["draft"] and agreement.in_conflict(old.standing) != agreement.in_conflict(new.standing):
                sources.add(r["source"])
                entities.add(r["entity"])
    conn.executemany(set_sql, updates)
    return before, after, sources, entities


from .files import Changes  # noqa: E402  (they live beside the file states; re-exported)


def _taken_source(conn: sqlite3.Connection, sid: str, leaving: set[str]) -> str | None:
    """The file of the stored source with this id, unless the update replaces it."""
    if sid in leaving:
        return None
    row = conn.execute("SELECT file FROM sources WHERE id = ?", (sid,)).fetchone()
    return row[0] if row is not None else None


def _taken_claims(
    conn: sqlite3.Connection, ids: list[str], leaving: set[str], data_dir: Path, label: Callable[[Path], str]
) -> dict[str, Claim]:
    """claim id -> the stored claim with that id, for ids the update does not replace: read
    again from its source's file (unchanged, or the update would replace it), whose lines
    the message names. Only when there is a duplicate to report."""
    from .load import read_source_file

    holders: set[str] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        rows = conn.execute(f"SELECT DISTINCT source FROM claims WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
        holders |= {r[0] for r in rows if r[0] not in leaving}
    wanted = set(ids)
    out: dict[str, Claim] = {}
    for sid in sorted(holders):
        row = conn.execute("SELECT file FROM source_files WHERE source = ?", (sid,)).fetchone()
        source = read_source_file(data_dir / row[0], label(data_dir / row[0]))[0] if row is not None else None
        for c in source.claims if source is not None else []:
            if c.id in wanted:
                out[c.id] = c
    missing = [cid for cid in ids if cid not in out]
    for i in range(0, len(missing) if holders else 0, 500):
        chunk = missing[i : i + 500]
        for cid, sid, file in conn.execute(
            f"SELECT c.id, c.source, s.file FROM claims c JOIN sources s ON s.id = c.source WHERE c.id IN ({', '.join('?' * len(chunk))})",
            chunk,
        ):
            if sid not in leaving:  # its file is gone or reads otherwise: named without a line
                out[cid] = Claim(cid, sid, "", "", "", "", "", file=file, line=0)
    return out


def update_store(db_path: Path, data_dir: Path, changes: Changes, label: Callable[[Path], str]) -> BuildReport:
    """Apply `changes` (source files only) to the store in one transaction, in place.

    A reader that keeps the store open (a `pivot export | less` left open holds its
    statement while the pager waits) would keep the commit waiting as long as it lives:
    after UPDATE_WAIT seconds the update is applied to a copy of the store instead, which
    is renamed into place (the reader keeps reading the old file to its end).

    Raises CorpusError (nothing written) when a changed file has problems."""
    from .locate import remove_dead_temps

    db_path = Path(db_path)
    with build_lock(db_path):
        remove_dead_temps(db_path)  # of full builds that were killed
        try:
            return _update_at(db_path, data_dir, changes, label, held=True)
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
        from .locate import waiting

        waiting(f"{db_path} is being read by another program (a pivot command whose output waits?); updating a copy of it")
        return _update_copy(db_path, data_dir, changes, label)


def _settled(data_dir: Path, parsed: list[tuple[FileState, Source]]) -> list[tuple[FileState, Source]]:
    """files.settle over the states of the files an update parsed."""
    states = settle(data_dir, {st.rel: st for st, _ in parsed})
    return [(states[st.rel], s) for st, s in parsed]


def _busy(exc: sqlite3.Error) -> bool:
    """SQLite's "database is locked": another connection holds a lock this one waited for."""
    code = getattr(exc, "sqlite_errorcode", None)
    return (code & 0xFF == 5) if isinstance(code, int) else "locked" in str(exc)


def _update_copy(db_path: Path, data_dir: Path, changes: Changes, label: Callable[[Path], str]) -> BuildReport:
    """update_store on a copy of the store (taken under a read lock, so whole), renamed into
    place as a full build's file is. The caller holds the build lock."""
    import fcntl
    import shutil

    fd, tmp_name = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=".tmp", dir=db_path.parent)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a live build's temp file (locate.remove_dead_temps)
    tmp = Path(tmp_name)
    try:
        src = sqlite3.connect(f"file:{db_path.resolve().as_posix()}?mode=ro", uri=True, timeout=5)
        try:
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a read lock: no writer until the copy is whole
            shutil.copyfile(db_path, tmp)
        finally:
            src.close()
        report = _update_at(db_path, data_dir, changes, label, held=True, into=tmp)
        os.chmod(tmp, 0o644)
        _move_into_place(tmp, db_path, fd)
        return report
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)


def _update_at(
    db_path: Path,
    data_dir: Path,
    changes: Changes,
    label: Callable[[Path], str],
    *,
    held: bool = False,
    into: Path | None = None,
) -> BuildReport:
    """The update itself, on the store (a commit that waits UPDATE_WAIT seconds for readers
    raises "database is locked") or on a copy of it `into` (written without a journal: it is
    thrown away if anything fails). `held`: the caller holds the build lock."""
    from .load import check_sources, read_source_file
    from .locate import stamp_written

    started = time.perf_counter()
    db_path = Path(db_path)
    with nullcontext() if held else build_lock(db_path):
        conn = sqlite3.connect(into or db_path, timeout=UPDATE_WAIT)
        if into is not None:
            conn.execute("PRAGMA journal_mode=OFF")  # a copy nobody reads yet: the rename is the commit
            conn.execute("PRAGMA synchronous=OFF")  # synced once, before the rename
        conn.row_factory = sqlite3.Row
        try:
            with transaction(conn, immediate=True):
                info: EntityInfo = {
                    r[0]: (r[1], r[2], json.loads(r[3] or "[]"), r[4])
                    for r in conn.execute("SELECT id, kind, parent, members, name FROM entities")
                }
                topic_ids = {r[0] for r in conn.execute("SELECT id FROM topics")}
                to_read = [*changes.added, *changes.changed]
                problems: list[Problem] = []
                parsed: list[tuple[FileState, Source]] = []
                for st in to_read:
                    path = data_dir / st.rel
                    source, ps, read = read_source_file(path, label(path))
                    problems += ps
                    if source is not None:
                        parsed.append((read or st, source))  # the record of the bytes parsed
                parsed = _settled(data_dir, parsed)
                gone = [s.rel for s in changes.changed] + changes.removed
                replaced_sources = (
                    [
                        r[0]
                        for r in conn.execute(
                            f"SELECT source FROM source_files WHERE file IN ({', '.join('?' * len(gone))})", gone
                        )
                        if r[0]
                    ]
                    if gone
                    else []
                )
                leaving = set(replaced_sources)
                check_sources(
                    [s for _, s in parsed],
                    [
                        Entity(r[0], r[1], r[2], aliases=json.loads(r[3] or "[]"))
                        for r in conn.execute("SELECT id, name, kind, aliases FROM entities")
                    ],
                    topic_ids,
                    label(data_dir / "entities.yaml"),
                    problems,
                    taken_source=lambda sid: _taken_source(conn, sid, leaving),
                    taken_claims=lambda ids: _taken_claims(conn, ids, leaving, data_dir, label),
                    propositions={r[0] for r in conn.execute("SELECT id FROM propositions")},
                )
                if problems:
                    raise CorpusError(problems)

                touched_families: set[tuple[Any, ...]] = set()
                touched_entities: set[str] = set()
                touched_topics: set[str] = set()
                removed_claims = 0
                removed_count_sum = 0  # disagreement counts that leave with the removed claims
                positions = False  # a claim taking a position came or went
                facet_delta: dict[tuple[str, str | None], int] = defaultdict(int)
                for sid in leaving:
                    flags = [r[0] for r in conn.execute("SELECT flag FROM source_flags WHERE source = ?", (sid,))]
                    for r in conn.execute(
                        "SELECT rowid, entity, topic, metric, qentity, qunit, period, value_low, summary, quote, speaker, source_title, "
                        "status, conflict_count, odds_count, oppose_count, draft, stances FROM claims WHERE source = ?",
                        (sid,),
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
                            touched_families.add((r["qentity"], r["metric"], r["qunit"]))
                        removed_claims += 1
                        if not r["draft"]:
                            removed_count_sum += r["conflict_count"] + r["odds_count"] + r["oppose_count"]
                        positions = positions or r["stances"] is not None
                    conn.execute("DELETE FROM stances WHERE claim IN (SELECT id FROM claims WHERE source = ?)", (sid,))
                    conn.execute("DELETE FROM claims WHERE source = ?", (sid,))
                    conn.execute("DELETE FROM source_flags WHERE source = ?", (sid,))
                    conn.execute("DELETE FROM sources WHERE id = ?", (sid,))
                if gone:
                    conn.execute(f"DELETE FROM source_files WHERE file IN ({', '.join('?' * len(gone))})", gone)

                next_rowid = (conn.execute("SELECT max(rowid) FROM claims").fetchone()[0] or 0) + 1
                added_claims = 0
                new_texts: list[tuple[Any, ...]] = []
                for st, s in parsed:
                    conn.execute(
                        "INSERT INTO sources (id, title, publisher, author, published, url, kind, document, flags, notes, file, claim_count, conflict_count, as_of) "
                        "VALUES (:id, :title, :publisher, :author, :published, :url, :kind, :document, :flags, :notes, :file, :claim_count, :conflict_count, :as_of)",
                        _source_row(s, len(s.claims), 0),
                    )
                    conn.executemany("INSERT INTO source_flags (source, flag) VALUES (?, ?)", [(s.id, f) for f in s.flags])
                    conn.executemany("INSERT INTO stances VALUES (?, ?, ?)", _stance_rows(s.claims))
                    positions = positions or any(c.stance for c in s.claims)
                    si = source_info(s)
                    conn.execute(RECORD_SQL, st.record(s.id))
                    for c in s.claims:
                        facet_delta[("status", c.status)] += 1
                        facet_delta[("period", c.period)] += 1
                        for f in s.flags:
                            facet_delta[("flag", f)] += 1
                        f = agreement.figure_of_claim(c, info, si)
                        row = _claim_row(c, f, s.title, agreement.Model())
                        conn.execute(_INSERT_CLAIM_AT, (next_rowid, *row))
                        conn.execute(
                            "INSERT INTO claims_fts (rowid, summary, quote, speaker, source_title) VALUES (?, ?, ?, ?, ?)",
                            (next_rowid, c.summary, c.quote, c.speaker, s.title),
                        )
                        new_texts.append((c.summary, c.quote, c.speaker, s.title))
                        next_rowid += 1
                        added_claims += 1
                        touched_entities.add(c.entity)
                        touched_topics.add(c.topic)
                        if f.numeric:
                            touched_families.add(f.family)
                _add_terms_of(conn, new_texts)
                for (facet, value), n in facet_delta.items():
                    if (
                        n
                        and conn.execute(
                            "UPDATE facet_counts SET n = n + ? WHERE facet = ? AND value IS ?", (n, facet, value)
                        ).rowcount
                        == 0
                    ):
                        conn.execute("INSERT INTO facet_counts VALUES (?, ?, ?)", (facet, value, n))
                for st in settle(data_dir, {st.rel: st for st in changes.touched}).values():
                    conn.execute(TOUCH_SQL, (st.size, st.mtime_ns, st.recorded_ctime, st.ino, st.rel))

                # the agreement model: recount every family a claim entered or left (a source's
                # or entity's conflict_count counts its disputed claims, so only a claim that
                # becomes or stops being disputed changes those)
                count_sum_before, count_sum_after, touched_sources, changed_entities = _recount(
                    conn, touched_families, info, positions
                )
                count_sum_before += removed_count_sum
                touched_entities |= changed_entities
                pairs_row = conn.execute("SELECT value FROM pivot_meta WHERE key = 'conflict_pairs'").fetchone()
                if pairs_row is not None:
                    pairs = int(pairs_row[0]) + (count_sum_after - count_sum_before) // 2
                    set_meta(conn, {"conflict_pairs": str(pairs)})
                for e in touched_entities:
                    conn.execute(
                        "UPDATE entities SET claim_count = (SELECT count(*) FROM claims WHERE entity = :e), "
                        "conflict_count = (SELECT count(*) FROM claims WHERE entity = :e AND draft = 0 AND "
                        "standing IN ('disputed', 'at-odds')) "
                        "WHERE id = :e",
                        {"e": e},
                    )
                for t in touched_topics:
                    conn.execute(
                        "UPDATE topics SET claim_count = (SELECT count(*) FROM claims WHERE topic = :t) WHERE id = :t", {"t": t}
                    )
                for s_id in touched_sources | {s.id for _, s in parsed}:
                    conn.execute(
                        "UPDATE sources SET claim_count = (SELECT count(*) FROM claims WHERE source = :s), "
                        "conflict_count = (SELECT count(*) FROM claims WHERE source = :s AND draft = 0 AND "
                        "standing IN ('disputed', 'at-odds')) "
                        "WHERE id = :s",
                        {"s": s_id},
                    )
                set_meta(conn, {"corpus_hash": recorded_digest(conn), "built_at": _now()})
                if removed_claims:
                    # rowids are still 1..n when the removed claims were the last ones (a file
                    # added and taken out again): then the middle of the list stays a seek
                    dense = conn.execute("SELECT coalesce(max(rowid), 0) = count(*) FROM claims").fetchone()[0]
                    set_meta(conn, {"dense_rowids": "1" if dense else "0"})
            if into is None:
                stamp_written(db_path)  # committed whole: no need to read it all on the next no-op
            totals = conn.execute(
                "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM entities), (SELECT count(*) FROM claims), "
                "(SELECT CAST(value AS INTEGER) FROM pivot_meta WHERE key = 'conflict_pairs')"
            ).fetchone()
        finally:
            conn.close()
    return BuildReport(
        path=db_path,
        sources=totals[0],
        entities=totals[1],
        claims=totals[2],
        conflicts=totals[3],
        seconds=time.perf_counter() - started,
        mode="update" if to_read or changes.removed else "refresh",
        changed_files=len(to_read) + len(changes.removed),
        added_claims=added_claims,
        removed_claims=removed_claims,
    )
