"""Nothing lost, nothing hung (issue 21): the store and the CLI under attack.

Every test here runs the real `pivot` command on a private copy of the small corpus, in a
child process where the process is what is tested: killed with SIGKILL at a known statement
(test_crash's KILLER), its output left unread in a full pipe, waiting for another process's
lock, its peak memory; in this process (click's CliRunner: helpers.pivot_here) where only
its answer is: its files replaced as `cp -p` and `tar x` replace them, edited in the clock
tick of a build, its corpus holding an editor's lock link. Messages are asserted in our own
words only.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import pivot_here, small_built

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
    """A private copy of the small corpus and its store (built once per process, as `pivot
    build` builds it: helpers.small_built)."""
    return small_built(tmp_path)


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
    assert "up to date" in pivot_here("build", "--data", data, "--db", db_path).stdout
    assert pivot_here("check", "--data", data).stdout.startswith("ok: ")
    # an edit made while the lock is there is picked up, and nothing else is read
    alpha = sources / "alpha-news.yaml"
    alpha.write_text(alpha.read_text().replace("summary:", "summary: edited,", 1))
    pivot_here("build", "--data", data, "--db", db_path)
    assert claims_in(db_path, "summary LIKE 'edited,%'") == 1
    pivot_here("build", "--full", "--data", data, "--db", db_path)
    assert claims_in(db_path) == SMALL_CLAIMS
    assert claims_in(db_path, "summary LIKE 'edited,%'") == 1


@pytest.mark.parametrize("name", [".#alpha-news.yaml", "._alpha-news.yaml", ".alpha-news.yaml"])
def test_a_hidden_name_is_never_a_source_name(name: str) -> None:
    from tui.store.files import is_source_name

    assert not is_source_name(name)
    assert is_source_name(name.lstrip(".#_"))


# --- 8. the temporary file of a killed full build --------------------------------------


def beside(db_path: Path) -> set[str]:
    return {p.name for p in db_path.parent.iterdir() if p.name.startswith((db_path.name, "." + db_path.name))}


def temps(db_path: Path) -> list[str]:
    return sorted(n for n in beside(db_path) if n.endswith(".tmp"))


def killed_full_build(data: Path, db_path: Path) -> None:
    """`pivot build --full` killed with SIGKILL while it fills its temporary file."""
    from test_crash import killed_pivot

    child = killed_pivot("INSERT INTO claims", "build", "--full", "--data", data, "--db", db_path)
    child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL
    assert 1 <= len(temps(db_path)) <= 2  # the dead build's, as large as a store (and its staged rows, `.work.tmp`)


@pytest.mark.parametrize("command", [("build",), ("list", "--limit", "1"), ("sources",)])
def test_the_next_command_removes_a_killed_full_builds_temp_file(tmp_path: Path, command: tuple[str, ...]) -> None:
    data, db_path = built(tmp_path)
    killed_full_build(data, db_path)
    result = pivot_here(*command, "--data", data, "--db", db_path)
    if command == ("build",):
        assert "up to date" in result.stdout  # nothing to build: the start-up recovery removed it
    assert temps(db_path) == []
    assert claims_in(db_path) == SMALL_CLAIMS


def test_an_update_removes_a_killed_full_builds_temp_file(tmp_path: Path) -> None:
    """The update itself (under the build lock) removes what a dead full build left, too."""
    from tui.store.files import file_label
    from tui.store.locate import open_readonly

    data, db_path = built(tmp_path)
    killed_full_build(data, db_path)
    alpha = data / "sources" / "alpha-news.yaml"
    alpha.write_text(alpha.read_text().replace("summary:", "summary: edited,", 1))
    from tui.store.files import diff_corpus
    from tui.store.update import update_store

    conn = open_readonly(db_path)
    try:
        changes = diff_corpus(conn, data)
    finally:
        conn.close()
    update_store(db_path, data, changes, file_label(data))
    assert temps(db_path) == []
    assert claims_in(db_path, "summary LIKE 'edited,%'") == 1


# --- 9. durability: the file synced, renamed, its folder synced ----------------------------

# A child that runs `pivot ARGS` and writes down, in order, every fsync (with the path its
# descriptor names), rename and link it makes.
TRACED = textwrap.dedent("""
    import os, sys
    log = open(sys.argv[1], "a", encoding="utf-8")
    def name(fd):
        try:
            return os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return "?"
    def traced(what, real, show):
        def call(*args, **kwargs):
            log.write(what + " " + show(*args) + "\\n")
            log.flush()
            return real(*args, **kwargs)
        return call
    os.fsync = traced("fsync", os.fsync, lambda fd: name(fd))
    os.replace = traced("rename", os.replace, lambda a, b, **k: os.fspath(a) + " " + os.fspath(b))
    os.link = traced("link", os.link, lambda a, b, **k: os.fspath(a) + " " + os.fspath(b))
    from tui.cli import main
    main(sys.argv[2:], prog_name="pivot")
