"""The no-op (issue 23): the store keeps one digest of every corpus file's stat (name, size,
mtime, ctime, inode); `pivot build`, `pivot list --data` and the explorer's refresh compare
it with one scan of the folder and, when it is the same, read no file record. Every change
the file-by-file comparison sees still makes the digest differ."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import SMALL, assert_snapshot_is_the_records
from tui.store import files
from tui.store.files import FILES_DIGEST, scan
from tui.store.locate import store_info
from tui.store.refresh import ensure_store


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    db_path = tmp_path / "store.db"
    ensure_store(data, db_path)
    return data, db_path


def scan_digest(data: Path) -> str | None:
    found = scan(data)
    return found.digest if found is not None else None


def kept_digest(db_path: Path) -> str | None:
    info = store_info(db_path)
    assert info is not None
    return info.get(FILES_DIGEST)


def no_file_by_file_look(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("diff_corpus read the file records on a no-op")

    monkeypatch.setattr(files, "diff_corpus", refuse)


def test_a_noop_reads_no_file_record(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    data, db_path = built
    assert kept_digest(db_path) == scan_digest(data)
    no_file_by_file_look(monkeypatch)
    assert ensure_store(data, db_path).built is None
    assert ensure_store(data, db_path, verify=True).built is None


def test_a_noop_after_an_update_reads_no_file_record(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    data, db_path = built
    source = sorted((data / "sources").glob("*.yaml"))[0]
    source.write_text(source.read_text(encoding="utf-8").replace("summary:", "summary: Edited,", 1), encoding="utf-8")
    ready = ensure_store(data, db_path)
    assert ready.built is not None and ready.built.mode == "update"
    if kept_digest(db_path) != scan_digest(data):  # a record smudged as racy: the next look settles it
        ensure_store(data, db_path)
    assert kept_digest(db_path) == scan_digest(data)
    no_file_by_file_look(monkeypatch)
    assert ensure_store(data, db_path).built is None


@pytest.mark.parametrize("change", ["add", "edit", "remove"])
def test_an_update_keeps_the_scans_digest_when_its_records_are_the_scan(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """An update whose written records all hold the stat the scan saw (no file racy) keeps the
    scan's digest instead of working it out from 100,000 records (~0.4 s at 1M), and it is the
    digest of the records it left."""
    data, db_path = built
    sources = sorted((data / "sources").glob("*.yaml"))
    if change == "add":
        (data / "sources" / "zz-new.yaml").write_text(
            "id: zz-new\ntitle: A new source\nkind: news\npublished: '2026-01-02'\nclaims: []\n", encoding="utf-8"
        )
    elif change == "edit":
        sources[0].write_text(sources[0].read_text(encoding="utf-8").replace("summary:", "summary: Edited,", 1), encoding="utf-8")
    else:
        sources[-1].unlink()
    time.sleep(2 * files.RACY_NS / 1e9)  # no longer racy when the update looks
    monkeypatch.setattr(files, "records_digest", lambda *_: pytest.fail("the digest was worked out from the records"))
    ready = ensure_store(data, db_path)
    assert ready.built is not None and ready.built.mode == "update", ready
    monkeypatch.undo()
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        assert kept_digest(db_path) == files.recorded_digests(conn)[1] == scan_digest(data)


def test_an_edit_of_the_same_size_with_its_mtime_set_back_is_seen(built: tuple[Path, Path]) -> None:
    """`cp -p`, `rsync -a`, `tar x`: the same size and mtime, but a new ctime, which no tool sets."""
    data, db_path = built
    source = sorted((data / "sources").glob("*.yaml"))[0]
    before = source.stat()
    text = source.read_text(encoding="utf-8")
    at = next(i for i in range(text.index("summary:") + 8, len(text)) if text[i].isascii() and text[i].isalpha())
    edited = text[:at] + ("Z" if text[at] != "Z" else "Y") + text[at + 1 :]
    assert len(edited.encode()) == len(text.encode()) and edited != text
    with open(source, "r+", encoding="utf-8") as fh:  # in place: the inode and the folder stay
        fh.write(edited)
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (source.stat().st_size, source.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert scan_digest(data) != kept_digest(db_path)
    ready = ensure_store(data, db_path)
    assert ready.built is not None and ready.built.mode == "update" and ready.built.changed_files == 1


@pytest.mark.parametrize("change", ["add", "remove", "rename", "base file", "hidden file", "folder"])
def test_every_change_of_the_set_of_files_changes_the_digest_or_none(built: tuple[Path, Path], change: str) -> None:
    data, db_path = built
    sources = data / "sources"
    first = sorted(sources.glob("*.yaml"))[0]
    if change == "add":
        shutil.copy(first, sources / "zz-copy.yaml")
    elif change == "remove":
        first.unlink()
    elif change == "rename":
        first.rename(sources / ("zz-" + first.name))
    elif change == "base file":
        with open(data / "topics.yaml", "a", encoding="utf-8") as fh:
            fh.write("\n")
    if change in ("hidden file", "folder"):  # not source files: the digest stays, as the store does
        (sources / ".#editor-lock.yaml").write_text("x")
        (sources / "sub.yaml").mkdir()
        assert scan_digest(data) == kept_digest(db_path)
        assert ensure_store(data, db_path).built is None
    else:
        assert scan_digest(data) != kept_digest(db_path)


def test_a_racy_record_never_matches(built: tuple[Path, Path]) -> None:
    """A record smudged as racy (ctime -1) matches no stat: the next look is file by file."""
    data, db_path = built
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE source_files SET ctime_ns = -1 WHERE file = (SELECT min(file) FROM source_files)")
        recorded = files.recorded_digests(conn)[1]
        conn.execute("UPDATE pivot_meta SET value = ? WHERE key = ?", (recorded, FILES_DIGEST))
    conn.close()
    assert scan_digest(data) != kept_digest(db_path)
    ensure_store(data, db_path)  # renews the record (the same bytes): the digest matches again
    assert scan_digest(data) == kept_digest(db_path)


def test_a_store_written_before_the_digest_gets_it_once(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    data, db_path = built
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("DELETE FROM pivot_meta WHERE key = ?", (FILES_DIGEST,))
    conn.close()
    ready = ensure_store(data, db_path)
    assert ready.built is None or not ready.built.changed  # said as "up to date"
    assert kept_digest(db_path) == scan_digest(data)
    no_file_by_file_look(monkeypatch)
    assert ensure_store(data, db_path).built is None


def test_a_digest_left_behind_by_an_older_pivot_is_renewed_once(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update by a pivot that did not keep the digest leaves it behind the records."""
    data, db_path = built
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE pivot_meta SET value = 'left behind' WHERE key = ?", (FILES_DIGEST,))
    conn.close()
    ready = ensure_store(data, db_path)
    assert ready.built is None or not ready.built.changed
    assert kept_digest(db_path) == scan_digest(data)
    no_file_by_file_look(monkeypatch)
    assert ensure_store(data, db_path).built is None


