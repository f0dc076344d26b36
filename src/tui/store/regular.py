"""Opening a file that must be a regular file (a FIFO, a device or a socket in its place would
block or never end). Apart from tui.store.files (which re-exports it) so that the explorer's
keymap and history reads before the first frame do not import the corpus's file records."""

from __future__ import annotations

import errno
import os
from pathlib import Path


class NotRegularFile(OSError):
    """A path that must be a regular file is something else; `kind` says what."""

    def __init__(self, kind: str) -> None:
        super().__init__(errno.EINVAL, f"not a regular file ({kind})")
        self.kind = kind


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    import stat

    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a file"


def open_regular(path: Path | str) -> int:
    """A descriptor for reading `path`, which must be a regular file: a FIFO is opened
    without blocking and refused, like a device node or a socket (reading one would
    hang or never end). Raises OSError (NotRegularFile for those)."""
    import stat

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(kind_of(mode))
        os.set_blocking(fd, True)
        return fd
    except BaseException:
        os.close(fd)
        raise
