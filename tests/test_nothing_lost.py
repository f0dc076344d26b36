"""Nothing lost, nothing hung (issue 21): the store and the CLI under attack.

Every test here runs the real `pivot` command in a child process on a private copy of the
small corpus: killed with SIGKILL at a known statement (test_crash's KILLER), its output
left unread in a full pipe, its files replaced as `cp -p` and `tar x` replace them, its
corpus holding an editor's lock link. Messages are asserted in our own words only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "tests" / "fixtures" / "small"
PIVOT = str(Path(sys.executable).with_name("pivot"))
SMALL_CLAIMS = 19


def pivot(*args, code: int | None = 0, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    """The real `pivot` command in a child process."""
    if "stdout" not in kw:
        kw["capture_output"] = True
    result = subprocess.run(
        [PIVOT, *map(str, args)], text=True, timeout=timeout, env={**os.environ, "COLUMNS": "200", **kw.pop("env", {})}, **kw
    )
    assert "Traceback" not in (result.stderr or ""), result.stderr
    if code is not None:
        assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    return result


def built(tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the small corpus and its store, built by `pivot build`."""
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    db_path = tmp_path / "store.db"
    pivot("build", "--data", data, "--db", db_path)
    return data, db_path


def claims_in(db_path: Path, where: str = "1") -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT count(*) FROM claims WHERE {where}").fetchone()[0]
    finally:
        conn.close()


# --- 17. hidden and editor files are not sources -----------------------------------------


def test_hidden_and_editor_files_are_not_sources(tmp_path: Path) -> None:
    data, db_path = built(tmp_path)
    sources = data / "sources"
    # Emacs's lock while a buffer is modified: a dangling link named .#FILE
    (sources / ".#alpha-news.yaml").symlink_to("someone@host.12345:1700000000")
    # macOS's AppleDouble file beside a file copied from its disk: binary, not YAML
    (sources / "._alpha-news.yaml").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02\xff")
    (sources / ".hidden.yaml").write_text("id: hidden\n")  # a hidden file, however well formed
    assert "up to date" in pivot("build", "--data", data, "--db", db_path).stdout
    assert pivot("check", "--data", data).stdout.startswith("ok: ")
    # an edit made while the lock is there is picked up, and nothing else is read
    alpha = sources / "alpha-news.yaml"
    alpha.write_text(alpha.read_text().replace("summary:", "summary: edited,", 1))
    pivot("build", "--data", data, "--db", db_path)
    assert claims_in(db_path, "summary LIKE 'edited,%'") == 1
    pivot("build", "--full", "--data", data, "--db", db_path)
    assert claims_in(db_path) == SMALL_CLAIMS
    assert claims_in(db_path, "summary LIKE 'edited,%'") == 1


@pytest.mark.parametrize("name", [".#alpha-news.yaml", "._alpha-news.yaml", ".alpha-news.yaml"])
def test_a_hidden_name_is_never_a_source_name(name: str) -> None:
    from tui.store.files import is_source_name

    assert not is_source_name(name)
    assert is_source_name(name.lstrip(".#_"))
