"""Rich tables for the command line. Corpus text always goes in as Text (never markup)
and through safe_text, so `[bold]` or an escape sequence in a summary is shown literally."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from tui.store import db
from tui.store.agreement import MARK, SUMMARY_MARK
from tui.store.export import value_text
from tui.store.fmt import period_text, safe_text
from tui.store.grid import period_note

RELATION_STYLE = {
    "disputed": "bold red",
    "at-odds": "red",
    "revised": "cyan",
    "differs": "yellow",
    "corroborated": "green",
    "contradicts": "bold red",
    "opposes": "bold red",
    "revises": "cyan",
    "agrees": "green",
    "related": "dim",
}


def T(value, style: str = "") -> Text:
    return Text(safe_text(None if value is None else str(value)), style=style)


NARROW_LIST = 120  # a terminal (or a pipe's 80 columns) narrower than this: the claim gets the room


def claims_table(rows, width: int | None = None) -> Table:
    """`pivot list`. Narrower than NARROW_LIST columns (a pipe is 80), the claim is the one
    column that wraps and takes what the others leave: they keep their lines (the entity
    cut with an ellipsis), the topic goes and, below 100 columns, the period and
    the status are the line under the value."""
    numbers = db.source_numbers(rows)
    narrow = width is not None and width < NARROW_LIST
    small = narrow and (width or 0) < 100
    topic = not narrow
    names = ["Entity", *(["Topic"] if topic else []), "Claim", "Value"]
    names += ["Src"] if small else ["Period", "Status", "Src"]
    cells = []
    for r in rows:
        rel = r["relation"] if r["value_low"] is not None else r["position_relation"]
        value = T(value_text(r) or ("" if not small else "—"), RELATION_STYLE.get(rel, ""))
        if SUMMARY_MARK.get(rel):
            value.append(f" {SUMMARY_MARK[rel]}", style=RELATION_STYLE.get(rel, ""))
        period = T(period_text(r["period"], r["presumed_period"]))
        status = T(r["status"] + (" (draft)" if r["draft"] else ""))
        if small:
            value.append("\n" + " · ".join(x.plain for x in (period, status) if x.plain), style="dim")
        row = [T(r["entity_name"]), *([T(r["topic_label"])] if topic else []), T(r["summary"]), value]
        row += [T(f"[{numbers[r['source']]}]")] if small else [period, status, T(f"[{numbers[r['source']]}]")]
        cells.append(row)
    table = Table(box=box.SIMPLE_HEAD, show_lines=small, expand=False)
    if not narrow:
        for name in names:
            table.add_column(name, ratio=3 if name == "Claim" else None)
    else:
        most = {"Entity": 12 if small else 16, "Topic": 16, "Period": 16, "Status": 11, "Value": 18}
        widths = {}
        for i, name in enumerate(names):
            if name != "Claim":
                natural = max([cell_len(name), *(max(cell_len(x) for x in row[i].plain.split("\n")) for row in cells)])
                widths[name] = min(natural, most.get(name, natural))
        claim = max((width or 80) - sum(widths.values()) - 3 * len(names) - 1, 20)  # padding and rules
        for name in names:
            if name == "Claim":
                table.add_column(name, width=claim)
            else:
                one_line = name != "Value"  # the value has the period and status under it
                table.add_column(
                    name,
                    width=widths[name],
                    justify="right" if name == "Src" else "left",
                    no_wrap=one_line,
                    overflow="ellipsis" if one_line else "fold",
                )
    for row in cells:
        table.add_row(*row)
    return table


SOURCE_COLUMNS = ("Id", "Source", "Publisher", "Published", "Kind", "Flags", "Claims", "Disputed")
_SHRINK = {"Source": 14, "Publisher": 8, "Flags": 8, "Kind": 6, "Published": 10}  # narrowest a column gets
NARROW_SOURCES = 100  # narrower (a pipe's 80 columns): each source on a title line and a line of details


def sources_tables(batches: Iterable[list], width: int) -> Iterator[Table]:
    """`pivot sources` a batch of rows at a time: each part a table of its own with the
    same column widths (from the first batch and the terminal's width; a longer cell later
    wraps inside its column), the header on the first part only. A million rows never sit
    in one Rich table (which measures every cell before it draws the first), and the first
    rows are out at once."""
    widths: dict[str, int] | None = None
    narrow = width < NARROW_SOURCES
    for i, rows in enumerate(batches):
        if widths is None:
            widths = _narrow_widths(rows, width) if narrow else _source_widths(rows, width)
        yield sources_table(rows, width, widths=widths, header=i == 0)
    if widths is None:  # no source at all: the header alone
        yield sources_table([], width)


def _source_cells(s) -> list[str]:
    return [
        s["id"],
        s["title"],
        s["publisher"] or "—",
        s["published"] or "—",
        s["kind"],
        ", ".join(db.flags_of(s)),
        str(s["claim_count"]),
        str(s["conflict_count"] or ""),
    ]


def _source_widths(rows, width: int) -> dict[str, int]:
    """Each column as wide as its widest cell of `rows` (or its name), shrunk until the
    table fits `width`: the widest first, the title counting a third of its width."""
    want = {name: cell_len(name) for name in SOURCE_COLUMNS}
    for s in rows:
        for name, text in zip(SOURCE_COLUMNS, _source_cells(s)):
            want[name] = max(want[name], cell_len(safe_text(text)))
    # a space of padding either side of each cell, and one between columns (no edges)
    over = sum(want.values()) + 3 * len(want) - 1 - width
    while over > 0:
        shrinkable = [n for n in _SHRINK if want[n] > _SHRINK[n]]
        if not shrinkable:
            break
        want[max(shrinkable, key=lambda n: want[n] / (3 if n == "Source" else 1))] -= 1  # the title keeps its room
        over -= 1
    return want


def _narrow_widths(rows, width: int) -> dict[str, int]:
    claims = max([cell_len("Claims"), *(cell_len(_claims_text(s)) for s in rows)])
    return {"Source": max(10, width - claims - 5), "Claims": claims}


def _claims_text(s) -> str:
    disputed = f" ({s['conflict_count']} disputed)" if s["conflict_count"] else ""
    return f"{s['claim_count']}{disputed}"


def sources_table(rows, width: int | None = None, *, widths: dict[str, int] | None = None, header: bool = True) -> Table:
    fixed = widths or {}
    if width is not None and width < NARROW_SOURCES:
        # a narrow terminal: each source as a title line and a line of details (its id
        # first: what source:ID filters by)
        table = Table(box=box.SIMPLE_HEAD, show_header=header, show_edge=header and widths is None)
        table.add_column("Source", ratio=1, width=fixed.get("Source"))
        table.add_column("Claims", justify="right", width=fixed.get("Claims"))
        for s in rows:
            text = T(s["title"])
            details = " · ".join(
                x for x in (f"id {s['id']}", s["publisher"], s["published"], s["kind"], ", ".join(db.flags_of(s))) if x
            )
            text.append("\n" + safe_text(details), style="dim")
            table.add_row(text, T(_claims_text(s)))
        return table
    table = Table(box=box.SIMPLE_HEAD, show_header=header, show_edge=header and widths is None)
    table.add_column("Id", no_wrap=True, width=fixed.get("Id"))
    table.add_column("Source", min_width=None if widths else 14, ratio=None if widths else 3, width=fixed.get("Source"))
    for name in SOURCE_COLUMNS[2:]:
        table.add_column(name, ratio=None if widths else 1, width=fixed.get(name))
    for s in rows:
        flags = ", ".join(db.flags_of(s))
        table.add_row(
            T(s["id"]),
            T(s["title"]),
            T(s["publisher"] or "—"),
            T(s["published"] or "—"),
            T(s["kind"]),
            T(flags, "yellow"),
            T(s["claim_count"]),
            T(s["conflict_count"] or ""),
        )
    return table


def entities_table(rows) -> Table:
    table = Table(box=box.SIMPLE_HEAD)
    for name in ("Id", "Name", "Kind", "Claims", "Disputed"):
        table.add_column(name)
    for e in rows:
        table.add_row(T(e["id"]), T(e["name"]), T(e["kind"]), T(e["claim_count"]), T(e["conflict_count"] or "", "bold red"))
    return table


def compare_table(cmp: db.Comparison, topics: list | None = None, topic_width: int | None = None, caption: bool = True) -> Table:
    """Topics as rows, entities as columns. `topics` draws only those rows (the compare
    screen draws the first rows first); a fixed `topic_width` keeps the columns where
    they are between such partial and full drawings."""
    table = Table(box=box.HEAVY_HEAD, show_lines=True, title=Text(" vs ".join(safe_text(e["name"]) for e in cmp.entities)))
    # on the screen (topic_width given) columns keep a readable width and the grid scrolls;
    # on a terminal, Rich fits the table into the width it has, however narrow
    table.add_column("Topic", style="bold", no_wrap=False, min_width=12 if topic_width else None, width=topic_width)
    for e in cmp.entities:
        table.add_column(T(e["name"]), ratio=1, min_width=20 if topic_width else None)
    for t in cmp.topics if topics is None else topics:
        cells = [T(t["label"])]
        for e in cmp.entities:
            cell = cmp.cells.get((t["id"], e["id"]))
            text = Text()
            if not cell:
                text.append("—", style="dim")
            else:
                if cell.disputed:
                    text.append("⚠ sources disagree\n", style="bold red")
                for i, r in enumerate(cell.claims):
                    if i:
                        text.append("\n")
                    value = value_text(r)
                    if value:
                        text.append(safe_text(value), style="bold red" if r["conflict_count"] else "bold")
                        # every figure carries its period: stated, presumed, or said to be missing
                        text.append(f" {safe_text(period_note(r['period'], r['presumed_period']))} ", style="dim")
                    text.append(safe_text(r["summary"]))
                    text.append(f" [{cmp.sources[r['source']]}]", style="cyan")
                if cell.more:
                    text.append(f"\n+ {cell.more:,} more here: the export (e) holds every claim", style="dim italic")
            cells.append(text)
        table.add_row(*cells)
    if caption:
        table.caption = Text(
            "  ".join(f"[{n}] {safe_text(cmp.source_labels.get(sid, sid))}" for sid, n in cmp.sources.items()), style="dim"
        )
    return table


def disputes_table(found, words=()) -> Table:
    """The disputes report on a terminal: a row per figure, quantities one after another;
    then a row per position on each proposition."""
    from tui.store.disputes import source_label

    table = Table(box=box.SIMPLE_HEAD, show_lines=False)
    for name, kw in (
        ("Quantity", {"ratio": 2}),
        ("Source", {"ratio": 2}),
        ("Value", {"no_wrap": True}),
        ("Period", {}),
        ("Status", {}),
        ("Relation", {"ratio": 3}),
    ):
        table.add_column(name, **kw)
    for q in found:
        label = T(f"{q.entity_name}: {q.metric}", "bold")
        for i, line in enumerate(q.lines):
            r = line.row
            source = T(source_label(r, 28))
            flags = db.flags_of(r)
            if flags:
                source.append(f" ⚠ {', '.join(flags)}", style="yellow")
            rel = Text("")
            if line.relation is not None:
                rel = T(f"{MARK[line.relation.kind]} {line.relation.kind}: ", RELATION_STYLE.get(line.relation.kind, ""))
                rel.append(T(line.relation.reason))
            table.add_row(
                label if i == 0 else Text(""),
                source,
                T(value_text(r)),
                T(period_text(r["period"], r["presumed_period"]) or "not stated"),
                T(r["status"]),
                rel,
                end_section=i == len(q.lines) - 1,
            )
    for p in words:
        label = T(f"“{p.text}”", "bold")
        for i, pos in enumerate(p.positions):
            r = pos.row
            rel = T(f"{MARK[p.strongest]} {p.strongest}: ", RELATION_STYLE.get(p.strongest, "")) if i == 0 else Text("")
            rel.append(T(r["summary"]))
            table.add_row(
                label if i == 0 else Text(""),
                T(source_label(r, 28)),
                T(pos.position),
                T(""),
                T(r["status"]),
                rel,
                end_section=i == len(p.positions) - 1,
            )
    return table
