"""`pivot add`: draft a source file from a saved page. No Textual here.

read_page (page.py) -> draft (drafter.py: text.py sentences, figures.py numbers,
context.py entity/metric/status/period, statements.py quoted statements) ->
render (write.py) -> the text saved as DATA/texts/<id>.txt and the draft as
DATA/sources/<id>.yaml, neither ever overwritten.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from .drafter import Draft, draft, slug
from .page import ByteStream, Page, PageError, read_page
from .write import WriteError, render, write_new

__all__ = ["AddError", "Added", "Draft", "Page", "PageError", "add_article", "draft", "read_page", "render"]


class AddError(Exception):
    """Nothing was written; `lines` say why (one problem a line)."""

    def __init__(self, message: str, lines: list[str] | None = None):
        self.lines = lines or []
        super().__init__(message)


@dataclass
class Added:
    draft: Draft
    source_path: str  # as the user would type it
    text_path: str
    text_reused: bool


def add_article(
    page_arg: str, data_dir: Path, shown_dir: str, source_id: str | None = None, stdin: ByteStream | None = None
) -> Added:
    from tui.store.fields import SLUG
    from tui.store.load import load_corpus, parse_source_file
    from tui.store.model import CorpusError
    from tui.store.quotes import normalise_ws

    try:
        page = read_page(page_arg, stdin=stdin)
    except PageError as exc:
        raise AddError(str(exc)) from None
    try:
        corpus = load_corpus(data_dir)
    except CorpusError as exc:
        raise AddError(
            f"the corpus has {len(exc.problems)} problem(s); fix them first (pivot check)", [str(p) for p in exc.problems]
        ) from None
    if source_id is None:
        base = page.title if page.title else " ".join(page.text.split()[:6])
        source_id = slug(base)[:60].strip("-") or "article"
    elif not SLUG.match(source_id):
        raise AddError(f"--id {source_id!r} is not a valid id (lowercase letters, digits, single dashes)")

    def join(*p: str) -> str:
        return "/".join([shown_dir.rstrip("/"), *p]) if shown_dir else "/".join(p)

    source_path = data_dir / "sources" / f"{source_id}.yaml"
    text_path = data_dir / "texts" / f"{source_id}.txt"
    shown_source, shown_text = join("sources", f"{source_id}.yaml"), join("texts", f"{source_id}.txt")
    if source_path.exists() or any(s.id == source_id for s in corpus.sources):
        raise AddError(f"{shown_source} already exists; not overwritten (choose another id with --id)")
    reused = False
    if text_path.exists():
        try:
            same = text_path.read_text(encoding="utf-8") == page.text
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:
            raise AddError(f"{shown_text} already exists with other text; not overwritten (choose another id with --id)")
        reused = True

    d = draft(page, corpus, source_id)
    yaml_text = render(d, f"{source_id}.txt", page_arg)
    # the draft must load and its quotes must be the text's own words before anything is written
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / f"{source_id}.yaml"
        probe.write_text(yaml_text, encoding="utf-8")
        source, problems = parse_source_file(probe, shown_source)
    flat = normalise_ws(page.text)
    bad = [c.quote for c in d.claims if normalise_ws(c.quote) not in flat]
    if problems or source is None or bad:  # pragma: no cover - a bug of the drafter, never the user's
        raise AddError(
            "the draft did not pass its own check; nothing written",
            [str(p) for p in problems] + [f"quote not in the text: {b!r}" for b in bad],
        )
    try:
        if not reused:
            write_new(text_path, page.text, shown_text)
        write_new(source_path, yaml_text, shown_source)
    except WriteError as exc:
        raise AddError(str(exc)) from None
    except OSError as exc:
        raise AddError(f"cannot write under {shown_dir or '.'}: {exc.strerror or exc}") from None
    return Added(d, shown_source, shown_text, reused)
