"""`pivot`'s entry point (tui.launch): `pivot`, `pivot --data DIR`, `pivot --db PATH` open
the explorer without importing click; every other command line, and any trouble with the
store, is the click group's, with its words and exit codes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tui.launch import explorer_options

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
    launched_err, cli_err = (re.sub(r"in \d+\.\d+s", "in Ns", e) for e in (launched_err, cli_err))
    assert (launched.returncode, launched.stdout, launched_err) == (cli.returncode, cli.stdout, cli_err)
    assert launched.stdout or launched.stderr
