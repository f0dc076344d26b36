"""What every command of the CLI shares: the --data / --db options, the errors the user
sees (`error: ...` and an exit code, through click.ClickException), the trouble any
command can meet (a damaged store, an output that cannot be written, a signal), and
the one way a command gets its store (`ensure`, then `connect`)."""

from __future__ import annotations

import functools
import hashlib
import io
import sys
from pathlib import Path
from typing import Any

import click

from tui.store.errors import StoreError
from tui.store.locate import default_data_dir, open_readonly
from tui.store.lock import waits_said
from tui.store.model import CorpusError, Problem
from tui.store.refresh import ensure_store

DATA_OPTION = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Corpus directory (default: $PIVOT_DATA, else the bundled corpus).",
)
DB_OPTION = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Store file (default: $PIVOT_DB, else a file in the user cache directory).",
)


def store_options(fn):
    @DATA_OPTION
    @DB_OPTION
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        # `pivot --db X build` and `pivot build --db X` mean the same
        parent = click.get_current_context().parent
        if parent is not None:
            for key in ("data_dir", "db_path"):
                if kwargs.get(key) is None and parent.params.get(key) is not None:
                    kwargs[key] = parent.params[key]
        return fn(*args, **kwargs)

    return wrapper


# --- the errors the user sees ------------------------------------------------------------


class PivotError(click.ClickException):
    """The command could not do its work: `error: MESSAGE` on standard error, exit code 1.
    click shows it and exits (standalone mode: `pivot`, CliRunner)."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", file=file, err=file is None)


class BadInput(PivotError):
    """The command line asks for something that cannot be (a bad query, an unknown entity,
    text that is not UTF-8): exit code 2, as click's own usage errors."""

    exit_code = 2


class CorpusProblems(PivotError):
    """The corpus's problems, one a line (with the advice each carries), then their count."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the corpus")
        self.problems = problems

    def show(self, file: Any = None) -> None:
        from tui.store.fields import with_hint

        for p in self.problems:
            click.echo(with_hint(p), file=file, err=file is None)
        super().show(file)


# --- trouble any command can meet ----------------------------------------------------------

_OPENED: list[tuple[Path | None, Path | None]] = []  # the corpus and store `connect` opened


class PivotCommand(click.Command):
    """Every subcommand: trouble that can come at any moment of any command.

    A damaged store ("malformed", "not a database") found in the middle of a command
    is said, rebuilt from the corpus, and the command run once more on the new store.
    An output that cannot be written (`pivot list > /dev/full`, a full disk) is a
    one-line message, not a traceback."""

    def invoke(self, ctx: click.Context):
        import sqlite3

        from tui.store.errors import as_store_error, is_damage

        _exit_on_signals()
        _check_text_arguments(ctx)
        real = sys.stdout
        tally = _Tally(real)
        try:
            try:
                try:
                    sys.stdout = tally  # what goes out before damage is found is not written twice
                    return super().invoke(ctx)
                except UnicodeDecodeError as exc:  # text from the store that is not UTF-8: damage
                    raise as_store_error(exc) from exc
            except sqlite3.DatabaseError as exc:
                if not is_damage(exc) or not _OPENED:
                    raise
                data_dir, db_path = _OPENED[-1]
                _rebuild_damaged(data_dir, db_path)
                try:
                    # the command again on the rebuilt store: what it already wrote is skipped
                    sys.stdout = _Tally(real, skip=tally)
                    return super().invoke(ctx)
                except UnicodeDecodeError as again:
                    raise as_store_error(again) from again
            finally:
                sys.stdout = real
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise PivotError("the store is damaged and could not be rebuilt; run `pivot build --full`") from exc
            if "pattern too complex" in str(exc):  # SQLite's LIKE limit (50,000 bytes)
                raise BadInput("a term of the query is too long to search for; shorten it") from exc
            raise PivotError(f"the store could not answer ({exc}); run `pivot build --full` if this persists") from exc
        except OSError as exc:
            import errno

            if exc.errno not in (errno.ENOSPC, errno.EFBIG, errno.EIO, errno.EDQUOT, errno.EPIPE):
                raise
            _quiet_stdout()
            if exc.errno == errno.EPIPE:
                sys.exit(1)  # the reader went away (`pivot list | head`): nothing to say
            why = "no space left on the device" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "the device refused the write"
            raise PivotError(f"cannot write the output: {why}") from exc


class _Tally(io.TextIOBase):
    """Standard output, counted: a command run again on a rebuilt store (its store was found
    damaged after it had written) skips what the first run wrote, having checked that it
    writes the same text, so a pipe reads the answer once and whole."""

    def __init__(self, out: Any, skip: _Tally | None = None) -> None:
        self.out = out
        self.written = 0
        self.digest = hashlib.sha256()
        self.skip = skip.written if skip is not None else 0
        self.expect = skip.digest.hexdigest() if skip is not None else None
        self.seen = hashlib.sha256()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.out, "encoding", "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.out, "errors", "strict")

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return int(self.out.fileno())

    def isatty(self) -> bool:
        return bool(self.out.isatty())

    def write(self, s: Any) -> int:
        # click may hand over bytes (its binary path): counted and passed on as they came
        n = len(s)
        if self.skip:
            take = min(self.skip, n)
            self.seen.update(_raw(s[:take]))
            self.skip -= take
            s = s[take:]
            if not self.skip and self.seen.hexdigest() != self.expect:
                raise PivotError("the store was damaged while this ran and the rebuilt one answers otherwise; run it again")
        if s:
            self.written += len(s)
            self.digest.update(_raw(s))
            if isinstance(s, bytes):
                getattr(self.out, "buffer", self.out).write(s)
            else:
                self.out.write(s)
        return n

    def flush(self) -> None:
        self.out.flush()


def _raw(s: Any) -> bytes:
    return s if isinstance(s, bytes) else s.encode("utf-8", "surrogateescape")


class PivotGroup(click.Group):
    command_class = PivotCommand


command = functools.partial(click.command, cls=PivotCommand)  # every subcommand, with its trouble handled


def _exit_on_signals() -> None:
    """SIGTERM or SIGHUP (a closed terminal) end a command as an exception would: a
    build removes its temporary file and an update rolls back before the exit."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) is signal.SIG_DFL:
            signal.signal(sig, stop)


