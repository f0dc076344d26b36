"""The explorer when its own files or its store misbehave (issue 21, cases 10, 11 and 16): a
FIFO as the history or keymap file, the refresh worker meeting a parallel parse, a damaged
store met by the facet count or the page loader.

The FIFO tests run the real `pivot` in a real pseudo-terminal (test_startup.Terminal) and
type `q` into it; the others drive the real app through Pilot on a real SQLite file.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from test_startup import Terminal
from tui.state import History, load_keymap

SMALL = Path(__file__).resolve().parent / "fixtures" / "small"


# --- 16. a FIFO as the history or the keymap --------------------------------------------


@pytest.mark.parametrize("which", ["history", "keymap"])
def test_a_fifo_as_a_state_file_is_skipped_with_a_notice(small_db: Path, tmp_path: Path, terminal_env, which: str) -> None:
    fifo = Path(terminal_env["PIVOT_STATE_DIR"]) / "history" if which == "history" else Path(terminal_env["PIVOT_KEYMAP"])
    fifo.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(fifo)
    db = tmp_path / "store.db"
    shutil.copyfile(small_db, db)
    term = Terminal(["--data", str(SMALL), "--db", str(db)], terminal_env)
    try:
        screen = term.until(lambda text: "Claims" in text and "FIFO" in text)  # the notice (wrapped as it fits)
        assert str(fifo.name) in screen
        os.write(term.fd, b"q")
        drain(term.fd)  # `q` works: the explorer ends (its terminal closes)
        _, status = os.waitpid(term.pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
        term.pid = 0
    finally:
        if term.pid:
            os.kill(term.pid, signal.SIGKILL)
            os.waitpid(term.pid, 0)
        os.close(term.fd)
    assert fifo.is_fifo()  # left as it was, never replaced by a file


def test_a_history_that_is_not_a_file_is_kept_for_the_run_only(tmp_path: Path) -> None:
    fifo = tmp_path / "history"
    os.mkfifo(fifo)
    history = History(fifo)
    assert history.problem is not None and "a FIFO" in history.problem
    history.add("company:meta")
    assert history.previous("") == "company:meta"  # walked in this run
    assert fifo.is_fifo() and not (tmp_path / "history.tmp").exists()
    folder = tmp_path / "keymap.toml"
    folder.mkdir()
    assert load_keymap(folder).problems == [f"{folder} is a folder, not a regular file: the default keys are used"]


def drain(fd: int, limit: float = 60) -> None:
    """Read a pty until its process closes it (EOF, or EIO on Linux); fail after LIMIT seconds."""
    import select
    import time

    end = time.monotonic() + limit
    while True:
        ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        assert ready, f"the explorer did not end within {limit:.0f}s"
        try:
            if not os.read(fd, 1 << 16):
                return
        except OSError:
            return


@pytest.fixture
def terminal_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIVOT_", "TEXTUAL")) and k not in ("COLUMNS", "LINES")}
    env.update(
        TERM="xterm-256color",
        PIVOT_STATE_DIR=str(tmp_path / "state"),
        PIVOT_KEYMAP=str(tmp_path / "keymap.toml"),
    )
    return env


# --- 10. the refresh worker never forks from a threaded process --------------------------


def one_claim_source(i: int) -> str:
    return (
        f"id: bulk-{i}\ntitle: Bulk {i}\nkind: news\nclaims:\n"
        f"  - id: bulk-{i}-c\n    entity: meta\n    topic: job-cuts\n    summary: bulk {i} says Meta cut jobs\n"
        "    quote: cut jobs\n    status: reported\n"
    )


async def test_a_full_build_in_the_refresh_worker_never_forks_from_threads(tmp_path: Path, make_app) -> None:
    """The explorer's refresh worker (a thread) meets a full build of more source files than
    the parser's pool starts at (PARALLEL_FROM): its workers must not be forked from this
    process, whose other threads may hold locks the children would never see released."""
    import threading

    from pilot import settle
    from tui.store import load

    app = make_app("small", editable=True)
    data = tmp_path / "data"
    n = load.PARALLEL_FROM + 20
    for i in range(n):
        (data / "sources" / f"bulk-{i}.yaml").write_text(one_claim_source(i))
    entities = data / "entities.yaml"
    entities.write_text(entities.read_text().replace("aliases: [MSFT]", "aliases: [MSFT, Redmond]"))  # a full build
    forks: list[int] = []
    watching = [True]
    os.register_at_fork(before=lambda: forks.append(threading.active_count()) if watching[0] else None)
    try:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            assert not [x.message for x in app._notifications if x.severity != "information"]
            assert app.main.result is not None and app.main.result.total == 19 + n  # built, reloaded, counted
    finally:
        watching[0] = False  # the hook stays registered: it records nothing more
    assert not [threads for threads in forks if threads > 1], forks


# --- 11. the facet count and the page loader meet a damaged store ----------------------------


def damage_page(db_path: Path, pageno: int) -> None:
    import sqlite3

    conn = sqlite3.connect(db_path)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db_path, "r+b") as fh:
        fh.seek((pageno - 1) * size)
        fh.write(b"\xff" * size)


async def test_a_damaged_store_met_by_the_facet_count_is_rebuilt(tmp_path: Path, small_db: Path) -> None:
    """The facets of the whole corpus come from facet_counts, which no other query of the
    opening screen reads: the facet worker meets the damage, and the store is rebuilt (as
    every other worker does) instead of the pane staying empty."""
    from helpers import damage_table
    from pilot import settle
    from tui.app import PivotApp
    from tui.store.refresh import Ready

    db_path = tmp_path / "store.db"
    shutil.copyfile(small_db, db_path)
    damage_table(db_path, "facet_counts")
    inode = db_path.stat().st_ino
    app = PivotApp(data_dir=SMALL, db_path=db_path, export_dir=tmp_path, ready=Ready(db_path))  # no start-up check
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert db_path.stat().st_ino != inode  # rebuilt whole (a new file renamed in)
        assert any("damaged" in n.message for n in app._notifications)
        facets = app.main.facet_list
        ids = [facets.get_option_at_index(i).id for i in range(facets.option_count)]
        assert "v:status\0reported" in ids and "v:period\x002026" in ids, ids  # counted, from the new store


def bulk_source(n: int) -> str:
    lines = ["id: bulk", "title: Bulk", "kind: news", "claims:"]
    for i in range(n):
        lines += [
            f"  - id: bulk-{i:05d}",
            "    entity: microsoft",
            "    topic: job-cuts",
            f"    summary: bulk statement number {i} about Microsoft",
            "    quote: a statement",
            "    status: reported",
        ]
    return "\n".join(lines) + "\n"


async def test_a_damaged_page_met_by_the_page_loader_is_rebuilt(tmp_path: Path) -> None:
    """A claims page in the middle of the table, which neither the opening page nor the
    counts read (they use indexes and the ends of the table): only the loader of the pages
    further down meets it, and the store is rebuilt instead of the rows staying missing."""
    import sqlite3

    from pilot import settle
    from tui.app import PivotApp
    from tui.screens.main import PAGE_SIZE
    from tui.store import build_store, load_corpus
    from tui.store.files import file_states
    from tui.store.refresh import Ready

    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    (data / "sources" / "bulk.yaml").write_text(bulk_source(2_000))
    db_path = tmp_path / "store.db"
    build_store(load_corpus(data), db_path, file_states(data))
    conn = sqlite3.connect(db_path)
    leaves = conn.execute("SELECT pageno, ncell FROM dbstat WHERE name = 'claims' AND pagetype = 'leaf' ORDER BY path").fetchall()
    conn.close()
    first, target = 1, None  # rowids are 1..n in the order of the leaves (a full build)
    for page, ncell in leaves:
        if first >= 1_400:
            target = page  # the leaf holding rowids first .. first + ncell - 1
            break
        first += ncell
    assert target is not None
    damage_page(db_path, target)
    inode = db_path.stat().st_ino
    app = PivotApp(data_dir=data, db_path=db_path, export_dir=tmp_path, ready=Ready(db_path))  # no start-up check
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert db_path.stat().st_ino == inode  # nothing on screen so far read the damaged page
        app.main.load_page(app.main.result, first // PAGE_SIZE)  # as scrolling down to those rows does
        await settle(pilot)
        await settle(pilot)
        assert db_path.stat().st_ino != inode  # rebuilt whole
        assert any("damaged" in n.message for n in app._notifications)
