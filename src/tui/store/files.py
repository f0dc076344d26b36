# Long because the corpus on disk is read in one place: file states, hashes, the no-op's
# digest and the comparison with the store's records share their stat keys and racy rules.
"""The corpus as files on disk: which ones, their sizes, times and hashes.

The store records the state of every corpus file it was built from
(`source_files`), so that deciding whether it is current costs one `stat` per
file, and a rebuild reads only the files whose bytes changed.
"""

from __future__ import annotations

import os
import sqlite3
import time
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .regular import NotRegularFile as NotRegularFile  # there so that the explorer's state files need not import this module
from .regular import kind_of as kind_of
from .regular import open_regular as open_regular

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms of the no-op's imports)

if TYPE_CHECKING:
    import hashlib
    from typing import Any

BASE_FILES = ("entities.yaml", "topics.yaml", "propositions.yaml", "metrics.yaml")  # the last two are optional


# A file whose status changed less than a clock tick before pivot looked at it may change
# again within that tick and keep the very same size, times and inode: git's "racily
# clean" entries. Its record is smudged (RACY_CTIME), so that the next look hashes it again
# (git sets such an index entry's size to 0). A tick of a file system's clock is a few ms
# (the kernel's coarse clock); one that keeps whole seconds only (ext3, HFS+, FAT) is
# seen by a ctime on a whole second, and given two.
RACY_NS = 50_000_000
RACY_COARSE_NS = 2_000_000_000
RACY_CTIME = -1  # the ctime recorded for a racy file: no stat ever matches it
FILES_DIGEST = "files_digest"  # the pivot_meta key of the stat digest of every file (files.scan)


@dataclass(frozen=True, slots=True)
class FileState:
    rel: str  # path relative to the corpus directory, with forward slashes
    size: int
    mtime_ns: int
    sha256: str | None = None  # None until read
    ctime_ns: int = 0  # the inode's change time: set by the kernel on every write, never by a tool
    ino: int = 0  # a file replaced by another (an editor's rename, `tar x`) has a new inode
    seen_ns: int = 0  # the clock when it was looked at (not recorded: see RACY_NS)

    @property
    def recorded_ctime(self) -> int:
        """The ctime the store records: RACY_CTIME when the file changed too shortly
        before it was looked at (see RACY_NS)."""
        tick = RACY_COARSE_NS if self.ctime_ns % 1_000_000_000 == 0 else RACY_NS
        return RACY_CTIME if self.ctime_ns >= self.seen_ns - tick else self.ctime_ns

    def record(self, source: str | None) -> tuple[str, str | None, int, int, str | None, int, int]:
        """Its row of source_files (RECORD_SQL)."""
        return (self.rel, source, self.size, self.mtime_ns, self.sha256, self.recorded_ctime, self.ino)


def _sha256(data: bytes = b"") -> hashlib._Hash:
    """hashlib.sha256, imported when first used: the explorer imports this module at start-up
    (tui.state) and hashes nothing before its first frame (OpenSSL's import is ~2.5 ms)."""
    import hashlib

    return hashlib.sha256(data)


RECORD_SQL = "INSERT INTO source_files (file, source, size, mtime_ns, sha256, ctime_ns, ino) VALUES (?, ?, ?, ?, ?, ?, ?)"
TOUCH_SQL = "UPDATE source_files SET size = ?, mtime_ns = ?, ctime_ns = ?, ino = ? WHERE file = ?"


def stat_key(size: int, mtime_ns: int, ctime_ns: int, ino: int) -> str:
    """What a file's stat must equal for the file to count as unchanged (as the store's
    records are compared: size, mtime, ctime and inode, as git compares them)."""
    return f"{size}:{mtime_ns}:{ctime_ns}:{ino}"


_KEY_SQL = "size || ':' || mtime_ns || ':' || ctime_ns || ':' || ino"  # stat_key in SQL


def is_source_name(name: str) -> bool:
    """A name in sources/ that can be a source file: *.yaml or *.yml, and not hidden. A name
    that starts with a dot is a hidden or an editor's file, never a source: Emacs's lock
    link `.#a.yaml` (dangling while a buffer is modified), macOS's `._a.yaml` (resource
    forks on other file systems), vim's and others' temporary files."""
    return name.endswith((".yaml", ".yml")) and not name.startswith(".")


def _is_source_entry(e: os.DirEntry[str]) -> bool:
    """A source-file name (is_source_name) in sources/ that is not a folder. A symlink loop,
    a dangling link, a FIFO or a device node is included, so that reading it reports a
    problem naming it instead of its claims vanishing from the store in silence."""
    if not is_source_name(e.name):
        return False
    try:
        return not e.is_dir()
    except OSError:
        return True


def source_paths(data_dir: Path) -> list[Path]:
    """Every source file of the corpus, by name. Raises OSError when sources/ cannot be
    listed (missing, not a folder, a symlink loop, no permission): a corpus without its
    sources is a problem to report, never an empty corpus."""
    sources = data_dir / "sources"
    with os.scandir(sources) as it:
        names = sorted(e.name for e in it if _is_source_entry(e))
    return [sources / n for n in names]


def corpus_paths(data_dir: Path) -> list[Path]:
    return [data_dir / n for n in BASE_FILES] + source_paths(data_dir)


