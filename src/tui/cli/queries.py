"""The commands that read the store: `pivot list`, `sources`, `entities`, `export`,
`disputes`, `compare` and `figure` (each a thin wrapper over tui.store and tui.query,
drawn with Rich on a terminal or written as Markdown, CSV or JSON)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tui.cli.common import BadInput, PivotError, command, connect, console, query_filter, store_options, write_or_print


@command(name="list")
@click.argument("query", nargs=-1)
@store_options
@click.option("--limit", default=200, show_default=True, help="Rows to show at most.")
def list_claims(query: tuple[str, ...], data_dir, db_path, limit: int) -> None:
    """Show the claims a QUERY selects as a table.

    A QUERY that begins with @NAME is the named view NAME, saved in the explorer with
    `:w NAME` (its filter, then any terms that follow, in its sort)."""
    from tui.rich_tables import claims_table
    from tui.store import db

    text, sort = _with_view(" ".join(query))
    conn = connect(data_dir, db_path)
    flt = query_filter(conn, text)
    rows = db.sorted_page(conn, flt, sort, 0, limit)
    total, capped = db.count_matches(conn, flt)
    out = console()
    out.print(claims_table(rows, out.width))
    _list_legend(out, rows)
    more = f"{total:,}{'+' if capped else ''}"
    out.print(f"{len(rows)} of {more} claim{'' if more == '1' else 's'}", style="dim")


def _with_view(text: str) -> tuple[str, tuple[str, bool] | None]:
    """The filter and sort of a query that begins with @NAME (a named view), else the query as it is."""
    head, _, rest = text.strip().partition(" ")
    if not head.startswith("@"):
        return text, None
    from tui.state import Views
    from tui.store.db import SORT_KEYS

    views = Views()
    view = views.get(head[1:])
    if view is None:
        known = ", ".join("@" + n for n in views.views) or "none saved yet (:w NAME in the explorer saves one)"
        raise BadInput(f"no view named {head[1:]!r} in {views.path} (views: {known})")
    sort = view.sort if view.sort is not None and view.sort[0] in SORT_KEYS else None
    return f"{view.query} {rest}".strip(), sort


def _list_legend(out, rows) -> None:
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
    out.print(legend)
    shown = {r["relation"] for r in rows if SUMMARY_MARK.get(r["relation"] or "")}
    if shown:
        marks = ", ".join(f"{SUMMARY_MARK[k]} {k}" for k in SUMMARY_MARK if SUMMARY_MARK[k] and k in shown)
        out.print(Text(f"after a value: {marks} (pivot disputes shows why)", style="dim"))


@command()
@store_options
def sources(data_dir, db_path) -> None:
    """List the sources with their provenance flags and claim counts."""
    from tui.rich_tables import sources_tables
    from tui.store import db

    conn = connect(data_dir, db_path)
    out = console()
    for part in sources_tables(db.source_batches(conn), out.width):  # streamed: the first rows at once
        out.print(part)


@command()
@store_options
def entities(data_dir, db_path) -> None:
    """List companies, groups, events and the industry with claim and conflict counts."""
    from tui.rich_tables import entities_table
    from tui.store import db

    conn = connect(data_dir, db_path)
    console().print(entities_table(db.entities(conn)))


@command()
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
@click.option(
    "--sort",
    type=click.Choice(["entity", "topic", "summary", "value", "period", "status", "source"]),
    help="Order by this column over the whole result, as the explorer's [ ] do (default: store order).",
)
@click.option("--desc", "descending", is_flag=True, help="With --sort: descending.")
def export(
    query: tuple[str, ...],
    data_dir,
    db_path,
    fmt: str | None,
    output: Path | None,
    force: bool,
    quotes: bool,
    ids: bool,
    sort: str | None,
    descending: bool,
) -> None:
    """Export the claims a QUERY selects (all claims without one), streamed in store order (or --sort's)."""
    from tui.store.export import ExportError, Selection, export_info, export_to, format_of, stream_claims

    conn = connect(data_dir, db_path)
    text = " ".join(query)
    flt = query_filter(conn, text)
    sel = Selection(flt.where, tuple(flt.params), text, sort=(sort, descending) if sort else None)
    fmt = format_of(output, fmt)
    info = export_info(conn, text)
    if output is None:
        stream_claims(conn, sys.stdout, sel, fmt, quotes=quotes, info=info, ids=ids)
        sys.stdout.flush()
        return
    try:
        path, n = export_to(output, conn, sel, fmt, force=force, quotes=quotes, info=info, ids=ids)
    except ExportError as exc:
        raise PivotError(str(exc)) from exc
    click.echo(f"wrote {path} ({n:,} claim{'' if n == 1 else 's'})", err=True)


@command()
@click.argument("query", nargs=-1)
@store_options
@click.option("--format", "fmt", type=click.Choice(["md", "table", "json"]), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file (atomically) instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def disputes(query: tuple[str, ...], data_dir, db_path, fmt: str, output: Path | None, force: bool) -> None:
    """Every quantity that more than one source states (among the claims a QUERY selects):
    each source's figure, its relation to the others and the reason, strongest first; then
    every proposition more than one source takes a position on, for and against."""
    from tui.store.disputes import propositions, quantities
    from tui.store.export import disputes_json, disputes_markdown

    conn = connect(data_dir, db_path)
    text = " ".join(query)
    flt = query_filter(conn, text)
    found = quantities(conn, flt, shown_only=fmt != "json")  # JSON carries every column of a figure
    words = propositions(conn, flt)
    if fmt == "table" and output is None:
        from tui.rich_tables import disputes_table

        console().print(disputes_table(found, words))
        click.echo(
            f"{len(found)} quantit{'y' if len(found) == 1 else 'ies'} stated by more than one source"
            + (f", {len(words)} proposition{'s' if len(words) != 1 else ''} with positions of several" if words else "")
        )
        return
    title = f"Where the sources disagree: {text}" if text else None
    rendered = disputes_json(conn, found, words) if fmt == "json" else disputes_markdown(conn, found, title=title, words=words)
    write_or_print(rendered, output, force)


@command()
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
        raise BadInput("compare needs at least two entities, e.g. pivot compare meta microsoft")
    conn = connect(data_dir, db_path)
    ids: list[str] = []
    for name in entity_names:
        found = resolve_entities(conn, name)
        exact = [i for i in found if i == name.lower()]
        if not found:
            raise BadInput(f"no entity matches '{name}' (see `pivot entities`)")
        if len(found) > 1 and not exact:
            raise BadInput(f"'{name}' matches several entities: {', '.join(found)}")
        ids.append(exact[0] if exact else found[0])
    topic_ids: list[str] = []
    for name in topic_names:
        found = resolve_topics(conn, name)
        if not found:
            raise BadInput(f"no topic matches '{name}'")
        topic_ids += found
    if fmt in ("table", "md") and not full:
        # the headline grid, as the compare screen shows it
        from tui.store.export import compare_headline_markdown
        from tui.store.grid import headline

        grid = headline(conn, ids, topic_ids or None)
        if fmt == "table" and output is None:
            from tui.widgets.compare_grid import grid_lines

            out = console()
            for line in grid_lines(grid, out.width):
                out.print(line, overflow="ellipsis", no_wrap=True)
            return
        # the Markdown export holds every claim: the grid, then every claim under it
        full_cmp = db.compare(conn, ids, topic_ids or None, numbers=grid.sources)
        write_or_print(compare_headline_markdown(conn, grid, full=full_cmp), output, force)
        return
    cmp = db.compare(conn, ids, topic_ids or None)
    if fmt == "table" and output is None:
        out = console()
        out.print(compare_table(cmp))
        return
    write_or_print(render_compare(conn, cmp, "md" if fmt == "table" else fmt), output, force)


@command()
@click.argument("query", nargs=-1, required=True)
@store_options
@click.option("--limit", default=5, show_default=True, help="Quantities drawn at most.")
@click.option(
    "--order",
    type=click.Choice(["period", "date"]),
    default="period",
    show_default=True,
    help="By period, or by the sources' dates: each figure as it was printed, earliest first (the story of a figure).",
)
def figure(query: tuple[str, ...], data_dir, db_path, limit: int, order: str) -> None:
    """Every source's figure for the quantities a QUERY's numeric claims state, on one
    shared axis per quantity (plain characters under TERM=dumb)."""
    import os

    from tui.store import db
    from tui.store.figure import plot
    from tui.widgets.figure import plot_lines

    conn = connect(data_dir, db_path)
    flt = query_filter(conn, " ".join(query))
    families = db.quantity_families(conn, flt, limit)
    if not families:
        raise PivotError("no numeric claim matches; a figure needs claims with a value")
    out = console()
    plain = os.environ.get("TERM") == "dumb"
    width = min(out.width, 160)
    for i, (qe, metric, unit) in enumerate(families):
        p = plot(conn, qe, metric, unit, related=False, order=order)
        if p is None:
            continue
        if i:
            out.print()
        for line in plot_lines(p, width, plain=plain):
            out.print(line, soft_wrap=True, crop=True)
