"""`pivot add`: draft a source file from a saved page. No Textual here.

read_page (page.py) -> draft (drafter.py: text.py sentences, store/numbers.py figures,
meaning.py metric, context.py entity, reading.py period and status, statements.py quoted
statements) -> render (write.py) -> the text saved as DATA/texts/<id>.txt and the draft as
DATA/sources/<id>.yaml: both or neither, never overwriting a file.

What the drafter knows of the corpus comes from the store and the small files beside the
sources (entities.yaml, topics.yaml, metrics.yaml), never from re-reading every source file:
an add takes the same time at any corpus size.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .context import Knowledge
from .drafter import Draft, draft, slug
from .page import ByteStream, Page, PageError, read_page
from .write import WriteError, render, write_all

__all__ = ["MAX_ID", "AddError", "Added", "Draft", "Page", "PageError", "add_article", "draft", "read_page", "render"]

MAX_ID = 120  # characters of a source id: it names sources/ID.yaml and texts/ID.txt


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
    page_arg: str,
    data_dir: Path,
    shown_dir: str,
    source_id: str | None = None,
    stdin: ByteStream | None = None,
    db_path: Path | None = None,
    timeout: float = 30.0,
    progress: Callable[[str], None] | None = None,
) -> Added:
    from tui.store.fields import SLUG

    if source_id is not None:
        if len(source_id) > MAX_ID:
            raise AddError(
                f"--id is {len(source_id):,} characters long; the limit is {MAX_ID} (it names sources/ID.yaml and texts/ID.txt)"
            )
        if not SLUG.match(source_id):
            raise AddError(f"--id {source_id!r} is not a valid id (lowercase letters, digits, single dashes)")
    try:
        page = read_page(page_arg, stdin=stdin, timeout=timeout)
    except PageError as exc:
        raise AddError(str(exc)) from None
    if source_id is None:
        base = page.title if page.title else " ".join(page.text.split()[:6])
        source_id = slug(base)[:60].strip("-") or "article"

    def join(*p: str) -> str:
        return "/".join([shown_dir.rstrip("/"), *p]) if shown_dir else "/".join(p)

    source_path = data_dir / "sources" / f"{source_id}.yaml"
    text_path = data_dir / "texts" / f"{source_id}.txt"
    shown_source, shown_text = join("sources", f"{source_id}.yaml"), join("texts", f"{source_id}.txt")
    if source_path.exists() or source_path.with_suffix(".yml").exists():
        raise AddError(f"{shown_source} already exists; not overwritten (choose another id with --id)")
    know, conn = knowledge(data_dir, db_path)
    try:
        return _draft_and_write(page, page_arg, know, conn, source_id, source_path, text_path, shown_source, shown_text, progress)
    finally:
        if conn is not None:
            conn.close()


def _draft_and_write(
    page: Page,
    page_arg: str,
    know: Knowledge,
    conn: sqlite3.Connection | None,
    source_id: str,
    source_path: Path,
    text_path: Path,
    shown_source: str,
    shown_text: str,
    progress: Callable[[str], None] | None,
) -> Added:
    from tui.store.load import parse_source_bytes
    from tui.store.quotes import normalise_ws

    if conn is not None:  # claim ids are the source id and a dash: only those can collide
        rows = conn.execute("SELECT id FROM claims WHERE id >= ? AND id < ?", (f"{source_id}-", f"{source_id}.")).fetchall()
        know.taken_ids |= {r[0] for r in rows}
    reused = False
    if text_path.exists():
        try:
            same = text_path.read_text(encoding="utf-8") == page.text
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:
            raise AddError(f"{shown_text} already exists with other text; not overwritten (choose another id with --id)")
        reused = True

    d = draft(page, know, source_id, progress)
    yaml_text = render(d, f"{source_id}.txt", page_arg)
    # the draft must load and its quotes must be the text's own words before anything is written
    source, problems = parse_source_bytes(yaml_text.encode("utf-8"), "the draft", source_id)
    flat = normalise_ws(page.text)
    bad = [c.quote for c in d.claims if normalise_ws(c.quote) not in flat]
    if problems or source is None or bad:  # pragma: no cover - a bug of the drafter, never the user's
        raise AddError(
            "the draft did not pass its own check, so nothing was written (a bug of pivot add: please report it with the page)",
            [str(p) for p in problems] + [f"quote not in the text: {b!r}" for b in bad],
        )
    files = [(source_path, yaml_text, shown_source)]
    if not reused:
        files.insert(0, (text_path, page.text, shown_text))
    try:
        write_all(files)
    except WriteError as exc:
        raise AddError(str(exc)) from None
    return Added(d, shown_source, shown_text, reused)


def knowledge(data_dir: Path, db_path: Path | None) -> tuple[Knowledge, sqlite3.Connection | None]:
    """What the drafter knows of the corpus: entities, topics and the registry from their small
    files; the metrics the claims use, from the store (built first where there is none)."""
    from tui.store.errors import StoreError
    from tui.store.locate import default_db_path, open_readonly, store_info
    from tui.store.model import CorpusError
    from tui.store.refresh import ensure_store
    from tui.store.schema import SCHEMA_VERSION

    entities, topics, metrics, problems = base_files(data_dir)
    if problems:
        raise AddError(f"the corpus has {len(problems)} problem(s); fix them first (pivot check)", problems)
    db = db_path or default_db_path(data_dir)
    info = store_info(db)
    if info is None or info.get("schema_version") != str(SCHEMA_VERSION):
        try:
            ensure_store(data_dir, db_path)  # the first command on this corpus: the store every later one uses
        except CorpusError as exc:
            raise AddError(
                f"the corpus has {len(exc.problems)} problem(s); fix them first (pivot check)", [str(p) for p in exc.problems]
            ) from None
        except (OSError, StoreError, sqlite3.Error) as exc:
            raise AddError(f"cannot build the store {db}: {exc}") from None
    try:
        conn = open_readonly(db)
        return Knowledge.from_store(conn, entities, topics, metrics), conn
    except (StoreError, sqlite3.Error):
        from tui.store.load import load_corpus

        try:
            return Knowledge.of(load_corpus(data_dir)), None
        except CorpusError as exc:
            raise AddError(
                f"the corpus has {len(exc.problems)} problem(s); fix them first (pivot check)", [str(p) for p in exc.problems]
            ) from None


def base_files(data_dir: Path) -> tuple[list, list, list, list[str]]:  # type: ignore[type-arg]
    """entities.yaml, topics.yaml and metrics.yaml, read and checked on their own (small files:
    the same time at any corpus size)."""
    from tui.store.fields import _entities, _topics
    from tui.store.files import file_label
    from tui.store.metrics import METRICS_FILE, check_metrics, read_metrics
    from tui.store.model import Problem
    from tui.store.yamlread import parse_yaml, read_bytes

    label = file_label(data_dir)
    problems: list[Problem] = []

    def read(name: str):  # type: ignore[no-untyped-def]
        path = data_dir / name
        raw, _, ps = read_bytes(path, label(path))
        problems.extend(ps)
        if raw is None:
            return None
        data, ps = parse_yaml(raw, label(path))
        problems.extend(ps)
        return data

    ent_data, top_data = read("entities.yaml"), read("topics.yaml")
    entities = _entities(ent_data, label(data_dir / "entities.yaml"), problems) if ent_data is not None else []
    topics = _topics(top_data, label(data_dir / "topics.yaml"), problems) if top_data is not None else []
    metrics = read_metrics(data_dir, label(data_dir / METRICS_FILE), problems)
    check_metrics(metrics, {t.id for t, _ in topics if t.id}, problems)
    return [e for e, _ in entities], [t for t, _ in topics], [m for m, _ in metrics], [str(p) for p in problems]
