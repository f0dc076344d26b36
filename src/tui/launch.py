"""`pivot`'s entry point: the explorer, and `pivot build` with nothing to do, without click.

`pivot`, `pivot --data DIR` and `pivot --db PATH` open the explorer, and most
runs are those; click alone costs ~30 ms of a ~300 ms start-up, so they skip it.
`pivot build` (with --data and --db alone) looks whether the store is up to date
first (refresh.up_to_date: its whole cost, at 100,000 files, is the scan of the
folder) and says so. Anything else (another command, --help, --version, an odd
option or value, a build with something to do) goes to the click group in tui.cli,
and so does any trouble finding or building the store: the CLI runs the same steps
again (the build reusing the scan just made) and words the trouble as every command does.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

OPTIONS = {"--data": "data_dir", "--db": "db_path"}


def explorer_options(argv: list[str]) -> dict[str, Path] | None:
    """The --data / --db of an argument list that only opens the explorer, else None."""
    found: dict[str, Path] = {}
    args = iter(argv)
    for arg in args:
        name, eq, value = arg.partition("=")
        if name not in OPTIONS or OPTIONS[name] in found:
            return None
        if not eq:
            value = next(args, "")
        if not value or value.startswith("-"):
            return None
        found[OPTIONS[name]] = Path(value)
    data, db = found.get("data_dir"), found.get("db_path")
    if (data is not None and data.exists() and not data.is_dir()) or (db is not None and db.is_dir()):
        return None  # click's own checks say what is wrong with these
    return found


def build_options(argv: list[str]) -> dict[str, Path] | None:
    """The --data / --db of `pivot build` given those alone (before or after `build`), else None."""
    rest = list(argv)
    for at, arg in enumerate(rest):
        if arg == "build":
            del rest[at]
            break
        if arg.partition("=")[0] in OPTIONS:  # an option (its value follows, or after "=")
            continue
        if at > 0 and rest[at - 1] in OPTIONS:  # an option's value: never the command
            continue
        return None
    else:
        return None
    return explorer_options(rest)


def main() -> None:
    _served()
    options = explorer_options(sys.argv[1:])
    if options is None:
        build = build_options(sys.argv[1:])
        if build is None or not _nothing_to_build(build):
            _cli()
        return
    # Importing Textual and the explorer makes ~70,000 objects that live as long as the app;
    # the collector walking them again and again was ~25 ms of the imports' ~220 ms of CPU.
    # It is off while they are imported and until the first frame (PivotApp turns it on then).
    gc.disable()
    from tui.store.errors import StoreError
    from tui.store.lock import waits_said
    from tui.store.refresh import ensure_store

    gc.enable()  # finding the store may mean building it: that makes garbage of its own
    try:
        # build first if there is no usable store; an existing one opens at once and the
        # explorer brings it up to date itself
        with waits_said(lambda message: print(f"note: {message}", file=sys.stderr)):
            ready = ensure_store(options.get("data_dir"), options.get("db_path"), quick=True)
    except (StoreError, OSError):
        _cli()  # the CLI says what is wrong, as every command does
        return
    except Exception as exc:
        # the corpus's records (tui.store.model, ~5 ms of dataclasses) only when it is broken
        from tui.store.model import CorpusError

        if not isinstance(exc, CorpusError):
            raise
        _cli()
        return
    if ready.built:
        print(ready.built.line(), file=sys.stderr)
    gc.disable()
    from tui.app import run_explorer

    run_explorer(options.get("data_dir"), options.get("db_path"), ready)


def _nothing_to_build(options: dict[str, Path]) -> bool:
    """`pivot build` when the store is up to date: says so, as the CLI does; False when there
    is something to do (or to say), which is the CLI's."""
    gc.disable()  # as for the explorer: the imports make objects that live on
    import sqlite3

    from tui.store.errors import StoreError
    from tui.store.lock import waits_said
    from tui.store.refresh import up_to_date

    gc.enable()
    try:
        with waits_said(lambda message: print(f"note: {message}", file=sys.stderr)):
            ready = up_to_date(options.get("data_dir"), options.get("db_path"), verify=True)
    except (StoreError, OSError, sqlite3.Error):
        return False
    if ready is None:
        return False
    print(f"{ready.path}: up to date")
    return True


def _served() -> None:
    """An explorer that `pivot serve` started for a browser tab ends with its server."""
    import os

    server = os.environ.pop("PIVOT_SERVED_BY", None)  # tui.serve.SERVED_BY
    if server and server.isdigit():
        from tui.serve import end_with_server

        end_with_server(int(server))


def _cli() -> None:
    from tui.cli import main as cli_main

    cli_main()
