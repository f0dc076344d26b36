# Long because every command of the CLI and the trouble every command can meet (damage, full
# output, signals); each command is a thin wrapper over the store, so splitting would only scatter
# them.
"""The command line: thin click wrappers over tui.store and tui.query.

`pivot` with no command opens the explorer; the subcommands answer the same
questions in a pipe or a script.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from tui.query import QueryError, build_filter
from tui.store.locate import StoreError, default_data_dir, ensure_store, open_readonly
from tui.store.model import CorpusError

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


def _fail(message: str, code: int = 1):
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


_OPENED: list[tuple[Path | None, Path | None]] = []  # the corpus and store `connect` opened


class PivotCommand(click.Command):
    """Every subcommand: trouble that can come at any moment of any command.

    A damaged store ("malformed", "not a database") found in the middle of a command
    is said, rebuilt from the corpus, and the command run once more on the new store.
    An output that cannot be written (`pivot list > /dev/full`, a full disk) is a
    one-line message, not a traceback."""

    def invoke(self, ctx: click.Context):
        import sqlite3

        from tui.store.locate import as_store_error, is_damage

        _exit_on_signals()
        _check_text_arguments(ctx)
        try:
            try:
                try:
                    return super().invoke(ctx)
                except UnicodeDecodeError as exc:  # text from the store that is not UTF-8: damage
                    raise as_store_error(exc) from exc
            except sqlite3.DatabaseError as exc:
                if not is_damage(exc) or not _OPENED:
                    raise
                data_dir, db_path = _OPENED[-1]
                _rebuild_damaged(data_dir, db_path)
                try:
                    return super().invoke(ctx)
                except UnicodeDecodeError as again:
                    raise as_store_error(again) from again
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                _fail("the store is damaged and could not be rebuilt; run `pivot build --full`")
            if "pattern too complex" in str(exc):  # SQLite's LIKE limit (50,000 bytes)
                _fail("a term of the query is too long to search for; shorten it", 2)
            _fail(f"the store could not answer ({exc}); run `pivot build --full` if this persists")
        except OSError as exc:
            import errno

            if exc.errno not in (errno.ENOSPC, errno.EFBIG, errno.EIO, errno.EDQUOT, errno.EPIPE):
                raise
            _quiet_stdout()
            if exc.errno == errno.EPIPE:
                sys.exit(1)  # the reader went away (`pivot list | head`): nothing to say
            why = "no space left on the device" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "the device refused the write"
            _fail(f"cannot write the output: {why}")


def _exit_on_signals() -> None:
    """SIGTERM or SIGHUP (a closed terminal) end a command as an exception would: a
    build removes its temporary file and an update rolls back before the exit."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum, frame):
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
                    _fail(f"{name.replace('_', ' ')} {shown!r} is not valid UTF-8 text", 2)


def _rebuild_damaged(data_dir: Path | None, db_path: Path | None) -> None:
    from tui.store.locate import default_db_path

    path = db_path or default_db_path(data_dir or default_data_dir())
    click.echo(f"warning: the store {path} is damaged; rebuilding it from the corpus", err=True)
    _ensure(data_dir, db_path, "cannot rebuild the damaged store: ", force=True)


def _ensure(data_dir: Path | None, db_path: Path | None, failing: str = "", **options):
    """ensure_store, its troubles as the CLI says them: the corpus's problems one a line,
    a store that cannot be written in one line (prefixed with `failing`)."""
    try:
        return ensure_store(data_dir, db_path, **options)
    except CorpusError as exc:
        _problems(exc)
    except (OSError, StoreError) as exc:
        _fail(f"{failing}{exc}")


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


class PivotGroup(click.Group):
    command_class = PivotCommand


def _problems(exc: CorpusError) -> None:
    from tui.store.fields import with_hint

    for p in exc.problems:
        click.echo(with_hint(p), err=True)
    _fail(f"{len(exc.problems)} problem(s) in the corpus")


def connect(data_dir: Path | None, db_path: Path | None):
    """Open the store read-only, building or rebuilding it first if needed."""
    ready = _ensure(data_dir, db_path)
    if ready.warning:
        click.echo(f"warning: {ready.warning}", err=True)
    if ready.built:
        b = ready.built
        click.echo(f"built {b.path} ({b.claims} claims) in {b.seconds:.2f}s", err=True)
    _OPENED.append((data_dir, db_path))
    try:
        return open_readonly(ready.path)
    except StoreError as exc:
        _fail(str(exc))


def _filter(conn, query: str):
    try:
        return build_filter(query, conn)
    except QueryError as exc:
        _fail(str(exc), 2)


