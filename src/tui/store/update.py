# Long because the update is one transaction of many steps (parse, check, delete, insert,
# recount, facets, meta) that must commit whole or not at all.
"""Update the store in place: apply the source files that changed since it was built.

`update_store` re-reads only the source files whose bytes changed and applies the
difference inside one SQLite transaction, which either commits whole or not at all (or,
when a reader holds the store, to a copy renamed into place). The rows it writes are
built by the same functions as the full build's (build.py), and how sources relate is
decided by the same agreement model (store/agreement/), applied to the quantities and
positions a changed file touches (`_recount`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from . import agreement
from .agreement import Figure
from .build import (
    _CLAIM_COLUMNS,
    _CLAIM_MARKS,
    BuildReport,
    EntityInfo,
    _add_terms,
    _claim_row,
    _move_into_place,
    _now,
    _source_row,
    _stance_rows,
    set_meta,
    source_info,
    transaction,
)
from .files import FILES_DIGEST, RECORD_SQL, TOUCH_SQL, Changes, FileState, recorded_digests, settle
from .lock import build_lock, waiting
from .model import Claim, CorpusError, Entity, Problem, Source
from .recovery import remove_dead_temps
from .schema import AGREEMENT_FIELDS
from .stamps import stamp_written

__all__ = ["UPDATE_WAIT", "update_store"]

_INSERT_CLAIM_AT = f"INSERT INTO claims (rowid, {_CLAIM_COLUMNS}) VALUES (?, {_CLAIM_MARKS})"  # a claim, at its rowid


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
    db_path = Path(db_path)
    with build_lock(db_path):
        remove_dead_temps(db_path)  # of full builds that were killed
        try:
            return _update_at(db_path, data_dir, changes, label, held=True)
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
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
    fcntl.flock(fd, fcntl.LOCK_EX)  # a live build's temp file (recovery.remove_dead_temps)
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
                corpus_hash, files_digest = recorded_digests(conn)
                set_meta(conn, {"corpus_hash": corpus_hash, FILES_DIGEST: files_digest, "built_at": _now()})
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
