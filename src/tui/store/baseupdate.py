"""A change to the corpus's base files (entities.yaml, topics.yaml, propositions.yaml,
metrics.yaml) applied to the store without reading the source files again.

The store is the parse cache of the source files: it keeps every file's rows beside the
hash of the bytes they were read from (`source_files`), so a source file whose bytes did
not change is not parsed again. What the base files decide about those rows is derived
again here, in SQL, from the rows themselves:

- references: a stored claim can only lose its entity, topic or proposition when the edit
  removes that id, so only the claims naming a removed id are looked for (indexed reads);
  their files are read again, so that the message names file, line and field exactly as a
  full load of the corpus does (the same checks, `load.check_sources`, in the same order);
- the quantity entity of a claim (an event's figures count as its parent's) is set again
  for the claims of entities whose kind or parent changed, and the agreement model is
  applied again (`_recount`, the update's own) to every family such a claim left or
  entered and to the families of every group whose kind, members or members' names
  (its reasons name them) changed;
- the entities, entity_names, topics, propositions and metrics tables are written again
  (`build.insert_base`, the full build's), their counts kept from the stored rows.

Rows keep their place: an entity renamed, or a topic moved, leaves the claims where a full
build would sort them before; `pivot build --full` reads every file again and sorts anew.
Source files changed at the same time are applied by the update (`update_store`'s steps) to
a copy of the store the base change was applied to, which is renamed into place: one
commit for both, or none. Base files that cannot be read or parsed (every reference to them
would fail) are left to the full load, which reports them as it always has (`NeedsFull`).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import agreement
from .agreement import Figure
from .build import BuildReport, EntityInfo, _now, insert_base, set_meta, transaction
from .files import FILES_DIGEST, RECORD_SQL, TOUCH_SQL, Changes, FileState, keep_snapshot, settle
from .lock import build_lock, waiting
from .metrics import check_metrics, insert_metrics
from .model import CorpusError, Entity, Metric, Problem, Proposition, Source, Topic
from .recovery import remove_dead_temps
from .schema import AGREEMENT_FIELDS
from .stamps import stamp_written
from .update import UPDATE_WAIT, _busy, _taken_claims, _taken_source, _update_at, on_a_copy, store_totals

__all__ = ["NeedsFull", "base_update"]


class NeedsFull(Exception):
    """The base files cannot be read or parsed: the full load reports what is wrong."""


@dataclass
class _Plan:
    """A checked change of the base files: what the store's tables become."""

    entities: list[Entity]
    topics: list[Topic]
    propositions: list[Proposition]
    metrics: list[Metric]
    states: dict[str, FileState]  # the base files read, settled
    touched: list[FileState] = field(default_factory=list)  # source files of the same bytes: a new record only
    base_files: list[str] = field(default_factory=list)  # the base files that changed


def base_update(db_path: Path, data_dir: Path, changes: Changes, label: Callable[[Path], str]) -> BuildReport:
    """Apply a change of the base files (and of any source files changed with them) to the
    store at db_path, without parsing the unchanged source files. Raises CorpusError
    (nothing written) when the corpus has problems, NeedsFull when a base file cannot be
    read or parsed."""
    started = time.perf_counter()
    db_path = Path(db_path)
    sources = Changes(
        False,
        [st for st in changes.added if "/" in st.rel],
        [st for st in changes.changed if "/" in st.rel],
        [rel for rel in changes.removed if "/" in rel],
        [],
    )
    with build_lock(db_path):
        remove_dead_temps(db_path)
        plan = _plan(db_path, data_dir, changes, sources, label)
        if not (sources.added or sources.changed or sources.removed):
            try:
                conn = sqlite3.connect(db_path, timeout=UPDATE_WAIT)
                try:
                    conn.row_factory = sqlite3.Row
                    with transaction(conn, immediate=True):
                        _apply(conn, plan)
                    stamp_written(db_path)
                    report = _report(conn, db_path, started, plan, None)
                finally:
                    conn.close()
                return report
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise
            waiting(f"{db_path} is being read by another program (a pivot command whose output waits?); updating a copy of it")
        return _on_copy(db_path, data_dir, plan, sources, label, started)


