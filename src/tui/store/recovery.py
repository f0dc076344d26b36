"""Crash recovery: what a killed writer left beside the store (a hot rollback journal, the
temporary file of a full build) is rolled back or removed, under the build lock."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from pathlib import Path

from .lock import build_lock


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
    try:
        with build_lock(db_path, wait=False):
            if hot:
                roll_back_journal(db_path)
            remove_dead_temps(db_path)
    except BlockingIOError:
        return  # a live builder holds the lock
    except OSError:
        return  # the lock file cannot be made (a read-only folder): use the store as it is
