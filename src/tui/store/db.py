# Long because every read-side query the explorer and the CLI issue lives here, so
# tests/test_query_plans.py can check them all (scripts/check_architecture.py keeps SQL here).
"""Read-side queries over the store: pages of claims, counts, facets, details, comparisons.

Every function takes an open connection (see locate.open_readonly) and a
Compiled filter from tui.query; values always travel as parameters and the
only identifiers placed in SQL come from fixed tables in this module.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import itertools
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from .fmt import format_value, like_escape

# Neither the agreement model (tui.store.agreement's rules: ~30 regular expressions and
# dataclasses) nor the records the answers come in (tui.store.answers: db.Related and the others
# are that module's) is imported before a function here needs it: the explorer's first page
# needs none of them, and start-up is held to a bare Textual app.
if TYPE_CHECKING:
    from .agreement import Figure, RowLike
    from .answers import Cell as Cell
    from .answers import Comparison as Comparison
    from .answers import Facets as Facets
    from .answers import FacetValue as FacetValue
    from .answers import Frequency as Frequency
    from .answers import Related as Related

_ANSWERS = frozenset({"Cell", "Comparison", "FacetValue", "Facets", "Frequency", "Related"})


def __getattr__(name: str) -> object:
    """db.Related and the other records, from tui.store.answers on first use."""
    if name in _ANSWERS:
        from . import answers

        return getattr(answers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


Params = list[Any]  # values bound to the `?` of a statement


class Filter(Protocol):
    """What the queries need of a compiled filter (tui.query.Compiled): the store does not
    import the filter language, the filter language imports the store."""

    where: str
    params: list[Any]
    match: str | None
    rest_where: str
    rest_params: list[Any]

    @property
    def unfiltered(self) -> bool: ...


CLAIM_COLUMNS = """
  claims.rowid AS rowid, claims.id, claims.source, claims.entity, claims.topic, claims.summary,
  claims.quote, claims.metric, claims.value_low, claims.value_high, claims.unit, claims.bound,
  claims.period, claims.status, claims.speaker, claims.note, claims.conflict_count, claims.odds_count, claims.revise_count,
  claims.lo_eff, claims.hi_eff, claims.draft, claims.qentity, claims.qunit, claims.qperiod, claims.presumed_period,
  claims.source_date, claims.date_as_of, claims.source_label, claims.stances, claims.table_name, claims.table_row, claims.scope,
  claims.differ_count, claims.agree_count, claims.agree_sources, claims.quantity_sources, claims.relation,
  claims.group_relation, claims.group_reason, claims.group_low, claims.group_high,
  claims.oppose_count, claims.concur_count, claims.position_relation, claims.standing,
  claims.source_title, entities.name AS entity_name, entities.kind AS entity_kind,
  topics.label AS topic_label, topics."order" AS topic_order,
  sources.publisher, sources.published, sources.document, sources.flags AS source_flags_json,
  sources.kind AS source_kind, sources.author, sources.url, sources.as_of
"""
CLAIM_JOINS = """
  JOIN entities ON entities.id = claims.entity
  JOIN topics ON topics.id = claims.topic
  JOIN sources ON sources.id = claims.source