def test_a_folder_that_cannot_be_listed_has_no_digest(tmp_path: Path) -> None:
    assert scan_digest(tmp_path / "nowhere") is None


def test_the_scan_sees_what_the_file_by_file_look_sees(tmp_path: Path) -> None:
    """The scan's stats and digest are those of every source file as the file-by-file look
    lists them (`files.stat_states`): over more than one batch of stats, with a folder named
    like a source file in the middle, hidden files, a name that is no source and a missing
    base file."""
    data = tmp_path / "data"
    sources = data / "sources"
    sources.mkdir(parents=True)
    (data / "entities.yaml").write_text("entities: []\n")
    (data / "topics.yaml").write_text("topics: []\n")
    for i in range(9000):
        (sources / f"s{i:05}.yaml").write_text(f"n: {i}\n" * (i % 3 + 1))
    (sources / "s04500x.yaml").mkdir()  # between two files, in the second batch
    (sources / "s08000.yml").write_text("x\n")
    (sources / ".#s00001.yaml").write_text("lock\n")
    (sources / "notes.txt").write_text("not a source\n")
    found = scan(data)
    assert found is not None
    expected = {rel: files.stat_key(st.size, st.mtime_ns, st.ctime_ns, st.ino) for rel, st in files.stat_states(data).items()}
    assert len(expected) == 9003 and "sources/s04500x.yaml" not in expected
    assert found.stats() == expected
    records = [(rel, st.size, st.mtime_ns, st.ctime_ns, st.ino) for rel, st in files.stat_states(data).items()]
    assert found.digest == files.records_digest(records)
    (sources / "s04500x.yaml").rmdir()
    (sources / "s04500x.yaml").write_text("now a file\n")
    assert scan_digest(data) != found.digest


@pytest.mark.parametrize("change", ["touch", "same bytes, new inode", "new bytes, same size and times"])
def test_a_file_whose_bytes_or_stat_changed_changes_the_digest_and_is_settled_once(built: tuple[Path, Path], change: str) -> None:
    """A touch (new times, same bytes), an editor's save by rename (same bytes, new inode)
    and an edit that keeps size and times (ctime moves): the digest differs; the look file by
    file renews the records (a touch, a new inode) or applies the edit, and the next no-op
    reads no record."""
    data, db_path = built
    source = sorted((data / "sources").glob("*.yaml"))[0]
    before = source.stat()
    text = source.read_bytes()
    if change == "touch":
        os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns + 5_000_000_000))
    elif change == "same bytes, new inode":
        copy = source.with_name(".save.tmp")
        shutil.copy2(source, copy)
        copy.replace(source)
    else:
        at = next(i for i in range(text.index(b"summary:") + 8, len(text)) if chr(text[i]).isascii() and chr(text[i]).isalpha())
        edited = text[:at] + (b"Z" if text[at : at + 1] != b"Z" else b"Y") + text[at + 1 :]
        source.write_bytes(edited)
        os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert scan_digest(data) != kept_digest(db_path)
    ready = ensure_store(data, db_path)
    if change == "new bytes, same size and times":
        assert ready.built is not None and ready.built.changed_files == 1
    else:
        assert ready.built is None or not ready.built.changed  # the same claims: "up to date"
    if kept_digest(db_path) != scan_digest(data):  # a record smudged as racy: the next look settles it
        ensure_store(data, db_path)
    assert kept_digest(db_path) == scan_digest(data)