def _plan(db_path: Path, data_dir: Path, changes: Changes, sources: Changes, label: Callable[[Path], str]) -> _Plan:
    """Read the base files and the changed source files, and check them with the stored rows
    of the others: every problem a full load of the corpus reports, in its order (base
    files, then each file read, then the checks across files), or CorpusError."""
    from .load import check_base, check_sources, read_base_files, read_source_file

    problems: list[Problem] = []
    states: dict[str, FileState] = {}
    base = read_base_files(data_dir, label, states, problems)
    if base.unread:
        raise NeedsFull
    entities = [e for e, _ in base.entities]
    new_entities = {e.id for e in entities if e.id}
    new_topics = {t.id for t, _ in base.topics if t.id}
    new_props = {p.id for p, _ in base.propositions if p.id}
    conn = sqlite3.connect(f"file:{db_path.resolve().as_posix()}?mode=ro", uri=True, timeout=UPDATE_WAIT)
    try:
        gone = [st.rel for st in sources.changed] + sources.removed
        leaving = _sources_of(conn, gone)
        # stored claims naming an id the edit removed: their files are read again for the
        # lines the messages name (a stored claim named only ids that existed)
        removed_entities = {r[0] for r in conn.execute("SELECT id FROM entities")} - new_entities
        removed_topics = {r[0] for r in conn.execute("SELECT id FROM topics")} - new_topics
        removed_props = {r[0] for r in conn.execute("SELECT id FROM propositions")} - new_props
        named: set[str] = set()
        for column, ids in (("entity", removed_entities), ("topic", removed_topics)):
            for chunk in _chunks(sorted(ids)):
                sql = f"SELECT DISTINCT source FROM claims WHERE {column} IN ({', '.join('?' * len(chunk))})"
                named |= {r[0] for r in conn.execute(sql, chunk)}
        for chunk in _chunks(sorted(removed_props)):
            sql = (
                "SELECT DISTINCT c.source FROM stances s JOIN claims c ON c.id = s.claim "
                f"WHERE s.proposition IN ({', '.join('?' * len(chunk))})"
            )
            named |= {r[0] for r in conn.execute(sql, chunk)}
        named -= leaving
        again = [r[0] for sid in sorted(named) for r in conn.execute("SELECT file FROM source_files WHERE source = ?", (sid,))]
        to_read = sorted({*(st.rel for st in (*sources.added, *sources.changed)), *again})
        parsed: list[Source] = []
        for rel in to_read:  # in file order, as the full load reports them
            path = data_dir / rel
            source, ps, _ = read_source_file(path, label(path))
            problems += ps
            if source is not None:
                parsed.append(source)
        replaced = leaving | named
        _, tops, props = check_base(base.entities, base.topics, problems, base.propositions)
        entities_file = base.entities[0][1].file if base.entities else "entities.yaml"
        check_sources(
            parsed,
            entities,
            set(tops),
            entities_file,
            problems,
            taken_source=lambda sid: _taken_source(conn, sid, replaced),
            taken_claims=lambda ids: _taken_claims(conn, ids, replaced, data_dir, label),
            propositions=set(props),
        )
        check_metrics(base.metrics, {t.id for t, _ in base.topics if t.id}, problems)
    finally:
        conn.close()
    if problems:
        raise CorpusError(problems)
    return _Plan(
        entities=entities,
        topics=sorted((t for t, _ in base.topics), key=lambda t: (t.order, t.id)),
        propositions=[p for p, _ in base.propositions],
        metrics=[m for m, _ in base.metrics],
        states=settle(data_dir, states),
        touched=list(settle(data_dir, {st.rel: st for st in changes.touched if "/" in st.rel}).values()),
        base_files=sorted(
            {st.rel for st in (*changes.added, *changes.changed) if "/" not in st.rel}
            | {rel for rel in changes.removed if "/" not in rel}
        ),
    )


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _sources_of(conn: sqlite3.Connection, files: list[str]) -> set[str]:
    out: set[str] = set()
    for chunk in _chunks(files):
        sql = f"SELECT source FROM source_files WHERE file IN ({', '.join('?' * len(chunk))})"
        out |= {r[0] for r in conn.execute(sql, chunk) if r[0]}
    return out


def _families(conn: sqlite3.Connection, column: str, value: str) -> set[tuple[Any, ...]]:
    """The families (quantity entity, metric, unit) of the figures whose `column` is `value`."""
    sql = (
        f"SELECT DISTINCT qentity, metric, qunit FROM claims WHERE {column} = ? AND value_low IS NOT NULL AND metric IS NOT NULL"
    )
    return {tuple(r) for r in conn.execute(sql, (value,))}


_FAMILY_SQL = "SELECT rowid, * FROM claims WHERE qentity = ? AND metric = ? AND qunit IS ? AND value_low IS NOT NULL"
_HOLDERS_SQL = "SELECT rowid, * FROM claims WHERE stances IS NOT NULL"


