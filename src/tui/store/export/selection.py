"""What an export writes: the claims a filter or a pick chooses (Selection), in store order
or a sort's, read a batch at a time as ROW_COLUMNS tuples; the format and the file name."""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..db import SORT_KEYS
from .records import SELECT_ROW, Row

FORMATS = ("md", "csv", "json")
EXTENSIONS = {".md": "md", ".markdown": "md", ".csv": "csv", ".json": "json"}
BATCH = 500  # claims read, and their relations looked up, at a time


class ExportError(Exception):
    """The export could not be written; the message says why. Nothing was written."""


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


@dataclass(frozen=True)
class Selection:
    """Which claims an export writes: a filter's WHERE clause (over `claims`), or ids, in
    store order or ordered by `sort` = (a key of db.SORT_KEYS, descending) over the whole
    result, as the explorer's table shows it."""

    where: str = "1"
    params: tuple[Any, ...] = ()
    query: str | None = ""  # the query text; None for the selected claims
    ids: tuple[str, ...] | None = None
    sort: tuple[str, bool] | None = None

    @classmethod
    def of_ids(cls, ids: Any, sort: tuple[str, bool] | None = None) -> Selection:
        chosen = tuple(sorted(ids))
        return cls("claims.id IN (SELECT value FROM json_each(?))", (json.dumps(chosen),), None, chosen, sort)

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

    @property
    def order(self) -> str:
        """The ORDER BY of the export: identifiers from db.SORT_KEYS only, never user text."""
        if self.sort is None:
            return "claims.rowid"
        key, descending = self.sort
        return SORT_KEYS[key][1 if descending else 0]

    def _scope(self, limit: int | None, span: tuple[int, int] | None) -> tuple[str, list[Any]]:
        """WHERE ... ORDER BY ... [LIMIT], over `claims`; `span` a rowid range [lo, hi)."""
        where, params = self.where, list(self.params)
        if span is not None:
            where = f"({where}) AND claims.rowid >= ? AND claims.rowid < ?"
            params += list(span)
        sql = f"WHERE {where} ORDER BY {self.order}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return sql, params

    def batches(
        self, conn: sqlite3.Connection, limit: int | None = None, span: tuple[int, int] | None = None
    ) -> Iterator[list[Row]]:
        """The chosen claims as ROW_COLUMNS tuples, BATCH at a time."""
        scope, params = self._scope(limit, span)
        cur = conn.cursor()
        cur.row_factory = None
        cur.execute(f"SELECT {SELECT_ROW} FROM claims {scope}", params)
        while True:
            rows = cur.fetchmany(BATCH)
            if not rows:
                return
            yield rows

    def numbering(self, conn: sqlite3.Connection, limit: int | None = None) -> dict[str, int]:
        """Sources numbered 1..n in the order they first appear (one pass over source ids)."""
        if self.sort is None:
            scope, params = self._scope(limit, None)
            inner = f"SELECT claims.rowid AS r, claims.source AS s FROM claims {scope}"
        else:
            scope, params = self._scope(limit, None)
            inner = f"SELECT row_number() OVER (ORDER BY {self.order}) AS r, claims.source AS s FROM claims {scope}"
        rows = conn.execute(f"SELECT s, min(r) AS first FROM ({inner}) GROUP BY s ORDER BY first", params)
        return {r[0]: i for i, r in enumerate(rows, 1)}

    def spans(self, conn: sqlite3.Connection, parts: int, head: float | None = None) -> list[tuple[int, int]]:
        """The chosen claims (store order) cut into at most `parts` rowid ranges [lo, hi):
        spans of rowids between the first claim and the last (two look-ups, no count: a
        full store's rowids are its claims in order), the first `head` of the whole (else
        as long as the others), the others equal."""
        ends = (
            conn.execute(
                f"SELECT claims.rowid FROM claims WHERE {self.where} ORDER BY claims.rowid {way} LIMIT 1", self.params
            ).fetchone()
            for way in ("", "DESC")
        )
        first, last = ends
        if first is None or last is None:
            return []
        lo, hi = first[0], last[0] + 1
        head = (1 / parts) if head is None else head
        cuts = sorted({lo} | {lo + int((hi - lo) * (head + (1 - head) * k / (parts - 1))) for k in range(parts - 1)} | {hi})
        return list(itertools.pairwise(cuts))

    def before(self, conn: sqlite3.Connection, rowid: int) -> int:
        """How many of the chosen claims come before `rowid` in store order."""
        sql = f"SELECT count(*) FROM claims WHERE ({self.where}) AND claims.rowid < ?"
        return int(conn.execute(sql, [*self.params, rowid]).fetchone()[0])


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
