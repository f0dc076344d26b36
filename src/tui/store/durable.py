"""Files that survive a power cut: written whole to a temporary file, synced, renamed (or
linked) into place, and their folder synced.

A rename is atomic, but not durable by itself: until the folder's entry reaches the disk,
a power cut can bring back the old name (or none), and until the file's blocks do, the
new name can point at an empty or partial file. SQLite's own atomic commit syncs the
journal, the database and the folder for the same reason (sqlite.org/atomiccommit.html);
the full build writes its temporary store with journaling and syncing off, so the sync
is done here, once, before the rename. Used by the full build, the update of a copy,
and exports (`pivot add` writes its two files its own way, the same
steps: tui.draft.write).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path


def sync_folder(folder: Path | str) -> None:
    """fsync a folder, so that the names created, renamed or removed in it are on the disk.
    A file system that cannot sync a folder (some network ones say EINVAL) is left as it is."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def sync_file(path: Path | str, fd: int | None = None) -> None:
    """fsync a file's data and size (through `fd` when the caller holds one open)."""
    if fd is not None:
        os.fsync(fd)
        return
    own = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        os.fsync(own)
    finally:
        os.close(own)


def replace(tmp: Path | str, target: Path | str, fd: int | None = None) -> None:
    """Move a finished temporary file over `target`, durably: sync the file (through `fd`
    if given), rename it into place, sync the folder."""
    sync_file(tmp, fd)
    os.replace(tmp, target)
    sync_folder(Path(target).parent)
