"""The corpus commands: `pivot check` (validate it, verify quotes), `pivot add` (draft a
source from a saved page) and `pivot build` (the store, built or brought up to date)."""

from __future__ import annotations

from pathlib import Path

import click

from tui.cli.common import DATA_OPTION, CorpusProblems, PivotError, command, ensure, shown_dir, store_options
from tui.store.locate import default_data_dir
from tui.store.model import CorpusError


@command()
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
    from tui.store.build import corpus_conflicts

    data_dir, _ = shown_dir(data_dir)
    try:
        from tui.store.load import corpus_warnings, draft_claims, load_corpus
        from tui.store.model import with_hint
        from tui.store.quotes import TEXTS_DIR, check_quotes

        corpus = load_corpus(data_dir)
    except CorpusError as exc:
        raise CorpusProblems(exc.problems) from exc
    own_texts = (data_dir / TEXTS_DIR).is_dir()
    quotes = check_quotes(corpus, data_dir, texts) if (texts or own_texts) else None
    if quotes and quotes.problems:
        raise CorpusProblems(quotes.problems)
    for w in corpus_warnings(corpus):
        click.echo(with_hint(w), err=True)
    claims = corpus.claims
    conflicts = corpus_conflicts(corpus)
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
        raise PivotError(f"{sum(drafts.values())} draft claim(s) not reviewed (--strict)")
    click.echo(line)


@command()
@click.argument("page")
@click.option("--id", "source_id", help="Id of the new source (default: from the title).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds a URL's whole download may take.",
)
@store_options
def add(page: str, source_id: str | None, timeout: float, data_dir: Path | None, db_path: Path | None) -> None:
    """Draft a source file from a saved PAGE (.html, .txt, .md, - for standard input, or a URL).

    Saves the article's text as DATA/texts/ID.txt and drafts DATA/sources/ID.yaml:
    one claim per figure, each marked draft: true for you to review. Both are
    written or neither; a file is never overwritten. A long page says how far
    drafting has got on standard error."""
    from tui.draft import AddError, add_article
    from tui.draft.drafter import stderr_progress

    real, shown = shown_dir(data_dir)
    try:
        done = add_article(page, real, shown, source_id, db_path=db_path, timeout=timeout, progress=stderr_progress)
    except AddError as exc:
        for line in exc.lines:
            click.echo(line, err=True)
        raise PivotError(str(exc)) from exc
    d = done.draft
    p = d.page
    echo = click.echo
    echo(f"drafted {done.source_path} from {page}")
    echo(("kept" if done.text_reused else "saved") + f" the article's text as {done.text_path} ({len(p.text):,} characters)")
    for key in ("title", "publisher", "author", "published", "url"):
        value = getattr(p, key)
        echo(f"  {key + ':':11}{value if value is not None else 'null (the page does not say)'}")
        if key == "published" and p.published is None and p.as_of:
            echo(f"  {'as_of:':11}{p.as_of} ({p.found.get('as_of', 'a dated lead')})")
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
            f"entities the draft uses that {shown.rstrip('/') + '/' if shown else ''}entities.yaml lacks; add each line under `entities:`:"
        )
        for p_ in d.new_entities:
            echo(p_.line)
    if d.new_metrics:
        from tui.store.metrics import registry_line

        echo(
            f"new metrics (check each name; to keep one, add its line under `metrics:` in {shown.rstrip('/') + '/' if shown else ''}metrics.yaml):"
        )
        for mid, unit, _ in d.new_metrics:
            echo(registry_line(mid, unit))
    echo(f"next: review {done.source_path} against {done.text_path}, delete each `draft: true`, then run pivot check")


@command()
@store_options
@click.option("--full", is_flag=True, help="Re-read every file and rebuild the whole store instead of applying only the changes.")
@click.option("-v", "--verbose", is_flag=True, help="Say what each step cost (on standard error).")
def build(data_dir: Path | None, db_path: Path | None, full: bool, verbose: bool) -> None:
    """Build the SQLite store from the corpus, or bring it up to date.

    Only source files whose bytes changed are re-read and applied, in one
    transaction; a change to entities.yaml, topics.yaml, metrics.yaml or
    propositions.yaml is applied from the store's own rows, without reading
    the source files again. A new schema version or --full re-reads every
    file and rebuilds the whole store into a new file (the way out whenever
    the store is in doubt)."""
    ready = ensure(data_dir, db_path, "cannot build the store: ", force=full, verify=True)
    if ready.warning:
        # the store was kept because the corpus is broken: say what is wrong, as `check` does
        # (the base update found every problem already, without reading every source file)
        try:
            if ready.problems is not None:
                raise CorpusError(ready.problems)
            from tui.store.load import load_corpus

            load_corpus(data_dir or default_data_dir())
        except CorpusError as exc:
            for p in exc.problems:
                click.echo(str(p), err=True)
        raise PivotError(ready.warning.replace("showing the last good store", "the last good store is kept"))
    b = ready.built
    if verbose:
        for name, seconds in [*ready.steps, *(b.steps if b is not None else [])]:
            click.echo(f"  {name}: {seconds * 1000:,.0f} ms", err=True)
    if b is None or not b.changed:  # nothing changed but the file records (a copied corpus, a touch)
        click.echo(f"{ready.path}: up to date")
        return
    if b.mode == "update":
        base = f" ({', '.join(b.base_files)} applied from the store, no source re-read)" if b.base_files else ""
        click.echo(
            f"updated {b.path}: {b.changed_files} file(s) changed{base}, +{b.added_claims} -{b.removed_claims} claims; "
            f"now {b.sources} sources, {b.claims} claims, {b.conflicts} conflicts, in {b.seconds:.2f}s"
        )
    else:
        click.echo(
            f"built {b.path}: {b.sources} sources, {b.entities} entities, {b.claims} claims, "
            f"{b.conflicts} conflicts in {b.seconds:.2f}s"
        )
