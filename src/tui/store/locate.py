# Long because finding, checking, recovering and pooling the store are one lifecycle (a check may
# roll back a journal under the build lock before the pool opens the file).
"""Finding the corpus and the store, and keeping the store current.

The store is found by itself: --db, else $PIVOT_DB, else a file in the user
cache directory named after the corpus directory. It is rebuilt when it is
missing, unreadable, of another schema version, or built from other corpus
bytes than the ones on disk now.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from .model import CorpusError
from .schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from .build import BuildReport


def bundled_data_dir() -> Path:
    """The corpus shipped with pivot: inside the wheel (tui/data), or data/ of a source checkout."""
    packaged = Path(str(resources.files("tui"))) / "data"
    if (packaged / "entities.yaml").is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "data"


def default_data_dir() -> Path:
    env = os.environ.get("PIVOT_DATA")
    return Path(env) if env else bundled_data_dir()


def default_db_path(data_dir: Path) -> Path:
    env = os.environ.get("PIVOT_DB")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    key = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
    return Path(user_cache_dir("pivot")) / f"pivot-{key}.db"


# --- waits that last say what they wait for -----------------------------------------------

_WAIT_NOTICE: list[Callable[[str], None]] = []  # who is told (the CLI: standard error)


def waiting(message: str) -> None:
    """Say what a wait that may last is waiting for (another build holding the lock, a lock
    another program holds on the store), to whoever listens (see waits_said)."""
    for tell in _WAIT_NOTICE[-1:]:
        tell(message)


@contextlib.contextmanager
def waits_said(tell: Callable[[str], None]) -> Iterator[None]:
    """While inside, waits are said through `tell` (the CLI writes them to standard error;
    the explorer, drawing the terminal, leaves them unsaid and works in the background)."""
    _WAIT_NOTICE.append(tell)
    try:
        yield
    finally:
        _WAIT_NOTICE.remove(tell)


LOCK_WAIT = 5.0  # seconds a read waits for a lock another program holds on the store


class StoreError(sqlite3.DatabaseError):
    # a kind of database error, so that every worker's `except sqlite3.Error` also
    # catches a store that vanished or broke after start-up
    """The store cannot be opened or used; the message says why and what to do."""


def open_readonly(db_path: Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """Open the store for reading only; the explorer and the CLI never write to it."""
    if not db_path.is_file():
        raise StoreError(f"{db_path}: no such store (run `pivot build`)")
    uri = f"file:{db_path.resolve().as_posix()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=check_same_thread)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA query_only=1")
        return conn
    except sqlite3.Error as exc:
        raise StoreError(f"{db_path}: cannot open: {exc}") from exc


def journal_path(db_path: Path) -> Path:
    """The rollback journal SQLite keeps beside the store while a write is under way."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + "-journal")


def roll_back_journal(db_path: Path, *, drop: bool = False) -> None:
    """Undo what a killed writer left half done. The caller holds the build lock, so no
    pivot writer is live: a journal beside the store is hot (its writer died mid-update).
    Readers open the store read-only and cannot roll it back themselves, so a writable
    connection does it here (SQLite rolls a hot journal back on the first read). With
    `drop` (a full build about to rename a new file into place), a journal that is still
    there afterwards (the old file is damaged, or another program holds it) is removed:
    it belongs to the old file and must never be replayed into the new one."""
    journal = journal_path(db_path)
    if not os.path.lexists(journal):
        return
    if os.path.isfile(db_path):
        try:
            conn = sqlite3.connect(db_path, timeout=1)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                conn.close()
        except sqlite3.Error:
            pass  # a damaged or foreign-locked file: the caller rebuilds or drops
    elif not os.path.lexists(db_path):
        drop = True  # the journal of a file that is gone
    if drop:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(journal)


def _temp_names(db_path: Path) -> list[str]:
    """The temporary files of builds of `db_path` beside it (`.NAME.*.tmp`), live or dead:
    one listing of its folder."""
    prefix = f".{db_path.name}."
    try:
        with os.scandir(db_path.parent) as it:
            return [e.path for e in it if e.name.startswith(prefix) and e.name.endswith(".tmp")]
    except OSError:
        return []


def remove_dead_temps(db_path: Path) -> None:
    """Remove the temporary files of full builds (and updates of a copy) of `db_path` that
    died (killed, a power cut): `.NAME.*.tmp` beside it. The caller holds the build lock,
    and a live build also holds a lock on its own temporary file; a file nobody holds a
    lock on is dead."""
    import fcntl

    db_path = Path(db_path)
    for name in _temp_names(db_path):
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.unlink(name)
        except OSError:  # BlockingIOError: a live build holds it
            continue
        finally:
            os.close(fd)


