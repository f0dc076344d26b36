"""Read-side queries over the store: pages of claims, counts, facets, details, comparisons.

Every function takes an open connection (see locate.open_readonly) and a
Compiled filter from tui.query; values always travel as parameters and the
only identifiers placed in SQL come from fixed tables in this module.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass



CLAIM_COLUMNS = """
  claims.rowid AS rowid, claims.id, claims.source, claims.entity, claims.topic, claims.summary,
  claims.quote, claims.metric, claims.value_low, claims.value_high, claims.unit, claims.bound,
  claims.period, claims.status, claims.speaker, claims.note, claims.conflict_count,
  claims.source_title, entities.name AS entity_name, entities.kind AS entity_kind,
  topics.label AS topic_label, topics."order" AS topic_order,
  sources.publisher, sources.published, sources.document, sources.flags AS source_flags_json,
  sources.kind AS source_kind, sources.author, sources.url
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


def claim_page(conn: sqlite3.Connection, where: str, params: list, offset: int = 0, limit: int = 100) -> list[sqlite3.Row]:
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


def all_claims(conn: sqlite3.Connection, where: str, params: list) -> list[sqlite3.Row]:
    return conn.execute(
        f"SELECT {CLAIM_COLUMNS} FROM claims {CLAIM_JOINS} WHERE {where} ORDER BY claims.rowid", params
    ).fetchall()


def count(conn: sqlite3.Connection, where: str, params: list, cap: int | None = COUNT_CAP) -> tuple[int, bool]:
    """(number of matching claims, True if it is only a lower bound because of the cap)."""
    if cap is None:
        return conn.execute(f"SELECT count(*) FROM claims WHERE {where}", params).fetchone()[0], False
    n = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM claims WHERE {where} LIMIT ?)", [*params, cap + 1]
    ).fetchone()[0]
    return (cap, True) if n > cap else (n, False)


@dataclass
class FacetValue:
    value: str | None
    label: str
    count: int


def facet(conn: sqlite3.Connection, name: str, where: str, params: list, limit: int = 12) -> tuple[list[FacetValue], bool]:
    """Datasette-style counts of one facet over the filtered claims; (values, more exist)."""
    if name == "flag":
        sql = (
            "SELECT source_flags.flag AS value, count(*) AS n FROM claims "
            "JOIN source_flags ON source_flags.source = claims.source "
            f"WHERE {where} GROUP BY source_flags.flag ORDER BY n DESC, value LIMIT ?"
        )
    else:
        column = FACETS[name]
        sql = (
            f"SELECT {column} AS value, count(*) AS n FROM claims WHERE {where} "
            f"GROUP BY {column} ORDER BY n DESC, value LIMIT ?"
        )
    rows = conn.execute(sql, [*params, limit + 1]).fetchall()
    labels = _labels(conn, name, [r["value"] for r in rows[:limit]])
    values = [FacetValue(r["value"], labels.get(r["value"], r["value"] or "(none)"), r["n"]) for r in rows[:limit]]
    return values, len(rows) > limit


def _labels(conn: sqlite3.Connection, name: str, values: list) -> dict:
    table = {"source": ("sources", "coalesce(publisher, title)"), "topic": ("topics", "label"), "entity": ("entities", "name")}.get(name)
    if not table or not values:
        return {}
    marks = ", ".join("?" * len(values))
    rows = conn.execute(f"SELECT id, {table[1]} FROM {table[0]} WHERE id IN ({marks})", values).fetchall()
    return {r[0]: r[1] for r in rows}


def entities(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, name, kind, parent, ticker, aliases, members, claim_count, conflict_count FROM entities "
        "ORDER BY CASE kind WHEN 'company' THEN 0 WHEN 'event' THEN 1 WHEN 'group' THEN 2 ELSE 3 END, "
        "claim_count DESC, name"
    ).fetchall()


