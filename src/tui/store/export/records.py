"""A claim as the export writes it: the contract's fields, read from the store as plain
tuples (claims alone, no join: entity, topic and source fields come from small lookups).

ROW_COLUMNS is what every writer reads, in this order; `row_of` turns a sqlite3.Row of
db.CLAIM_COLUMNS (previews, the comparison, tests) into the same tuple.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from operator import attrgetter
from typing import Any

from .. import db
from ..agreement import Figure, parse_stances
from .relations import LISTED_IDS, RelationLister

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
    "period_presumed",
    "status",
    "speaker",
    "note",
    "stance",
    "source",
    "source_title",
    "publisher",
    "published",
    "as_of",
    "document",
    "source_flags",
    "draft",
    "relation",
    "quantity_sources",
    "conflicts",
    "conflicts_total",
    "at_odds_with",
    "at_odds_total",
    "opposed_by",
    "opposed_total",
    "revisions",
    "revisions_total",
    "differs_from",
    "differs_total",
    "corroborated_by",
    "corroborated_total",
    "group_check",
)
LIST_FIELDS = ("conflicts", "at_odds_with", "opposed_by", "revisions", "differs_from", "corroborated_by")
# list field -> (the lister's lists it holds, the stored counts, the count field). `conflicts`
# is every claim in conflict with this one (is:conflict): its figure contradicted or at odds,
# its position opposed; `at_odds_with` and `opposed_by` say which of them are which.
# `corroborated_by` holds the same figure and the same position.
LISTS = (
    ("conflicts", ("contradicted_by", "at_odds_with", "opposed_by"), ("conflict_count", "odds_count", "oppose_count"),
     "conflicts_total"),
    ("at_odds_with", ("at_odds_with",), ("odds_count",), "at_odds_total"),
    ("opposed_by", ("opposed_by",), ("oppose_count",), "opposed_total"),
    ("revisions", ("revisions",), ("revise_count",), "revisions_total"),
    ("differs_from", ("differs_from",), ("differ_count",), "differs_total"),
    ("corroborated_by", ("corroborated_by", "concurs_with"), ("agree_count", "concur_count"), "corroborated_total"),
)  # fmt: skip
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
    "standing",  # the claim's one summary, written as `relation`
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
    "odds_count",
    "revise_count",
    "presumed_period",
    "source_date",
    "date_as_of",
    "stances",
    "oppose_count",
    "concur_count",
)
SELECT_ROW = ", ".join(f"claims.{c}" for c in ROW_COLUMNS)
Row = tuple[Any, ...]


def row_of(r: sqlite3.Row | Mapping[str, Any]) -> Row:
    """A sqlite3.Row of db.CLAIM_COLUMNS as a ROW_COLUMNS tuple."""
    return tuple(r[c] for c in ROW_COLUMNS)


def figure_of_row(row: Row) -> Figure:
    """The claim of a ROW_COLUMNS tuple as the agreement model reads it."""
    low = row[6]
    return Figure(
        row[0], row[14], row[26], row[2], row[5] if low is not None else None, row[27], row[28], low, row[7], row[9],
        row[8], status=row[11], date=row[32], presumed=row[31], draft=bool(row[16]), stances=parse_stances(row[34]),
    )  # fmt: skip


def figure_counts(row: Row) -> tuple[int, ...]:
    """A ROW_COLUMNS tuple's stored figure counts, as RelationLister.of takes them:
    contradicts, at odds, revises, differs, agrees."""
    return (row[19], row[29], row[30], row[20], row[21])


def wants_lists(row: Row) -> bool:
    """Whether a claim has related claims to list: a count of the model, or a position."""
    return bool(row[19] or row[20] or row[21] or row[29] or row[30] or row[34])


def merged(*lists: list[Any]) -> list[Any]:
    """Lists of related claims as one, each claim once, sorted by id, at most LISTED_IDS."""
    if not any(lists):
        return []  # most of a claim's lists are empty
    seen: dict[str, Any] = {}
    for figs in lists:
        for f in figs:
            seen.setdefault(f if isinstance(f, str) else f.id, f)
    return [seen[k] for k in sorted(seen)][:LISTED_IDS]


_ID = attrgetter("id")


def _ids(figs: list[Any]) -> list[str]:
    return sorted(map(_ID, figs))[:LISTED_IDS] if figs else []


def _ids_of(*lists: list[Any]) -> list[str]:
    """merged(*lists) as ids: each claim once, sorted, at most LISTED_IDS."""
    full = [figs for figs in lists if figs]
    if len(full) < 2:
        return _ids(full[0]) if full else []
    return sorted({f.id for figs in full for f in figs})[:LISTED_IDS]


def listed_ids(found: Mapping[str, list[Any]]) -> tuple[list[str], ...]:
    """The LIST_FIELDS of a claim (the lister's lists, RelationLister.of) as ids, what
    `merged` gives each of them (LISTS says which lists each holds): the figure relations'
    lists hold each claim once and no claim in two, so one list needs no merge."""
    opposed = found["opposed_by"]
    at_odds = found["at_odds_with"]
    return (
        _ids_of(found["contradicted_by"], at_odds, opposed),
        _ids(at_odds),
        _ids(opposed),
        _ids(found["revisions"]),
        _ids(found["differs_from"]),
        _ids_of(found["corroborated_by"], found["concurs_with"]),
    )


def stance_of(raw: str | None) -> dict[str, str] | None:
    """A claim's stored positions as the export writes its `stance` field (null where none)."""
    got = parse_stances(raw)
    return dict(got) if got else None


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
        # source id -> (publisher, published, document, flags, as_of)
        self.sources: dict[str, tuple[Any, Any, Any, list[str], Any]] = {}
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
            found = cur.execute("SELECT id, publisher, published, document, flags, as_of FROM sources")
        else:
            if len(sources) + len(missing) > self.SOURCES_HELD:
                sources.clear()
                missing = list({r[14] for r in rows})
            sql = "SELECT id, publisher, published, document, flags, as_of FROM sources WHERE id IN (SELECT value FROM json_each(?))"
            found = cur.execute(sql, (json.dumps(missing),))
        flags = self.flags
        for sid, publisher, published, document, raw, as_of in found:
            got = flags.get(raw)
            if got is None:
                got = flags[raw] = db.parse_flags(raw)
            sources[sid] = (publisher, published, document, got, as_of)

    def about(self, row: Row) -> tuple[Any, ...]:
        """(entity name, entity kind, publisher, published, document, flags, as_of) of a claim."""
        return (*self.entities[row[1]], *self.sources[row[14]])


def record_values(row: Row, about: tuple[Any, ...], lists: tuple[Any, ...]) -> list[Any]:
    """The JSON_FIELDS of one claim, in their order; `about` is (entity name, entity kind,
    publisher, published, document, flags, as_of); `lists` the LIST_FIELDS' values. The
    writers' own loops are held to this by tests/test_export_fast.py."""
    (cid, entity, topic, summary, quote, metric, low, high, unit, bound, period, status, speaker, note, source,
     source_title, draft, relation, qsources, conflicts, differs, agrees, group_relation, group_reason, group_low,
     group_high, _, _, _, odds, revises, presumed, _, _, stances, opposed, concurs) = row  # fmt: skip
    name, kind, publisher, published, document, flags, as_of = about
    if low is None:
        value = None
    else:
        low, high = plain(low), plain(high)
        value = low if low == high else [low, high]
    counted = (low is not None and metric is not None) or bool(stances)
    group = None
    if group_relation:
        group = {
            "relation": group_relation,
            "reason": group_reason,
            "members_sum_low": plain(group_low),
            "members_sum_high": plain(group_high),
        }
    return [
        cid, entity, name, kind, topic, summary, quote, metric, value, low, high, unit, bound, period, presumed, status,
        speaker, note, stance_of(stances), source, source_title, publisher, published, as_of, document, list(flags),
        bool(draft), relation, qsources if counted else None,
        lists[0], conflicts + odds + opposed if counted else 0,
        lists[1], odds if counted else 0,
        lists[2], opposed if counted else 0,
        lists[3], revises if counted else 0,
        lists[4], differs if counted else 0,
        lists[5], agrees + concurs if counted else 0,
        group,
    ]  # fmt: skip


def claim_record(conn: sqlite3.Connection, row: sqlite3.Row, lists: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    """One claim (a sqlite3.Row of db.CLAIM_COLUMNS) as the contract's JSON object. `lists`
    (list field -> ids) is looked up here unless given."""
    if lists is None:
        lists = record_lists(RelationLister(conn).lists([row])[0])
    about = (
        row["entity_name"], row["entity_kind"], row["publisher"], row["published"], row["document"], db.flags_of(row),
        row["as_of"],
    )  # fmt: skip
    values = record_values(row_of(row), about, tuple(lists[name] for name in LIST_FIELDS))
    return dict(zip(JSON_FIELDS, values))


def record_lists(found: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The lister's lists (by relation) as the export's LIST_FIELDS (LISTS says which hold which)."""
    return {name: merged(*(found[k] for k in held)) for name, held, _, _ in LISTS}
