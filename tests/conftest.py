"""Shared fixtures (helpers that are not fixtures: helpers.py, and pilot.py for the explorer).

`small_data` is a hand-made corpus (tests/fixtures/small) whose claims and
conflicts are listed in its source files' comments; `small_db` is that corpus
built once per session (per xdist worker) into a real SQLite file, and
`small_store` a private copy of both for a test that changes them. `bundled_db`
is the bundled corpus (data/) built the same way; `hostile` a corpus of markup,
escape sequences and invisible characters with its store; `permissions` runs
`pivot` in a child that obeys file modes.
"""

from __future__ import annotations

import gc
import inspect
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import drop_permission_overrides
from tui.store import build_store, ensure_store, load_corpus, open_readonly
from tui.store.files import file_states

REPO = Path(__file__).resolve().parents[1]

# Bytecode for the processes the tests start (`pivot` children, the xdist workers): an
# environment that says PYTHONDONTWRITEBYTECODE (this machine's does) makes every child
# compile pivot from source again, about a third of a short command's time. The cache is
# kept out of the tree, under .pytest_cache/ (git-ignored).
if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
    os.environ.setdefault("PYTHONPYCACHEPREFIX", str(REPO / ".pytest_cache" / "pycache"))

# Pilot waits after every key and pause until the app is idle: textual._wait sleeps 20 ms at
# a time until a sleep passes with (almost) no CPU used, so every key cost at least 40 ms of
# sleep (two such waits), most of the explorer tests' wall time. Here it looks every 5 ms, with
# the same ratio of CPU to sleep counted as idle. Textual is pinned (constraints.txt); the
# names are checked so that a release that renames them fails here, not by a slow suite.
import textual._wait  # noqa: E402

assert isinstance(textual._wait.SLEEP_GRANULARITY, float) and isinstance(textual._wait.SLEEP_IDLE, float)
textual._wait.SLEEP_GRANULARITY = 0.005
textual._wait.SLEEP_IDLE = textual._wait.SLEEP_GRANULARITY / 20

# The explorer tests make millions of short-lived objects (each frame Textual draws is strips of
# segments, every strip with seven small caches). With Python's default thresholds (700, 10, 10)
# the collector ran so often over this process's large heap (Textual, hypothesis, every test
# module) that it was about 30 % of those tests' CPU; a young generation of 50,000 objects takes
# that away (objects without cycles are freed at once either way). The `pivot` processes the
# tests start keep Python's defaults; the app under Pilot runs in this process with these
# thresholds (when cycles are freed, not what the app does).
gc.set_threshold(50_000, 10, 10)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "small"
BUNDLED = REPO / "data"