def recover_store(db_path: Path) -> None:
    """Roll back a journal left by a killed update (`kill -9` of `pivot build`, a closed
    terminal while the explorer updated), before anything opens the store read-only, and
    remove the temporary file of a killed full build (a store's size, which nothing else
    would ever remove). One stat and one listing of the store's folder when there is
    nothing to do. When another pivot build holds the lock, it is alive and its journal
    is not stale: it cleans up after itself (and the next command does the rest)."""
    db_path = Path(db_path)
    hot = os.path.lexists(journal_path(db_path))
    if not hot and not _temp_names(db_path):
        return
    from .build import build_lock

    try:
        with build_lock(db_path, wait=False):
            if hot:
                roll_back_journal(db_path)
            remove_dead_temps(db_path)
    except BlockingIOError:
        return  # a live builder holds the lock
    except OSError:
        return  # the lock file cannot be made (a read-only folder): use the store as it is


def store_info(db_path: Path) -> dict[str, str] | None:
    """The store's pivot_meta table, or None when the file is missing or not a pivot store
    (or another program keeps it locked for LOCK_WAIT seconds: a store is built beside it)."""
    try:
        conn = open_readonly(db_path)
        try:
            try:
                conn.execute("PRAGMA busy_timeout=50")
                rows = conn.execute("SELECT key, value FROM pivot_meta").fetchall()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                waiting(f"{db_path} is locked by another program; waiting up to {LOCK_WAIT:.0f} s for it")
                conn.execute(f"PRAGMA busy_timeout={int(LOCK_WAIT * 1000)}")
                rows = conn.execute("SELECT key, value FROM pivot_meta").fetchall()
            return {r["key"]: r["value"] for r in rows}
        finally:
            conn.close()
    except (StoreError, sqlite3.Error, UnicodeDecodeError):  # not UTF-8: a damaged file
        return None


@dataclass
class Ready:
    path: Path
    built: BuildReport | None = None  # set when this call built or updated the store
    warning: str | None = None  # set when the corpus is broken and an older store is used
    unchecked: bool = False  # quick mode: the store was not compared with the corpus yet


def ensure_store(
    data_dir: Path | None = None,
    db_path: Path | None = None,
    *,
    force: bool = False,
    quick: bool = False,
    verify: bool = False,
) -> Ready:
    """Make sure an up-to-date store exists; build or update it if needed (see
    _ensure_store). Trouble writing the store file is raised as StoreError in words
    that name the user's paths. With `verify` (`pivot build`), a store that is up to
    date is also checked whole (PRAGMA quick_check) and rebuilt if damaged."""
    try:
        return _ensure_store(data_dir, db_path, force=force, quick=quick, verify=verify)
    except OSError as exc:
        target = Path(db_path) if db_path else default_db_path(Path(data_dir) if data_dir else default_data_dir())
        raise StoreError(os_error_words(exc, target)) from exc