def stat_states(data_dir: Path) -> dict[str, FileState]:
    """rel -> FileState without hashes (one stat per file); missing base files are absent."""
    out: dict[str, FileState] = {}
    try:
        paths = corpus_paths(data_dir)
    except OSError:  # no sources/ to list: the loader reports it
        paths = [data_dir / n for n in BASE_FILES]
    for path in paths:
        seen = time.time_ns()
        try:
            st = path.stat()
        except OSError:
            continue
        rel = path.relative_to(data_dir).as_posix()
        out[rel] = FileState(rel, st.st_size, st.st_mtime_ns, None, st.st_ctime_ns, st.st_ino, seen)
    return out


def file_label(data_dir: Path) -> Callable[[Path], str]:
    """How messages and the store name a corpus file: its path from the corpus's parent
    folder (`data/sources/x.yaml`), its control characters escaped (a file name is text
    from the corpus too). The full build and the update name files this one way."""
    from .fmt import safe_text

    root = Path(data_dir)

    def label(p: Path) -> str:
        try:
            return safe_text(str(p.relative_to(root.parent)) if root.parent != Path("") else str(p))
        except ValueError:
            return safe_text(str(p))

    return label


def state_of(rel: str, st: os.stat_result, raw: bytes) -> FileState:
    """The record of a file from the bytes read and the stat taken while it was open (just
    now: the file changed before its ctime, so a ctime close to now is racy)."""
    return FileState(rel, st.st_size, st.st_mtime_ns, _sha256(raw).hexdigest(), st.st_ctime_ns, st.st_ino, time.time_ns())


