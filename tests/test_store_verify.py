"""`pivot build` on an up-to-date store reads the whole file only when something other than
pivot changed it since pivot wrote or checked it (issue 14: a no-op build at a million
claims read 1.5 GB each time): pivot's writes and passed checks are stamped with the
store's stat, and any other write to the file, also one that sets its modification time
back, gives it a new ctime and so a whole check again."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from helpers import SMALL, damage_table
from tui.store import stamps
from tui.store.refresh import ensure_store

INDEX = "idx_claims_topic"  # an index of the claims table: no query of the probe reads it


@pytest.fixture
def checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, list[int]]:
    """A corpus, its store built, and a count of whole-file checks (stamps written at once:
    a store changed a moment ago counts as settled here)."""
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    db_path = tmp_path / "store.db"
    ensure_store(data, db_path)
    monkeypatch.setattr(stamps, "SETTLED_NS", -(10**12))
    calls: list[int] = []
    real = stamps.quick_check

    def counting(conn: sqlite3.Connection) -> bool:
        calls.append(1)
        return real(conn)

    monkeypatch.setattr(stamps, "quick_check", counting)
    return data, db_path, calls


def test_a_store_pivot_wrote_is_not_read_whole_while_unchanged(checked: tuple[Path, Path, list[int]]) -> None:
    data, db_path, calls = checked
    assert ensure_store(data, db_path, verify=True).built is None
    assert ensure_store(data, db_path, verify=True).built is None
    assert calls == []
    assert sorted(p.name for p in db_path.parent.iterdir() if p.name.startswith("store.db")) == ["store.db", "store.db.lock"]


def test_a_store_written_by_another_program_is_checked_whole_once(checked: tuple[Path, Path, list[int]]) -> None:
    data, db_path, calls = checked
    stamped = os.stat(db_path).st_ctime_ns
    while os.stat(db_path).st_ctime_ns == stamped:  # within pivot's own clock tick: write again
        conn = sqlite3.connect(db_path)
        conn.execute("UPDATE pivot_meta SET value = 'by hand' WHERE key = 'built_at'")
        conn.commit()
        conn.close()
    assert ensure_store(data, db_path, verify=True).built is None
    assert ensure_store(data, db_path, verify=True).built is None
    assert len(calls) == 1


def test_a_store_damaged_in_place_with_its_times_set_back_is_checked_and_rebuilt(checked: tuple[Path, Path, list[int]]) -> None:
    data, db_path, calls = checked
    assert ensure_store(data, db_path, verify=True).built is None
    stamped = os.stat(db_path)
    damage_table(db_path, INDEX)  # where the start-up probe does not look: only a whole check sees it
    os.utime(db_path, ns=(stamped.st_atime_ns, stamped.st_mtime_ns))
    while os.stat(db_path).st_ctime_ns == stamped.st_ctime_ns:  # within one clock tick: write again
        damage_table(db_path, INDEX)
        os.utime(db_path, ns=(stamped.st_atime_ns, stamped.st_mtime_ns))
    after = os.stat(db_path)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (stamped.st_ino, stamped.st_size, stamped.st_mtime_ns)
    ready = ensure_store(data, db_path, verify=True)
    assert len(calls) == 1
    assert ready.built is not None and ready.built.mode == "full"
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_a_store_not_settled_is_checked_whole_every_time(checked: tuple[Path, Path, list[int]], monkeypatch) -> None:
    """A store found without a stamp and changed within the last second is not stamped after
    its check: a write in the same clock tick as the check could share its ctime."""
    data, db_path, calls = checked
    (db_path.parent / "store.db.lock").write_bytes(b"")
    monkeypatch.setattr(stamps, "SETTLED_NS", 10**15)
    ensure_store(data, db_path, verify=True)
    ensure_store(data, db_path, verify=True)
    assert len(calls) == 2


def test_an_update_is_stamped_like_a_build(checked: tuple[Path, Path, list[int]]) -> None:
    data, db_path, calls = checked
    source = data / "sources" / "alpha-news.yaml"
    source.write_text(source.read_text().replace("Big Tech Cuts Jobs to Fund AI", "Big Tech Cuts Jobs to Pay for AI"))
    ready = ensure_store(data, db_path, verify=True)
    assert ready.built is not None and ready.built.mode == "update"
    assert ensure_store(data, db_path, verify=True).built is None
    assert calls == []
