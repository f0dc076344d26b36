"""Nothing lost when the machine misbehaves (issue 12): killed processes, full disks,
damaged stores, odd files and the last tracebacks of the CLI.

Every test here uses the real thing: the real `pivot` command in a child process where
the process is what is tested: killed with SIGKILL or SIGTERM at a known statement (a
SQLite trace callback in the child kills it when the statement starts), RLIMIT_FSIZE,
its standard output full or closed, its arguments' raw bytes, a FIFO that would hang it
(run with a deadline); a real tmpfs; a real symlink loop, FIFO or device node made with
`os.mknod` in a temporary folder (the tests run as root). A command's answer alone (its
message, exit code, the store it leaves) comes from the same click command run in this
process (helpers.pivot_here). Messages are asserted in our own words only.
"""

from __future__ import annotations

import errno
import functools
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import pivot_here, small_built
from tui.store import build_store, load_corpus
from tui.store.files import file_states

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "tests" / "fixtures" / "small"
PIVOT = str(Path(sys.executable).with_name("pivot"))
SMALL_CLAIMS = 19


# --- helpers --------------------------------------------------------------------------


def small(tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the small corpus and the path its store goes to (not built)."""
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    return data, tmp_path / "store.db"


def pivot(*args, code: int | None = 0, env: dict | None = None, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    """The real `pivot` command in a child process."""
    if "stdout" not in kw:
        kw["capture_output"] = True
    result = subprocess.run(
        [PIVOT, *map(str, args)],
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        **kw,
    )
    assert "Traceback" not in result.stderr, result.stderr
    if code is not None:
        assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    return result


# A child that runs `pivot ARGS` and kills itself with SIGNAL when the NTH statement
# starting with PREFIX is about to run (a trace callback on every connection it opens).
# Its page cache is kept small, as in an update of a large store: changed pages are
# written to the store file before the commit, so the journal left behind is hot.
KILLER = textwrap.dedent("""
    import os, signal, sqlite3, sys
    prefix, signum, nth = sys.argv[1].upper(), int(sys.argv[2]), int(sys.argv[3])
    seen = [0]
    real = sqlite3.connect
    def connect(*a, **k):
        conn = real(*a, **k)
        conn.execute("PRAGMA cache_size=2")
        def trace(sql):
            if " ".join(sql.split()).upper().startswith(prefix):
                seen[0] += 1
                if seen[0] >= nth:
                    os.kill(os.getpid(), signum)
        conn.set_trace_callback(trace)
        return conn
    sqlite3.connect = connect
    from tui.cli import main
    main(sys.argv[4:], prog_name="pivot")
""")


def killed_pivot(prefix: str, *args, signum: int = signal.SIGKILL, nth: int = 1, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", KILLER, prefix, str(int(signum)), str(nth), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def source_yaml(sid: str, n: int, entity: str = "meta", start: int = 0) -> str:
    """A source file with n numeric claims about `entity`."""
    lines = [f"id: {sid}", f"title: {sid} title", "kind: news", "claims:"]
    for i in range(start, start + n):
        lines += [
            f"  - id: {sid}-c{i}",
            f"    entity: {entity}",
            "    topic: job-cuts",
            f"    summary: {sid} says {entity} cut {1000 + i} jobs",
            f"    quote: cut {1000 + i} jobs",
            "    metric: employees-cut",
            f"    value: {1000 + i}",
            "    unit: employees",
            "    period: '2026'",
            "    status: reported",
        ]
    return "\n".join(lines) + "\n"


def claims_in(db_path: Path) -> int:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM claims").fetchone()[0]
    finally:
        conn.close()


def integrity(db_path: Path) -> str:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def journal(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + "-journal")


def beside(db_path: Path) -> set[str]:
    return {p.name for p in db_path.parent.iterdir() if p.name.startswith((db_path.name, "." + db_path.name))}


def hot_journal(tmp_path: Path) -> tuple[Path, Path]:
    """A store whose in-place update was killed with SIGKILL half way: a hot journal."""
    data, db_path = small_built(tmp_path)
    (data / "sources" / "delta.yaml").write_text(source_yaml("delta", 300))
    child = killed_pivot("INSERT INTO claims", "build", "--data", data, "--db", db_path, nth=250)
    child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL
    assert journal(db_path).exists() and journal(db_path).stat().st_size > 0
    return data, db_path


# --- 1. a killed in-place update -----------------------------------------------------


def test_a_killed_in_place_update_is_rolled_back_by_the_next_command(tmp_path: Path) -> None:
    data, db_path = hot_journal(tmp_path)
    result = pivot_here("list", "--data", data, "--db", db_path, "--limit", "1")
    assert f"of {SMALL_CLAIMS + 300} claims" in result.stdout  # rolled back, then updated
    assert not journal(db_path).exists()
    assert integrity(db_path) == "ok"
    assert "up to date" in pivot_here("build", "--data", data, "--db", db_path).stdout


def test_pivot_build_after_a_killed_update(tmp_path: Path) -> None:
    data, db_path = hot_journal(tmp_path)
    result = pivot_here("build", "--data", data, "--db", db_path)
    assert "300" in result.stdout
    assert claims_in(db_path) == SMALL_CLAIMS + 300
    assert not journal(db_path).exists() and integrity(db_path) == "ok"


def test_pivot_build_full_after_a_killed_update(tmp_path: Path) -> None:
    data, db_path = hot_journal(tmp_path)
    pivot_here("build", "--full", "--data", data, "--db", db_path)
    assert not journal(db_path).exists()
    assert integrity(db_path) == "ok" and claims_in(db_path) == SMALL_CLAIMS + 300
    pivot_here("list", "--data", data, "--db", db_path)


def test_a_full_build_never_leaves_the_old_files_journal_beside_the_new_one(tmp_path: Path) -> None:
    """build_store itself (no start-up recovery first) drops the old file's hot journal
    before renaming the new file into place: it is never replayed into the new store."""
    data, db_path = hot_journal(tmp_path)
    build_store(load_corpus(data), db_path, file_states(data))
    assert not journal(db_path).exists()
    assert integrity(db_path) == "ok" and claims_in(db_path) == SMALL_CLAIMS + 300
    conn = sqlite3.connect(db_path)  # a writable connection replays any journal it finds
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_the_journal_of_a_store_that_is_gone_is_removed(tmp_path: Path) -> None:
    data, db_path = hot_journal(tmp_path)
    db_path.unlink()
    pivot_here("build", "--data", data, "--db", db_path)
    assert not journal(db_path).exists() and integrity(db_path) == "ok"


# --- 3. a symlink loop, a missing sources/ folder --------------------------------------


def built(tmp_path: Path) -> tuple[Path, Path]:
    return small_built(tmp_path)


def test_a_symlink_loop_as_the_sources_folder_keeps_the_store(tmp_path: Path) -> None:
    data, db_path = built(tmp_path)
    shutil.rmtree(data / "sources")
    (data / "loop").symlink_to(data / "sources")
    (data / "sources").symlink_to(data / "loop")
    result = pivot_here("check", "--data", data, code=1)
    assert "data/sources" in result.stderr and "ok:" not in result.stdout
    result = pivot_here("build", "--data", data, "--db", db_path, code=1)
    assert "data/sources" in result.stderr
    assert claims_in(db_path) == SMALL_CLAIMS
    result = pivot_here("list", "--data", data, "--db", db_path, "--limit", "1")
    assert f"of {SMALL_CLAIMS} claims" in result.stdout and "warning:" in result.stderr


def test_a_missing_sources_folder_is_a_problem_and_keeps_the_store(tmp_path: Path) -> None:
    data, db_path = built(tmp_path)
    shutil.rmtree(data / "sources")
    result = pivot_here("check", "--data", data, code=1)
    assert "data/sources: the sources folder is missing" in result.stderr
    pivot_here("build", "--data", data, "--db", db_path, code=1)
    pivot_here("build", "--full", "--data", data, "--db", db_path, code=1)
    assert claims_in(db_path) == SMALL_CLAIMS
    (data / "sources").write_text("not a folder\n")
    assert "data/sources: the sources folder is not a folder" in pivot_here("check", "--data", data, code=1).stderr


def test_an_emptied_sources_folder_never_empties_the_store(tmp_path: Path) -> None:
    """Every source file gone (an unmounted share, a bad `mv`): refused, also with --full."""
    data, db_path = built(tmp_path)
    for p in (data / "sources").iterdir():
        p.unlink()
    for args in (("build",), ("build", "--full")):
        result = pivot_here(*args, "--data", data, "--db", db_path, code=1)
        assert "no source files" in result.stderr and "error:" in result.stderr
        assert claims_in(db_path) == SMALL_CLAIMS
    result = pivot_here("list", "--data", data, "--db", db_path, "--limit", "1")
    assert f"of {SMALL_CLAIMS} claims" in result.stdout and "no source files" in result.stderr


def test_a_source_file_that_is_a_symlink_loop_is_named_and_its_claims_kept(tmp_path: Path) -> None:
    data, db_path = built(tmp_path)
    alpha = data / "sources" / "alpha-news.yaml"
    alpha.unlink()
    alpha.symlink_to(alpha)  # loops on itself
    result = pivot_here("check", "--data", data, code=1)
    assert "data/sources/alpha-news.yaml: cannot read" in result.stderr
    result = pivot_here("build", "--data", data, "--db", db_path, code=1)
    assert "data/sources/alpha-news.yaml: cannot read" in result.stderr
    assert claims_in(db_path) == SMALL_CLAIMS


@pytest.mark.parametrize("kind", ["fifo", "char-device", "dangling-link"])
def test_a_source_file_that_is_not_a_regular_file_is_refused_unread(tmp_path: Path, kind: str) -> None:
    """A FIFO named *.yaml would hang the loader (and the hash of the file) forever: that one
    runs in a child with a deadline; the others in this process."""
    data, db_path = built(tmp_path)
    odd = data / "sources" / "odd.yaml"
    if kind == "fifo":
        os.mkfifo(odd)
    elif kind == "char-device":
        os.mknod(odd, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null
    else:
        odd.symlink_to(tmp_path / "nowhere.yaml")
    run = functools.partial(pivot, timeout=30) if kind == "fifo" else pivot_here
    result = run("check", "--data", data, code=1)
    assert "data/sources/odd.yaml: cannot read" in result.stderr
    run("build", "--data", data, "--db", db_path, code=1)
    run("build", "--full", "--data", data, "--db", db_path, code=1)
    assert claims_in(db_path) == SMALL_CLAIMS


# --- 4. export --force replaces only regular files -----------------------------------


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("crash-store")
    data, db_path = small(tmp)
    build_store(load_corpus(data), db_path, file_states(data))  # as `pivot build` builds it
    return data, db_path


def export(store: tuple[Path, Path], *args, **kw) -> subprocess.CompletedProcess:
    """`pivot export company:meta ARGS` in this process (given a timeout: in a child, for a
    FIFO, where an open that blocked would hang)."""
    data, db_path = store
    run = functools.partial(pivot, timeout=kw.pop("timeout")) if "timeout" in kw else pivot_here
    return run("export", "company:meta", "--data", data, "--db", db_path, *args, **kw)


def one_error(result: subprocess.CompletedProcess, *names: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "[Errno" not in lines[0] and ".tmp" not in lines[0], lines[0]
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


def test_export_force_writes_to_a_full_device_without_replacing_it(tmp_path: Path, small_store) -> None:
    full = tmp_path / "full"
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # the device /dev/full is
    one_error(export(small_store, "-o", full, "--force", code=1), str(full))
    assert stat.S_ISCHR(os.lstat(full).st_mode) and os.lstat(full).st_rdev == os.makedev(1, 7)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"]


def test_export_to_a_null_device_writes_through_it(tmp_path: Path, small_store) -> None:
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    for args in ((), ("--force",)):
        export(small_store, "-o", null, *args)
        assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_export_into_a_fifo_feeds_its_reader_and_never_replaces_it(tmp_path: Path, small_store) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    one_error(export(small_store, "-o", fifo, "--force", code=1, timeout=30), str(fifo))  # nobody reads it
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader (the export is small: it fits the pipe)
    try:
        export(small_store, "-o", fifo, "--force", timeout=30)
        out = os.read(reader, 1 << 16)
    finally:
        os.close(reader)
    assert out.decode().startswith("# Claims: company:meta")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_export_refuses_a_socket_and_keeps_it(tmp_path: Path, small_store) -> None:
    import socket

    path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    try:
        one_error(export(small_store, "-o", path, "--force", code=1), str(path))
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        sock.close()


def test_export_force_through_a_symlink_keeps_the_link(tmp_path: Path, small_store) -> None:
    real = tmp_path / "real.md"
    real.write_text("old\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    one_error(export(small_store, "-o", link, code=1), str(link))  # exists: needs --force
    export(small_store, "-o", link, "--force")
    assert link.is_symlink() and real.read_text().startswith("# Claims")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.md", "real.md"]


def test_export_without_force_never_overwrites_a_file_that_appears_meanwhile(tmp_path: Path, monkeypatch) -> None:
    """The check and the move are one step (a hard link): a file that appears between
    them is kept."""
    from tui.store import export as export_mod

    target = tmp_path / "out.md"
    real_mkstemp = export_mod.tempfile.mkstemp

    def mkstemp(*a, **k):
        target.write_text("theirs\n")  # another program takes the name now
        return real_mkstemp(*a, **k)

    monkeypatch.setattr(export_mod.tempfile, "mkstemp", mkstemp)
    with pytest.raises(export_mod.ExportError):
        export_mod.write_atomic(target, "ours\n")
    assert target.read_text() == "theirs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md"]


# --- 5. a full disk -------------------------------------------------------------------


@pytest.fixture
def disk(tmp_path: Path):
    """A real tmpfs of 1 MB (the small store is about 200 KB); unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(folder: Path) -> Path:
    """Take every free byte of the file system holding folder."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def test_a_full_build_on_a_full_disk_says_so(tmp_path: Path, disk: Path) -> None:
    data, _ = small(tmp_path)
    db_path = disk / "store.db"
    fill(disk)
    result = pivot_here("build", "--data", data, "--db", db_path, code=1)
    one_error(result, "no space left", str(disk))
    result = pivot_here("list", "--data", data, "--db", db_path, code=1)
    one_error(result, "no space left", str(disk))
    assert sorted(p.name for p in disk.iterdir()) in (["filler"], ["filler", "store.db.lock"])


def test_a_full_disk_during_a_full_build_keeps_the_old_store(tmp_path: Path, disk: Path) -> None:
    data, _ = small(tmp_path)
    db_path = disk / "store.db"
    pivot_here("build", "--data", data, "--db", db_path)
    fill(disk)
    with open(data / "topics.yaml", "a") as fh:  # a base file changed: a full build is needed
        fh.write("  - {id: extra, label: Extra, order: 50}\n")
    one_error(pivot_here("build", "--data", data, "--db", db_path, code=1), "no space left", str(disk))
    result = pivot_here("list", "--data", data, "--db", db_path, "--limit", "1")
    assert f"of {SMALL_CLAIMS} claims" in result.stdout and "no space left" in result.stderr
    assert integrity(db_path) == "ok" and claims_in(db_path) == SMALL_CLAIMS
    assert sorted(p.name for p in disk.iterdir()) == ["filler", "store.db", "store.db.lock"]


def test_a_full_disk_during_an_in_place_update_keeps_the_old_store(tmp_path: Path, disk: Path) -> None:
    data, _ = small(tmp_path)
    db_path = disk / "store.db"
    pivot_here("build", "--data", data, "--db", db_path)
    fill(disk)
    (data / "sources" / "delta.yaml").write_text(source_yaml("delta", 300))
    one_error(pivot_here("build", "--data", data, "--db", db_path, code=1), "no space left", str(disk))
    result = pivot_here("list", "--data", data, "--db", db_path, "--limit", "1")
    assert f"of {SMALL_CLAIMS} claims" in result.stdout and "warning:" in result.stderr
    assert integrity(db_path) == "ok" and not journal(db_path).exists()
    (disk / "filler").unlink()  # room again: the next command catches up
    pivot_here("build", "--data", data, "--db", db_path)
    assert claims_in(db_path) == SMALL_CLAIMS + 300


def test_a_file_size_limit_during_a_build_says_so(tmp_path: Path) -> None:
    """RLIMIT_FSIZE in the child: the kernel refuses the write (EFBIG), as a quota does."""
    import resource

    data, db_path = small(tmp_path)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    result = pivot("build", "--data", data, "--db", db_path, code=1, preexec_fn=limit)
    one_error(result, str(db_path))
    assert beside(db_path) <= {"store.db.lock"}


# --- 6. damage in the middle of the store ----------------------------------------------

COMMANDS = [
    ("list", "company:meta"),
    ("list", "layoffs"),
    ("list", "is:conflict"),
    ("entities",),
    ("sources",),
    ("export", "company:microsoft", "--format", "json"),
    ("compare", "meta", "microsoft", "--format", "md"),
]


def run_cli(*args):
    from click.testing import CliRunner

    from tui.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "200"})


def pages(db_path: Path) -> int:
    return db_path.stat().st_size // 4096


def zero_page(db_path: Path, page: int) -> None:
    with open(db_path, "r+b") as fh:
        fh.seek((page - 1) * 4096)
        fh.write(b"\0" * 4096)


@pytest.fixture(scope="module")
def good_outputs(small_store) -> dict[tuple, str]:
    data, db_path = small_store
    return {cmd: run_cli(*cmd, "--data", data, "--db", db_path).stdout for cmd in COMMANDS}


def test_a_zeroed_page_anywhere_means_a_rebuild_and_the_right_answer(tmp_path: Path, small_store, good_outputs) -> None:
    """Every page of the store but the first (a zeroed header is "not a store" and
    rebuilt already) zeroed in turn, each under another command: the command says the
    store was damaged, rebuilds it and answers as on the good store."""
    data, good = small_store
    for page in range(2, pages(good) + 1):
        db_path = tmp_path / f"store-{page}.db"
        shutil.copy(good, db_path)
        zero_page(db_path, page)
        cmd = COMMANDS[page % len(COMMANDS)]
        result = run_cli(*cmd, "--data", data, "--db", db_path)
        assert result.exit_code == 0 and result.exception is None, (page, cmd, result.output, result.exception)
        assert result.stdout == good_outputs[cmd], (page, cmd)


def damage(db_path: Path, data: bytes, how: str, page: int, seed: int) -> None:
    """Zero one page, scramble it with random bytes, or flip a few bytes in it."""
    import random

    rng = random.Random(seed)
    start = (page - 1) * 4096
    body = bytearray(data)
    if how == "zero":
        body[start : start + 4096] = b"\0" * 4096
    elif how == "scramble":
        body[start : start + 4096] = bytes(rng.randrange(256) for _ in range(4096))
    else:  # a few bytes
        for _ in range(rng.randint(1, 8)):
            body[start + rng.randrange(4096)] = rng.randrange(256)
    db_path.write_bytes(bytes(body))


@pytest.mark.slow
def test_a_damaged_store_fuzz_ends_with_no_traceback(tmp_path_factory, small_store, good_outputs) -> None:
    """10,000 damaged copies (random pages zeroed, scrambled or with bytes flipped), every
    command run on one: each exits cleanly, with its answer or with the trouble named in
    one line. Never a traceback. (A flipped byte inside a stored value is not damage SQLite
    can see, having no checksums, so answers are not compared here; whole pages are, in
    test_a_zeroed_page_anywhere_means_a_rebuild_and_the_right_answer.)"""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    data_dir, good = small_store
    original = good.read_bytes()
    n_pages = pages(good)
    tmp = tmp_path_factory.mktemp("fuzz")

    examples = int(os.environ.get("PIVOT_FUZZ_EXAMPLES", "10000"))  # fewer for a quick local run

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        how=st.sampled_from(["zero", "scramble", "flip"]),
        page=st.integers(1, n_pages),
        seed=st.integers(0, 2**32),
        cmd=st.sampled_from(COMMANDS),
    )
    def one(how: str, page: int, seed: int, cmd: tuple) -> None:
        db_path = tmp / "store.db"
        for stale in tmp.glob("store.db*"):
            stale.unlink()
        damage(db_path, original, how, page, seed)
        result = run_cli(*cmd, "--data", data_dir, "--db", db_path)
        assert result.exception is None or isinstance(result.exception, SystemExit), (how, page, cmd, result.exception)
        assert "Traceback" not in result.output, (how, page, cmd, result.output)
        if result.exit_code != 0:  # the trouble named in one line, at the end
            assert result.output.rstrip().splitlines()[-1].startswith("error: "), (how, page, cmd, result.output)

    one()


def test_pivot_build_checks_the_whole_store_before_saying_up_to_date(tmp_path: Path, small_store) -> None:
    data, good = small_store
    for page in range(2, pages(good) + 1):
        db_path = tmp_path / f"store-{page}.db"
        shutil.copy(good, db_path)
        zero_page(db_path, page)
        result = run_cli("build", "--data", data, "--db", db_path)
        assert result.exit_code == 0 and "up to date" not in result.stdout, (page, result.output)
        assert integrity(db_path) == "ok"
        assert "up to date" in run_cli("build", "--data", data, "--db", db_path).stdout


# --- 7. a killed full build: its workers and its temporary file -----------------------

# A child that runs `pivot ARGS` with pool workers that announce their pid on the
# descriptor FD when they take their first file, then block (the build is mid-way).
ANNOUNCING = textwrap.dedent("""
    import os, sys
    fd = int(sys.argv[1])
    parent = os.getpid()
    import tui.store.load as load
    real = load.read_source_file
    told = []
    def parse(path, label):
        if os.getpid() != parent and not told:
            told.append(1)
            os.write(fd, f"{os.getpid()}\\n".encode())
            os.read(os.pipe()[0], 1)  # blocks until the worker is killed
        return real(path, label)
    load.read_source_file = parse
    from tui.cli import main
    main(sys.argv[2:], prog_name="pivot")
""")


def many_sources(tmp_path: Path, n: int = 450) -> Path:
    """A corpus with enough source files for the process pool (load.PARALLEL_FROM)."""
    data, _ = small(tmp_path)
    for i in range(n):
        (data / "sources" / f"s{i:04d}.yaml").write_text(source_yaml(f"s{i:04d}", 1))
    return data


def wait_for_exit(pid: int, timeout: float) -> bool:
    """True when process pid (not our child) ends within timeout: a pidfd is readable then."""
    import select

    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], timeout)[0])
    finally:
        os.close(fd)


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_pool_workers_die_with_a_killed_build(tmp_path: Path, signum: int) -> None:
    data = many_sources(tmp_path)
    r, w = os.pipe()
    child = subprocess.Popen(
        [sys.executable, "-c", ANNOUNCING, str(w), "build", "--full", "--data", data, "--db", tmp_path / "store.db"],
        pass_fds=(w,),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    os.close(w)
    workers = []
    with os.fdopen(r) as announcements:
        while len(workers) < 2:
            line = announcements.readline()
            assert line, child.communicate()
            workers.append(int(line))
        child.send_signal(signum)
        child.communicate(timeout=60)
    for pid in workers:
        assert wait_for_exit(pid, 10), f"worker {pid} outlived its build"


def test_a_killed_full_build_leaves_a_temp_file_the_next_build_removes(tmp_path: Path) -> None:
    data, db_path = built(tmp_path)
    child = killed_pivot("INSERT INTO claims", "build", "--full", "--data", data, "--db", db_path)
    child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL
    stale = [n for n in beside(db_path) if n.endswith(".tmp")]
    assert 1 <= len(stale) <= 2  # the dead build's (its store, and its staged rows: `.work.tmp`)
    pivot_here("build", "--full", "--data", data, "--db", db_path)
    assert beside(db_path) == {"store.db", "store.db.lock"}
    assert integrity(db_path) == "ok" and claims_in(db_path) == SMALL_CLAIMS


# A child that runs `pivot ARGS` and sends itself SIGTERM when the full build starts
# writing its temporary file (the handler runs in Python code, as it would in life;
# a trace callback would swallow the exit).
TERMINATED = textwrap.dedent("""
    import os, signal, sys
    import tui.store.build as build
    real = build._write
    def write(path, *args):
        assert os.path.exists(path)
        os.kill(os.getpid(), signal.SIGTERM)
        return real(path, *args)
    build._write = write
    from tui.cli import main
    main(sys.argv[1:], prog_name="pivot")
""")


def test_sigterm_during_a_full_build_removes_its_temp_file(tmp_path: Path) -> None:
    data, db_path = built(tmp_path)
    child = subprocess.Popen(
        [sys.executable, "-c", TERMINATED, "build", "--full", "--data", data, "--db", db_path],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, err = child.communicate(timeout=120)
    assert child.returncode == 128 + signal.SIGTERM and "Traceback" not in err
    assert beside(db_path) == {"store.db", "store.db.lock"}
    assert integrity(db_path) == "ok"


def test_a_live_builds_temp_file_is_never_removed(tmp_path: Path) -> None:
    import fcntl

    data, db_path = built(tmp_path)
    live = tmp_path / ".store.db.live0000.tmp"
    with open(live, "wb") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # as a live build holds its own
        pivot("build", "--full", "--data", data, "--db", db_path)
        assert live.exists()


# --- 8. the last tracebacks of the CLI ------------------------------------------------


def pivot_bytes(*args: bytes | str | Path, code: int, **kw) -> subprocess.CompletedProcess:
    """`pivot` with arguments given as raw bytes (not UTF-8 text)."""
    argv = [os.fsencode(a) if not isinstance(a, bytes) else a for a in (PIVOT, *args)]
    result = subprocess.run(argv, capture_output=True, timeout=120, env={**os.environ, "COLUMNS": "200"}, **kw)
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert result.returncode == code, (result.returncode, stderr)
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout, stderr)


@pytest.mark.parametrize(
    "args",
    [
        (b"list", b"layoffs\xc3"),
        (b"list", b"speaker:\xff\xfe"),
        (b"export", b"company:meta \xc3("),
        (b"compare", b"meta", b"micro\xc3soft"),
        (b"compare", b"meta", b"microsoft", b"--topic", b"\xe9"),
    ],
)
def test_arguments_that_are_not_utf8_get_a_message(small_store, args) -> None:
    data, db_path = small_store
    result = pivot_bytes(*args, "--data", data, "--db", db_path, code=2)
    one_error(result, "not valid UTF-8")


@pytest.mark.parametrize("key", ["company", "source", "speaker", "topic", "entity"])
def test_a_value_longer_than_sqlites_like_limit_gets_a_message(small_store, key: str) -> None:
    data, db_path = small_store
    result = pivot_here("list", f"{key}:{'x' * 60_000}", "--data", data, "--db", db_path, code=None)
    assert result.returncode in (0, 2), result.stderr
    if result.returncode == 2:
        one_error(result)


@pytest.mark.parametrize(
    "cmd",
    [
        ("export", "company:meta"),
        ("list",),
        ("entities",),
        ("sources",),
        ("compare", "meta", "microsoft"),
        ("export", "--format", "json"),
    ],
)
def test_a_full_standard_output_is_a_one_line_message(small_store, cmd) -> None:
    data, db_path = small_store
    with open("/dev/full", "w") as full:
        result = pivot(*cmd, "--data", data, "--db", db_path, code=1, stdout=full, stderr=subprocess.PIPE)
    one_error(result, "cannot write the output")


def test_a_closed_pipe_on_standard_output_is_quiet(small_store) -> None:
    data, db_path = small_store
    child = subprocess.Popen(
        [PIVOT, "export", "--data", str(data), "--db", str(db_path), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    child.stdout.close()  # the reader is gone before the first byte (`pivot export | true`)
    err = child.stderr.read()
    assert child.wait(timeout=60) in (0, 1) and "Traceback" not in err and "Exception ignored" not in err


# --- 9. accepted in silence, or crashing later ------------------------------------------

from test_load import ENTITIES, GOOD, TOPICS  # noqa: E402  (the loader tests' corpus texts)


def write_corpus(tmp_path: Path, source: str = GOOD, entities: str = ENTITIES, topics: str = TOPICS) -> Path:
    data = tmp_path / "data"
    (data / "sources").mkdir(parents=True)
    (data / "entities.yaml").write_text(entities)
    (data / "topics.yaml").write_text(topics)
    (data / "sources" / "one.yaml").write_text(source)
    return data


def load_problems(data: Path) -> list[str]:
    from tui.store import CorpusError

    with pytest.raises(CorpusError) as info:
        load_corpus(data)
    return [str(p) for p in info.value.problems]


def test_a_topic_order_too_big_for_sqlite_is_refused(tmp_path: Path) -> None:
    topics = TOPICS.replace("order: 10", "order: 99999999999999999999")
    assert topics != TOPICS
    data = write_corpus(tmp_path, topics=topics)
    found = load_problems(data)
    assert len(found) == 1 and "data/topics.yaml:" in found[0] and ": order: " in found[0], found
    pivot_here("build", "--data", data, "--db", tmp_path / "store.db", code=1)  # a message, not OverflowError


@pytest.mark.parametrize("written", ["0x10", "0b11", "-0x10", "0x_10"])
def test_hexadecimal_and_binary_figures_are_refused(tmp_path: Path, written: str) -> None:
    data = write_corpus(tmp_path, GOOD.replace("value: 8000", f"value: {written}"))
    found = load_problems(data)
    assert len(found) == 1 and ": value: " in found[0] and written in found[0], found


def test_a_negative_count_of_employees_is_refused(tmp_path: Path) -> None:
    data = write_corpus(tmp_path, GOOD.replace("value: 8000", "value: -8000"))
    found = load_problems(data)
    assert len(found) == 1 and ": value: " in found[0] and "negative" in found[0], found


def test_a_negative_percentage_is_still_a_figure(tmp_path: Path) -> None:
    source = GOOD.replace("value: 8000", "value: -5").replace("unit: employees", "unit: percent")
    assert load_corpus(write_corpus(tmp_path, source)).claims[0].value_low == -5


PARENT_LOOP = (
    ENTITIES
    + """\
  - {id: ev-a, name: Event A, kind: event, parent: ev-b}
  - {id: ev-b, name: Event B, kind: event, parent: ev-a}
  - {id: ev-self, name: Event Self, kind: event, parent: ev-self}
"""
)
MEMBER_LOOP = (
    ENTITIES
    + """\
  - {id: group-a, name: Group A, kind: group, members: [group-b]}
  - {id: group-b, name: Group B, kind: group, members: [group-a, meta]}
"""
)


def test_parent_and_member_cycles_are_reported(tmp_path: Path) -> None:
    found = load_problems(write_corpus(tmp_path / "p", entities=PARENT_LOOP))
    assert len(found) == 3 and all(f.startswith("data/entities.yaml:") and ": parent: " in f for f in found), found
    found = load_problems(write_corpus(tmp_path / "m", entities=MEMBER_LOOP))
    assert len(found) == 2 and all(": members: " in f for f in found), found


def test_one_name_in_nfc_and_nfd_is_one_name(tmp_path: Path) -> None:
    import unicodedata

    nfc, nfd = unicodedata.normalize("NFC", "Café Corp"), unicodedata.normalize("NFD", "Café Corp")
    assert nfc != nfd
    entities = ENTITIES + f"  - {{id: cafe-a, name: {nfc}, kind: company}}\n  - {{id: cafe-b, name: {nfd}, kind: company}}\n"
    found = load_problems(write_corpus(tmp_path, entities=entities))
    assert len(found) == 1 and ": name: " in found[0] and "cafe-a" in found[0], found
    entities = ENTITIES + f"  - {{id: cafe-b, name: {nfd}, kind: company, aliases: [{nfd}]}}\n"
    corpus = load_corpus(write_corpus(tmp_path / "one", entities=entities))
    cafe = next(e for e in corpus.entities if e.id == "cafe-b")
    assert cafe.name == nfc and cafe.aliases == [nfc]  # stored one way, as a search types it


def test_a_yaml_merge_key_is_not_a_duplicate_key(tmp_path: Path) -> None:
    from tui.store.yamlread import parse_yaml

    data, found = parse_yaml(b"a: &a {id: x, k: 1}\nb:\n  <<: *a\n  id: y\n", "one.yaml")
    assert found == [] and data["b"] == {"id": "y", "k": 1}  # the own key wins, as YAML says
    _, found = parse_yaml(b"a: &a {k: 1}\nb:\n  <<: *a\n  id: y\n  id: z\n", "one.yaml")
    assert len(found) == 1 and "one.yaml:5:" in str(found[0]) and "'id'" in str(found[0])  # a real duplicate


def test_a_nul_in_a_quote_is_refused_and_never_reaches_a_csv(tmp_path: Path, small_store) -> None:
    data = write_corpus(tmp_path, GOOD.replace("summary: Meta cuts 8,000 jobs", 'summary: "Meta cuts\\0 8,000 jobs"'))
    found = load_problems(data)
    assert len(found) == 1 and ": summary: " in found[0] and "NUL" in found[0], found
    from tui.store.export import _csv_cell

    assert "\0" not in _csv_cell("a\0b")


# --- 10. Markdown that autolinks nothing ----------------------------------------------

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

URLISH = [
    "https://",
    "http://",
    "ftp://",
    "www.",
    "WWW.",
    "example",
    "Evil",
    ".com",
    ".COM",
    ".io",
    ".org",
    ".рф",
    "пример",
    "@",
    "bob",
    " ",
    "/",
    ":",
    ".",
    "x",
    "mailto:",
    "xmpp:",
    "8080",
    "?a=1",
    "#top",
    "-",
    "_",
    "(",
    ")",
]


def linkifier():
    from markdown_it import MarkdownIt

    return MarkdownIt("gfm-like", {"linkify": True}).enable("linkify")  # GFM tables and autolinks (linkify-it)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(URLISH), min_size=1, max_size=12).map("".join))
@example("//examplewww.https://")  # a protocol-relative link to linkify-it (found by this test)
def test_markdown_cells_never_autolink_and_render_as_typed(text: str) -> None:
    import html as html_mod
    import re

    from tui.store.export import md
    from tui.store.fmt import safe_text

    rendered = linkifier().render(f"| cell |\n| --- |\n| {md(text) or ' '} |\n")  # as the export writes a cell
    assert "<a " not in rendered, (text, md(text), rendered)
    cell = re.search(r"<td>(.*)</td>", rendered, re.S)
    assert cell is not None, rendered
    assert html_mod.unescape(cell[1]) == safe_text(" ".join(text.split())), (text, md(text), rendered)


def test_a_markdown_export_of_urls_in_the_corpus_has_no_links_but_the_sources_own(tmp_path: Path) -> None:
    data, db_path = small(tmp_path)
    alpha = data / "sources" / "alpha-news.yaml"
    alpha.write_text(
        alpha.read_text().replace(
            "summary: ", "summary: see https://evil.example/x www.evil.example bob@evil.example Evil.io and ", 1
        )
    )
    out = pivot_here("export", "--data", data, "--db", db_path, "--quotes").stdout
    tokens = linkifier().parse(out)
    links = [t for tok in tokens if tok.children for t in tok.children if t.type == "link_open"]
    assert not [t for t in links if "evil" in t.attrGet("href").lower()], out
    assert "see https://evil.example/x www.evil.example bob@evil.example Evil.io" in linkifier().render(out)


def test_one_claim_is_one_claim_on_the_command_line(small_store) -> None:
    data, db_path = small_store
    out = pivot_here("list", "openings", "--data", data, "--db", db_path).stdout
    assert out.rstrip().endswith("1 of 1 claim")
