"""Shared fixtures for the store, query, export and CLI tests (no UI here).

`small_data` is a hand-made corpus (tests/fixtures/small) whose claims and
conflicts are listed in its source files' comments; `small_db` is that corpus
built once per session into a real SQLite file. `bundled_db` is the bundled
corpus (data/) built the same way.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tui.store import build_store, load_corpus, open_readonly
from tui.store.files import file_states

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "small"
BUNDLED = REPO / "data"


def build(data_dir: Path, db_path: Path) -> Path:
    """Build the store for data_dir at db_path the way `pivot build` does."""
    build_store(load_corpus(data_dir), db_path, file_states(data_dir))
    return db_path


@pytest.fixture(scope="session")
def small_data() -> Path:
    return SMALL


@pytest.fixture
def small_copy(tmp_path: Path) -> Path:
    """A private, editable copy of the small corpus."""
    dest = tmp_path / "data"
    shutil.copytree(SMALL, dest)
    return dest


@pytest.fixture(scope="session")
def small_db(tmp_path_factory) -> Path:
    return build(SMALL, tmp_path_factory.mktemp("small") / "store.db")


@pytest.fixture(scope="session")
def small_conn(small_db: Path):
    conn = open_readonly(small_db)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def bundled_db(tmp_path_factory) -> Path:
    return build(BUNDLED, tmp_path_factory.mktemp("bundled") / "store.db")


@pytest.fixture(scope="session")
def bundled_conn(bundled_db: Path):
    conn = open_readonly(bundled_db)
    yield conn
    conn.close()


@pytest.fixture
def clean_env(monkeypatch, tmp_path: Path) -> None:
    """No PIVOT_DATA from the caller's shell, and a default store inside tmp_path
    (never the user's cache directory)."""
    monkeypatch.delenv("PIVOT_DATA", raising=False)
    monkeypatch.setenv("PIVOT_DB", str(tmp_path / "default-store.db"))


@pytest.fixture(autouse=True)
def private_state(monkeypatch, tmp_path: Path) -> None:
    """The explorer's query history and keymap live in the user's folders: every test keeps
    its own inside tmp_path (tests of the keymap write one there)."""
    monkeypatch.setenv("PIVOT_STATE_DIR", str(tmp_path / "pivot-state"))
    monkeypatch.setenv("PIVOT_KEYMAP", str(tmp_path / "pivot-keymap.toml"))


@pytest.fixture(autouse=True)
def immediate_detail(monkeypatch) -> None:
    """The detail pane normally waits for the cursor to rest (a timer); tests load it at once."""
    from tui.screens.main import MainScreen

    monkeypatch.setattr(MainScreen, "detail_delay", 0)
