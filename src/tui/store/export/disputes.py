"""The disputes report (store/disputes.py finds it) as Markdown to paste into notes, or JSON."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from .. import db
from ..fmt import format_value
from .markup import md, table
from .records import claim_record
from .to_markdown import source_list

T = TypeVar("T")

AXIS_WIDTH = 24  # characters of the drawn axis in the disputes report


def disputes_markdown(
    conn: sqlite3.Connection, found: list[Any], *, title: str | None = None, words: list[Any] | None = None
) -> str:
    """The report a journalist pastes into notes: one section per quantity, a row per figure;
    then one per proposition sources take positions on (`words`), a row per position."""
    from ..agreement import MARK
    from ..disputes import source_label
    from ..figure import axis_of, bar

    words = words or []
    done: dict[Any, str] = {}

    def mdc(text: Any) -> str:  # md of each text once: sources, values and statements repeat from quantity to quantity
        out = done.get(text)
        if out is None:
            out = done[text] = md(text)
        return out

    sources: dict[str, tuple[str, str]] = {}  # source -> its label and flags as written (each source's own)

    def source_cells(r: Any) -> tuple[str, str]:
        return _cached(sources, r["source"], lambda: (mdc(source_label(r)), mdc(", ".join(db.flags_of(r)))))

    drawn: dict[tuple[Any, ...], str] = {}  # a figure on an axis, drawn once (figures repeat within a quantity)

    def drawing(r: Any, axis: tuple[float, float]) -> str:
        key = (r["value_low"], r["value_high"], r["bound"], axis)
        return _cached(drawn, key, lambda: "`" + bar(r, axis, AXIS_WIDTH).replace(" ", "·") + "`")

    values: dict[tuple[Any, ...], str] = {}  # a value as written (values repeat from figure to figure)

    def value_cell(r: Any) -> str:
        key = (r["value_low"], r["value_high"], r["unit"], r["bound"])
        return _cached(values, key, lambda: mdc(format_value(*key)))

    periods: dict[tuple[Any, Any], str] = {}

    def period_cell(r: Any) -> str:
        return _cached(periods, (r["period"], r["presumed_period"]), lambda: period_text(r))

    statuses: dict[tuple[Any, Any], str] = {}

    def status_cell(r: Any) -> str:
        return _cached(statuses, (r["status"], r["draft"]), lambda: mdc(r["status"]) + (" (unreviewed)" if r["draft"] else ""))

    numbers: dict[str, int] = {}
    for q in found:
        for line in q.lines:
            numbers.setdefault(line.row["source"], len(numbers) + 1)
        for r in [*q.related, *q.statements]:
            numbers.setdefault(r["source"], len(numbers) + 1)
    for p in words:
        for pos in p.positions:
            numbers.setdefault(pos.row["source"], len(numbers) + 1)
    number_of = {line.row["id"]: numbers[line.row["source"]] for q in found for line in q.lines}  # a figure's source's
    around: dict[tuple[str, int], str] = {}  # a related measure or a statement as listed (one claim may be around several)

    def measure_item(r: Any) -> str:
        got = around.get(("measure", r["rowid"]))
        if got is None:
            period = ", " + mdc(r["period"]) if r["period"] else ""
            got = around[("measure", r["rowid"])] = f"[{numbers[r['source']]}] {value_cell(r)} ({mdc(r['metric'])}{period})"
        return got

    def statement_item(r: Any) -> str:
        got = around.get(("statement", r["rowid"]))
        if got is None:
            got = around[("statement", r["rowid"])] = f"[{numbers[r['source']]}] {mdc(r['summary'])}"
        return got

    parts = [f"# {mdc(title or 'Where the sources disagree')}\n"]
    if not found and not words:
        parts.append("_No quantity matched that more than one source states._")
    header = table(["Source", "Value", "On one axis", "Period", "Status", "Flags", "Relation", "Reason"], [])
    heads: dict[str, tuple[str, str]] = {}  # a source's cells before and after the figure's
    shown: dict[tuple[Any, ...], str] = {}  # a value and its drawing on an axis
    stated: dict[tuple[Any, ...], str] = {}  # a period and a status
    for i, q in enumerate(found, 1):
        unit = f" ({mdc(q.unit)})" if q.unit else ""
        parts.append(f"## {i}. {mdc(q.entity_name)}: {mdc(q.metric)}{unit}, {MARK[q.strongest]} {q.strongest}\n")
        axis = axis_of([line.row for line in q.lines])
        written = [header]
        for line in q.lines:
            r = line.row
            rel = reason = " "
            relation = line.relation
            if relation is not None:
                other = number_of.get(line.other or "")
                rel = f"{relation.mark} {relation.kind}" + (f" [{other}]" if other is not None else "")
                reason = mdc(relation.reason) or " "
            # cells that repeat, each group written once: the source's; the value and its
            # drawing on the axis (the figure view in a few characters: as `pivot figure`
            # draws it); the period and the status
            src = r["source"]
            head = heads.get(src)
            if head is None:
                label, flags = source_cells(r)
                head = heads[src] = (f"| [{numbers[src]}] {label} | ", f" | {flags or ' '} | ")
            key = (r["value_low"], r["value_high"], r["unit"], r["bound"], axis)
            value = shown.get(key)
            if value is None:
                value = shown[key] = f"{value_cell(r) or ' '} | {drawing(r, axis)} | "
            when = (r["period"], r["presumed_period"], r["status"], r["draft"])
            said = stated.get(when)
            if said is None:
                said = stated[when] = f"{period_cell(r) or ' '} | {status_cell(r) or ' '}"
            written.append(f"{head[0]}{value}{said}{head[1]}{rel} | {reason} |")
        parts.append("\n".join(written))
        ends = [format_value(float(f"{x:.3g}"), float(f"{x:.3g}"), q.unit) for x in axis]
        parts.append(
            f'\nOn one axis: from {mdc(ends[0])} to {mdc(ends[1])} (● a figure, ╌ its "about" band, ━ a range, ▶ ◀ an open bound)'
        )
        if q.total > len(q.lines):
            parts.append(f"\n_+ {q.total - len(q.lines):,} more figures of this quantity_")
        if q.related:
            parts.append("\nRelated measures: " + " · ".join([measure_item(r) for r in q.related]))
        if q.statements:
            parts.append("\nSources without a figure: " + " · ".join([statement_item(r) for r in q.statements]))
        parts.append("")
    for i, p in enumerate(words, len(found) + 1):
        parts.append(f"## {i}. “{mdc(p.text)}” ({mdc(p.id)}), {MARK[p.strongest]} {p.strongest}\n")
        body = [
            [
                f"[{numbers[pos.row['source']]}] {mdc(source_label(pos.row))}",
                mdc(pos.position),
                mdc(pos.row["summary"]),
                f"“{mdc(pos.row['quote'])}”",
            ]
            for pos in p.positions
        ]
        parts.append(table(["Source", "Position", "Claim", "Quote"], body))
        parts.append("")
    if numbers:
        parts.append("## Sources\n\n" + source_list(conn, numbers))
    return "\n".join(parts).rstrip("\n") + "\n"


def _cached(cache: dict[Any, T], key: Hashable, make: Callable[[], T]) -> T:
    """cache[key], made once: the report's cells repeat from figure to figure."""
    got = cache.get(key)
    if got is None:
        got = cache[key] = make()
    return got