def make_app(data_dir: Path | None = None, db_path: Path | None = None, **kwargs):
    """The explorer, as the CLI and the tests build it."""
    from tui.app import PivotApp

    return PivotApp(data_dir=data_dir, db_path=db_path, **kwargs)


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
        ready = _ensure(data_dir, db_path, quick=True)
        if ready.built:
            click.echo(f"built {ready.built.path} ({ready.built.claims} claims) in {ready.built.seconds:.2f}s", err=True)
        make_app(data_dir, db_path).run()


@main.command()
@DATA_OPTION
@click.option(
    "--texts",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of source documents: also verify every quote against its document.",
)
@click.option("--strict", is_flag=True, help="Fail while any claim is still a draft (draft: true).")
def check(data_dir: Path | None, texts: Path | None, strict: bool) -> None:
    """Validate the corpus and verify quotes against the texts under DATA/texts (or --texts).

    A source whose text is nowhere is counted as "not verified: no text", never
    as verified. Drafts (draft: true, from pivot add) are counted; --strict fails
    on them."""
    from tui.store.build import count_conflicts

    data_dir, _ = _shown_dir(data_dir)
    try:
        from tui.store.load import corpus_warnings, draft_claims, load_corpus
        from tui.store.quotes import TEXTS_DIR, check_quotes

        corpus = load_corpus(data_dir)
    except CorpusError as exc:
        _problems(exc)
    own_texts = (data_dir / TEXTS_DIR).is_dir()
    quotes = check_quotes(corpus, data_dir, texts) if (texts or own_texts) else None
    if quotes and quotes.problems:
        _problems(CorpusError(quotes.problems))
    for w in corpus_warnings(corpus):
        click.echo(str(w), err=True)
    claims = corpus.claims
    _, conflicts = count_conflicts(claims)
    line = f"ok: {len(corpus.sources)} sources, {len(corpus.entities)} entities, {len(claims)} claims, {conflicts} conflicts"
    if quotes is not None:
        if texts and not quotes.no_text:
            line += ", quotes verified"
        else:
            n, m = sum(quotes.verified.values()), len(quotes.verified)
            line += f"; quotes verified: {n} claims ({m} source{'s' if m != 1 else ''})"
        if quotes.no_text:
            n, m = sum(quotes.no_text.values()), len(quotes.no_text)
            line += f"; not verified: no text: {n} claims ({m} source{'s' if m != 1 else ''})"
    drafts = draft_claims(corpus)
    if drafts:
        line += f"; {sum(drafts.values())} drafts to review (draft: true)"
    if strict and drafts:
        for file, n in sorted(drafts.items()):
            click.echo(f"{file}: {n} claim(s) still draft: true (review each, then delete the line)", err=True)
        _fail(f"{sum(drafts.values())} draft claim(s) not reviewed (--strict)")
    click.echo(line)


def _shown_dir(data_dir: Path | None) -> tuple[Path, str]:
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


@main.command()
@click.argument("page")
@click.option("--id", "source_id", help="Id of the new source (default: from the title).")
@DATA_OPTION
def add(page: str, source_id: str | None, data_dir: Path | None) -> None:
    """Draft a source file from a saved PAGE (.html, .txt, .md, - for standard input, or a URL).

    Saves the article's text as DATA/texts/ID.txt and drafts DATA/sources/ID.yaml:
    one claim per figure, each marked draft: true for you to review. Never
    overwrites a file."""
    from tui.draft import AddError, add_article

    real, shown = _shown_dir(data_dir)
    try:
        done = add_article(page, real, shown, source_id)
    except AddError as exc:
        for line in exc.lines:
            click.echo(line, err=True)
        _fail(str(exc))
    d = done.draft
    p = d.page
    echo = click.echo
    echo(f"drafted {done.source_path} from {page}")
    echo(("kept" if done.text_reused else "saved") + f" the article's text as {done.text_path} ({len(p.text):,} characters)")
    for key in ("title", "publisher", "author", "published", "url"):
        value = getattr(p, key)
        echo(f"  {key + ':':11}{value if value is not None else 'null (the page does not say)'}")
    if p.flags:
        echo(f"  {'flags:':11}{', '.join(p.flags)}")
    echo(f"{len(d.claims)} figure claim(s), each draft: true:")
    for c in d.claims:
        value = c.value if not isinstance(c.value, list) else f"{c.value[0]:,}–{c.value[1]:,}"
        value = f"{value:,}" if isinstance(value, (int, float)) else value
        quote = c.quote if len(c.quote) <= 70 else c.quote[:69] + "…"
        echo(f"  {c.id}: {c.entity} {c.metric} {value} {c.unit} {c.bound} {c.period or '(no period)'} {c.status}")
        echo(f'      "{quote}"')
    if d.candidates:
        echo(f"{len(d.candidates)} quoted statement(s) proposed as qualitative claims (commented out at the end of the file)")
    undecided = list(d.undecided)
    for c in d.claims:
        undecided += [f"{c.id}: {check}" for check in c.checks]
    if d.skipped:
        undecided.append("figures not drafted (no unit the drafter knows): " + ", ".join(repr(s) for s in d.skipped[:10]))
    if undecided:
        echo("could not decide (also written as comments in the file):")
        for line in undecided:
            echo(f"  - {line}")
    if d.new_entities:
        echo(
            f"organisations not in {shown.rstrip('/') + '/' if shown else ''}entities.yaml; to use one, add its line under `entities:`:"
        )
        for _, _, line in d.new_entities:
            echo(line)
    echo(f"next: review {done.source_path} against {done.text_path}, delete each `draft: true`, then run pivot check")


