"""The disputes report: every quantity more than one source states, each source's figure,
and how the figures relate (the agreement model), strongest disagreements first; then
every proposition sources take positions on, for and against.

`pivot disputes [QUERY]` prints it as GitHub-flavoured Markdown, a table or JSON; a
quantity is the same entity (an event counts as its company), metric and unit, over
every period the sources give. Only reviewed claims are in it: a draft changes nothing
until it is reviewed.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from . import db
from .agreement import (
    RELATIONS,
    STRENGTH,
    Figure,
    Relation,
    RowLike,
    family_strongest,
    figure_of_record,
    figure_relation,
    relation,
)

PER_QUANTITY = 60  # claims read per quantity (a quantity stated by more is marked "+ N more")
MAX_QUANTITIES = 500
STATEMENTS_READ = 200  # statements on the subject looked at for the sources without a figure
# what the report shows of the other measures of a subject and of the statements of the
# sources without a figure (the claims' own columns: no join)
# what the Markdown report and the table show of a figure and the agreement model reads of
# it (a JSON report carries every column of db.CLAIM_COLUMNS): fewer columns, quicker rows,
# and the claims alone: a topic's label and a source's publisher and flags are looked up once
# each (joined, they were a third of the read)
# (a quantity's entity, metric and unit are its own, and none of its figures is a draft: not read)
SHOWN_COLUMNS = """
  claims.rowid AS rowid, claims.id, claims.source, claims.topic, claims.value_low, claims.value_high,
  claims.unit, claims.bound, claims.period, claims.status, claims.qperiod,
  claims.presumed_period, claims.source_date, claims.date_as_of, claims.source_label, claims.stances, claims.source_title
