"""GitHub-flavoured Markdown of claims: a title, a header line (the query, the date of
export, the corpus version), the claims table with the sources each claim's figure is
contradicted by, differs from or agrees with, a legend, and the numbered source list."""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import IO, Any

from .. import db
from ..fmt import format_value
from .markup import code, md, md_short
from .records import Lookups, Row, figure_counts, figure_of_row, merged, wants_lists
from .relations import LISTED_IDS, Fig, RelationLister
from .selection import BATCH

DISPUTERS_LISTED = 8  # sources named in a claim's "Disputed by" cell; the rest are counted
MARKS_HELD = 20_000  # cells of source numbers kept for the claims that name the same sources
LEGEND = (
    "Other sources: ⚠ contradicted by (two reports of one period that cannot both hold) or taking the opposite position, "
    "! at odds with (the figures do not meet, but a projection or a presumed period is involved), "
    "→ revised by or revising (a dated projection of the same quantity), ≠ differs from (both can hold, "
    "or the period is unclear), = the same figure or position in. A period marked (presumed) is the year of "
    "the article's date: the article states none."
)
MARKS = "⚠!→≠="  # the lists of the "Other sources" column, in the order of GROUPS
# the lister's lists each mark shows: contradicted or opposed; at odds; revisions; differs; the same
GROUPS = (
    ("contradicted_by", "opposed_by"),
    ("at_odds_with",),
    ("revisions",),
    ("differs_from",),
    ("corroborated_by", "concurs_with"),
)


@dataclass(frozen=True)
class ExportInfo:
    """The header line of a Markdown export: what was asked, when, of which corpus."""

    query: str | None  # None: the selected claims
    exported: str  # the date of export, YYYY-MM-DD
    corpus: str | None = None  # the store's corpus hash, short

    def line(self) -> str:
        asked = (
            f"Query: `{code(self.query)}`"
            if self.query and self.query.strip()
            else ("Selected claims" if self.query is None else "All claims")
        )
        parts = [asked, f"exported {md(self.exported)}"]
        if self.corpus:
            parts.append(f"corpus version {md(self.corpus)}")
        return " · ".join(parts)


def export_info(conn: sqlite3.Connection, query: str | None, today: str | None = None) -> ExportInfo:
    row = conn.execute("SELECT value FROM pivot_meta WHERE key = 'corpus_hash'").fetchone()
    if today is None:
        # SOURCE_DATE_EPOCH (reproducible builds) fixes the date, e.g. for golden files
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        today = time.strftime("%Y-%m-%d", time.gmtime(int(epoch)) if epoch.isdigit() else time.localtime())
    return ExportInfo(query, today, (row[0] or "")[:12] if row else None)


@functools.lru_cache(maxsize=1 << 15, typed=True)
def _value_md(low: Any, high: Any, unit: Any, bound: Any) -> str:
    return md_short(format_value(low, high, unit, bound))


def _related(figs: list[Fig]) -> tuple[tuple[str, ...], int, int]:
    """(the first DISPUTERS_LISTED sources of the listed claims, sorted; how many sources; claims listed)."""
    if len(figs) == 1:
        return (figs[0].source,), 1, 1
    sources = sorted(set(map(_by_source, figs)))
    return tuple(sources[:DISPUTERS_LISTED]), len(sources), len(figs)


NONE_RELATED: tuple[tuple[str, ...], int, int] = ((), 0, 0)
_by_id = attrgetter("id")
_by_source = attrgetter("source")


def _related_of(found: dict[str, list[Fig]], group: tuple[str, ...]) -> tuple[tuple[str, ...], int, int]:
    """_related(merged(...)) of a group of the lister's lists: nothing for empty lists; one
    list (its claims are each there once) as merged cuts it: whole when it holds no more
    than LISTED_IDS (the lister's lists never do: _related reads a set and two lengths, so
    its order does not matter), else its first by id."""
    if len(group) == 1:
        one = found[group[0]]
    else:
        lists = [got for got in (found[k] for k in group) if got]
        if len(lists) > 1:
            return _related(merged(*lists))
        one = lists[0] if lists else []
    if not one:
        return NONE_RELATED
    return _related(one if len(one) <= LISTED_IDS else sorted(one, key=_by_id)[:LISTED_IDS])


def table_header(*, ids: bool = False, quotes: bool = False) -> str:
    """The claims table's header and rule, as the export writes them (and `y` in the explorer)."""
    header = ["#", *(["Id"] if ids else []), "Entity", "Topic", "Claim", "Value", "Period", "Status", "Source", "Other sources"]
    if quotes:
        header.append("Quote")
    return "| " + " | ".join(header) + " |\n|" + "|".join(" --- " for _ in header) + "|\n"


