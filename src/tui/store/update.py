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
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import agreement
from .agreement import Figure, counting
from .agreement.apply import group_of_stored, summary_of_stored
from .agreement.counting import (
    MOVED_FIELDS,
    move_by_kind,
    move_counts,
    periods_touched,
    summarise_family,
    summarise_positions,
)
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
from .files import (
    FILES_DIGEST,
    RECORD_SQL,
    TOUCH_SQL,
    Changes,
    FileState,
    digests_after,
    keep_snapshot,
    settle,
    snapshot_after,
)
from .lock import build_lock, waiting
from .model import Claim, CorpusError, Entity, Problem, Source
from .recovery import remove_dead_temps
from .schema import AGREEMENT_FIELDS
from .stamps import stamp_written

__all__ = ["UPDATE_WAIT", "update_store"]

MOVED_COLUMNS = AGREEMENT_FIELDS[: len(MOVED_FIELDS)]  # the columns of the counts move_by_kind moves, in its order
_INSERT_CLAIM_AT = f"INSERT INTO claims (rowid, {_CLAIM_COLUMNS}) VALUES (?, {_CLAIM_MARKS})"  # a claim, at its rowid


def store_totals(conn: sqlite3.Connection) -> tuple[int, int, int, int]:
    """The sources, entities, claims and conflicting pairs a store holds (an update's report)."""
    row = conn.execute(
        "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM entities), (SELECT count(*) FROM claims), "
        "(SELECT CAST(value AS INTEGER) FROM pivot_meta WHERE key = 'conflict_pairs')"
    ).fetchone()
    return row[0], row[1], row[2], row[3]


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

# what the model reads of a stored claim (figure_of_values), then what it stored (AGREEMENT_FIELDS)
_FIGURE_COLUMNS = (
    "id, source, qentity, topic, metric, qunit, qperiod, value_low, value_high, bound, unit, status, "
    "source_date, date_as_of, presumed_period, source_label, draft, stances"
)
_N_FIGURE = 18
_ROW_SQL = f"SELECT {_FIGURE_COLUMNS}, {', '.join(AGREEMENT_FIELDS)}, rowid, entity FROM claims"
_FAMILY_SQL = f"{_ROW_SQL} WHERE qentity = ? AND metric = ? AND qunit IS ? AND value_low IS NOT NULL"
_HOLDERS_SQL = f"{_ROW_SQL} WHERE stances IS NOT NULL"
_PERIODS_SQL = (
    "SELECT DISTINCT coalesce(qperiod, presumed_period) FROM claims "
    "WHERE qentity = ? AND metric = ? AND qunit IS ? AND value_low IS NOT NULL"
)
_MEMBERS_SQL = f"SELECT {_FIGURE_COLUMNS} FROM claims WHERE qentity = ? AND metric = ? AND qunit IS ? AND value_low IS NOT NULL"
# a claim as counting.move_by_kind reads it (counting.Narrow)
_NARROW_SQL = (
    "SELECT rowid, id, source, qperiod, presumed_period, value_low, value_high, bound, status, source_date, draft, "
    "stances IS NOT NULL OR group_relation IS NOT NULL, conflict_count, odds_count, revise_count, differ_count, agree_sources "
    "FROM claims WHERE qentity = ? AND metric = ? AND qunit IS ? AND value_low IS NOT NULL"
)


def _in_periods(sql: str, fam: tuple[Any, ...], touched: set[str | None] | None) -> tuple[str, tuple[Any, ...]]:
    """`sql` (a family's claims) narrowed to the periods `touched` (None: every period)."""
    if touched is None:
        return sql, fam
    known = sorted(p for p in touched if p is not None)
    return (
        f"{sql} AND (coalesce(qperiod, presumed_period) IS NULL"
        f" OR coalesce(qperiod, presumed_period) IN ({', '.join('?' * len(known))}))",
        (*fam, *known),
    )


