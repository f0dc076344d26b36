"""The read-only connection pool the explorer's workers share."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from .errors import as_store_error
from .locate import open_readonly

_P = ParamSpec("_P")
_T = TypeVar("_T")


class ConnectionPool:
    """Read-only connections handed to worker threads, one at a time each.

    SQLite connections must not be used by two threads at once; workers take
    one, use it, and give it back. `interrupt_all` stops queries whose results
    are no longer wanted (a newer keystroke superseded them): work run with
    `run_for(generation, ...)` is interrupted (sqlite3 Connection.interrupt, from
    any thread) once a newer generation is announced, and is not started at all
    if it is already older than that.
    """

    def __init__(self, db_path: Path, size: int = 4):
        import queue

        self.db_path = db_path
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._semaphore = threading.BoundedSemaphore(size)
        self._jobs: dict[sqlite3.Connection, int] = {}  # connection -> the generation its job serves
        self._newest = 0  # the newest generation interrupt_all was told of
        self._closed = False  # closed: connections are closed as they come back, never reused

    def _take(self) -> sqlite3.Connection:
        import queue

        self._semaphore.acquire()
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            try:
                conn = open_readonly(self.db_path, check_same_thread=False)
            except BaseException:
                self._semaphore.release()
                raise
            with self._lock:
                self._all.append(conn)
            return conn

    def _give(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            closed = self._closed
            if closed:
                self._all.remove(conn)
        if closed:  # the pool was closed while this job ran: this is the connection's end
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        else:
            self._idle.put(conn)
        self._semaphore.release()

    def run(self, fn: Callable[Concatenate[sqlite3.Connection, _P], _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """fn(conn, *args, **kwargs) on a pooled connection."""
        conn = self._take()
        try:
            return fn(conn, *args, **kwargs)
        except UnicodeDecodeError as exc:  # a damaged store: every caller's `except sqlite3.Error` sees it
            raise as_store_error(exc) from exc
        finally:
            self._give(conn)

    def run_for(
        self, generation: int, fn: Callable[Concatenate[sqlite3.Connection, _P], _T], *args: _P.args, **kwargs: _P.kwargs
    ) -> _T:
        """run(fn, ...) as the work of one keystroke: sqlite3.OperationalError ("interrupted")
        when a newer generation supersedes it, before it starts or while it runs. (A statement
        is reset when its cursor goes, at the end of the job at the latest, so an interrupt
        never reaches the next job on the connection.)"""
        conn = self._take()
        try:
            with self._lock:
                if generation < self._newest:
                    raise sqlite3.OperationalError("interrupted: a newer query superseded this one")
                self._jobs[conn] = generation
            try:
                return fn(conn, *args, **kwargs)
            finally:
                with self._lock:
                    del self._jobs[conn]
        except UnicodeDecodeError as exc:
            raise as_store_error(exc) from exc
        finally:
            self._give(conn)

    def interrupt_all(self, older_than: int | None = None) -> int:
        """Interrupt the statements of run_for jobs older than `older_than` (every run_for job
        when None), and refuse those not yet started; how many were running. Thread-safe:
        the UI thread calls it when a keystroke starts a new query."""
        with self._lock:
            if older_than is not None:
                self._newest = max(self._newest, older_than)
            running = [conn for conn, gen in self._jobs.items() if older_than is None or gen < older_than]
            for conn in running:
                conn.interrupt()
        return len(running)

    def close(self) -> None:
        """Close the idle connections now and each busy one when its job gives it back:
        closing a connection while another thread runs a statement on it can crash the
        process (it did, in the explorer's reload after the store was replaced). A busy job
        finishes (not interrupted: its caller would report "interrupted" as a store failure);
        a job that starts after close gets a connection of its own, closed when it is done."""
        import queue

        with self._lock:
            self._closed = True
            idle = []
            while True:
                try:
                    idle.append(self._idle.get_nowait())
                except queue.Empty:
                    break
            for conn in idle:
                self._all.remove(conn)
        for conn in idle:
            with contextlib.suppress(sqlite3.Error):
                conn.close()


# How much less a worker thread's claim on a core is than the UI thread's (its nice value,
# added once when the thread starts: the explorer runs Textual's thread workers on an
# executor whose threads begin with lower_thread_priority, PivotApp.run_async). The
# workers' statements (a text search's facets and counts over 1M claims) take far more CPU
# than the loop's frames; when they and the loop want the same core (one core busy with
# something else), the loop went second and a key's echo waited. Measured at 1M claims in
# a pty (benchmarks/pty_probe.py, three A/B pairs alternating, docs/performance.md): with
# a core kept busy a person's echo median 19-21 -> 7-11 ms, their rows 26-27 -> 14-20 ms.
WORKER_NICE = 10


def lower_thread_priority() -> None:
    """Lower the calling thread's scheduling priority by WORKER_NICE (Linux, where a thread
    has a nice value of its own; never the main thread, which draws the screen). Processes
    the thread starts inherit it. It is an executor's initializer: it must never raise (an
    initializer that raises breaks the executor for every worker after it)."""
    if sys.platform != "linux" or threading.current_thread() is threading.main_thread():
        return
    tid = threading.get_native_id()
    with contextlib.suppress(OSError):  # not allowed or not there: the thread keeps its priority
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + WORKER_NICE)
