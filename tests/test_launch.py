"""`pivot`'s entry point (tui.launch): `pivot`, `pivot --data DIR`, `pivot --db PATH` open
the explorer without importing click; every other command line, and any trouble with the
store, is the click group's, with its words and exit codes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tui.launch import build_options, explorer_options

SMALL = Path(__file__).resolve().parent / "fixtures" / "small"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], {}),
        (["--db", "s.db"], {"db_path": Path("s.db")}),
        (["--db=s.db", "--data", "corpus"], {"db_path": Path("s.db"), "data_dir": Path("corpus")}),
        (["build"], None),
        (["--help"], None),
        (["--version"], None),
        (["--db"], None),  # no value: click says so
        (["--db", "--data"], None),
        (["--db", "a", "--db", "b"], None),
        (["--db", "s.db", "list"], None),
        (["--dbx", "s.db"], None),
    ],
)
def test_which_command_lines_only_open_the_explorer(argv: list[str], expected) -> None:
    assert explorer_options(argv) == expected


def test_a_data_folder_that_is_a_file_or_a_store_that_is_a_folder_is_clicks_to_word(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    assert explorer_options(["--data", str(tmp_path / "file")]) is None
    assert explorer_options(["--db", str(tmp_path)]) is None


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PIVOT_")}


def test_the_explorer_opens_without_click(tmp_path: Path) -> None:
    """The real entry point, up to the app's run (replaced by a line saying whether click
    was imported). The first run builds the store and says so on standard error, as
    before (a build imports sqlite-utils, and with it click); an existing store opens
    without click."""
    code = (
        "import sys\n"
        "import tui.app\n"
        "tui.app.PivotApp.run = lambda self: print('RAN', 'click' in sys.modules, self.store_path.name)\n"
        "from tui.launch import main\n"
        "main()\n"
    )
    db = tmp_path / "s.db"

    def launch() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", code, "--data", str(SMALL), "--db", str(db)],
            capture_output=True,
            text=True,
            env=_env(),
            timeout=120,
        )

    first = launch()
    assert first.returncode == 0, first.stderr
    assert first.stderr.startswith(f"built {db} (") and first.stdout.split()[::2] == ["RAN", "s.db"]
    again = launch()
    assert again.returncode == 0, again.stderr
    assert again.stdout.split() == ["RAN", "False", "s.db"] and again.stderr == ""


def test_the_collector_is_off_from_the_imports_to_the_first_frame_but_not_for_a_build(tmp_path: Path) -> None:
    """Start-up imports ~70,000 objects that live as long as the app: the garbage collector
    is off while they are made (PivotApp turns it on after the first frame), but on while
    the store is found or built (a build makes garbage of its own)."""
    code = (
        "import gc, sys\n"
        "import tui.store.refresh as refresh\n"
        "found = refresh.ensure_store\n"
        "def ensure_store(*a, **k):\n"
        "    print('STORE', gc.isenabled())\n"
        "    return found(*a, **k)\n"
        "refresh.ensure_store = ensure_store\n"
        "import tui.app\n"
        "tui.app.PivotApp.run = lambda self: print('RAN', gc.isenabled(), self.resume_gc)\n"
        "from tui.launch import main\n"
        "main()\n"
    )
    db = tmp_path / "s.db"
    for _ in range(2):  # built, then opened
        got = subprocess.run(
            [sys.executable, "-c", code, "--data", str(SMALL), "--db", str(db)],
            capture_output=True,
            text=True,
            env=_env(),
            timeout=120,
        )
        assert got.returncode == 0, got.stderr
        assert got.stdout.split() == ["STORE", "True", "RAN", "False", "True"]


@pytest.mark.parametrize(
    "args",
    [
        ["--data", "/nonexistent/corpus"],  # a corpus problem: the CLI's own words
        ["--db", "/"],  # click's check of the option
        ["--version"],
        ["list", "--limit", "1", "--data", str(SMALL)],
        ["build", "--data", "/nonexistent/corpus"],
        ["build", "--data", str(SMALL)],  # no store yet: built by the CLI
        ["build", "--data", str(SMALL), "-v"],
    ],
)
def test_everything_else_is_the_clis_own_answer(args: list[str], tmp_path: Path) -> None:
    launched = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        env={**_env(), "PIVOT_DB": str(tmp_path / "a.db")},
        timeout=120,
    )
    cli = subprocess.run(
        [sys.executable, "-c", "import sys; from tui.cli import main; sys.argv[0] = 'python -m tui'; main()", *args],
        capture_output=True,
        text=True,
        env={**_env(), "PIVOT_DB": str(tmp_path / "b.db")},
        timeout=120,
    )
    launched_err = launched.stderr.replace(str(tmp_path / "a.db"), "DB")
    cli_err = cli.stderr.replace(str(tmp_path / "b.db"), "DB")
    launched_err, cli_err = (re.sub(r"in \d+\.\d+s|: [\d,]+ ms", "in Ns", e) for e in (launched_err, cli_err))
    launched_out, cli_out = (
        re.sub(r"in \d+\.\d+s", "in Ns", o.replace(str(tmp_path / n), "DB"))
        for o, n in ((launched.stdout, "a.db"), (cli.stdout, "b.db"))
    )
    assert (launched.returncode, launched_out, launched_err) == (cli.returncode, cli_out, cli_err)
    assert launched.stdout or launched.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["build"], {}),
        (["build", "--db", "s.db"], {"db_path": Path("s.db")}),
        (["--db", "s.db", "build", "--data=corpus"], {"db_path": Path("s.db"), "data_dir": Path("corpus")}),
        (["--db", "build", "build"], {"db_path": Path("build")}),
        (["--db", "build"], None),  # `build` is the store's name here
        (["build", "-v"], None),
        (["build", "--full"], None),
        (["build", "build"], None),
        (["list"], None),
        ([], None),
    ],
)
def test_which_command_lines_are_a_build_the_entry_point_may_find_up_to_date(argv: list[str], expected) -> None:
    assert build_options(argv) == expected


def test_a_build_with_nothing_to_do_says_so_without_click_and_one_with_something_scans_once(tmp_path: Path) -> None:
    """`pivot build` on a current store: the scan, then "up to date", without click. With a
    file changed, the CLI does the update with the scan the entry point made (one scan)."""
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    db = tmp_path / "s.db"
    code = (
        "import atexit, sys\n"
        "import tui.store.files as files\n"
        "scans = []\n"
        "found = files.scan\n"
        "files.scan = lambda *a: scans.append(1) or found(*a)\n"
        "atexit.register(lambda: print('SCANS', len(scans), 'click' in sys.modules))\n"
        "from tui.launch import main\n"
        "main()\n"
    )

    def build(*args: str) -> subprocess.CompletedProcess:
        got = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=_env(), timeout=120)
        assert got.returncode == 0, got.stderr
        return got

    first = build("build", "--data", str(data), "--db", str(db))
    assert first.stdout.startswith(f"built {db}:")
    build("build", "--data", str(data), "--db", str(db))  # a record smudged as racy by the build: settled
    noop = build("--db", str(db), "build", "--data", str(data))
    assert noop.stdout == f"{db}: up to date\nSCANS 1 False\n" and noop.stderr == ""
    source = sorted((data / "sources").glob("*.yaml"))[0]
    source.write_text(source.read_text(encoding="utf-8").replace("summary:", "summary: Edited,", 1), encoding="utf-8")
    edited = build("build", "--data", str(data), "--db", str(db))
    assert edited.stdout.startswith(f"updated {db}: 1 file(s) changed") and edited.stdout.endswith("SCANS 1 True\n")
