"""A large export in store order, written on every core: the chosen claims' rowids are cut
into CHUNKS_PER_PART chunks per process, and the processes take chunks as they go, this
one from the front (writing each straight to the output: the first bytes come at once),
each worker process from the back (writing each into an unlinked temporary file); they
meet wherever the work balances (the first entities' claims have more related claims,
and take longer, than the last ones'). A chunk is taken under a lock on a shared file of
one byte a chunk (who took it). When none is left, the workers' chunks are copied in
order after this process's. The bytes are those of one process writing everything
(tests/test_export_fast.py): a CSV chunk has no header, a JSON chunk is records each
after a comma, a Markdown chunk is table rows numbered from where its range starts. The
chunks of a worker that fails (or finds another store) are written here. Run as
`python -m tui.store.export.parts` it is the worker (a job in JSON on standard input).
"""

from __future__ import annotations

import codecs
import fcntl
import itertools
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from .markup import md
from .records import Lookups
from .relations import RelationLister
from .selection import Selection
from .to_csv import csv_header, write_csv
from .to_json import write_json
from .to_markdown import ExportInfo, MarkdownTable, finish, table_header

PARALLEL_FROM = 100_000  # claims; a smaller export is written by one process
MAX_PARTS = 4
PARTS: int | None = None  # None: one process per core (at most MAX_PARTS)
CHUNKS_PER_PART = 16  # chunks of the rowid range per process: the work balances to within one


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


def _take(fd: int, count: int, who: int) -> int | None:
    """Take the first chunk no process has taken (this process, who = 0) or the last
    (a worker, who = 1, 2 ...): its index, or None when every chunk is taken."""
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        taken = os.pread(fd, count, 0)
        free = taken.find(0) if who == 0 else taken.rfind(0)
        if free < 0:
            return None
        os.pwrite(fd, bytes([who + 1]), free)
        return free
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


class _Writer:
    """One process's writer of chunks: what it read (sources, quantities) serves every chunk."""

    def __init__(self, conn: sqlite3.Connection, sel: Selection, fmt: str, job: dict[str, Any]) -> None:
        self.conn, self.sel, self.fmt = conn, sel, fmt
        self.look = Lookups(conn)
        self.lister = RelationLister(conn)
        self.table = MarkdownTable(conn, sel.numbering(conn), quotes=job["quotes"], ids=job["ids"]) if fmt == "md" else None

    def write(self, out: IO[str], span: tuple[int, int], *, first: int) -> tuple[int, bool]:
        """Write the claims of one rowid range: (claims written, a legend needed). `first`:
        the number of the range's first claim (1: no claim was written before it)."""
        batches = self.sel.batches(self.conn, span=span)
        if self.fmt == "csv":
            return write_csv(self.conn, out, batches, header=False, look=self.look, lister=self.lister), False
        if self.fmt == "json":
            n = write_json(
                self.conn, out, batches, bracket=False, first=first == 1, last=False, look=self.look, lister=self.lister
            )
            return n, False
        table = self.table
        assert table is not None
        table.i, table.legend = first - 1, False
        for rows in batches:
            out.write(table.rows(rows))
            if first == 1 and table.i == len(rows):
                out.flush()  # the first rows at once, not when a buffer fills
        return table.i - first + 1, table.legend

    def firsts(self, chunks: list[tuple[int, int]]) -> list[int]:
        """The number of each chunk's first claim (a Markdown export in parts is of every
        claim: counted by rowid, one pass over the smallest index)."""
        lo, width = chunks[0][0], chunks[0][1] - chunks[0][0]
        counts = [0] * len(chunks)
        for i, k in self.conn.execute("SELECT (rowid - ?) / ?, count(*) FROM claims GROUP BY 1", (lo, width)):
            if 0 <= i < len(counts):
                counts[i] = k
        return list(itertools.accumulate(counts, initial=1))[:-1]


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
    whole = sel.spans(conn, 1)
    if not whole:
        return None
    (lo, hi), count = whole[0], parts * CHUNKS_PER_PART
    width = -(-(hi - lo) // count)
    chunks = [(a, min(a + width, hi)) for a in range(lo, hi, width)]
    job = {
        "db": store[0],
        "corpus": store[1],
        "sel": [sel.where, list(sel.params), sel.query, list(sel.ids) if sel.ids is not None else None],
        "fmt": fmt,
        "quotes": quotes,
        "ids": ids,
        "chunks": chunks,
    }
    try:
        json.dumps(job)
    except (TypeError, ValueError):
        return None
    # the first bytes at once: the Markdown's title, header line and table header, the
    # CSV's header line, the JSON's bracket
    if fmt == "md":
        if sel.title:
            out.write(f"# {md(sel.title)}\n\n")
        if info is not None:
            out.write(info.line() + "\n\n")
        out.write(table_header(ids=ids, quotes=quotes))
    else:
        out.write(csv_header() if fmt == "csv" else "[")
    out.flush()
    with tempfile.TemporaryFile() as taken:
        fd = taken.fileno()
        os.pwrite(fd, bytes(len(chunks)), 0)
        workers = [_start(job, fd, who) for who in range(1, parts)]
        try:
            return _write_all(conn, out, sel, fmt, job, fd, workers)
        finally:
            for proc, tmp in workers:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                tmp.close()


def _write_all(
    conn: sqlite3.Connection,
    out: IO[str],
    sel: Selection,
    fmt: str,
    job: dict[str, Any],
    fd: int,
    workers: list[tuple[subprocess.Popen[bytes], IO[bytes]]],
) -> int:
    """This process's chunks from the front, then every other chunk in order: copied from
    the worker that wrote it, or written here."""
    chunks = job["chunks"]
    writer = _Writer(conn, sel, fmt, job)
    n, legend, done = 0, False, 0
    while _take(fd, len(chunks), 0) is not None:
        k, more = writer.write(out, chunks[done], first=n + 1)
        n, legend, done = n + k, legend or more, done + 1
    parts: dict[int, tuple[IO[bytes], int, int, int]] = {}  # chunk -> (file, start, end, claims)
    for worker in workers:
        got = _finish(worker)
        if got is None:  # the worker failed: this process writes its chunks
            proc, _ = worker
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            continue
        for chunk, start, end, k, more in got:
            parts[chunk] = (worker[1], start, end, k)
            legend = legend or more
    for i in range(done, len(chunks)):
        if i in parts:
            tmp, start, end, k = parts[i]
            _append(out, tmp, start, end, opens=fmt == "json" and n == 0 and k > 0)
        else:
            k, more = writer.write(out, chunks[i], first=n + 1)
            legend = legend or more
        n += k
    if fmt == "json":
        out.write("\n]\n" if n else "]\n")
    elif fmt == "md":
        assert writer.table is not None
        finish(conn, out, writer.table.numbers, legend)
    return n


def _start(job: dict[str, Any], fd: int, who: int) -> tuple[subprocess.Popen[bytes], IO[bytes]]:
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller; unlinked: nothing is left behind, however this ends
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.store.export.parts"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        pass_fds=(tmp.fileno(), fd),
        close_fds=True,
    )
    assert proc.stdin is not None
    proc.stdin.write(json.dumps({**job, "fd": tmp.fileno(), "taken": fd, "who": who, "parent": os.getpid()}).encode())
    proc.stdin.close()
    return proc, tmp