@main.command()
@store_options
@click.option("--full", is_flag=True, help="Rebuild everything instead of applying only the changed files.")
def build(data_dir: Path | None, db_path: Path | None, full: bool) -> None:
    """Build the SQLite store from the corpus, or bring it up to date.

    Only source files whose bytes changed are re-read and applied, in one
    transaction; a change to entities.yaml or topics.yaml, a new schema
    version or --full rebuilds the whole store into a new file."""
    try:
        ready = ensure_store(data_dir, db_path, force=full, verify=True)
    except CorpusError as exc:
        _problems(exc)
    except (OSError, StoreError) as exc:
        _fail(f"cannot build the store: {exc}")
    if ready.warning:
        # the store was kept because the corpus is broken: say what is wrong, as `check` does
        try:
            from tui.store.load import load_corpus

            load_corpus(data_dir or default_data_dir())
        except CorpusError as exc:
            for p in exc.problems:
                click.echo(str(p), err=True)
        _fail(ready.warning.replace("showing the last good store", "the last good store is kept"))
    b = ready.built
    if b is None:
        click.echo(f"{ready.path}: up to date")
        return
    if b.mode == "update":
        click.echo(
            f"updated {b.path}: {b.changed_files} file(s) changed, +{b.added_claims} -{b.removed_claims} claims; "
            f"now {b.sources} sources, {b.claims} claims, {b.conflicts} conflicts, in {b.seconds:.2f}s"
        )
    else:
        click.echo(
            f"built {b.path}: {b.sources} sources, {b.entities} entities, {b.claims} claims, "
            f"{b.conflicts} conflicts in {b.seconds:.2f}s"
        )


def _console():
    import shutil

    from rich.console import Console

    # the real width, also on a dumb terminal (where Rich would assume 80 columns)
    # (Rich takes the given size only when both width and height are given)
    size = shutil.get_terminal_size()
    return Console(highlight=False, soft_wrap=False, width=size.columns, height=size.lines)


@main.command(name="list")
@click.argument("query", nargs=-1)
@store_options
@click.option("--limit", default=200, show_default=True, help="Rows to show at most.")
def list_claims(query: tuple[str, ...], data_dir, db_path, limit: int) -> None:
    """Show the claims a QUERY selects as a table."""
    from tui.rich_tables import claims_table
    from tui.store import db

    conn = connect(data_dir, db_path)
    flt = _filter(conn, " ".join(query))
    rows = db.claim_page(conn, flt.where, flt.params, 0, limit)
    total, capped = db.count(conn, flt.where, flt.params)
    console = _console()
    console.print(claims_table(rows))
    _list_legend(console, rows)
    more = f"{total:,}{'+' if capped else ''}"
    console.print(f"{len(rows)} of {more} claim{'' if more == '1' else 's'}", style="dim")


def _list_legend(console, rows) -> None:
    """What the Src numbers and the marks after a value stand for."""
    from rich.text import Text

    from tui.store import db
    from tui.store.agreement import SUMMARY_MARK
    from tui.store.fmt import safe_text

    if not rows:
        return
    labels: dict[str, str] = {}
    for r in rows:
        labels.setdefault(r["source"], r["publisher"] or r["source_title"])
    numbers = db.source_numbers(rows)
    legend = Text("Src: ", style="dim")
    legend.append(" · ".join(f"[{numbers[sid]}] {safe_text(label)}" for sid, label in labels.items()))
    console.print(legend)
    shown = {r["relation"] for r in rows if SUMMARY_MARK.get(r["relation"] or "")}
    if shown:
        marks = ", ".join(f"{SUMMARY_MARK[k]} {k}" for k in ("disputed", "differs", "corroborated") if k in shown)
        console.print(Text(f"after a value: {marks} (pivot disputes shows why)", style="dim"))