def _ensure_store(
    data_dir: Path | None = None,
    db_path: Path | None = None,
    *,
    force: bool = False,
    quick: bool = False,
    verify: bool = False,
) -> Ready:
    """Make sure an up-to-date store exists; build or update it if needed.

    A store of the current schema is compared with the corpus file by file
    (one stat each); changed source files are applied in place, in one
    transaction; a change to entities.yaml or topics.yaml, another schema, or
    `force` means a full build. With `quick`, an existing store of the current
    schema is returned at once and the caller refreshes it later (the explorer
    does so in a worker after its first frame).

    Raises CorpusError when the corpus is broken and no usable store exists.
    """
    from .files import diff_corpus, file_label  # build (sqlite-utils) and load (YAML) only when needed

    data_dir = Path(data_dir) if data_dir else default_data_dir()
    db_path = Path(db_path) if db_path else default_db_path(data_dir)
    recover_store(db_path)
    info = store_info(db_path)
    usable = info is not None and info.get("schema_version") == str(SCHEMA_VERSION)
    if usable and quick and not force:
        return Ready(db_path, unchecked=True)
    if usable and not force:
        changes = None
        kept = 0  # source files the store has
        try:
            conn = open_readonly(db_path)
            try:
                changes = diff_corpus(conn, data_dir)
                _probe(conn)  # a damaged table means a full build, not "up to date"
                if changes.removed:
                    kept = conn.execute("SELECT count(*) FROM source_files WHERE source IS NOT NULL").fetchone()[0]
                if verify and changes.empty and not verified(conn, db_path):
                    changes = None  # damaged where the probe does not look: rebuild
            finally:
                conn.close()
        except (StoreError, sqlite3.Error, UnicodeDecodeError):
            changes = None
        if changes is not None and changes.empty:
            return Ready(db_path)
        if (
            changes is not None
            and not changes.needs_full
            and not changes.added
            and kept
            and sum("/" in rel for rel in changes.removed) >= kept
        ):
            return Ready(db_path, warning=_no_sources(data_dir, kept))
        if changes is not None and not changes.needs_full:
            from .build import update_store

            try:
                return Ready(db_path, built=update_store(db_path, data_dir, changes, file_label(data_dir)))
            except CorpusError as exc:
                return Ready(db_path, warning=_broken(exc))
            except (sqlite3.Error, OSError):
                if not (changes.added or changes.changed or changes.removed):
                    # the same bytes (a copied corpus, a touch): the store says what the corpus
                    # says, only its file records could not be renewed (a read-only store)
                    return Ready(db_path)
                # else fall through to a full build (which says why, if it cannot either)
    from .build import build_store
    from .load import load_corpus_files

    try:
        corpus, states = load_corpus_files(data_dir)
    except CorpusError as exc:
        if usable and not force:
            return Ready(db_path, warning=_broken(exc))
        raise
    if not corpus.sources and usable:
        kept = _sources_in(db_path)
        if kept:  # even with --full: an unmounted or emptied folder must not empty the store
            return Ready(db_path, warning=_no_sources(data_dir, kept))
    try:
        return Ready(db_path, built=build_store(corpus, db_path, states))
    except (OSError, sqlite3.Error) as exc:
        # a full disk, a quota or a size limit shows as OSError or as SQLite's own error
        words = os_error_words(exc, db_path) if isinstance(exc, OSError) else sqlite_error_words(exc, db_path)
        if usable and not force:
            # the corpus changed but the store cannot be rewritten: the last good store
            # is still worth showing, with a warning that says why it is old
            return Ready(db_path, warning=f"{db_path} is out of date and cannot be rebuilt ({words}); showing it as it is")
        raise StoreError(words) from exc


def _probe(conn: sqlite3.Connection) -> None:
    """Read the first and last row of every table the explorer and the CLI read: a few
    page reads, but a table whose pages are damaged raises sqlite3.DatabaseError here
    rather than in the middle of a command. (A full integrity check would read the
    whole file: seconds at a million claims.)"""
    for table in ("claims", "entities", "sources", "topics", "facet_counts"):
        for order in ("ASC", "DESC"):
            conn.execute(f"SELECT * FROM {table} ORDER BY rowid {order} LIMIT 1").fetchall()
    for table in ("entity_names", "source_flags"):  # WITHOUT ROWID tables
        conn.execute(f"SELECT * FROM {table} LIMIT 1").fetchall()
    conn.execute("SELECT rowid FROM claims_fts WHERE claims_fts MATCH 'a' LIMIT 1").fetchall()


def verified(conn: sqlite3.Connection, db_path: Path) -> bool:
    """quick_check of the whole store, unless this very file passed it before or was written
    whole by pivot since.

    A store pivot wrote (a full build renamed into place, an update committed) or that
    passed the check is stamped, in its lock file, with the store's device, inode, size,
    mtime and ctime, and the check is skipped while the file's stat still says the same:
    any write to the file, by SQLite, an editor or `dd`, and any os.utime that sets its
    times back, gives it a new ctime (which only the kernel sets), and a new file has a new
    inode. What no stat shows is not caught: bits that rot on the disk under an unchanged
    file, and a write by another program within the same clock tick (~4 ms) as pivot's own
    last write, which can share its ctime. A stamp written after a check needs the file
    unchanged across the check and its ctime over a second old, for the same reason."""
    try:
        before = os.stat(db_path)
    except OSError:
        return quick_check(conn)
    stamp = _stamp(before)
    try:
        with open(_lock_file(db_path), "rb") as fh:
            if fh.read(200).decode("ascii", "replace").strip() == stamp:
                return True
    except OSError:
        pass
    if not quick_check(conn):
        return False
    import time

    with contextlib.suppress(OSError):
        after = os.stat(db_path)
        if _stamp(after) == stamp and time.time_ns() - after.st_ctime_ns > SETTLED_NS:
            _write_stamp(db_path, stamp)
    return True


def stamp_written(db_path: Path) -> None:
    """Record that pivot has just written the store whole (a build or an update committed):
    the next `pivot build` need not read all of it to trust it (see verified)."""
    with contextlib.suppress(OSError):
        _write_stamp(db_path, _stamp(os.stat(db_path)))