@pytest.mark.parametrize("change", ["add", "edit", "remove", "touch", "racy edit", "entities.yaml"])
def test_an_update_finds_its_files_from_the_records_snapshot(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """An update compares the scan with the snapshot of the records the store keeps beside
    them (two blobs), not with every record read (~0.4 s of CPU at 100,000 files): the same
    changes found, no record read but those it compares, and the snapshot it leaves is that
    of the records it wrote, as read again."""
    data, db_path = built
    sources = sorted((data / "sources").glob("*.yaml"))
    if change == "add":
        (data / "sources" / "zz-new.yaml").write_text(
            "id: zz-new\ntitle: A new source\nkind: news\npublished: '2026-01-02'\nclaims: []\n", encoding="utf-8"
        )
    elif change in ("edit", "racy edit"):
        sources[0].write_text(sources[0].read_text(encoding="utf-8").replace("summary:", "summary: Edited,", 1), encoding="utf-8")
    elif change == "remove":
        sources[-1].unlink()
    elif change == "touch":
        before = sources[1].stat()
        os.utime(sources[1], ns=(before.st_atime_ns, before.st_mtime_ns + 5_000_000_000))
    else:
        entities = data / "entities.yaml"
        entities.write_text(entities.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    if change != "racy edit":
        time.sleep(2 * files.RACY_NS / 1e9)
    found = scan(data)
    assert found is not None
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        fast = files._diff_scanned(conn, data, found)
        monkeypatch.setattr(files, "read_snapshot", lambda conn: None)
        slow = files._diff_scanned(conn, data, found)
        monkeypatch.undo()
    assert fast.snapshot is not None and slow.snapshot is None and slow.records is not None
    for field in ("base_changed", "added", "changed", "removed", "touched", "differing", "scan_digest"):
        assert getattr(fast, field) == getattr(slow, field), field
    assert not fast.empty
    monkeypatch.setattr(files, "_KEY_SQL", "no_such_column")  # every record read: the store fails to answer
    ready = ensure_store(data, db_path)
    monkeypatch.undo()
    assert ready.built is not None and ready.built.mode in ("update", "refresh"), ready
    assert_snapshot_is_the_records(db_path)


def test_a_snapshot_that_is_not_the_records_is_not_used(built: tuple[Path, Path]) -> None:
    """A snapshot whose numbers do not give the stat digest the store keeps (damaged, or left
    by a writer that renewed the records without it) is passed over: the records are read."""
    data, db_path = built
    with sqlite3.connect(db_path) as conn:
        fields = conn.execute("SELECT fields FROM file_snapshot").fetchone()[0]
        conn.execute("UPDATE file_snapshot SET fields = ?", (bytes([fields[0] ^ 1]) + fields[1:],))
    sources = sorted((data / "sources").glob("*.yaml"))
    sources[-1].unlink()
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        assert files.read_snapshot(conn) is None
    ready = ensure_store(data, db_path)
    assert ready.built is not None and ready.built.mode == "update"
    assert_snapshot_is_the_records(db_path)  # renewed from the records read


@settings(max_examples=300, deadline=None)
@given(
    st.sets(st.text(alphabet="ab/.\u00e9z", min_size=1, max_size=4), max_size=40),
    st.sets(st.text(alphabet="ab/.\u00e9z", min_size=1, max_size=4), max_size=40),
)
def test_the_names_that_came_and_went_are_found_as_sets_find_them(old: set[str], new: set[str]) -> None:
    """_edits (slices compared, growing then halving) against set arithmetic, and the records'
    corpus digest from the snapshot's layout against digest_of."""
    was, now = sorted(old), sorted(new)
    edits = files._edits(was, now)
    assert edits is not None
    gone, came = edits
    assert [was[i] for i in gone] == sorted(old - new) and [now[i] for i in came] == sorted(new - old)
    shas = "".join(f"{i:064x}" for i in range(len(now)))
    base = {"entities.yaml": "e" * 64, "topics.yaml": "t" * 64}
    states = [files.FileState("sources/" + n, 0, 0, shas[i * 64 : (i + 1) * 64]) for i, n in enumerate(now)]
    states += [files.FileState(rel, 0, 0, sha) for rel, sha in base.items()]
    assert files._hashes_digest(now, shas, base) == files.digest_of(states)
