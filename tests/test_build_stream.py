"""The streamed full build (build.build_files: each source file parsed, checked and stored as
it comes, the agreement model one family at a time from SQL) gives the store the in-memory
build of the loaded corpus gives, rows in the same order; on a broken corpus it reports what
a full load reports and writes nothing. On a synthetic corpus of more files than the parse
pool starts at (load.PARALLEL_FROM), so that the pool's window of parsed chunks is the path
taken, and on the bundled corpus (positions) in one process."""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
from pathlib import Path

import pytest

from helpers import REPO
from test_base_update import tables
from tui.store import CorpusError, build_store, ensure_store, load_corpus
from tui.store import load as load_mod
from tui.store.build import build_files
from tui.store.files import file_states

sys.path.insert(0, str(REPO / "benchmarks"))
import synth


@pytest.fixture(scope="module")
def pooled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic corpus of 5,000 claims in 500 files."""
    out = tmp_path_factory.mktemp("stream") / "data"
    synth.generate(out, 5_000, seed=3)
    assert len(list((out / "sources").iterdir())) > load_mod.PARALLEL_FROM
    return out


def order(db_path: Path) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        return [r[0] for r in conn.execute("SELECT id FROM claims ORDER BY rowid")]
    finally:
        conn.close()


@pytest.mark.parametrize("corpus", ["pooled", "bundled"])
def test_a_streamed_build_equals_the_in_memory_build(corpus: str, pooled: Path, tmp_path: Path) -> None:
    data = pooled if corpus == "pooled" else REPO / "data"
    streamed, loaded = tmp_path / "streamed.db", tmp_path / "loaded.db"
    report = build_files(data, streamed)
    build_store(load_corpus(data), loaded, file_states(data))
    assert tables(streamed) == tables(loaded)
    assert order(streamed) == order(loaded)  # grouped by entity, then topic, source and id
    assert report.claims == len(order(loaded)) and report.sources == len(load_corpus(data).sources)


def test_pivot_build_full_streams(small_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`pivot build --full` (and every full build ensure_store makes) is the streamed one."""
    from tui.store import build as build_mod

    called: list[Path] = []
    real = build_mod.build_files

    def spy(data_dir: Path, db_path: Path) -> object:
        called.append(Path(data_dir))
        return real(data_dir, db_path)

    monkeypatch.setattr(build_mod, "build_files", spy)
    assert ensure_store(small_copy, tmp_path / "s.db", force=True).built.mode == "full"
    assert called == [small_copy]


def _break(data: Path) -> None:
    """Problems of every kind, in files far apart: a file that does not parse, an unknown
    entity and topic, a duplicate source id, a claim id taken in an earlier file."""
    files = sorted((data / "sources").iterdir())
    files[3].write_text(files[3].read_text() + "  - {unclosed\n")
    text = files[40].read_text()
    files[40].write_text(re.sub(r"entity: \S+", "entity: nobody-at-all", text, count=1))
    text = files[80].read_text()
    files[80].write_text(re.sub(r"topic: \S+", "topic: no-such-topic", text, count=1))
    taken = re.search(r"^id: (\S+)", files[120].read_text(), re.M).group(1)  # type: ignore[union-attr]
    files[300].write_text(re.sub(r"^id: \S+", f"id: {taken}", files[300].read_text(), count=1, flags=re.M))
    first = re.search(r"  - id: (\S+)", files[150].read_text()).group(1)  # type: ignore[union-attr]
    text = files[420].read_text()
    files[420].write_text(re.sub(r"  - id: \S+", f"  - id: {first}", text, count=1))


def test_a_streamed_build_of_a_broken_corpus_reports_the_full_loads_problems(pooled: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(pooled, data)
    db_path = tmp_path / "store.db"
    build_files(data, db_path)
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    _break(data)
    with pytest.raises(CorpusError) as full:
        load_corpus(data)
    with pytest.raises(CorpusError) as streamed:
        build_files(data, db_path)
    assert [str(p) for p in streamed.value.problems] == [str(p) for p in full.value.problems]
    assert {p.field for p in full.value.problems} >= {"entity", "topic", "id"}
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