""")


def traced(tmp_path: Path, *args) -> list[list[str]]:
    log = tmp_path / "trace.log"
    log.unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, "-c", TRACED, str(log), *map(str, args)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return [line.split(" ") for line in log.read_text().splitlines()]


def synced_then_renamed(calls: list[list[str]], target: Path) -> None:
    """The file that takes TARGET's name is synced before it does, and TARGET's folder after."""
    moves = [i for i, c in enumerate(calls) if c[0] in ("rename", "link") and c[2] == str(target)]
    assert len(moves) == 1, calls
    i = moves[0]
    tmp = calls[i][1]
    assert ["fsync", tmp] in calls[:i], calls  # the bytes on the disk before the name
    assert ["fsync", str(target.parent)] in calls[i + 1 :], calls  # the name on the disk after


def test_a_full_build_an_update_of_a_copy_and_an_export_are_durable(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    db_path = tmp_path / "store.db"
    synced_then_renamed(traced(tmp_path, "build", "--full", "--data", data, "--db", db_path), db_path)
    out = tmp_path / "out" / "meta.md"
    out.parent.mkdir()
    synced_then_renamed(traced(tmp_path, "export", "company:meta", "-o", out, "--data", data, "--db", db_path), out)
    synced_then_renamed(traced(tmp_path, "export", "company:meta", "-o", out, "--force", "--data", data, "--db", db_path), out)


def source_yaml(sid: str, n: int) -> str:
    """A source file with n numeric claims about Meta."""
    lines = [f"id: {sid}", f"title: {sid} title", "kind: news", "claims:"]
    for i in range(n):
        lines += [
            f"  - id: {sid}-c{i}",
            "    entity: meta",
            "    topic: job-cuts",
            f"    summary: {sid} says Meta cut {1000 + i} jobs",
            f"    quote: cut {1000 + i} jobs",
            "    metric: employees-cut",
            f"    value: {1000 + i}",
            "    unit: employees",
            "    period: '2026'",
            "    status: reported",
        ]
    return "\n".join(lines) + "\n"


def test_a_reader_whose_output_is_not_read_never_stalls_an_update(tmp_path: Path) -> None:
    """`pivot export --format json | (sleep 75; wc -c)`: the export keeps its statement open
    while the pipe is full. An update waits a moment for it, then updates a copy of the
    store and renames it into place, saying so; the reader writes its whole export from
    the store as it was when it began."""
    import sqlite3

    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    (data / "sources" / "bulk.yaml").write_text(source_yaml("bulk", 600))  # ~1 MB of JSON: far more than a pipe holds
    db_path = tmp_path / "store.db"
    pivot("build", "--data", data, "--db", db_path)
    before = claims_in(db_path)
    reader = subprocess.Popen(
        [PIVOT, "export", "--format", "json", "--data", data, "--db", db_path],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert reader.stdout is not None
        first = b""
        while len(first) < 8192:  # its first records: it is reading its claims, and from here on its pipe fills
            chunk = reader.stdout.read1(8192 - len(first))
            assert chunk, reader.stderr.read() if reader.stderr else "no output"
            first += chunk
        probe = sqlite3.connect(db_path, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            probe.execute("BEGIN EXCLUSIVE")  # it holds its read open, as the issue saw
        probe.close()
        alpha = data / "sources" / "alpha-news.yaml"
        text = alpha.read_text()
        assert "value: 8000" in text
        alpha.write_text(text.replace("value: 8000", "value: 700", 1))
        inode = db_path.stat().st_ino
        result = pivot("build", "--data", data, "--db", db_path, timeout=120)
        assert result.stdout.startswith("updated ") and "1 file(s) changed" in result.stdout
        assert "is being read by another program" in result.stderr and "updating a copy" in result.stderr
        assert db_path.stat().st_ino != inode  # a copy, renamed into place
        assert "1 of 1 claim" in pivot("list", "value=700", "--data", data, "--db", db_path).stdout
        assert temps(db_path) == []
        rest = reader.stdout.read()
        assert reader.wait(timeout=60) == 0
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    exported = json.loads(first + rest)
    assert len(exported) == before  # the store as it was when the export began, whole
    assert not any(r["value_low"] == 700 for r in exported)
    assert any(r["source"] == "alpha-news" and r["value_low"] == 8000 for r in exported)


def test_a_wait_for_another_build_says_what_it_waits_for(tmp_path: Path) -> None:
    import fcntl

    data, db_path = built(tmp_path)
    alpha = data / "sources" / "alpha-news.yaml"
    alpha.write_text(alpha.read_text().replace("summary:", "summary: edited,", 1))
    with open(db_path.with_name(db_path.name + ".lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a live build holds it
        child = subprocess.Popen(
            [PIVOT, "build", "--data", str(data), "--db", str(db_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            assert child.stderr is not None
            said = child.stderr.readline()
            assert said == f"note: waiting for another pivot build of {db_path} to finish\n"
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
        out, err = child.communicate(timeout=120)
    assert child.returncode == 0 and out.startswith("updated "), (out, err)


def test_a_store_another_program_locks_is_waited_for_with_a_word_then_built_beside(tmp_path: Path) -> None:
    data, db_path = built(tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE')\n"
            "print('held', flush=True)\n"
            "sys.stdin.readline()\n",
            str(db_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = pivot("list", "company:meta", "--data", data, "--db", db_path)
        assert f"{db_path} is locked by another program; waiting up to 5 s for it" in result.stderr
        assert result.stdout.rstrip().endswith("10 of 10 claims")
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


# --- 13. an edit the store never saw ------------------------------------------------------


def version_b(alpha: Path) -> bytes:
    """alpha-news.yaml with Meta's cut of 8000 become 700, the file's size kept."""
    text = alpha.read_bytes()
    assert b"value: 8000\n" in text
    return text.replace(b"value: 8000\n", b"value:  700\n", 1)


@pytest.mark.parametrize("how", ["cp -p", "tar x"])
def test_a_same_size_edit_with_its_mtime_set_back_is_seen(tmp_path: Path, how: str) -> None:
    """`cp -p` of another version writes into the file and sets its mtime back; `tar x` (or an
    unzip) puts a new file of the same size and mtime in its place. The store sees both:
    the ctime (which no tool can set) and the inode are compared too."""
    data, db_path = built(tmp_path)
    alpha = data / "sources" / "alpha-news.yaml"
    before = alpha.stat()
    edited = version_b(alpha)
    if how == "cp -p":
        alpha.write_bytes(edited)
    else:
        other = alpha.with_name(".extracted")
        other.write_bytes(edited)
        other.rename(alpha)
    os.utime(alpha, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = alpha.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)  # what the store used to compare
    result = pivot_here("build", "--data", data, "--db", db_path)
    assert result.stdout.startswith("updated ") and "1 file(s) changed" in result.stdout
    assert "1 of 1 claim" in pivot_here("list", "value=700", "--data", data, "--db", db_path).stdout


def _forge_record(db_path: Path, rel: str, st: os.stat_result, ctime_ns: int) -> None:
    """Set the store's record of REL to the file's stat as it is now (the hash kept: that of
    the bytes the build read), as a build that read the file a moment before an edit in the
    same clock tick would have recorded it: with the digests and the records' snapshot a
    build keeps of its records."""
    import sqlite3

    from tui.store.build import set_meta
    from tui.store.files import FILES_DIGEST, keep_snapshot

    conn = sqlite3.connect(db_path)
    conn.execute(
        "UPDATE source_files SET size = ?, mtime_ns = ?, ctime_ns = ?, ino = ? WHERE file = ?",
        (st.st_size, st.st_mtime_ns, ctime_ns, st.st_ino, rel),
    )
    corpus_hash, files_digest = keep_snapshot(conn)
    set_meta(conn, {"corpus_hash": corpus_hash, FILES_DIGEST: files_digest})
    conn.commit()
    conn.close()


def test_an_edit_in_the_clock_tick_of_the_last_build_is_seen(tmp_path: Path) -> None:
    """git's racy-clean rule: the build read the file, then the file was edited within the
    same tick of the file system's clock, so its stat is the one the build saw. Such a
    record is smudged (its ctime recorded as -1), so the next look hashes the file again."""
    from tui.store.files import RACY_CTIME

    data, db_path = built(tmp_path)
    alpha = data / "sources" / "alpha-news.yaml"
    alpha.write_bytes(version_b(alpha))
    # the record a build makes of a file whose ctime is within a tick of its look: smudged
    _forge_record(db_path, "sources/alpha-news.yaml", alpha.stat(), RACY_CTIME)
    result = pivot_here("build", "--data", data, "--db", db_path)
    assert result.stdout.startswith("updated ") and "1 file(s) changed" in result.stdout
    assert "1 of 1 claim" in pivot_here("list", "value=700", "--data", data, "--db", db_path).stdout


def test_without_the_smudge_a_same_tick_edit_would_go_unseen(tmp_path: Path) -> None:
    """The control of the test above: the same record with the real ctime is trusted (one
    stat, no hash), so the smudge is what catches the edit."""
    data, db_path = built(tmp_path)
    alpha = data / "sources" / "alpha-news.yaml"
    alpha.write_bytes(version_b(alpha))
    now = alpha.stat()
    _forge_record(db_path, "sources/alpha-news.yaml", now, now.st_ctime_ns)
    assert "up to date" in pivot_here("build", "--data", data, "--db", db_path).stdout


def test_a_file_is_recorded_racy_when_it_changed_in_the_tick_it_was_read(tmp_path: Path) -> None:
    """A build's record of a file that changed within a tick of being read is smudged; once
    the tick is over it is settled (RACY_NS) if the file is still what was read, and stays
    smudged if it changed meanwhile."""
    from tui.store.files import RACY_CTIME, settle, state_of

    path = tmp_path / "a.yaml"
    path.write_bytes(b"id: a\n")
    raw = path.read_bytes()
    read = state_of("a.yaml", path.stat(), raw)
    assert read.recorded_ctime == RACY_CTIME  # written just now: racy
    settled = settle(tmp_path, {"a.yaml": read})["a.yaml"]
    assert settled.recorded_ctime == read.ctime_ns  # still the same bytes once its tick is over
    path.write_bytes(b"id: b\n")  # the same size: an edit right after the read
    again = state_of("a.yaml", path.stat(), raw)  # the bytes read before the edit
    assert settle(tmp_path, {"a.yaml": again})["a.yaml"].recorded_ctime == RACY_CTIME


# --- 18. pivot sources streams: its memory does not grow with the sources ------------------

# The peak of the command's own memory (VmHWM: that of its image since exec; wait4's
# ru_maxrss would count this test's process, whose image the child starts from).
MEASURED_PEAK = (
    "import atexit, sys\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            open(sys.argv[1], 'w').write(line.split()[1])\n"
    "atexit.register(peak)\n"
    "from tui.cli import main\n"
    "main(sys.argv[2:], prog_name='pivot')\n"
)


def sources_peak_kib(data: Path, db_path: Path, peak: Path) -> tuple[str, int]:
    """`pivot sources` in a child: (its standard output, its peak memory in KiB)."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURED_PEAK, str(peak), "sources", "--data", str(data), "--db", str(db_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=600,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout, int(peak.read_text())