def period_text(r: Any) -> str:
    """A figure's period as the report words it: stated, presumed from the date, or not stated."""
    if r["period"]:
        return md(r["period"])
    if r["presumed_period"]:
        return f"{md(r['presumed_period'])} (presumed from the article's date)"
    return "not stated"


def disputes_json(conn: sqlite3.Connection, found: list[Any], words: list[Any] | None = None) -> str:
    out: list[dict[str, Any]] = []
    for q in found:
        out.append(
            {
                "kind": "quantity",
                "entity": q.entity,
                "entity_name": q.entity_name,
                "metric": q.metric,
                "unit": q.unit,
                "relation": q.strongest,
                "sources": q.sources,
                "figures_total": q.total,
                "figures": [
                    {
                        **claim_record(conn, line.row),
                        "strongest_relation": line.relation.kind if line.relation else None,
                        "reason": line.relation.reason if line.relation else None,
                        "relates_to": line.other,
                    }
                    for line in q.lines
                ],
                "related": [r["id"] for r in q.related],
                "statements": [r["id"] for r in q.statements],
            }
        )
    for p in words or []:
        out.append(
            {
                "kind": "proposition",
                "proposition": p.id,
                "text": p.text,
                "relation": p.strongest,
                "sources": p.sources,
                "positions": [{**claim_record(conn, pos.row), "position": pos.position} for pos in p.positions],
            }
        )
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"
