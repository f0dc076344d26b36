"""The store's troubles in the user's words: errors naming the user's own paths, never errno
codes or temporary file names, and what counts as a damaged file."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StoreError(sqlite3.DatabaseError):
    # a kind of database error, so that every worker's `except sqlite3.Error` also
    # catches a store that vanished or broke after start-up
    """The store cannot be opened or used; the message says why and what to do."""


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
