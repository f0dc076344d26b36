"""A large export in store order, written on every core: the chosen claims are cut into
rowid ranges of about as many claims; this process writes the first range straight to
the output (the first bytes come at once) while a worker process per other range writes
its part to an unlinked temporary file; the parts follow in order. The bytes are those
of one process writing everything (tests/test_export_fast.py): a CSV part has no header,
a JSON part is records after a comma, a Markdown part is table rows numbered from where
its range starts. A worker that fails (or finds another store) leaves its range to this
process. Run as `python -m tui.store.export.parts` it is the worker (a job in JSON on
standard input).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from typing import IO, Any

from .markup import md
from .selection import Selection
from .to_csv import write_csv
from .to_json import write_json
from .to_markdown import ExportInfo, MarkdownTable, finish

PARALLEL_FROM = 100_000  # claims; a smaller export is written by one process
MAX_PARTS = 4
PARTS: int | None = None  # None: one part per core (at most MAX_PARTS)
MARKDOWN_SHARE = 0.9  # of an equal range, this process's range of a Markdown export


def _parts() -> int:
    if PARTS is not None:
        return PARTS
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_PARTS))


def _store_of(conn: sqlite3.Connection) -> tuple[str, str | None] | None:
    """The store's file and corpus hash (a worker opens the same store, and checks it is)."""
    path = next((r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main"), "")
    if not path:
        return None
    row = conn.execute("SELECT value FROM pivot_meta WHERE key = 'corpus_hash'").fetchone()
    return path, (row[0] if row else None)


def stream_in_parts(
    conn: sqlite3.Connection, out: IO[str], sel: Selection, fmt: str, *, quotes: bool, info: ExportInfo | None, ids: bool
) -> int | None:
    """Write the export in parts, or return None when one process should write it: one core,
    a small export, or a Markdown of a filter (its source numbers follow the rows written,
    sources outside the filter included, so a later part cannot know them in advance)."""
    parts = _parts()
    if parts < 2 or sel.sort is not None or (fmt == "md" and (sel.where != "1" or sel.ids is not None)):
        return None
    enough = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM claims WHERE {sel.where} LIMIT ?)", [*sel.params, PARALLEL_FROM])
    if enough.fetchone()[0] < PARALLEL_FROM:
        return None
    store = _store_of(conn)
    if store is None:
        return None
    job = {
        "db": store[0],
        "corpus": store[1],
        "sel": [sel.where, list(sel.params), sel.query, list(sel.ids) if sel.ids is not None else None],
        "fmt": fmt,
        "quotes": quotes,
        "ids": ids,
    }
    try:
        json.dumps(job)
    except (TypeError, ValueError):
        return None
    # this process also writes what follows the claims (the Markdown's source list) and
    # copies the other parts: its range is a little shorter than the others
    spans = sel.spans(conn, parts, (MARKDOWN_SHARE if fmt == "md" else 1.0) / parts)
    if len(spans) < 2:
        return None
    if fmt == "md":
        if sel.title:
            out.write(f"# {md(sel.title)}\n\n")
        if info is not None:
            out.write(info.line() + "\n\n")
        out.flush()  # the first bytes at once
    workers = [_start(job, span) for span in spans[1:]]
    try:
        n, legend, numbers = _write_part(conn, out, sel, fmt, spans[0], job, starts=True, first=True)
        for span, worker in zip(spans[1:], workers):
            got = _finish(worker)
            if got is None:  # the worker failed: this process writes its range
                k, more, _ = _write_part(conn, out, sel, fmt, span, job, starts=False, first=n == 0)
            else:
                k, more = got
                _append(out, worker[1], opens=fmt == "json" and n == 0 and k > 0)
            n += k
            legend = legend or more
    finally:
        for proc, tmp in workers:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            tmp.close()
    if fmt == "json":
        out.write("\n]\n" if n else "]\n")
    elif fmt == "md":
        finish(conn, out, numbers or {}, legend)
    return n


def _write_part(
    conn: sqlite3.Connection,
    out: IO[str],
    sel: Selection,
    fmt: str,
    span: tuple[int, int],
    job: dict[str, Any],
    *,
    starts: bool,
    first: bool,
) -> tuple[int, bool, dict[str, int] | None]:
    """Write the claims of one rowid range: (claims written, a legend needed, the numbers).
    `starts`: the output starts with this range (the CSV's header, the JSON's bracket, the
    Markdown table's header); `first`: no claim was written before it (no comma in JSON)."""
    batches = sel.batches(conn, span=span)
    if fmt == "csv":
        return write_csv(conn, out, batches, header=starts), False, None
    if fmt == "json":
        return write_json(conn, out, batches, bracket=starts, first=first, last=False), False, None
    table = MarkdownTable(conn, sel.numbering(conn), first=sel.before(conn, span[0]) + 1, quotes=job["quotes"], ids=job["ids"])
    if starts:
        out.write(table.header())
    start = table.i
    for rows in batches:
        out.write(table.rows(rows))
        if starts and table.i - start == len(rows):
            out.flush()  # the first bytes at once, not when a buffer fills
    return table.i - start, table.legend, table.numbers


def _start(job: dict[str, Any], span: tuple[int, int]) -> tuple[subprocess.Popen[bytes], IO[bytes]]:
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller; unlinked: nothing is left behind, however this ends
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.store.export.parts"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        pass_fds=(tmp.fileno(),),
        close_fds=True,
    )
    assert proc.stdin is not None
    proc.stdin.write(json.dumps({**job, "span": list(span), "fd": tmp.fileno(), "parent": os.getpid()}).encode())
    proc.stdin.close()
    return proc, tmp


