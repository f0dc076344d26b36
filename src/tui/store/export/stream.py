"""Writing the claims a Selection chooses, in any format, streaming: one function for the
CLI, the explorer's dialog, its preview and the tests (stream_claims), and its string form
for small lists of rows (render_claims)."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import IO

from .. import db
from .records import Row, row_of
from .selection import BATCH, ExportError, Selection, check_format
from .to_csv import write_csv
from .to_json import write_json
from .to_markdown import ExportInfo, write_markdown


def write_claims(
    conn: sqlite3.Connection,
    out: IO[str],
    batches: Iterable[list[Row]],
    fmt: str,
    numbering: Callable[[], dict[str, int]],
    *,
    quotes: bool = False,
    title: str | None = None,
    info: ExportInfo | None = None,
    ids: bool = False,
) -> int:
    """Write the claims of `batches` (ROW_COLUMNS tuples) to `out` in `fmt`; returns how many
    were written. `numbering` gives the Markdown's source numbers when the first row comes."""
    if fmt == "md":
        return write_markdown(conn, out, batches, numbering, quotes=quotes, title=title, info=info, ids=ids)
    if fmt == "csv":
        return write_csv(conn, out, batches)
    if fmt == "json":
        return write_json(conn, out, batches)
    raise ExportError(f"unknown format {fmt!r}; expected one of md, csv, json")


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
    """Write the claims `sel` chooses, streaming, in store order (or sel.sort's). A large
    export in store order is cut into rowid ranges written side by side on every core
    (export/parts.py): the same bytes, the first of them at once."""
    check_format(fmt)
    if limit is None and sel.sort is None:
        from .parts import stream_in_parts

        written = stream_in_parts(conn, out, sel, fmt, quotes=quotes, info=info, ids=ids)
        if written is not None:
            return written
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


def _chunks(rows: list[sqlite3.Row], size: int = BATCH) -> Iterator[list[Row]]:
    for i in range(0, len(rows), size):
        yield [row_of(r) for r in rows[i : i + size]]


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
    """The export of `rows` (sqlite3.Rows of db.CLAIM_COLUMNS) as one string (small exports,
    the comparison's CSV, tests)."""
    check_format(fmt)
    buf = io.StringIO()
    write_claims(conn, buf, _chunks(rows), fmt, lambda: db.source_numbers(rows), quotes=quotes, title=title, info=info, ids=ids)
    return buf.getvalue()


def claims_markdown(conn: sqlite3.Connection, rows: list[sqlite3.Row], header: bool = False) -> str:
    """The explorer's `y`: the claims as the Markdown export writes them, its table rows (the
    export's columns and numbering: they paste under its header), then the legend and the
    numbered sources their [n] cite; with `header`, the table's header first (a table alone).
    The export's title and query line are left out."""
    text = render_claims(conn, rows, "md")
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("| ")), len(lines))
    return "\n".join(lines[start if header else start + 2 :]) + "\n"