"""
T = TypeVar("T", tuple[int, str], tuple[int, str, str])  # a claim's rowid first
Row = dict[str, Any]  # a claim's columns by name (CLAIM_COLUMNS, or AROUND_COLUMNS)
AROUND_COLUMNS = (
    "claims.rowid AS rowid, claims.id, claims.source, claims.summary, claims.metric, claims.period, "
    "claims.value_low, claims.value_high, claims.unit, claims.bound"
)


@dataclass
class Line:
    row: Row
    relation: Relation | None  # its strongest relation to another source's figure here
    other: str | None = None  # the claim it relates to most strongly


@dataclass
class Quantity:
    entity: str  # the quantity entity
    entity_name: str
    metric: str
    unit: str | None
    topic_label: str
    lines: list[Line]
    related: list[sqlite3.Row] = field(default_factory=list)  # other measures of the subject (AROUND_COLUMNS)
    total: int = 0  # claims of the quantity, read or not
    statements: list[sqlite3.Row] = field(default_factory=list)  # one each from the sources without a figure (AROUND_COLUMNS)

    @property
    def strongest(self) -> str:
        kinds = [line.relation.kind for line in self.lines if line.relation]
        return min(kinds, key=lambda k: STRENGTH[k]) if kinds else "related"

    @property
    def sources(self) -> int:
        return len({line.row["source"] for line in self.lines})


def quantities(
    conn: sqlite3.Connection, flt: db.Filter, limit: int = MAX_QUANTITIES, *, shown_only: bool = False
) -> list[Quantity]:
    """Quantities touched by the filter that more than one source states, strongest first.
    Each figure's row holds every column of db.CLAIM_COLUMNS, or only SHOWN_COLUMNS."""
    columns, joins = (SHOWN_COLUMNS, "") if shown_only else (db.CLAIM_COLUMNS, db.CLAIM_JOINS)
    families = conn.execute(
        f"SELECT DISTINCT claims.qentity, claims.metric, claims.qunit FROM claims WHERE ({flt.where}) "
        "AND claims.value_low IS NOT NULL AND claims.metric IS NOT NULL AND claims.draft = 0 LIMIT ?",
        [*flt.params, limit * 4],
    ).fetchall()
    found = []  # (entity, metric, unit, claims of the quantity, its first rows)
    plain = conn.cursor()  # rows as plain tuples, made mappings once (a sqlite3.Row finds a name column by column)
    plain.row_factory = None
    for qe, metric, unit in families:
        known = {"qentity": qe, "metric": metric, "qunit": unit, "draft": 0} if shown_only else {}
        rows = _mappings(
            plain.execute(
                f"SELECT {columns} FROM claims {joins} WHERE claims.qentity = ? AND claims.metric = ? "
                "AND claims.qunit IS ? AND claims.value_low IS NOT NULL AND claims.draft = 0 "
                "ORDER BY coalesce(claims.qperiod, claims.presumed_period) IS NULL, coalesce(claims.qperiod, claims.presumed_period), "
                "claims.source_date IS NULL, claims.source_date, claims.rowid LIMIT ?",
                (qe, metric, unit, PER_QUANTITY),
            ),
            known,
        )
        if len(rows) < PER_QUANTITY:  # every figure of the quantity: nothing more to count
            n_sources, total = len({r["source"] for r in rows}), len(rows)
        else:
            n_sources, total = conn.execute(
                "SELECT count(DISTINCT source), count(*) FROM claims WHERE qentity = ? AND metric = ? AND qunit IS ? "
                "AND value_low IS NOT NULL AND draft = 0",
                (qe, metric, unit),
            ).fetchone()
        if n_sources < 2:
            continue
        found.append((qe, metric, unit, total, rows))
        if len(found) >= limit:
            break
    if shown_only:
        _shown_lookups(conn, [r for *_, rows in found for r in rows])
    subjects = [(qe, sorted({r["topic"] for r in rows})) for qe, _, _, _, rows in found]
    around = Around(conn, {(qe, topic) for qe, topics in subjects for topic in topics})
    related_of, others_of = [], []
    for (_, metric, _, _, rows), (qe, topics) in zip(found, subjects, strict=True):
        measures = around.measures(qe, topics, metric)
        with_figures = {r["source"] for r in rows} | {src for _, src in measures}
        first: dict[str, int] = {}
        for rowid, src in around.statements(qe, topics):
            if src not in with_figures:
                first.setdefault(src, rowid)
        related_of.append([rowid for rowid, _ in measures])
        others_of.append(list(first.values()))
    read = around.rows([*(i for rowids in related_of for i in rowids), *(i for rowids in others_of for i in rowids)])
    names = dict(
        conn.execute(
            "SELECT id, name FROM entities WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted({qe for qe, *_ in found})),),
        ).fetchall()
    )
    out: list[Quantity] = []
    for (qe, metric, unit, total, rows), related, others in zip(found, related_of, others_of, strict=True):
        figures = [figure_of_record(r) for r in rows]
        lines = [Line(r, rel, other) for r, (rel, other) in zip(rows, strongest_relations(figures), strict=True)]
        out.append(
            Quantity(
                qe,
                names.get(qe, qe),
                metric,
                rows[0]["unit"] if rows else unit,
                rows[0]["topic_label"] if rows else "",
                lines,
                [read[i] for i in related],
                total,
                [read[i] for i in others],
            )
        )
    out.sort(key=lambda q: (STRENGTH.get(q.strongest, 9), -q.sources, q.entity_name.lower(), q.metric))
    return out


BULK = 20_000  # grid rows read at once for every subject of a report (9,405 at 10k); past that, each subject is read bounded


