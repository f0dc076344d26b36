"""What the store, export, query and CLI tests share (imported by them; fixtures live in
conftest.py): running `pivot` (click's CliRunner or a child process), the one-line error
check, the characters that must never reach a terminal, and a store damaged where the
start-up checks do not look."""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tui.cli import main
from tui.store import build_store, files, load_corpus, open_readonly
from tui.store.files import file_states

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "tests" / "fixtures" / "small"


# Characters that must never reach a terminal from corpus text: C0/C1 controls (newline
# aside), DEL, bidirectional controls and invisible formatting characters.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def unsafe_in(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in UNSAFE.findall(text)})


def count(db_path: Path) -> int:
    conn = open_readonly(db_path)
    try:
        return conn.execute("SELECT count(*) FROM claims").fetchone()[0]
    finally:
        conn.close()


def store_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name.startswith(("store.db", ".store.db"))}


def cli(*args, code: int = 0, env: dict | None = None):
    result = CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "240", **(env or {})})
    assert result.exit_code == code, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def pivot_here(*args, code: int | None = 0, env: dict | None = None) -> subprocess.CompletedProcess:
    """`pivot ARGS` run in this process through click's CliRunner: its exit code, standard
    output and standard error, as a child process would give them (every command but the
    explorer goes from `pivot` straight to this click group: tui.launch), for a test about
    what a command says or does rather than about its process. An exception that escapes
    the command fails the test with its traceback (a child would print it)."""
    result = CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "200", **(env or {})}, prog_name="pivot")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if code is not None:
        assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    return subprocess.CompletedProcess(["pivot", *map(str, args)], result.exit_code, result.stdout, result.stderr)


def assert_clear_error(stderr: str, *names: str) -> None:
    """One line, `error: ...`, naming what is wrong in words: no traceback, no errno
    code, no name of a temporary file the user never made."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "[Errno" not in lines[0] and ".tmp" not in lines[0], lines[0]
    for name in names:
        assert name in lines[0], (name, lines[0])


def damage_table(db_path: Path, table: str) -> None:
    """Overwrite the root page of one table: pivot_meta and source_files stay readable,
    so the checks that decide whether the store is usable see nothing wrong."""
    conn = sqlite3.connect(db_path)
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    raw = bytearray(db_path.read_bytes())
    raw[(page - 1) * size : page * size] = b"\xff" * size
    db_path.write_bytes(bytes(raw))


def pivot_process(*args, env_extra: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIVOT_")} | (env_extra or {})
    return subprocess.Popen(
        [sys.executable, "-m", "tui", *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def small_built(tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the small corpus (tmp_path/data) and of its store (tmp_path/store.db),
    for a test about what happens to a store once built: the store is built once per process
    (as `pivot build` builds it, beside the worker's other temporary folders) and copied, not
    built again by a `pivot` child in every test. copytree keeps the files' times, so the
    copy is up to date."""
    built = tmp_path.parent / "small-built" / "store.db"
    if not built.exists():
        built.parent.mkdir(exist_ok=True)
        build_store(load_corpus(SMALL), built, file_states(SMALL))
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    db_path = tmp_path / "store.db"
    shutil.copyfile(built, db_path)
    return data, db_path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp") or p.name.startswith("."))


def drop_permission_overrides() -> None:
    """preexec_fn: give up the capabilities that let root ignore file permissions
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID); harmless otherwise."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3, 4):
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP, effective at exec


def all_claims(conn: sqlite3.Connection, flt=None) -> list[sqlite3.Row]:
    """Every claim of a compiled filter (every claim without one) in store order, read whole:
    the reference the store's paged and counted paths are held to."""
    from tui.store.db import CLAIM_COLUMNS, CLAIM_JOINS

    where, params = (flt.where, list(flt.params)) if flt is not None else ("1", [])
    return conn.execute(
        f"SELECT {CLAIM_COLUMNS} FROM claims {CLAIM_JOINS} WHERE {where} ORDER BY claims.rowid", params
    ).fetchall()


def assert_snapshot_is_the_records(db_path: Path) -> None:
    """The records' snapshot an update left (worked out from its scan and the records it
    wrote) is the one made from every record read again, with the digests pivot_meta keeps."""
    snapshot = "SELECT files_digest, corpus_hash, names, fields, shas FROM file_snapshot"
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        kept = conn.execute(snapshot).fetchall()
        meta = dict(conn.execute("SELECT key, value FROM pivot_meta"))
    finally:
        conn.close()
    copy = db_path.with_name(db_path.name + ".snapshot-check")
    copy.write_bytes(db_path.read_bytes())
    conn = sqlite3.connect(copy)
    try:
        with conn:
            digests = files.keep_snapshot(conn)
        again = conn.execute(snapshot).fetchall()
    finally:
        conn.close()
        copy.unlink()
    assert kept == again and len(kept) == 1
    assert digests == (meta["corpus_hash"], meta[files.FILES_DIGEST]) == kept[0][1::-1]