def _write_stamp(db_path: Path, stamp: str) -> None:
    with open(_lock_file(db_path), "ab") as fh:  # the build lock's own file, kept beside the store anyway
        fh.truncate(0)
        fh.write(stamp.encode("ascii") + b"\n")


def _lock_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


SETTLED_NS = 1_000_000_000  # a store changed less than this long ago is not stamped after a check


def _stamp(st: os.stat_result) -> str:
    return f"checked {st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}"


def quick_check(conn: sqlite3.Connection) -> bool:
    """PRAGMA quick_check, table by table: every page of every table and index read once
    (no index-to-table cross check). False when it finds damage, or when the damage
    stops it. SQLite 3.40.1's quick_check reports a NULL in every row of a WITHOUT ROWID
    table whose NOT NULL column is not the first of its key (entity_names, source_flags)
    although there is none; those small tables get integrity_check, which reads them right."""
    try:
        tables = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
        ).fetchall()
        for name, sql in tables:
            pragma = "integrity_check" if "WITHOUT ROWID" in (sql or "").upper() else "quick_check"
            quoted = '"' + name.replace('"', '""') + '"'
            if [tuple(r) for r in conn.execute(f"PRAGMA {pragma}({quoted})")] != [("ok",)]:
                return False
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        return False
    return True


def os_error_words(exc: OSError, target: Path) -> str:
    """An OSError met while writing `target`, in words that name the user's own paths:
    no errno codes, no temporary file names."""
    import errno

    target = Path(target)
    folder = target.parent
    ancestor = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if ancestor is not None and not ancestor.is_dir():
        return f"{ancestor} is not a directory"
    if target.is_dir():
        return f"{target} is a directory, not a store file"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write in {folder}: permission denied"
    if exc.errno == errno.ENOSPC:
        return f"no space left on the disk holding {folder}"
    return f"cannot write {target}: {exc.strerror or exc}"


def _sources_in(db_path: Path) -> int:
    try:
        conn = open_readonly(db_path)
        try:
            n: int = conn.execute("SELECT count(*) FROM sources").fetchone()[0]
            return n
        finally:
            conn.close()
    except (sqlite3.Error, UnicodeDecodeError):
        return 0


def _no_sources(data_dir: Path, kept: int) -> str:
    return (
        f"the corpus has no source files in {data_dir / 'sources'}; showing the last good store "
        f"({kept} source(s); delete the store file to start an empty one)"
    )


def sqlite_error_words(exc: sqlite3.Error, target: Path) -> str:
    """A SQLite error met while writing `target` (a full disk is SQLITE_FULL, a size limit
    or a failing disk SQLITE_IOERR), in our words naming the user's paths."""
    target = Path(target)
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == 13:  # SQLITE_FULL
        return f"no space left on the disk holding {target.parent}"
    if primary == 10:  # SQLITE_IOERR: EFBIG (a file-size limit), EIO, EDQUOT
        return f"cannot write {target}: the disk refused the write (full, over a quota or size limit, or failing)"
    if primary in (8, 23):  # SQLITE_READONLY, SQLITE_AUTH
        return f"cannot write in {target.parent}: permission denied"
    if primary == 14:  # SQLITE_CANTOPEN
        return f"cannot open {target}"
    if is_damage(exc):
        return f"{target} is damaged"
    return f"cannot write {target}: {exc}"


class StoreDamaged(sqlite3.DatabaseError):
    """The store gave back bytes that are not UTF-8 (in a value, or in SQLite's own message
    about a damaged schema): pivot only ever writes UTF-8, so the file is damaged."""


def as_store_error(exc: UnicodeDecodeError) -> StoreDamaged:
    return StoreDamaged(f"database disk image is malformed (text that is not UTF-8 at byte {exc.start})")


def is_damage(exc: BaseException) -> bool:
    """Is this SQLite's answer for a damaged file ("malformed", "not a database"), or text
    read from the store that is not UTF-8?"""
    if isinstance(exc, (StoreDamaged, UnicodeDecodeError)):
        return True
    if not isinstance(exc, sqlite3.DatabaseError) or isinstance(exc, StoreError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in (11, 26):  # SQLITE_CORRUPT, SQLITE_NOTADB
        return True
    text = str(exc)
    return "malformed" in text or "not a database" in text


def _broken(exc: CorpusError) -> str:
    return f"the corpus has {len(exc.problems)} problem(s); showing the last good store (run `pivot check` for details)"


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
        import threading

        self.db_path = db_path
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._size = size
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