class Around:
    """What surrounds the quantities of one report: the claims of each (entity, topic) a
    quantity's figures are on, in store order, as its measures and its statements (claims
    without a figure); a quantity's subject is its entity and the topics of its figures, whose
    claims are merged in store order. Read at once for all the subjects when they hold no more
    than BULK claims; else (a large store) the first few of each subject, by a query each."""

    def __init__(self, conn: sqlite3.Connection, pairs: set[tuple[str, str]]) -> None:
        self.conn = conn
        self.said: dict[tuple[str, ...], list[tuple[int, str]]] = {}  # a subject's first statements (bounded reads)
        listed = sorted(pairs)
        measures: list[list[tuple[int, str, str]]] = [[] for _ in listed]  # (rowid, metric, source)
        statements: list[list[tuple[int, str]]] = [[] for _ in listed]  # (rowid, source)
        # the covering index of the grid (`+value_low` keeps SQLite on it): no row of the table
        # read; in the index's order (no sort of every row before the LIMIT), each pair sorted after
        plain = conn.cursor()
        plain.row_factory = None
        grid = plain.execute(
            "WITH p AS (SELECT key, value ->> 0 AS qe, value ->> 1 AS topic FROM json_each(?)) "
            "SELECT p.key, claims.rowid, claims.metric, claims.source, +claims.value_low IS NULL "
            "FROM p CROSS JOIN claims WHERE claims.qentity = p.qe AND claims.topic = p.topic AND claims.draft = 0 "
            "AND (+claims.value_low IS NULL OR claims.metric IS NOT NULL) LIMIT ?",
            (json.dumps(listed), BULK + 1),
        ).fetchall()
        self.whole = len(grid) <= BULK
        if self.whole:
            for at, rowid, metric, src, stated in grid:
                if stated:
                    statements[at].append((rowid, src))
                else:
                    measures[at].append((rowid, metric, src))
            for m in measures:
                m.sort()
            for st in statements:
                st.sort()
        del grid
        self.measures_of = dict(zip(listed, measures, strict=True))
        self.statements_of = dict(zip(listed, statements, strict=True))

    def measures(self, qe: str, topics: list[str], metric: str) -> list[tuple[int, str]]:
        """The first PER_QUANTITY other measures of the subject: (rowid, source), in store order."""
        if not self.whole:
            return self._bounded(
                f"claims.topic IN ({', '.join('?' * len(topics))}) AND +claims.value_low IS NOT NULL AND claims.metric != ?",
                (qe, *topics, metric, PER_QUANTITY),
            )
        runs = [(m for m in self.measures_of.get((qe, t), ()) if m[1] != metric) for t in topics]
        return [(i, src) for i, _, src in _first(runs, PER_QUANTITY)]

    def statements(self, qe: str, topics: list[str]) -> list[tuple[int, str]]:
        """The first STATEMENTS_READ statements of the subject: (rowid, source), in store order."""
        if not self.whole:
            subject = (qe, *topics)
            if subject not in self.said:
                self.said[subject] = self._bounded(
                    f"claims.topic IN ({', '.join('?' * len(topics))}) AND +claims.value_low IS NULL",
                    (*subject, STATEMENTS_READ),
                )
            return self.said[subject]
        return _first([iter(self.statements_of.get((qe, t), ())) for t in topics], STATEMENTS_READ)

    def _bounded(self, where: str, params: tuple[str | int, ...]) -> list[tuple[int, str]]:
        """The first claims of an entity matching `where`, (rowid, source) in store order: on the
        (qentity, topic) index, in rowid order, SQLite stops at the LIMIT."""
        return [
            (rowid, src)
            for rowid, src in self.conn.execute(
                f"SELECT claims.rowid, claims.source FROM claims WHERE claims.qentity = ? AND {where} "
                "AND claims.draft = 0 ORDER BY claims.rowid LIMIT ?",
                params,
            )
        ]

    def rows(self, rowids: list[int]) -> dict[int, sqlite3.Row]:
        """The claims of these rowids (AROUND_COLUMNS), by rowid, each read once."""
        if not rowids:
            return {}
        return {
            r["rowid"]: r
            for r in self.conn.execute(
                f"SELECT {AROUND_COLUMNS} FROM claims WHERE claims.rowid IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(set(rowids))),),
            )
        }


def _first(runs: Sequence[Iterator[T]], n: int) -> list[T]:
    """The first n of runs each in store order (their rowids first), in store order: the first
    n of each run, sorted together."""
    firsts = [list(itertools.islice(run, n)) for run in runs]
    if len(firsts) == 1:
        return firsts[0]
    return sorted(itertools.chain.from_iterable(firsts))[:n]