def _recount_families(
    conn: sqlite3.Connection, families: set[tuple[Any, ...]], info: EntityInfo, positions: bool
) -> tuple[int, int, set[str], set[str]]:
    """Apply the agreement model again to every claim of the given families (quantity entity,
    metric, unit), whole, and of the groups their entities belong to (positions: every claim
    taking one): the same function the full build calls, over the part of the corpus that
    can have changed. (The update moves counts by what came and went, update._recount; a
    base change moves no claim in or out of the corpus, but may move whole families, or
    change a group's check of every figure it has.) Returns the sums of
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


def _apply(conn: sqlite3.Connection, plan: _Plan) -> None:
    """The change of the base files, on a store whose rows were checked against it (_plan).
    Inside the caller's transaction; `conn` yields sqlite3.Row."""
    old: EntityInfo = {
        r[0]: (r[1], r[2], json.loads(r[3] or "[]"), r[4])
        for r in conn.execute("SELECT id, kind, parent, members, name FROM entities")
    }
    claims_of = {r[0]: r[1] for r in conn.execute("SELECT id, claim_count FROM entities")}
    conflicts_of = {r[0]: r[1] for r in conn.execute("SELECT id, conflict_count FROM entities")}
    claims_of_topic = {r[0]: r[1] for r in conn.execute("SELECT id, claim_count FROM topics")}
    info: EntityInfo = {e.id: (e.kind, e.parent, list(e.members), e.name) for e in plan.entities}
    changed = {e for e in old.keys() | info.keys() if old.get(e) != info.get(e)}

    families: set[tuple[Any, ...]] = set()
    for e in sorted(changed & old.keys() & info.keys()):  # a removed or a new entity has no stored claims
        was = agreement.quantity_entity(e, old[e][0], old[e][1])
        now = agreement.quantity_entity(e, info[e][0], info[e][1])
        if was != now:
            moved = _families(conn, "entity", e)
            families |= moved | {(now, m, u) for _, m, u in moved}
            conn.execute("UPDATE claims SET qentity = ? WHERE entity = ?", (now, e))
    # a group's check of its figures against its members' sum, and its reasons (which name
    # the members), follow its kind, its members and its members' names
    groups = {g for g, i in (*old.items(), *info.items()) if i[0] == "group"}
    for g in sorted(groups):
        members = set(old.get(g, ("", None, [], ""))[2]) | set(info.get(g, ("", None, [], ""))[2])
        if g in changed or members & changed:
            families |= _families(conn, "qentity", g)
    before, after, touched_sources, touched_entities = _recount_families(conn, families, info, False)

    conn.execute("DELETE FROM entities")
    conn.execute("DELETE FROM entity_names")
    conn.execute("DELETE FROM topics")
    insert_base(conn, plan.entities, plan.topics, claims_of, conflicts_of, claims_of_topic)
    conn.execute("DELETE FROM propositions")
    conn.executemany(
        "INSERT INTO propositions VALUES (?, ?, ?, ?, ?)", [(p.id, p.text, p.entity, p.topic, p.note) for p in plan.propositions]
    )
    conn.execute("DROP TABLE IF EXISTS metrics")
    insert_metrics(conn, plan.metrics)
    conn.execute("DELETE FROM source_files WHERE source IS NULL AND file NOT LIKE '%/%'")
    conn.executemany(RECORD_SQL, [st.record(None) for st in plan.states.values()])
    conn.executemany(TOUCH_SQL, [(st.size, st.mtime_ns, st.recorded_ctime, st.ino, st.rel) for st in plan.touched])

    pairs_row = conn.execute("SELECT value FROM pivot_meta WHERE key = 'conflict_pairs'").fetchone()
    if pairs_row is not None:
        set_meta(conn, {"conflict_pairs": str(int(pairs_row[0]) + (after - before) // 2)})
    for e in touched_entities:
        conn.execute(
            "UPDATE entities SET conflict_count = (SELECT count(*) FROM claims WHERE entity = :e AND draft = 0 AND "
            "standing IN ('disputed', 'at-odds')) WHERE id = :e",
            {"e": e},
        )
    for s in touched_sources:
        conn.execute(
            "UPDATE sources SET conflict_count = (SELECT count(*) FROM claims WHERE source = :s AND draft = 0 AND "
            "standing IN ('disputed', 'at-odds')) WHERE id = :s",
            {"s": s},
        )
    corpus_hash, files_digest = keep_snapshot(conn)
    set_meta(conn, {"corpus_hash": corpus_hash, FILES_DIGEST: files_digest, "built_at": _now()})


def _on_copy(
    db_path: Path, data_dir: Path, plan: _Plan, sources: Changes, label: Callable[[Path], str], started: float
) -> BuildReport:
    """The base change and the source files' changes applied to a copy of the store (taken
    under a read lock, so whole), renamed into place as a full build's file is: both, or
    neither. The caller holds the build lock."""

    def work(tmp: Path) -> BuildReport:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode=OFF")  # a copy nobody reads yet: the rename is the commit
            conn.execute("PRAGMA synchronous=OFF")
            conn.row_factory = sqlite3.Row
            with transaction(conn):
                _apply(conn, plan)
        finally:
            conn.close()
        update = None
        if sources.added or sources.changed or sources.removed:
            update = _update_at(db_path, data_dir, sources, label, held=True, into=tmp)
        conn = sqlite3.connect(tmp)
        try:
            return _report(conn, db_path, started, plan, update)
        finally:
            conn.close()

    return on_a_copy(db_path, work)


def _report(conn: sqlite3.Connection, db_path: Path, started: float, plan: _Plan, update: BuildReport | None) -> BuildReport:
    totals = store_totals(conn)
    return BuildReport(
        path=db_path,
        sources=totals[0],
        entities=totals[1],
        claims=totals[2],
        conflicts=totals[3],
        seconds=time.perf_counter() - started,
        mode="update",
        changed_files=len(plan.base_files) + (update.changed_files if update else 0),
        added_claims=update.added_claims if update else 0,
        removed_claims=update.removed_claims if update else 0,
        base_files=plan.base_files,
    )