def hash_file(path: Path) -> str:
    h = _sha256()
    with os.fdopen(open_regular(path), "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def with_hash(data_dir: Path, state: FileState) -> FileState:
    try:
        sha = hash_file(data_dir / state.rel)
    except OSError:
        sha = "<unreadable>"
    return FileState(state.rel, state.size, state.mtime_ns, sha, state.ctime_ns, state.ino, state.seen_ns)


def file_states(data_dir: Path) -> dict[str, FileState]:
    """Every corpus file with its hash."""
    return settle(data_dir, {rel: with_hash(data_dir, s) for rel, s in stat_states(data_dir).items()})


def settle(data_dir: Path, states: dict[str, FileState]) -> dict[str, FileState]:
    """The states with the racy ones (see RACY_NS) settled where they can be: once their
    clock tick is over, a file whose stat is the one recorded and whose bytes still hash
    the same cannot change again without a new ctime, so its record need not be smudged
    (which would mean hashing it again, and renewing its record, at the next look). A file
    that changed meanwhile keeps its smudged record: the next look sees the change. Waits
    out the tick when it is not over (a few ms; two seconds on a file system that keeps
    whole seconds), only when a file is racy."""
    racy = [st for st in states.values() if st.recorded_ctime == RACY_CTIME and st.sha256 not in (None, "<unreadable>")]
    if not racy:
        return states
    tick = max(RACY_COARSE_NS if st.ctime_ns % 1_000_000_000 == 0 else RACY_NS for st in racy)
    wait = max(st.ctime_ns for st in racy) + tick - time.time_ns()
    if wait > 0:
        time.sleep(wait / 1e9 + 0.001)
    out = dict(states)
    for st in racy:
        seen = time.time_ns()
        try:
            now = os.stat(data_dir / st.rel)
        except OSError:
            continue
        if stat_key(now.st_size, now.st_mtime_ns, now.st_ctime_ns, now.st_ino) != stat_key(
            st.size, st.mtime_ns, st.ctime_ns, st.ino
        ):
            continue
        again = with_hash(data_dir, st)
        if again.sha256 == st.sha256:
            out[st.rel] = FileState(st.rel, st.size, st.mtime_ns, st.sha256, st.ctime_ns, st.ino, seen)
    return out


def digest_of(states: Iterable[FileState]) -> str:
    """One hash for the whole corpus, from the per-file hashes (order independent)."""
    h = _sha256()
    for s in sorted(states, key=lambda s: s.rel):
        h.update(f"{s.rel}\0{s.sha256}\n".encode())
    return h.hexdigest()


_RECORDS_SQL = "SELECT file, sha256, size, mtime_ns, ctime_ns, ino FROM source_files ORDER BY file"


def recorded_digests(
    conn: sqlite3.Connection, rows: Iterable[tuple[str, str, int, int, int, int]] | None = None
) -> tuple[str, str]:
    """(digest_of, the stat digest) of the store's file records, in one pass: what the
    store keeps in pivot_meta as `corpus_hash` and `files_digest`. `rows`: the records
    already read as _RECORDS_SQL reads them, in its order (not read again)."""
    if rows is None:
        cur = conn.cursor()
        cur.row_factory = None
        rows = cur.execute(_RECORDS_SQL)
    hashes: list[str] = []
    records: list[tuple[str, int, int, int, int]] = []
    for rel, sha, size, mtime_ns, ctime_ns, ino in rows:
        hashes.append(f"{rel}\0{sha}\n")  # digest_of's lines, in its order: hashed at once
        records.append((rel, size, mtime_ns, ctime_ns, ino))
    return _sha256("".join(hashes).encode()).hexdigest(), records_digest(records)


# --- the no-op: one digest of every file's stat --------------------------------------------
#
# The store keeps, in pivot_meta (`files_digest`), one digest of every corpus file's record:
# name, size, mtime, ctime and inode, as diff_corpus compares them one by one. A scan of the
# folder (one listing, one stat per file, nothing read from the store) that gives the same
# digest proves that diff_corpus would find no change: the same names, each with the stat
# recorded. A record smudged as racy (ctime RACY_CTIME) matches no stat, so its digest never
# matches and diff_corpus looks file by file, as it must.
#
# The digest is laid out so that the scan builds it without a Python step per file beyond
# the stat itself (100,000 files: the stat is ~0.26 s of CPU, the digest ~0.04 s): the
# count of source files, their names (without `sources/`) in order joined by NUL, the four
# numbers of every one as native 64-bit integers field by field (every size, then every
# mtime, ...: one array each), then each base file that is a file as text.
_FIELDS = ("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino")
_SOURCES = "sources/"


def _stat_digest(names: list[str], fields: list[array[int]], base: list[tuple[str, int, int, int, int]]) -> str:
    """The stat digest of the source files `names` (sorted), `fields` their sizes, mtimes,
    ctimes and inodes, and of the base files `base` (rel, size, mtime, ctime, inode; sorted).
    A store moved to a machine of the other byte order differs once: looked at file by file."""
    h = _sha256(len(names).to_bytes(8, "little"))
    h.update("\0".join(names).encode("utf-8", "surrogateescape"))
    for column in fields:
        h.update(column.tobytes())
    for rel, size, mtime_ns, ctime_ns, ino in base:
        h.update(f"\0{rel}\0{size}:{mtime_ns}:{ctime_ns}:{ino}".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def records_digest(records: Iterable[tuple[str, int, int, int, int]]) -> str:
    """The stat digest of file records (rel, size, mtime_ns, recorded ctime_ns, ino)."""
    rows = sorted(records)  # by name: the names are unique
    sources = [r for r in rows if r[0].startswith(_SOURCES)]
    try:
        return _stat_digest(
            [rel[len(_SOURCES) :] for rel, *_ in sources],
            [
                array("q", [r[1] for r in sources]),
                array("q", [r[2] for r in sources]),
                array("q", [r[3] for r in sources]),
                array("q", [r[4] for r in sources]),
            ],
            [r for r in rows if not r[0].startswith(_SOURCES)],
        )
    except OverflowError:  # a number no stat of a real file gives: no scan matches it
        return "-"


def _keys_records(stats: dict[str, str]) -> list[tuple[str, int, int, int, int]]:
    out = []
    for rel, key in stats.items():
        size, mtime_ns, ctime_ns, ino = (int(x) for x in key.split(":"))
        out.append((rel, size, mtime_ns, ctime_ns, ino))
    return out


@dataclass
class Scan:
    """One look at the corpus's files: every one's stat, and their digest."""

    digest: str
    names: list[str]  # the source files, sorted, without `sources/`
    fields: list[array[int]]  # their sizes, mtimes, ctimes and inodes (_FIELDS), in that order
    base: list[tuple[str, int, int, int, int]]  # the base files that are files: (rel, size, mtime, ctime, inode)
    seen_ns: int  # the clock before the first stat (a file changed since is racy)

    def stats(self) -> dict[str, str]:
        """rel -> its stat key (stat_key: "size:mtime_ns:ctime_ns:ino"), the sources and the base
        files: only when the digest differs (the comparison with the records), so that the
        no-op builds no 100,000 strings."""
        sizes, mtimes, ctimes, inos = self.fields
        out = {_SOURCES + n: f"{sizes[i]}:{mtimes[i]}:{ctimes[i]}:{inos[i]}" for i, n in enumerate(self.names)}
        out.update((rel, stat_key(*key)) for rel, *key in self.base)
        return out


def scan(data_dir: Path) -> Scan | None:
    """The stat digest of the corpus on disk (as records_digest of what diff_corpus would
    compare), from one listing of sources/ and a stat per file, with the stats it read
    (diff_corpus compares them with the records when the digest differs, without a second
    stat per file); None when a file cannot be stat'ed or sources/ cannot be listed
    (diff_corpus then says what it finds).

    Little Python runs per file: the names are checked by map() in C, stat'ed relative to
    the folder's descriptor a few hundred at a time (freed while still in the CPU's cache),
    their numbers put into arrays by map(). A name that is a
    folder (`sub.yaml/`) is told by its stat's mode, as _is_source_entry tells it by the
    listing's: not a source file."""
    root = os.fspath(data_dir)
    try:
        fd = os.open(os.path.join(root, "sources"), os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    import stat as stat_mode
    from itertools import repeat
    from operator import attrgetter

    stat = os.stat  # follows links, as _is_source_entry does (a call with dir_fd: map(partial()) is slower)
    getters = [attrgetter(field) for field in _FIELDS]
    fields: list[array[int]] = [array("q") for _ in _FIELDS]
    seen = time.time_ns()
    try:
        names = os.listdir(fd)
        if not all(map(str.endswith, names, repeat((".yaml", ".yml")))) or any(map(str.startswith, names, repeat("."))):
            names = [n for n in names if is_source_name(n)]
        names.sort()
        folders: list[int] = []  # `sub.yaml/`: no source file (told by the stat's mode, not the listing's)
        for at in range(0, len(names), 512):  # a few hundred stat results at a time: not 100,000 (~40 MB)
            stats = [stat(n, dir_fd=fd) for n in names[at : at + 512]]
            if any(map(stat_mode.S_ISDIR, map(attrgetter("st_mode"), stats))):
                folders += [at + i for i, st in enumerate(stats) if stat_mode.S_ISDIR(st.st_mode)]
            for column, get in zip(fields, getters):
                column.extend(map(get, stats))
        if folders:
            keep = sorted(set(range(len(names))) - set(folders))
            names = [names[i] for i in keep]
            fields = [array("q", [column[i] for i in keep]) for column in fields]
    except OSError:
        return None
    except OverflowError:  # an inode beyond 2**63: the records are compared one by one
        return None
    finally:
        os.close(fd)
    base: list[tuple[str, int, int, int, int]] = []
    for name in sorted(BASE_FILES):
        try:
            st = os.stat(os.path.join(root, name))
        except OSError:
            continue  # missing: as diff_corpus, absent
        if stat_mode.S_ISREG(st.st_mode):
            base.append((name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return Scan(_stat_digest(names, fields, base), names, fields, base, seen)


def corpus_digest(data_dir: Path) -> str:
    return digest_of(file_states(Path(data_dir)).values())


@dataclass
class Changes:
    """How the corpus on disk differs from what the store was built from."""

    base_changed: bool  # entities.yaml, topics.yaml ...: applied by store/baseupdate.py, not by the update
    added: list[FileState]
    changed: list[FileState]
    removed: list[str]  # rel paths
    touched: list[FileState]  # same bytes, new size/time record
    known: bool = True  # False when the store has no file records (full build needed)
    # every file record as diff_corpus read it (rel -> (stat_key, sha256)): the update works out
    # the store's digests from it and what it writes, without reading every record again
    records: dict[str, tuple[str, str]] | None = None
    # from a scan (_diff_scanned): its stat digest, and the stat key it saw of every file
    # whose record differed; once the update has recorded each of those with the key the
    # scan saw, the records are the scan and their stat digest is the scan's (digests_after)
    scan_digest: str | None = None
    differing: dict[str, str] | None = None
    # from a scan compared with the records' snapshot (no record read): both, so that the
    # update works out the records' digests and their next snapshot from them
    scan: Scan | None = None
    snapshot: Snapshot | None = None

    @property
    def empty(self) -> bool:
        return not (self.base_changed or self.added or self.changed or self.removed or self.touched) and self.known

    @property
    def needs_full(self) -> bool:
        return self.base_changed or not self.known


def diff_corpus(conn: sqlite3.Connection, data_dir: Path, scanned: Scan | None = None) -> Changes:
    """Compare the files on disk with the store's records: one stat per file; files whose
    size, mtime, ctime or inode changed, and those recorded as racy (RACY_NS), are hashed
    to tell a real change from a touch. A same-size edit whose mtime was set back (`cp
    -p`, `rsync -a`, `tar x`, an unzip of another version) still has a new ctime, which no
    tool can set, and an edit in the same clock tick as the last look is racy.

    A stat per file stays: a file edited in place (an editor that writes into the file
    rather than renaming a new one over it) changes its own size and times but not its
    folder's, so folder times cannot prove that nothing changed. The stat is kept cheap:
    names from one os.scandir, each stat relative to the folder's descriptor (no path
    strings resolved from the root, no Path objects), the store's records read as plain
    tuples into one map (the explorer runs this at start-up, beside everything it shows).
    `scanned`: the stats of a scan just made (whose digest differed): no second stat per file."""
    if conn.execute("SELECT 1 FROM source_files LIMIT 1").fetchone() is None:
        return Changes(False, [], [], [], [], known=False)
    if scanned is not None:
        return _diff_scanned(conn, data_dir, scanned)
    root = os.fspath(data_dir)
    folder = os.path.join(root, "sources")
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        # sources/ cannot be listed: not "every file removed" but a full load, whose
        # problem names the folder (and the last good store is kept)
        return Changes(False, [], [], [], [], known=False)
    try:
        try:
            with os.scandir(fd) as it:
                names = [e.name for e in it if _is_source_entry(e)]
        except OSError:
            return Changes(False, [], [], [], [], known=False)
        recorded = conn.cursor()
        recorded.row_factory = None  # plain tuples: 100,000 of them
        # stat_key per file: a map built by dict() from two-column rows, in C
        known: dict[str, str] = dict(recorded.execute(f"SELECT file, {_KEY_SQL} FROM source_files"))
        suspects: list[FileState] = []  # files whose stat differs from the record
        unreadable: list[str] = []
        stat = os.stat
        seen = time.time_ns()  # before any stat: a file changed since is racy (RACY_NS)
        for name in names:
            rel = "sources/" + name
            try:
                st = stat(name, dir_fd=fd)
            except OSError:
                unreadable.append(rel)
                continue
            if known.pop(rel, None) != f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}":
                suspects.append(FileState(rel, st.st_size, st.st_mtime_ns, None, st.st_ctime_ns, st.st_ino, seen))
    finally:
        os.close(fd)
    import stat as stat_mode

    for name in BASE_FILES:
        try:
            st = os.stat(os.path.join(root, name))
        except OSError:
            continue  # missing: still in `known`, so removed
        if not stat_mode.S_ISREG(st.st_mode):
            continue  # not a file (a folder, a FIFO): absent, as the loader will say
        if known.pop(name, None) != stat_key(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino):
            suspects.append(FileState(name, st.st_size, st.st_mtime_ns, None, st.st_ctime_ns, st.st_ino, seen))
    added: list[FileState] = []
    changed: list[FileState] = []
    touched: list[FileState] = []
    for rel in unreadable:
        # listed but unreadable (a symlink loop, a dangling link): read it as changed,
        # so that the update reports it by name and keeps the store as it was
        state = FileState(rel, -1, -1, "<unreadable>")
        (changed if known.pop(rel, None) is not None else added).append(state)
    found = _suspects(data_dir, conn, suspects)
    added += found[0]
    changed += found[1]
    touched += found[2]
    added.sort(key=lambda st: st.rel)
    changed.sort(key=lambda st: st.rel)
    removed = sorted(known)
    base_changed = any("/" not in st.rel for st in (*added, *changed)) or any("/" not in rel for rel in removed)
    return Changes(base_changed, added, changed, removed, touched)


def _diff_scanned(conn: sqlite3.Connection, data_dir: Path, scanned: Scan) -> Changes:
    """diff_corpus from a scan's stats (every source file and base file stat'ed, none failed):
    against the records' snapshot when the store keeps one that is current, else against
    every record read from the store."""
    snap = read_snapshot(conn)
    if snap is not None:
        return _diff_snapshot(conn, data_dir, scanned, snap)
    cur = conn.cursor()
    cur.row_factory = None
    records: dict[str, tuple[str, str]] = {
        rel: (key, sha) for rel, key, sha in cur.execute(f"SELECT file, {_KEY_SQL}, sha256 FROM source_files")
    }
    seen = scanned.seen_ns
    suspects: list[FileState] = []
    stats = scanned.stats()
    for rel, key in stats.items():
        old = records.get(rel)
        if old is None or old[0] != key:
            size, mtime_ns, ctime_ns, ino = (int(x) for x in key.split(":"))
            suspects.append(FileState(rel, size, mtime_ns, None, ctime_ns, ino, seen))
    differing = {st.rel: stat_key(st.size, st.mtime_ns, st.ctime_ns, st.ino) for st in suspects}
    added, changed, touched = _suspects(data_dir, conn, suspects)
    removed = sorted(rel for rel in records if rel not in stats)
    base_changed = any("/" not in st.rel for st in (*added, *changed)) or any("/" not in rel for rel in removed)
    return Changes(
        base_changed, added, changed, removed, touched, records=records, scan_digest=scanned.digest, differing=differing
    )


def _suspects(data_dir: Path, conn: sqlite3.Connection, suspects: list[FileState]) -> tuple[list[FileState], ...]:
    """(added, changed, touched) of the files whose stat differs from their record: each
    hashed and compared with its record."""
    added: list[FileState] = []
    changed: list[FileState] = []
    touched: list[FileState] = []
    for suspect in sorted(suspects, key=lambda st: st.rel):
        state = with_hash(data_dir, suspect)
        rel = state.rel
        old_record = _recorded(conn, rel)
        if old_record is None:
            (added if "/" in rel else changed).append(state)
        elif old_record[0] == state.sha256:
            if old_record[1:] != (state.size, state.mtime_ns, state.recorded_ctime, state.ino):
                touched.append(state)  # the same bytes: a new record only (none while still racy)
        else:
            changed.append(state)
    return added, changed, touched


def _diff_snapshot(conn: sqlite3.Connection, data_dir: Path, scanned: Scan, snap: Snapshot) -> Changes:
    """_diff_scanned against the records' snapshot: the scan's names and numbers compared
    with the snapshot's, no record read but the base files' and the suspects'. The names
    that came and went are found by set arithmetic; the rest, in the same order in both,
    are compared field by field as whole arrays (C's memcmp), and only where they differ
    file by file."""
    seen = scanned.seen_ns
    suspects: list[FileState] = []
    removed: list[str] = []
    edits = _edits(snap.names, scanned.names)
    if edits is None:  # many names came and went: a tuple per file, made in C (zip)
        old = dict(zip(snap.names, zip(*snap.fields)))
        for name, numbers in zip(scanned.names, zip(*scanned.fields)):
            if old.pop(name, None) != numbers:
                suspects.append(FileState(_SOURCES + name, *_state_numbers(numbers), seen))
        removed = [_SOURCES + name for name in old]
    else:
        gone, came = edits
        removed = [_SOURCES + snap.names[i] for i in gone]
        kept = _without(scanned.names, came)
        was = [_without(column, gone) for column in snap.fields]
        now = [_without(column, came) for column in scanned.fields]
        differ = sorted({i for a, b in zip(was, now) for i in _differences(a, b)})
        fields = scanned.fields
        for i in came:
            suspects.append(FileState(_SOURCES + scanned.names[i], *_state_numbers(tuple(c[i] for c in fields)), seen))
        for i in differ:
            suspects.append(FileState(_SOURCES + kept[i], *_state_numbers(tuple(c[i] for c in now)), seen))
    base_old = dict(snap.base)
    for rel, *stat in scanned.base:
        if base_old.pop(rel, None) != tuple(stat):
            suspects.append(FileState(rel, *_state_numbers(tuple(stat)), seen))
    removed += base_old
    differing = {st.rel: stat_key(st.size, st.mtime_ns, st.ctime_ns, st.ino) for st in suspects}
    added, changed, touched = _suspects(data_dir, conn, suspects)
    removed.sort()
    base_changed = any("/" not in st.rel for st in (*added, *changed)) or any("/" not in rel for rel in removed)
    return Changes(
        base_changed,
        added,
        changed,
        removed,
        touched,
        scan_digest=scanned.digest,
        differing=differing,
        scan=scanned,
        snapshot=snap,
    )


def _state_numbers(numbers: tuple[int, ...]) -> tuple[int, int, None, int, int]:
    """FileState's size, mtime, hash (none yet), ctime and inode from a stat's four numbers."""
    size, mtime_ns, ctime_ns, ino = numbers
    return size, mtime_ns, None, ctime_ns, ino


_FEW = 1_000  # names come and go by the file, not by the thousand: above this, file by file


def _edits(old: list[str], new: list[str]) -> tuple[list[int], list[int]] | None:
    """(the places in `old` of the names gone, the places in `new` of the names come), both
    lists sorted, so that `old` without the first and `new` without the second are the same
    names in the same order; None when more than _FEW came and went. Both lists are sorted:
    the runs they share are found by comparing slices (in C), growing, then halving, so a
    few names come and gone cost a few passes over the lists, not a set of 100,000."""
    gone: list[int] = []
    came: list[int] = []
    i = j = 0
    while True:
        i, j = _same_run(old, new, i, j)
        if i == len(old) or j == len(new):
            gone += range(i, len(old))
            came += range(j, len(new))
            break
        if old[i] < new[j]:
            gone.append(i)
            i += 1
        else:
            came.append(j)
            j += 1
        if len(gone) + len(came) > _FEW:
            return None
    return (gone, came) if len(gone) + len(came) <= _FEW else None


def _same_run(old: list[str], new: list[str], i: int, j: int) -> tuple[int, int]:
    """The places in `old` and `new` where the run of equal names from old[i] and new[j] ends."""
    n = min(len(old) - i, len(new) - j)
    if old[i : i + n] == new[j : j + n]:
        return i + n, j + n
    lo, step = 0, 1  # old[i:i+lo] == new[j:j+lo]; a difference within the next `step`
    while lo + step < n and old[i + lo : i + lo + step] == new[j + lo : j + lo + step]:
        lo += step
        step *= 2
    hi = min(lo + step, n)  # the first difference lies in [lo, hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if old[i + lo : i + mid] == new[j + lo : j + mid]:
            lo = mid
        else:
            hi = mid
    return i + lo, j + lo


def _without(items: Any, places: list[int]) -> Any:
    """A list or an array without the items at `places` (sorted): slices copied, in C."""
    if not places:
        return items
    out = array(items.typecode) if isinstance(items, array) else []
    at = 0
    for i in places:
        out.extend(items[at:i])
        at = i + 1
    out.extend(items[at:])
    return out


def _differences(a: array[int], b: array[int]) -> list[int]:
    """The places where two arrays of the same length differ: whole halves compared as bytes
    (memcmp) and only the differing ones split further."""
    if a == b:
        return []
    x, y, width = a.tobytes(), b.tobytes(), a.itemsize
    out: list[int] = []
    spans = [(0, len(a))]
    while spans:
        lo, hi = spans.pop()
        if x[lo * width : hi * width] == y[lo * width : hi * width]:
            continue
        if hi - lo <= 16:
            out += [i for i in range(lo, hi) if a[i] != b[i]]
            continue
        mid = (lo + hi) // 2
        spans += [(mid, hi), (lo, mid)]
    return sorted(out)


# --- the records' snapshot: an update's diff without reading 100,000 records ----------------
#
# Beside the records (source_files), the store keeps one row (file_snapshot) that holds the
# same records as the stat digest lays them out (the source files' names joined by NUL, their
# four numbers as four arrays of native 64-bit integers) and their hashes (32 bytes each,
# in the names' order), with the digests of the records it was made from (`files_digest` and
# `corpus_hash`, as pivot_meta keeps them). It is used only while both equal pivot_meta's and
# its names and numbers give its stat digest again: any writer of the records that does not
# renew it leaves it unused. A one-file update then compares the scan with two blobs (~0.05 s
# of CPU at 100,000 files, against ~0.4 s reading the records and making a key per file) and
# works out the digests after it from the scan and the few records it wrote.
SNAPSHOT_TABLE = """CREATE TABLE IF NOT EXISTS file_snapshot (
  id INTEGER PRIMARY KEY CHECK (id = 1), files_digest TEXT NOT NULL, corpus_hash TEXT NOT NULL,
  names BLOB NOT NULL, fields BLOB NOT NULL, shas BLOB NOT NULL
)"""
_SHA_HEX = 64
_BASE_RECORDS_SQL = (
    "SELECT file, size, mtime_ns, ctime_ns, ino, sha256 FROM source_files "
    "WHERE file < 'sources/' OR file >= 'sources0' ORDER BY file"  # every record outside sources/ (the PK's range)
)


@dataclass
class Snapshot:
    """The store's file records, as the stat digest lays them out (see above)."""

    names: list[str]  # the source files, sorted, without `sources/`
    fields: list[array[int]]  # their sizes, mtimes, recorded ctimes and inodes (_FIELDS)
    shas: str  # their hashes, _SHA_HEX characters each, in the names' order (kept as 32 bytes each)
    base: list[tuple[str, tuple[int, int, int, int]]]  # the other records: (rel, (size, mtime, ctime, ino))
    base_shas: dict[str, str]


def _base_records(conn: sqlite3.Connection) -> list[tuple[str, int, int, int, int, str]]:
    cur = conn.cursor()
    cur.row_factory = None
    return list(cur.execute(_BASE_RECORDS_SQL))


def read_snapshot(conn: sqlite3.Connection) -> Snapshot | None:
    """The records' snapshot, when the store keeps one made from its records as they are."""
    cur = conn.cursor()
    cur.row_factory = None
    try:
        meta = dict(cur.execute("SELECT key, value FROM pivot_meta WHERE key IN ('corpus_hash', ?)", (FILES_DIGEST,)))
        row = cur.execute("SELECT files_digest, corpus_hash, names, fields, shas FROM file_snapshot WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # no such table: a store written before it was kept
        return None
    if row is None or row[0] != meta.get(FILES_DIGEST) or row[1] != meta.get("corpus_hash"):
        return None
    names = bytes(row[2]).decode("utf-8", "surrogateescape").split("\0") if row[2] else []
    flat: array[int] = array("q")
    flat.frombytes(bytes(row[3]))
    n = len(names)
    shas = bytes(row[4]).hex()
    if len(flat) != len(_FIELDS) * n or len(shas) != _SHA_HEX * n:
        return None
    fields = [flat[i * n : (i + 1) * n] for i in range(len(_FIELDS))]
    base_rows = _base_records(conn)
    base = [(rel, (size, mtime_ns, ctime_ns, ino)) for rel, size, mtime_ns, ctime_ns, ino, _ in base_rows]
    if _stat_digest(names, fields, [(rel, *numbers) for rel, numbers in base]) != row[0]:
        return None  # not the records it names: unused
    return Snapshot(names, fields, shas, base, {rel: sha for rel, *_, sha in base_rows})


def _hashes_digest(names: list[str], shas: str, base_shas: dict[str, str]) -> str:
    """digest_of the records: the source files' (names, shas in their order) and the others'.
    Its lines in the names' order (a name's line sorts where the name does: NUL follows it),
    the source files' made by iterators in C, not a string per file in Python."""
    from itertools import chain, repeat

    chunks = map(shas.__getitem__, map(slice, range(0, len(shas), _SHA_HEX), range(_SHA_HEX, len(shas) + _SHA_HEX, _SHA_HEX)))
    sources = "".join(chain.from_iterable(zip(repeat(_SOURCES), names, repeat("\0"), chunks, repeat("\n"))))
    base = sorted(base_shas.items())
    before = "".join(f"{rel}\0{sha}\n" for rel, sha in base if rel < _SOURCES)
    after = "".join(f"{rel}\0{sha}\n" for rel, sha in base if rel >= _SOURCES)
    return _sha256((before + sources + after).encode("utf-8", "surrogateescape")).hexdigest()


def _write_snapshot(conn: sqlite3.Connection, files_digest: str, corpus_hash: str, snap: Snapshot) -> None:
    conn.execute(SNAPSHOT_TABLE)
    try:
        names = "\0".join(snap.names).encode("utf-8", "surrogateescape")
        shas = bytes.fromhex(snap.shas)  # 32 bytes a file, not 64 hex digits
        if shas.hex() != snap.shas:
            raise ValueError("not lowercase hexadecimal")
        flat = b"".join(column.tobytes() for column in snap.fields)
    except (UnicodeEncodeError, OverflowError, ValueError):  # a hash the store did not write: none kept
        conn.execute("DELETE FROM file_snapshot")
        return
    conn.execute("INSERT OR REPLACE INTO file_snapshot VALUES (1, ?, ?, ?, ?, ?)", (files_digest, corpus_hash, names, flat, shas))


def keep_snapshot(conn: sqlite3.Connection) -> tuple[str, str]:
    """Read every record once: their (digest_of, stat digest), as recorded_digests gives them,
    and the snapshot of them kept with those digests."""
    cur = conn.cursor()
    cur.row_factory = None
    names: list[str] = []
    numbers: list[tuple[int, int, int, int]] = []
    shas: list[str] = []
    base: list[tuple[str, tuple[int, int, int, int]]] = []
    base_shas: dict[str, str] = {}
    rows = cur.execute(_RECORDS_SQL).fetchall()  # by name: UTF-8's byte order is Python's order of the names
    for rel, sha, size, mtime_ns, ctime_ns, ino in rows:
        if rel.startswith(_SOURCES):
            names.append(rel[len(_SOURCES) :])
            numbers.append((size, mtime_ns, ctime_ns, ino))
            shas.append(sha if len(sha) == _SHA_HEX else "?" * _SHA_HEX)
        else:
            base.append((rel, (size, mtime_ns, ctime_ns, ino)))
            base_shas[rel] = sha
    corpus_hash, files_digest = recorded_digests(conn, rows)  # the same rows, not read again
    try:
        fields = [array("q", column) for column in zip(*numbers)] if numbers else [array("q") for _ in _FIELDS]
    except OverflowError:
        conn.execute(SNAPSHOT_TABLE)
        conn.execute("DELETE FROM file_snapshot")
        return corpus_hash, files_digest
    snap = Snapshot(names, fields, "".join(shas), base, base_shas)
    if "?" in snap.shas or _hashes_digest(names, snap.shas, base_shas) != corpus_hash:
        conn.execute(SNAPSHOT_TABLE)
        conn.execute("DELETE FROM file_snapshot")  # a record the snapshot cannot hold: the records are read
    else:
        _write_snapshot(conn, files_digest, corpus_hash, snap)
    return corpus_hash, files_digest


def snapshot_after(conn: sqlite3.Connection, changes: Changes) -> tuple[str, str] | None:
    """After an update of `changes` (found against the snapshot) has written its records:
    (digest_of, stat digest) of the records, worked out from the scan and the records of the
    files that differed from it (read back), and the snapshot kept with them. None when
    the records are not the scan but for those (a scanned file with no record)."""
    scanned, snap = changes.scan, changes.snapshot
    if scanned is None or snap is None or changes.differing is None:
        return None
    names = scanned.names
    fields = [array("q", column) for column in scanned.fields]
    shas = _shas_for(snap, names)
    patches: dict[int, str] = {}
    for rel in changes.differing:
        if not rel.startswith(_SOURCES):
            continue  # a base file: read back with the others below
        record = _recorded(conn, rel)
        i = _index(names, rel[len(_SOURCES) :])
        if record is None or i is None:
            return None
        sha, size, mtime_ns, ctime_ns, ino = record
        for column, value in zip(fields, (size, mtime_ns, ctime_ns, ino)):
            column[i] = value
        patches[i] = sha
    for i, sha in patches.items():
        shas = shas[: i * _SHA_HEX] + sha + shas[(i + 1) * _SHA_HEX :]
    if "?" in shas or len(shas) != _SHA_HEX * len(names):
        return None
    base_rows = _base_records(conn)
    base = [(rel, (size, mtime_ns, ctime_ns, ino)) for rel, size, mtime_ns, ctime_ns, ino, _ in base_rows]
    after = Snapshot(names, fields, shas, base, {rel: sha for rel, *_, sha in base_rows})
    try:
        files_digest = _stat_digest(names, fields, [(rel, *numbers) for rel, numbers in base])
    except OverflowError:
        return None
    corpus_hash = _hashes_digest(names, shas, after.base_shas)
    _write_snapshot(conn, files_digest, corpus_hash, after)
    return corpus_hash, files_digest


def _shas_for(snap: Snapshot, names: list[str]) -> str:
    """The snapshot's hashes laid out for `names`: a name it does not have gets "?"s."""
    edits = _edits(snap.names, names)
    if edits is None:
        old = {name: snap.shas[i * _SHA_HEX : (i + 1) * _SHA_HEX] for i, name in enumerate(snap.names)}
        return "".join([old.get(name, "?" * _SHA_HEX) for name in names])
    gone, came = edits
    if not gone and not came:
        return snap.shas
    pieces, at = [], 0
    for i in gone:
        pieces.append(snap.shas[at * _SHA_HEX : i * _SHA_HEX])
        at = i + 1
    pieces.append(snap.shas[at * _SHA_HEX :])
    kept = "".join(pieces)
    out, at = [], 0
    for count, j in enumerate(came):  # j - count: the kept names before the new one at j
        out += [kept[at * _SHA_HEX : (j - count) * _SHA_HEX], "?" * _SHA_HEX]
        at = j - count
    out.append(kept[at * _SHA_HEX :])
    return "".join(out)


def _index(names: list[str], name: str) -> int | None:
    """The place of `name` in the sorted `names`."""
    from bisect import bisect_left

    i = bisect_left(names, name)
    return i if i < len(names) and names[i] == name else None


def records_stat_digest(records: dict[str, tuple[str, str]]) -> str:
    """The stat digest of the records diff_corpus read (what the store's files_digest must be)."""
    return records_digest(_keys_records({rel: key for rel, (key, _) in records.items()}))


def digests_after(records: dict[str, tuple[str, str]], changes: Changes, written: Iterable[FileState]) -> tuple[str, str]:
    """recorded_digests of the file records once an update of `changes` has written the records
    `written` (the files it parsed, and those it touched): from the records diff_corpus read."""
    now = dict(records)
    for rel in changes.removed:
        now.pop(rel, None)
    for st in written:
        now[st.rel] = (stat_key(st.size, st.mtime_ns, st.recorded_ctime, st.ino), st.sha256 or now.get(st.rel, ("", ""))[1])
    hashes = sorted(f"{rel}\0{sha}\n" for rel, (_, sha) in now.items())
    corpus_hash = _sha256("".join(hashes).encode()).hexdigest()
    if changes.scan_digest is not None and changes.differing == {
        st.rel: stat_key(st.size, st.mtime_ns, st.recorded_ctime, st.ino) for st in written
    }:
        # every record that differed from the scan now holds the stat the scan saw (none racy,
        # none changed again before it was read), the rest already did, the removed are gone:
        # the records are the scan (at 100,000 files ~0.4 s less than their digest worked out)
        return corpus_hash, changes.scan_digest
    return corpus_hash, records_digest(_keys_records({rel: key for rel, (key, _) in now.items()}))


def _recorded(conn: sqlite3.Connection, rel: str) -> tuple[str, int, int, int, int] | None:
    """(hash, size, mtime, ctime, inode) the store recorded for one file, or None when it
    has no record of it."""
    row = conn.execute("SELECT sha256, size, mtime_ns, ctime_ns, ino FROM source_files WHERE file = ?", (rel,)).fetchone()
    return tuple(row) if row is not None else None
