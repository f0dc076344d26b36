"""Finding the corpus and the store, and opening the store read-only.

The store is found by itself: --db, else $PIVOT_DB, else a file in the user
cache directory named after the corpus directory. Whether it is current, and
building or updating it, is refresh.py's; crash recovery is recovery.py's, the
whole-file check's stamps stamps.py's, the words for trouble errors.py's, the
explorer's connections pool.py's.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .errors import StoreDamaged, StoreError
from .lock import waiting

__all__ = ["StoreDamaged", "StoreError", "bundled_data_dir", "default_data_dir", "default_db_path", "open_readonly", "store_info"]


def bundled_data_dir() -> Path:
    """The corpus shipped with pivot: inside the wheel (tui/data), or data/ of a source checkout.
    The package's folder is this file's grandparent, as importlib.resources.files("tui") says
    for a package on disk (a wheel is always unpacked): without importing importlib.resources
    and zipfile (~5 ms of the explorer's start on the bundled corpus, before its first frame)."""
    packaged = Path(__file__).parent.parent / "data"
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
    import hashlib

    from platformdirs import user_cache_dir

    key = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
    return Path(user_cache_dir("pivot")) / f"pivot-{key}.db"


LOCK_WAIT = 5.0  # seconds a read waits for a lock another program holds on the store


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