def _shown_lookups(conn: sqlite3.Connection, rows: list[Row]) -> None:
    """Each row's topic label and its source's publisher and flags (what SHOWN_COLUMNS leaves
    to a lookup), as db.CLAIM_COLUMNS names them."""
    labels = dict(conn.execute("SELECT id, label FROM topics").fetchall())
    about = {
        sid: (publisher, flags)
        for sid, publisher, flags in conn.execute(
            "SELECT id, publisher, flags FROM sources WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted({r["source"] for r in rows})),),
        )
    }
    for r in rows:
        r["topic_label"] = labels[r["topic"]]
        r["publisher"], r["source_flags_json"] = about[r["source"]]


def _mappings(cursor: sqlite3.Cursor, known: dict[str, Any]) -> list[Row]:
    """A cursor's rows (plain tuples) as dicts by column name, with the columns `known` for each."""
    names = (*(d[0] for d in cursor.description), *known)
    also = tuple(known.values())
    return [dict(zip(names, r + also, strict=True)) for r in cursor]


def strongest_relations(figures: list[Figure]) -> list[tuple[Relation | None, str | None]]:
    """Each figure's strongest relation to another of the list, and the id of that other (the
    first in list order of the strongest kind). The kinds are decided for each pair once (a
    relation's kind is symmetric), and a reason is worded only for each figure's winner: as
    `relation` words it, whose kind is the one decided unless both take positions."""
    out: list[tuple[Relation | None, str | None]] = []
    for f, strongest in zip(figures, family_strongest(figures), strict=True):
        if strongest is None:
            out.append((None, None))
            continue
        other = figures[strongest[1]]  # the first of the strongest kind
        if f.stances and other.stances:  # a common proposition: a position's relation, or its reason
            out.append((relation(f, other), other.id))
        else:
            out.append((figure_relation(RELATIONS[strongest[0]], f, other), other.id))
    return out


@dataclass
class Position:
    row: sqlite3.Row
    position: str  # for / against


@dataclass
class Proposition:
    """A proposition sources take positions on, and every reviewed claim taking one."""

    id: str
    text: str
    positions: list[Position]

    @property
    def strongest(self) -> str:
        """'opposes' when two sources take opposite positions, else 'agrees' (or 'related': one source)."""
        by = {p.position: {q.row["source"] for q in self.positions if q.position == p.position} for p in self.positions}
        if len(by) > 1 and len(set().union(*by.values())) > 1:
            return "opposes"
        return "agrees" if self.sources > 1 else "related"

    @property
    def sources(self) -> int:
        return len({p.row["source"] for p in self.positions})


def propositions(conn: sqlite3.Connection, flt: db.Filter, limit: int = MAX_QUANTITIES) -> list[Proposition]:
    """Propositions a claim of the filter takes a position on that more than one source
    speaks to, opposed ones first."""
    ids = [
        r[0]
        for r in conn.execute(
            f"SELECT DISTINCT stances.proposition FROM stances JOIN claims ON claims.id = stances.claim "
            f"WHERE ({flt.where}) AND claims.draft = 0 LIMIT ?",
            [*flt.params, limit],
        )
    ]
    out = []
    for pid in ids:
        text = conn.execute("SELECT text FROM propositions WHERE id = ?", (pid,)).fetchone()
        rows = conn.execute(
            f"SELECT {db.CLAIM_COLUMNS}, stances.position AS position FROM stances JOIN claims ON claims.id = stances.claim "
            f"{db.CLAIM_JOINS} WHERE stances.proposition = ? AND claims.draft = 0 "
            "ORDER BY stances.position DESC, claims.source_date IS NULL, claims.source_date, claims.rowid LIMIT ?",
            (pid, PER_QUANTITY),
        ).fetchall()
        p = Proposition(pid, text[0] if text else pid, [Position(r, r["position"]) for r in rows])
        if p.sources > 1:
            out.append(p)
    out.sort(key=lambda p: (STRENGTH.get(p.strongest, 9), -p.sources, p.id))
    return out


def source_label(row: RowLike, width: int = 40) -> str:
    """The publisher, else the title cut to `width` characters."""
    text = str(row["publisher"] or row["source_title"] or row["source"])
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