"""

# facet name -> (SQL expression over the filtered claims, label lookup)
FACETS = {
    "source": "claims.source",
    "topic": "claims.topic",
    "status": "claims.status",
    "period": "claims.period",
    "flag": None,  # through source_flags
    "entity": "claims.entity",
}

COUNT_CAP = 10_000


def _claim_page(conn: sqlite3.Connection, where: str, params: Params, offset: int = 0, limit: int = 100) -> list[sqlite3.Row]:
    """One page of claims in store order (entity, topic order, source)."""
    sql = f"SELECT {CLAIM_COLUMNS} FROM claims {CLAIM_JOINS} WHERE {where} ORDER BY claims.rowid LIMIT ? OFFSET ?"
    return conn.execute(sql, [*params, limit, offset]).fetchall()


def claims_by_ids(conn: sqlite3.Connection, ids: list[str]) -> list[sqlite3.Row]:
    out: list[sqlite3.Row] = []
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        out += conn.execute(
            f"SELECT {CLAIM_COLUMNS} FROM claims {CLAIM_JOINS} WHERE claims.id IN ({', '.join('?' * len(chunk))})",
            chunk,
        ).fetchall()
    return sorted(out, key=lambda r: r["rowid"])


def _facet(conn: sqlite3.Connection, name: str, where: str, params: Params, limit: int = 12) -> tuple[list[FacetValue], bool]:
    """Datasette-style counts of one facet over the filtered claims; (values, more exist)."""
    from .answers import FacetValue

    if name == "flag":
        sql = (
            "SELECT source_flags.flag AS value, count(*) AS n FROM claims "
            "JOIN source_flags ON source_flags.source = claims.source "
            f"WHERE {where} GROUP BY source_flags.flag ORDER BY n DESC, value LIMIT ?"
        )
    else:
        column = FACETS[name]
        sql = (
            f"SELECT {column} AS value, count(*) AS n FROM claims WHERE {where} GROUP BY {column} ORDER BY n DESC, value LIMIT ?"
        )
    rows = conn.execute(sql, [*params, limit + 1]).fetchall()
    labels = _labels(conn, name, [r["value"] for r in rows[:limit]])
    values = [FacetValue(r["value"], labels.get(r["value"], r["value"] or "(none)"), r["n"]) for r in rows[:limit]]
    return values, len(rows) > limit


def _labels(conn: sqlite3.Connection, name: str, values: list[Any]) -> dict[Any, str]:
    table = {
        "source": ("sources", "coalesce(publisher, title)"),
        "topic": ("topics", "label"),
        "entity": ("entities", "name"),
    }.get(name)
    if not table or not values:
        return {}
    marks = ", ".join("?" * len(values))
    rows = conn.execute(f"SELECT id, {table[1]} AS label FROM {table[0]} WHERE id IN ({marks})", values).fetchall()
    return {r["id"]: r["label"] for r in rows}


# companies first, most claims first; an event or a division right under its company (it sorts as its parent)
_AS_PARENT = "(SELECT p.{0} FROM entities AS p WHERE p.id = entities.parent AND entities.kind IN ('event', 'division'))"
ENTITY_ORDER = (
    f"ORDER BY CASE coalesce({_AS_PARENT.format('kind')}, kind) WHEN 'company' THEN 0 WHEN 'event' THEN 1 "
    f"WHEN 'division' THEN 1 WHEN 'group' THEN 2 ELSE 3 END, coalesce({_AS_PARENT.format('claim_count')}, claim_count) DESC, "
    f"coalesce({_AS_PARENT.format('name')}, name), kind IN ('event', 'division'), claim_count DESC, name"
)


def entities(
    conn: sqlite3.Connection, limit: int | None = None, search: str | None = None, include: list[str] | tuple[str, ...] = ()
) -> list[sqlite3.Row]:
    """Entities, companies first, most claims first. `search` keeps those whose name,
    id or an alias contains the text; `limit` caps the list, but the ids in `include`
    (e.g. the entities already chosen) are always in it."""
    # open_count: the claims `company:ID` opens (the entity's own, its events' and its
    # divisions': tui.query), what the entity list and the palette show beside its name
    children = "FROM entities k WHERE k.parent = entities.id AND k.kind IN ('event', 'division')"
    columns = (
        "id, name, kind, parent, ticker, aliases, members, claim_count, conflict_count, "
        f"claim_count + coalesce((SELECT sum(k.claim_count) {children}), 0) AS open_count, "
        f"conflict_count + coalesce((SELECT sum(k.conflict_count) {children}), 0) AS open_conflicts"
    )
    where, params = "1", []
    if search and search.strip():
        needle = "%" + like_escape(search.strip()) + "%"
        where = "id IN (SELECT entity FROM entity_names WHERE name LIKE ? ESCAPE '\\') OR id LIKE ? ESCAPE '\\'"
        params = [needle, needle]
    sql = f"SELECT {columns} FROM entities WHERE {where} {ENTITY_ORDER}"
    if limit is None:
        return conn.execute(sql, params).fetchall()
    rows = conn.execute(sql + " LIMIT ?", [*params, limit]).fetchall()
    missing = [i for i in include if i not in {r["id"] for r in rows}]
    if missing:
        marks = ", ".join("?" * len(missing))
        rows = conn.execute(f"SELECT {columns} FROM entities WHERE id IN ({marks}) {ENTITY_ORDER}", missing).fetchall() + rows
    return rows


def most_covered(conn: sqlite3.Connection, n: int = 2) -> list[str]:
    """The ids of the `n` companies with the most claims (the comparison's first picks, the
    palette's presets): derived from the corpus, never named in the code."""
    rows = conn.execute(
        "SELECT id FROM entities WHERE kind = 'company' ORDER BY claim_count DESC, name, id LIMIT ?", (n,)
    ).fetchall()
    return [r["id"] for r in rows]


def entity_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM entities").fetchone()[0])


def entity(conn: sqlite3.Connection, entity_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()
    return row


def topics(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute('SELECT id, label, "order", description, claim_count FROM topics ORDER BY "order", id').fetchall()


def sources(conn: sqlite3.Connection, entity: str | None = None, limit: int | None = None) -> list[sqlite3.Row]:
    """Sources by date (undated last), optionally only those with claims about `entity`."""
    where: str = "1"
    params: Params = []
    if entity:
        where, params = "id IN (SELECT DISTINCT source FROM claims WHERE entity = ?)", [entity]
    sql = (
        "SELECT id, title, publisher, author, published, url, kind, document, flags, notes, claim_count, conflict_count "
        f"FROM sources WHERE {where} ORDER BY published IS NULL, published, title"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return conn.execute(sql, params).fetchall()


def source_batches(conn: sqlite3.Connection, size: int = 200) -> Iterator[list[sqlite3.Row]]:
    """Every source, in sources()'s order, `size` at a time (`pivot sources` streams them)."""
    cur = conn.execute(
        "SELECT id, title, publisher, author, published, url, kind, document, flags, notes, claim_count, conflict_count "
        "FROM sources ORDER BY published IS NULL, published, title"
    )
    while rows := cur.fetchmany(size):
        yield rows


def source_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM sources").fetchone()[0])


def source(conn: sqlite3.Connection, source_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute("SELECT * FROM sources WHERE id = ?", (source_id,)).fetchone()
    return row


def claim(conn: sqlite3.Connection, claim_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        f"SELECT {CLAIM_COLUMNS} FROM claims {CLAIM_JOINS} WHERE claims.id = ?", (claim_id,)
    ).fetchone()
    return row


# --- how sources relate (the agreement model, store/agreement.py) ------------------------

RELATED_LIMIT = 200  # claims read per question about one claim's relations


def _figure(r: sqlite3.Row) -> Figure:
    from .agreement import figure_of_record

    return figure_of_record(r)


def _partners(conn: sqlite3.Connection, me: Figure, limit: int, numeric_only: bool = False) -> list[sqlite3.Row]:
    """Reviewed claims of other sources that can relate to `me`: its quantity's, then (unless
    numeric_only) its subject's, then those taking a position on one of its propositions."""
    rows: list[sqlite3.Row] = []
    if me.numeric:
        rows += conn.execute(
            f"SELECT {CLAIM_COLUMNS} FROM claims {CLAIM_JOINS} WHERE claims.qentity = ? AND claims.metric = ? "
            "AND claims.qunit IS ? AND claims.source != ? AND claims.draft = 0 ORDER BY claims.rowid LIMIT ?",
            (me.qentity, me.metric, me.unit, me.source, limit),
        ).fetchall()
    seen = {r["id"] for r in rows}
    if me.stances:
        props = [p for p, _ in me.stances]
        rows += [
            r
            for r in conn.execute(
                f"SELECT {CLAIM_COLUMNS} FROM claims {CLAIM_JOINS} WHERE claims.id IN "
                f"(SELECT claim FROM stances WHERE proposition IN ({', '.join('?' * len(props))})) "
                "AND claims.source != ? AND claims.draft = 0 ORDER BY claims.rowid LIMIT ?",
                (*props, me.source, limit),
            ).fetchall()
            if r["id"] not in seen
        ]
        seen |= {r["id"] for r in rows}
    if not numeric_only:
        rows += [
            r
            for r in conn.execute(
                f"SELECT {CLAIM_COLUMNS} FROM claims {CLAIM_JOINS} WHERE claims.qentity = ? AND claims.topic = ? "
                "AND claims.source != ? AND claims.draft = 0 ORDER BY claims.value_low IS NULL, claims.rowid LIMIT ?",
                (me.qentity, me.topic, me.source, limit),
            ).fetchall()
            if r["id"] not in seen
        ]
    return rows


def positions(conn: sqlite3.Connection, row: sqlite3.Row) -> list[tuple[str, str, str]]:
    """The claim's positions: (proposition id, its text, for / against)."""
    from .agreement import parse_stances

    mine = parse_stances(row["stances"])
    if not mine:
        return []
    texts = _proposition_texts(conn, [p for p, _ in mine])
    return [(p, texts.get(p, p), pos) for p, pos in mine]


def _proposition_texts(conn: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(conn.execute(f"SELECT id, text FROM propositions WHERE id IN ({', '.join('?' * len(ids))})", ids).fetchall())


def related(conn: sqlite3.Connection, row: sqlite3.Row, limit: int = RELATED_LIMIT) -> list[Related]:
    """What other sources say about the claim's subject: every reviewed claim of the same
    quantity (same metric and unit, any period), of the same entity (or its events) and topic,
    and taking a position on one of its propositions, each with its relation, strongest
    first. A draft is never among them (it does not change what a reviewed claim says); a
    draft's own list says how it would relate once accepted. Reads at most `limit` claims of
    each kind."""
    from .agreement import STRENGTH, Relation, relation
    from .answers import Related

    me = _figure(row)
    texts = _proposition_texts(conn, [p for p, _ in me.stances])
    out = []
    for r in _partners(conn, me, limit):
        rel = relation(me, _figure(r))
        if rel is not None:
            if texts and rel.kind in ("opposes", "agrees"):  # a proposition is named by its words
                reason = rel.reason
                for pid, text in texts.items():
                    reason = reason.replace(f"'{pid}'", f"“{text}”")
                rel = Relation(rel.kind, reason)
            out.append(Related(r, rel, me.eperiod))
    out.sort(key=lambda x: (STRENGTH[x.relation.kind], x.row["rowid"]))
    return out


def relations_of(
    conn: sqlite3.Connection,
    row: sqlite3.Row,
    kinds: tuple[str, ...] | None = None,
    limit: int = RELATED_LIMIT,
) -> dict[str, list[str]]:
    """Claim ids of the same quantity or proposition by relation (at most `limit` claims read;
    every kind of relation unless `kinds` says which)."""
    from .agreement import RELATIONS, relation

    out: dict[str, list[str]] = {k: [] for k in (RELATIONS if kinds is None else kinds)}
    me = _figure(row)
    for r in _partners(conn, me, limit, numeric_only=True):
        rel = relation(me, _figure(r))
        if rel is not None and rel.kind in out:
            out[rel.kind].append(r["id"])
    return out


def conflicts_of(conn: sqlite3.Connection, claim_id: str, limit: int = RELATED_LIMIT) -> list[str]:
    """Ids of the claims in conflict with this one (contradicting, opposed or at odds; of
    the first `limit` of its quantity and propositions)."""
    row = claim(conn, claim_id)
    if row is None or not (row["conflict_count"] or row["odds_count"]):
        return []
    from .agreement import CONFLICTS

    found = relations_of(conn, row, CONFLICTS, limit)
    return sorted(i for k in CONFLICTS for i in found[k])


def source_numbers(rows: Iterable[RowLike]) -> dict[str, int]:
    """Sources numbered 1..n in the order they first appear in rows."""
    numbers: dict[str, int] = {}
    for r in rows:
        numbers.setdefault(r["source"], len(numbers) + 1)
    return numbers


def parse_flags(raw: str | None) -> list[str]:
    """A source's stored flags (a JSON list); an empty or unreadable value is no flags."""
    if not raw or raw == "[]":
        return []
    return list(_flags_of_text(raw))  # a new list: the caller's own


@functools.lru_cache(maxsize=1 << 10)  # a few combinations of flags, read again for every source
def _flags_of_text(raw: str) -> tuple[str, ...]:
    import json  # json (~1 ms) is not imported before the first frame unless a source has flags

    try:
        return tuple(json.loads(raw))
    except (TypeError, ValueError):
        return ()


def flags_of(row: sqlite3.Row) -> list[str]:
    keys = row.keys()  # sqlite3.Row: `in` looks at its values, not its names
    return parse_flags(row["source_flags_json"] if "source_flags_json" in keys else row["flags"])


# --- comparison -----------------------------------------------------------------------


def compare(
    conn: sqlite3.Connection,
    entity_ids: list[str],
    topic_ids: list[str] | None = None,
    per_cell: int | None = None,
    numbers: dict[str, int] | None = None,
) -> Comparison:
    """Rows are topics (in their order), columns the entities; each cell its reviewed claims:
    the cells of an article's own table first, then the figures, then the rest, each in store
    order; every claim unless `per_cell` says how many (Cell.more: how many are left out). A
    company (or group) is compared with its events, as the headline grid compares it; an
    event alone. Sources are numbered as the headline grid of the same entities numbers them
    (`numbers`, else the grid's own), those the grid does not show after its."""
    from .answers import Cell, Comparison

    ents = [e for e in (entity(conn, i) for i in entity_ids) if e is not None]
    all_topics = topics(conn)
    if topic_ids:
        all_topics = [t for t in all_topics if t["id"] in topic_ids]
    cells: dict[tuple[str, str], Cell] = {}
    rows_in_order: list[sqlite3.Row] = []
    limit = -1 if per_cell is None else per_cell
    for e in ents:
        column = "entity" if e["kind"] == "event" else "qentity"
        counts = dict(
            conn.execute(
                f"SELECT topic, count(*) FROM claims WHERE {column} = ? AND draft = 0 GROUP BY topic", (e["id"],)
            ).fetchall()
        )
        for t in all_topics:
            n = counts.get(t["id"], 0)
            if not n:
                continue
            # an article's table cells, then numeric claims, then the rest, each in store order
            # (by source); each walks the (entity, topic) index and stops after per_cell rows
            rows: list[sqlite3.Row] = []
            for cond in (
                "claims.table_row IS NOT NULL",
                "claims.table_row IS NULL AND claims.value_low IS NOT NULL",
                "claims.table_row IS NULL AND claims.value_low IS NULL",
            ):
                if 0 <= limit <= len(rows):
                    break
                rows += conn.execute(
                    f"SELECT {CLAIM_COLUMNS} FROM claims {CLAIM_JOINS} WHERE claims.{column} = ? AND claims.topic = ? "
                    f"AND {cond} AND claims.draft = 0 ORDER BY claims.rowid LIMIT ?",
                    (e["id"], t["id"], limit if limit < 0 else limit - len(rows)),
                ).fetchall()
            cells[(t["id"], e["id"])] = Cell(rows, _cell_disputed(conn, column, e["id"], t["id"]), n)
    shown_topics = [t for t in all_topics if any((t["id"], e["id"]) in cells for e in ents)]
    for t in shown_topics:
        for e in ents:
            rows_in_order += cells.get((t["id"], e["id"]), Cell([], False)).claims
    if numbers is None:
        from .grid import headline

        numbers = headline(conn, [e["id"] for e in ents], topic_ids).sources
    numbered = dict(numbers)
    for r in rows_in_order:
        numbered.setdefault(r["source"], len(numbered) + 1)
    labels = {r["source"]: r["publisher"] or r["source_title"] for r in rows_in_order}
    used = set(labels)
    return Comparison(ents, shown_topics, cells, {s: n for s, n in numbered.items() if s in used}, labels)


def _cell_disputed(conn: sqlite3.Connection, column: str, entity_id: str, topic_id: str) -> bool:
    """Is a reviewed claim of this cell in conflict with another source's? Asked of the whole
    cell (one indexed look-up), never of the claims shown."""
    return (
        conn.execute(
            f"SELECT 1 FROM claims WHERE {column} = ? AND topic = ? AND draft = 0 "
            "AND standing IN ('disputed', 'at-odds') LIMIT 1",
            (entity_id, topic_id),
        ).fetchone()
        is not None
    )


# --- the explorer's interactive path ---------------------------------------------------
#
# These take a Compiled filter (tui.query) rather than a WHERE string, so that a
# text search can walk the full-text index in rowid order and stop after one
# page, and so that facet counting can be held to a time budget. Every query
# here uses an index or the FTS index (tests check EXPLAIN QUERY PLAN).

SAMPLE_ROWS = 5_000  # facets of a filter too broad to count in time are counted over this many matches


def _dense(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT value FROM pivot_meta WHERE key = 'dense_rowids'").fetchone()
    return bool(row and row["value"] == "1")


class _Watchdog:
    """One thread that interrupts connections whose deadline passed (deadline() below).

    A progress handler would do it from inside SQLite, but it is Python called every few
    thousand instructions of the statement, each call taking the GIL: a worker's count or
    facets then take the explorer's event loop from the key a person just typed. Here the
    statement runs in SQLite alone, the GIL free, and one thread wakes once at the deadline.
    Once due, a connection is interrupted again every RETRY seconds until its block ends (an
    interrupt that lands between two statements is a no-op), and never after: disarm and the
    interrupt hold the same lock."""

    RETRY = 0.005

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._due: list[tuple[float, int, sqlite3.Connection]] = []  # a heap by time
        self._live: set[int] = set()
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, conn: sqlite3.Connection, seconds: float) -> int:
        with self._cond:
            token = next(self._tokens)
            heapq.heappush(self._due, (time.monotonic() + seconds, token, conn))
            self._live.add(token)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pivot-deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()
            return token

    def disarm(self, token: int) -> None:
        with self._cond:
            self._live.discard(token)

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._due and self._due[0][1] not in self._live:
                    heapq.heappop(self._due)
                if not self._due:
                    self._cond.wait()
                    continue
                at, token, conn = self._due[0]
                now = time.monotonic()
                if at > now:
                    self._cond.wait(at - now)
                    continue
                heapq.heapreplace(self._due, (now + self.RETRY, token, conn))
                with contextlib.suppress(sqlite3.Error):  # closed meanwhile: nothing runs on it
                    conn.interrupt()


_watchdog = _Watchdog()


@contextmanager
def deadline(conn: sqlite3.Connection, seconds: float | None) -> Iterator[None]:
    """Abort the statements run inside after `seconds` (sqlite3.OperationalError: interrupted)."""
    if seconds is None:
        yield
        return
    token = _watchdog.arm(conn, seconds)
    try:
        yield
    finally:
        _watchdog.disarm(token)


def _bounds(conn: sqlite3.Connection, flt: Filter) -> tuple[int, int] | None:
    """The rowid span of the non-text part of a filter, when it is cheap to find. Claims
    are stored grouped by entity, so `company:x` is one short span of the text index."""
    if flt.rest_where == "1":
        return None
    try:
        with deadline(conn, 0.01):
            ends = [
                conn.execute(
                    f"SELECT claims.rowid FROM claims WHERE {flt.rest_where} ORDER BY claims.rowid {order} LIMIT 1",
                    flt.rest_params,
                ).fetchone()
                for order in ("ASC", "DESC")
            ]
    except sqlite3.OperationalError:
        return None
    if ends[0] is None or ends[1] is None:
        return (0, -1)
    return ends[0][0], ends[1][0]


def _text_from(conn: sqlite3.Connection, flt: Filter) -> tuple[str, str, Params]:
    """FROM ... WHERE ... walking the text index in rowid order, for a filter with a MATCH."""
    where = "claims_fts MATCH ?"
    params: Params = [flt.match]
    span = _bounds(conn, flt)
    if span is not None:
        where += " AND claims_fts.rowid BETWEEN ? AND ?"
        params += list(span)
    if flt.rest_where != "1":
        where += f" AND ({flt.rest_where})"
        params += flt.rest_params
    return "claims_fts CROSS JOIN claims ON claims.rowid = claims_fts.rowid", where, params


def page(conn: sqlite3.Connection, flt: Filter, offset: int = 0, limit: int = 100) -> list[sqlite3.Row]:
    """One page of the filter's claims in store order."""
    if flt.match:
        source, where, params = _text_from(conn, flt)
        sql = f"SELECT {CLAIM_COLUMNS} FROM {source} {CLAIM_JOINS} WHERE {where} ORDER BY claims_fts.rowid LIMIT ? OFFSET ?"
        return conn.execute(sql, [*params, limit, offset]).fetchall()
    if flt.unfiltered and offset and _dense(conn):
        # rowids are 1..n after a full build: the middle of a million rows is a seek, not a skip
        sql = f"SELECT {CLAIM_COLUMNS} FROM claims {CLAIM_JOINS} WHERE claims.rowid > ? ORDER BY claims.rowid LIMIT ?"
        return conn.execute(sql, [offset, limit]).fetchall()
    return _claim_page(conn, flt.where, flt.params, offset, limit)


def count_matches(
    conn: sqlite3.Connection, flt: Filter, cap: int | None = COUNT_CAP, budget: float | None = None
) -> tuple[int, bool]:
    """(count, is a lower bound). With a budget, a count that runs out of time returns the
    capped count instead."""
    if flt.unfiltered and cap is None and _dense(conn):
        return conn.execute("SELECT max(rowid) FROM claims").fetchone()[0] or 0, False
    if flt.match:
        source, where, params = _text_from(conn, flt)
        inner = f"SELECT 1 FROM {source} WHERE {where}"
    else:
        inner, params = f"SELECT 1 FROM claims WHERE {flt.where}", list(flt.params)
    if cap is not None:
        n = conn.execute(f"SELECT count(*) FROM ({inner} LIMIT ?)", [*params, cap + 1]).fetchone()[0]
        return (cap, True) if n > cap else (n, False)
    try:
        with deadline(conn, budget):
            return conn.execute(f"SELECT count(*) FROM ({inner})", params).fetchone()[0], False
    except sqlite3.OperationalError:
        return count_matches(conn, flt, COUNT_CAP)


def facets(conn: sqlite3.Connection, flt: Filter, names: Iterable[str], budget: float = 0.25, limit: int = 12) -> Facets:
    """Datasette-style facet counts for the filter: exact when they fit the time budget,
    else counted over the first SAMPLE_ROWS matches in list order (and marked as such).
    A text search is always counted from its first SAMPLE_ROWS matches (exact when
    there are no more), because the full-text index cannot be interrupted mid-query."""
    from .answers import Facets

    names = list(names)
    if flt.unfiltered:
        return Facets({n: _stored_facet(conn, n, limit) for n in names})
    if not flt.match:
        try:
            with deadline(conn, budget):
                return Facets({n: _facet(conn, n, flt.where, flt.params, limit) for n in names})
        except sqlite3.OperationalError:
            pass
    if flt.match:
        source, where, params = _text_from(conn, flt)
        sql = f"SELECT claims.rowid FROM {source} WHERE {where} ORDER BY claims_fts.rowid LIMIT ?"
    else:
        sql, params = f"SELECT claims.rowid FROM claims WHERE {flt.where} ORDER BY claims.rowid LIMIT ?", list(flt.params)
    ids = [r["rowid"] for r in conn.execute(sql, [*params, SAMPLE_ROWS + 1])]
    sampled = len(ids) > SAMPLE_ROWS
    within = "claims.rowid IN (SELECT value FROM json_each(?))"
    import json

    arg = [json.dumps(ids[:SAMPLE_ROWS])]
    return Facets({n: _facet(conn, n, within, arg, limit) for n in names}, sampled=SAMPLE_ROWS if sampled else None)


def _stored_facet(conn: sqlite3.Connection, name: str, limit: int) -> tuple[list[FacetValue], bool]:
    """Facets of the whole corpus, from the counts kept at build time."""
    from .answers import FacetValue

    if name == "source":
        rows = conn.execute(
            "SELECT id AS value, coalesce(publisher, title) AS label, claim_count AS n FROM sources "
            "ORDER BY claim_count DESC, id LIMIT ?",
            (limit + 1,),
        ).fetchall()
    elif name == "topic":
        rows = conn.execute(
            "SELECT id AS value, label, claim_count AS n FROM topics WHERE claim_count > 0 ORDER BY claim_count DESC, id LIMIT ?",
            (limit + 1,),
        ).fetchall()
    elif name == "entity":
        rows = conn.execute(
            "SELECT id AS value, name AS label, claim_count AS n FROM entities WHERE claim_count > 0 "
            "ORDER BY claim_count DESC, id LIMIT ?",
            (limit + 1,),
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT value, coalesce(value, '(none)') AS label, n FROM facet_counts WHERE facet = ? AND n > 0 "
            "ORDER BY n DESC, value LIMIT ?",
            (name, limit + 1),
        ).fetchall()
    return [FacetValue(r["value"], r["label"], r["n"]) for r in rows[:limit]], len(rows) > limit


# --- sorting the whole result (the explorer's `[` and `]`) --------------------------------
#
# A sort is one ORDER BY over the whole filter, read a page at a time with LIMIT/OFFSET,
# never a sort of the rows already fetched. Every key but the claim's text orders by a
# column of `claims` that has its own index (entity, topic, source, period, status,
# value_low / value_high), with the rowid as the tie-break, so that SQLite can walk the
# index and stop after one page where the filter allows; the summary has no index, so a
# sort by it is a sort of the filter's matches (bounded by the filter, not by the page).

SORT_KEYS: dict[str, tuple[str, str]] = {
    # key -> (ascending ORDER BY, descending ORDER BY); identifiers only, never user text
    "entity": ("claims.entity, claims.rowid", "claims.entity DESC, claims.rowid DESC"),
    "topic": ("claims.topic, claims.rowid", "claims.topic DESC, claims.rowid DESC"),
    "summary": ("claims.summary COLLATE NOCASE, claims.rowid", "claims.summary COLLATE NOCASE DESC, claims.rowid DESC"),
    "value": ("claims.value_low, claims.rowid", "claims.value_high DESC, claims.rowid DESC"),
    "period": ("claims.period, claims.rowid", "claims.period DESC, claims.rowid DESC"),
    "status": ("claims.status, claims.rowid", "claims.status DESC, claims.rowid DESC"),
    "source": ("claims.source, claims.rowid", "claims.source DESC, claims.rowid DESC"),
}


def sorted_page(
    conn: sqlite3.Connection, flt: Filter, sort: tuple[str, bool] | None, offset: int = 0, limit: int = 100
) -> list[sqlite3.Row]:
    """One page of the filter's claims ordered by `sort` = (key of SORT_KEYS, descending)
    over the whole result; store order (db.page) when sort is None."""
    if sort is None:
        return page(conn, flt, offset, limit)
    key, descending = sort
    order = SORT_KEYS[key][1 if descending else 0]
    sql = f"SELECT {CLAIM_COLUMNS} FROM claims {CLAIM_JOINS} WHERE {flt.where} ORDER BY {order} LIMIT ? OFFSET ?"
    return conn.execute(sql, [*flt.params, limit, offset]).fetchall()


def claim_ids(conn: sqlite3.Connection, flt: Filter, limit: int) -> list[str]:
    """The ids of at most `limit` claims of a filter (what `a` selects), read through the
    filter's indexes in whatever order they give: a selection is a set."""
    sql = f"SELECT claims.id AS id FROM claims WHERE {flt.where} LIMIT ?"
    return [str(r["id"]) for r in conn.execute(sql, [*flt.params, limit])]


# --- the frequency of a column (the explorer's F, VisiData's Shift+F) -------------------------

FREQUENCY_COLUMNS = ("source", "entity", "topic", "status", "period", "flag", "value")


def frequency(conn: sqlite3.Connection, flt: Filter, column: str, limit: int = 1_000) -> tuple[list[Frequency], bool]:
    """How many of the filter's claims have each value of `column` (one of
    FREQUENCY_COLUMNS), most first, counted by the store; (lines, more lines exist). For
    "value", claims are counted by their figure (the same low, high, unit and bound);
    claims without a figure are left out."""
    from .answers import Frequency

    if column == "value":
        sql = (
            "SELECT value_low, value_high, unit, bound, count(*) AS n FROM claims "
            f"WHERE ({flt.where}) AND claims.value_low IS NOT NULL "
            "GROUP BY value_low, value_high, unit, bound ORDER BY n DESC, unit, value_low, value_high LIMIT ?"
        )
        rows = conn.execute(sql, [*flt.params, limit + 1]).fetchall()
        out = [
            Frequency(None, format_value(r[0], r[1], r[2], r[3]), r["n"], r[0], r[1] if r[1] is not None else r[0], r[2])
            for r in rows[:limit]
        ]
        return out, len(rows) > limit
    if column not in FACETS:
        raise ValueError(f"no frequency of {column!r}")
    values, more = _facet(conn, column, flt.where, list(flt.params), limit)
    return [Frequency(v.value, v.label, v.count) for v in values], more


def count_among(conn: sqlite3.Connection, flt: Filter, ids: list[str]) -> int:
    """How many of the claims `ids` the filter keeps (the selection the filter hides is the rest)."""
    import json

    sql = f"SELECT count(*) FROM claims WHERE claims.id IN (SELECT value FROM json_each(?)) AND ({flt.where})"
    return int(conn.execute(sql, [json.dumps(ids), *flt.params]).fetchone()[0])


def source_claims(
    conn: sqlite3.Connection, source_id: str, entity_id: str | None = None, limit: int = 2_000
) -> list[sqlite3.Row]:
    """The claims of one source (about one entity, if given), in store order: the reader
    view's n / N, the sources screen's list."""
    if entity_id is None:
        return _claim_page(conn, "claims.source = ?", [source_id], 0, limit)
    return _claim_page(conn, "claims.source = ? AND claims.entity = ?", [source_id, entity_id], 0, limit)


def quantity_families(conn: sqlite3.Connection, flt: Filter, limit: int) -> list[tuple[str, str, str | None]]:
    """The quantities (entity, metric, unit) of a filter's numeric claims, at most `limit`:
    what `pivot figure` draws."""
    rows = conn.execute(
        f"SELECT DISTINCT claims.qentity AS qentity, claims.metric AS metric, claims.unit AS unit FROM claims "
        f"WHERE ({flt.where}) AND claims.value_low IS NOT NULL AND claims.metric IS NOT NULL LIMIT ?",
        [*flt.params, limit],
    ).fetchall()
    return [(r["qentity"], r["metric"], r["unit"]) for r in rows]


def completions(conn: sqlite3.Connection, key: str, prefix: str, limit: int = 20) -> list[str]:
    """Values the query bar can complete `key:prefix` with, from the store: entity ids and
    names (company:, entity:), source ids and publishers, topic ids, metrics, periods, units."""
    like = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if key in ("company", "entity"):
        sql = (
            "SELECT v FROM (SELECT id AS v, claim_count AS n FROM entities WHERE lower(id) LIKE ? ESCAPE '\\' "
            "UNION SELECT name, claim_count FROM entities WHERE lower(name) LIKE ? ESCAPE '\\') ORDER BY n DESC, v LIMIT ?"
        )
        args: list[Any] = [like, like, limit]
    elif key == "source":
        sql = (
            "SELECT v FROM (SELECT id AS v, claim_count AS n FROM sources WHERE lower(id) LIKE ? ESCAPE '\\' "
            "UNION SELECT publisher, claim_count FROM sources WHERE publisher IS NOT NULL AND lower(publisher) LIKE ? ESCAPE '\\') "
            "ORDER BY n DESC, v LIMIT ?"
        )
        args = [like, like, limit]
    elif key == "topic":
        sql, args = "SELECT id AS v FROM topics WHERE lower(id) LIKE ? ESCAPE '\\' ORDER BY \"order\", id LIMIT ?", [like, limit]
    elif key in ("metric", "period", "unit"):
        # a range over the column's index (these are stored as written: metrics and periods
        # in lower case and digits); the caller holds this to a time budget
        sql = f"SELECT DISTINCT claims.{key} AS v FROM claims WHERE claims.{key} >= ? AND claims.{key} < ? ORDER BY 1 LIMIT ?"
        args = [prefix, prefix + "\U0010ffff", limit]
    else:
        return []
    return [str(r["v"]) for r in conn.execute(sql, args) if r["v"]]
