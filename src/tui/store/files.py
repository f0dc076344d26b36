"""The corpus as files on disk: which ones, their sizes, times and hashes.

The store records the state of every corpus file it was built from
(`source_files`), so that deciding whether it is current costs one `stat` per
file, and a rebuild reads only the files whose bytes changed.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

BASE_FILES = ("entities.yaml", "topics.yaml")


@dataclass(frozen=True, slots=True)
class FileState:
    rel: str  # path relative to the corpus directory, with forward slashes
    size: int
    mtime_ns: int
    sha256: str | None = None  # None until read


def source_paths(data_dir: Path) -> list[Path]:
    sources = data_dir / "sources"
    try:
        names = sorted(e.name for e in os.scandir(sources) if e.name.endswith((".yaml", ".yml")) and e.is_file())
    except OSError:
        return []
    return [sources / n for n in names]


def corpus_paths(data_dir: Path) -> list[Path]:
    return [data_dir / n for n in BASE_FILES] + source_paths(data_dir)


def disk_names(data_dir: Path) -> list[str]:
    """Every corpus file's rel path, in code point order (SQLite's order for UTF-8 text)."""
    names = [n for n in BASE_FILES if os.path.isfile(os.path.join(data_dir, n))]
    try:
        with os.scandir(os.path.join(data_dir, "sources")) as it:
            names += ["sources/" + e.name for e in it if e.name.endswith((".yaml", ".yml")) and e.is_file()]
    except OSError:
        pass
    names.sort()
    return names


def stat_states(data_dir: Path) -> dict[str, FileState]:
    """rel -> FileState without hashes (one stat per file); missing base files are absent."""
    out: dict[str, FileState] = {}
    for path in corpus_paths(data_dir):
        try:
            st = path.stat()
        except OSError:
            continue
        rel = path.relative_to(data_dir).as_posix()
        out[rel] = FileState(rel, st.st_size, st.st_mtime_ns)
    return out


def hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def with_hash(data_dir: Path, state: FileState) -> FileState:
    try:
        return FileState(state.rel, state.size, state.mtime_ns, hash_file(data_dir / state.rel))
    except OSError:
        return FileState(state.rel, state.size, state.mtime_ns, "<unreadable>")


def file_states(data_dir: Path) -> dict[str, FileState]:
    """Every corpus file with its hash."""
    return {rel: with_hash(data_dir, s) for rel, s in stat_states(data_dir).items()}


def digest_of(states) -> str:
    """One hash for the whole corpus, from the per-file hashes (order independent)."""
    h = hashlib.sha256()
    for s in sorted(states, key=lambda s: s.rel):
        h.update(f"{s.rel}\0{s.sha256}\n".encode())
    return h.hexdigest()


def corpus_digest(data_dir: Path) -> str:
    return digest_of(file_states(Path(data_dir)).values())