def _check_text_arguments(ctx: click.Context) -> None:
    """An argument that is not UTF-8 (`pivot list $'layoffs\\xc3'`) reaches Python as text
    with lone surrogates, which SQLite cannot take: say so before anything runs."""
    for name, value in ctx.params.items():
        for item in value if isinstance(value, (tuple, list)) else (value,):
            if isinstance(item, str):
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    shown = item.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                    raise BadInput(f"{name.replace('_', ' ')} {shown!r} is not valid UTF-8 text") from None


def _quiet_stdout() -> None:
    """Standard output cannot take more: point it at /dev/null, so that the flush at
    exit does not fail a second time."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


# --- the store: the one place its troubles become the CLI's messages ---------------------------


def ensure(data_dir: Path | None, db_path: Path | None, failing: str = "", **options):
    """ensure_store, its troubles as the CLI says them: the corpus's problems one a line,
    a store that cannot be written in one line (prefixed with `failing`)."""
    try:
        with waits_said(lambda message: click.echo(f"note: {message}", err=True)):
            return ensure_store(data_dir, db_path, **options)
    except CorpusError as exc:
        raise CorpusProblems(exc.problems) from exc
    except (OSError, StoreError) as exc:
        raise PivotError(f"{failing}{exc}") from exc


def say_built(built) -> None:
    click.echo(built.line(), err=True)


def _rebuild_damaged(data_dir: Path | None, db_path: Path | None) -> None:
    from tui.store.locate import default_db_path

    path = db_path or default_db_path(data_dir or default_data_dir())
    click.echo(f"warning: the store {path} is damaged; rebuilding it from the corpus", err=True)
    ensure(data_dir, db_path, "cannot rebuild the damaged store: ", force=True)


def connect(data_dir: Path | None, db_path: Path | None):
    """Open the store read-only, building or rebuilding it first if needed."""
    ready = ensure(data_dir, db_path)
    if ready.warning:
        click.echo(f"warning: {ready.warning}", err=True)
    if ready.built and ready.built.changed:
        say_built(ready.built)
    _OPENED.append((data_dir, db_path))
    try:
        return open_readonly(ready.path)
    except StoreError as exc:
        raise PivotError(str(exc)) from exc


def query_filter(conn, query: str):
    from tui.query import QueryError, build_filter  # not on `pivot build`'s path (~30 ms)

    try:
        return build_filter(query, conn)
    except QueryError as exc:
        raise BadInput(str(exc)) from exc


# --- output ----------------------------------------------------------------------------


def console():
    import shutil

    from rich.console import Console

    # the real width, also on a dumb terminal (where Rich would assume 80 columns)
    # (Rich takes the given size only when both width and height are given)
    size = shutil.get_terminal_size()
    return Console(highlight=False, soft_wrap=False, width=size.columns, height=size.lines)


def write_or_print(text: str, output: Path | None, force: bool) -> None:
    from tui.store.export import ExportError, write_atomic

    if output is None:
        # click strips ANSI escapes from what goes to a pipe or a file, with a regex over the
        # whole text (a tenth of `pivot disputes`): a text without ESC has none to strip
        click.echo(text, nl=False, color=None if "\x1b" in text else True)
        return
    try:
        path = write_atomic(output, text, force=force)
    except ExportError as exc:
        raise PivotError(str(exc)) from exc
    click.echo(f"wrote {path}", err=True)


def shown_dir(data_dir: Path | None) -> tuple[Path, str]:
    """The corpus directory, and how messages name it: as the user typed it, else relative to
    the current folder when it is inside it, else absolute."""
    import os

    if data_dir is not None:
        return data_dir, str(data_dir)
    real = default_data_dir()
    try:
        rel = os.path.relpath(real)
    except ValueError:
        return real, str(real)
    return real, (str(real) if rel.startswith("..") else rel)
