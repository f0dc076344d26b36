# Long because three formats, the streaming writer and the batched relation look-ups share the
# record building; a split by format is left open (issue 8).
"""Exports: JSON (the contract's fields), CSV and GitHub-flavoured Markdown, and the
atomic file writer. The CLI (`pivot export`, `pivot compare`) and the explorer's
export dialog call these same functions.

Claims are streamed: rows are read in rowid order a batch at a time, the claims each
one relates to are looked up for the whole batch (one query loads the quantities the
batch needs, kept in a small cache while rows of that quantity keep coming), and each
list (`conflicts`, `differs_from`, `corroborated_by`) carries at most LISTED_IDS ids
beside an exact `*_total` count. A million claims go to disk in bounded memory; the
first bytes are written before the first batch is read.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import functools
import io
import json
import operator
import os
import re
import sqlite3
import stat
import tempfile
import time
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO, Any

from . import db
from .agreement import _COMPATIBLE, _bound_class, effective
from .fmt import format_value, safe_text

FORMATS = ("md", "csv", "json")
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
LISTED_IDS = 20  # ids in each list at most; the *_total field counts them all
EXAMINE_LIMIT = 200  # candidates looked at per region of the sorted bounds (a list can then be shorter)
SPARE = 16  # picks kept beyond LISTED_IDS per figure, for the claim's own source to be taken out
PICKS_HELD = 20_000  # figures whose picks are kept at once
BATCH = 500  # claims read, and their relations looked up, at a time
EXTENSIONS = {".md": "md", ".markdown": "md", ".csv": "csv", ".json": "json"}


DISPUTERS_LISTED = 8  # sources named in a claim's "Disputed by" cell; the rest are counted


class ExportError(Exception):
    """The export could not be written; the message says why. Nothing was written."""


def claim_record(conn: sqlite3.Connection, row: sqlite3.Row, lists: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    """One claim as the contract's JSON object. `lists` (list field -> ids) comes from a
    RelationLister when the caller streams many claims; else it is looked up here."""
    if lists is None:
        lists = RelationLister(conn).lists([row])[0]
    return dict(zip(JSON_FIELDS, _values(row, lists)))


_NO_LISTS: dict[str, list[str]] = {"conflicts": [], "differs_from": [], "corroborated_by": []}


def _values(row: sqlite3.Row, lists: Mapping[str, list[str]]) -> list[Any]:
    """The JSON_FIELDS of one claim, in their order (the streaming writers' hot path)."""
    (
        cid,
        entity,
        entity_name,
        entity_kind,
        topic,
        summary,
        quote,
        metric,
        low,
        high,
        unit,
        bound,
        period,
        status,
        speaker,
        note,
        source,
        source_title,
        publisher,
        published,
        document,
        flags,
        draft,
        relation,
        qsources,
        conflicts,
        differs,
        agrees,
        group_relation,
    ) = _row_values(row)
    if low is None:
        value = None
    else:
        low, high = _plain(low), _plain(high)
        value = low if low == high else [low, high]
    numeric = low is not None and metric is not None
    group = None
    if group_relation:
        group = {
            "relation": group_relation,
            "reason": row["group_reason"],
            "members_sum_low": _plain(row["group_low"]),
            "members_sum_high": _plain(row["group_high"]),
        }
    return [
        cid,
        entity,
        entity_name,
        entity_kind,
        topic,
        summary,
        quote,
        metric,
        value,
        low,
        high,
        unit,
        bound,
        period,
        status,
        speaker,
        note,
        source,
        source_title,
        publisher,
        published,
        document,
        db.parse_flags(flags),
        bool(draft),
        relation,
        qsources if low is not None else None,
        lists["conflicts"],
        conflicts if numeric else 0,  # fresh lists from the lister (never mutated here)
        lists["differs_from"],
        differs if numeric else 0,
        lists["corroborated_by"],
        agrees if numeric else 0,
        group,
    ]


_ROW_KEYS = (
    "id",
    "entity",
    "entity_name",
    "entity_kind",
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
    "publisher",
    "published",
    "document",
    "source_flags_json",
    "draft",
    "relation",
    "quantity_sources",
    "conflict_count",
    "differ_count",
    "agree_count",
    "group_relation",
)


_row_values = operator.itemgetter(*_ROW_KEYS)


# --- relations of many claims, in batches -------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Fig:
    id: str
    source: str
    low: float
    high: float
    cls: str  # bound class: eq / ge / le
    lo: float  # the effective range
    hi: float


class _Period:
    """The figures of one quantity and period, indexed by their effective bounds and value."""

    __slots__ = ("by_hi", "by_lo", "by_value", "his", "los")

    def __init__(self, figs: list[_Fig]) -> None:
        self.by_lo = sorted(figs, key=lambda f: f.lo)
        self.los = [f.lo for f in self.by_lo]
        self.by_hi = sorted(figs, key=lambda f: f.hi)
        self.his = [f.hi for f in self.by_hi]
        self.by_value: dict[tuple[float, float], list[_Fig]] = {}
        for f in figs:
            self.by_value.setdefault((f.low, f.high), []).append(f)


class _Family:
    __slots__ = ("periods", "size", "stated", "unstated")

    def __init__(self, rows: Iterable[tuple[Any, ...]]) -> None:
        by_period: dict[str | None, list[_Fig]] = {}
        for cid, source, low, high, bound, period in rows:
            lo, hi = effective(low, high, bound)
            by_period.setdefault(period, []).append(_Fig(cid, source, low, high, _bound_class(bound), lo, hi))
        self.periods = {p: _Period(v) for p, v in by_period.items()}
        self.unstated = by_period.get(None, [])
        self.stated = [f for p, v in by_period.items() if p is not None for f in v]
        self.size = sum(len(v) for v in by_period.values())


FamilyKey = tuple[str, str, "str | None"]
_FAMILY_ARM = (
    "SELECT ?, id, source, value_low, value_high, bound, qperiod FROM claims "
    "WHERE qentity = ? AND metric = ? AND qunit IS ? AND value_low IS NOT NULL"
)


class RelationLister:
    """For a batch of claims, up to LISTED_IDS claim ids per relation (contradicts, differs,
    agrees), by the agreement model's rules (store/agreement.py `relation`), found through
    sorted bounds instead of a comparison with every claim of the quantity. One query per
    batch loads the quantities not yet held; at most `budget` figures are held."""

    def __init__(self, conn: sqlite3.Connection, limit: int = LISTED_IDS, budget: int = 150_000) -> None:
        self.conn = conn
        self.limit = limit
        self.budget = budget
        self.cache: OrderedDict[tuple[Any, ...], _Family] = OrderedDict()
        self.held = 0
        self.queries = 0  # family-loading statements run (tests check: one per batch at most)
        self.picks: dict[tuple[Any, ...], dict[str, list[_Fig]]] = {}

    def _load(self, keys: list[tuple[Any, ...]]) -> None:
        missing = [k for k in dict.fromkeys(keys) if k not in self.cache]
        for k in dict.fromkeys(keys):
            if k in self.cache:
                self.cache.move_to_end(k)
        if not missing:
            return
        sql = " UNION ALL ".join([_FAMILY_ARM] * len(missing))
        params: list[Any] = []
        for i, k in enumerate(missing):
            params += [i, *k]
        rows: dict[int, list[tuple[Any, ...]]] = {i: [] for i in range(len(missing))}
        self.queries += 1
        for r in self.conn.execute(sql, params):
            rows[r[0]].append(tuple(r)[1:])
        for i, k in enumerate(missing):
            fam = _Family(rows[i])
            self.cache[k] = fam
            self.held += fam.size
        wanted = set(keys)
        while self.held > self.budget and len(self.cache) > len(wanted):
            k, fam = next(iter(self.cache.items()))
            if k in wanted:
                self.cache.move_to_end(k)
                continue
            del self.cache[k]
            self.held -= fam.size

    def lists(self, rows: list[sqlite3.Row]) -> list[dict[str, list[str]]]:
        """Per row: list field -> sorted ids (empty lists for claims without relations)."""
        wants = [
            r["value_low"] is not None
            and r["metric"] is not None
            and bool(r["conflict_count"] or r["differ_count"] or r["agree_count"])
            for r in rows
        ]
        self._load([(r["qentity"], r["metric"], r["qunit"]) for r, w in zip(rows, wants) if w])
        out: list[dict[str, list[str]]] = []
        for r, w in zip(rows, wants):
            if not w:
                out.append(_NO_LISTS)
                continue
            fam = self.cache[(r["qentity"], r["metric"], r["qunit"])]
            figs = self.related(fam, r)
            out.append({k: sorted(f.id for f in v) for k, v in figs.items()})
        return out

    def sources(self, rows: list[sqlite3.Row]) -> list[dict[str, tuple[list[str], int]]]:
        """Per row: relation -> (sorted sources of the listed claims, claims listed)."""
        out: list[dict[str, tuple[list[str], int]]] = []
        self._load([(r["qentity"], r["metric"], r["qunit"]) for r in rows])
        for r in rows:
            figs = self.related(self.cache[(r["qentity"], r["metric"], r["qunit"])], r)
            out.append({k: (sorted({f.source for f in v}), len(v)) for k, v in figs.items()})
        return out

    def related(self, fam: _Family, r: sqlite3.Row) -> dict[str, list[_Fig]]:
        """Up to `limit` claims per relation, each list taken from at most EXAMINE_LIMIT
        candidates of each region of the sorted bounds (nearest first).

        Claims stating the same figure share their candidates: the picks of every source
        (SPARE more than needed) are kept per figure and this claim's own source is taken
        out of them; where that leaves too few, this claim is scanned on its own."""
        figure = (r["qentity"], r["metric"], r["qunit"], r["qperiod"], r["value_low"], r["value_high"], r["bound"])
        picks = self.picks.get(figure)
        if picks is None:
            if len(self.picks) >= PICKS_HELD:
                self.picks.clear()
            picks = self.picks[figure] = self._scan(fam, figure[3], figure[4], figure[5], figure[6], None, self.limit + SPARE)
        source, n = r["source"], self.limit
        out: dict[str, list[_Fig]] = {}
        for name, got in picks.items():
            mine = [f for f in got if f.source != source]
            if len(mine) < n and len(got) >= n + SPARE:
                return self._scan(fam, figure[3], figure[4], figure[5], figure[6], source, n)
            out[name] = mine[:n]
        return out

    def _scan(
        self, fam: _Family, period: str | None, low: float, high: float, bound: str, source: str | None, n: int
    ) -> dict[str, list[_Fig]]:
        """The first n claims of other sources than `source` (None: any) per relation."""
        lo, hi = effective(low, high, bound)
        compatible = _COMPATIBLE[_bound_class(bound)]
        g = fam.periods[period]
        by_lo, by_hi = g.by_lo, g.by_hi
        out: dict[str, list[_Fig]] = {"conflicts": [], "differs_from": [], "corroborated_by": []}
        got = out["conflicts"]
        # effective ranges that end before this one starts, nearest first ...
        below = bisect_left(g.his, lo)
        for i in range(below - 1, max(below - 1 - EXAMINE_LIMIT, -1), -1):
            f = by_hi[i]
            if f.source != source:
                got.append(f)
                if len(got) >= n:
                    break
        # ... and those that start after it ends
        above = bisect_right(g.los, hi)
        for i in range(above, min(above + EXAMINE_LIMIT, len(by_lo))):
            if len(got) >= n:
                break
            f = by_lo[i]
            if f.source != source:
                got.append(f)
        got = out["corroborated_by"]
        for f in g.by_value.get((low, high), [])[:EXAMINE_LIMIT]:
            if f.source != source and f.cls in compatible:
                got.append(f)
                if len(got) >= n:
                    break
        got = out["differs_from"]
        # a period stated by one source and not by the other ...
        for f in (fam.stated if period is None else fam.unstated)[:EXAMINE_LIMIT]:
            if f.source != source:
                got.append(f)
                if len(got) >= n:
                    break
        start = bisect_left(g.los, lo)
        if len(got) < n:
            # ... then ranges that overlap this one without being the same figure
            end = min(bisect_right(g.los, hi), start + EXAMINE_LIMIT)
            for i in range(start, end):
                f = by_lo[i]
                if f.source != source and not (f.low == low and f.high == high and f.cls in compatible):
                    got.append(f)
                    if len(got) >= n:
                        break
        if len(got) < n:
            for i in range(start - 1, max(start - 1 - EXAMINE_LIMIT, -1), -1):
                f = by_lo[i]
                if f.hi >= lo and f.source != source and not (f.low == low and f.high == high and f.cls in compatible):
                    got.append(f)
                    if len(got) >= n:
                        break
        return out


def _plain(x: Any) -> Any:
    if x is None:
        return None
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else x


def value_text(row: sqlite3.Row | Mapping[str, Any]) -> str:
    return format_value(row["value_low"], row["value_high"], row["unit"], row["bound"])


# --- Markdown -----------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#!])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


@functools.lru_cache(maxsize=1 << 15)
def md_short(text: str | None) -> str:
    """md() of a value that repeats from row to row (entity, topic, value, period, status)."""
    return md(text)


def md(text: str | None) -> str:
    """Corpus text as literal Markdown inline text: one line, markup and HTML escaped."""
    if text is None:
        return ""
    out = safe_text(" ".join(str(text).split()))
    out = _MD_SPECIAL.sub(r"\\\1", out)
    out = _MD_ENTITY.sub(r"\\&", out)
    # GFM autolinks bare URLs, www. names, e-mail addresses (and linkify-it any domain):
    # an escaped character splits the text a linker reads, and renders as itself
    return _MD_AUTOLINK.sub(r"\\\1", out)


# `scheme://`, `@` (e-mail, and mentions on GitHub), `www.`, and a dot before what a
# linker takes for a top-level domain (any two letters, or one of linkify-it's list)
_MD_AUTOLINK = re.compile(
    r"(:(?=//)|@|(?<=\b[wW][wW][wW])\.|(?<=\w)\.(?=(?:[^\W\d_]{2}|(?i:com|net|org|edu|gov|biz|pro|web|xxx|aero|asia|coop|info|museum|name|shop))(?![^\W_])))",
)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(cell if cell else " " for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _source_items(conn: sqlite3.Connection, numbers: dict[str, int]) -> Iterator[str]:
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


def _source_item(s: sqlite3.Row, n: int) -> str:
    parts = [f"*{md(s['title'])}*"]
    meta = [md(x) for x in (s["publisher"], s["author"] and f"by {s['author']}", s["published"]) if x]
    meta.append(md(s["kind"]))
    parts.append(", ".join(meta))
    flags = db.flags_of(s)
    if flags:
        parts.append("⚠ " + md(", ".join(flags)))
    if s["url"]:
        parts.append(f"<{s['url']}>" if re.fullmatch(r"https?://[^\s<>]+", s["url"]) else md(s["url"]))
    return f"{n}. " + " — ".join(parts)


def _source_list(conn: sqlite3.Connection, numbers: dict[str, int]) -> str:
    return "\n".join(_source_items(conn, numbers))


@dataclass(frozen=True)
class ExportInfo:
    """The header line of a Markdown export: what was asked, when, of which corpus."""

    query: str | None  # None: the selected claims
    exported: str  # the date of export, YYYY-MM-DD
    corpus: str | None = None  # the store's corpus hash, short

    def line(self) -> str:
        asked = (
            f"Query: `{_code(self.query)}`"
            if self.query and self.query.strip()
            else ("Selected claims" if self.query is None else "All claims")
        )
        parts = [asked, f"exported {md(self.exported)}"]
        if self.corpus:
            parts.append(f"corpus version {md(self.corpus)}")
        return " · ".join(parts)


def _code(text: str) -> str:
    """Text inside a one-backtick code span: one line, backticks and pipes made harmless."""
    return safe_text(" ".join(text.split())).replace("`", "ʼ").replace("|", "\\|")


def export_info(conn: sqlite3.Connection, query: str | None, today: str | None = None) -> ExportInfo:
    row = conn.execute("SELECT value FROM pivot_meta WHERE key = 'corpus_hash'").fetchone()
    if today is None:
        # SOURCE_DATE_EPOCH (reproducible builds) fixes the date, e.g. for golden files
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        today = time.strftime("%Y-%m-%d", time.gmtime(int(epoch)) if epoch.isdigit() else time.localtime())
    return ExportInfo(query, today, (row[0] or "")[:12] if row else None)


Batches = Iterable[list[sqlite3.Row]]


def _markdown(
    conn: sqlite3.Connection,
    out: IO[str],
    batches: Batches,
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
    header = ["#", *(["Id"] if ids else []), "Entity", "Topic", "Claim", "Value", "Period", "Status", "Source", "Other sources"]
    if quotes:
        header.append("Quote")
    lister = RelationLister(conn)
    numbers: dict[str, int] | None = None
    i = 0
    legend = False
    for rows in batches:
        if not rows:
            continue
        if numbers is None:
            numbers = numbering()
            out.write("| " + " | ".join(header) + " |\n|" + "|".join(" --- " for _ in header) + "|\n")
        want = [r["value_low"] is not None and bool(r["conflict_count"] or r["differ_count"] or r["agree_count"]) for r in rows]
        related = iter(lister.sources([r for r, w in zip(rows, want) if w]))
        for r, w in zip(rows, want):
            i += 1
            if w:
                other = _other_sources(r, next(related), numbers)
                legend = True
            elif r["relation"] == "single-source":
                other, legend = "single source", True
            else:
                other = ""
            cells = [
                str(i),
                *([md(r["id"])] if ids else []),
                md_short(r["entity_name"]),
                md_short(r["topic_label"]),
                md(r["summary"]),
                md_short(value_text(r)),
                md_short(r["period"]),
                md_short(r["status"]) + (" (unreviewed)" if r["draft"] else ""),
                f"[{numbers[r['source']]}]",
                other,
            ]
            if quotes:
                q = f"“{md(r['quote'])}”"
                if r["speaker"]:
                    q += f" — {md(r['speaker'])}"
                cells.append(q)
            out.write("| " + " | ".join(cell if cell else " " for cell in cells) + " |\n")
    if numbers is None:
        out.write("_No claims matched._\n")
        numbers = {}
    if legend:
        out.write("\n" + LEGEND + "\n")
    if numbers:
        out.write("\n## Sources\n\n")
        for item in _source_items(conn, numbers):
            out.write(item + "\n")
    return i


def claims_markdown(
    conn: sqlite3.Connection,
    rows: list[sqlite3.Row],
    *,
    quotes: bool = False,
    title: str | None = None,
    info: ExportInfo | None = None,
    ids: bool = False,
) -> str:
    buf = io.StringIO()
    _markdown(conn, buf, _chunks(rows), lambda: db.source_numbers(rows), quotes=quotes, title=title, info=info, ids=ids)
    return buf.getvalue()


LEGEND = (
    "Other sources: ⚠ contradicted by (the figures cannot both hold), ≠ differs from (both can hold, "
    "or one states no period), = the same figure in."
)


def _other_sources(r: sqlite3.Row, related: Mapping[str, tuple[list[str], int]], numbers: dict[str, int]) -> str:
    """'⚠ [2] · ≠ [3] · = [4]': the sources whose claims of the same quantity relate to this one."""
    parts = []
    for name, sign, total in (
        ("conflicts", "⚠", r["conflict_count"]),
        ("differs_from", "≠", r["differ_count"]),
        ("corroborated_by", "=", r["agree_count"]),
    ):
        sources, listed = related[name]
        if not listed:
            continue
        for sid in sources[:DISPUTERS_LISTED]:
            numbers.setdefault(sid, len(numbers) + 1)
        marks = " ".join(f"[{n}]" for n in sorted(numbers[sid] for sid in sources[:DISPUTERS_LISTED]))
        more = len(sources) > DISPUTERS_LISTED or total > listed
        parts.append(f"{sign} {marks}" + (f" and more ({total:,} claims)" if more else ""))
    return " · ".join(parts)


CSV_FIELDS = [f for f in JSON_FIELDS if f != "value"]


_CSV_LISTS = [JSON_FIELDS.index(f) for f in ("source_flags", *LIST_FIELDS)]
_CSV_GROUP = JSON_FIELDS.index("group_check")
_CSV_VALUE = JSON_FIELDS.index("value")


def _csv(conn: sqlite3.Connection, out: IO[str], batches: Batches) -> int:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    lister = RelationLister(conn)
    n = 0
    for rows in batches:
        for r, lists in zip(rows, lister.lists(rows)):
            v = _values(r, lists)
            for i in _CSV_LISTS:
                v[i] = "; ".join(v[i])
            g = v[_CSV_GROUP]
            v[_CSV_GROUP] = g["reason"] if g else ""
            del v[_CSV_VALUE]
            writer.writerow(v)
            n += 1
        out.write(_csv_cell(buf.getvalue()))
        buf.seek(0)
        buf.truncate()
    out.write(_csv_cell(buf.getvalue()))
    return n


def claims_csv(conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> str:
    buf = io.StringIO()
    _csv(conn, buf, _chunks(rows))
    return buf.getvalue()


def _csv_cell(value: Any) -> Any:
    # a NUL ends the text for many CSV readers (and C strings): shown as the symbol for it
    return value.replace("\0", "\u2400") if isinstance(value, str) else value


_JSON_KEYS = ["\n    " + encode_basestring(k) + ": " for k in JSON_FIELDS]


def _json(conn: sqlite3.Connection, out: IO[str], batches: Batches) -> int:
    """The same bytes as json.dumps(records, ensure_ascii=False, indent=2), one record at a time."""
    lister = RelationLister(conn)
    n = 0
    keys = _JSON_KEYS
    for rows in batches:
        parts: list[str] = []
        for r, lists in zip(rows, lister.lists(rows)):
            v = _values(r, lists)
            cells = []
            for k, x in zip(keys, v):
                t = x.__class__
                if t is str:
                    cells.append(k + encode_basestring(x))
                elif x is None:
                    cells.append(k + "null")
                elif t is int:
                    cells.append(k + int.__repr__(x))
                elif t is list and not x:
                    cells.append(k + "[]")
                elif t is list and x[0].__class__ is str:  # ids and flags: strings only
                    cells.append(k + "[\n      " + ",\n      ".join(map(encode_basestring, x)) + "\n    ]")
                else:
                    cells.append(k + _json_value(x, 2))
            parts.append(("[\n  {" if n == 0 else ",\n  {") + ",".join(cells) + "\n  }")
            n += 1
        out.write("".join(parts))
    out.write("\n]\n" if n else "[]\n")
    return n


def _json_value(v: Any, depth: int) -> str:
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
        items = [pad + encode_basestring(str(k)) + ": " + _json_value(x, depth + 1) for k, x in v.items()]
        return "{" + ",".join(items) + "\n" + "  " * depth + "}"
    if isinstance(v, list):
        if not v:
            return "[]"
        return "[" + ",".join(pad + _json_value(x, depth + 1) for x in v) + "\n" + "  " * depth + "]"
    return json.dumps(v, ensure_ascii=False)


def claims_json(conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> str:
    buf = io.StringIO()
    _json(conn, buf, _chunks(rows))
    return buf.getvalue()


def _chunks(rows: list[sqlite3.Row], size: int = BATCH) -> Iterator[list[sqlite3.Row]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def render_claims(
    conn: sqlite3.Connection,
    rows: list[sqlite3.Row],
    fmt: str,
    *,
    quotes: bool = False,
    title: str | None = None,
    info: ExportInfo | None = None,
    ids: bool = False,
) -> str:
    """The export of `rows` as one string (small exports, previews, tests)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    buf = io.StringIO()
    write_claims(conn, buf, _chunks(rows), fmt, lambda: db.source_numbers(rows), quotes=quotes, title=title, info=info, ids=ids)
    return buf.getvalue()


def write_claims(
    conn: sqlite3.Connection,
    out: IO[str],
    batches: Batches,
    fmt: str,
    numbering: Callable[[], dict[str, int]],
    *,
    quotes: bool = False,
    title: str | None = None,
    info: ExportInfo | None = None,
    ids: bool = False,
) -> int:
    """Write the claims of `batches` to `out` in `fmt`; returns how many were written."""
    if fmt == "md":
        return _markdown(conn, out, batches, numbering, quotes=quotes, title=title, info=info, ids=ids)
    if fmt == "csv":
        return _csv(conn, out, batches)
    if fmt == "json":
        return _json(conn, out, batches)
    raise ExportError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


# --- choosing what to export (the CLI and the explorer's dialog) ---------------------------


@dataclass(frozen=True)
class Selection:
    """Which claims an export writes: a filter's WHERE clause (over `claims`), or ids."""

    where: str = "1"
    params: tuple[Any, ...] = ()
    query: str | None = ""  # the query text; None for the selected claims
    ids: tuple[str, ...] | None = None

    @classmethod
    def of_ids(cls, ids: Iterable[str]) -> Selection:
        chosen = tuple(sorted(ids))
        return cls("claims.id IN (SELECT value FROM json_each(?))", (json.dumps(chosen),), None, chosen)

    @property
    def title(self) -> str:
        if self.query is None:
            return f"Selected claims ({len(self.ids or ())})"
        return f"Claims: {self.query}" if self.query.strip() else "Claims"

    def stem(self) -> str:
        if self.query is None:
            return "pivot-selection"
        words = re.sub(r"[^a-z0-9]+", "-", self.query.lower()).strip("-")[:40]
        return f"pivot-{words}" if words else "pivot-claims"

    def batches(self, conn: sqlite3.Connection, limit: int | None = None) -> Iterator[list[sqlite3.Row]]:
        sql = f"SELECT {db.CLAIM_COLUMNS} FROM claims {db.CLAIM_JOINS} WHERE {self.where} ORDER BY claims.rowid"
        params = list(self.params)
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        cur = conn.execute(sql, params)
        while True:
            rows = cur.fetchmany(BATCH)
            if not rows:
                return
            yield rows

    def numbering(self, conn: sqlite3.Connection, limit: int | None = None) -> dict[str, int]:
        """Sources numbered 1..n in the order they first appear (one pass over source ids)."""
        inner = f"SELECT claims.rowid AS r, claims.source AS s FROM claims WHERE {self.where} ORDER BY claims.rowid"
        params = list(self.params)
        if limit is not None:
            inner += " LIMIT ?"
            params.append(limit)
        rows = conn.execute(f"SELECT s, min(r) AS first FROM ({inner}) GROUP BY s ORDER BY first", params)
        return {r[0]: i for i, r in enumerate(rows, 1)}


def default_name(stem: str, fmt: str) -> str:
    return f"{stem}.{fmt}"


def format_of(path: Path | str | None, fmt: str | None) -> str:
    """The format to write: the one asked for, else the file's extension says, else Markdown."""
    if fmt:
        return fmt
    if path is not None:
        return EXTENSIONS.get(Path(path).suffix.lower(), "md")
    return "md"


def with_format(path: str, fmt: str) -> str:
    """The path with its extension following the format (`x.md` -> `x.csv`); other names kept."""
    p = Path(path)
    if p.suffix.lower() in EXTENSIONS:
        return str(p.with_suffix("." + fmt))
    return path


def stream_claims(
    conn: sqlite3.Connection,
    out: IO[str],
    sel: Selection,
    fmt: str,
    *,
    quotes: bool = False,
    info: ExportInfo | None = None,
    ids: bool = False,
    limit: int | None = None,
) -> int:
    """Write the claims `sel` chooses, streaming, in rowid order."""
    return write_claims(
        conn,
        out,
        sel.batches(conn, limit),
        fmt,
        lambda: sel.numbering(conn, limit),
        quotes=quotes,
        title=sel.title,
        info=info,
        ids=ids,
    )


def export_to(
    path: Path | str,
    conn: sqlite3.Connection,
    sel: Selection,
    fmt: str,
    *,
    force: bool = False,
    quotes: bool = False,
    info: ExportInfo | None = None,
    ids: bool = False,
) -> tuple[Path, int]:
    """Stream the export into `path` (write_atomic's rules); returns (path, claims written)."""
    written = [0]

    def write(out: IO[str]) -> None:
        written[0] = stream_claims(conn, out, sel, fmt, quotes=quotes, info=info, ids=ids)

    return write_stream(path, write, force=force), written[0]


# --- comparison -----------------------------------------------------------------------


def _cell_line(r: sqlite3.Row, numbers: dict[str, int]) -> str:
    value = value_text(r)
    text = f"{md(value)} — {md(r['summary'])}" if value else md(r["summary"])
    mark = " ⚠" if r["conflict_count"] else ""
    return f"{text} [{numbers[r['source']]}]{mark}"


def compare_markdown(conn: sqlite3.Connection, cmp: db.Comparison, *, title: str | None = None) -> str:
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
            if cell.more:
                lines.append(f"_+ {cell.more:,} more_")
            prefix = "**⚠ sources disagree:** " if cell.disputed else ""
            row.append(prefix + "<br>".join(lines))
        body.append(row)
    names = " vs ".join(e["name"] for e in cmp.entities)
    parts = [f"# {md(title or names)}\n", _table(header, body) if body else "_No claims for these entities._"]
    parts.append("\n⚠ marks a figure that another source contradicts.")
    if cmp.sources:
        parts.append("\n## Sources\n\n" + _source_list(conn, cmp.sources))
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
    return claims_csv(conn, rows)


def render_compare(conn: sqlite3.Connection, cmp: db.Comparison, fmt: str) -> str:
    if fmt == "md":
        return compare_markdown(conn, cmp)
    if fmt == "json":
        return compare_json(conn, cmp)
    if fmt == "csv":
        return compare_csv(conn, cmp)
    raise ExportError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


# --- writing files ----------------------------------------------------------------------


def write_atomic(path: Path | str, text: str, *, force: bool = False) -> Path:
    """Write text to path through a temporary file and a rename (see write_stream)."""
    return write_stream(path, lambda out: out.write(text), force=force)


def write_stream(path: Path | str, write: Callable[[IO[str]], object], *, force: bool = False) -> Path:
    """Call write(out) with a text stream into a temporary file beside path, then rename it
    into place: never a partial file, never a silent overwrite (unless force). Raises
    ExportError with a plain message.

    Only a regular file is ever replaced. A FIFO or a character device (/dev/null,
    /dev/stdout, /dev/full) is written to as it is, never turned into a file; a block
    device or a socket is refused. A symbolic link to a file keeps the link: the file
    it points to is replaced. Without force the new file is linked into place, which
    fails if a file of that name appeared meanwhile (no race can overwrite it)."""
    path = Path(path).expanduser()
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    except OSError as exc:  # a symlink loop, no permission to look
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise ExportError(f"{path} is a directory; give a file name")
    if st is not None and not stat.S_ISREG(st.st_mode):
        return _write_in_place(path, write, st.st_mode)
    if st is not None and not force:
        raise ExportError(f"{path} already exists (use --force to overwrite)")
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    parent = target.parent
    if not parent.is_dir():
        blocker = next((p for p in (parent, *parent.parents) if p.exists()), None)
        if blocker is not None and not blocker.is_dir():
            raise ExportError(f"{blocker} is not a directory")
        raise ExportError(f"{parent} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise ExportError(f"cannot write in {parent}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=1 << 20) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        _move_into_place(tmp, target, force)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _move_into_place(tmp: str, target: Path, force: bool) -> None:
    """Rename tmp to target; only a regular file (or nothing) is ever replaced."""
    if not force:
        try:
            os.link(tmp, target)  # atomic: fails if anything took the name meanwhile
        except FileExistsError:
            raise ExportError(f"{target} already exists (use --force to overwrite)") from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            # a file system without hard links: check, then rename
            if os.path.lexists(target):
                raise ExportError(f"{target} already exists (use --force to overwrite)") from None
            os.replace(tmp, target)
            return
        os.unlink(tmp)
        return
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):  # a node appeared since the first look
        raise ExportError(f"{target} is not a regular file; it was left as it is")
    os.replace(tmp, target)


def _write_in_place(path: Path, write: Callable[[IO[str]], object], mode: int) -> Path:
    """Write to a FIFO or a character device as it is (nothing is replaced)."""
    if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
        kind = "a block device" if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
        raise ExportError(f"{path} is {kind}; give a file name")
    try:
        # a FIFO without a reader fails at once instead of waiting for one forever
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise ExportError(f"{path} is a FIFO that no program is reading") from exc
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        os.set_blocking(fd, True)
        fh = os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=1 << 16)
    except OSError as exc:
        os.close(fd)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        write(fh)
        fh.flush()
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(OSError):  # the data that could not be written was reported above
            fh.close()
    return path


# --- the disputes report ----------------------------------------------------------------


AXIS_WIDTH = 24  # characters of the drawn axis in the disputes report


def disputes_markdown(conn: sqlite3.Connection, found: list[Any], *, title: str | None = None) -> str:
    """The report a journalist pastes into notes: one section per quantity, a row per figure."""
    from .agreement import MARK
    from .disputes import source_label
    from .figure import axis_of, bar

    numbers: dict[str, int] = {}
    for q in found:
        for line in q.lines:
            numbers.setdefault(line.row["source"], len(numbers) + 1)
        for r in [*q.related, *q.statements]:
            numbers.setdefault(r["source"], len(numbers) + 1)
    ids = {line.row["id"]: line.row for q in found for line in q.lines}
    parts = [f"# {md(title or 'Where the sources disagree')}\n"]
    if not found:
        parts.append("_No quantity matched that more than one source states._")
    for i, q in enumerate(found, 1):
        unit = f" ({md(q.unit)})" if q.unit else ""
        parts.append(f"## {i}. {md(q.entity_name)}: {md(q.metric)}{unit}, {MARK[q.strongest]} {q.strongest}\n")
        header = ["Source", "Value", "On one axis", "Period", "Status", "Flags", "Relation", "Reason"]
        axis = axis_of([line.row for line in q.lines])
        body = []
        for line in q.lines:
            r = line.row
            rel = ""
            if line.relation is not None:
                other = ids.get(line.other or "")
                rel = f"{line.relation.mark} {line.relation.kind}" + (
                    f" [{numbers[other['source']]}]" if other is not None else ""
                )
            body.append(
                [
                    f"[{numbers[r['source']]}] {md(source_label(r))}",
                    md(value_text(r)),
                    # the figure view in a few characters: the same drawing as `pivot figure`
                    "`" + bar(r, axis, AXIS_WIDTH).replace(" ", "·") + "`",
                    md(r["period"]) or "not stated",
                    md(r["status"]) + (" (unreviewed)" if r["draft"] else ""),
                    md(", ".join(db.flags_of(r))),
                    rel,
                    md(line.relation.reason) if line.relation else "",
                ]
            )
        parts.append(_table(header, body))
        ends = [format_value(float(f"{x:.3g}"), float(f"{x:.3g}"), q.unit) for x in axis]
        parts.append(
            f'\nOn one axis: from {md(ends[0])} to {md(ends[1])} (● a figure, ╌ its "about" band, ━ a range, ▶ ◀ an open bound)'
        )
        if q.total > len(q.lines):
            parts.append(f"\n_+ {q.total - len(q.lines):,} more figures of this quantity_")
        if q.related:
            shown = " · ".join(
                f"[{numbers[r['source']]}] {md(value_text(r))} ({md(r['metric'])}{', ' + md(r['period']) if r['period'] else ''})"
                for r in q.related
            )
            parts.append(f"\nRelated measures: {shown}")
        if q.statements:
            said = " · ".join(f"[{numbers[r['source']]}] {md(r['summary'])}" for r in q.statements)
            parts.append(f"\nSources without a figure: {said}")
        parts.append("")
    if numbers:
        parts.append("## Sources\n\n" + _source_list(conn, numbers))
    return "\n".join(parts).rstrip("\n") + "\n"


def disputes_json(conn: sqlite3.Connection, found: list[Any]) -> str:
    out = []
    for q in found:
        out.append(
            {
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
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


# --- the comparison's headline grid (what the compare screen shows) -------------------------


def compare_headline_markdown(conn: sqlite3.Connection, grid: Any, *, statements: int = 2, title: str | None = None) -> str:
    """The headline grid as a GFM table: a row per topic (its statements) and per quantity
    (its distinct figures, with relation marks and source numbers), the same parts the
    compare screen draws (store.grid.figure_parts)."""
    from .grid import figure_parts, statements_text

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
                cells.append("<br>".join(md(s) for s in statements_text(cell, statements)) or " ")
            else:
                cells.append(md("".join(p for p, _ in figure_parts(grid, row, cell))))
        body.append(cells)
    names = " vs ".join(e["name"] for e in grid.entities)
    parts = [f"# {md(title or names)}\n", _table(header, body) if body else "_No claims for these entities._"]
    parts.append(
        f"\n{grid.disputed_cells} disputed cell{'s' if grid.disputed_cells != 1 else ''}. ⚠ another source contradicts "
        "the figure; ≠ another source differs (both can hold, or one states no period); ✓ another source states the "
        "same figure; [n] the sources below; a period in brackets where the figures are for more than one."
    )
    if grid.sources:
        parts.append("\n## Sources\n\n" + _source_list(conn, grid.sources))
    return "\n".join(parts) + "\n"
