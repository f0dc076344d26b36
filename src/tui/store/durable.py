"""Files that survive a power cut: written whole to a temporary file, synced, renamed (or
linked) into place, and their folder synced.

A rename is atomic, but not durable by itself: until the folder's entry reaches the disk,
a power cut can bring back the old name (or none), and until the file's blocks do, the
new name can point at an empty or partial file. SQLite's own atomic commit syncs the
journal, the database and the folder for the same reason (sqlite.org/atomiccommit.html);
the full build writes its temporary store with journaling and syncing off, so the sync
is done here, once, before the rename. Used by the full build, the update of a copy,
exports, and `pivot add`'s two files (write_new).
"""

from __future__ import annotations

import contextlib
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


def write_new(path: Path | str, data: bytes, *, mode: int = 0o644) -> None:
    """Write a file that must not exist yet, whole and durably, or not at all: the bytes go
    to a temporary file beside it (`.NAME.PID.tmp`), which is synced and then linked to the
    name (which fails if anything has that name: nothing is ever overwritten), then the
    temporary name is removed and the folder synced. On a file system without hard links,
    an exclusive create of the name is used instead (a failure then removes what it wrote).

    Raises FileExistsError when the name is taken, OSError for any other trouble (a full
    disk, a file-size limit, a name too long); in every case no file is left behind."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
    except FileExistsError:  # a dead run's, with this pid: it is ours to replace
        tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
                raise
            _create_exclusive(path, data, mode)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    sync_folder(path.parent)


def _create_exclusive(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
