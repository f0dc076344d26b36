"""A claim as the export writes it: the contract's fields, read from the store as plain
tuples (claims alone, no join: entity, topic and source fields come from small lookups).

ROW_COLUMNS is what every writer reads, in this order; `row_of` turns a sqlite3.Row of
db.CLAIM_COLUMNS (previews, the comparison, tests) into the same tuple.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from .. import db
from .relations import RelationLister

JSON_FIELDS = (
    "id",
    "entity",
    "entity_name",
    "entity_kind",
    "topic",
    "summary",
    "quote",
    "metric",
    "value",
    "value_low",
    "value_high",
    "unit",
    "bound",
    "period",
    "status",
    "speaker",
    "note",
    "source",
    "source_title",
    "publisher",
    "published",
    "document",
    "source_flags",
    "draft",
    "relation",
    "quantity_sources",
    "conflicts",
    "conflicts_total",
    "differs_from",
    "differs_total",
    "corroborated_by",
    "corroborated_total",
    "group_check",
)
LIST_FIELDS = ("conflicts", "differs_from", "corroborated_by")
# list field -> (the agreement model's relation, the stored count, the count field)
LISTS = (
    ("conflicts", "contradicts", "conflict_count", "conflicts_total"),
    ("differs_from", "differs", "differ_count", "differs_total"),
    ("corroborated_by", "agrees", "agree_count", "corroborated_total"),
)
CSV_FIELDS = [f for f in JSON_FIELDS if f != "value"]

# the columns of `claims` every writer reads, in this order (a tuple per claim)
ROW_COLUMNS = (
    "id",
    "entity",
    "topic",
    "summary",
    "quote",
    "metric",
    "value_low",
    "value_high",
    "unit",
    "bound",
    "period",
    "status",
    "speaker",
    "note",
    "source",
    "source_title",
    "draft",
    "relation",
    "quantity_sources",
    "conflict_count",
    "differ_count",
    "agree_count",
    "group_relation",
    "group_reason",
    "group_low",
    "group_high",
    "qentity",
    "qunit",
    "qperiod",
)
SELECT_ROW = ", ".join(f"claims.{c}" for c in ROW_COLUMNS)
Row = tuple[Any, ...]


def row_of(r: sqlite3.Row | Mapping[str, Any]) -> Row:
    """A sqlite3.Row of db.CLAIM_COLUMNS as a ROW_COLUMNS tuple."""
    return tuple(r[c] for c in ROW_COLUMNS)


def plain(x: Any) -> Any:
    """A stored number as the export writes it: 8000.0 is 8000."""
    if x is None:
        return None
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else x


class Lookups:
    """The entity, topic and source fields of claims, from the store's small tables:
    entities and topics read once, sources a batch at a time as claims name them."""

    SOURCES_HELD = 200_000  # sources held at once
    ASK_FIRST = 8  # batches whose sources are read batch by batch

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        cur = conn.cursor()
        cur.row_factory = None
        self.entities: dict[str, tuple[str, str]] = {
            r[0]: (r[1], r[2]) for r in cur.execute("SELECT id, name, kind FROM entities")
        }
        self.topics: dict[str, str] = {r[0]: r[1] for r in cur.execute("SELECT id, label FROM topics")}
        # source id -> (publisher, published, document, flags)
        self.sources: dict[str, tuple[Any, Any, Any, list[str]]] = {}
        # the stored flags (JSON text) -> one list for every source that has them: writers
        # may key their own caches on the list's id (these lists live as long as this)
        self.flags: dict[Any, list[str]] = {}
        self.asked = 0  # batches whose sources were read
        self.every = False  # every source is held

    def need(self, rows: Sequence[Row]) -> None:
        """Read the sources of `rows` not held yet: a query per batch for the first batches,
        then every source at once (an export that long is a large one)."""
        if self.every:
            return
        sources = self.sources
        missing = list({r[14] for r in rows if r[14] not in sources})
        if not missing:
            return
        self.asked += 1
        cur = self.conn.cursor()
        cur.row_factory = None
        if self.asked > self.ASK_FIRST and self.conn.execute("SELECT count(*) FROM sources").fetchone()[0] <= self.SOURCES_HELD:
            self.every = True
            found = cur.execute("SELECT id, publisher, published, document, flags FROM sources")
        else:
            if len(sources) + len(missing) > self.SOURCES_HELD:
                sources.clear()
                missing = list({r[14] for r in rows})
            sql = "SELECT id, publisher, published, document, flags FROM sources WHERE id IN (SELECT value FROM json_each(?))"
            found = cur.execute(sql, (json.dumps(missing),))
        flags = self.flags
        for sid, publisher, published, document, raw in found:
            got = flags.get(raw)
            if got is None:
                got = flags[raw] = db.parse_flags(raw)
            sources[sid] = (publisher, published, document, got)

    def about(self, row: Row) -> tuple[Any, ...]:
        """(entity name, entity kind, publisher, published, document, flags) of a claim."""
        return (*self.entities[row[1]], *self.sources[row[14]])


def record_values(row: Row, about: tuple[Any, ...], lists: tuple[Any, Any, Any]) -> list[Any]:
    """The JSON_FIELDS of one claim, in their order; `about` is (entity name, entity kind,
    publisher, published, document, flags). The writers' own loops are held to this by
    tests/test_export_fast.py."""
    (cid, entity, topic, summary, quote, metric, low, high, unit, bound, period, status, speaker, note, source,
     source_title, draft, relation, qsources, conflicts, differs, agrees, group_relation, group_reason, group_low,
     group_high, *_) = row  # fmt: skip
    name, kind, publisher, published, document, flags = about
    if low is None:
        value = None
    else:
        low, high = plain(low), plain(high)
        value = low if low == high else [low, high]
    numeric = low is not None and metric is not None
    group = None
    if group_relation:
        group = {
            "relation": group_relation,
            "reason": group_reason,
            "members_sum_low": plain(group_low),
            "members_sum_high": plain(group_high),
        }
    return [
        cid, entity, name, kind, topic, summary, quote, metric, value, low, high, unit, bound, period, status,
        speaker, note, source, source_title, publisher, published, document, list(flags), bool(draft), relation,
        qsources if low is not None else None,
        lists[0], conflicts if numeric else 0,
        lists[1], differs if numeric else 0,
        lists[2], agrees if numeric else 0,
        group,
    ]  # fmt: skip


def wants_lists(row: Row) -> bool:
    """Whether a claim has related claims to list (a figure some other source relates to)."""
    return row[6] is not None and row[5] is not None and bool(row[19] or row[20] or row[21])


def figure_key(row: Row) -> tuple[Any, ...]:
    """(qentity, metric, qunit, qperiod, value_low, value_high, bound): the figure a claim states."""
    return (row[26], row[5], row[27], row[28], row[6], row[7], row[9])


def claim_record(conn: sqlite3.Connection, row: sqlite3.Row, lists: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    """One claim (a sqlite3.Row of db.CLAIM_COLUMNS) as the contract's JSON object. `lists`
    (list field -> ids) is looked up here unless given."""
    if lists is None:
        lists = RelationLister(conn).lists([row])[0]
    about = (row["entity_name"], row["entity_kind"], row["publisher"], row["published"], row["document"], db.flags_of(row))
    values = record_values(row_of(row), about, (lists["conflicts"], lists["differs_from"], lists["corroborated_by"]))
    return dict(zip(JSON_FIELDS, values))