class MarkdownTable:
    """The claims table, a batch of claims at a time: `rows(batch)` is their lines.
    `numbers` (source -> number) grows as claims name sources outside the selection."""

    def __init__(
        self, conn: sqlite3.Connection, numbers: dict[str, int], *, first: int = 1, quotes: bool = False, ids: bool = False
    ):
        self.look = Lookups(conn)
        self.lister = RelationLister(conn)
        self.numbers = numbers
        self.i = first - 1  # the number of the last claim written
        self.legend = False
        self.marks: dict[tuple[str, ...], str] = {}  # see other_sources
        self.quotes = quotes
        self.ids = ids

    def header(self) -> str:
        return table_header(ids=self.ids, quotes=self.quotes)

    def rows(self, rows: Sequence[Row]) -> str:
        look, lister, numbers = self.look, self.lister, self.numbers
        lister.load([(r[26], r[5], r[27]) for r in rows if r[6] is not None and r[5] is not None and wants_lists(r)])
        entities, topics = look.entities, look.topics
        lines = []
        for row in rows:
            (cid, entity, topic, summary, quote, metric, low, high, unit, bound, period, status, speaker, _, source,
             _, draft, relation, _, conflicts, differs, agrees, _, _, _, _, _, _, _, odds, revises, presumed, _, _,
             stances, opposed, concurs) = row  # fmt: skip
            self.i += 1
            if ((low is not None and metric is not None) or stances) and wants_lists(row):
                found = lister.of(figure_of_row(row), figure_counts(row))
                related = [_related_of(found, group) for group in GROUPS]
                totals = (conflicts + opposed, odds, revises, differs, agrees + concurs)
                other = other_sources(related, totals, numbers, self.marks)
                self.legend = True
            elif relation == "single-source":
                other, self.legend = "single source", True
            else:
                other = ""
            cells = [
                str(self.i),
                *([md(cid)] if self.ids else []),
                md_short(entities[entity][0]),
                md_short(topics[topic]),
                md(summary),
                _value_md(low, high, unit, bound),
                md_short(period) if period or not presumed else md_short(presumed) + " (presumed)",
                md_short(status) + (" (unreviewed)" if draft else ""),
                f"[{numbers[source]}]",
                other,
            ]
            if self.quotes:
                q = f"“{md(quote)}”"
                if speaker:
                    q += f" — {md(speaker)}"
                cells.append(q)
            lines.append("| " + " | ".join([cell or " " for cell in cells]) + " |\n")
        return "".join(lines)


def other_sources(
    related: Sequence[tuple[tuple[str, ...], int, int]],
    totals: Sequence[int],
    numbers: dict[str, int],
    marks: dict[tuple[str, ...], str],
) -> str:
    """'⚠ [2] · ! [5] · ≠ [3] · = [4]': the sources whose claims relate to this one (MARKS).
    Sources not numbered yet are given the next numbers; `marks` keeps the marks of the
    sources already numbered (a number never changes once given). `totals` are the stored
    counts: conflicts (contradicting or opposed), at odds, revisions, differs, agrees."""
    parts = []
    for sign, (listed_sources, n_sources, listed), total in zip(MARKS, related, totals):
        if not listed:
            continue
        got = marks.get(listed_sources)
        if got is None:
            if len(marks) >= MARKS_HELD:
                marks.clear()
            for sid in listed_sources:
                numbers.setdefault(sid, len(numbers) + 1)
            got = marks[listed_sources] = " ".join(f"[{n}]" for n in sorted(numbers[sid] for sid in listed_sources))
        more = n_sources > DISPUTERS_LISTED or total > listed
        parts.append(f"{sign} {got}" + (f" and more ({total:,} claims)" if more else ""))
    return " · ".join(parts)


def write_markdown(
    conn: sqlite3.Connection,
    out: IO[str],
    batches: Iterable[list[Row]],
    numbering: Callable[[], dict[str, int]],
    *,
    quotes: bool = False,
    title: str | None = None,
    info: ExportInfo | None = None,
    ids: bool = False,
) -> int:
    """Stream the claims table, then the legend and the numbered source list."""
    if title:
        out.write(f"# {md(title)}\n\n")
    if info is not None:
        out.write(info.line() + "\n\n")
    out.flush()  # the first bytes at once
    table: MarkdownTable | None = None
    for rows in batches:
        if not rows:
            continue
        if table is None:
            table = MarkdownTable(conn, numbering(), quotes=quotes, ids=ids)
            out.write(table.header())
            out.write(table.rows(rows))
            out.flush()  # the first bytes at once, not when a buffer fills
            continue
        out.write(table.rows(rows))
    if table is None:
        out.write("_No claims matched._\n")
        return 0
    finish(conn, out, table.numbers, table.legend)
    return table.i


def finish(conn: sqlite3.Connection, out: IO[str], numbers: dict[str, int], legend: bool) -> None:
    """What follows the claims table: the legend (if a row needs it) and the source list."""
    if legend:
        out.write("\n" + LEGEND + "\n")
    if numbers:
        out.write("\n## Sources\n\n")
        for item in source_items(conn, numbers):
            out.write(item + "\n")


def source_items(conn: sqlite3.Connection, numbers: dict[str, int]) -> Iterator[str]:
    """'n. *Title* — publisher, by author, date, kind — ⚠ flags — <url>', in number order.
    Sources are named by what a reader can find, never by the corpus's file names."""
    ordered = sorted(numbers.items(), key=lambda kv: kv[1])
    for at in range(0, len(ordered), BATCH):
        chunk = ordered[at : at + BATCH]
        found = {
            r["id"]: r
            for r in conn.execute(
                "SELECT * FROM sources WHERE id IN (SELECT value FROM json_each(?))", (json.dumps([k for k, _ in chunk]),)
            )
        }
        yield from (_source_item(found[sid], n) for sid, n in chunk if sid in found)


_LINK = re.compile(r"https?://[^\s<>]+")


def _source_item(s: sqlite3.Row, n: int) -> str:
    parts = [f"*{md(s['title'])}*"]
    # a publisher, a date, a kind and flags repeat from source to source: md_short keeps them
    meta = [md_short(x) for x in (s["publisher"], s["author"] and f"by {s['author']}", s["published"]) if x]
    meta.append(md_short(s["kind"]))
    parts.append(", ".join(meta))
    flags = db.parse_flags(s["flags"])  # a sources row: its flags column
    if flags:
        parts.append("⚠ " + md_short(", ".join(flags)))
    if s["url"]:
        parts.append(f"<{s['url']}>" if _LINK.fullmatch(s["url"]) else md(s["url"]))
    return f"{n}. " + " — ".join(parts)


def source_list(conn: sqlite3.Connection, numbers: dict[str, int]) -> str:
    return "\n".join(source_items(conn, numbers))
