"""The store under other processes and file permissions: a lock held by another process,
a rebuild or an update while a reader has the store open, two builds at once (threads
and processes), a read-only store or folder.

Permission tests run pivot in a child process whose capabilities to bypass file
permissions are dropped (the `permissions` fixture), so that they mean something as
root too.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from helpers import SMALL, assert_clear_error, cli, count, pivot_process, store_files
from tui.store import build as build_mod
from tui.store import build_store, ensure_store, load_corpus, open_readonly
from tui.store.files import file_states
from tui.store.locate import store_info

# --- other processes and threads ---------------------------------------------------------------


def test_a_store_locked_by_another_process(tmp_path: Path, small_store: tuple[Path, Path], monkeypatch) -> None:
    """Another process holds an exclusive lock: the CLI waits for SQLite's busy timeout,
    then builds a fresh store beside it (the holder keeps its own file open). The wait is
    1 s here, not LOCK_WAIT's 5 s (that one, and its word on standard error, are
    test_nothing_lost.py's, in a `pivot` child)."""
    from tui.store import locate

    monkeypatch.setattr(locate, "LOCK_WAIT", 1.0)
    data, db_path = small_store
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE')\n"
            "print(c.execute('SELECT count(*) FROM claims').fetchone()[0], flush=True)\n"
            "sys.stdin.readline()\n"
            "print(c.execute('SELECT count(*) FROM claims').fetchone()[0], flush=True)\n"
            "c.execute('ROLLBACK')\n",
            str(db_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "19"  # the lock is held from here on
        result = cli("list", "company:meta", "--data", data, "--db", db_path)
        assert result.stdout.rstrip().endswith("10 of 10 claims")
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "19"  # the holder still reads its store
    finally:
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0
    assert count(db_path) == 19
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert store_files(tmp_path) == {"store.db", "store.db.lock"}


def ids(conn: sqlite3.Connection, sql: str = "SELECT id FROM claims ORDER BY id") -> list[str]:
    return [r[0] for r in conn.execute(sql)]


@pytest.mark.parametrize("full", [True, False])
def test_a_rebuild_while_a_reader_has_the_store_open(tmp_path: Path, small_store: tuple[Path, Path], full: bool) -> None:
    """A full build replaces the file by a rename: a connection opened before keeps
    reading its own rows (and its text index); a new connection sees the new store. So
    does a change of topics.yaml applied with a source file's (store/baseupdate.py: both
    on a copy, renamed into place)."""
    data, db_path = small_store
    reader = open_readonly(db_path)
    before = ids(reader)
    fts = "SELECT claims.id FROM claims_fts JOIN claims ON claims.rowid = claims_fts.rowid WHERE claims_fts MATCH 'pods'"
    assert ids(reader, fts) == ["alpha-meta-pods"]
    (data / "sources" / "alpha-news.yaml").unlink()
    topics = data / "topics.yaml"
    topics.write_text(topics.read_text() + "  - {id: extra, label: Extra, order: 50}\n")
    ready = ensure_store(data, db_path, force=full)
    assert ready.built is not None and ready.built.mode == ("full" if full else "update")
    assert ready.built.base_files == ([] if full else ["topics.yaml"])
    assert ids(reader) == before and len(before) == 19
    assert ids(reader, fts) == ["alpha-meta-pods"]
    assert reader.execute("SELECT count(*) FROM topics").fetchone()[0] == 4
    fresh = open_readonly(db_path)
    assert len(ids(fresh)) == 10 and ids(fresh, fts) == []
    assert fresh.execute("SELECT count(*) FROM topics").fetchone()[0] == 5
    reader.close()
    fresh.close()


def test_an_in_place_update_while_a_reader_has_the_store_open(tmp_path: Path, small_store: tuple[Path, Path]) -> None:
    """An update is one transaction: a reader between two queries sees all of it or none."""
    data, db_path = small_store
    reader = open_readonly(db_path)
    assert len(ids(reader)) == 19
    path = data / "sources" / "beta-blog.yaml"
    path.write_text(path.read_text().replace("Meta may cut 20 %", "Meta might cut 20 %"))
    assert ensure_store(data, db_path).built.mode == "update"
    assert len(ids(reader)) == 19
    assert reader.execute("SELECT summary FROM claims WHERE id = 'beta-meta-cut-pct'").fetchone()[0].startswith("Meta might")
    reader.close()


def test_two_builds_at_once_leave_one_good_store(tmp_path: Path, small_store: tuple[Path, Path], monkeypatch) -> None:
    """The second build waits for the first (the lock file), then replaces its store;
    the result is one whole store and no temporary file."""
    import fcntl

    data, db_path = small_store
    corpus_ = load_corpus(data)
    first_inside, second_waiting, release = threading.Event(), threading.Event(), threading.Event()
    real_write, real_flock = build_mod._write, fcntl.flock

    def slow_write(path, *args):
        if threading.current_thread().name == "first":
            first_inside.set()
            assert release.wait(30)
        return real_write(path, *args)

    def flock(fd, op):
        if threading.current_thread().name == "second" and op == fcntl.LOCK_EX:
            second_waiting.set()
        return real_flock(fd, op)

    monkeypatch.setattr(build_mod, "_write", slow_write)
    monkeypatch.setattr(fcntl, "flock", flock)
    reports, errors = {}, []

    def build(name: str) -> None:
        try:
            reports[name] = build_store(corpus_, db_path, file_states(data))
        except BaseException as exc:
            errors.append(exc)

    first = threading.Thread(target=build, args=("first",), name="first")
    second = threading.Thread(target=build, args=("second",), name="second")
    first.start()
    assert first_inside.wait(30)
    second.start()
    assert second_waiting.wait(30)
    # the first build is writing its temporary file; the second waits at the lock
    assert len([p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]) == 1
    release.set()
    first.join(60)
    second.join(60)
    assert not errors and set(reports) == {"first", "second"}
    assert count(db_path) == 19
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert store_files(tmp_path) == {"store.db", "store.db.lock"}


def test_two_pivot_build_processes_at_once(tmp_path: Path, small_store: tuple[Path, Path]) -> None:
    data, db_path = small_store
    procs = [pivot_process("build", "--full", "--data", data, "--db", db_path) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    assert all(out.startswith(f"built {db_path}: 3 sources, 5 entities, 19 claims") for out, _ in outs)
    assert count(db_path) == 19
    assert store_info(db_path)["corpus_hash"]
    assert store_files(tmp_path) == {"store.db", "store.db.lock"}


# --- file permissions: enforced in a child process even when the tests run as root ---------------


def test_a_read_only_store_is_used_as_it_is(tmp_path: Path, permissions) -> None:
    chmod, run = permissions
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    cache = tmp_path / "cache"
    db_path = cache / "store.db"
    ensure_store(data, db_path)
    before = db_path.read_bytes()
    chmod(db_path, 0o444)
    chmod(cache, 0o555)
    result = run("list", "company:meta", "--data", data, "--db", db_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("10 of 10 claims") and result.stderr == ""
    assert db_path.read_bytes() == before


def test_a_read_only_store_that_is_out_of_date(tmp_path: Path, permissions) -> None:
    """The corpus changed, but the store cannot be written: show the store as it is
    with a warning, or say clearly that its folder is read-only; never name a temporary file."""
    chmod, run = permissions
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    cache = tmp_path / "cache"
    db_path = cache / "store.db"
    ensure_store(data, db_path)
    before = db_path.read_bytes()
    path = data / "sources" / "beta-blog.yaml"
    path.write_text(path.read_text().replace("Meta may cut 20 %", "Meta might cut 20 %"))
    chmod(db_path, 0o444)
    chmod(cache, 0o555)
    result = run("list", "company:meta", "--data", data, "--db", db_path)
    if result.returncode == 0:
        assert result.stdout.rstrip().endswith("10 of 10 claims")
        assert result.stderr.startswith("warning: ") and str(db_path) in result.stderr
    else:
        assert result.returncode == 1
        assert_clear_error(result.stderr, str(cache))
    assert db_path.read_bytes() == before
    assert store_files(cache) == {"store.db", "store.db.lock"}


def test_pivot_build_into_a_read_only_folder(tmp_path: Path, permissions) -> None:
    chmod, run = permissions
    cache = tmp_path / "cache"
    cache.mkdir()
    chmod(cache, 0o555)
    result = run("build", "--data", SMALL, "--db", cache / "store.db")
    assert result.returncode == 1
    assert_clear_error(result.stderr, str(cache))
    assert list(cache.iterdir()) == []


def test_closing_the_pool_never_closes_a_connection_in_use(small_db: Path) -> None:
    """The explorer closes its pool when the store is replaced while workers still read: a
    connection closed under a running statement can crash the process (it did, once, in
    the suite). A busy connection is closed when its job gives it back; a job that starts
    after close gets a connection of its own, closed when it is done."""
    from tui.store.pool import ConnectionPool

    pool = ConnectionPool(small_db)
    pool.run(lambda conn: conn.execute("SELECT 1").fetchone())  # one idle connection
    started, go_on = threading.Event(), threading.Event()
    seen: list = []

    def job(conn: sqlite3.Connection):
        started.set()
        go_on.wait(10)
        seen.append(conn)
        return conn.execute("SELECT count(*) FROM claims").fetchone()[0]  # after close: still open

    out: list = []
    worker = threading.Thread(target=lambda: out.append(pool.run(job)))
    worker.start()
    assert started.wait(10)
    pool.close()
    go_on.set()
    worker.join(10)
    assert out and out[0] > 0
    with pytest.raises(sqlite3.ProgrammingError):  # closed once given back
        seen[0].execute("SELECT 1")
    late: list = []
    assert pool.run(lambda conn: (late.append(conn), conn.execute("SELECT 1").fetchone()[0])[1]) == 1
    with pytest.raises(sqlite3.ProgrammingError):
        late[0].execute("SELECT 1")
