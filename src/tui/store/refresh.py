"""Keeping the store current: the update-or-rebuild decision, at the top of the store.

A store is rebuilt when it is missing, unreadable, of another schema version, or built
from other corpus bytes than the ones on disk now; changed source files alone are
applied in place (update.py). This module calls the others downwards (locate, recovery,
stamps, build, update); none of them calls it.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import StoreError, os_error_words, sqlite_error_words
from .locate import default_data_dir, default_db_path, open_readonly, store_info
from .recovery import recover_store
from .schema import SCHEMA_VERSION
from .stamps import verified

TYPE_CHECKING = False  # as in files.py: no typing import on the no-op's path

if TYPE_CHECKING:
    from .build import BuildReport
    from .files import Scan
    from .model import CorpusError, Problem


@dataclass
class Ready:
    path: Path
    built: BuildReport | None = None  # set when this call built or updated the store
    warning: str | None = None  # set when the corpus is broken and an older store is used
    unchecked: bool = False  # quick mode: the store was not compared with the corpus yet
    steps: list[tuple[str, float]] = field(default_factory=list)  # the look at the files, in seconds (`pivot build -v`)
    problems: list[Problem] | None = None  # with a warning: the corpus's problems, when already known whole


def ensure_store(
    data_dir: Path | None = None,
    db_path: Path | None = None,
    *,
    force: bool = False,
    quick: bool = False,
    verify: bool = False,
) -> Ready:
    """Make sure an up-to-date store exists; build or update it if needed (see
    _ensure_store). Trouble writing the store file is raised as StoreError in words
    that name the user's paths. With `verify` (`pivot build`), a store that is up to
    date is also checked whole (PRAGMA quick_check) and rebuilt if damaged."""
    try:
        return _ensure_store(data_dir, db_path, force=force, quick=quick, verify=verify)
    except OSError as exc:
        target = Path(db_path) if db_path else default_db_path(Path(data_dir) if data_dir else default_data_dir())
        raise StoreError(os_error_words(exc, target)) from exc


def _ensure_store(
    data_dir: Path | None = None,
    db_path: Path | None = None,
    *,
    force: bool = False,
    quick: bool = False,
    verify: bool = False,
) -> Ready:
    """Make sure an up-to-date store exists; build or update it if needed.

    A store of the current schema is compared with the corpus file by file
    (one stat each); changed source files are applied in place, in one
    transaction; a change to entities.yaml or topics.yaml, another schema, or
    `force` means a full build. With `quick`, an existing store of the current
    schema is returned at once and the caller refreshes it later (the explorer
    does so in a worker after its first frame).

    Raises CorpusError when the corpus is broken and no usable store exists.
    """
    # the build, the update (sqlite-utils) and the loader (YAML) only when needed: the
    # explorer's start on a current store imports none of them
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    db_path = Path(db_path) if db_path else default_db_path(data_dir)
    recover_store(db_path)
    info = store_info(db_path)
    usable = info is not None and info.get("schema_version") == str(SCHEMA_VERSION)
    if usable and quick and not force:
        return Ready(db_path, unchecked=True)
    # not on the explorer's quick path (~5 ms of dataclasses), nor model on up_to_date's
    from .files import FILES_DIGEST, Changes, diff_corpus, file_label, records_stat_digest, scan
    from .model import CorpusError

    if usable and not force:
        changes = None
        kept = 0  # source files the store has
        # the no-op: one scan of the folder gives the digest the store keeps of every file's
        # stat; when equal, no file record is read (files.scan); else the records are
        # compared with the stats this scan read
        kept_digest = info.get(FILES_DIGEST) if info is not None else None
        clock = time.perf_counter()
        scanned = _handed_on(data_dir) or (scan(data_dir) if kept_digest is not None else None)
        same = scanned is not None and scanned.digest == kept_digest
        steps = [("scan (one stat per file)", time.perf_counter() - clock)]
        try:
            conn = open_readonly(db_path)
            try:
                clock = time.perf_counter()
                changes = Changes(False, [], [], [], []) if same else diff_corpus(conn, data_dir, scanned)
                if not same:
                    steps.append(("diff (the file records)", time.perf_counter() - clock))
                _probe(conn)  # a damaged table means a full build, not "up to date"
                if changes.removed:
                    kept = conn.execute("SELECT count(*) FROM source_files WHERE source IS NOT NULL").fetchone()[0]
                if verify and changes.empty and not verified(conn, db_path):
                    changes = None  # damaged where the probe does not look: rebuild
            finally:
                conn.close()
        except (StoreError, sqlite3.Error, UnicodeDecodeError):
            changes = None
        if (
            changes is not None
            and changes.empty
            and kept_digest is not None
            and (same or changes.records is None or records_stat_digest(changes.records) == kept_digest)
        ):
            return Ready(db_path, steps=steps)
        # (a store without the digest, written before it was kept, or whose digest an older
        # pivot's update left behind its records, gets it from an update that renews no
        # record: once, and only where the store can be written; a record smudged as racy
        # leaves the digest as it is, and the look file by file settles it)
        if (
            changes is not None
            and changes.known
            and not changes.added
            and kept
            and sum("/" in rel for rel in changes.removed) >= kept
        ):
            return Ready(db_path, warning=_no_sources(data_dir, kept))
        if changes is not None and changes.known and changes.base_changed:
            # entities.yaml and the like: applied from the stored rows (store/baseupdate.py)
            from .baseupdate import NeedsFull, base_update

            try:
                return Ready(db_path, built=base_update(db_path, data_dir, changes, file_label(data_dir)))
            except CorpusError as exc:
                return Ready(db_path, warning=_broken(exc), problems=exc.problems)
            except (NeedsFull, sqlite3.Error, OSError):
                pass  # the full load says what is wrong, or rebuilds (and says why, if it cannot)
        if changes is not None and not changes.needs_full:
            from .update import update_store

            try:
                return Ready(db_path, built=update_store(db_path, data_dir, changes, file_label(data_dir)), steps=steps)
            except CorpusError as exc:
                return Ready(db_path, warning=_broken(exc))
            except (sqlite3.Error, OSError):
                if not (changes.added or changes.changed or changes.removed):
                    # the same bytes (a copied corpus, a touch): the store says what the corpus
                    # says, only its file records could not be renewed (a read-only store)
                    return Ready(db_path)
                # else fall through to a full build (which says why, if it cannot either)
    from .build import build_files, build_store
    from .load import load_corpus_files

    try:
        if usable and not _listed(data_dir):
            # no source file to read: the base files' problems, else, even with --full, an
            # unmounted or emptied folder must not empty the store
            corpus, states = load_corpus_files(data_dir)
            kept = _sources_in(db_path)
            if kept:
                return Ready(db_path, warning=_no_sources(data_dir, kept))
            return Ready(db_path, built=build_store(corpus, db_path, states))
        return Ready(db_path, built=build_files(data_dir, db_path))  # streamed: nothing held whole
    except CorpusError as exc:
        if usable and not force:
            return Ready(db_path, warning=_broken(exc))
        raise
    except (OSError, sqlite3.Error) as exc:
        # a full disk, a quota or a size limit shows as OSError or as SQLite's own error
        words = os_error_words(exc, db_path) if isinstance(exc, OSError) else sqlite_error_words(exc, db_path)
        if usable and not force:
            # the corpus changed but the store cannot be rewritten: the last good store
            # is still worth showing, with a warning that says why it is old
            return Ready(db_path, warning=f"{db_path} is out of date and cannot be rebuilt ({words}); showing it as it is")
        raise StoreError(words) from exc


def up_to_date(data_dir: Path | None = None, db_path: Path | None = None, *, verify: bool = False) -> Ready | None:
    """The no-op of ensure_store alone, for `pivot build` without click (tui.launch): Ready
    when the store is of this schema, its digest of the files' stats is the scan's (files.scan)
    and its first and last rows read (with `verify`: it is stamped whole, or passes the
    check); else None, and ensure_store does the rest, with this scan handed on to it (when
    it is called next in this process, for the same corpus) instead of a second one."""
    from .files import FILES_DIGEST, scan

    data_dir = Path(data_dir) if data_dir else default_data_dir()
    db_path = Path(db_path) if db_path else default_db_path(data_dir)
    recover_store(db_path)
    info = store_info(db_path)
    if info is None or info.get("schema_version") != str(SCHEMA_VERSION) or FILES_DIGEST not in info:
        return None
    scanned = scan(data_dir)
    if scanned is None:
        return None
    if scanned.digest != info[FILES_DIGEST]:
        _HANDED_ON[:] = [(data_dir, scanned)]
        return None
    try:
        conn = open_readonly(db_path)
        try:
            _probe(conn)
            if verify and not verified(conn, db_path):
                return None
        finally:
            conn.close()
    except (StoreError, sqlite3.Error, UnicodeDecodeError):
        return None
    return Ready(db_path)


_HANDED_ON: list[tuple[Path, Scan]] = []  # up_to_date's scan, when its digest differed: for ensure_store


def _handed_on(data_dir: Path) -> Scan | None:
    """The scan up_to_date just made of this corpus in this process, once."""
    if not _HANDED_ON:
        return None
    (looked, scanned) = _HANDED_ON.pop()
    return scanned if looked == data_dir else None


def _listed(data_dir: Path) -> bool:
    """Whether sources/ lists a source file (True when it cannot be listed: the load says why)."""
    from .files import source_paths

    try:
        return bool(source_paths(data_dir))
    except OSError:
        return True


def _probe(conn: sqlite3.Connection) -> None:
    """Read the first and last row of every table the explorer and the CLI read: a few
    page reads, but a table whose pages are damaged raises sqlite3.DatabaseError here
    rather than in the middle of a command. (A full integrity check would read the
    whole file: seconds at a million claims.)"""
    for table in ("claims", "entities", "sources", "topics", "facet_counts"):
        for order in ("ASC", "DESC"):
            conn.execute(f"SELECT * FROM {table} ORDER BY rowid {order} LIMIT 1").fetchall()
    for table in ("entity_names", "source_flags"):  # WITHOUT ROWID tables
        conn.execute(f"SELECT * FROM {table} LIMIT 1").fetchall()
    conn.execute("SELECT rowid FROM claims_fts WHERE claims_fts MATCH 'a' LIMIT 1").fetchall()


def _sources_in(db_path: Path) -> int:
    try:
        conn = open_readonly(db_path)
        try:
            n: int = conn.execute("SELECT count(*) FROM sources").fetchone()[0]
            return n
        finally:
            conn.close()
    except (sqlite3.Error, UnicodeDecodeError):
        return 0


def _no_sources(data_dir: Path, kept: int) -> str:
    return (
        f"the corpus has no source files in {data_dir / 'sources'}; showing the last good store "
        f"({kept} source(s); delete the store file to start an empty one)"
    )


def _broken(exc: CorpusError) -> str:
    return f"the corpus has {len(exc.problems)} problem(s); showing the last good store (run `pivot check` for details)"