@main.command()
@store_options
def sources(data_dir, db_path) -> None:
    """List the sources with their provenance flags and claim counts."""
    from tui.rich_tables import sources_table
    from tui.store import db

    conn = connect(data_dir, db_path)
    console = _console()
    console.print(sources_table(db.sources(conn), console.width))


@main.command()
@store_options
def entities(data_dir, db_path) -> None:
    """List companies, groups, events and the industry with claim and conflict counts."""
    from tui.rich_tables import entities_table
    from tui.store import db

    conn = connect(data_dir, db_path)
    _console().print(entities_table(db.entities(conn)))


def _write_or_print(text: str, output: Path | None, force: bool) -> None:
    from tui.store.export import ExportError, write_atomic

    if output is None:
        click.echo(text, nl=False)
        return
    try:
        path = write_atomic(output, text, force=force)
    except ExportError as exc:
        _fail(str(exc))
    click.echo(f"wrote {path}", err=True)


@main.command()
@click.argument("query", nargs=-1)
@store_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "csv", "json"]),
    default=None,
    help="md, csv or json (default: from the -o file's extension, else md).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file (atomically) instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--quotes", is_flag=True, help="Markdown: add each claim's quote and speaker.")
@click.option("--ids", is_flag=True, help="Markdown: add each claim's id.")
def export(
    query: tuple[str, ...], data_dir, db_path, fmt: str | None, output: Path | None, force: bool, quotes: bool, ids: bool
) -> None:
    """Export the claims a QUERY selects (all claims without one), streamed in store order."""
    from tui.store.export import ExportError, Selection, export_info, export_to, format_of, stream_claims

    conn = connect(data_dir, db_path)
    text = " ".join(query)
    flt = _filter(conn, text)
    sel = Selection(flt.where, tuple(flt.params), text)
    fmt = format_of(output, fmt)
    info = export_info(conn, text)
    if output is None:
        stream_claims(conn, sys.stdout, sel, fmt, quotes=quotes, info=info, ids=ids)
        sys.stdout.flush()
        return
    try:
        path, n = export_to(output, conn, sel, fmt, force=force, quotes=quotes, info=info, ids=ids)
    except ExportError as exc:
        _fail(str(exc))
    click.echo(f"wrote {path} ({n:,} claim{'' if n == 1 else 's'})", err=True)