@pytest.hookimpl(optionalhook=True)  # xdist's hook: without xdist (-p no:xdist) it is never called
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` starts two workers a core, not one: a third of the suite's time is spent
    waiting (for `pivot` children, a browser, Pilot's idle checks, locks another process
    holds, a slow server given up on), and a second worker on the same core works meanwhile.
    Measured on 2 cores: 73 s with 2 workers, 63 s with 3, 56 s with 4. PYTEST_XDIST_AUTO_NUM_WORKERS,
    when set, is xdist's to read (None: xdist's own hook)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    return 2 * len(os.sched_getaffinity(0))


def pytest_configure(config: pytest.Config) -> None:
    """Under xdist, tests go out two at a time as workers finish (xdist's --maxschedchunk),
    not in a first chunk of a quarter of the suite each: with the long tests first (below),
    a first chunk of 91 explorer tests kept one worker busy 20 s after the rest. Given on the
    command line, the option is the caller's."""
    if config.pluginmanager.hasplugin("xdist") and config.option.maxschedchunk is None:
        config.option.maxschedchunk = 2


COLLECTED: set[str] = set()  # every test this run collected, slow ones included (test_docs.py reads it)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Notes every test collected, before `-m "not slow"` deselects anything (every xdist
    worker collects the whole suite). Then puts the tests that take longest (the explorer's,
    through Pilot, and the property tests) first and the many short ones after: xdist hands
    tests out in this order, so that no worker is left with a long test at the end while the
    others have finished (a 4-second property test last in the alphabet kept one worker busy
    4 s after the rest). The sort is stable, and the same in every worker, as xdist requires."""
    COLLECTED.update(item.nodeid.removeprefix("tests/") for item in items)

    def short(item: pytest.Item) -> bool:
        function = getattr(item, "obj", None)
        return not (inspect.iscoroutinefunction(function) or getattr(function, "is_hypothesis_test", False))

    items.sort(key=short)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish() -> None:
    """After the last test and the session's fixtures: one full collection, while pytest still
    catches what a finalizer raises (its unraisable-exception check), then what is left alive
    is frozen. pytest collects five times more as it closes (a collection may free what makes
    more garbage); each pass walked every object still alive, ~0.4 s a pass in a worker that
    ran a hundred explorer tests (Textual's caches of drawn lines), 2 s a worker, all at the
    end. Frozen, the five passes walk only what the session's end made."""
    gc.collect()
    gc.freeze()


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
    """The detail pane normally waits for the cursor to rest, and the facets for typing to
    pause (timers); tests load them at once."""
    from tui.screens.main import MainScreen

    monkeypatch.setattr(MainScreen, "detail_delay", 0)
    monkeypatch.setattr(MainScreen, "typing_pause", 0)


@pytest.fixture
def small_store(small_db: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the small corpus (tmp_path/data) and of its session-built store
    (tmp_path/store.db), for tests that change or damage either: the copy is up to date
    (copytree keeps the files' times), so nothing is rebuilt unless the test makes it."""
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    db_path = tmp_path / "store.db"
    shutil.copyfile(small_db, db_path)
    return data, db_path


@pytest.fixture
def permissions(tmp_path: Path):
    """Run `pivot ...` in a child that obeys file permissions (even as root: the child drops
    the capabilities that bypass them); restores modes afterwards. Gives (chmod, run)."""
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0o444)
    check = subprocess.run(
        [sys.executable, "-c", f"open({str(probe)!r}, 'a')"], preexec_fn=drop_permission_overrides, capture_output=True
    )
    if check.returncode == 0:
        pytest.skip("file permissions cannot be enforced here (root with capabilities that cannot be dropped)")
    probe.unlink()
    changed: list[Path] = []

    def chmod(path: Path, mode: int) -> None:
        changed.append(path)
        path.chmod(mode)

    def run(*args) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIVOT_")}
        env["COLUMNS"] = "240"
        return subprocess.run(
            [sys.executable, "-m", "tui", *map(str, args)],
            env=env,
            capture_output=True,
            text=True,
            preexec_fn=drop_permission_overrides,
            timeout=120,
        )

    yield chmod, run
    for path in reversed(changed):
        path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> tuple[Path, Path]:
    """A corpus whose every text field carries markup, escape sequences, bidi and
    zero-width characters, emoji and right-to-left text; and its store (built once a
    session: the CLI, export and query tests that use it only read it)."""
    base = tmp_path_factory.mktemp("hostile")
    data = base / "data"
    files = {
        "entities.yaml": r"""
            entities:
              - id: acme
                name: "[bold red]Acme[/] \e[31mRED\e[0m \e]8;;http://evil.example\e\\link\e]8;;\e\\ \u202eevil \u061calm \u2060wj \u200bzw"
                kind: company
                aliases: ["[/]"]
              - id: other
                name: "Other \r\x07bell"
                kind: company
        """,
        "topics.yaml": r"""
            topics:
              - {id: job-cuts, label: "[link=file:///etc/passwd]Jobs[/link] \e[2J", order: 1}
        """,
        "sources/evil.yaml": r"""
            id: evil
            title: "[b]Evil[/b] *title* <script>alert(1)</script> \e[1;31mT\r"
            publisher: "[i]Pub[/i] | pipe \u202e"
            author: "`au` \u2066th"
            url: "https://evil.example/)[x](javascript:alert(1)"
            kind: blog
            claims:
              - id: evil-1
                entity: acme
                topic: job-cuts
                summary: "[bold]not bold[/bold] and \e[2Jcleared\r over | pipe"
                quote: "[/] a quote with \u202e reversed <b>x</b> \u061c"
                speaker: "[i]Someone[/i] \e[5mblink \e]0;title\a"
                metric: employees-cut
                value: 100
                unit: "[red]people\e[0m"
                period: "[u]2026[/u]"
                note: "**note** \e[8m"
                status: reported
              - id: evil-2
                entity: other
                topic: job-cuts
                summary: "plain 🚀 rocket عربي שלום 👩‍💻"
                quote: "right-to-left: مرحبا بالعالم"
                status: reported
        """,
    }
    for name, text in files.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    db_path = base / "store.db"
    ensure_store(data, db_path)
    return data, db_path


@pytest.fixture
def make_app(tmp_path: Path, small_db: Path, bundled_db: Path):
    """make_app(corpus="bundled" | "small", *, editable=False, **PivotApp options) -> PivotApp.

    The explorer on the bundled corpus (data/) or the small one, with a private copy of
    the session-built store at tmp_path/store.db (the app may update or rebuild it) and
    exports in tmp_path. `editable` copies the corpus to tmp_path/data for a test that
    changes it. Called again in the same test, it reuses that store and corpus."""
    from tui.app import PivotApp

    def make(corpus: str = "bundled", *, editable: bool = False, **options) -> PivotApp:
        source, built = {"bundled": (BUNDLED, bundled_db), "small": (SMALL, small_db)}[corpus]
        data = source
        if editable:
            data = tmp_path / "data"
            if not data.exists():
                shutil.copytree(source, data)
        db_path = tmp_path / "store.db"
        if not db_path.exists():
            shutil.copyfile(built, db_path)
        options.setdefault("export_dir", tmp_path)
        return PivotApp(data_dir=data, db_path=db_path, **options)

    return make