@pytest.mark.slow  # 10,000 files written and stat'ed, 10,000 rows drawn (~10 s): .ci/run runs it in its slow step
def test_pivot_sources_streams_every_source_in_bounded_memory(tmp_path: Path) -> None:
    """All 10,000 rows, in order, from a process whose peak memory is within 20 MB of the
    same command's on the small corpus (5 sources). Streamed, the 10,000 rows add 4 MB (at
    50,000 sources the peak is 43 MB); one Rich table of every row (which measures each cell
    before it draws the first) adds 78 MB at 10,000 and grows with every row (339 MB at
    50,000), so 10,000 rows tell the two apart as 50,000 did, in a fifth of the time."""
    from tui.store import build_store, load_corpus
    from tui.store.files import file_states
    from tui.store.model import Source

    small, small_db = small_built(tmp_path / "small")
    _, floor = sources_peak_kib(small, small_db, tmp_path / "peak-small")
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    n = 10_000
    sources = []
    for i in range(n):
        sid = f"s-{i:05d}"
        path = data / "sources" / f"{sid}.yaml"
        path.write_text(f"id: {sid}\ntitle: Source {i:05d}\nkind: news\npublished: '2020-01-01'\nclaims: []\n")
        sources.append(Source(sid, f"Source {i:05d}", "news", publisher=f"Publisher {i % 97}", published="2020-01-01"))
    corpus = load_corpus(SMALL)
    corpus.sources += sources  # the same corpus the files make, without parsing 10,000 of them here
    db_path = tmp_path / "store.db"
    build_store(corpus, db_path, file_states(data))
    out, kib = sources_peak_kib(data, db_path, tmp_path / "peak")
    import re

    assert re.findall(r"\bSource (\d{5})\b", out) == [f"{i:05d}" for i in range(n)]  # every one, in order (date, title)
    assert len(re.findall(r"^ *Id +Source +Publisher", out, re.M)) == 1  # one header (the id column first)
    assert kib - floor < 20_000, f"peak RSS {kib / 1024:.0f} MB, {(kib - floor) / 1024:.0f} MB over the small corpus's"
