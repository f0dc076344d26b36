"""Stamps: a store pivot wrote whole, or that passed a whole-file check, is trusted without
reading all of it again while its stat says the same (see verified)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from .lock import lock_file


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
        with open(lock_file(db_path), "rb") as fh:
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
    with open(lock_file(db_path), "ab") as fh:  # the build lock's own file, kept beside the store anyway
        fh.truncate(0)
        fh.write(stamp.encode("ascii") + b"\n")


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
