"""The build lock (one writer of a store at a time, between processes) and the words a wait
says while it lasts."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

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


def lock_file(db_path: Path) -> Path:
    """The build lock's file beside the store (it also keeps the store's stamp: stamps.py)."""
    return db_path.with_name(db_path.name + ".lock")


@contextlib.contextmanager
def build_lock(db_path: Path, *, wait: bool = True) -> Iterator[None]:
    """Serialise builds of one store between processes (advisory lock on a side file).
    With wait=False, raises BlockingIOError at once when another build holds it; else a
    wait says what it waits for (waiting), then lasts as long as that build."""
    import fcntl

    with open(lock_file(db_path), "a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise
            waiting(f"waiting for another pivot build of {db_path} to finish")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