def _finish(worker: tuple[subprocess.Popen[bytes], IO[bytes]]) -> list[tuple[int, int, int, int, bool]] | None:
    """The chunks a worker wrote, (chunk, start, end, claims, a legend needed) each, else None."""
    proc, _ = worker
    assert proc.stdout is not None
    report = proc.stdout.read()
    if proc.wait() != 0:
        return None
    try:
        return [(int(c), int(a), int(b), int(k), bool(m)) for c, a, b, k, m in json.loads(report)["chunks"]]
    except (ValueError, KeyError, TypeError):
        return None


def _append(out: IO[str], tmp: IO[bytes], start: int, end: int, *, opens: bool = False) -> None:
    """Copy bytes [start, end) of a worker's file (UTF-8) to the output, a megabyte at a
    time. `opens`: a JSON chunk with the array's first record (the chunks before it had no
    claims): without its leading comma."""
    if opens:
        start += len(",")
    tmp.seek(start)
    buffer = getattr(out, "buffer", None)
    encoding = (getattr(out, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if buffer is not None and encoding == "utf8":
        out.flush()
        for piece in _pieces(tmp, end - start):
            buffer.write(piece)
        buffer.flush()
    else:  # a text stream of its own (the CLI's standard output): decoded as it goes
        decode = codecs.getincrementaldecoder("utf-8")().decode
        for piece in _pieces(tmp, end - start):
            out.write(decode(piece))
        out.write(decode(b"", True))


def _pieces(src: IO[bytes], size: int) -> Iterator[bytes]:
    while size > 0:
        got = src.read(min(size, 1 << 20))
        if not got:
            raise OSError("a worker's part ended early")
        yield got
        size -= len(got)


def _work(job: dict[str, Any]) -> dict[str, Any]:
    """The worker: take chunks from the back and write each to the file it was given."""
    from ..load import _die_with_parent
    from ..locate import open_readonly

    _die_with_parent(job["parent"])
    from pathlib import Path

    conn = open_readonly(Path(job["db"]))
    row = conn.execute("SELECT value FROM pivot_meta WHERE key = 'corpus_hash'").fetchone()
    if (row[0] if row else None) != job["corpus"]:
        raise SystemExit(3)  # another store took its place: the parent writes its chunks
    where, params, query, ids = job["sel"]
    sel = Selection(where, tuple(params), query, tuple(ids) if ids is not None else None)
    chunks = [tuple(c) for c in job["chunks"]]
    writer = _Writer(conn, sel, job["fmt"], job)
    firsts: list[int] | None = None
    wrote = []
    with os.fdopen(job["fd"], "w", encoding="utf-8", newline="", buffering=1 << 20) as fh:
        while (i := _take(job["taken"], len(chunks), job["who"])) is not None:
            fh.flush()
            start = os.lseek(fh.fileno(), 0, os.SEEK_CUR)
            # a Markdown chunk's rows are numbered from its first claim's place; a JSON
            # chunk is records after commas, whatever came before (first > 1)
            if job["fmt"] == "md" and firsts is None:
                firsts = writer.firsts(chunks)
            k, legend = writer.write(fh, chunks[i], first=firsts[i] if firsts is not None else 2)
            fh.flush()
            wrote.append((i, start, os.lseek(fh.fileno(), 0, os.SEEK_CUR), k, legend))
    return {"chunks": wrote}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(_work(json.loads(sys.stdin.read()))))