@main.command()
@click.argument("query", nargs=-1)
@store_options
@click.option("--format", "fmt", type=click.Choice(["md", "table", "json"]), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file (atomically) instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def disputes(query: tuple[str, ...], data_dir, db_path, fmt: str, output: Path | None, force: bool) -> None:
    """Every quantity that more than one source states (among the claims a QUERY selects):
    each source's figure, its relation to the others and the reason, strongest first."""
    from tui.store.disputes import quantities
    from tui.store.export import disputes_json, disputes_markdown

    conn = connect(data_dir, db_path)
    text = " ".join(query)
    found = quantities(conn, _filter(conn, text))
    if fmt == "table" and output is None:
        from tui.rich_tables import disputes_table

        _console().print(disputes_table(found))
        click.echo(f"{len(found)} quantit{'y' if len(found) == 1 else 'ies'} stated by more than one source")
        return
    title = f"Where the sources disagree: {text}" if text else None
    rendered = disputes_json(conn, found) if fmt == "json" else disputes_markdown(conn, found, title=title)
    _write_or_print(rendered, output, force)


@main.command()
@click.argument("entity_names", nargs=-1, required=True, metavar="ENTITY ENTITY [...]")
@store_options
@click.option("--topic", "topic_names", multiple=True, help="Only these topics (id or label); repeatable.")
@click.option("--format", "fmt", type=click.Choice(["table", "md", "json", "csv"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file (atomically) instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--full", is_flag=True, help="Every claim in full instead of the headline grid (table, md).")
def compare(entity_names: tuple[str, ...], data_dir, db_path, topic_names, fmt: str, output, force: bool, full: bool) -> None:
    """Compare entities side by side: rows are topics and their quantities, columns entities;
    each cell the distinct figures and the statements (--full: every claim in full)."""
    from tui.query import resolve_entities, resolve_topics
    from tui.rich_tables import compare_table
    from tui.store import db
    from tui.store.export import render_compare

    if len(entity_names) < 2:
        _fail("compare needs at least two entities, e.g. pivot compare meta microsoft", 2)
    conn = connect(data_dir, db_path)
    ids: list[str] = []
    for name in entity_names:
        found = resolve_entities(conn, name)
        exact = [i for i in found if i == name.lower()]
        if not found:
            _fail(f"no entity matches '{name}' (see `pivot entities`)", 2)
        if len(found) > 1 and not exact:
            _fail(f"'{name}' matches several entities: {', '.join(found)}", 2)
        ids.append(exact[0] if exact else found[0])
    topic_ids: list[str] = []
    for name in topic_names:
        found = resolve_topics(conn, name)
        if not found:
            _fail(f"no topic matches '{name}'", 2)
        topic_ids += found
    if fmt in ("table", "md") and not full:
        # the headline grid, as the compare screen shows it
        from tui.store.export import compare_headline_markdown
        from tui.store.grid import headline

        grid = headline(conn, ids, topic_ids or None)
        if fmt == "table" and output is None:
            from tui.widgets.compare_grid import grid_lines

            console = _console()
            for line in grid_lines(grid, console.width):
                console.print(line, overflow="ellipsis", no_wrap=True)
            return
        _write_or_print(compare_headline_markdown(conn, grid), output, force)
        return
    cmp = db.compare(conn, ids, topic_ids or None)
    if fmt == "table" and output is None:
        console = _console()
        console.print(compare_table(cmp))
        return
    _write_or_print(render_compare(conn, cmp, "md" if fmt == "table" else fmt), output, force)


@main.command()
@click.argument("query", nargs=-1, required=True)
@store_options
@click.option("--limit", default=5, show_default=True, help="Quantities drawn at most.")
def figure(query: tuple[str, ...], data_dir, db_path, limit: int) -> None:
    """Every source's figure for the quantities a QUERY's numeric claims state, on one
    shared axis per quantity (plain characters under TERM=dumb)."""
    import os

    from tui.store.figure import plot
    from tui.widgets.figure import plot_lines

    conn = connect(data_dir, db_path)
    flt = _filter(conn, " ".join(query))
    families = conn.execute(
        f"SELECT DISTINCT claims.qentity, claims.metric, claims.unit FROM claims WHERE ({flt.where}) "
        "AND claims.value_low IS NOT NULL AND claims.metric IS NOT NULL LIMIT ?",
        [*flt.params, limit],
    ).fetchall()
    if not families:
        _fail("no numeric claim matches; a figure needs claims with a value", 1)
    console = _console()
    plain = os.environ.get("TERM") == "dumb"
    width = min(console.width, 160)
    for i, (qe, metric, unit) in enumerate(families):
        p = plot(conn, qe, metric, unit, related=False)
        if p is None:
            continue
        if i:
            console.print()
        for line in plot_lines(p, width, plain=plain):
            console.print(line, soft_wrap=True, crop=True)


@main.command()
@store_options
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback unless you choose otherwise)."
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--public", is_flag=True, help="Serve on a non-loopback address without asking (needed when not on a terminal).")
def serve(data_dir: Path | None, db_path: Path | None, host: str, port: int, public: bool) -> None:
    """The explorer in a web browser (textual-serve), on 127.0.0.1:8000 by default.

    Each browser tab runs its own explorer on the same corpus and store. Any other
    address than loopback lets everyone who can reach it read the whole corpus: pivot
    warns and asks first (--public answers yes; without a terminal it is required)."""
    from tui.serve import INSTALL_HINT, ServeUnavailable, display_url, explorer_command, is_loopback, make_server

    try:
        import textual_serve  # noqa: F401
    except ImportError:
        _fail(INSTALL_HINT)
    if not is_loopback(host):
        click.echo(
            f"warning: {display_url(host, port)} is not a loopback address: anyone who can reach it can "
            "read the whole corpus, which may be private, and drive the explorer (export writes files here).",
            err=True,
        )
        if not public:
            if not (sys.stdin.isatty() and sys.stderr.isatty()):
                _fail("not serving beyond this machine without --public (no terminal to ask)", 2)
            if not click.confirm("Serve the corpus on this address?", default=False, err=True):
                _fail("not serving", 1)
    connect(data_dir, db_path).close()  # build or update the store now, with its messages here
    try:
        server = make_server(explorer_command(data_dir, db_path), host, port)
    except ServeUnavailable as exc:
        _fail(str(exc))
    try:
        server.serve()
    except OSError as exc:
        _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


if __name__ == "__main__":  # pragma: no cover
    main()
