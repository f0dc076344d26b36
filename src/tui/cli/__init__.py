"""The command line: thin click wrappers over tui.store and tui.query.

`pivot` with no command opens the explorer; the subcommands answer the same
questions in a pipe or a script. By job: common.py (the options, the errors and the
store every command shares), corpus.py (check, add, build), queries.py (list, sources,
entities, export, disputes, compare, figure), serve.py (the explorer in a browser).
"""

from __future__ import annotations

from pathlib import Path

import click

from tui.cli import corpus, queries, serve
from tui.cli.common import PivotGroup, ensure, say_built, store_options


@click.group(cls=PivotGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@store_options
@click.version_option(package_name="pivot", message="pivot %(version)s")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, db_path: Path | None) -> None:
    """Explore what news articles claim about Big Tech's AI pivot.

    With no command, opens the explorer on the bundled corpus.
    """
    if ctx.invoked_subcommand is None:
        # Build first if there is no usable store, with messages on the terminal; an
        # existing store opens at once and the explorer brings it up to date itself.
        ready = ensure(data_dir, db_path, quick=True)
        if ready.built:
            say_built(ready.built)
        from tui.app import run_explorer

        run_explorer(data_dir, db_path, ready)


for _command in (
    corpus.check,
    corpus.add,
    corpus.build,
    queries.list_claims,
    queries.sources,
    queries.entities,
    queries.export,
    queries.disputes,
    queries.compare,
    queries.figure,
    serve.serve,
):
    main.add_command(_command)

__all__ = ["main"]