def _rows_at(conn: sqlite3.Connection, rowids: list[int]) -> list[_Row]:
    out: list[_Row] = []
    for i in range(0, len(rowids), 500):
        chunk = rowids[i : i + 500]
        out += _rows(conn, f"{_ROW_SQL} WHERE rowid IN ({', '.join('?' * len(chunk))})", tuple(chunk))
    return out


def figure_of_values(v: tuple[Any, ...]) -> Figure:
    """agreement.figure_of_record of a row read as a plain tuple of _FIGURE_COLUMNS (tens of
    thousands of rows in a large family: no mapping per row)."""
    return Figure(
        id=v[0],
        source=v[1],
        qentity=v[2],
        topic=v[3],
        metric=v[4] if v[7] is not None else None,
        unit=v[5],
        period=v[6],
        low=v[7],
        high=v[8],
        bound=v[9],
        display_unit=v[10],
        status=v[11],
        date=v[12],
        as_of=bool(v[13]),
        presumed=v[14],
        label=v[15],
        draft=bool(v[16]),
        stances=agreement.parse_stances(v[17]),
    )


@dataclass(slots=True)
class _Row:
    rowid: int
    entity: str
    figure: Figure
    old: agreement.Stored


def _rows(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> Iterator[_Row]:
    cur = conn.cursor()
    cur.row_factory = None
    for v in cur.execute(sql, params):
        yield _Row(v[-2], v[-1], figure_of_values(v), agreement.Stored(*v[_N_FIGURE:-2]))


def _counts_before(family_rows: list[_Row]) -> Callable[[str], agreement.Summary]:
    """A claim's counts as stored, a Summary of its own (agreement.move_counts moves it)."""
    old_of = {r.figure.id: r.old for r in family_rows}
    return lambda cid: summary_of_stored(old_of[cid], True)


def _recount(
    conn: sqlite3.Connection, added: list[Figure], removed: list[Figure], info: EntityInfo, positions: bool
) -> tuple[int, int, Counter[tuple[str, str]], int]:
    """Apply the agreement model to what an update changed: the claims `added` (inserted) and
    `removed` (deleted), with the values the full build would store. The families (quantity
    entity, metric, unit) they belong to are recounted from the pairs that came and went
    (agreement.recount_family: the other claims' counts move, none is counted whole unless
    many came or went); the groups their entities belong to get their checks again against
    their members' figures; where a claim taking a position came or went (`positions`), every
    claim taking one is counted again. Only rows whose values change are written, each with
    only the columns that change. Returns the sums of the reviewed claims' disagreement counts
    before and after, how many reviewed claims in conflict each source and entity gained or
    lost (("source" | "entity", id) -> n), and how many rows were written."""
    groups_of: dict[str, set[str]] = defaultdict(set)
    for e, (kind, _, member_ids, _) in info.items():
        if kind == "group":
            for m in member_ids:
                groups_of[m].add(e)
    came: dict[tuple[Any, ...], list[Figure]] = defaultdict(list)
    went: dict[tuple[Any, ...], list[Figure]] = defaultdict(list)
    for f in added:
        if f.numeric:
            came[f.family].append(f)
    for f in removed:
        if f.numeric:
            went[f.family].append(f)
    families = set(came) | set(went)
    new_ids = {f.id for f in added}
    group_ids = {e for e, v in info.items() if v[0] == "group" and v[2]}
    checked = {fam for fam in families if fam[0] in group_ids}  # group families: checks again
    for qe, metric, unit in families:
        checked |= {(g, metric, unit) for g in groups_of.get(qe, ())}
    rows: dict[str, _Row] = {}
    summaries: dict[str, agreement.Summary] = {}
    in_bulk: dict[tuple[tuple[int, int], ...], list[int]] = defaultdict(list)  # deltas -> rowids moved by them
    pairs_moved = 0
    for fam in families | checked:
        d, r_ = came.get(fam, []), went.get(fam, [])
        family_rows: list[_Row] | None = None
        moved: dict[str, agreement.Summary] | None = None
        if fam in families and len(d) + len(r_) <= counting.DELTA_LIMIT:
            # only the periods whose claims' counts can move (a group's family is read whole:
            # every claim of it has its check again)
            cur = conn.cursor()
            cur.row_factory = None
            touched = None if fam in checked else periods_touched([*d, *r_], [v[0] for v in cur.execute(_PERIODS_SQL, fam)])
            if fam not in checked:
                # moved by the kinds of pairs that came and went, most claims in bulk
                found = move_by_kind(fam, cur.execute(*_in_periods(_NARROW_SQL, fam, touched)), d, r_)
                if found is not None:
                    for deltas, rowids in found.bulk.items():
                        in_bulk[deltas] += rowids
                    pairs_moved += found.pairs_moved
                    new_rowids = [
                        v[0]
                        for v in cur.execute(
                            f"SELECT rowid FROM claims WHERE id IN ({', '.join('?' * len(d))})", [f.id for f in d]
                        )
                    ]
                    again_rows = _rows_at(conn, [*found.one_by_one, *new_rowids])
                    for r in again_rows:
                        rows[r.figure.id] = r
                        steps = found.one_by_one.get(r.rowid)
                        if steps is None:  # a claim added
                            summaries[r.figure.id] = found.added[r.figure.id]
                            continue
                        was = summary_of_stored(r.old, True)
                        for name, step in zip(MOVED_FIELDS, steps):
                            setattr(was, name, getattr(was, name) + step)
                        summaries[r.figure.id] = was
                    continue
            family_rows = list(_rows(conn, *_in_periods(_FAMILY_SQL, fam, touched)))
            moved = move_counts([r.figure for r in family_rows], _counts_before(family_rows), d, r_)
            if moved is None and touched is not None:
                family_rows = None  # counted whole: read whole
        if family_rows is None:
            family_rows = list(_rows(conn, _FAMILY_SQL, fam))
        for r in family_rows:
            rows[r.figure.id] = r
        if fam not in families:
            continue  # a group's family: its counts stay, its checks are made again below
        if moved is None:
            moved = summarise_family([r.figure for r in family_rows])
            for r in family_rows:  # its positions, as they were (counted apart, below)
                whole = moved[r.figure.id]
                if r.figure.id not in new_ids:
                    was = summary_of_stored(r.old, True)
                    whole.opposed, whole.concurs, whole.concur_sources, whole.has_position = (
                        was.opposed,
                        was.concurs,
                        was.concur_sources,
                        was.has_position,
                    )
        summaries.update(moved)
    if positions:
        holders = list(_rows(conn, _HOLDERS_SQL))
        for r in holders:
            rows.setdefault(r.figure.id, r)
        counted = summarise_positions([r.figure for r in holders])
        for r in holders:
            s = summaries.get(r.figure.id)
            if s is None:  # not in a family above: a new claim here has no figure
                fresh = r.figure.id in new_ids
                s = summaries[r.figure.id] = (
                    agreement.Summary(numeric=False) if fresh else summary_of_stored(r.old, r.figure.numeric)
                )
            s.opposed, s.concurs, s.concur_sources = counted[r.figure.id]
            s.has_position = True
    model = agreement.Model(summaries=summaries)
    # the claims stored again: those whose counts moved, and every claim of a group's family
    # (its check made again); the others read above keep what they have
    again = {cid: rows[cid] for cid in summaries}
    again.update((r.figure.id, r) for r in rows.values() if r.figure.family in checked)
    for r in again.values():
        if r.figure.id not in summaries:  # its counts as stored (none of its pairs came or went)
            summaries[r.figure.id] = summary_of_stored(r.old, r.figure.numeric)
        g = group_of_stored(r.old)
        if g is not None and r.figure.family not in checked:
            model.groups[r.figure.id] = g
    if checked:
        names = {e: v[3] for e, v in info.items()}
        cur = conn.cursor()
        cur.row_factory = None
        for qe, metric, unit in checked:
            member_ids = info[qe][2]
            figures_of = {m: [figure_of_values(v) for v in cur.execute(_MEMBERS_SQL, (m, metric, unit))] for m in member_ids}
            for r in again.values():
                f = r.figure
                if f.qentity == qe and f.metric == metric and f.unit == unit and f.numeric:
                    check = agreement.group_check(f, member_ids, names, figures_of)
                    if check is not None:
                        model.groups[f.id] = check
    before = after = 0
    conflicts_moved: Counter[tuple[str, str]] = Counter()
    updates: dict[tuple[int, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for cid, r in again.items():
        new = agreement.stored(cid, model)
        old = r.old
        if not r.figure.draft:
            before += old.conflict_count + old.odds_count + old.oppose_count
            after += new.conflict_count + new.odds_count + new.oppose_count
        if new != old:
            changed = tuple(i for i, (a, b) in enumerate(zip(new, old)) if a != b)
            updates[changed].append((*(new[i] for i in changed), r.rowid))
            if not r.figure.draft and agreement.in_conflict(old.standing) != agreement.in_conflict(new.standing):
                sign = 1 if agreement.in_conflict(new.standing) else -1
                conflicts_moved[("source", r.figure.source)] += sign
                conflicts_moved[("entity", r.entity)] += sign
    written = 0
    for deltas, rowids in in_bulk.items():  # by their deltas, one statement each: their summaries stay
        moves = ", ".join(f"{MOVED_COLUMNS[i]} = {MOVED_COLUMNS[i]} + {int(d)}" for i, d in deltas)
        conn.execute(f"UPDATE claims SET {moves} WHERE rowid IN (SELECT value FROM json_each(?))", (json.dumps(rowids),))
        written += len(rowids)
    after += pairs_moved
    for changed, values in updates.items():
        # only the columns that change: an index on a column not set is not touched
        conn.executemany(f"UPDATE claims SET {', '.join(f'{AGREEMENT_FIELDS[i]} = ?' for i in changed)} WHERE rowid = ?", values)
        written += len(values)
    return before, after, conflicts_moved, written


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


def copy_whole(db_path: Path, tmp: Path) -> None:
    """Copy the store to tmp under a read lock: no writer until the copy is whole."""
    import shutil

    src = sqlite3.connect(f"file:{db_path.resolve().as_posix()}?mode=ro", uri=True, timeout=5)
    try:
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the read lock
        shutil.copyfile(db_path, tmp)
    finally:
        src.close()


def on_a_copy(db_path: Path, work: Callable[[Path], BuildReport]) -> BuildReport:
    """`work` done on a copy of the store (taken under a read lock, so whole), renamed into
    place as a full build's file is; thrown away if anything fails. The caller holds the
    build lock."""
    import fcntl

    fd, tmp_name = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=".tmp", dir=db_path.parent)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a live build's temp file (recovery.remove_dead_temps)
    tmp = Path(tmp_name)
    try:
        copy_whole(db_path, tmp)
        report = work(tmp)
        os.chmod(tmp, 0o644)
        _move_into_place(tmp, db_path, fd)
        return report
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)


def _update_copy(db_path: Path, data_dir: Path, changes: Changes, label: Callable[[Path], str]) -> BuildReport:
    """update_store on a copy of the store, renamed into place (on_a_copy)."""
    return on_a_copy(db_path, lambda tmp: _update_at(db_path, data_dir, changes, label, held=True, into=tmp))


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
    steps: list[tuple[str, float]] = []
    last = [started]

    def step(name: str) -> None:
        now = time.perf_counter()
        steps.append((name, now - last[0]))
        last[0] = now

    db_path = Path(db_path)
    with nullcontext() if held else build_lock(db_path):
        conn = sqlite3.connect(into or db_path, timeout=UPDATE_WAIT)
        # the pages an update rewrites stay in memory until the commit (the default 2 MB cache
        # spills them to the file midway: a 10,000-row recount took 0.43 s, with this 0.24 s)
        conn.execute("PRAGMA cache_size = -131072")
        if into is not None:
            conn.execute("PRAGMA journal_mode=OFF")  # a copy nobody reads yet: the rename is the commit
            conn.execute("PRAGMA synchronous=OFF")  # synced once, before the rename
        conn.row_factory = sqlite3.Row
        try:
            with transaction(conn, immediate=True):
                # conflict_count is not indexed since the update moves it in bulk (no query filters
                # or sorts by it): a store built before loses its index here, as a build now has none
                conn.execute("DROP INDEX IF EXISTS idx_claims_conflict_count")
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
                step("parse")
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

                step("check")
                touched_topics: Counter[str] = Counter()  # claims each topic gains (or loses)
                claim_delta: Counter[tuple[str, str]] = Counter()  # ("entity" | "source", id) -> claims gained
                conflict_delta: Counter[tuple[str, str]] = Counter()  # -> reviewed claims in conflict gained
                removed_figures: list[Figure] = []
                added_figures: list[Figure] = []
                removed_claims = 0
                removed_count_sum = 0  # disagreement counts that leave with the removed claims
                positions = False  # a claim taking a position came or went
                facet_delta: dict[tuple[str, str | None], int] = defaultdict(int)
                dense_before = conn.execute("SELECT value FROM pivot_meta WHERE key = 'dense_rowids'").fetchone()
                top_before = conn.execute("SELECT coalesce(max(rowid), 0) FROM claims").fetchone()[0]
                for sid in leaving:
                    flags = [r[0] for r in conn.execute("SELECT flag FROM source_flags WHERE source = ?", (sid,))]
                    for r in conn.execute(
                        "SELECT rowid, entity, topic, period, summary, quote, speaker, source_title, "
                        "status, conflict_count, odds_count, oppose_count, draft, stances, standing FROM claims WHERE source = ?",
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
                        claim_delta[("entity", r["entity"])] -= 1
                        touched_topics[r["topic"]] -= 1
                        removed_claims += 1
                        if not r["draft"]:
                            removed_count_sum += r["conflict_count"] + r["odds_count"] + r["oppose_count"]
                            if agreement.in_conflict(r["standing"]):
                                conflict_delta[("entity", r["entity"])] -= 1
                        positions = positions or r["stances"] is not None
                    cur = conn.cursor()
                    cur.row_factory = None
                    removed_figures += [
                        figure_of_values(v) for v in cur.execute(f"SELECT {_FIGURE_COLUMNS} FROM claims WHERE source = ?", (sid,))
                    ]
                    conn.execute("DELETE FROM stances WHERE claim IN (SELECT id FROM claims WHERE source = ?)", (sid,))
                    conn.execute("DELETE FROM claims WHERE source = ?", (sid,))
                    conn.execute("DELETE FROM source_flags WHERE source = ?", (sid,))
                    conn.execute("DELETE FROM sources WHERE id = ?", (sid,))
                if gone:
                    conn.execute(f"DELETE FROM source_files WHERE file IN ({', '.join('?' * len(gone))})", gone)
                step("delete")

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
                        fig = agreement.figure_of_claim(c, info, si)
                        added_figures.append(fig)
                        row = _claim_row(c, fig, s.title, agreement.Model())
                        conn.execute(_INSERT_CLAIM_AT, (next_rowid, *row))
                        conn.execute(
                            "INSERT INTO claims_fts (rowid, summary, quote, speaker, source_title) VALUES (?, ?, ?, ?, ?)",
                            (next_rowid, c.summary, c.quote, c.speaker, s.title),
                        )
                        new_texts.append((c.summary, c.quote, c.speaker, s.title))
                        next_rowid += 1
                        added_claims += 1
                        claim_delta[("entity", c.entity)] += 1
                        touched_topics[c.topic] += 1
                _add_terms_of(conn, new_texts)
                records_written = [st for st, _ in parsed]
                for st in settle(data_dir, {st.rel: st for st in changes.touched}).values():
                    conn.execute(TOUCH_SQL, (st.size, st.mtime_ns, st.recorded_ctime, st.ino, st.rel))
                    records_written.append(st)
                step("insert")

                # the agreement model: the families a claim entered or left, their counts moved by
                # the pairs that came and went (a source's or entity's conflict_count counts its
                # disputed claims, so only a claim that becomes or stops being disputed moves those)
                count_sum_before, count_sum_after, conflicts_moved, written = _recount(
                    conn, added_figures, removed_figures, info, positions
                )
                conflict_delta.update(conflicts_moved)
                count_sum_before += removed_count_sum
                step(f"recount ({written} rows rewritten)")
                pairs_row = conn.execute("SELECT value FROM pivot_meta WHERE key = 'conflict_pairs'").fetchone()
                if pairs_row is not None:
                    pairs = int(pairs_row[0]) + (count_sum_after - count_sum_before) // 2
                    set_meta(conn, {"conflict_pairs": str(pairs)})
                for (facet, value), n in facet_delta.items():
                    if (
                        n
                        and conn.execute(
                            "UPDATE facet_counts SET n = n + ? WHERE facet = ? AND value IS ?", (n, facet, value)
                        ).rowcount
                        == 0
                    ):
                        conn.execute("INSERT INTO facet_counts VALUES (?, ?, ?)", (facet, value, n))
                    elif n:  # a value no claim has any more is not a facet (as the full build lists them)
                        conn.execute("DELETE FROM facet_counts WHERE facet = ? AND value IS ? AND n = 0", (facet, value))
                # the counts kept per entity, topic and source move by what came and went (the
                # full build counts them whole; an update never reads a whole entity's claims)
                for e in {k[1] for k in (*claim_delta, *conflict_delta) if k[0] == "entity"}:
                    conn.execute(
                        "UPDATE entities SET claim_count = claim_count + ?, conflict_count = conflict_count + ? WHERE id = ?",
                        (claim_delta[("entity", e)], conflict_delta[("entity", e)], e),
                    )
                for t, n in touched_topics.items():
                    if n:
                        conn.execute("UPDATE topics SET claim_count = claim_count + ? WHERE id = ?", (n, t))
                for s_id in {k[1] for k in conflict_delta if k[0] == "source"}:
                    conn.execute(
                        "UPDATE sources SET conflict_count = conflict_count + ? WHERE id = ?",
                        (conflict_delta[("source", s_id)], s_id),
                    )
                step("facets and counts")
                if changes.snapshot is not None:  # from the scan and the records that differed from it
                    corpus_hash, files_digest = snapshot_after(conn, changes) or keep_snapshot(conn)
                elif changes.records is not None:  # every record as diff_corpus read it, and what was written
                    corpus_hash, files_digest = digests_after(changes.records, changes, records_written)
                    keep_snapshot(conn)
                else:
                    corpus_hash, files_digest = keep_snapshot(conn)
                set_meta(conn, {"corpus_hash": corpus_hash, FILES_DIGEST: files_digest, "built_at": _now()})
                if removed_claims:
                    # rowids are still 1..n when the removed claims were the last ones (a file
                    # added and taken out again): then the middle of the list stays a seek
                    # (counted without a scan when they were 1..n before: n was the last rowid)
                    if dense_before is not None and dense_before[0] == "1":
                        total = top_before - removed_claims + added_claims
                        dense = conn.execute("SELECT coalesce(max(rowid), 0) FROM claims").fetchone()[0] == total
                    else:
                        dense = conn.execute("SELECT coalesce(max(rowid), 0) = count(*) FROM claims").fetchone()[0]
                    set_meta(conn, {"dense_rowids": "1" if dense else "0"})
                step("meta")
            step("commit")
            if into is None:
                stamp_written(db_path)  # committed whole: no need to read it all on the next no-op
            totals = store_totals(conn)
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
        steps=steps,
    )
