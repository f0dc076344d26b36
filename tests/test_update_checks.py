"""The in-place update checks a changed source file against the store with the full load's own
rules and words (issue 8: update_store repeated the cross-file checks with messages that had
drifted from load.py's): one function, load.check_sources, for both."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import SMALL
from tui.store import CorpusError, load_corpus
from tui.store.files import diff_corpus, file_label
from tui.store.locate import open_readonly
from tui.store.refresh import ensure_store
from tui.store.update import update_store

LATE = """\
id: zz-late
title: A late file
kind: news
claims:
  - id: alpha-meta-cut
    entity: meta
    topic: job-cuts
    summary: Meta again
    quote: again
    status: reported
  - id: zz-one
    entity: Meta
    topic: ai-capx
    summary: Named by its name
    quote: named
    status: reported
  - id: zz-one
    entity: cloudflare
    topic: job-cuts
    summary: A company not in entities.yaml
    quote: unknown
    status: reported
"""

EARLY = """\
id: aa-early
title: An early file
kind: news
claims:
  - id: beta-meta-cut-pct
    entity: metaa
    topic: job-cuts
    summary: A typo of an entity
    quote: typo
    status: reported
"""


def problems_of_update(data: Path, db_path: Path) -> list[str]:
    conn = open_readonly(db_path)
    try:
        changes = diff_corpus(conn, data)
    finally:
        conn.close()
    assert not changes.needs_full and changes.added
    with pytest.raises(CorpusError) as info:
        update_store(db_path, data, changes, file_label(data))
    return sorted(str(p) for p in info.value.problems)


def problems_of_load(data: Path) -> list[str]:
    with pytest.raises(CorpusError) as info:
        load_corpus(data)
    return sorted(str(p) for p in info.value.problems)


@pytest.mark.parametrize(
    "files", [{"zz-late.yaml": LATE}, {"aa-early.yaml": EARLY}, {"zz-late.yaml": LATE, "aa-early.yaml": EARLY}]
)
def test_an_update_reports_the_problems_a_full_load_reports_in_its_words(tmp_path: Path, files: dict[str, str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    db_path = tmp_path / "store.db"
    ensure_store(data, db_path)
    for name, text in files.items():
        (data / "sources" / name).write_text(text)
    update = problems_of_update(data, db_path)
    assert update == problems_of_load(data)
    assert update  # the files have problems: an empty pair of lists would prove nothing
    if "aa-early.yaml" in files:  # the stored claim comes later by name: the message is at its line
        assert any(p.startswith("data/sources/beta-blog.yaml:") and "first at data/sources/aa-early.yaml:5" in p for p in update)


def test_a_changed_file_may_keep_its_own_claim_ids(tmp_path: Path) -> None:
    """The claims of the file being replaced are leaving: their ids are not duplicates."""
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    db_path = tmp_path / "store.db"
    ensure_store(data, db_path)
    source = data / "sources" / "alpha-news.yaml"
    source.write_text(source.read_text().replace("Big Tech Cuts Jobs to Fund AI", "Big Tech Cuts Jobs to Pay for AI"))
    ready = ensure_store(data, db_path)
    assert ready.warning is None and ready.built is not None and ready.built.mode == "update"
