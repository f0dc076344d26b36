"""The comparison of entities as an export: the headline grid the compare screen shows
(compare_headline_markdown), and the every-claim comparison in Markdown, JSON or CSV."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .. import db
from ..agreement import SUMMARY_MARK
from ..grid import period_note
from .markup import md, table, value_text
from .records import claim_record
from .selection import check_format
from .stream import render_claims
from .to_markdown import source_list


def _cell_line(r: sqlite3.Row, numbers: dict[str, int]) -> str:
    value = value_text(r)
    if value and r["scope"]:  # the article's qualifier kept: "7 % of its US workforce"
        value = f"{value} {r['scope']}"
    # every figure carries its period (stated, presumed, or said to be missing)
    period = f" {md(period_note(r['period'], r['presumed_period']))}" if value else ""
    text = f"{md(value)}{period} — {md(r['summary'])}" if value else md(r["summary"])
    mark = f" {SUMMARY_MARK[r['relation']]}" if r["relation"] in ("disputed", "at-odds") else ""
    return f"{text} [{numbers[r['source']]}]{mark}"


def _full_table(cmp: db.Comparison) -> str:
    """Every claim of the comparison as a GFM table: a row per topic, a cell per entity."""
    header = ["Topic"] + [md(e["name"]) for e in cmp.entities]
    body = []
    for t in cmp.topics:
        row = [f"**{md(t['label'])}**"]
        for e in cmp.entities:
            cell = cmp.cells.get((t["id"], e["id"]))
            if not cell:
                row.append("—")
                continue
            lines = [_cell_line(r, cmp.sources) for r in cell.claims]
            if cell.more:  # only where a caller asked for fewer than every claim
                lines.append(f"_+ {cell.more:,} more_")
            prefix = "**⚠ sources disagree:** " if cell.disputed else ""  # a claim of the cell is in conflict
            row.append(prefix + "<br>".join(lines))
        body.append(row)
    return table(header, body) if body else "_No claims for these entities._"


def compare_markdown(conn: sqlite3.Connection, cmp: db.Comparison, *, title: str | None = None) -> str:
    names = " vs ".join(e["name"] for e in cmp.entities)
    parts = [f"# {md(title or names)}\n", _full_table(cmp)]
    parts.append(
        "\n⚠ marks a figure another source contradicts (two reports of one period), ! one at odds with another "
        "source's (a projection or a presumed period is involved); a period marked (presumed) is the year of the "
        "article's date."
    )
    if cmp.sources:
        parts.append("\n## Sources\n\n" + source_list(conn, cmp.sources))
    return "\n".join(parts) + "\n"


def compare_json(conn: sqlite3.Connection, cmp: db.Comparison) -> str:
    out = {
        "entities": [{"id": e["id"], "name": e["name"], "kind": e["kind"]} for e in cmp.entities],
        "topics": [
            {
                "id": t["id"],
                "label": t["label"],
                "cells": {
                    e["id"]: {
                        "disputed": cmp.cells[(t["id"], e["id"])].disputed,
                        "claims": [claim_record(conn, r) for r in cmp.cells[(t["id"], e["id"])].claims],
                    }
                    for e in cmp.entities
                    if (t["id"], e["id"]) in cmp.cells
                },
            }
            for t in cmp.topics
        ],
        "sources": dict(cmp.sources),
    }
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


def compare_csv(conn: sqlite3.Connection, cmp: db.Comparison) -> str:
    rows = [r for t in cmp.topics for e in cmp.entities for r in cmp.cells.get((t["id"], e["id"]), db.Cell([], False)).claims]
    return render_claims(conn, rows, "csv")


def render_compare(conn: sqlite3.Connection, cmp: db.Comparison, fmt: str) -> str:
    if fmt == "md":
        return compare_markdown(conn, cmp)
    if fmt == "json":
        return compare_json(conn, cmp)
    check_format(fmt)
    return compare_csv(conn, cmp)


def compare_headline_markdown(
    conn: sqlite3.Connection,
    grid: Any,
    *,
    statements: int = 2,
    title: str | None = None,
    full: db.Comparison | None = None,
) -> str:
    """The headline grid as a GFM table: a row per topic (its statements) and per quantity
    (its distinct figures, with relation marks and source numbers), the same parts the
    compare screen draws (store.grid.figure_parts). With `full` (db.compare of the same
    entities, numbered as the grid is), every claim follows under "Every claim", so the
    export hides nothing the grid leaves out."""
    from ..grid import figure_parts, statements_text

    header = ["Topic"] + [md(e["name"]) for e in grid.entities]
    body = []
    for row in grid.rows:
        label = f"**{md(row.label)}**" if row.metric is None else f"· {md(row.label)}"
        cells = [label]
        for e in grid.entities:
            cell = grid.cell(row, e["id"])
            if cell is None:
                cells.append("·")
            elif row.metric is None:
                cells.append("<br>".join(md(s) for s in statements_text(cell, statements, below=full is not None)) or " ")
            else:
                cells.append(md("".join(p for p, _ in figure_parts(grid, row, cell))))
        body.append(cells)
    names = " vs ".join(e["name"] for e in grid.entities)
    parts = [f"# {md(title or names)}\n", table(header, body) if body else "_No claims for these entities._"]
    parts.append(
        f"\n{grid.disputed_cells} cell{'s' if grid.disputed_cells != 1 else ''} in conflict. ⚠ another source contradicts "
        "the figure (two reports of one period); ! another source's figure does not meet it (a projection or a presumed "
        "period is involved); → a dated projection revised; ≠ another source differs (both can hold, or the period is "
        "unclear); ✓ another source states the same figure; [n] the sources below; in brackets each figure's period: "
        "as stated, presumed (the year of the article's date), or none. A topic's statements lead with the cells of a "
        "table an article prints, whole; "
        + ("every claim is listed below, under Every claim." if full is not None else "`pivot compare --full` lists every claim.")
    )
    if full is not None:
        parts.append("\n## Every claim\n\n" + _full_table(full))
    numbers = full.sources if full is not None else grid.sources
    if numbers:
        parts.append("\n## Sources\n\n" + source_list(conn, numbers))
    return "\n".join(parts) + "\n"
