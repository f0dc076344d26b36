"""Work a newer keystroke supersedes stops: the pool interrupts the statements of older
generations (sqlite3 Connection.interrupt from the UI thread) and refuses to start them."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import threading
from pathlib import Path

import pytest

from pilot import settle
from tui.app import PivotApp
from tui.store import db
from tui.store.pool import WORKER_NICE, ConnectionPool, lower_thread_priority

BUNDLED = Path(__file__).resolve().parents[1] / "data"
# a statement that runs for a minute or more unless it is interrupted
ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM (SELECT x FROM c LIMIT 200000000)"
FINITE = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM (SELECT x FROM c LIMIT 300000)"


def running(started: threading.Event, sql: str):
    """A job that says when its statement is under way (from SQLite's progress handler)."""

    def job(conn: sqlite3.Connection) -> int:
        conn.set_progress_handler(lambda: started.set() or 0, 1_000)
        try:
            return conn.execute(sql).fetchone()[0]
        finally:
            conn.set_progress_handler(None, 0)

    return job


def in_thread(fn) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def target() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:  # handed to the test
            out["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    return thread, out


def test_a_superseded_statement_is_interrupted_while_it_runs(small_db: Path) -> None:
    pool = ConnectionPool(small_db)
    started = threading.Event()
    thread, out = in_thread(lambda: pool.run_for(1, running(started, ENDLESS)))
    assert started.wait(30)
    assert pool.interrupt_all(older_than=2) == 1
    thread.join(60)
    assert not thread.is_alive()
    assert isinstance(out.get("error"), sqlite3.OperationalError) and "interrupted" in str(out["error"])
    assert pool.run(lambda conn: conn.execute("SELECT count(*) FROM claims").fetchone()[0]) > 0  # the connection serves on
    pool.close()


def test_superseded_work_does_not_start_and_current_work_runs_on(small_db: Path) -> None:
    pool = ConnectionPool(small_db)
    pool.interrupt_all(older_than=5)
    ran = []
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        pool.run_for(4, lambda conn: ran.append(conn))
    assert ran == []
    started = threading.Event()
    thread, out = in_thread(lambda: pool.run_for(5, running(started, FINITE)))
    assert started.wait(30)
    assert pool.interrupt_all(older_than=5) == 0  # the current generation is not touched
    thread.join(60)
    assert out == {"value": 300_000}
    pool.close()


async def test_typing_interrupts_the_older_keystrokes_exact_count(bundled_db: Path, monkeypatch) -> None:
    started, stopped, exact = threading.Event(), [], []

    def slow_count(conn, flt, cap=None, budget=None):
        if cap is not None:  # the quick, capped count
            return 1_000, True
        exact.append(flt)
        if len(exact) > 1:  # the newer keystroke's count
            return 7, False
        try:
            return running(started, ENDLESS)(conn), False
        except sqlite3.OperationalError as exc:
            stopped.append(str(exc))
            raise

    monkeypatch.setattr(db, "count_matches", slow_count)
    app = PivotApp(data_dir=BUNDLED, db_path=bundled_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert await asyncio.to_thread(started.wait, 30)  # the opening filter's exact count is under way
        app.main.query_input.focus()
        await pilot.press("m")
        await settle(pilot)  # would wait for minutes if the count went on
        assert stopped and "interrupted" in stopped[0]
        assert app.main.query_text == "m" and app.main.result is not None and app.main.result.text == "m"


def test_a_deadline_interrupts_its_statements_and_nothing_after_its_block(small_db: Path) -> None:
    """db.deadline stops a statement that outlives it, and one started in its block after it
    passed; a statement after the block runs whole, however late (the watchdog's interrupt
    is never issued once the block is left)."""
    import time

    conn = sqlite3.connect(f"file:{small_db}?mode=ro", uri=True, check_same_thread=False)
    try:
        t0 = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="interrupted"), db.deadline(conn, 0.05):
            conn.execute(ENDLESS).fetchone()
        assert time.monotonic() - t0 < 5
        with pytest.raises(sqlite3.OperationalError, match="interrupted"), db.deadline(conn, 0.02):
            assert conn.execute("SELECT 1").fetchone()[0] == 1  # in time
            time.sleep(0.1)  # the deadline passes between two statements
            conn.execute(ENDLESS).fetchone()
        with db.deadline(conn, 0.02):
            assert conn.execute("SELECT 1").fetchone()[0] == 1
        time.sleep(0.1)  # long past that block's deadline
        assert conn.execute(FINITE).fetchone()[0] == 300_000
        with db.deadline(conn, 30):
            assert conn.execute(FINITE).fetchone()[0] == 300_000
    finally:
        conn.close()


def _nice() -> int:
    """The calling thread's own nice value."""
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@pytest.mark.skipif(sys.platform != "linux", reason="a thread's own nice value is Linux's")
def test_the_explorer_s_worker_threads_run_below_the_ui_thread_s_priority(bundled_db: Path) -> None:
    """The explorer as `pivot` runs it (App.run): its thread workers and its asyncio.to_thread
    jobs start at WORKER_NICE below the UI thread (at most Linux's lowest, 19), which keeps its own."""
    main = _nice()
    if main >= 19:
        pytest.skip("the tests run at Linux's lowest priority: there is none lower to give a worker")
    lower_thread_priority()  # the main thread: never lowered
    assert _nice() == main
    seen: dict[str, int] = {}

    async def drive(pilot) -> None:
        seen["worker"] = await pilot.app.run_worker(_nice, thread=True).wait()
        seen["to_thread"] = await asyncio.to_thread(_nice)
        seen["ui"] = _nice()
        pilot.app.exit()

    PivotApp(data_dir=BUNDLED, db_path=bundled_db).run(headless=True, size=(120, 40), auto_pilot=drive)
    lowered = min(main + WORKER_NICE, 19)
    assert seen == {"worker": lowered, "to_thread": lowered, "ui": main}
    assert _nice() == main