def entity(conn: sqlite3.Connection, entity_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()


def topics(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute('SELECT id, label, "order", description, claim_count FROM topics ORDER BY "order", id').fetchall()


def sources(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, title, publisher, author, published, url, kind, document, flags, notes, claim_count, "
        "(SELECT count(*) FROM claims WHERE claims.source = sources.id AND claims.conflict_count > 0) AS conflict_count "
        "FROM sources ORDER BY coalesce(published, '9999') , title"
    ).fetchall()


def source(conn: sqlite3.Connection, source_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM sources WHERE id = ?", (source_id,)).fetchone()


def claim(conn: sqlite3.Connection, claim_id: str) -> sqlite3.Row | None:
    return conn.execute(f"SELECT {CLAIM_COLUMNS} FROM claims {CLAIM_JOINS} WHERE claims.id = ?", (claim_id,)).fetchone()


def conflicts_of(conn: sqlite3.Connection, claim_id: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT other FROM conflicts WHERE claim = ? ORDER BY other", (claim_id,))]


@dataclass
class Related:
    row: sqlite3.Row
    conflicts: bool  # disagrees with the claim in view (the store's definition)
    same_period: bool


def related(conn: sqlite3.Connection, row: sqlite3.Row, limit: int = 50) -> list[Related]:
    """What other sources say on the same entity and metric (numeric) or topic (qualitative)."""
    if row["metric"]:
        where, params = "claims.entity = ? AND claims.metric = ? AND claims.source != ?", [row["entity"], row["metric"], row["source"]]
    else:
        where, params = "claims.entity = ? AND claims.topic = ? AND claims.source != ?", [row["entity"], row["topic"], row["source"]]
    rows = conn.execute(
        f"SELECT {CLAIM_COLUMNS} FROM claims {CLAIM_JOINS} WHERE {where} ORDER BY claims.rowid LIMIT ?", [*params, limit]
    ).fetchall()
    disagreeing = set(conflicts_of(conn, row["id"]))
    return [Related(r, r["id"] in disagreeing, r["period"] == row["period"]) for r in rows]


def source_numbers(rows) -> dict[str, int]:
    """Sources numbered 1..n in the order they first appear in rows."""
    numbers: dict[str, int] = {}
    for r in rows:
        numbers.setdefault(r["source"], len(numbers) + 1)
    return numbers


def flags_of(row) -> list[str]:
    raw = row["source_flags_json"] if "source_flags_json" in row.keys() else row["flags"]
    try:
        return list(json.loads(raw or "[]"))
    except (TypeError, ValueError):
        return []


# --- comparison -----------------------------------------------------------------------

@dataclass
class Cell:
    claims: list[sqlite3.Row]
    disputed: bool  # two claims in this cell (or across the row) disagree


@dataclass
class Comparison:
    entities: list[sqlite3.Row]
    topics: list[sqlite3.Row]  # only topics with at least one claim
    cells: dict[tuple[str, str], Cell]  # (topic id, entity id) -> cell
    sources: dict[str, int]  # source id -> number
    source_labels: dict[str, str]  # source id -> publisher, else title


def compare(conn: sqlite3.Connection, entity_ids: list[str], topic_ids: list[str] | None = None, per_cell: int = 200) -> Comparison:
    ents = [e for e in (entity(conn, i) for i in entity_ids) if e is not None]
    all_topics = topics(conn)
    if topic_ids:
        all_topics = [t for t in all_topics if t["id"] in topic_ids]
    cells: dict[tuple[str, str], Cell] = {}
    rows_in_order: list[sqlite3.Row] = []
    for t in all_topics:
        for e in ents:
            rows = conn.execute(
                f"SELECT {CLAIM_COLUMNS} FROM claims {CLAIM_JOINS} WHERE claims.entity = ? AND claims.topic = ? "
                "ORDER BY claims.value_low IS NULL, claims.metric, claims.source, claims.rowid LIMIT ?",
                (e["id"], t["id"], per_cell),
            ).fetchall()
            if rows:
                ids = [r["id"] for r in rows]
                disputed = any(r["conflict_count"] for r in rows) and _dispute_within(conn, ids)
                cells[(t["id"], e["id"])] = Cell(rows, disputed)
    shown_topics = [t for t in all_topics if any((t["id"], e["id"]) in cells for e in ents)]
    for t in shown_topics:
        for e in ents:
            rows_in_order += cells.get((t["id"], e["id"]), Cell([], False)).claims
    labels = {r["source"]: r["publisher"] or r["source_title"] for r in rows_in_order}
    return Comparison(ents, shown_topics, cells, source_numbers(rows_in_order), labels)


def _dispute_within(conn: sqlite3.Connection, ids: list[str]) -> bool:
    marks = ", ".join("?" * len(ids))
    return conn.execute(
        f"SELECT 1 FROM conflicts WHERE claim IN ({marks}) AND other IN ({marks}) LIMIT 1", [*ids, *ids]
    ).fetchone() is not None