def _finish(worker: tuple[subprocess.Popen[bytes], IO[bytes]]) -> tuple[int, bool] | None:
    """(claims written, a legend needed) of a worker that wrote its part, else None."""
    proc, _ = worker
    assert proc.stdout is not None
    report = proc.stdout.read()
    if proc.wait() != 0:
        return None
    try:
        got = json.loads(report)
        return int(got["n"]), bool(got["legend"])
    except (ValueError, KeyError, TypeError):
        return None


def _append(out: IO[str], tmp: IO[bytes], *, opens: bool = False) -> None:
    """Copy a worker's part (UTF-8) to the output. `opens`: a JSON part with the array's
    first record (the ranges before it had no claims): without its leading comma."""
    tmp.seek(0)
    if opens:
        tmp.seek(len(","))
    buffer = getattr(out, "buffer", None)
    encoding = (getattr(out, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if buffer is not None and encoding == "utf8":
        out.flush()
        shutil.copyfileobj(tmp, buffer, 1 << 20)
        buffer.flush()
    else:
        shutil.copyfileobj(io.TextIOWrapper(tmp, encoding="utf-8", newline=""), out, 1 << 20)


def _work(job: dict[str, Any]) -> dict[str, Any]:
    """The worker: write one range of the export to the file descriptor it was given."""
    from ..load import _die_with_parent
    from ..locate import open_readonly

    _die_with_parent(job["parent"])
    from pathlib import Path

    conn = open_readonly(Path(job["db"]))
    row = conn.execute("SELECT value FROM pivot_meta WHERE key = 'corpus_hash'").fetchone()
    if (row[0] if row else None) != job["corpus"]:
        raise SystemExit(3)  # another store took its place: the parent writes this range
    where, params, query, ids = job["sel"]
    sel = Selection(where, tuple(params), query, tuple(ids) if ids is not None else None)
    span = tuple(job["span"])
    with os.fdopen(job["fd"], "w", encoding="utf-8", newline="", buffering=1 << 20) as fh:
        n, legend, _ = _write_part(conn, fh, sel, job["fmt"], span, job, starts=False, first=False)
    return {"n": n, "legend": legend}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(_work(json.loads(sys.stdin.read()))))
