"""The disputes report: every quantity more than one source states, each source's figure,
and how the figures relate (the agreement model), strongest disagreements first.

`pivot disputes [QUERY]` prints it as GitHub-flavoured Markdown, a table or JSON; a
quantity is the same entity (an event counts as its company), metric and unit, over
every period the sources give.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from . import db
from .agreement import STRENGTH, Relation, RowLike, figure_of_record, relation

PER_QUANTITY = 60  # claims read per quantity (a quantity stated by more is marked "+ N more")
MAX_QUANTITIES = 500
STATEMENTS_READ = 200  # statements on the subject looked at for the sources without a figure


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
    related: list[sqlite3.Row] = field(default_factory=list)  # other measures of the subject
    total: int = 0  # claims of the quantity, read or not
    statements: list[sqlite3.Row] = field(default_factory=list)  # one each from the sources without a figure

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
        "AND claims.value_low IS NOT NULL AND claims.metric IS NOT NULL LIMIT ?",
        [*flt.params, limit * 4],
    ).fetchall()
    out: list[Quantity] = []
    for qe, metric, unit in families:
        n_sources, total = conn.execute(
            "SELECT count(DISTINCT source), count(*) FROM claims WHERE qentity = ? AND metric = ? AND qunit IS ? "
            "AND value_low IS NOT NULL",
            (qe, metric, unit),
        ).fetchone()
        if n_sources < 2:
            continue
        rows = conn.execute(
            f"SELECT {db.CLAIM_COLUMNS} FROM claims {db.CLAIM_JOINS} WHERE claims.qentity = ? AND claims.metric = ? "
            "AND claims.qunit IS ? AND claims.value_low IS NOT NULL ORDER BY claims.qperiod IS NULL, claims.qperiod, "
            "claims.rowid LIMIT ?",
            (qe, metric, unit, PER_QUANTITY),
        ).fetchall()
        figures = [figure_of_record(r) for r in rows]
        lines = []
        for r, f in zip(rows, figures, strict=True):
            best: tuple[Relation, str] | None = None
            for g in figures:
                rel = relation(f, g)
                if rel is not None and (best is None or STRENGTH[rel.kind] < STRENGTH[best[0].kind]):
                    best = (rel, g.id)
            lines.append(Line(r, best[0] if best else None, best[1] if best else None))
        topics = {r["topic"] for r in rows}
        related = conn.execute(
            f"SELECT {db.CLAIM_COLUMNS} FROM claims {db.CLAIM_JOINS} WHERE claims.qentity = ? AND claims.topic IN "
            f"({', '.join('?' * len(topics))}) AND claims.value_low IS NOT NULL AND claims.metric != ? "
            "ORDER BY claims.rowid LIMIT ?",
            (qe, *sorted(topics), metric, PER_QUANTITY),
        ).fetchall()
        # what the sources without a figure say on the subject (one statement each)
        statements = conn.execute(
            f"SELECT {db.CLAIM_COLUMNS} FROM claims {db.CLAIM_JOINS} WHERE claims.qentity = ? AND claims.topic IN "
            f"({', '.join('?' * len(topics))}) AND claims.value_low IS NULL ORDER BY claims.rowid LIMIT ?",
            (qe, *sorted(topics), STATEMENTS_READ),
        ).fetchall()
        with_figures = {r["source"] for r in rows} | {r["source"] for r in related}
        others: dict[str, sqlite3.Row] = {}
        for r in statements:
            if r["source"] not in with_figures:
                others.setdefault(r["source"], r)
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
                list(others.values()),
            )
        )
        if len(out) >= limit:
            break
    out.sort(key=lambda q: (STRENGTH.get(q.strongest, 9), -q.sources, q.entity_name.lower(), q.metric))
    return out


def source_label(row: RowLike, width: int = 40) -> str:
    """The publisher, else the title cut to `width` characters."""
    text = str(row["publisher"] or row["source_title"] or row["source"])
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
