"""CSV: one line per claim, the contract's fields but `value` (value_low and value_high
carry it), the lists joined with "; ", the group check as its reason."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterable
from typing import IO, Any

from .records import CSV_FIELDS, LISTS, Lookups, Row, figure_counts, figure_of_row, listed_ids, plain, wants_lists
from .relations import LISTED_IDS, Fig, RelationLister

_NONE = ("",) * len(LISTS)
_JOIN = "; ".join


def _joined(figs: list[Fig]) -> str:
    return "; ".join(sorted([f.id for f in figs])[:LISTED_IDS]) if figs else ""


def _stance_text(raw: str | None) -> str:
    """'meta-cuts-fund-ai: against; p2: for' (the stored 'p=pos;...' as a CSV cell reads it)."""
    return "; ".join(part.replace("=", ": ") for part in raw.split(";")) if raw else ""


def write_csv(
    conn: sqlite3.Connection,
    out: IO[str],
    batches: Iterable[list[Row]],
    *,
    header: bool = True,
    look: Lookups | None = None,
    lister: RelationLister | None = None,
) -> int:
    """Stream the claims of `batches` as CSV (the header line first unless told not to).
    `look` and `lister` carry what a process read before (an export in parts)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if header:
        out.write(csv_header())
        out.flush()  # the first bytes at once
    look = look or Lookups(conn)
    lister = lister or RelationLister(conn, encode=_joined)
    entities, sources = look.entities, look.sources
    joined: dict[int, str] = {}  # id(flags list) -> the flags joined (the lists live in look.sources)
    n = 0
    for rows in batches:
        look.need(rows)
        lister.load([(r[26], r[5], r[27]) for r in rows if r[6] is not None and r[5] is not None and wants_lists(r)])
        lines = []
        for row in rows:
            (cid, entity, topic, summary, quote, metric, low, high, unit, bound, period, status, speaker, note, source,
             source_title, draft, relation, qsources, conflicts, differs, agrees, group_relation, group_reason, _, _,
             _, _, _, odds, revises, presumed, _, _, stances, opposed, concurs) = row  # fmt: skip
            counted = (low is not None and metric is not None) or stances is not None
            if low is None:
                plow = phigh = None
            else:
                plow = low if low.__class__ is int else plain(low)
                phigh = high if high.__class__ is int else plain(high)
            if not counted:
                qsources = None
            if counted and wants_lists(row):
                found = lister.of(figure_of_row(row), figure_counts(row))
                lists = tuple(map(_JOIN, listed_ids(found)))
            else:
                lists = _NONE
            name, kind = entities[entity]
            publisher, published, document, flags, as_of = sources[source]
            flat = joined.get(id(flags))
            if flat is None:
                if len(joined) > 4096:
                    joined.clear()
                flat = joined[id(flags)] = "; ".join(flags)
            lines.append(
                (
                    cid, entity, name, kind, topic, summary, quote, metric, plow, phigh, unit, bound, period, presumed,
                    status, speaker, note, _stance_text(stances), source, source_title, publisher, published, as_of,
                    document, flat, bool(draft), relation, qsources,
                    lists[0], conflicts + odds + opposed if counted else 0, lists[1], odds if counted else 0,
                    lists[2], opposed if counted else 0, lists[3], revises if counted else 0,
                    lists[4], differs if counted else 0, lists[5], agrees + concurs if counted else 0,
                    group_reason if group_relation else "",
                )
            )  # fmt: skip
        writer.writerows(lines)
        out.write(csv_cell(buf.getvalue()))
        buf.seek(0)
        buf.truncate()
        if not n:
            out.flush()  # the first bytes at once, not when a buffer fills
        n += len(lines)
    out.write(csv_cell(buf.getvalue()))
    return n


def csv_header() -> str:
    """The CSV's first line: the field names."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(CSV_FIELDS)
    return buf.getvalue()


def csv_cell(value: Any) -> Any:
    # a NUL ends the text for many CSV readers (and C strings): shown as the symbol for it
    return value.replace("\0", "\u2400") if isinstance(value, str) else value
