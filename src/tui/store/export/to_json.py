"""JSON: the same bytes as json.dumps(records, ensure_ascii=False, indent=2), written one
record at a time (a million records never sit in memory)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from json.encoder import encode_basestring
from typing import IO, Any

from .records import JSON_FIELDS, LISTS, Lookups, Row, figure_counts, figure_of_row, listed_ids, plain, stance_of, wants_lists
from .relations import LISTED_IDS, Fig, RelationLister

# one record, its values as %s (each already JSON text, at the record's indentation)
_RECORD = "{" + ",".join("\n    " + encode_basestring(k) + ": %s" for k in JSON_FIELDS) + "\n  }"
_NONE = ("[]",) * len(LISTS)
SOURCES_ENCODED = 20_000  # sources whose fields are kept as JSON text


def json_value(v: Any, depth: int = 2) -> str:
    """json.dumps(v, ensure_ascii=False, indent=2) at `depth`, for the shapes a record has."""
    t = v.__class__
    if t is str:
        return encode_basestring(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if t is int:
        return int.__repr__(v)
    if t is float:
        return json.dumps(v)
    pad = "\n" + "  " * (depth + 1)
    if isinstance(v, dict):
        if not v:
            return "{}"
        items = [pad + encode_basestring(str(k)) + ": " + json_value(x, depth + 1) for k, x in v.items()]
        return "{" + ",".join(items) + "\n" + "  " * depth + "}"
    if isinstance(v, list):
        if not v:
            return "[]"
        return "[" + ",".join(pad + json_value(x, depth + 1) for x in v) + "\n" + "  " * depth + "]"
    return json.dumps(v, ensure_ascii=False)


def _ids(figs: list[Fig]) -> str:
    if not figs:
        return "[]"
    return "[\n      " + ",\n      ".join(map(encode_basestring, sorted([f.id for f in figs])[:LISTED_IDS])) + "\n    ]"


def _id_array(ids: list[str]) -> str:
    """Sorted ids (at most LISTED_IDS) as the JSON array at a list field's indentation."""
    if not ids:
        return "[]"
    return "[\n      " + ",\n      ".join(map(encode_basestring, ids)) + "\n    ]"


def _lists(lister: RelationLister, row: Row) -> tuple[str, ...]:
    """The LIST_FIELDS of a claim as JSON text (records.LISTS says which lists each holds)."""
    found = lister.of(figure_of_row(row), figure_counts(row))
    return tuple(map(_id_array, listed_ids(found)))


def write_json(
    conn: sqlite3.Connection,
    out: IO[str],
    batches: Iterable[list[Row]],
    *,
    bracket: bool = True,
    first: bool = True,
    last: bool = True,
    look: Lookups | None = None,
    lister: RelationLister | None = None,
) -> int:
    """Stream the claims of `batches` as a JSON array. A part of a longer array leaves out
    the opening bracket (bracket=False), the comma before its first record when none came
    before it (first=True), or its closing (last=False). `look` and `lister` carry what a
    process read before (an export in parts)."""
    if bracket:
        out.write("[")
        out.flush()  # the first bytes at once
    look = look or Lookups(conn)
    lister = lister or RelationLister(conn, encode=_ids)
    entities, sources = look.entities, look.sources
    ent_text: dict[str, tuple[str, str]] = {}
    src_text: dict[str, tuple[str, str, str, str, str]] = {}
    j = json_value
    record = _RECORD
    n = 0
    for rows in batches:
        look.need(rows)
        lister.load([(r[26], r[5], r[27]) for r in rows if r[6] is not None and r[5] is not None and wants_lists(r)])
        parts: list[str] = []
        for row in rows:
            (cid, entity, topic, summary, quote, metric, low, high, unit, bound, period, status, speaker, note, source,
             source_title, draft, relation, qsources, conflicts, differs, agrees, group_relation, group_reason,
             group_low, group_high, _, _, _, odds, revises, presumed, _, _, stances, opposed, concurs) = row  # fmt: skip
            counted = (low is not None and metric is not None) or stances is not None
            if low is None:
                value = plow = phigh = "null"
            else:
                a = low if low.__class__ is int else plain(low)
                b = high if high.__class__ is int else plain(high)
                plow, phigh = j(a), j(b)
                value = plow if a == b else "[\n      " + plow + ",\n      " + phigh + "\n    ]"
            qs = j(qsources) if counted else "null"
            lists = _lists(lister, row) if counted and wants_lists(row) else _NONE
            e = ent_text.get(entity)
            if e is None:
                name, kind = entities[entity]
                e = ent_text[entity] = (j(name), j(kind))
            s = src_text.get(source)
            if s is None:
                if len(src_text) >= SOURCES_ENCODED:
                    src_text.clear()
                publisher, published, document, flags, as_of = sources[source]
                s = src_text[source] = (j(publisher), j(published), j(document), j(flags), j(as_of))
            group = "null"
            if group_relation:
                group = j(
                    {
                        "relation": group_relation,
                        "reason": group_reason,
                        "members_sum_low": plain(group_low),
                        "members_sum_high": plain(group_high),
                    }
                )
            parts.append(
                record
                % (
                    encode_basestring(cid), encode_basestring(entity), e[0], e[1], encode_basestring(topic), j(summary),
                    j(quote), j(metric), value, plow, phigh, j(unit), j(bound), j(period), j(presumed), j(status),
                    j(speaker), j(note), j(stance_of(stances)), encode_basestring(source), j(source_title), s[0], s[1],
                    s[4], s[2], s[3], "true" if draft else "false", j(relation), qs,
                    lists[0], j(conflicts + odds + opposed) if counted else "0", lists[1], j(odds) if counted else "0",
                    lists[2], j(opposed) if counted else "0", lists[3], j(revises) if counted else "0",
                    lists[4], j(differs) if counted else "0", lists[5], j(agrees + concurs) if counted else "0", group,
                )
            )  # fmt: skip
        if parts:
            out.write(("\n  " if first and n == 0 else ",\n  ") + ",\n  ".join(parts))
            if not n:
                out.flush()  # the first bytes at once, not when a buffer fills
            n += len(parts)
    if last:
        out.write("\n]\n" if n or not first else "]\n")
    return n
