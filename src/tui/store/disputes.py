"""The disputes report: every quantity more than one source states, each source's figure,
and how the figures relate (the agreement model), strongest disagreements first; then
every proposition sources take positions on, for and against.

`pivot disputes [QUERY]` prints it as GitHub-flavoured Markdown, a table or JSON; a
quantity is the same entity (an event counts as its company), metric and unit, over
every period the sources give. Only reviewed claims are in it: a draft changes nothing
until it is reviewed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from . import db
from .agreement import STRENGTH, Figure, Relation, RowLike, family_strengths, figure_of_record, relation

PER_QUANTITY = 60  # claims read per quantity (a quantity stated by more is marked "+ N more")
MAX_QUANTITIES = 500
STATEMENTS_READ = 200  # statements on the subject looked at for the sources without a figure
# what the report shows of the other measures of a subject and of the statements of the
# sources without a figure (the claims' own columns: no join)
AROUND_COLUMNS = (
    "claims.rowid AS rowid, claims.id, claims.source, claims.summary, claims.metric, claims.period, "
    "claims.value_low, claims.value_high, claims.unit, claims.bound"
)


@dataclass
class Line:
    row: sqlite3.Row
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


def quantities(conn: sqlite3.Connection, flt: db.Filter, limit: int = MAX_QUANTITIES) -> list[Quantity]:
    """Quantities touched by the filter that more than one source states, strongest first."""
    families = conn.execute(
        f"SELECT DISTINCT claims.qentity, claims.metric, claims.qunit FROM claims WHERE ({flt.where}) "
        "AND claims.value_low IS NOT NULL AND claims.metric IS NOT NULL AND claims.draft = 0 LIMIT ?",
        [*flt.params, limit * 4],
    ).fetchall()
    out: list[Quantity] = []
    said: dict[tuple[str, ...], list[sqlite3.Row]] = {}
    read: dict[int, sqlite3.Row] = {}  # claims rows by rowid, read once
    for qe, metric, unit in families:
        n_sources, total = conn.execute(
            "SELECT count(DISTINCT source), count(*) FROM claims WHERE qentity = ? AND metric = ? AND qunit IS ? "
            "AND value_low IS NOT NULL AND draft = 0",
            (qe, metric, unit),
        ).fetchone()
        if n_sources < 2:
            continue
        rows = conn.execute(
            f"SELECT {db.CLAIM_COLUMNS} FROM claims {db.CLAIM_JOINS} WHERE claims.qentity = ? AND claims.metric = ? "
            "AND claims.qunit IS ? AND claims.value_low IS NOT NULL AND claims.draft = 0 "
            "ORDER BY coalesce(claims.qperiod, claims.presumed_period) IS NULL, coalesce(claims.qperiod, claims.presumed_period), "
            "claims.source_date IS NULL, claims.source_date, claims.rowid LIMIT ?",
            (qe, metric, unit, PER_QUANTITY),
        ).fetchall()
        figures = [figure_of_record(r) for r in rows]
        lines = [Line(r, rel, other) for r, (rel, other) in zip(rows, strongest_relations(figures), strict=True)]
        topics = {r["topic"] for r in rows}
        # the other measures of the subject, and what the sources without a figure say on it (their
        # rowids first, then each claim read once however many quantities share it). `+value_low`
        # keeps SQLite on the (qentity, topic) index (on value_low's it reads every statement of
        # the corpus)
        subject = (qe, *sorted(topics))
        marks = ", ".join("?" * len(topics))
        related = conn.execute(
            f"SELECT {AROUND_COLUMNS} FROM claims WHERE claims.qentity = ? AND claims.topic IN ({marks}) "
            "AND +claims.value_low IS NOT NULL AND claims.metric != ? AND claims.draft = 0 ORDER BY claims.rowid LIMIT ?",
            (*subject, metric, PER_QUANTITY),
        ).fetchall()
        statements = said.get(subject)
        if statements is None:
            statements = said[subject] = conn.execute(
                f"SELECT claims.rowid, claims.source FROM claims WHERE claims.qentity = ? AND claims.topic IN ({marks}) "
                "AND +claims.value_low IS NULL AND claims.draft = 0 ORDER BY claims.rowid LIMIT ?",
                (*subject, STATEMENTS_READ),
            ).fetchall()
        with_figures = {r["source"] for r in rows} | {r["source"] for r in related}
        first: dict[str, int] = {}
        for rowid, src in statements:
            if src not in with_figures:
                first.setdefault(src, rowid)
        others = _rows_by_rowid(conn, list(first.values()), read)
        name = conn.execute("SELECT name FROM entities WHERE id = ?", (qe,)).fetchone()
        out.append(
            Quantity(
                qe,
                name[0] if name else qe,
                metric,
                rows[0]["unit"] if rows else unit,
                rows[0]["topic_label"] if rows else "",
                lines,
                related,
                total,
                others,
            )
        )
        if len(out) >= limit:
            break
    out.sort(key=lambda q: (STRENGTH.get(q.strongest, 9), -q.sources, q.entity_name.lower(), q.metric))
    return out


def _rows_by_rowid(conn: sqlite3.Connection, rowids: list[int], read: dict[int, sqlite3.Row]) -> list[sqlite3.Row]:
    """The claims of these rowids (AROUND_COLUMNS), in the order given; those not in `read`
    are read (and kept there)."""
    missing = [i for i in rowids if i not in read]
    for at in range(0, len(missing), 500):
        part = missing[at : at + 500]
        for r in conn.execute(f"SELECT {AROUND_COLUMNS} FROM claims WHERE claims.rowid IN ({', '.join('?' * len(part))})", part):
            read[r["rowid"]] = r
    return [read[i] for i in rowids]


def strongest_relations(figures: list[Figure]) -> list[tuple[Relation | None, str | None]]:
    """Each figure's strongest relation to another of the list, and the id of that other (the
    first in list order of the strongest kind). The kinds are decided for each pair once (a
    relation's kind is symmetric), and a reason is worded only for each figure's winner."""
    none = len(STRENGTH)  # weaker than any relation: no relation
    out: list[tuple[Relation | None, str | None]] = []
    for f, row in zip(figures, family_strengths(figures), strict=True):
        strengths = [none if k is None else k for k in row]
        strongest = min(strengths, default=none)
        if strongest == none:
            out.append((None, None))
        else:
            other = figures[strengths.index(strongest)]  # the first of the strongest kind
            out.append((relation(f, other), other.id))
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
