"""`pivot serve`: the explorer in a web browser (the server itself is tui.serve)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tui.cli.common import BadInput, PivotError, command, connect, store_options


@command()
@store_options
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback unless you choose otherwise)."
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--public", is_flag=True, help="Serve on a non-loopback address without asking (needed when not on a terminal).")
@click.option(
    "--max-sessions",
    default=8,  # tui.serve.DEFAULT_MAX_SESSIONS
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Explorers running at once (one per browser tab, each a process); one more tab is told to wait.",
)
def serve(data_dir: Path | None, db_path: Path | None, host: str, port: int, public: bool, max_sessions: int) -> None:
    """The explorer in a web browser (textual-serve), on 127.0.0.1:8000 by default.

    Each browser tab runs its own explorer on the same corpus and store, at most
    --max-sessions of them at once. Any other address than loopback lets everyone who
    can reach it read the whole corpus: pivot warns and asks first (--public answers
    yes; without a terminal it is required)."""
    import os

    from tui.serve import (
        INSTALL_HINT,
        SERVED_BY,
        ServeUnavailable,
        display_url,
        explorer_command,
        is_loopback,
        make_server,
    )

    try:
        import textual_serve  # noqa: F401
    except ImportError:
        raise PivotError(INSTALL_HINT) from None
    if not is_loopback(host):
        click.echo(
            f"warning: {display_url(host, port)} is not a loopback address: anyone who can reach it can "
            "read the whole corpus, which may be private, and drive the explorer (export writes files here).",
            err=True,
        )
        if not public:
            if not (sys.stdin.isatty() and sys.stderr.isatty()):
                raise BadInput("not serving beyond this machine without --public (no terminal to ask)")
            if not click.confirm("Serve the corpus on this address?", default=False, err=True):
                raise PivotError("not serving")
    connect(data_dir, db_path).close()  # build or update the store now, with its messages here
    try:
        server = make_server(explorer_command(data_dir, db_path), host, port, max_sessions=max_sessions)
    except ServeUnavailable as exc:
        raise PivotError(str(exc)) from exc
    os.environ[SERVED_BY] = str(os.getpid())  # each explorer ends with this server (tui.serve.end_with_server)
    try:
        server.serve()
    except OSError as exc:
        raise PivotError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
